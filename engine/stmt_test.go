package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/keboola/agnes/pgerr"
)

// TestStmtRunsManyTimes prepares once and runs with different parameters.
func TestStmtRunsManyTimes(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()
	st, err := c.Prepare(ctx, "SELECT label, price FROM orders WHERE id = $1")
	if err != nil {
		t.Fatal(err)
	}
	params, cols, err := st.Describe()
	if err != nil {
		t.Fatal(err)
	}
	if len(params) != 1 || typeName(params[0]) != "INTEGER" || len(cols) != 2 ||
		cols[0].Name != "label" || typeName(cols[1].Type) != "DECIMAL(10,2)" {
		t.Errorf("Describe: params %v, cols %v", params, cols)
	}
	for _, tc := range []struct {
		id   any
		want []string
	}{{int64(1), []string{"order 1", "1.25"}}, {int64(3), []string{"order 3", "3.75"}}, {"2", []string{"order 2", "2.5"}}} {
		got, err := stmtRows(st, tc.id)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !slices.Equal(got[0], tc.want) {
			t.Errorf("id %v: %v, want %v", tc.id, got, tc.want)
		}
	}

	if _, err := c.Prepare(ctx, "INSERT INTO notes VALUES ($1)"); err == nil {
		t.Fatal("prepared an INSERT into a table that does not exist")
	}
	if err := c.Exec(ctx, "CREATE TEMP TABLE notes (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	ins, err := c.Prepare(ctx, "INSERT INTO notes VALUES ($1)")
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if err := ins.Exec(ctx, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	if got := mustRows(t, c, "SELECT sum(n), count(*) FROM notes"); !slices.Equal(got[0], []string{"10", "5"}) {
		t.Errorf("after 5 prepared inserts: %v", got)
	}

	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Query(ctx, int64(1)); sqlState(err) != pgerr.ObjectNotInPrerequisiteState {
		t.Errorf("Query after Close: %v, want 55000", err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	// Closing the Conn closes its statements.
	c.Close()
	if err := ins.Exec(ctx, int64(9)); sqlState(err) != pgerr.ObjectNotInPrerequisiteState {
		t.Errorf("Exec after Conn.Close: %v, want 55000", err)
	}
}

// stmtRows runs a Stmt and returns its rows as text.
func stmtRows(st *Stmt, args ...any) ([][]string, error) {
	rr, err := st.Query(context.Background(), args...)
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
				row[j] = cellText(rec.Schema().Field(j), rec.Column(j), i)
			}
			out = append(out, row)
		}
	}
	return out, rr.Err()
}

// TestPrepareChecksStatementGate: Prepare refuses what Query refuses,
// before anything runs.
func TestPrepareChecksStatementGate(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	cases := []struct{ sql, code string }{
		{"COPY orders TO " + quoteLiteral(filepath.Join(t.TempDir(), "x.csv")), pgerr.InsufficientPrivilege},
		{"PRAGMA enable_profiling", pgerr.InsufficientPrivilege},
		{"EXPLAIN ANALYZE COPY orders TO 'x.csv'", pgerr.InsufficientPrivilege},
		{"CREATE TEMP TABLE a AS SELECT 1; SELECT 2", pgerr.SyntaxError},
		{"", pgerr.SyntaxError},
		{"SELEC 1", pgerr.SyntaxError},
	}
	for _, tc := range cases {
		st, err := c.Prepare(context.Background(), tc.sql)
		if err == nil {
			st.Close()
			t.Errorf("Prepare(%q) accepted", tc.sql)
			continue
		}
		if sqlState(err) != tc.code {
			t.Errorf("Prepare(%q): %v, want %s", tc.sql, err, tc.code)
		}
	}
	if _, err := rows(c, "SELECT * FROM a"); sqlState(err) != pgerr.UndefinedTable {
		t.Errorf("a refused multi-statement string ran its first statement: %v", err)
	}
}

// TestConnReusesPreparedStatements: Describe and Query of one text share a
// prepared statement, and the cache is bounded.
func TestConnReusesPreparedStatements(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()
	const q = "SELECT label FROM orders WHERE id = $1"
	if _, _, err := c.Describe(ctx, q); err != nil {
		t.Fatal(err)
	}
	prepared := c.primary.cache.get(q)
	if prepared == nil {
		t.Fatal("Describe did not keep the prepared statement")
	}
	for _, id := range []int64{1, 2, 3} {
		if got := mustRows(t, c, q, id); got[0][0] != fmt.Sprintf("order %d", id) {
			t.Errorf("id %d: %v", id, got)
		}
	}
	if c.primary.cache.get(q) != prepared {
		t.Error("Query prepared the statement again")
	}
	// Statements that change the session are not kept.
	if err := c.Exec(ctx, "SET search_path = 'main'"); err != nil {
		t.Fatal(err)
	}
	if c.primary.cache.get("SET search_path = 'main'") != nil {
		t.Error("a SET statement was cached")
	}
	for i := range stmtCacheSize + 5 {
		mustRows(t, c, fmt.Sprintf("SELECT %d", i))
	}
	if n := c.primary.cache.order.Len(); n != stmtCacheSize || len(c.primary.cache.bySQL) != stmtCacheSize {
		t.Errorf("cache holds %d statements, want %d", n, stmtCacheSize)
	}
	if c.primary.cache.get(q) != nil {
		t.Error("least recently used statement not evicted")
	}
	if got := mustRows(t, c, q, int64(2)); got[0][0] != "order 2" {
		t.Errorf("evicted statement prepared again: %v", got)
	}
}

// TestDescribeIsStableAfterRuns: DuckDB re-types the parameters of a
// statement it plans again with values; Describe keeps reporting what
// preparing inferred.
func TestDescribeIsStableAfterRuns(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()
	for _, arg := range []any{int64(1), "x", nil} {
		params, cols, err := c.Describe(ctx, "SELECT $1")
		if err != nil {
			t.Fatal(err)
		}
		if len(params) != 1 || params[0] != nil || len(cols) != 1 || cols[0].Type != nil {
			t.Errorf("before running with %v: params %v, cols %v; want unknown", arg, params, cols)
		}
		mustRows(t, c, "SELECT $1", arg)
	}
}

// TestStmtFollowsSessionChanges: a statement prepared before SET
// search_path or DDL resolves names as a fresh one would.
func TestStmtFollowsSessionChanges(t *testing.T) {
	dir := t.TempDir()
	mainItems, salesItems := filepath.Join(dir, "m.parquet"), filepath.Join(dir, "s.parquet")
	writeParquet(t, mainItems, "SELECT 'main' AS v")
	writeParquet(t, salesItems, "SELECT 'sales' AS v")
	s, err := NewSandbox(testConfig(t), []TableFile{
		{Schema: "public", Name: "items", Path: mainItems},
		{Schema: "sales", Name: "items", Path: salesItems},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := mustConn(t, s)
	ctx := context.Background()
	st, err := c.Prepare(ctx, "SELECT v FROM items")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := mustStmtRows(t, st); got[0][0] != "main" {
		t.Fatalf("before SET: %v", got)
	}
	mustRows(t, c, "SELECT v FROM items") // cached by the Conn
	if err := c.Exec(ctx, "SET search_path = 'sales'"); err != nil {
		t.Fatal(err)
	}
	if got := mustStmtRows(t, st); got[0][0] != "sales" {
		t.Errorf("Stmt after SET search_path: %v, want sales", got)
	}
	if got := mustRows(t, c, "SELECT v FROM items"); got[0][0] != "sales" {
		t.Errorf("cached statement after SET search_path: %v, want sales", got)
	}

	// A temp table that shadows the view, then changes shape.
	if err := c.Exec(ctx, "CREATE TEMP TABLE items AS SELECT 'temp' AS v"); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "SET search_path = 'temp'"); err != nil {
		t.Fatal(err)
	}
	if got := mustStmtRows(t, st); got[0][0] != "temp" {
		t.Errorf("Stmt after CREATE TEMP TABLE: %v, want temp", got)
	}
	if err := c.Exec(ctx, "DROP TABLE temp.items"); err != nil {
		t.Fatal(err)
	}
	if err := c.Exec(ctx, "CREATE TEMP TABLE items AS SELECT 42 AS v, 'x' AS w"); err != nil {
		t.Fatal(err)
	}
	_, cols, err := st.Describe()
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 1 || typeName(cols[0].Type) != "INTEGER" {
		t.Errorf("Describe after the table changed: %v, want v INTEGER", cols)
	}
	if got := mustStmtRows(t, st); got[0][0] != "42" {
		t.Errorf("Stmt after the table changed: %v, want 42", got)
	}
}

func mustStmtRows(t *testing.T, st *Stmt, args ...any) [][]string {
	t.Helper()
	got, err := stmtRows(st, args...)
	if err != nil {
		t.Fatal(err)
	}
	return got
}
