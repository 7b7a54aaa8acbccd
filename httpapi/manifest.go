package httpapi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// ManifestTable is one table of GET /api/manifest: what `agnes pull` needs
// to decide whether to download it and what `agnes catalog` shows about it.
type ManifestTable struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Schema      string           `json:"schema"`
	Description string           `json:"description"`
	QueryMode   string           `json:"query_mode"`
	SourceType  string           `json:"source_type"`
	ServerOnly  bool             `json:"server_only"`
	Columns     []catalog.Column `json:"columns"`
	Rows        int64            `json:"rows"`
	SizeBytes   int64            `json:"size_bytes"`
	MD5         string           `json:"md5"`
	// SHA256 is the hex SHA-256 of the same file: what `agnes pull`
	// verifies a download against (the md5 stays the file's identity and
	// the download's ETag). Absent until the server has computed it.
	SHA256    string    `json:"sha256,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
	// URL is the download path, relative to the server. It is absent for
	// tables that are not distributed: remote tables (their data stays
	// upstream), server-only tables, and tables without a data file yet.
	URL string `json:"url,omitempty"`
}

// Manifest is the body of GET /api/manifest.
type Manifest struct {
	Tables []ManifestTable `json:"tables"`
}

// TableDataPath is the download path of a table's parquet file.
func TableDataPath(id string) string { return "/api/tables/" + id + "/data" }

// distributable reports whether a table's parquet file may leave the
// server. It is a property of the table, not of the caller: admins get the
// same answer.
func distributable(t *catalog.Table) bool {
	return (t.QueryMode == catalog.ModeLocal || t.QueryMode == catalog.ModeMaterialized) &&
		!t.ServerOnly && t.Location != "" && t.MD5 != ""
}

// buildManifest lists the tables the principal may read, in registry order
// (schema, name), so the same registry and grants always give the same
// bytes and so the same ETag.
func buildManifest(tables []*catalog.Table) Manifest {
	m := Manifest{Tables: make([]ManifestTable, 0, len(tables))}
	for _, t := range tables {
		e := ManifestTable{
			ID: t.ID, Name: t.Name, Schema: t.Schema, Description: t.Description,
			QueryMode: t.QueryMode, SourceType: t.SourceType, ServerOnly: t.ServerOnly,
			Columns: t.Columns, Rows: t.RowCount, SizeBytes: t.SizeBytes, MD5: t.MD5,
			SHA256: t.SHA256, UpdatedAt: t.UpdatedAt,
		}
		if e.Columns == nil {
			e.Columns = []catalog.Column{}
		}
		if distributable(t) {
			e.URL = TableDataPath(t.ID)
		}
		m.Tables = append(m.Tables, e)
	}
	return m
}

// manifest answers GET /api/manifest. It is built from the registry and
// the caller's grants on every request (both are cached in memory), so a
// grant or registry change shows in the next call. The ETag is a hash of
// the body; a client that sends it back in If-None-Match gets 304 while
// nothing it may see has changed.
func (s *Server) manifest(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
	tables, err := s.deps.Registry.Visible(r.Context(), p)
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	body, err := json.Marshal(buildManifest(tables))
	if err != nil {
		s.WriteServiceError(w, r, err)
		return
	}
	body = append(body, '\n')
	sum := sha256.Sum256(body)
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`

	h := w.Header()
	h.Set("ETag", etag)
	// private: the body depends on who asks; no-cache: always revalidate,
	// because grants change without the URL changing.
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Vary", "Authorization")
	notModified := etagMatches(r.Header.Get("If-None-Match"), etag)
	s.audit(r, store.AuditEntry{UserID: p.UserID, Action: "manifest.fetch", Outcome: "ok",
		Detail: map[string]any{"tables": len(tables), "not_modified": notModified}})
	if notModified {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
