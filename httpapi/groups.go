package httpapi

import (
	"net/http"
	"strings"

	"github.com/keboola/agnes/rbac"
)

type createGroupRequest struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	var req createGroupRequest
	if !DecodeJSON(w, r, &req) {
		return
	}
	g, err := s.deps.RBAC.CreateGroup(r.Context(), actor(p), req.Name, req.Description)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, g)
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	groups, err := s.deps.RBAC.Groups(r.Context())
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	if groups == nil {
		groups = []*rbac.Group{}
	}
	WriteJSON(w, http.StatusOK, groups)
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	if err := s.deps.RBAC.DeleteGroup(r.Context(), actor(p), r.PathValue("group")); err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) listMembers(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	members, err := s.deps.RBAC.Members(r.Context(), r.PathValue("group"))
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, members)
}

type addMemberRequest struct {
	User string `json:"user"`
}

// addMember answers with the new membership as the member list shows it.
func (s *Server) addMember(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	var req addMemberRequest
	if !DecodeJSON(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.User) == "" {
		WriteError(w, http.StatusBadRequest, CodeInvalid, "user is required (an email or user id)")
		return
	}
	group := r.PathValue("group")
	if err := s.deps.RBAC.AddMember(r.Context(), actor(p), group, req.User); err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	u, err := s.deps.RBAC.User(r.Context(), req.User)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	members, err := s.deps.RBAC.Members(r.Context(), group)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	for _, m := range members {
		if m.UserID == u.ID {
			WriteJSON(w, http.StatusCreated, m)
			return
		}
	}
	// Removed again between the two reads: report what was added.
	WriteJSON(w, http.StatusCreated, rbac.Member{UserID: u.ID, Email: u.Email, Name: u.Name, Source: "admin", Active: u.Active})
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	if err := s.deps.RBAC.RemoveMember(r.Context(), actor(p), r.PathValue("group"), r.PathValue("user")); err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
