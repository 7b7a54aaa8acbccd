package engine

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
)

// writeParquet writes the result of query to a parquet file at path, using an
// unrestricted in-memory DuckDB (the way extracts are produced).
func writeParquet(tb testing.TB, path, query string) {
	tb.Helper()
	duckdbExec(tb, "COPY ("+query+") TO "+quoteLiteral(path)+" (FORMAT parquet)")
}

// duckdbExec runs statements on an unrestricted in-memory DuckDB.
func duckdbExec(tb testing.TB, stmts ...string) {
	tb.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
}

// testConfig keeps sandboxes small and their directories inside the test's.
func testConfig(tb testing.TB) Config {
	return Config{MemoryLimit: "512MB", Threads: 2, TempDir: filepath.Join(tb.TempDir(), "sandboxes"), MaxTempDirSize: "1GB"}
}

// rows runs sql through Conn.Query and returns every value as text.
func rows(c *Conn, query string, args ...any) ([][]string, error) {
	rr, err := c.Query(context.Background(), query, args...)
	if err != nil {
		return nil, err
	}
	defer rr.Release()
	var out [][]string
	for rr.Next() {
		rec := rr.RecordBatch()
		for i := 0; i < int(rec.NumRows()); i++ {
			row := make([]string, rec.NumCols())
			for j := range row {
				col := rec.Column(j)
				if col.IsNull(i) {
					row[j] = "NULL"
				} else {
					// Arrow strings alias DuckDB's buffer, which the next
					// Next or Release frees: copy them.
					row[j] = strings.Clone(col.ValueStr(i))
				}
			}
			out = append(out, row)
		}
	}
	return out, rr.Err()
}

// mustRows is rows for statements that must succeed.
func mustRows(tb testing.TB, c *Conn, query string, args ...any) [][]string {
	tb.Helper()
	out, err := rows(c, query, args...)
	if err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return out
}

// mustConn opens a Conn and closes it with the test.
func mustConn(tb testing.TB, s *Sandbox) *Conn {
	tb.Helper()
	c, err := s.Conn(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// sqlState returns err's SQLSTATE, "" when it is not a *pgerr.Error.
func sqlState(err error) string {
	if pe, ok := pgerr.As(err); ok {
		return pe.Code
	}
	return ""
}

// exists reports whether path exists.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
