package engine

import (
	"context"
	"database/sql"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
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
					row[j] = cellText(rec.Schema().Field(j), col, i)
				}
			}
			out = append(out, row)
		}
	}
	return out, rr.Err()
}

// cellText renders one Arrow value. HUGEINT arrives as DuckDB's opaque
// extension (16 bytes, little-endian two's complement) with
// arrow_lossless_conversion; everything else uses Arrow's own rendering.
func cellText(f arrow.Field, col arrow.Array, i int) string {
	if meta, ok := f.Metadata.GetValue("ARROW:extension:metadata"); ok && strings.Contains(meta, `"hugeint"`) {
		b := col.(*array.FixedSizeBinary).Value(i)
		be := make([]byte, len(b))
		for k := range b {
			be[len(b)-1-k] = b[k]
		}
		n := new(big.Int).SetBytes(be)
		if be[0]&0x80 != 0 {
			n.Sub(n, new(big.Int).Lsh(big.NewInt(1), 128))
		}
		return n.String()
	}
	if name, _ := f.Metadata.GetValue("ARROW:extension:name"); name == "arrow.bool8" {
		return strconv.FormatBool(col.(*array.Int8).Value(i) != 0)
	}
	// Strings are copied: they must not alias the batch's buffers, which
	// the next Next or Release frees.
	return strings.Clone(col.ValueStr(i))
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

// execUngated runs sql on c's DuckDB connection without the statement gate,
// as if it had been bypassed.
func execUngated(c *Conn, sql string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.primary.endStream(errResultSuperseded)
	return execTrusted(c.primary.handle, sql)
}
