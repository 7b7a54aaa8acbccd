package catalog

import "time"

// Query modes of a registered table.
const (
	ModeLocal        = "local"        // server parquet, downloadable, queried locally
	ModeRemote       = "remote"       // upstream only (BigQuery …), queried through the gateway
	ModeMaterialized = "materialized" // server parquet produced by a scheduled source query
)

// Column is one column of a registered table, with its DuckDB type name.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Table is one row of the table registry.
type Table struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Schema      string `json:"schema"` // PostgreSQL-facing schema, "public" by default
	Description string `json:"description"`
	SourceType  string `json:"source_type"` // local, csv, keboola, bigquery, jira, demo …
	QueryMode   string `json:"query_mode"`
	ServerOnly  bool   `json:"server_only"`
	Bucket      string `json:"bucket,omitempty"`
	SourceTable string `json:"source_table,omitempty"`
	SourceQuery string `json:"source_query,omitempty"`
	// Location is the absolute path of the table's parquet file (local and
	// materialized tables); empty for remote tables.
	Location  string   `json:"location,omitempty"`
	Columns   []Column `json:"columns"`
	RowCount  int64    `json:"rows"`
	SizeBytes int64    `json:"size_bytes"`
	MD5       string   `json:"md5,omitempty"`
	// SHA256 is the hex SHA-256 of the same file, what a download is
	// verified against; empty for tables registered before it was kept
	// (filled in by the next scan).
	SHA256       string `json:"sha256,omitempty"`
	SyncSchedule string `json:"sync_schedule,omitempty"`
	// Status is "ok" or a one-line reason the table's extract is broken.
	Status       string    `json:"status"`
	RegisteredAt time.Time `json:"registered_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}
