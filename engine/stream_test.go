package engine

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
)

// TestQueryStreamsEndlessResult reads the first batch of a result that
// could never be materialised: Query must hand out rows while DuckDB is
// still producing them.
func TestQueryStreamsEndlessResult(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	rr, err := c.Query(context.Background(), "SELECT i, i * 2 AS twice FROM range(1000000000000000) r(i)")
	if err != nil {
		t.Fatal(err)
	}
	if !rr.Next() {
		t.Fatalf("no first batch: %v", rr.Err())
	}
	rec := rr.RecordBatch()
	if rec.NumRows() == 0 || rec.NumRows() > 2048 {
		t.Errorf("first batch has %d rows, want one DuckDB chunk (1..2048)", rec.NumRows())
	}
	if got := cellText(rec.Schema().Field(1), rec.Column(1), 1); got != "2" {
		t.Errorf("twice of row 1 = %s", got)
	}
	rr.Release()
	// Releasing the endless result stops it; the session goes on.
	if got := mustRows(t, c, "SELECT count(*) FROM orders"); got[0][0] != "3" {
		t.Errorf("after release: %v", got)
	}
}

// bigResult is about 2 GB: 2M rows of a 992-byte string that cannot be
// deduplicated (an md5 repeated 31 times) plus a BIGINT.
const bigResult = "SELECT i, repeat(md5(i::VARCHAR), 31) AS pad FROM range(2000000) r(i)"

// TestLargeResultStreamsInBoundedMemory is the test of "no full
// materialisation": a 2 GB result is read through a sandbox whose DuckDB
// may use 100 MB, and neither DuckDB's memory nor the process grows with
// the result. The control reads 1 GB through duckdb-go's own Arrow query,
// which materialises the result, to show that the measurement catches
// materialisation.
func TestLargeResultStreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 2 GB")
	}
	cfg := testConfig(t)
	cfg.MemoryLimit = "100MB"
	cfg.MaxTempDirSize = "100MB" // no room to spill a materialised result either
	s, err := NewSandbox(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c, probe := mustConn(t, s), mustConn(t, s)
	ctx := context.Background()

	const limit = 512 << 20 // far below the result, far above one chunk
	var rows, bytes, duckdbMemory int64
	growth := peakRSSGrowth(t, func() {
		rr, err := c.Query(ctx, bigResult)
		if err != nil {
			t.Fatal(err)
		}
		defer rr.Release()
		for rr.Next() {
			rec := rr.RecordBatch()
			if rows >= 1_000_000 && duckdbMemory == 0 {
				// Halfway: what DuckDB holds for the whole instance.
				got := mustRows(t, probe, "SELECT sum(memory_usage_bytes) FROM duckdb_memory()")
				duckdbMemory, _ = strconv.ParseInt(got[0][0], 10, 64)
			}
			rows += rec.NumRows()
			bytes += int64(len(rec.Column(1).Data().Buffers()[2].Bytes()))
		}
		if err := rr.Err(); err != nil {
			t.Fatal(err)
		}
	})
	if rows != 2_000_000 || bytes < 1_900_000_000 {
		t.Fatalf("read %d rows, %d bytes of strings; want 2000000 rows, ~1.98 GB", rows, bytes)
	}
	if duckdbMemory > 100<<20 {
		t.Errorf("DuckDB held %d MB halfway through the stream, above its 100 MB limit", duckdbMemory>>20)
	}
	if growth > limit {
		t.Errorf("process memory grew by %d MB while streaming 2 GB, want < %d MB", growth>>20, limit>>20)
	}
	t.Logf("streamed %d MB; peak RSS growth %d MB; DuckDB memory halfway %d MB", bytes>>20, growth>>20, duckdbMemory>>20)

	t.Run("control: a materialising reader exceeds the bound", func(t *testing.T) {
		connector, err := duckdb.NewConnector("?memory_limit=100MB&threads=2", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer connector.Close()
		dc, err := connector.Connect(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer dc.Close()
		arrowConn, err := duckdb.NewArrowFromConn(dc)
		if err != nil {
			t.Fatal(err)
		}
		growth := peakRSSGrowth(t, func() {
			rr, err := arrowConn.QueryContext(ctx, bigResult+" LIMIT 1000000")
			if err != nil {
				t.Logf("materialising query failed: %v", err) // out of memory also proves the point
				return
			}
			rr.Release()
		})
		if growth < limit {
			t.Errorf("materialising 1 GB grew the process by only %d MB: the bound above proves nothing", growth>>20)
		}
		t.Logf("materialising 1 GB: peak RSS growth %d MB", growth>>20)
	})
}

// peakRSSGrowth runs fn and returns how far the process's resident memory
// rose above where it was when fn started (Linux VmHWM, reset first).
func peakRSSGrowth(t *testing.T, fn func()) int64 {
	t.Helper()
	if err := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0); err != nil {
		t.Skipf("cannot reset the peak RSS: %v", err)
	}
	before := procStatus(t, "VmRSS")
	fn()
	return procStatus(t, "VmHWM") - before
}

// procStatus reads a memory field of /proc/self/status in bytes.
func procStatus(t *testing.T, field string) int64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			return kb << 10
		}
	}
	t.Fatalf("%s not in /proc/self/status", field)
	return 0
}

