package httpapi

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

const wwwAuthenticate = `Bearer realm="agnes"`

type principalKey struct{}

// PrincipalFrom returns the principal of an authenticated request, or nil
// when the request went through no authenticating handler.
func PrincipalFrom(r *http.Request) *rbac.Principal {
	p, _ := r.Context().Value(principalKey{}).(*rbac.Principal)
	return p
}

// WithPrincipal returns ctx carrying p (for handlers that authenticate by
// other means and for tests).
func WithPrincipal(ctx context.Context, p *rbac.Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// bearerToken extracts the token of an "Authorization: Bearer <token>"
// header; the scheme is case-insensitive (RFC 7235 §2.1).
func bearerToken(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, token, ok := strings.Cut(strings.TrimSpace(h), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

func unauthorized(w http.ResponseWriter, message string) {
	w.Header().Set("WWW-Authenticate", wwwAuthenticate)
	WriteError(w, http.StatusUnauthorized, CodeUnauthorized, message)
}

// authenticate resolves the bearer PAT into a principal before h runs. The
// answer for a bad token is the same whatever was wrong with it (unknown,
// revoked, expired, user deactivated), so it tells a prober nothing.
func (s *Server) authenticate(h func(w http.ResponseWriter, r *http.Request, p *rbac.Principal)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearerToken(r)
		if !ok {
			unauthorized(w, "missing bearer token: send Authorization: Bearer <personal access token>")
			return
		}
		if s.throttle.Refuse(w, r) {
			return
		}
		p, err := s.deps.RBAC.AuthenticateToken(r.Context(), token)
		if errors.Is(err, rbac.ErrUnauthorized) {
			s.throttle.Failed(r)
			unauthorized(w, "invalid, expired or revoked token: ask an admin for a new personal access token")
			return
		}
		if err != nil {
			s.WriteServiceError(w, r, err)
			return
		}
		if rl := requestLogFrom(r.Context()); rl != nil {
			rl.user = p.Email
		}
		h(w, r.WithContext(WithPrincipal(r.Context(), p)), p)
	})
}

// requireAdmin lets only members of the Admin group through. Refusals are
// audited: an admin endpoint probed by a non-admin is worth knowing about.
func (s *Server) requireAdmin(h func(w http.ResponseWriter, r *http.Request, p *rbac.Principal)) func(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	return func(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
		if !p.IsAdmin {
			s.audit(r, store.AuditEntry{UserID: p.UserID, Action: "http.admin", Target: r.Method + " " + r.URL.Path, Outcome: "denied"})
			WriteError(w, http.StatusForbidden, CodeForbidden, "admin access required: ask an admin to add you to the Admin group")
			return
		}
		h(w, r, p)
	}
}

// actor is the audit identity of a request's principal.
func actor(p *rbac.Principal) rbac.Actor { return rbac.Actor{UserID: p.UserID} }
