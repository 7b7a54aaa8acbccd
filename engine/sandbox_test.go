package engine

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keboola/agnes/pgerr"
)

func TestNewSandboxSchemasAndViews(t *testing.T) {
	dir := t.TempDir()
	orders := filepath.Join(dir, "orders.parquet")
	leads := filepath.Join(dir, "leads.parquet")
	writeParquet(t, orders, "SELECT 1 AS id")
	writeParquet(t, leads, "SELECT 'lead' AS name")
	s, err := NewSandbox(testConfig(t), []TableFile{
		{Schema: "public", Name: "orders", Path: orders},
		{Schema: "Sales", Name: "Leads", Path: leads},
		{Schema: "sales", Name: "orders_copy", Path: orders},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Tables() != 3 {
		t.Errorf("Tables() = %d, want 3", s.Tables())
	}
	c := mustConn(t, s)
	got := mustRows(t, c, "SELECT table_schema, table_name, table_type FROM information_schema.tables ORDER BY ALL")
	want := [][]string{{"Sales", "Leads", "VIEW"}, {"Sales", "orders_copy", "VIEW"}, {"main", "orders", "VIEW"}}
	if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("catalog = %v, want %v", got, want)
	}
	if got := mustRows(t, c, `SELECT name FROM "Sales"."Leads"`); got[0][0] != "lead" {
		t.Errorf("Sales.Leads: %v", got)
	}
	if got := mustRows(t, c, "SELECT current_database()"); got[0][0] != "agnes" {
		t.Errorf("current_database() = %v", got)
	}
}

func TestNewSandboxLeavesOutUnreadableTables(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.parquet")
	writeParquet(t, ok, "SELECT 1 AS id")
	s, err := NewSandbox(testConfig(t), []TableFile{
		{Name: "ok", Path: ok},
		{Name: "gone", Path: filepath.Join(dir, "gone.parquet")},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.Tables() != 1 {
		t.Errorf("Tables() = %d, want 1", s.Tables())
	}
	c := mustConn(t, s)
	if _, err := rows(c, "SELECT * FROM gone"); sqlState(err) != pgerr.UndefinedTable {
		t.Errorf("left-out table: %v, want 42P01", err)
	}
	if got := mustRows(t, c, "SELECT id FROM ok"); got[0][0] != "1" {
		t.Errorf("ok: %v", got)
	}
}

func TestNewSandboxRejectsInvalidTables(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "t.parquet")
	writeParquet(t, p, "SELECT 1 AS id")
	cases := []struct {
		name   string
		tables []TableFile
		want   string
	}{
		{"relative path", []TableFile{{Name: "t", Path: "t.parquet"}}, "not absolute"},
		{"glob path", []TableFile{{Name: "t", Path: dir + "/*.parquet"}}, "glob"},
		{"bracket glob", []TableFile{{Name: "t", Path: dir + "/[a-z].parquet"}}, "glob"},
		{"empty name", []TableFile{{Path: p}}, "empty table name"},
		{"duplicate ignoring case", []TableFile{{Name: "t", Path: p}, {Schema: "public", Name: "T", Path: p}}, "listed twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := testConfig(t)
			s, err := NewSandbox(cfg, tc.tables)
			if err == nil {
				s.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q, want it to mention %q", err, tc.want)
			}
		})
	}
}

func TestNewSandboxWithoutTables(t *testing.T) {
	s, err := NewSandbox(testConfig(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := mustConn(t, s)
	if got := mustRows(t, c, "SELECT count(*) FROM information_schema.tables"); got[0][0] != "0" {
		t.Errorf("tables: %v", got)
	}
	if _, err := rows(c, "SELECT * FROM read_csv('/etc/passwd')"); sqlState(err) != pgerr.InsufficientPrivilege {
		t.Errorf("empty sandbox reads files: %v", err)
	}
}

func TestCatalogSQL(t *testing.T) {
	cfg := testConfig(t)
	cfg.CatalogSQL = []string{
		"CREATE SCHEMA pgcompat",
		"CREATE MACRO pgcompat.pg_backend_pid() AS 42",
		"CREATE VIEW pgcompat.pg_tables AS SELECT table_name AS tablename FROM information_schema.tables",
	}
	p := filepath.Join(t.TempDir(), "t.parquet")
	writeParquet(t, p, "SELECT 1 AS id")
	s, err := NewSandbox(cfg, []TableFile{{Name: "t", Path: p}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := mustConn(t, s)
	if err := c.Exec(context.Background(), "SET search_path = 'main,pgcompat'"); err != nil {
		t.Fatal(err)
	}
	if got := mustRows(t, c, "SELECT pg_backend_pid()"); got[0][0] != "42" {
		t.Errorf("macro: %v", got)
	}
	if got := mustRows(t, c, "SELECT tablename FROM pg_tables WHERE tablename = 't'"); len(got) != 1 {
		t.Errorf("view: %v", got)
	}
	if _, err := rows(c, "CREATE OR REPLACE MACRO pgcompat.pg_backend_pid() AS 1"); sqlState(err) != pgerr.ReadOnlySQLTransaction {
		t.Errorf("compat objects are writable: %v", err)
	}

	cfg.CatalogSQL = []string{"CREATE VIEW broken AS SELECT * FROM nowhere"}
	if s, err := NewSandbox(cfg, nil); err == nil {
		s.Close()
		t.Error("failing CatalogSQL accepted")
	}
}
