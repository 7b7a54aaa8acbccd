package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/keboola/agnes/rbac"
)

// DefaultTokenLifetime is the lifetime of a token created without
// expires_in.
const DefaultTokenLifetime = 90 * 24 * time.Hour

// maxTokenLifetime bounds expires_in; "never" is the way to ask for more.
const maxTokenLifetime = 3650 * 24 * time.Hour

// ParseExpiresIn reads a token lifetime: "90d", "24h", "30m", a Go duration,
// or "never" (ok with a zero duration). Empty means DefaultTokenLifetime.
func ParseExpiresIn(s string) (d time.Duration, never bool, err error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "":
		return DefaultTokenLifetime, false, nil
	case "never":
		return 0, true, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, convErr := strconv.Atoi(days)
		if convErr != nil {
			return 0, false, fmt.Errorf("%w: expires_in %q: expected a number of days such as 90d, a duration such as 24h, or never", rbac.ErrInvalid, s)
		}
		d = time.Duration(n) * 24 * time.Hour
	} else if d, err = time.ParseDuration(s); err != nil {
		return 0, false, fmt.Errorf("%w: expires_in %q: expected a number of days such as 90d, a duration such as 24h, or never", rbac.ErrInvalid, s)
	}
	if d <= 0 || d > maxTokenLifetime {
		return 0, false, fmt.Errorf("%w: expires_in %q must be positive and at most 3650d (use never for a token that does not expire)", rbac.ErrInvalid, s)
	}
	return d, false, nil
}

type createTokenRequest struct {
	User      string `json:"user"`
	Name      string `json:"name"`
	ExpiresIn string `json:"expires_in"`
}

// CreatedToken is the answer to token creation: the only time the secret
// is ever shown.
type CreatedToken struct {
	ID        string     `json:"id"`
	Token     string     `json:"token"`
	ExpiresAt *time.Time `json:"expires_at"`
	UserID    string     `json:"user_id"`
	UserEmail string     `json:"user_email"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	var req createTokenRequest
	if !DecodeJSON(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.User) == "" {
		WriteError(w, http.StatusBadRequest, CodeInvalid, "user is required (an email or user id)")
		return
	}
	lifetime, never, err := ParseExpiresIn(req.ExpiresIn)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	var expiresAt *time.Time
	if !never {
		t := time.Now().UTC().Add(lifetime).Truncate(time.Second)
		expiresAt = &t
	}
	t, secret, err := s.deps.RBAC.CreateToken(r.Context(), actor(p), req.User, req.Name, expiresAt)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, CreatedToken{ID: t.ID, Token: secret, ExpiresAt: t.ExpiresAt, UserID: t.UserID,
		UserEmail: t.UserEmail, Name: t.Name, Prefix: t.Prefix, CreatedAt: t.CreatedAt})
}

func (s *Server) listTokens(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	tokens, err := s.deps.RBAC.Tokens(r.Context(), r.URL.Query().Get("user"))
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, tokens)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	t, err := s.deps.RBAC.RevokeToken(r.Context(), actor(p), r.PathValue("id"))
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, t)
}

func (s *Server) listOwnTokens(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	tokens, err := s.deps.RBAC.Tokens(r.Context(), p.UserID)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, tokens)
}

// revokeOwnToken revokes one of the caller's tokens. Another user's token id
// answers 404 exactly like an unknown id, so ids of other users' tokens
// cannot be confirmed.
func (s *Server) revokeOwnToken(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	id := r.PathValue("id")
	tokens, err := s.deps.RBAC.Tokens(r.Context(), p.UserID)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	owned := false
	for _, t := range tokens {
		if t.ID == id {
			owned = true
			break
		}
	}
	if !owned {
		WriteError(w, http.StatusNotFound, CodeNotFound, "token "+id+" not found")
		return
	}
	t, err := s.deps.RBAC.RevokeToken(r.Context(), actor(p), id)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, t)
}
