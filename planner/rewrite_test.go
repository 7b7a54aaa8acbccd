package planner

import (
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

func TestRewrite(t *testing.T) {
	sandboxByID := func(tb Table) (string, string) { return "grants", tb.ID }
	cases := []struct {
		name string
		sql  string
		opt  Options
		want string
	}{
		{"unqualified table", "SELECT id FROM orders", testOptions(), "SELECT id FROM main.orders"},
		{"qualified column follows its table", "SELECT public.orders.id FROM public.orders", testOptions(),
			"SELECT main.orders.id FROM main.orders"},
		{"sandbox name keeps the client's correlation name", "SELECT o.id, orders.customer FROM orders o, orders",
			Options{Resolver: ordersOnly(), SandboxName: sandboxByID},
			"SELECT o.id, orders.customer FROM grants.t_orders o, grants.t_orders orders"},
		{"sandbox name and a schema-qualified column", "SELECT public.orders.id FROM public.orders",
			Options{Resolver: ordersOnly(), SandboxName: sandboxByID},
			"SELECT orders.id FROM grants.t_orders orders"},
		{"non-public schema keeps its name", "SELECT * FROM sales.events",
			Options{Resolver: ordersAndEvents()}, "SELECT * FROM sales.events"},
		{"search_path order", "SELECT * FROM events, orders",
			Options{Resolver: ordersAndEvents(), SearchPath: []string{"$user", "sales", "public"}},
			"SELECT * FROM sales.events, main.orders"},
		{"catalog relation is schema-qualified", "SELECT * FROM pg_namespace", testOptions(),
			"SELECT * FROM pg_catalog.pg_namespace"},
		{"catalog rewrite hook", "SELECT r.rolname FROM pg_roles r, pg_catalog.pg_type, information_schema.columns",
			Options{Resolver: ordersOnly(), CatalogRewrite: map[string]string{
				"pg_catalog.pg_roles":        "pgcompat.pg_roles",
				"pg_catalog.pg_type":         "pgcompat.pg_type_compat",
				"information_schema.columns": "gw.pgcompat.columns",
			}},
			"SELECT r.rolname FROM pgcompat.pg_roles r, pgcompat.pg_type_compat pg_type, gw.pgcompat.columns"},
		{"pg_catalog function qualifier dropped", "SELECT pg_catalog.version(), pg_catalog.lower('A'), pg_catalog.pg_get_userbyid(10)",
			testOptions(), "SELECT version() AS version, lower('A') AS lower, pg_get_userbyid(10) AS pg_get_userbyid"},
		{"SQL-syntax functions keep their form", "SELECT extract(year FROM now()), substring('abc' FROM 2), 'a' SIMILAR TO 'b', trim(both ' ' FROM 'x')",
			testOptions(), `SELECT extract ('year' FROM now()) AS "extract", SUBSTRING('abc' FROM 2) AS "substring", 'a' SIMILAR TO 'b' AS "?column?", TRIM (BOTH ' ' FROM 'x') AS btrim`},
		{"qualified operator and default collation", "SELECT relname OPERATOR(pg_catalog.~) '^(orders)$' COLLATE pg_catalog.default FROM pg_class",
			testOptions(), `SELECT regexp_matches(relname, '^(orders)$') AS "?column?" FROM pg_catalog.pg_class`},
		{"nested default collation", `SELECT 'a' COLLATE "default" COLLATE pg_catalog."default"`, testOptions(), `SELECT 'a' AS "?column?"`},
		{"pg_catalog type names", "SELECT 'x'::pg_catalog.text, 1::pg_catalog.int8, 'int4'::pg_catalog.regtype, b'1'::bit(1), '{}'::json",
			testOptions(), `SELECT 'x'::text AS text, 1::bigint AS int8, 'int4'::regtype AS regtype, b'1'::"bit"(1) AS "bit", '{}'::"json" AS "json"`},
		{"standard type syntax survives", "SELECT INTERVAL '1' DAY, CAST(x AS char(3)), x::timestamp(3) with time zone, x::double precision",
			testOptions(), `SELECT '1'::interval day AS "interval", x::char(3) AS x, x::timestamp (3) with time zone AS x, x::double precision AS x`},
		{"indirection on expressions keeps its parentheses",
			"SELECT (0).a, ('{1}'::int[])[1], (CASE WHEN true THEN ARRAY[1] END)[1], (ARRAY(SELECT 1))[1], (current_schemas(true))[1], $1[1]",
			testOptions(), `SELECT (0).a AS a, (ARRAY['1']::int[])[1] AS int4, (CASE WHEN true THEN ARRAY[1] END)[1] AS "case", (ARRAY(SELECT 1 AS "?column?"))[1] AS "array", (current_schemas(true))[1] AS current_schemas, $1[1] AS "?column?"`},
		{"parameters survive", "SELECT * FROM orders WHERE id = $1 AND customer = $2", testOptions(),
			"SELECT * FROM main.orders WHERE id = $1 AND customer = $2"},
		{"identifiers DuckDB could read differently are quoted", "SELECT 1 AS \"a\u00a0b\", 2 AS x\u200by", testOptions(),
			"SELECT 1 AS \"a\u00a0b\", 2 AS \"x\u200by\""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := planOne(t, tc.sql, tc.opt)
			if p.SQL != tc.want {
				t.Errorf("SQL\n got %s\nwant %s", p.SQL, tc.want)
			}
		})
	}
}

