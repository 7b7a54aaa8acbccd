package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/keboola/agnes/pgerr"
)

// seqReader reads a result whose first column is a BIGINT sequence
// start, start+1, … and checks every value as it goes.
type seqReader struct {
	name  string
	rr    array.RecordReader
	next  int64 // the value the next row must hold
	rows  int64
	bad   string // the first wrong value seen
	ended bool
}

func newSeqReader(name string, rr array.RecordReader, start int64) *seqReader {
	return &seqReader{name: name, rr: rr, next: start}
}

// batch reads one batch; false at the end of the result.
func (sr *seqReader) batch() bool {
	if sr.ended {
		return false
	}
	if !sr.rr.Next() {
		sr.ended = true
		return false
	}
	col := sr.rr.RecordBatch().Column(0).(*array.Int64)
	for i := range col.Len() {
		if v := col.Value(i); v != sr.next && sr.bad == "" {
			sr.bad = fmt.Sprintf("row %d is %d, want %d", sr.rows, v, sr.next)
		}
		sr.next++
		sr.rows++
	}
	return true
}

// check reports a result not read whole and right.
func (sr *seqReader) check(t *testing.T, wantRows int64) {
	t.Helper()
	for sr.batch() {
	}
	if err := sr.rr.Err(); err != nil {
		t.Errorf("%s: %v after %d rows", sr.name, err, sr.rows)
	}
	if sr.rows != wantRows || sr.bad != "" {
		t.Errorf("%s: %d rows (%s), want %d in sequence", sr.name, sr.rows, sr.bad, wantRows)
	}
}

