package httpapi

import (
	"net/http"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/rbac"
)

// registerTableRequest is what an admin may set when registering a table.
// Data fields (location, columns, counts, md5, status) come from extracts
// and are refused here as unknown fields.
type registerTableRequest struct {
	Name         string `json:"name"`
	Schema       string `json:"schema"`
	Description  string `json:"description"`
	SourceType   string `json:"source_type"`
	QueryMode    string `json:"query_mode"`
	ServerOnly   bool   `json:"server_only"`
	Bucket       string `json:"bucket"`
	SourceTable  string `json:"source_table"`
	SourceQuery  string `json:"source_query"`
	SyncSchedule string `json:"sync_schedule"`
}

func (s *Server) listTables(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	tables, err := s.deps.Registry.List(r.Context())
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, tables)
}

func (s *Server) getTable(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	t, err := s.deps.Registry.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, t)
}

func (s *Server) registerTable(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	var req registerTableRequest
	if !DecodeJSON(w, r, &req) {
		return
	}
	t, err := s.deps.Registry.Register(r.Context(), actor(p), catalog.Table{
		Name: req.Name, Schema: req.Schema, Description: req.Description, SourceType: req.SourceType,
		QueryMode: req.QueryMode, ServerOnly: req.ServerOnly, Bucket: req.Bucket, SourceTable: req.SourceTable,
		SourceQuery: req.SourceQuery, SyncSchedule: req.SyncSchedule,
	})
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusCreated, t)
}

func (s *Server) updateTable(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	var patch catalog.Patch
	if !DecodeJSON(w, r, &patch) {
		return
	}
	t, err := s.deps.Registry.Update(r.Context(), actor(p), r.PathValue("id"), patch)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, t)
}

func (s *Server) deleteTable(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	if err := s.deps.Registry.Delete(r.Context(), actor(p), r.PathValue("id")); err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
