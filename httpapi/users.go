package httpapi

import (
	"net/http"

	"github.com/keboola/agnes/rbac"
)

type createUserRequest struct {
	Email string `json:"email"`
	Name  string `json:"name"`
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	var req createUserRequest
	if !DecodeJSON(w, r, &req) {
		return
	}
	u, err := s.deps.RBAC.CreateUser(r.Context(), actor(p), req.Email, req.Name)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, u)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	users, err := s.deps.RBAC.Users(r.Context())
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	if users == nil {
		users = []*rbac.User{}
	}
	WriteJSON(w, http.StatusOK, users)
}

func (s *Server) deactivateUser(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	u, err := s.deps.RBAC.DeactivateUser(r.Context(), actor(p), r.PathValue("user"))
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, u)
}
