package wire

import (
	"context"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"

	"github.com/keboola/agnes/rbac"
)

// BenchmarkSelect1 is the round trip of a tiny prepared query over
// loopback (pgx, cached statement: Bind/Execute/Sync).
func BenchmarkSelect1(b *testing.B) {
	srv, _ := startServer(b, Config{})
	conn := connect(b, srv)
	ctx := context.Background()
	var n int
	for b.Loop() {
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil {
			b.Fatal(err)
		}
	}
}

const benchRows = 1_000_000

// benchTable creates 1M rows of (INTEGER, BIGINT, DOUBLE, short VARCHAR,
// TIMESTAMP) in the test DuckDB.
func benchTable(b *testing.B, conn *pgx.Conn) {
	b.Helper()
	_, err := conn.Exec(context.Background(), `CREATE TABLE bench AS
		SELECT i::INTEGER AS i, i * 1000000007 AS b, i / 7.0 AS d, 'row-' || (i % 1000) AS s,
		       TIMESTAMP '2024-01-01' + to_microseconds(i * 1000003) AS ts
		FROM range(1000000) t(i)`)
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkStreamRows streams 1M rows to pgx and reports rows/s: "scan"
// decodes every value into Go types, "raw" only receives the rows.
func BenchmarkStreamRows(b *testing.B) {
	srv, _ := startServer(b, Config{})
	conn := connect(b, srv)
	benchTable(b, conn)
	ctx := context.Background()
	for _, mode := range []string{"scan", "raw"} {
		b.Run(mode, func(b *testing.B) {
			var (
				i  int32
				bi int64
				d  float64
				s  string
				ts time.Time
			)
			total := 0
			start := time.Now()
			for b.Loop() {
				rows, err := conn.Query(ctx, "SELECT i, b, d, s, ts FROM bench")
				if err != nil {
					b.Fatal(err)
				}
				n := 0
				for rows.Next() {
					if mode == "scan" {
						if err := rows.Scan(&i, &bi, &d, &s, &ts); err != nil {
							b.Fatal(err)
						}
					} else {
						_ = rows.RawValues()
					}
					n++
				}
				if rows.Err() != nil || n != benchRows {
					b.Fatalf("%d rows, %v", n, rows.Err())
				}
				total += n
			}
			b.ReportMetric(float64(total)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkEncodeRows measures DataRow encoding alone (no network, no
// client), binary and text.
func BenchmarkEncodeRows(b *testing.B) {
	tb, err := newTestBackend()
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	s, err := tb.NewSession(ctx, nil, SessionInfo{StartupParams: map[string]string{}})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	stmts, _ := s.Prepare(ctx, `SELECT i::INTEGER AS i, i * 1000000007 AS b, i / 7.0 AS d, 'row-' || (i % 1000) AS s,
		TIMESTAMP '2024-01-01' + to_microseconds(i * 1000003) AS ts FROM range(100000) t(i)`, nil)
	res, err := stmts[0].Execute(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	shape := shapeFromResult(res)
	var recs []arrow.RecordBatch
	for rec := res.Next(); rec != nil; rec = res.Next() {
		rec.Retain()
		recs = append(recs, rec)
	}
	defer res.Close()
	for _, format := range []int16{formatBinary, formatText} {
		name := map[int16]string{formatBinary: "binary", formatText: "text"}[format]
		b.Run(name, func(b *testing.B) {
			formats := []int16{format, format, format, format, format}
			enc, err := newRowEncoder(res.Schema(), shape, formats, &encodeOptions{zone: newZoneCache(nil)})
			if err != nil {
				b.Fatal(err)
			}
			buf := make([]byte, 0, 128<<10)
			rows := 0
			start := time.Now()
			for b.Loop() {
				for _, rec := range recs {
					enc.bind(rec)
					for row := 0; row < int(rec.NumRows()); row++ {
						if buf, err = enc.appendRow(buf, row); err != nil {
							b.Fatal(err)
						}
						if len(buf) > 64<<10 {
							buf = buf[:0]
						}
						rows++
					}
				}
			}
			b.ReportMetric(float64(rows)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkSelect1Wire is BenchmarkSelect1 with a Backend that answers
// from memory, so it measures the wire and pgx alone.
func BenchmarkSelect1Wire(b *testing.B) {
	tb, err := newTestBackend()
	if err != nil {
		b.Fatal(err)
	}
	srv := startServerWith(b, Config{}, memoryBackend{tb})
	conn := connect(b, srv)
	ctx := context.Background()
	var n int
	for b.Loop() {
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
			b.Fatal(n, err)
		}
	}
}

// memoryBackend authenticates like the test backend; every statement of
// its sessions returns one INTEGER 1 without touching DuckDB.
type memoryBackend struct{ *testBackend }

func (m memoryBackend) NewSession(ctx context.Context, p *rbac.Principal, info SessionInfo) (Session, error) {
	s, err := m.testBackend.NewSession(ctx, p, info)
	if err != nil {
		return nil, err
	}
	schema := arrow.NewSchema([]arrow.Field{{Name: "?column?", Type: arrow.PrimitiveTypes.Int32, Nullable: true}}, nil)
	bld := array.NewInt32Builder(memory.DefaultAllocator)
	bld.Append(1)
	rec := array.NewRecordBatch(schema, []arrow.Array{bld.NewArray()}, 1)
	return &memorySession{Session: s, rec: rec}, nil
}

type memorySession struct {
	Session
	rec arrow.RecordBatch
}

func (s *memorySession) Prepare(context.Context, string, []uint32) ([]Statement, error) {
	return []Statement{memoryStatement{s.rec}}, nil
}

type memoryStatement struct{ rec arrow.RecordBatch }

func (memoryStatement) SQL() string { return "SELECT 1" }

func (memoryStatement) Describe(context.Context) (*Description, error) {
	ti, _ := duckdb.NewTypeInfo(duckdb.TYPE_INTEGER)
	return &Description{Columns: []Column{{Name: "?column?", Type: ti}}}, nil
}

func (st memoryStatement) Execute(context.Context, []any) (Result, error) {
	return &staticResult{schema: st.rec.Schema(), batch: st.rec, tag: "SELECT"}, nil
}
