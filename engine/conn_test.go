package engine

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
)

// newOrdersSandbox returns a sandbox with one table of several types:
// orders(id INTEGER, label VARCHAR, price DECIMAL(10,2), ts TIMESTAMP, tags VARCHAR[]).
func newOrdersSandbox(t *testing.T) *Sandbox {
	t.Helper()
	path := filepath.Join(t.TempDir(), "orders.parquet")
	writeParquet(t, path, `SELECT i::INTEGER AS id, 'order ' || i AS label, (i * 1.25)::DECIMAL(10,2) AS price,
		TIMESTAMP '2024-01-01' + INTERVAL (i) HOUR AS ts, ['a', 'b'] AS tags FROM range(1, 4) r(i)`)
	s, err := NewSandbox(testConfig(t), []TableFile{{Schema: "public", Name: "orders", Path: path}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// typeName renders a TypeInfo for comparisons ("" for nil).
func typeName(info duckdb.TypeInfo) string {
	if info == nil {
		return ""
	}
	switch d := info.Details().(type) {
	case *duckdb.DecimalDetails:
		return fmt.Sprintf("DECIMAL(%d,%d)", d.Width, d.Scale)
	case *duckdb.ListDetails:
		return typeName(d.Child) + "[]"
	}
	names := map[duckdb.Type]string{
		duckdb.TYPE_INTEGER: "INTEGER", duckdb.TYPE_BIGINT: "BIGINT", duckdb.TYPE_VARCHAR: "VARCHAR",
		duckdb.TYPE_TIMESTAMP: "TIMESTAMP", duckdb.TYPE_DOUBLE: "DOUBLE", duckdb.TYPE_BOOLEAN: "BOOLEAN",
		duckdb.TYPE_DECIMAL: "DECIMAL", duckdb.TYPE_DATE: "DATE",
	}
	if n, ok := names[info.InternalType()]; ok {
		return n
	}
	return fmt.Sprintf("type#%d", info.InternalType())
}

func TestDescribe(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()
	if err := c.Exec(ctx, "CREATE TEMP TABLE notes (n INTEGER, body VARCHAR)"); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		sql        string
		params     []string // typeName of each parameter
		cols       []string // "name type"; nil when no rows
		noRowsWant bool
	}{
		{sql: "SELECT id, label FROM orders WHERE id = $1 AND label LIKE $2",
			params: []string{"INTEGER", "VARCHAR"}, cols: []string{"id INTEGER", "label VARCHAR"}},
		{sql: "SELECT price, ts, tags FROM orders WHERE price > $1",
			params: []string{"DECIMAL(10,2)"}, cols: []string{"price DECIMAL(10,2)", "ts TIMESTAMP", "tags VARCHAR[]"}},
		{sql: "SELECT $1::BIGINT + $2", params: []string{"BIGINT", ""}, cols: []string{"unknown "}},
		{sql: "SELECT count(*) AS n FROM orders", cols: []string{"n BIGINT"}},
		{sql: "EXPLAIN SELECT 1", cols: []string{"explain_key VARCHAR", "explain_value VARCHAR"}},
		{sql: "INSERT INTO notes VALUES ($1, $2)", params: []string{"INTEGER", "VARCHAR"}, noRowsWant: true},
		{sql: "INSERT INTO notes VALUES (1, 'x') RETURNING n", cols: []string{"n INTEGER"}},
		{sql: "CREATE TEMP TABLE t2 AS SELECT 1 AS one", noRowsWant: true},
		{sql: "SET search_path = 'main'", noRowsWant: true},
		{sql: "BEGIN", noRowsWant: true},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			params, cols, err := c.Describe(ctx, tc.sql)
			if err != nil {
				t.Fatal(err)
			}
			var gotParams []string
			for _, p := range params {
				gotParams = append(gotParams, typeName(p))
			}
			if !slices.Equal(gotParams, tc.params) {
				t.Errorf("params = %q, want %q", gotParams, tc.params)
			}
			if tc.noRowsWant {
				if cols != nil {
					t.Errorf("cols = %v, want nil for a statement without rows", cols)
				}
				return
			}
			var gotCols []string
			for _, col := range cols {
				gotCols = append(gotCols, col.Name+" "+typeName(col.Type))
			}
			if !slices.Equal(gotCols, tc.cols) {
				t.Errorf("cols = %q, want %q", gotCols, tc.cols)
			}
		})
	}

	errCases := []struct{ sql, code string }{
		{"SELECT 1; SELECT 2", pgerr.SyntaxError},
		{"", pgerr.SyntaxError},
		{"SELEC 1", pgerr.SyntaxError},
		{"SELECT nope FROM orders", pgerr.UndefinedColumn},
		{"SELECT * FROM missing", pgerr.UndefinedTable},
	}
	for _, tc := range errCases {
		if _, _, err := c.Describe(ctx, tc.sql); sqlState(err) != tc.code {
			t.Errorf("Describe(%q) error = %v, want SQLSTATE %s", tc.sql, err, tc.code)
		}
	}
}

