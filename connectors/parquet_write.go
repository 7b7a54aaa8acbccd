package connectors

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteParquetAtomic writes the result of a DuckDB query to path atomically:
// COPY (query) TO a hidden temp file in the same directory (FORMAT parquet,
// COMPRESSION zstd), fsync, rename over path, fsync the directory. A reader
// that has the old file open keeps reading the old bytes; a new reader sees
// the whole new file or the old one, never a torn one. The directory is
// created if missing. query is trusted SQL from Go code (one SELECT; a
// trailing semicolon is tolerated), never client input.
func WriteParquetAtomic(ctx context.Context, db *sql.DB, query, path string) error {
	query = strings.TrimRight(strings.TrimSpace(query), "; \t\n")
	if query == "" {
		return fmt.Errorf("write parquet %s: empty query", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("write parquet %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return fmt.Errorf("write parquet %s: %w", path, err)
	}
	tmp, err := tempPath(abs)
	if err != nil {
		return fmt.Errorf("write parquet: %w", err)
	}
	copySQL := "COPY (" + query + ") TO " + sqlString(tmp) + " (FORMAT parquet, COMPRESSION zstd)"
	if _, err := db.ExecContext(ctx, copySQL); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write parquet %s: %w", path, err)
	}
	if err := commitFile(tmp, abs); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write parquet: %w", err)
	}
	return nil
}
