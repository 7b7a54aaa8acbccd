package httpapi

import (
	"net/http"

	"github.com/keboola/agnes/rbac"
)

// Health is the body of GET /healthz.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, Health{Status: "ok", Version: s.deps.Version})
}

// GroupRef names one group of a principal.
type GroupRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Me is the body of GET /api/me: who the token belongs to.
type Me struct {
	UserID  string     `json:"user_id"`
	Email   string     `json:"email"`
	Name    string     `json:"name"`
	Groups  []GroupRef `json:"groups"`
	IsAdmin bool       `json:"is_admin"`
	TokenID string     `json:"token_id,omitempty"`
}

// MeOf renders a principal as the /api/me body.
func MeOf(p *rbac.Principal) Me {
	m := Me{UserID: p.UserID, Email: p.Email, Name: p.Name, IsAdmin: p.IsAdmin, TokenID: p.TokenID, Groups: []GroupRef{}}
	for i, id := range p.GroupIDs {
		ref := GroupRef{ID: id}
		if i < len(p.GroupNames) {
			ref.Name = p.GroupNames[i]
		}
		m.Groups = append(m.Groups, ref)
	}
	return m
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	WriteJSON(w, http.StatusOK, MeOf(p))
}
