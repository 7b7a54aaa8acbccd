package marketplace

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cgi"
	"strings"

	"github.com/keboola/agnes/httpapi"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// gitPrefix is where the git channel is mounted; clients use
// http://x:<PAT>@host/marketplace.git/.
const gitPrefix = "/marketplace.git"

// maxUploadPackRequest bounds a buffered git-upload-pack request body (the
// client's wants and haves), which CGI needs with a length.
const maxUploadPackRequest = 64 << 20

const basicRealm = `Basic realm="agnes"`

// basicPrincipal authenticates a git request: HTTP Basic with the PAT as
// the password (the user name is ignored; a PAT given as the user name with
// no password, as some tools send it, works too). It answers 401 itself.
func (s *Service) basicPrincipal(w http.ResponseWriter, r *http.Request) (*rbac.Principal, bool) {
	user, pass, ok := r.BasicAuth()
	if pass == "" {
		pass = user
	}
	if !ok || pass == "" {
		gitUnauthorized(w, "authentication required: use http://x:<personal access token>@host/marketplace.git/")
		return nil, false
	}
	if s.throttle.Refuse(w, r) {
		return nil, false
	}
	p, err := s.rbac.AuthenticateToken(r.Context(), pass)
	if errors.Is(err, rbac.ErrUnauthorized) {
		s.throttle.Failed(r)
		gitUnauthorized(w, "invalid, expired or revoked token: ask an admin for a new personal access token")
		return nil, false
	}
	if err != nil {
		s.log.ErrorContext(r.Context(), "marketplace git: authenticate", "err", err)
		httpapi.WriteError(w, http.StatusInternalServerError, httpapi.CodeInternal, "internal server error")
		return nil, false
	}
	return p, true
}

func gitUnauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", basicRealm)
	httpapi.WriteError(w, http.StatusUnauthorized, httpapi.CodeUnauthorized, msg)
}

// serveGit answers every request under /marketplace.git/. Authentication
// comes first, so every path answers 401 to a caller without a valid PAT;
// then only the two smart-HTTP fetch endpoints are passed to git
// http-backend, on the cache entry of the caller's view.
func (s *Service) serveGit(w http.ResponseWriter, r *http.Request) {
	p, ok := s.basicPrincipal(w, r)
	if !ok {
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, gitPrefix)
	switch {
	case r.Method == http.MethodGet && rest == "/info/refs":
		if svc := r.URL.Query().Get("service"); svc != "git-upload-pack" {
			httpapi.WriteError(w, http.StatusForbidden, httpapi.CodeForbidden,
				"only fetching is served (service=git-upload-pack); the marketplace is read-only and needs a git client with smart HTTP")
			return
		}
	case r.Method == http.MethodPost && rest == "/git-upload-pack":
	case strings.HasSuffix(rest, "git-receive-pack"):
		httpapi.WriteError(w, http.StatusForbidden, httpapi.CodeForbidden, "the marketplace is read-only: pushing is not possible")
		return
	default:
		httpapi.WriteError(w, http.StatusNotFound, httpapi.CodeNotFound,
			"no such git endpoint: "+r.Method+" "+r.URL.Path+"; clone http://x:<token>@host/marketplace.git/")
		return
	}
	if s.gitBin == "" {
		httpapi.WriteError(w, http.StatusServiceUnavailable, httpapi.CodeUnavailable, errNoGit.Error())
		return
	}
	v, err := s.viewFor(r.Context(), p)
	if err != nil {
		s.internalError(w, r, "marketplace git: resolve view", err)
		return
	}
	dir, err := s.git.repoFor(r.Context(), p.UserID, v, s.sourcesFor(v))
	if err != nil {
		s.internalError(w, r, "marketplace git: repository", err)
		return
	}

	req := r.Clone(r.Context())
	req.Header.Del("Authorization") // the child's environment must not hold the token
	if len(req.TransferEncoding) > 0 {
		// net/http/cgi refuses chunked bodies; git sends large fetch
		// requests chunked, so buffer them (bounded) and give a length.
		body, err := io.ReadAll(http.MaxBytesReader(w, req.Body, maxUploadPackRequest))
		if err != nil {
			httpapi.WriteError(w, http.StatusRequestEntityTooLarge, httpapi.CodeTooLarge, fmt.Sprintf("git request body over %d bytes", maxUploadPackRequest))
			return
		}
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.TransferEncoding = nil
	}
	var stderr bytes.Buffer
	h := &cgi.Handler{
		Path: s.gitBin,
		Args: []string{"http-backend"},
		Root: gitPrefix,
		Dir:  dir,
		Env: append(gitEnv(dir), "GIT_PROJECT_ROOT="+dir, "GIT_HTTP_EXPORT_ALL=1",
			"REMOTE_USER="+p.Email, "GIT_HTTP_MAX_REQUEST_BUFFER=64m"),
		Logger: slog.NewLogLogger(s.log.Handler(), slog.LevelError),
		Stderr: &stderr,
	}
	h.ServeHTTP(w, req)
	if stderr.Len() > 0 {
		s.log.WarnContext(r.Context(), "marketplace git: http-backend", "stderr", strings.TrimSpace(stderr.String()))
	}
	// Every clone, fetch or pull starts with the ref advertisement: one
	// audit row per git operation.
	if r.Method == http.MethodGet {
		s.audit(store.AuditEntry{UserID: p.UserID, Action: "marketplace.git", Target: v.ETag, Outcome: "ok",
			Detail: map[string]any{"plugins": len(v.Plugins)}})
	}
}
