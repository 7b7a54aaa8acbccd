package pgcompat

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/engine"
)

// testTables are parquet files for a sandbox: orders in public, events in
// schema sales.
func writeTestTables(tb testing.TB) []engine.TableFile {
	tb.Helper()
	dir := tb.TempDir()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	files := []struct {
		schema, name, query string
	}{
		{"public", "orders", `SELECT range::BIGINT AS id, 'c' || range AS customer, (range * 1.5)::DECIMAL(12,2) AS amount,
			TIMESTAMP '2024-01-01' + INTERVAL (range) HOUR AS created_at, [range, range + 1]::INTEGER[] AS tags,
			{'a': range} AS meta, range % 2 = 0 AS paid FROM range(10)`},
		{"sales", "events", `SELECT range::INTEGER AS id, uuid() AS event_id, DATE '2024-01-01' AS day FROM range(3)`},
	}
	var out []engine.TableFile
	for _, f := range files {
		path := filepath.Join(dir, f.name+".parquet")
		if _, err := db.Exec("COPY (" + f.query + ") TO '" + path + "' (FORMAT parquet)"); err != nil {
			tb.Fatal(err)
		}
		out = append(out, engine.TableFile{Schema: f.schema, Name: f.name, Path: path})
	}
	return out
}

var testOptions = Options{Database: "agnes", ServerVersion: "16.4 (Agnes test)"}

// testSession is the session a test connection gets.
func testSession() Session {
	return Session{
		User:       "ana@example.com",
		BackendPID: 4242,
		Settings:   map[string]string{"search_path": `"$user", public`, "TimeZone": "UTC", "application_name": "psql", "server_version": "16.4 (Agnes test)"},
		Tables: []Table{
			{Schema: "public", Name: "orders", Description: "Customer orders", Rows: 10, Bytes: 16384,
				Columns: map[string]string{"amount": "Order total"}},
			{Schema: "sales", Name: "events", Rows: 3, Bytes: 1000},
			// Not in the sandbox: must never show up.
			{Schema: "public", Name: "salaries", Description: "secret"},
		},
	}
}

// newTestConn builds a sandbox with the compatibility catalog and opens a
// connection with the test session's values.
func newTestConn(tb testing.TB) *engine.Conn {
	tb.Helper()
	cfg := engine.Config{MemoryLimit: "512MB", Threads: 2, TempDir: filepath.Join(tb.TempDir(), "sandboxes"),
		CatalogSQL: SQL(testOptions)}
	sb, err := engine.NewSandbox(cfg, writeTestTables(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sb.Close() })
	c, err := sb.Conn(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { c.Close() })
	for _, q := range SessionSQL(testSession()) {
		if err := c.Exec(context.Background(), q); err != nil {
			tb.Fatalf("%s: %v", q, err)
		}
	}
	return c
}

// query runs q and returns its rows as text ("NULL" for NULL).
func query(tb testing.TB, c *engine.Conn, q string) [][]string {
	tb.Helper()
	out, err := tryQuery(c, q)
	if err != nil {
		tb.Fatalf("%s: %v", q, err)
	}
	return out
}

func tryQuery(c *engine.Conn, q string) ([][]string, error) {
	rr, err := c.Query(context.Background(), q)
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
				if col := rec.Column(j); col.IsNull(i) {
					row[j] = "NULL"
				} else {
					row[j] = strings.Clone(col.ValueStr(i))
				}
			}
			out = append(out, row)
		}
	}
	return out, rr.Err()
}
