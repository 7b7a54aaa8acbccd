package httpapi

import (
	"net/http"
	"strings"

	"github.com/keboola/agnes/rbac"
)

type createGrantRequest struct {
	Group        string `json:"group"`
	ResourceType string `json:"resource_type"`
	ResourceID   string `json:"resource_id"`
}

func (s *Server) createGrant(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	var req createGrantRequest
	if !DecodeJSON(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Group) == "" {
		WriteError(w, http.StatusBadRequest, CodeInvalid, "group is required (a group name or id)")
		return
	}
	g, err := s.deps.RBAC.CreateGrant(r.Context(), actor(p), req.Group, req.ResourceType, req.ResourceID)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, g)
}

func (s *Server) listGrants(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	q := r.URL.Query()
	grants, err := s.deps.RBAC.Grants(r.Context(), rbac.GrantFilter{Group: q.Get("group"), ResourceType: q.Get("type")})
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, grants)
}

func (s *Server) deleteGrant(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	if err := s.deps.RBAC.DeleteGrant(r.Context(), actor(p), r.PathValue("id")); err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listResourceTypes(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	WriteJSON(w, http.StatusOK, s.deps.RBAC.ResourceTypes())
}
