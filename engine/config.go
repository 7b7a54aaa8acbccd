package engine

import (
	"fmt"
	"strconv"
	"strings"
)

// Config holds the resource limits every sandbox gets. Each sandbox is its own
// DuckDB instance, so the limits apply per sandbox, not to the process.
type Config struct {
	MemoryLimit    string // e.g. "2GB"; "" = DuckDB default (80% of RAM)
	Threads        int    // 0 = DuckDB default (one per core)
	TempDir        string // parent directory for per-sandbox directories; "" = os.TempDir()
	MaxTempDirSize string // e.g. "10GB"; "" = DuckDB default (90% of free disk)

	// CatalogSQL runs once per sandbox while its catalog is still writable:
	// after the table views exist and before the catalog is reopened read-only
	// and locked. It is the place for objects every session needs, such as the
	// PostgreSQL compatibility views and macros (an ATTACHed in-memory catalog
	// is not possible in a read-only sandbox). It runs with file access
	// enabled, so it must be constant, trusted SQL, never client text.
	CatalogSQL []string
}

// openOptions are the DuckDB options a sandbox's database is opened with.
// Options that only extensions know (TimeZone, parquet_metadata_cache) and
// the ones whose order matters (allowed_paths → enable_external_access →
// lock_configuration) are set by lockStatements after opening.
func (c Config) openOptions(spillDir string) (map[string]string, error) {
	if c.Threads < 0 {
		return nil, fmt.Errorf("engine config: threads must be >= 0, got %d", c.Threads)
	}
	v := map[string]string{}
	// The catalog file is opened read-only: sessions cannot create, replace
	// or drop shared objects, and cannot ATTACH even an in-memory database.
	v["access_mode"] = "READ_ONLY"
	// Extensions: only what is compiled in (parquet, json, icu). Nothing is
	// downloaded, nothing is loaded behind a statement's back.
	v["autoload_known_extensions"] = "false"
	v["autoinstall_known_extensions"] = "false"
	v["allow_community_extensions"] = "false"
	v["allow_unsigned_extensions"] = "false"
	v["allow_persistent_secrets"] = "false"
	// PostgreSQL semantics for what a client cannot SET once the
	// configuration is locked: 7/2 = 3, NULLs sort last ascending and first
	// descending.
	v["integer_division"] = "true"
	v["default_null_order"] = "nulls_last_on_asc_first_on_desc"
	// Results keep their DuckDB type identity in Arrow (UUID, JSON, TIMETZ,
	// BIT, HUGEINT as extension types): the wire picks PostgreSQL types by it.
	v["arrow_lossless_conversion"] = "true"
	v["temp_directory"] = spillDir
	if c.MemoryLimit != "" {
		v["memory_limit"] = c.MemoryLimit
	}
	if c.Threads > 0 {
		v["threads"] = strconv.Itoa(c.Threads)
	}
	if c.MaxTempDirSize != "" {
		v["max_temp_directory_size"] = c.MaxTempDirSize
	}
	return v, nil
}

// lockStatements seal a freshly opened sandbox. The order matters:
// allowed_paths can only be set while external access is on, and nothing can
// be set once the configuration is locked. DuckDB adds the catalog file and
// the temp directory to the allow-lists itself.
func lockStatements(allowedPaths []string) []string {
	paths := make([]string, len(allowedPaths))
	for i, p := range allowedPaths {
		paths[i] = quoteLiteral(p)
	}
	return []string{
		`SET GLOBAL TimeZone = 'UTC'`,
		// Binding a view reads the parquet footer; cache it (keyed by path and
		// modification time) so Describe and Query do not re-read it. A sandbox
		// lives for one registry version, so its files do not change under it.
		`SET GLOBAL parquet_metadata_cache = true`,
		`SET GLOBAL allowed_paths = [` + strings.Join(paths, ", ") + `]`,
		`SET GLOBAL enable_external_access = false`,
		`SET GLOBAL lock_configuration = true`,
	}
}

// quoteLiteral returns s as a SQL string literal.
func quoteLiteral(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// quoteIdent returns s as a quoted SQL identifier.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
