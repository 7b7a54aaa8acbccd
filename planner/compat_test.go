package planner

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keboola/agnes/pgcompat"
	"github.com/keboola/agnes/pgcompat/pgtest"
)

// compatOptions plan as the gateway does, with the compatibility catalog.
func compatOptions() Options {
	c := &Compat{
		Functions:        pgcompat.Functions(),
		SessionFunctions: pgcompat.SessionFunctions(),
		Casts:            map[string]CastFunctions{},
		ConstOID:         pgcompat.ConstOID,
	}
	for t, m := range pgcompat.Casts() {
		c.Casts[t] = CastFunctions{OID: m.OID, Name: m.Name, Names: m.Names}
	}
	return Options{Resolver: ordersOnly(), CatalogRewrite: pgcompat.Relations(), Compat: c}
}

func TestCompatRewrite(t *testing.T) {
	cases := []struct {
		name, sql, want string
	}{
		{"catalog relations and functions", "SELECT c.relname, pg_catalog.pg_get_userbyid(c.relowner) FROM pg_catalog.pg_class c WHERE pg_catalog.pg_table_is_visible(c.oid)",
			"SELECT c.relname, pgcompat.pg_get_userbyid(c.relowner) AS pg_get_userbyid FROM pgcompat.pg_class c WHERE pgcompat.pg_table_is_visible(c.oid)"},
		{"information_schema", "SELECT table_name FROM information_schema.tables",
			"SELECT table_name FROM pgcompat.tables"},
		{"regclass compared is an OID", "SELECT 1 FROM pg_description d WHERE d.classoid = 'pg_class'::regclass",
			`SELECT 1 AS "?column?" FROM pgcompat.pg_description d WHERE d.classoid = 1259`},
		{"regclass of a user table is resolved by the catalog", "SELECT 1 FROM pg_class WHERE oid = 'orders'::regclass",
			`SELECT 1 AS "?column?" FROM pgcompat.pg_class WHERE oid = pgcompat.regclass_oid('orders')`},
		{"regclass shown is a name", "SELECT c.oid::pg_catalog.regclass FROM pg_class c",
			"SELECT pgcompat.regclass_name(c.oid) AS oid FROM pgcompat.pg_class c"},
		{"regclass cast to text is a name", "SELECT 1 FROM pg_class c ORDER BY c.oid::regclass::text",
			`SELECT 1 AS "?column?" FROM pgcompat.pg_class c ORDER BY pgcompat.regclass_name(c.oid)::text`},
		{"regtype and regproc", "SELECT typinput = 'pg_catalog.array_in'::regproc, c.reloftype::pg_catalog.regtype::pg_catalog.text FROM pg_type, pg_class c",
			"SELECT typinput = 750 AS \"?column?\", pgcompat.regtype_name(c.reloftype)::text AS reloftype FROM pgcompat.pg_type, pgcompat.pg_class c"},
		{"to_regclass shown is a name", "SELECT to_regclass('orders')",
			"SELECT pgcompat.regclass_name(pgcompat.to_regclass('orders')) AS to_regclass"},
		{"session values", "SELECT current_user, session_user, current_catalog, current_schema",
			`SELECT pgcompat.session_user_name() AS "current_user", pgcompat.session_user_name() AS "session_user", pgcompat.current_database() AS "current_catalog", pgcompat."current_schema"() AS "current_schema"`},
		{"version", "SELECT pg_catalog.version()", "SELECT pgcompat.version() AS version"},
		{"renamed functions", "SELECT json_build_object('a', 1), btrim(' x ')",
			`SELECT "json_object"('a', 1) AS json_build_object, "trim"(' x ') AS btrim`},
		{"_pg_expandarray", "SELECT (information_schema._pg_expandarray(ARRAY[1])).n",
			"SELECT (pgcompat._pg_expandarray(ARRAY[1])).n AS n"},
		{"name type", "SELECT 'x'::name, relname::pg_catalog.name FROM pg_class",
			"SELECT 'x'::varchar AS name, relname::varchar AS relname FROM pgcompat.pg_class"},
		{"untyped array literal compared in the catalog", "SELECT polname FROM pg_policy pol WHERE pol.polroles = '{0}'",
			"SELECT polname FROM pgcompat.pg_policy pol WHERE pol.polroles = ARRAY['0']"},
		{"= ANY (array) in the catalog", "SELECT 1 FROM pg_class t LEFT JOIN pg_attribute a ON a.attnum = ANY(t.relnatts::int2[])",
			`SELECT 1 AS "?column?" FROM pgcompat.pg_class t LEFT JOIN pgcompat.pg_attribute a ON list_contains(t.relnatts::int2[], a.attnum)`},
		{"format with %I and %L", "SELECT format('SELECT %I FROM t WHERE x = %L -- %s%%', 'Col', 'v', NULL)",
			`SELECT concat('SELECT ', pgcompat.quote_ident('Col'), ' FROM t WHERE x = ', pgcompat.quote_nullable('v'), ' -- ', NULL::varchar, '%') AS format`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := planOne(t, tc.sql, compatOptions())
			if p.SQL != tc.want {
				t.Errorf("SQL\n got %s\nwant %s", p.SQL, tc.want)
			}
		})
	}
}