func mustQuery(t *testing.T, c *Conn, sql string, args ...any) array.RecordReader {
	t.Helper()
	rr, err := c.Query(context.Background(), sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	t.Cleanup(rr.Release)
	return rr
}

// TestInterleavedStreams reads two large results of one Conn batch by
// batch in turn, as a client reading two portals or cursors does, and runs
// a third statement while both are open.
func TestInterleavedStreams(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	a := newSeqReader("a", mustQuery(t, c, "SELECT i FROM range(0, 300000) r(i)"), 0)
	b := newSeqReader("b", mustQuery(t, c, "SELECT i FROM range(1000000, 1300000) r(i)"), 1000000)
	for turn := 0; ; turn++ {
		moreA, moreB := a.batch(), b.batch()
		if turn == 10 {
			// A third statement while both stream.
			if got := mustRows(t, c, "SELECT count(*), max(id) FROM orders"); !slices.Equal(got[0], []string{"3", "3"}) {
				t.Errorf("third statement: %v", got)
			}
		}
		if !moreA && !moreB {
			break
		}
	}
	a.check(t, 300000)
	b.check(t, 300000)
	if n := len(c.extras); n != 2 {
		t.Errorf("%d extra DuckDB connections, want 2 (one per overlapping statement)", n)
	}
	// Both read: every connection is free again and the next statements
	// reuse them rather than opening more.
	c2 := newSeqReader("c", mustQuery(t, c, "SELECT i FROM range(5, 100005) r(i)"), 5)
	d := newSeqReader("d", mustQuery(t, c, "SELECT i FROM range(7, 100007) r(i)"), 7)
	c2.check(t, 100000)
	d.check(t, 100000)
	if n := len(c.extras); n != 2 {
		t.Errorf("%d extra DuckDB connections after reuse, want 2", n)
	}
}

// TestDescribeWhileStreaming: the extended protocol describes and runs a
// statement while a portal is suspended; neither ends the portal's result.
func TestDescribeWhileStreaming(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()
	portal := newSeqReader("portal", mustQuery(t, c, "SELECT i FROM range(1000000) r(i)"), 0)
	portal.batch()
	const q = "SELECT label FROM orders WHERE id = $1"
	params, cols, err := c.Describe(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(params) != 1 || typeName(params[0]) != "INTEGER" || len(cols) != 1 || cols[0].Name != "label" {
		t.Errorf("Describe: %v %v", params, cols)
	}
	if got := mustRows(t, c, q, int64(2)); len(got) != 1 || got[0][0] != "order 2" {
		t.Errorf("query: %v", got)
	}
	st, err := c.Prepare(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if got := mustStmtRows(t, st, int64(3)); len(got) != 1 || got[0][0] != "order 3" {
		t.Errorf("prepared statement: %v", got)
	}
	portal.check(t, 1000000)
}

// twoSchemaSandbox has items in main ("main") and in sales ("sales").
func twoSchemaSandbox(t *testing.T) *Sandbox {
	t.Helper()
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
	t.Cleanup(func() { s.Close() })
	return s
}

// TestExtraConnsFollowSessionSettings: a statement that runs on an extra
// DuckDB connection resolves names and variables as on the primary,
// whenever the settings were made and wherever they ran.
func TestExtraConnsFollowSessionSettings(t *testing.T) {
	s := twoSchemaSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()
	exec := func(sql string, args ...any) {
		t.Helper()
		if err := c.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	exec("SET search_path = 'sales,main'")
	exec("SET VARIABLE who = $1", "analyst")
	exec("SET VARIABLE n = 1")
	exec("SET VARIABLE n = getvariable('n') + 1") // depends on the value before
	exec("SET VARIABLE n = getvariable('n') + 1")
	const probe = "SELECT v, getvariable('who'), getvariable('n'), current_setting('search_path') FROM items"
	want := []string{"sales", "analyst", "3", "sales,main"}
	if got := mustRows(t, c, probe); !slices.Equal(got[0], want) {
		t.Fatalf("on the primary: %v, want %v", got, want)
	}

	first := newSeqReader("first", mustQuery(t, c, "SELECT i FROM range(1000000) r(i)"), 0)
	first.batch()
	if got := mustRows(t, c, probe); !slices.Equal(got[0], want) {
		t.Errorf("on a new extra connection: %v, want %v", got, want)
	}
	if len(c.extras) != 1 {
		t.Fatalf("%d extra connections, want 1", len(c.extras))
	}

	// Settings made while the primary streams run on the extra connection;
	// the primary and a second extra catch up before their next statement.
	exec("SET search_path = 'main'")
	exec("SET VARIABLE who = 'owner'")
	want = []string{"main", "owner", "3", "main"}
	second := newSeqReader("second", mustQuery(t, c, "SELECT i FROM range(1000000) r(i)"), 0)
	second.batch()
	if got := mustRows(t, c, probe); !slices.Equal(got[0], want) {
		t.Errorf("on a second extra connection: %v, want %v", got, want)
	}
	if len(c.extras) != 2 {
		t.Errorf("%d extra connections, want 2", len(c.extras))
	}
	first.check(t, 1000000)
	second.check(t, 1000000)
	if got := mustRows(t, c, probe); !slices.Equal(got[0], want) {
		t.Errorf("on the primary after settings ran elsewhere: %v, want %v", got, want)
	}
	// A prepared statement of the primary follows the new search path.
	st, err := c.Prepare(ctx, "SELECT v FROM items")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	exec("SET search_path = 'sales'")
	held := newSeqReader("held", mustQuery(t, c, "SELECT i FROM range(1000000) r(i)"), 0)
	held.batch()
	if got := mustStmtRows(t, st); got[0][0] != "sales" {
		t.Errorf("Stmt on an extra connection after SET: %v, want sales", got)
	}
	held.check(t, 1000000)
}

// TestStmtRerunWhileItsResultIsOpen: a Stmt runs again, with other
// arguments, while its earlier result is still being read.
func TestStmtRerunWhileItsResultIsOpen(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()
	st, err := c.Prepare(ctx, "SELECT i FROM range($1, $1 + 1000000) r(i)")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var readers []*seqReader
	for _, start := range []int64{0, 1000000, 5000000} {
		rr, err := st.Query(ctx, start)
		if err != nil {
			t.Fatal(err)
		}
		defer rr.Release()
		sr := newSeqReader(fmt.Sprint(start), rr, start)
		sr.batch()
		readers = append(readers, sr)
	}
	for _, sr := range readers {
		sr.check(t, 1000000)
	}
	if n := len(st.preps); n != 3 {
		t.Errorf("statement prepared on %d connections, want 3", n)
	}
	params, _, err := st.Describe()
	if err != nil || len(params) != 1 {
		t.Errorf("Describe: %v, %v", params, err)
	}
}

// TestCancelStreamOnExtraConn: cancelling the context of a result that
// streams on an extra connection interrupts that connection, not the
// primary's result.
func TestCancelStreamOnExtraConn(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	primary := newSeqReader("primary", mustQuery(t, c, "SELECT i FROM range(500000) r(i)"), 0)
	primary.batch()

	t.Run("while Next waits in DuckDB", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		// Rows to fill DuckDB's buffer, then the next match is 10^15 rows away.
		rr, err := c.Query(ctx, "SELECT i FROM range(1000000000000000000) r(i) WHERE i < 200000 OR i % 1000000000000000 = 999999")
		if err != nil {
			t.Fatal(err)
		}
		defer rr.Release()
		if r := rr.(*resultReader); r.dc.primary {
			t.Fatal("second result runs on the primary connection")
		}
		done := make(chan int64, 1)
		reading := make(chan struct{})
		go func() {
			var rows int64
			for rr.Next() {
				if rows == 0 {
					close(reading)
				}
				rows += rr.RecordBatch().NumRows()
			}
			done <- rows
		}()
		<-reading
		time.Sleep(100 * time.Millisecond) // let Next block in DuckDB
		cancel()
		select {
		case rows := <-done:
			if rows == 0 || rows > 200000 {
				t.Errorf("read %d rows, want the first ones only", rows)
			}
		case <-time.After(time.Minute):
			t.Fatal("Next did not return after cancel")
		}
		if sqlState(rr.Err()) != pgerr.QueryCanceled {
			t.Errorf("stream error %v, want 57014", rr.Err())
		}
	})
	t.Run("while running", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := c.Query(ctx, "SELECT sum(hash(i)) FROM range(1000000000000) t(i)")
			done <- err
		}()
		time.Sleep(100 * time.Millisecond) // let the query start
		cancel()
		select {
		case err := <-done:
			if sqlState(err) != pgerr.QueryCanceled {
				t.Errorf("error %v, want 57014", err)
			}
		case <-time.After(time.Minute):
			t.Fatal("query did not stop after cancel")
		}
	})
	t.Run("SetStreamContext", func(t *testing.T) {
		declare, endDeclare := context.WithCancel(context.Background())
		rr, err := c.Query(declare, "SELECT i FROM range(10000000) r(i)")
		if err != nil {
			t.Fatal(err)
		}
		defer rr.Release()
		endDeclare()
		fetch, cancelFetch := context.WithCancel(context.Background())
		SetStreamContext(rr, fetch)
		sr := newSeqReader("cursor", rr, 0)
		for sr.rows < 100000 && sr.batch() {
		}
		if sr.rows < 100000 || sr.bad != "" {
			t.Fatalf("read %d rows (%s) under the new context: %v", sr.rows, sr.bad, rr.Err())
		}
		cancelFetch()
		if rr.Next() || sqlState(rr.Err()) != pgerr.QueryCanceled {
			t.Errorf("after cancelling the new context: err %v, want 57014", rr.Err())
		}
	})
	// The primary's result is whole, and the session goes on.
	primary.check(t, 500000)
	if got := mustRows(t, c, "SELECT count(*) FROM orders"); got[0][0] != "3" {
		t.Errorf("after cancel: %v", got)
	}
}

// TestExtraConnsAreBounded: a session reads at most maxExtraConns+1
// results at once; one more statement ends the primary's result with
// 55000, as a single connection would. Idle extra connections beyond
// maxIdleExtras are closed, and Close closes the rest.
func TestExtraConnsAreBounded(t *testing.T) {
	s := newOrdersSandbox(t)
	if n := s.db.conns.Load(); n != 0 {
		t.Fatalf("%d DuckDB connections before the first Conn", n)
	}
	c, err := s.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var readers []*seqReader
	for i := range maxExtraConns + 1 {
		sr := newSeqReader(fmt.Sprint(i), mustQuery(t, c, "SELECT i FROM range(10000000) r(i)"), 0)
		sr.batch()
		readers = append(readers, sr)
	}
	if n := s.db.conns.Load(); n != maxExtraConns+1 {
		t.Errorf("%d DuckDB connections with %d results open, want one each", n, maxExtraConns+1)
	}
	if got := mustRows(t, c, "SELECT count(*) FROM orders"); got[0][0] != "3" {
		t.Fatalf("statement beyond the bound: %v", got)
	}
	if n := s.db.conns.Load(); n != maxExtraConns+1 {
		t.Errorf("%d DuckDB connections after a statement beyond the bound, want %d", n, maxExtraConns+1)
	}
	first := readers[0]
	for first.batch() {
	}
	pe, ok := pgerr.As(first.rr.Err())
	if !ok || pe.Code != pgerr.ObjectNotInPrerequisiteState || !strings.Contains(pe.Hint, fmt.Sprint(maxExtraConns+1)) ||
		first.rows == 0 || first.rows >= 10000000 {
		t.Errorf("primary's result: %d rows, err %v (hint %q); want it cut short with 55000", first.rows, first.rr.Err(), pe.Hint)
	}
	// The others are untouched: read a little more of each, then let go.
	for _, sr := range readers[1:] {
		for range 5 {
			sr.batch()
		}
		if sr.bad != "" || sr.rr.Err() != nil {
			t.Errorf("result %s: %s %v", sr.name, sr.bad, sr.rr.Err())
		}
	}
	for _, sr := range readers[:len(readers)-1] {
		sr.rr.Release()
	}
	if n := s.db.conns.Load(); n != 2+maxIdleExtras {
		// The primary, the extra still streaming, and the idle ones kept.
		t.Errorf("%d DuckDB connections after releasing results, want %d", n, 2+maxIdleExtras)
	}
	// Close keeps the connection of the result still open until it is
	// released, and closes every other one now.
	last := readers[len(readers)-1]
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if n := s.db.conns.Load(); n != 1 {
		t.Errorf("%d DuckDB connections after Close with one result open, want 1", n)
	}
	for range 5 {
		last.batch()
	}
	if last.bad != "" || last.rr.Err() != nil || last.rows == 0 {
		t.Errorf("result open over Close: %d rows %s %v", last.rows, last.bad, last.rr.Err())
	}
	last.rr.Release()
	if n := s.db.conns.Load(); n != 0 {
		t.Errorf("%d DuckDB connections left after Close and the last Release", n)
	}
}

// TestCloseWithIdleExtras: Close disconnects extra connections that have
// nothing open.
func TestCloseWithIdleExtras(t *testing.T) {
	s := newOrdersSandbox(t)
	c, err := s.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a := newSeqReader("a", mustQuery(t, c, "SELECT i FROM range(300000) r(i)"), 0)
	b := newSeqReader("b", mustQuery(t, c, "SELECT i FROM range(300000) r(i)"), 0)
	a.check(t, 300000)
	b.check(t, 300000)
	a.rr.Release()
	b.rr.Release()
	if n := s.db.conns.Load(); n != 2 {
		t.Errorf("%d DuckDB connections, want 2", n)
	}
	c.Close()
	if n := s.db.conns.Load(); n != 0 {
		t.Errorf("%d DuckDB connections after Close", n)
	}
}

func TestSettingKey(t *testing.T) {
	cases := []struct {
		sql, key string
	}{
		{"SET search_path = 'a'", "setting search_path"},
		{"set search_path to 'a,b'", "setting search_path"},
		{"SET SESSION search_path = 'a'", "setting search_path"},
		{"RESET search_path", "setting search_path"},
		{"SET schema = 'a'", "setting schema"},
		{"SET VARIABLE x = 1", "variable x"},
		{"/* c */ SET VARIABLE x=1", "variable x"},
		{"RESET VARIABLE x", "variable x"},
		{"SET VARIABLE X = 1", "variable X"},
		{`SET VARIABLE "x" = 1`, ""},
		{"SET VARIABLE x = getvariable('x') + 1", ""},
		{"SET search_path = current_setting('search_path')", ""},
		{"USE main", ""},
	}
	for _, tc := range cases {
		key, ok := settingKey(tc.sql)
		if ok != (tc.key != "") || key != tc.key {
			t.Errorf("settingKey(%q) = %q, %v; want %q", tc.sql, key, ok, tc.key)
		}
	}
}

// TestSessionSettingsKeepLastWrite: the log keeps the last statement per
// setting, in the order of those last statements.
func TestSessionSettingsKeepLastWrite(t *testing.T) {
	var ss sessionSettings
	for _, sql := range []string{
		"SET search_path = 'a'",
		"SET VARIABLE n = 1",
		"SET schema = 'b'",
		"SET VARIABLE n = getvariable('n') + 1",
		"SET search_path = 'c'",
		"SET VARIABLE n = 5",
	} {
		ss.record(sql, nil)
	}
	var got []string
	for _, s := range ss.since(0) {
		got = append(got, s.sql)
	}
	want := []string{"SET schema = 'b'", "SET VARIABLE n = getvariable('n') + 1", "SET search_path = 'c'", "SET VARIABLE n = 5"}
	if !slices.Equal(got, want) {
		t.Errorf("log = %q, want %q", got, want)
	}
	if since := ss.since(4); len(since) != 2 || since[0].sql != "SET search_path = 'c'" {
		t.Errorf("since(4) = %v", since)
	}
	if len(ss.since(6)) != 0 {
		t.Errorf("since(last) = %v, want nothing", ss.since(6))
	}
	args := []any{[]byte("abc")}
	ss.record("SET VARIABLE b = $1", args)
	args[0].([]byte)[0] = 'x'
	if got := ss.since(6)[0].args[0].([]byte); string(got) != "abc" {
		t.Errorf("recorded argument changed with the caller's buffer: %q", got)
	}
}
