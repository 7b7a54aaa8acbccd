package engine

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"
)

// benchTables writes n small parquet tables of ten columns each.
func benchTables(b *testing.B, n int) []TableFile {
	b.Helper()
	dir := b.TempDir()
	tables := make([]TableFile, n)
	for i := range tables {
		p := filepath.Join(dir, fmt.Sprintf("t%02d.parquet", i))
		writeParquet(b, p, `SELECT i::INTEGER AS id, i::BIGINT AS n, i * 0.5 AS x, 'row ' || i AS label,
			TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts, i % 7 AS c6, i % 11 AS c7, 'k' || (i % 13) AS c8,
			(i * 1.25)::DECIMAL(12,2) AS c9, i % 2 = 0 AS c10 FROM range(1000) r(i)`)
		tables[i] = TableFile{Schema: "public", Name: fmt.Sprintf("t%02d", i), Path: p}
	}
	return tables
}

// BenchmarkNewSandbox measures building (and closing) a sandbox.
func BenchmarkNewSandbox(b *testing.B) {
	for _, n := range []int{3, 50} {
		b.Run(fmt.Sprintf("tables=%d", n), func(b *testing.B) {
			tables := benchTables(b, n)
			cfg := testConfig(b)
			b.ResetTimer()
			for b.Loop() {
				s, err := NewSandbox(cfg, tables)
				if err != nil {
					b.Fatal(err)
				}
				s.Close()
			}
		})
	}
}

func benchConn(b *testing.B, tables []TableFile) *Conn {
	b.Helper()
	s, err := NewSandbox(testConfig(b), tables)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return mustConn(b, s)
}

// BenchmarkDescribe measures preparing a parameterized query over a view.
func BenchmarkDescribe(b *testing.B) {
	c := benchConn(b, benchTables(b, 3))
	ctx := context.Background()
	for b.Loop() {
		if _, _, err := c.Describe(ctx, "SELECT id, label, ts FROM t01 WHERE id = $1 AND label LIKE $2"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkQuerySelect1 measures the round trip of the smallest query.
func BenchmarkQuerySelect1(b *testing.B) {
	c := benchConn(b, nil)
	ctx := context.Background()
	for b.Loop() {
		rr, err := c.Query(ctx, "SELECT 1")
		if err != nil {
			b.Fatal(err)
		}
		for rr.Next() {
		}
		rr.Release()
	}
}

// BenchmarkPoolConnCached measures handing out a Conn of a cached sandbox.
func BenchmarkPoolConnCached(b *testing.B) {
	tables := benchTables(b, 3)
	p := NewPool(testConfig(b))
	defer p.Close()
	ctx := context.Background()
	for b.Loop() {
		c, err := p.Conn(ctx, "k", tables)
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkQueryArrowScan measures streaming 1M rows of
// (INTEGER, BIGINT, DOUBLE, short VARCHAR, TIMESTAMP) from parquet as Arrow.
func BenchmarkQueryArrowScan(b *testing.B) {
	const total = 1_000_000
	p := filepath.Join(b.TempDir(), "scan.parquet")
	writeParquet(b, p, fmt.Sprintf(`SELECT i::INTEGER AS i32, i::BIGINT AS i64, i / 3.0 AS f64,
		'name-' || (i %% 1000) AS txt, TIMESTAMP '2024-01-01' + INTERVAL (i) SECOND AS ts FROM range(%d) r(i)`, total))
	c := benchConn(b, []TableFile{{Name: "scan", Path: p}})
	ctx := context.Background()
	var rowsRead int64
	start := time.Now()
	for b.Loop() {
		rr, err := c.Query(ctx, "SELECT * FROM scan")
		if err != nil {
			b.Fatal(err)
		}
		n := int64(0)
		for rr.Next() {
			n += rr.RecordBatch().NumRows()
		}
		if err := rr.Err(); err != nil {
			b.Fatal(err)
		}
		rr.Release()
		if n != total {
			b.Fatalf("read %d rows, want %d", n, total)
		}
		rowsRead += n
	}
	b.ReportMetric(float64(rowsRead)/time.Since(start).Seconds(), "rows/s")
}

// BenchmarkCancelLatency measures the time from cancelling a running query's
// context to Query returning.
func BenchmarkCancelLatency(b *testing.B) {
	c := benchConn(b, nil)
	var waited time.Duration
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := c.Query(ctx, "SELECT sum(hash(i)) FROM range(1000000000000) t(i)")
			done <- err
		}()
		time.Sleep(20 * time.Millisecond)
		t0 := time.Now()
		cancel()
		if err := <-done; sqlState(err) != "57014" {
			b.Fatalf("error %v, want 57014", err)
		}
		waited += time.Since(t0)
	}
	b.ReportMetric(float64(waited.Microseconds())/float64(b.N)/1000, "ms/cancel")
}

// BenchmarkStmtSelect1 measures running a prepared SELECT 1 again (the
// extended protocol's Bind/Execute of a statement parsed once).
func BenchmarkStmtSelect1(b *testing.B) {
	c := benchConn(b, nil)
	ctx := context.Background()
	st, err := c.Prepare(ctx, "SELECT 1")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	for b.Loop() {
		rr, err := st.Query(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for rr.Next() {
		}
		rr.Release()
	}
}

// BenchmarkQueryFirstSeen measures a statement text the Conn has not seen:
// parse, plan, run, first batch.
func BenchmarkQueryFirstSeen(b *testing.B) {
	c := benchConn(b, nil)
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		rr, err := c.Query(ctx, fmt.Sprintf("SELECT %d", i))
		if err != nil {
			b.Fatal(err)
		}
		for rr.Next() {
		}
		rr.Release()
	}
}

// BenchmarkStmtPointQuery measures a prepared lookup over a parquet view
// with a parameter, which DuckDB plans again at every run.
func BenchmarkStmtPointQuery(b *testing.B) {
	c := benchConn(b, benchTables(b, 1))
	ctx := context.Background()
	st, err := c.Prepare(ctx, "SELECT id, label, ts FROM t00 WHERE id = $1")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var id int64
	for b.Loop() {
		id = (id + 7) % 1000
		rr, err := st.Query(ctx, id)
		if err != nil {
			b.Fatal(err)
		}
		n := int64(0)
		for rr.Next() {
			n += rr.RecordBatch().NumRows()
		}
		rr.Release()
		if n != 1 {
			b.Fatalf("id %d: %d rows", id, n)
		}
	}
}
