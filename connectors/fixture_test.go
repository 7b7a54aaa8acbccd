package connectors

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
)

// memDB opens an in-memory DuckDB for writing fixture parquet files.
func memDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// sourceFixture is a source folder to build under <dataDir>/extracts.
type sourceFixture struct {
	spec    ExtractSpec
	parquet map[string]string // table name → query written to data/<name>.parquet
}

// writeSource builds one source folder with the package's own writers and
// returns its path.
func writeSource(t *testing.T, dataDir, source string, f sourceFixture) string {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(dataDir, ExtractsDir, source)
	db := memDB(t)
	for name, q := range f.parquet {
		if err := WriteParquetAtomic(ctx, db, q, filepath.Join(dir, DataDir, name+".parquet")); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteExtractDB(ctx, dir, f.spec); err != nil {
		t.Fatal(err)
	}
	return dir
}

// writeRawExtractDB creates <dir>/extract.duckdb by running stmts, for
// extracts that break the contract in ways the writers never would.
func writeRawExtractDB(t *testing.T, dir string, stmts ...string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("duckdb", filepath.Join(dir, ExtractFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			db.Close()
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func localTable(name string, rows int64) MetaRow {
	return MetaRow{TableName: name, Description: name + " table", Rows: rows, QueryMode: "local"}
}

// realPath resolves symlinks in a path the way the scanner reports Location
// (t.TempDir itself may sit behind a symlink on some systems).
func realPath(t *testing.T, path string) string {
	t.Helper()
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		t.Fatal(err)
	}
	return real
}

func removeFile(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}