func TestRemoteTablesRouteHybrid(t *testing.T) {
	p := planOne(t, "SELECT * FROM orders o JOIN sales.events e ON e.id = o.id", Options{Resolver: ordersAndEvents()})
	if p.Route != RouteHybrid || len(p.Tables) != 2 || p.Tables[0] != ordersTable || p.Tables[1] != eventsTable {
		t.Errorf("route %s tables %v", p.Route, p.Tables)
	}
	// Tables are deduplicated.
	p = planOne(t, "SELECT * FROM orders a, public.orders b, \"ORDERS\" c", testOptions())
	if len(p.Tables) != 1 {
		t.Errorf("tables %v", p.Tables)
	}
}

// Characters PostgreSQL treats as part of a name but DuckDB as whitespace
// cannot split a name into something else: the name is unknown to the
// planner, and a name that is valid is quoted when it reaches DuckDB.
func TestParserDifferentials(t *testing.T) {
	for _, sql := range []string{
		"SELECT * FROM orders\u200b",
		"SELECT * FROM \u00a0customers",
		"SELECT * FROM orders,\u00a0customers",
	} {
		if e := planError(t, sql, testOptions()); e.Code != "42P01" && e.Code != "42601" {
			t.Errorf("%q: %s %s", sql, e.Code, e.Message)
		}
	}
	if e := planError(t, "SELECT read\u200b_csv('x')", testOptions()); e.Code != "42883" {
		t.Errorf("zero-width space in a function name: %s %s", e.Code, e.Message)
	}
	// Names longer than 63 bytes are truncated by the parser, and DuckDB gets
	// the truncated name.
	long := strings.Repeat("a", 70)
	p := planOne(t, "SELECT 1 AS "+long, testOptions())
	if p.SQL != "SELECT 1 AS "+long[:63] {
		t.Errorf("SQL %s", p.SQL)
	}
	if e := planError(t, "SELECT * FROM orders"+strings.Repeat("x", 60), testOptions()); e.Code != "42P01" {
		t.Errorf("long table name: %s", e.Code)
	}
}

func TestVerifyDeparsed(t *testing.T) {
	tree, err := pg_query.Parse("SELECT 1")
	if err != nil {
		t.Fatal(err)
	}
	sel := nodeType(tree.Stmts[0].Stmt)
	for _, tc := range []struct {
		sql string
		ok  bool
	}{
		{"SELECT 1", true},
		{"VALUES (1)", true},
		{"SELECT 1; SELECT 2", false},
		{"SET x = 1", false},
		{"DROP TABLE x", false},
		{"SELECT", true},
		{"SELEC 1", false},
		{"", false},
		{"(SELECT 1) UNION (SELECT 2)", true},
		{"SELECT 1; DROP TABLE x", false},
		{"SELECT 'a'; SELECT 'b'", false},
		{"SELECT ';'", true},
		{"SELECT 1 -- ;\n", true},
		{"select_x", false},
		{"WITH x AS (SELECT 1) SELECT * FROM x", true},
		{"WITH x AS (SELECT 1) DELETE FROM y", false},
		{"WITH x AS (SELECT 1) SELECT 1; SELECT 2", false},
		{"SELECT (1", false},
	} {
		if err := verifyDeparsed(tc.sql, sel); (err == nil) != tc.ok {
			t.Errorf("verifyDeparsed(%q) = %v, want ok=%t", tc.sql, err, tc.ok)
		}
	}
}

func TestPlanString(t *testing.T) {
	p := planOne(t, "EXPLAIN ANALYZE SELECT count(*) FROM orders o JOIN pg_namespace n ON true WHERE o.id = $1", testOptions())
	want := `Agnes explain (route: local)
  tables: public.orders [id t_orders, local]
  catalog: pg_catalog.pg_namespace
  functions: count
  parameters: 1
  analyze: true
  Agnes select (route: local)
    tables: public.orders [id t_orders, local]
    catalog: pg_catalog.pg_namespace
    functions: count
    parameters: 1
    sql: SELECT count(*) AS count FROM main.orders o JOIN pg_catalog.pg_namespace n ON true WHERE o.id = $1`
	if got := p.String(); got != want {
		t.Errorf("String()\n%s\nwant\n%s", got, want)
	}
	p = planOne(t, "COPY orders TO STDOUT (FORMAT csv)", testOptions())
	if !strings.Contains(p.String(), `copy: format=csv delimiter="," null="" quote="\"" escape="\""`) {
		t.Errorf("String()\n%s", p)
	}
	p = planOne(t, "SET LOCAL TimeZone = 'UTC'", testOptions())
	if got := p.String(); got != "Agnes set (route: session)\n  session: set name=TimeZone value=\"UTC\" local" {
		t.Errorf("String()\n%s", got)
	}
}
