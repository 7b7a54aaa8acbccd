// Command gatewaybench compares Agnes with PostgreSQL on the same rows, with
// the same client (pgx), alternating between the two in one run.
//
//	gatewaybench prepare-agnes DATA_DIR   # writes extracts/bench (1M-row parquet)
//	gatewaybench prepare-pg DSN           # creates the same rows as a heap table
//	gatewaybench run -agnes DSN -pg DSN [-rounds 5]
//
// bench/gateway.sh drives the whole comparison.
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5"

	"github.com/keboola/agnes/connectors"
)

const rows = 1_000_000

// The same deterministic rows on both sides.
const duckRows = `SELECT i::INTEGER AS id, (i * 1000003 % 1000000000000)::BIGINT AS big, i * 0.5 AS dbl,
	'item_' || (i % 1000)::VARCHAR AS txt, TIMESTAMP '2024-01-01' + to_seconds(i) AS ts FROM range(1000000) t(i)`

const pgRows = `CREATE TABLE bench AS SELECT i::integer AS id, (i::bigint * 1000003 % 1000000000000)::bigint AS big, i * 0.5::float8 AS dbl,
	'item_' || (i % 1000)::text AS txt, timestamp '2024-01-01' + make_interval(secs => i) AS ts FROM generate_series(0, 999999) i`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gatewaybench prepare-agnes DIR | prepare-pg DSN | run -agnes DSN -pg DSN")
		os.Exit(2)
	}
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "prepare-agnes":
		err = prepareAgnes(ctx, os.Args[2])
	case "prepare-pg":
		err = preparePG(ctx, os.Args[2])
	case "run":
		fs := flag.NewFlagSet("run", flag.ExitOnError)
		agnes := fs.String("agnes", "", "Agnes DSN")
		pg := fs.String("pg", "", "PostgreSQL DSN")
		rounds := fs.Int("rounds", 5, "alternating rounds")
		fs.Parse(os.Args[2:])
		err = run(ctx, *agnes, *pg, *rounds)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gatewaybench:", err)
		os.Exit(1)
	}
}

func prepareAgnes(ctx context.Context, dataDir string) error {
	dir := filepath.Join(dataDir, "extracts", "bench")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	if err := connectors.WriteParquetAtomic(ctx, db, duckRows, filepath.Join(dir, "data", "bench.parquet")); err != nil {
		return err
	}
	return connectors.WriteExtractDB(ctx, dir, connectors.ExtractSpec{SourceType: "bench",
		Tables: []connectors.MetaRow{{TableName: "bench", Description: "1M benchmark rows", Rows: rows, ExtractedAt: time.Now()}}})
}

func preparePG(ctx context.Context, dsn string) error {
	c, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	if _, err := c.Exec(ctx, "DROP TABLE IF EXISTS bench"); err != nil {
		return err
	}
	if _, err := c.Exec(ctx, pgRows); err != nil {
		return err
	}
	_, err = c.Exec(ctx, "VACUUM ANALYZE bench")
	return err
}

