package server

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

// The catalog shows exactly what the caller may read: the granted table
// with its registry description and PostgreSQL types, never the other.
func TestCatalogShowsOnlyGrantedTables(t *testing.T) {
	ts, token := startBIServer(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ts.dsn("bi_user@example.com", token))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	strs := func(sql string, args ...any) []string {
		t.Helper()
		rows, err := conn.Query(ctx, sql, args...)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		out, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return out
	}
	cases := []struct {
		name, sql string
		want      []string
	}{
		{"pg_class", "SELECT relname::text FROM pg_class WHERE relnamespace = 'public'::regnamespace ORDER BY 1", []string{"orders"}},
		{"pg_tables", "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'", []string{"orders"}},
		{"information_schema.tables", "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'", []string{"orders"}},
		{"information_schema.columns", `SELECT column_name || ' ' || data_type || ' ' || udt_name FROM information_schema.columns
			WHERE table_schema = 'public' ORDER BY ordinal_position`,
			[]string{"id bigint int8", "customer text text", "amount numeric numeric", "created_at timestamp without time zone timestamp"}},
		{"pg_attribute joins pg_type", `SELECT a.attname || ':' || t.typname FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
			WHERE a.attrelid = 'orders'::regclass AND a.attnum > 0 ORDER BY a.attnum`,
			[]string{"id:int8", "customer:text", "amount:numeric", "created_at:timestamp"}},
		{"descriptions", "SELECT description FROM pg_description", []string{"Customer orders"}},
		{"obj_description", "SELECT obj_description('public.orders'::regclass, 'pg_class')", []string{"Customer orders"}},
		{"table privileges", "SELECT table_name || ':' || privilege_type FROM information_schema.table_privileges WHERE table_schema = 'public'",
			[]string{"orders:SELECT"}},
		{"has_table_privilege", "SELECT has_table_privilege('orders', 'SELECT')::text || has_table_privilege('orders', 'INSERT')::text", []string{"truefalse"}},
		{"to_regclass of an ungranted table", "SELECT coalesce(to_regclass('salaries')::text, 'none')", []string{"none"}},
		{"pg_settings are client parameters", "SELECT name FROM pg_settings WHERE name IN ('TimeZone', 'memory_limit', 'threads')", []string{"TimeZone"}},
		{"session identity", "SELECT current_user || ' ' || session_user || ' ' || current_database() || ' ' || current_schema()",
			[]string{"bi_user@example.com bi_user@example.com agnes public"}},
		{"version", "SELECT version()", []string{"PostgreSQL 16.4 (Agnes " + Version + ") on "}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := strs(tc.sql)
			if tc.name == "version" {
				if len(got) != 1 || !strings.HasPrefix(got[0], tc.want[0]) {
					t.Fatalf("got %q", got)
				}
				return
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	// An ungranted table is refused by name in a reg* cast, as missing.
	if _, err := conn.Exec(ctx, "SELECT 'salaries'::regclass"); err == nil || !strings.Contains(err.Error(), `relation "salaries" does not exist`) {
		t.Errorf("salaries::regclass: %v", err)
	}
	// The table OID is stable: a new connection (and another principal's
	// sandbox) sees the same one.
	oid1 := strs("SELECT oid::text FROM pg_class WHERE relname = 'orders'")
	other := ts.analyst(t, "second@example.com", "orders", "salaries")
	conn2, err := pgx.Connect(ctx, ts.dsn("second@example.com", other))
	if err != nil {
		t.Fatal(err)
	}
	defer conn2.Close(ctx)
	var oid2, user2 string
	if err := conn2.QueryRow(ctx, "SELECT oid::text, current_user FROM pg_class WHERE relname = 'orders'").Scan(&oid2, &user2); err != nil {
		t.Fatal(err)
	}
	if len(oid1) != 1 || oid1[0] != oid2 || user2 != "second@example.com" {
		t.Errorf("orders OID %v vs %s; second user %q", oid1, oid2, user2)
	}
	var n int
	if err := conn2.QueryRow(ctx, "SELECT count(*) FROM pg_class WHERE relname IN ('orders', 'salaries')").Scan(&n); err != nil || n != 2 {
		t.Errorf("second user sees %d of the two tables: %v", n, err)
	}

	// lib/pq, same rules.
	db, err := sql.Open("postgres", ts.dsn("bi_user@example.com", token))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables string
	if err := db.QueryRow(`SELECT string_agg(table_name, ',') FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')`).Scan(&tables); err != nil || tables != "orders" {
		t.Errorf("lib/pq tables %q %v", tables, err)
	}
}

// Session parameters reach current_setting, pg_settings and
// current_schemas, per session; set_config is a SET.
func TestSessionSettingsInCatalog(t *testing.T) {
	ts, token := startBIServer(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ts.dsn("bi_user@example.com", token))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	one := func(sql string) string {
		t.Helper()
		var s string
		if err := conn.QueryRow(ctx, sql).Scan(&s); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return s
	}
	if _, err := conn.Exec(ctx, "SET application_name = 'metabase'"); err != nil {
		t.Fatal(err)
	}
	if got := one("SELECT current_setting('application_name')"); got != "metabase" {
		t.Errorf("current_setting after SET: %q", got)
	}
	if got := one("SELECT setting FROM pg_settings WHERE name = 'application_name'"); got != "metabase" {
		t.Errorf("pg_settings after SET: %q", got)
	}
	if got := one("SELECT set_config('application_name', 'superset', false)"); got != "superset" {
		t.Errorf("set_config returned %q", got)
	}
	if got := one("SHOW application_name"); got != "superset" {
		t.Errorf("SHOW after set_config: %q", got)
	}
	if got := one("SELECT array_to_string(current_schemas(true), ',')"); got != "pg_catalog,public" {
		t.Errorf("current_schemas: %q", got)
	}
	if _, err := conn.Exec(ctx, "SET search_path = pg_catalog"); err != nil {
		t.Fatal(err)
	}
	if got := one("SELECT coalesce(current_schema(), 'none')"); got != "pg_catalog" {
		t.Errorf("current_schema after SET search_path: %q", got)
	}
	if _, err := conn.Exec(ctx, "SELECT set_config('memory_limit', '1GB', false)"); err == nil {
		t.Error("set_config of an engine setting was accepted")
	}
}
