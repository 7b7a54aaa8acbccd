package server

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestNativeCopies: once the native copies of the demo tables exist, new
// sessions read them (no parquet scan in the plan) with the same results,
// and the analyst still reads only the granted table.
func TestNativeCopies(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	token := ts.analyst(t, "native@example.com", "orders")
	dsn := ts.dsn("native@example.com", token)
	const sum = "SELECT sum(id)::text || '/' || count(DISTINCT customer_id)::text FROM orders"
	before := queryOne(t, dsn, sum)
	plan := func() string {
		c, err := pgconn.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(context.Background())
		res := c.ExecParams(context.Background(), "EXPLAIN SELECT sum(id) FROM orders", nil, nil, nil, nil).Read()
		if res.Err != nil {
			t.Fatal(res.Err)
		}
		var b strings.Builder
		for _, r := range res.Rows {
			b.Write(r[0])
		}
		return strings.ToUpper(b.String())
	}
	ts.waitNative(t)
	copies, _ := filepath.Glob(filepath.Join(ts.app.DataDir, "cache", "native", "*.duckdb"))
	if len(copies) != 3 {
		t.Errorf("native copies of the demo tables: %v", copies)
	}
	if p := plan(); strings.Contains(p, "PARQUET") {
		t.Errorf("a new session still scans parquet:\n%s", p)
	}
	if after := queryOne(t, dsn, sum); after != before {
		t.Errorf("native copy answers %s, parquet answered %s", after, before)
	}
	c, err := pgconn.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(context.Background())
	if err := c.ExecParams(context.Background(), "SELECT count(*) FROM customers", nil, nil, nil, nil).Read().Err; sqlState(err) != "42P01" {
		t.Errorf("ungranted table with native copies present: %v", err)
	}
	if _, err := os.Stat(filepath.Join(ts.app.DataDir, "cache", "native")); err != nil {
		t.Fatal(err)
	}
}

// waitNative waits until the server's native copies are built and in use.
func (ts *testServer) waitNative(tb testing.TB) {
	tb.Helper()
	ts.app.nativeMu.Lock()
	nc := ts.app.native
	ts.app.nativeMu.Unlock()
	if nc == nil {
		tb.Fatal("native copies are off")
	}
	if !nc.Wait(2 * time.Minute) {
		tb.Fatal("native copies not built within two minutes")
	}
}