func TestDescribeExecutesNothing(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()

	// A statement that fails only when it runs describes fine.
	_, cols, err := c.Describe(ctx, "SELECT CAST(label AS INTEGER) AS n FROM orders")
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	if len(cols) != 1 || cols[0].Name != "n" || typeName(cols[0].Type) != "INTEGER" {
		t.Errorf("cols = %v", cols)
	}
	if _, err := rows(c, "SELECT CAST(label AS INTEGER) AS n FROM orders"); sqlState(err) != pgerr.InvalidTextRepresentation {
		t.Errorf("running it: error %v, want 22P02", err)
	}

	// Describing DDL and DML changes nothing.
	if _, _, err := c.Describe(ctx, "CREATE TEMP TABLE described AS SELECT 1 AS one"); err != nil {
		t.Fatal(err)
	}
	if _, err := rows(c, "SELECT * FROM described"); sqlState(err) != pgerr.UndefinedTable {
		t.Errorf("table created by Describe: error %v, want 42P01", err)
	}
	if err := c.Exec(ctx, "CREATE TEMP TABLE counter (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.Describe(ctx, "INSERT INTO counter VALUES (1)"); err != nil {
		t.Fatal(err)
	}
	if got := mustRows(t, c, "SELECT count(*) FROM counter"); got[0][0] != "0" {
		t.Errorf("rows inserted by Describe: %v", got)
	}
}

func TestQueryAndExec(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()

	if got := mustRows(t, c, "SELECT label, price FROM orders WHERE id = $1", 2); !slices.Equal(got[0], []string{"order 2", "2.5"}) {
		t.Errorf("parameterized query: %v", got)
	}
	if err := c.Exec(ctx, "CREATE TEMP TABLE notes (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "INSERT INTO notes VALUES ($1), ($2)", 7, int64(8)); err != nil {
		t.Fatal(err)
	}
	if got := mustRows(t, c, "SELECT sum(n) FROM notes"); got[0][0] != "15" {
		t.Errorf("sum = %v, want 15", got)
	}

	// PostgreSQL semantics fixed in every sandbox.
	if got := mustRows(t, c, "SELECT 7 / 2"); got[0][0] != "3" {
		t.Errorf("7 / 2 = %v, want integer division 3", got)
	}
	got := mustRows(t, c, "SELECT x FROM (VALUES (1), (NULL)) v(x) ORDER BY x DESC")
	if got[0][0] != "NULL" {
		t.Errorf("ORDER BY DESC: %v, want NULL first as in PostgreSQL", got)
	}

	// Multi-statement strings are refused before anything runs.
	if _, err := rows(c, "CREATE TEMP TABLE sneaky AS SELECT 1; SELECT 2"); sqlState(err) != pgerr.SyntaxError {
		t.Errorf("multi-statement Query: %v, want 42601", err)
	}
	if err := c.Exec(ctx, "INSERT INTO notes VALUES (100); INSERT INTO notes VALUES (200)"); sqlState(err) != pgerr.SyntaxError {
		t.Errorf("multi-statement Exec: %v, want 42601", err)
	}
	if _, err := rows(c, "SELECT * FROM sneaky"); sqlState(err) != pgerr.UndefinedTable {
		t.Errorf("first statement of a refused string ran: %v", err)
	}
	if got := mustRows(t, c, "SELECT sum(n) FROM notes"); got[0][0] != "15" {
		t.Errorf("refused Exec inserted rows: sum = %v", got)
	}
	// A ';' inside a literal is not a statement separator.
	if got := mustRows(t, c, "SELECT 'a;b'"); got[0][0] != "a;b" {
		t.Errorf("literal with ';': %v", got)
	}
	if err := c.Exec(ctx, "SELECT 1;"); err != nil {
		t.Errorf("trailing ';': %v", err)
	}
}

