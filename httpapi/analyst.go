package httpapi

// registerAnalystRoutes adds the endpoints an analyst's CLI uses: the
// manifest of readable tables, parquet downloads and where the gateway
// listens.
func (s *Server) registerAnalystRoutes() {
	s.HandleAuthed("GET /api/manifest", s.manifest)
	s.HandleAuthed("GET /api/tables/{id}/data", s.tableData)
	s.HandleAuthed("GET /api/connection", s.connection)
}