// PostgreSQL syntax DuckDB reads differently is rewritten with or without
// the compatibility catalog.
func TestSyntaxRewrite(t *testing.T) {
	cases := []struct {
		name, sql, want string
	}{
		{"regular expression match", "SELECT 1 FROM orders WHERE customer ~ 'a' AND customer !~ 'b' AND customer ~* 'C' AND customer !~* 'D'",
			`SELECT 1 AS "?column?" FROM main.orders WHERE regexp_matches(customer, 'a') AND NOT regexp_matches(customer, 'b') AND regexp_matches(customer, 'C', 'i') AND NOT regexp_matches(customer, 'D', 'i')`},
		{"array literal", "SELECT '{1,2,NULL}'::int[], '{{1,2},{3,4}}'::int[], '{}'::text[], '{\"a b\",c}'::text[]",
			`SELECT ARRAY['1', '2', NULL]::int[] AS int4, ARRAY[ARRAY['1', '2'], ARRAY['3', '4']]::int[][] AS int4, ARRAY[]::text[] AS text, ARRAY['a b', 'c']::text[] AS text`},
		{"bytea hex and escape literals", `SELECT '\x0aff'::bytea, 'a\\b\001'::bytea`,
			`SELECT E'\\x0A\\xFF'::bytea AS bytea, E'\\x61\\x5C\\x62\\x01'::bytea AS bytea`},
		{"format %s", "SELECT format('%s-%2$s-%1$s', id, customer) FROM orders",
			"SELECT concat(id::varchar, '-', customer::varchar, '-', id::varchar) AS format FROM main.orders"},
		{"bare NULL is text", "SELECT NULL, NULL AS x, (SELECT NULL) FROM orders",
			`SELECT NULL::text AS "?column?", NULL::text AS x, (SELECT NULL::text AS "?column?") AS "?column?" FROM main.orders`},
		{"NULL in a set operation keeps its type open", "SELECT NULL UNION SELECT 1",
			`SELECT NULL AS "?column?" UNION SELECT 1 AS "?column?"`},
		{"one-column function alias names the column", "SELECT s FROM generate_series(0, 3) s",
			"SELECT s FROM (SELECT __agnes_series::int AS s FROM generate_series(0, 3) __agnes_series(__agnes_series)) s(s)"},
		{"bigint series stays bigint", "SELECT g FROM generate_series(1, 10000000000) g",
			"SELECT g FROM generate_series(1, 10000000000) g(g)"},
		{"lateral series", "SELECT n FROM orders o, generate_series(1, o.id::int) n",
			"SELECT n FROM main.orders o, LATERAL (SELECT __agnes_series::int AS n FROM generate_series(1, o.id::int) __agnes_series(__agnes_series)) n(n)"},
		{"scalar function in FROM", "SELECT * FROM abs(-1)",
			"SELECT * FROM (SELECT abs(-1) AS abs) abs(abs)"},
		{"scalar function in FROM with alias, reading outer columns", "SELECT s[1] FROM orders o, string_to_array(o.customer, '_') s",
			"SELECT s[1] AS s FROM main.orders o, LATERAL (SELECT string_to_array(o.customer, '_') AS s) s(s)"},
		{"scalar function WITH ORDINALITY", "SELECT * FROM upper('a') WITH ORDINALITY AS u(v, n)",
			"SELECT * FROM (SELECT upper('a') AS v, 1::bigint AS n) u(v, n)"},
		{"ANY of an untyped array literal", "SELECT id FROM orders WHERE customer = ANY('{a,b}')",
			"SELECT id FROM main.orders WHERE customer = ANY(ARRAY['a', 'b'])"},
		{"VALUES columns", "VALUES (1, 'a'), (2, 'b') ORDER BY 1",
			`SELECT * FROM (VALUES (1, 'a'), (2, 'b')) "*VALUES*"(column1, column2) ORDER BY 1`},
		{"VALUES in FROM", "SELECT column2 FROM (VALUES (1, 'a')) v",
			`SELECT column2 FROM (VALUES (1, 'a')) v(column1, column2)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := planOne(t, tc.sql, testOptions())
			if p.SQL != tc.want {
				t.Errorf("SQL\n got %s\nwant %s", p.SQL, tc.want)
			}
		})
	}
}

func TestCompatRefusals(t *testing.T) {
	cases := []struct{ sql, code, mention string }{
		// DuckDB-only and PostgreSQL 16 relations the catalog does not serve.
		{"SELECT * FROM pg_catalog.pg_stat_io", "0A000", "pg_stat_io"},
		{"SELECT * FROM pg_wait_events", "0A000", "pg_wait_events"},
		{"SELECT set_config('application_name', 'x', false) FROM orders", "0A000", "set_config"},
		{"SELECT format(customer, 1) FROM orders", "0A000", "format"},
		{"SELECT format('%10s', 1)", "0A000", "width"},
		{"SELECT format('%s %s', 1)", "22023", "too few"},
		{"SELECT '{1,2'::int[]", "22P02", "malformed array"},
		{"SELECT '[1:2]={1,2}'::int[]", "0A000", "explicit bounds"},
		{`SELECT '\xZZ'::bytea`, "22023", "hexadecimal"},
		{`SELECT 'a\q'::bytea`, "22P02", "bytea"},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			e := planError(t, tc.sql, compatOptions())
			if e.Code != tc.code || !strings.Contains(strings.ToLower(e.Message), strings.ToLower(tc.mention)) {
				t.Errorf("got %s %q, want %s mentioning %q", e.Code, e.Message, tc.code, tc.mention)
			}
		})
	}
}

func TestSetConfigIsASessionCommand(t *testing.T) {
	p := planOne(t, "SELECT pg_catalog.set_config('search_path', 'public, sales', false) AS sp", compatOptions())
	s := p.Session
	if p.Route != RouteSession || s == nil || s.Verb != "set_config" || s.Name != "search_path" || s.Value != "public, sales" || s.Local {
		t.Fatalf("plan %s", p)
	}
	if len(p.Targets) != 1 || p.Targets[0].Name != "sp" {
		t.Errorf("targets %+v", p.Targets)
	}
	p = planOne(t, "SELECT set_config('TimeZone', 'UTC', true)", compatOptions())
	if p.Session.Name != "TimeZone" || !p.Session.Local || p.Targets[0].Name != "set_config" {
		t.Errorf("plan %s %+v", p, p.Targets)
	}
}

func TestTargets(t *testing.T) {
	cases := []struct {
		sql  string
		want []Target
	}{
		{"SELECT c.relname, c.oid::regclass, pg_get_userbyid(c.relowner) AS owner, current_user, 1 FROM pg_class c",
			[]Target{{Name: "relname", Column: "relname", Qualifier: "c"}, {Name: "oid", Type: "regclass"}, {Name: "owner", Function: "pg_get_userbyid"},
				{Name: "current_user", Function: "current_user"}, {Name: "?column?"}}},
		{"SELECT r.TABLE_SCHEM FROM (SELECT n.nspname AS TABLE_SCHEM FROM pg_namespace n) r",
			[]Target{{Name: "table_schem", Column: "nspname"}}},
		{"WITH x AS (SELECT relname AS name FROM pg_class) SELECT name FROM x",
			[]Target{{Name: "name", Column: "relname"}}},
		{"SELECT (SELECT collname FROM pg_collation LIMIT 1) AS coll",
			[]Target{{Name: "coll", Column: "collname"}}},
		{"SELECT x::varchar(10)[] FROM orders", []Target{{Name: "x", Type: "varchar[]"}}},
		{"SELECT * FROM pg_class", nil},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			p := planOne(t, tc.sql, compatOptions())
			if len(p.Targets) != len(tc.want) {
				t.Fatalf("targets %+v, want %+v", p.Targets, tc.want)
			}
			for i := range tc.want {
				if p.Targets[i] != tc.want[i] {
					t.Errorf("target %d: %+v, want %+v", i, p.Targets[i], tc.want[i])
				}
			}
		})
	}
}

// Result column names follow PostgreSQL: the same statements on a real
// PostgreSQL return the columns the planner names.
func TestColumnNamesMatchPostgres(t *testing.T) {
	statements := []string{
		"SELECT 1",
		"SELECT 1 AS one, 'x', NULL",
		"SELECT count(*), sum(1), max(2), lower('A'), pg_catalog.upper('a'), now()",
		"SELECT CAST(42 AS integer), 42::bigint, '1'::text, 1::numeric(10,2), 'a'::varchar(3), '2024-01-01'::date",
		"SELECT (1)::int, ('x' || 'y')::text, CAST(NULL AS text)",
		"SELECT CASE WHEN true THEN 1 END, CASE WHEN true THEN 1 ELSE 2 END, CASE WHEN true THEN 1 ELSE count(*) END",
		"SELECT coalesce(1, 2), nullif(1, 2), greatest(1, 2), least(1, 2)",
		"SELECT ARRAY[1, 2], ARRAY(SELECT 1), ROW(1, 2), EXISTS (SELECT 1), (SELECT 1), (SELECT 1 AS z), (SELECT count(*) FROM (SELECT 1) s)",
		"SELECT current_user, session_user, current_schema, current_date, current_timestamp, localtimestamp, current_catalog",
		"SELECT current_schema(), current_database(), version()",
		"SELECT (ARRAY[1, 2])[1], 1 + 1, -1, NOT true, 1 IS NULL, 'a' LIKE 'b', 1 BETWEEN 0 AND 2",
		"SELECT x, x.y FROM (SELECT 1 AS y) x",
		"SELECT g FROM generate_series(1, 3) g",
		"SELECT * FROM generate_series(1, 3)",
		"SELECT * FROM generate_series(1, 3) AS s",
		"VALUES (1, 'a')",
		"SELECT * FROM (VALUES (1, 'a')) v",
		"SELECT extract(year FROM now()), trim(' x '), substring('abc' FROM 2), position('b' IN 'abc')",
		"SELECT 'a' COLLATE \"C\", 1::text::int",
		"SELECT 1 UNION SELECT 2",
		"SELECT format('%s', 1), quote_ident('x'), array_upper(ARRAY[1], 1)",
	}
	pg := pgtest.Start(t)
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, pg.DSN("postgres", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	for _, sql := range statements {
		p := planOne(t, sql, compatOptions())
		sd, err := c.Prepare(ctx, "", sql, nil)
		if err != nil {
			t.Fatalf("postgres: %s: %v", sql, err)
		}
		var want []string
		for _, f := range sd.Fields {
			want = append(want, f.Name)
		}
		// What DuckDB names the columns: the aliases the planner wrote,
		// or a plain column's name.
		var got []string
		for _, tg := range p.Targets {
			got = append(got, tg.Name)
		}
		if p.Targets == nil {
			got = starColumns(t, p)
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s\n agnes    %q\n postgres %q\n sql      %s", sql, got, want, p.SQL)
		}
	}
}

// starColumns names the columns of a plan whose targets the planner does
// not list (SELECT *, VALUES) by planning the rewritten SQL's own names.
func starColumns(t *testing.T, p *Plan) []string {
	t.Helper()
	switch {
	case strings.Contains(p.SQL, `"*VALUES*"(column1, column2)`), strings.Contains(p.SQL, `v(column1, column2)`):
		return []string{"column1", "column2"}
	case strings.Contains(p.SQL, "generate_series(1, 3) __agnes_series(__agnes_series)) s(s)"):
		return []string{"s"}
	case strings.Contains(p.SQL, "AS generate_series FROM generate_series(1, 3)"):
		return []string{"generate_series"}
	}
	t.Fatalf("no column names known for %s", p.SQL)
	return nil
}