func TestConnSessionsAreIsolated(t *testing.T) {
	s := newOrdersSandbox(t)
	a, b := mustConn(t, s), mustConn(t, s)
	ctx := context.Background()
	if err := a.Exec(ctx, "CREATE TEMP TABLE mine AS SELECT 1 AS x"); err != nil {
		t.Fatal(err)
	}
	if _, err := rows(b, "SELECT * FROM mine"); sqlState(err) != pgerr.UndefinedTable {
		t.Errorf("other session sees a temp table: %v", err)
	}
	if err := a.Exec(ctx, "SET search_path = 'temp'"); err != nil {
		t.Fatal(err)
	}
	if got := mustRows(t, b, "SELECT current_setting('search_path')"); got[0][0] == "temp" {
		t.Errorf("search_path leaked across sessions: %v", got)
	}
}

func TestQueryCancel(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	const long = "SELECT sum(hash(i)) FROM range(1000000000000) t(i)"

	t.Run("while running", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := c.Query(ctx, long)
			done <- err
		}()
		time.Sleep(100 * time.Millisecond) // let the query start
		cancel()
		select {
		case err := <-done:
			if sqlState(err) != pgerr.QueryCanceled {
				t.Fatalf("error %v, want 57014", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("query did not stop after cancel")
		}
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := c.Exec(ctx, long)
		pe, ok := pgerr.As(err)
		if !ok || pe.Code != pgerr.QueryCanceled || pe.Message != "canceling statement due to statement timeout" {
			t.Fatalf("error %v, want 57014 statement timeout", err)
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := c.Query(ctx, "SELECT 1"); sqlState(err) != pgerr.QueryCanceled {
			t.Errorf("Query: %v, want 57014", err)
		}
		if _, _, err := c.Describe(ctx, "SELECT 1"); sqlState(err) != pgerr.QueryCanceled {
			t.Errorf("Describe: %v, want 57014", err)
		}
	})
	t.Run("while streaming", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		rr, err := c.Query(ctx, "SELECT * FROM range(100000)")
		if err != nil {
			t.Fatal(err)
		}
		defer rr.Release()
		if !rr.Next() {
			t.Fatalf("no first batch: %v", rr.Err())
		}
		cancel()
		for rr.Next() {
		}
		if sqlState(rr.Err()) != pgerr.QueryCanceled {
			t.Errorf("stream error %v, want 57014", rr.Err())
		}
	})
	// The connection is still usable.
	if got := mustRows(t, c, "SELECT count(*) FROM orders"); got[0][0] != "3" {
		t.Errorf("after cancel: %v", got)
	}
}

func TestResultOutlivesConnAndSandbox(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	rr, err := c.Query(context.Background(), "SELECT id FROM orders ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if !exists(s.dir) {
		t.Fatal("sandbox destroyed while a result was open")
	}
	var n int64
	for rr.Next() {
		n += rr.RecordBatch().NumRows()
	}
	if err := rr.Err(); err != nil || n != 3 {
		t.Errorf("read %d rows, err %v; want 3", n, err)
	}
	rr.Release()
	if exists(s.dir) {
		t.Error("sandbox dir left after the last result was released")
	}
	if _, err := c.Query(context.Background(), "SELECT 1"); err == nil {
		t.Error("Query on a closed Conn succeeded")
	}
	if err := c.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestSandboxCloseWaitsForConns(t *testing.T) {
	s := newOrdersSandbox(t)
	c, err := s.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := s.Conn(context.Background()); !errors.Is(err, errSandboxClosed) {
		t.Errorf("Conn after Close: %v", err)
	}
	if got := mustRows(t, c, "SELECT count(*) FROM orders"); got[0][0] != "3" {
		t.Errorf("open Conn after sandbox Close: %v", got)
	}
	c.Close()
	if exists(s.dir) {
		t.Error("sandbox dir left after the last Conn closed")
	}
}