type measurement struct {
	name   string
	unit   string
	agnes  []float64
	pg     []float64
	better string // "higher" or "lower"
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func stream(ctx context.Context, c *pgx.Conn) (float64, error) {
	start := time.Now()
	r, err := c.Query(ctx, "SELECT id, big, dbl, txt, ts FROM bench")
	if err != nil {
		return 0, err
	}
	n := 0
	for r.Next() {
		n++
	}
	if err := r.Err(); err != nil {
		return 0, err
	}
	if n != rows {
		return 0, fmt.Errorf("streamed %d rows, want %d", n, rows)
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

func aggregate(ctx context.Context, c *pgx.Conn) (float64, error) {
	start := time.Now()
	r, err := c.Query(ctx, "SELECT txt, count(*), sum(big), avg(dbl), max(ts) FROM bench GROUP BY txt ORDER BY txt")
	if err != nil {
		return 0, err
	}
	n := 0
	for r.Next() {
		n++
	}
	if err := r.Err(); err != nil {
		return 0, err
	}
	if n != 1000 {
		return 0, fmt.Errorf("aggregate returned %d groups, want 1000", n)
	}
	return float64(time.Since(start).Microseconds()) / 1000, nil
}

func selectOne(ctx context.Context, c *pgx.Conn) (float64, error) {
	const n = 2000
	var v int
	for i := 0; i < 200; i++ { // warm up
		c.QueryRow(ctx, "SELECT 1").Scan(&v)
	}
	lat := make([]float64, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := c.QueryRow(ctx, "SELECT 1").Scan(&v); err != nil {
			return 0, err
		}
		lat[i] = float64(time.Since(start).Nanoseconds()) / 1000
	}
	return median(lat), nil
}

// engineRoundTrip is a one-row statement DuckDB evaluates (SELECT 1 is
// answered without the engine): the latency of the engine path.
func engineRoundTrip(ctx context.Context, c *pgx.Conn) (float64, error) {
	const n = 2000
	var v int
	for i := 0; i < 200; i++ {
		c.QueryRow(ctx, "SELECT length($1::text)", "agnes").Scan(&v)
	}
	lat := make([]float64, n)
	for i := 0; i < n; i++ {
		start := time.Now()
		if err := c.QueryRow(ctx, "SELECT length($1::text)", "agnes").Scan(&v); err != nil || v != 5 {
			return 0, fmt.Errorf("SELECT length($1): %d %v", v, err)
		}
		lat[i] = float64(time.Since(start).Nanoseconds()) / 1000
	}
	return median(lat), nil
}

func run(ctx context.Context, agnesDSN, pgDSN string, rounds int) error {
	ac, err := pgx.Connect(ctx, agnesDSN)
	if err != nil {
		return fmt.Errorf("agnes: %w", err)
	}
	defer ac.Close(ctx)
	pc, err := pgx.Connect(ctx, pgDSN)
	if err != nil {
		return fmt.Errorf("postgres: %w", err)
	}
	defer pc.Close(ctx)
	ms := []*measurement{
		{name: "stream 1M rows x 5 cols", unit: "rows/s", better: "higher"},
		{name: "GROUP BY over 1M rows", unit: "ms", better: "lower"},
		{name: "SELECT 1 round trip (median of 2000)", unit: "µs", better: "lower"},
		{name: "SELECT length($1) round trip (engine)", unit: "µs", better: "lower"},
	}
	fns := []func(context.Context, *pgx.Conn) (float64, error){stream, aggregate, selectOne, engineRoundTrip}
	for r := 0; r < rounds; r++ {
		for i, fn := range fns {
			// Alternate which side goes first to cancel warm-up effects.
			order := []*pgx.Conn{ac, pc}
			if r%2 == 1 {
				order = []*pgx.Conn{pc, ac}
			}
			for _, c := range order {
				v, err := fn(ctx, c)
				if err != nil {
					return err
				}
				if c == ac {
					ms[i].agnes = append(ms[i].agnes, v)
				} else {
					ms[i].pg = append(ms[i].pg, v)
				}
			}
		}
	}
	fmt.Printf("%-40s %14s %14s %10s\n", "measurement", "Agnes", "PostgreSQL", "ratio")
	for _, m := range ms {
		a, p := median(m.agnes), median(m.pg)
		ratio := a / p
		label := "Agnes/PG"
		if m.better == "lower" {
			ratio = p / a
			label = "PG/Agnes"
		}
		fmt.Printf("%-40s %11.0f %-2s %11.0f %-2s %7.2fx (%s; higher is better for Agnes)\n", m.name, a, "", p, "", ratio, label)
		fmt.Printf("  %s per round: Agnes %v, PostgreSQL %v\n", m.unit, rounded(m.agnes), rounded(m.pg))
	}
	return nil
}

func rounded(v []float64) []int64 {
	out := make([]int64, len(v))
	for i, x := range v {
		out[i] = int64(x + 0.5)
	}
	return out
}
