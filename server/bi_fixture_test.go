package server

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/keboola/agnes/connectors"
	"github.com/keboola/agnes/pgcompat/pgtest"
)

// The BI fixture is the schema the client captures (planner/testdata/clients) were
// taken against: orders(id, customer, amount, created_at), granted to the
// analyst, and salaries, which the analyst may not read. The same schema
// is created in a reference PostgreSQL for differential checks.

// biTables are the fixture tables: DuckDB query for the parquet file and
// the equivalent PostgreSQL DDL and data.
var biTables = []struct {
	name, description, duck, pgDDL, pgData string
}{
	{"orders", "Customer orders",
		`SELECT range::BIGINT AS id, 'customer_' || range AS customer, (range * 1.25)::DECIMAL(12,2) AS amount,
			TIMESTAMP '2024-01-01' + to_seconds(range * 60) AS created_at FROM range(1, 20001)`,
		`CREATE TABLE orders (id bigint, customer text, amount numeric(12,2), created_at timestamp)`,
		`INSERT INTO orders SELECT g, 'customer_' || g, g * 1.25, timestamp '2024-01-01' + g * interval '1 minute' FROM generate_series(1, 20000) g`},
	{"salaries", "Salaries (restricted)",
		`SELECT range::BIGINT AS id, range * 1000.0 AS salary FROM range(1, 11)`,
		`CREATE TABLE salaries (id bigint, salary numeric(18,1))`,
		`INSERT INTO salaries SELECT g, g * 1000.0 FROM generate_series(1, 10) g`},
}

// writeBIExtract writes the fixture tables as an extract under dataDir.
func writeBIExtract(t *testing.T, dataDir string) {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(dataDir, connectors.ExtractsDir, "bi")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var spec connectors.ExtractSpec
	for _, tb := range biTables {
		if err := connectors.WriteParquetAtomic(ctx, db, tb.duck, filepath.Join(dir, connectors.DataDir, tb.name+".parquet")); err != nil {
			t.Fatal(err)
		}
		spec.Tables = append(spec.Tables, connectors.MetaRow{TableName: tb.name, Description: tb.description, QueryMode: "local"})
	}
	if err := connectors.WriteExtractDB(ctx, dir, spec); err != nil {
		t.Fatal(err)
	}
}

// startBIServer starts a gateway over the BI fixture (no demo data) with an
// analyst granted orders only.
func startBIServer(t *testing.T) (ts *testServer, token string) {
	t.Helper()
	dataDir := filepath.Join(t.TempDir(), "data")
	writeBIExtract(t, dataDir)
	ts = startServerWith(t, dataDir, Options{NoDemo: true})
	return ts, ts.analyst(t, "bi_user@example.com", "orders")
}

func startServerWith(t testing.TB, dataDir string, opt Options) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	app, err := Open(ctx, testConfig(dataDir), opt)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ts := &testServer{app: app, cancel: cancel, done: make(chan error, 1), out: &bytes.Buffer{}}
	ready := make(chan Listeners, 1)
	go func() { ts.done <- app.Run(ctx, ts.out, func(l Listeners) { ready <- l }) }()
	select {
	case ts.l = <-ready:
	case err := <-ts.done:
		t.Fatalf("server stopped: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	t.Cleanup(ts.stop)
	return ts
}

// referencePostgres is a PostgreSQL server started for a test, with the BI
// fixture schema in database "analytics" (readable by bi_user: orders).
type referencePostgres struct {
	dsn string
}

func startReferencePostgres(t *testing.T) *referencePostgres {
	t.Helper()
	pg := pgtest.Start(t)
	pg.Exec(t, "postgres", "CREATE DATABASE analytics", "CREATE ROLE bi_user LOGIN")
	var stmts []string
	for _, tb := range biTables {
		stmts = append(stmts, tb.pgDDL, tb.pgData, fmt.Sprintf("COMMENT ON TABLE %s IS '%s'", tb.name, tb.description))
	}
	stmts = append(stmts, "GRANT SELECT ON orders TO bi_user")
	pg.Exec(t, "analytics", stmts...)
	return &referencePostgres{dsn: pg.DSN("bi_user", "analytics")}
}