// TestCancelWhileWaitingForChunk cancels a query while Next waits inside
// DuckDB for rows that take forever to come: only an interrupt can end the
// wait.
func TestCancelWhileWaitingForChunk(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Rows enough to fill DuckDB's streaming buffer (so that Query returns),
	// then the next match is 10^15 rows away.
	rr, err := c.Query(ctx, "SELECT i FROM range(1000000000000000000) r(i) WHERE i < 200000 OR i % 1000000000000000 = 999999")
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	reading := make(chan struct{})
	done := make(chan int64, 1)
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
	select {
	case <-reading:
	case <-time.After(time.Minute):
		t.Fatal("no first batch")
	}
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
	if got := mustRows(t, c, "SELECT count(*) FROM orders"); got[0][0] != "3" {
		t.Errorf("after cancel: %v", got)
	}
}

// TestStreamEndsWhenAnotherStatementRuns: statements that need the
// session's own DuckDB connection (DDL, and every statement once the
// session has TEMP objects) end a result streaming on it: after the rows
// read ahead, with 55000.
func TestStreamEndsWhenAnotherStatementRuns(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()
	first, err := c.Query(ctx, "SELECT * FROM range(10000000)")
	if err != nil {
		t.Fatal(err)
	}
	defer first.Release()
	if err := c.Exec(ctx, "CREATE TEMP TABLE scratch (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	var rows int64
	for first.Next() {
		rows += first.RecordBatch().NumRows()
	}
	if rows == 0 || rows >= 10000000 || sqlState(first.Err()) != pgerr.ObjectNotInPrerequisiteState {
		t.Errorf("first result: %d rows, err %v; want it cut short with 55000", rows, first.Err())
	}

	// With a TEMP table in the session, a query ends it too: it might read
	// the table, which only the session's own connection has.
	second, err := c.Query(ctx, "SELECT * FROM range(10000000)")
	if err != nil {
		t.Fatal(err)
	}
	defer second.Release()
	if got := mustRows(t, c, "SELECT count(*) FROM orders"); got[0][0] != "3" {
		t.Fatalf("query after the TEMP table: %v", got)
	}
	rows = 0
	for second.Next() {
		rows += second.RecordBatch().NumRows()
	}
	if rows == 0 || rows >= 10000000 || sqlState(second.Err()) != pgerr.ObjectNotInPrerequisiteState {
		t.Errorf("result with TEMP objects: %d rows, err %v; want it cut short with 55000", rows, second.Err())
	}

	// A small result survives whole, read before or after the other
	// statement; so does a materialised one (DML with RETURNING).
	if err := c.Exec(ctx, "CREATE TEMP TABLE notes (n INTEGER)"); err != nil {
		t.Fatal(err)
	}
	small, err := c.Query(ctx, "SELECT i FROM range(20000) r(i)")
	if err != nil {
		t.Fatal(err)
	}
	defer small.Release()
	if !small.Next() {
		t.Fatalf("small result: %v", small.Err())
	}
	rows = small.RecordBatch().NumRows()
	returning, err := c.Query(ctx, "INSERT INTO notes SELECT i FROM range(5000) r(i) RETURNING n")
	if err != nil {
		t.Fatal(err)
	}
	defer returning.Release()
	mustRows(t, c, "SELECT 1")
	for small.Next() {
		rows += small.RecordBatch().NumRows()
	}
	if rows != 20000 || small.Err() != nil {
		t.Errorf("small result after other statements: %d rows, err %v; want 20000", rows, small.Err())
	}
	rows = 0
	for returning.Next() {
		rows += returning.RecordBatch().NumRows()
	}
	if rows != 5000 || returning.Err() != nil {
		t.Errorf("RETURNING result after another statement: %d rows, err %v; want 5000", rows, returning.Err())
	}
}

// TestErrorMidStream: an error DuckDB raises after the first chunks reaches
// the client through Err, translated.
func TestErrorMidStream(t *testing.T) {
	// One thread: with parallel pipelines DuckDB sometimes reports the
	// interrupt it sends its other threads instead of the first error (a
	// race inside DuckDB); this test is about how Agnes passes the error on.
	cfg := testConfig(t)
	cfg.Threads = 1
	s, err := NewSandbox(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c := mustConn(t, s)
	rr, err := c.Query(context.Background(),
		"SELECT CASE WHEN i = 2000000 THEN error('boom at 2000000') ELSE i END AS v FROM range(4000000) r(i)")
	if err != nil {
		t.Fatalf("error before the first chunk: %v", err)
	}
	defer rr.Release()
	var rows int64
	for rr.Next() {
		rows += rr.RecordBatch().NumRows()
	}
	pe, ok := pgerr.As(rr.Err())
	if !ok || !strings.Contains(pe.Message, "boom at 2000000") {
		t.Fatalf("stream error %v, want the DuckDB error", rr.Err())
	}
	if rows == 0 || rows >= 2000000 {
		t.Errorf("read %d rows before the error, want some but fewer than 2000000", rows)
	}
}

// TestArrowIsLossless checks arrow_lossless_conversion on sandbox results:
// the wire tells these types apart only by their Arrow extension.
func TestArrowIsLossless(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	if got := mustRows(t, c, "SELECT current_setting('arrow_lossless_conversion')"); got[0][0] != "true" {
		t.Errorf("arrow_lossless_conversion = %v", got)
	}
	rr, err := c.Query(context.Background(), `SELECT '5b4a8d2e-1c3f-4e6a-9b7d-0a1b2c3d4e5f'::UUID AS u, '{"a":1}'::JSON AS j,
		'12:30:00+02'::TIMETZ AS tz, '1011'::BIT AS b, 170141183460469231731687303715884105727::HUGEINT AS h`)
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	want := map[string]string{"u": "arrow.uuid", "j": "arrow.json", "tz": "time_tz", "b": "bit", "h": "hugeint"}
	for _, f := range rr.Schema().Fields() {
		if got := extensionOf(f); !strings.Contains(got, want[f.Name]) {
			t.Errorf("column %s: Arrow extension %q, want %s", f.Name, got, want[f.Name])
		}
	}
	if !rr.Next() {
		t.Fatal(rr.Err())
	}
	rec := rr.RecordBatch()
	if got := cellText(rec.Schema().Field(4), rec.Column(4), 0); got != "170141183460469231731687303715884105727" {
		t.Errorf("hugeint = %s", got)
	}
}

// extensionOf renders a field's Arrow extension name and metadata.
func extensionOf(f arrow.Field) string {
	if et, ok := f.Type.(arrow.ExtensionType); ok {
		return et.ExtensionName() + " " + et.Serialize()
	}
	name, _ := f.Metadata.GetValue("ARROW:extension:name")
	meta, _ := f.Metadata.GetValue("ARROW:extension:metadata")
	return name + " " + meta
}

// TestSetStreamContext: a cursor's FETCH reads on under its own statement's
// context once the declaring statement's context has ended.
func TestSetStreamContext(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	declare, endDeclare := context.WithCancel(context.Background())
	rr, err := c.Query(declare, "SELECT * FROM range(10000000)")
	if err != nil {
		t.Fatal(err)
	}
	defer rr.Release()
	endDeclare()
	fetch, cancelFetch := context.WithCancel(context.Background())
	defer cancelFetch()
	if !SetStreamContext(rr, fetch) {
		t.Fatal("SetStreamContext refused a Query result")
	}
	var rows int64
	for rows < 100000 && rr.Next() {
		rows += rr.RecordBatch().NumRows()
	}
	if rows < 100000 {
		t.Fatalf("read %d rows under the new context: %v", rows, rr.Err())
	}
	cancelFetch()
	if rr.Next() || sqlState(rr.Err()) != pgerr.QueryCanceled {
		t.Errorf("after cancelling the new context: err %v, want 57014", rr.Err())
	}
	if SetStreamContext(nil, fetch) {
		t.Error("SetStreamContext accepted a reader Query did not return")
	}
}
