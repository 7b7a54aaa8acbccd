package httpapi

import (
	"net/http"

	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// rebuild rescans extracts and syncs the registry. The registry audits the
// changes it makes; the request itself (who asked, whether it worked) is
// audited here, because a rebuild that changed nothing or failed leaves no
// other trace.
func (s *Server) rebuild(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	if s.deps.Rebuild == nil {
		WriteError(w, http.StatusServiceUnavailable, CodeUnavailable, "registry rebuild is not configured on this server")
		return
	}
	res, err := s.deps.Rebuild(r.Context(), actor(p))
	if err != nil {
		s.audit(r, store.AuditEntry{UserID: p.UserID, Action: "sync.rebuild.request", Outcome: "error"})
		s.WriteServiceError(w, r, err)
		return
	}
	s.audit(r, store.AuditEntry{UserID: p.UserID, Action: "sync.rebuild.request", Outcome: "ok",
		Detail: map[string]any{"added": len(res.Added), "updated": len(res.Updated), "removed": len(res.Removed), "broken": len(res.Broken)}})
	for _, list := range []*[]string{&res.Added, &res.Updated, &res.Removed, &res.Broken} {
		if *list == nil {
			*list = []string{}
		}
	}
	WriteJSON(w, http.StatusOK, res)
}
