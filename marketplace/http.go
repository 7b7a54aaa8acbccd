package marketplace

import (
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/keboola/agnes/httpapi"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// Mount registers the marketplace routes:
//
//	GET  /marketplace.zip                         bearer PAT; the caller's plugins as a ZIP
//	GET  /marketplace/info                        bearer PAT; what the caller is served
//	GET  /marketplace.git/info/refs?service=git-upload-pack   Basic auth, PAT as password
//	POST /marketplace.git/git-upload-pack
//	GET|POST /api/admin/marketplaces …            Admin group
func (s *Service) Mount(api *httpapi.Server) {
	api.HandleAuthed("GET /marketplace.zip", s.serveZIP)
	api.HandleAuthed("GET /marketplace/info", s.serveInfo)
	api.Handle(gitPrefix+"/", http.HandlerFunc(s.serveGit))

	api.HandleAdmin("GET /api/admin/marketplaces", s.listMarketplaces)
	api.HandleAdmin("POST /api/admin/marketplaces", s.addMarketplace)
	api.HandleAdmin("POST /api/admin/marketplaces/sync", s.syncAll)
	api.HandleAdmin("GET /api/admin/marketplaces/{slug}", s.getMarketplace)
	api.HandleAdmin("DELETE /api/admin/marketplaces/{slug}", s.removeMarketplace)
	api.HandleAdmin("POST /api/admin/marketplaces/{slug}/sync", s.syncMarketplace)
	api.HandleAdmin("GET /api/admin/marketplaces/{slug}/plugins", s.listPlugins)
	api.HandleAdmin("GET /api/admin/marketplace-plugins", s.listPlugins)
}

// etagMatches implements If-None-Match: a list of entity tags, weak or
// strong, or "*".
func etagMatches(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" {
			return true
		}
		t = strings.TrimPrefix(t, "W/")
		if strings.Trim(t, `"`) == etag {
			return true
		}
	}
	return false
}

// serveZIP answers the caller's marketplace as a ZIP. The ETag is known
// before any zipping, so a client that has the content gets 304 at the cost
// of a grant lookup.
func (s *Service) serveZIP(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	v, err := s.viewFor(r.Context(), p)
	if err != nil {
		s.internalError(w, r, "marketplace zip: resolve view", err)
		return
	}
	h := w.Header()
	h.Set("ETag", `"`+v.ETag+`"`)
	h.Set("Cache-Control", "private, no-cache") // per-user content; always revalidate
	if etagMatches(r.Header.Get("If-None-Match"), v.ETag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	path, err := s.zips.get(v, s.sourcesFor(v))
	if err != nil {
		s.internalError(w, r, "marketplace zip", err)
		return
	}
	f, err := os.Open(path)
	if err != nil {
		s.internalError(w, r, "marketplace zip", err)
		return
	}
	defer f.Close()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="agnes-marketplace.zip"`)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, f)
	s.audit(store.AuditEntry{UserID: p.UserID, Action: "marketplace.zip", Target: v.ETag, Outcome: "ok",
		Detail: map[string]any{"plugins": len(v.Plugins)}})
}

// Info is GET /marketplace/info: what the caller is served.
type Info struct {
	UserID          string       `json:"user_id"`
	Email           string       `json:"email"`
	Groups          []string     `json:"groups"`
	MarketplaceName string       `json:"marketplace_name"`
	ETag            string       `json:"etag"`
	PluginCount     int          `json:"plugin_count"`
	Plugins         []InfoPlugin `json:"plugins"`
	ZipURL          string       `json:"zip_url"`
	GitURL          string       `json:"git_url"`
}

// InfoPlugin is one served plugin. Name is what Claude Code installs it as
// ("<name>@agnes"); PrefixedName is its directory.
type InfoPlugin struct {
	Name         string `json:"name"`
	PrefixedName string `json:"prefixed_name"`
	Marketplace  string `json:"marketplace"`
	Version      string `json:"version"`
	Description  string `json:"description"`
}

func (s *Service) serveInfo(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	v, err := s.viewFor(r.Context(), p)
	if err != nil {
		s.internalError(w, r, "marketplace info: resolve view", err)
		return
	}
	info := Info{UserID: p.UserID, Email: p.Email, Groups: append([]string{}, p.GroupNames...), MarketplaceName: MarketplaceName,
		ETag: v.ETag, PluginCount: len(v.Plugins), Plugins: []InfoPlugin{}, ZipURL: "/marketplace.zip", GitURL: gitPrefix + "/"}
	for _, sp := range v.Plugins {
		info.Plugins = append(info.Plugins, InfoPlugin{Name: sp.ListedName, PrefixedName: sp.PrefixedName, Marketplace: sp.Slug,
			Version: sp.Version, Description: sp.Description})
	}
	httpapi.WriteJSON(w, http.StatusOK, info)
}

func (s *Service) listMarketplaces(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	ms, err := s.reg.List(r.Context())
	if err != nil {
		s.internalError(w, r, "list marketplaces", err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, ms)
}

func (s *Service) getMarketplace(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	m, err := s.reg.Get(r.Context(), r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, m)
}

func (s *Service) addMarketplace(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	var req Registration
	if !httpapi.DecodeJSON(w, r, &req) {
		return
	}
	m, err := s.reg.Add(r.Context(), rbac.Actor{UserID: p.UserID}, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusCreated, m)
}

// RemoveResult is the answer to DELETE /api/admin/marketplaces/{slug}.
type RemoveResult struct {
	Removed       bool   `json:"removed"`
	Slug          string `json:"slug"`
	GrantsRemoved int    `json:"grants_removed"`
}

func (s *Service) removeMarketplace(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	slug := r.PathValue("slug")
	n, err := s.Remove(r.Context(), rbac.Actor{UserID: p.UserID}, slug)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, RemoveResult{Removed: true, Slug: slug, GrantsRemoved: n})
}

// syncMarketplace syncs one marketplace and answers its SyncResult: 200
// whether or not the sync worked ("ok" and "error" say which), 404 for an
// unknown slug.
func (s *Service) syncMarketplace(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	res, err := s.Sync(r.Context(), rbac.Actor{UserID: p.UserID}, r.PathValue("slug"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

func (s *Service) syncAll(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	res, err := s.SyncAll(r.Context(), rbac.Actor{UserID: p.UserID})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

func (s *Service) listPlugins(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	slug := r.PathValue("slug")
	if slug == "" {
		slug = r.URL.Query().Get("marketplace")
	}
	plugins, err := s.reg.Plugins(r.Context(), slug)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, plugins)
}

// writeError answers a registry error with the status its rbac sentinel
// maps to; anything else is logged and answered with a bare 500.
func (s *Service) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, code := httpapi.StatusOf(err)
	if status == http.StatusInternalServerError {
		s.internalError(w, r, "marketplace admin", err)
		return
	}
	msg := err.Error()
	if i := strings.Index(msg, ": "); i >= 0 {
		msg = msg[i+2:] // drop the sentinel's "invalid: " / "not found: "
		if status == http.StatusNotFound {
			msg += " not found"
		} else if status == http.StatusConflict {
			msg += " already exists"
		}
	}
	httpapi.WriteError(w, status, code, msg)
}
