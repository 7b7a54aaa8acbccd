package connectors

import (
	"time"

	"github.com/keboola/agnes/catalog"
)

// Names fixed by the extract contract.
const (
	// ExtractsDir is the folder under data_dir that holds one folder per source.
	ExtractsDir = "extracts"
	// ExtractFile is the DuckDB file that describes a source's tables.
	ExtractFile = "extract.duckdb"
	// DataDir is the folder inside a source folder that holds its parquet files.
	DataDir = "data"

	metaTable         = "_meta"
	sourceTable       = "_source"
	remoteAttachTable = "_remote_attach"
	remoteLinksTable  = "_remote_links"
)

// StatusOK is the Status of a table whose files passed every check.
const StatusOK = "ok"

// Extract is one scanned source.
type Extract struct {
	// Source is the name of the source folder under extracts/.
	Source string
	// Dir is the absolute path of the source folder.
	Dir string
	// Tables holds one entry per valid _meta row, sorted by ID. A table whose
	// files fail a check is still listed, with Status set to the reason and
	// no Location, so the registry can show it as broken.
	Tables []catalog.Table
	// Remote lists the _remote_attach rows (remote sources). They are recorded
	// only; nothing is attached yet.
	Remote []RemoteAttach
	// Skipped lists _meta rows that cannot become registry rows at all
	// (invalid or duplicate table name), with the reason.
	Skipped []SkippedTable
	// Fingerprints maps each hashed parquet file (by Location) to the size,
	// modification time and digests seen in this scan; pass the union of all of
	// them (see Fingerprints) to the next ScanExtractsWith.
	Fingerprints map[string]FileFingerprint
	// Err is non-nil when the extract as a whole cannot be read (missing or
	// corrupt extract.duckdb, missing or malformed _meta); Tables is then
	// empty. Its message is one line.
	Err error
}

// RemoteAttach is one row of an extract's _remote_attach table: how to
// attach the upstream a remote source's tables live in. TokenEnv names the
// environment variable holding the token, never the token itself.
type RemoteAttach struct {
	Alias, Extension, URL, TokenEnv string
}

// SkippedTable is a _meta row that was not turned into a table.
type SkippedTable struct {
	TableName string // as written in _meta
	Reason    string
}

// FileFingerprint identifies a file's content cheaply: when size and
// modification time are unchanged, the digests of the previous scan are
// reused.
type FileFingerprint struct {
	Size    int64
	ModTime time.Time
	Digests
}

// Fingerprints merges the fingerprints of all extracts into one map, ready to
// be kept by the caller and passed to the next ScanExtractsWith.
func Fingerprints(extracts []Extract) map[string]FileFingerprint {
	out := make(map[string]FileFingerprint)
	for _, e := range extracts {
		for path, fp := range e.Fingerprints {
			out[path] = fp
		}
	}
	return out
}
