package planner

import (
	"strings"
	"testing"
)

// rbacShapes are statement shapes with %s where a relation goes (%S
// capitalised, %U upper case). Granted to the test principal: orders only;
// the registry also holds customers and products. Every shape must refuse
// customers and products with 42P01 and accept orders, rewritten to the
// sandbox name.
var rbacShapes = []struct {
	shape string
	kind  Kind
	sql   string // what DuckDB runs for the orders variant
}{
	{"SELECT * FROM %s", KindSelect, "SELECT * FROM main.orders"},
	{"SELECT 1 FROM orders o JOIN %s c ON true", KindSelect, `SELECT 1 AS "?column?" FROM main.orders o JOIN main.orders c ON true`},
	{"SELECT * FROM orders o LEFT JOIN %s c USING (id)", KindSelect, "SELECT * FROM main.orders o LEFT JOIN main.orders c USING (id)"},
	{"SELECT * FROM orders o FULL JOIN %s c ON o.id = c.id", KindSelect, "SELECT * FROM main.orders o FULL JOIN main.orders c ON o.id = c.id"},
	{"SELECT * FROM orders o CROSS JOIN %s", KindSelect, "SELECT * FROM main.orders o CROSS JOIN main.orders"},
	{"SELECT * FROM orders NATURAL JOIN %s", KindSelect, "SELECT * FROM main.orders NATURAL JOIN main.orders"},
	{"SELECT * FROM (orders o JOIN %s c ON true)", KindSelect, "SELECT * FROM main.orders o JOIN main.orders c ON true"},
	{"SELECT * FROM orders, %s", KindSelect, "SELECT * FROM main.orders, main.orders"},
	{"SELECT * FROM (SELECT * FROM %s) s", KindSelect, "SELECT * FROM (SELECT * FROM main.orders) s"},
	{"SELECT * FROM orders WHERE id IN (SELECT id FROM %s)", KindSelect, "SELECT * FROM main.orders WHERE id IN (SELECT id FROM main.orders)"},
	{"SELECT * FROM orders WHERE id NOT IN (SELECT id FROM %s)", KindSelect, "SELECT * FROM main.orders WHERE NOT id IN (SELECT id FROM main.orders)"},
	{"SELECT (SELECT max(id) FROM %s) AS m FROM orders", KindSelect, "SELECT (SELECT max(id) AS max FROM main.orders) AS m FROM main.orders"},
	{"SELECT count(*) FROM orders GROUP BY customer HAVING count(*) > (SELECT count(*) FROM %s)", KindSelect, "SELECT count(*) AS count FROM main.orders GROUP BY customer HAVING count(*) > (SELECT count(*) AS count FROM main.orders)"},
	{"SELECT 1 WHERE EXISTS (SELECT 1 FROM %s)", KindSelect, `SELECT 1 AS "?column?" WHERE EXISTS (SELECT 1 AS "?column?" FROM main.orders)`},
	{"SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM %s)", KindSelect, `SELECT 1 AS "?column?" WHERE NOT EXISTS (SELECT 1 AS "?column?" FROM main.orders)`},
	{"SELECT * FROM orders WHERE id = ANY (SELECT id FROM %s)", KindSelect, "SELECT * FROM main.orders WHERE id = ANY (SELECT id FROM main.orders)"},
	{"SELECT * FROM orders WHERE id > ALL (SELECT id FROM %s)", KindSelect, "SELECT * FROM main.orders WHERE id > ALL (SELECT id FROM main.orders)"},
	{"SELECT * FROM orders o, LATERAL (SELECT * FROM %s c WHERE c.id = o.id) l", KindSelect, "SELECT * FROM main.orders o, LATERAL (SELECT * FROM main.orders c WHERE c.id = o.id) l"},
	{"SELECT * FROM orders o LEFT JOIN LATERAL (SELECT * FROM %s c WHERE c.id = o.id) l ON true", KindSelect, "SELECT * FROM main.orders o LEFT JOIN LATERAL (SELECT * FROM main.orders c WHERE c.id = o.id) l ON true"},
	{"WITH c AS (SELECT * FROM %s) SELECT * FROM c", KindSelect, "WITH __agnes_cte1 AS (SELECT * FROM main.orders) SELECT * FROM __agnes_cte1 c"},
	{"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r, %s WHERE n < 3) SELECT * FROM r", KindSelect, `WITH RECURSIVE __agnes_cte1(n) AS (SELECT 1 AS "?column?" UNION ALL SELECT n + 1 AS "?column?" FROM __agnes_cte1 r, main.orders WHERE n < 3) SELECT * FROM __agnes_cte1 r`},
	{"WITH a AS (SELECT 1 AS x), b AS (SELECT * FROM a, %s) SELECT * FROM b", KindSelect, "WITH __agnes_cte1 AS (SELECT 1 AS x), __agnes_cte2 AS (SELECT * FROM __agnes_cte1 a, main.orders) SELECT * FROM __agnes_cte2 b"},
	{"WITH a AS (SELECT 1 AS x) SELECT * FROM a WHERE x IN (WITH b AS (SELECT id FROM %s) SELECT id FROM b)", KindSelect, "WITH __agnes_cte1 AS (SELECT 1 AS x) SELECT * FROM __agnes_cte1 a WHERE x IN (WITH __agnes_cte2 AS (SELECT id FROM main.orders) SELECT id FROM __agnes_cte2 b)"},
	{"SELECT * FROM (WITH c AS (SELECT * FROM %s) SELECT * FROM c) s", KindSelect, "SELECT * FROM (WITH __agnes_cte1 AS (SELECT * FROM main.orders) SELECT * FROM __agnes_cte1 c) s"},
	{"SELECT id FROM orders UNION SELECT id FROM %s", KindSelect, "SELECT id FROM main.orders UNION SELECT id FROM main.orders"},
	{"SELECT id FROM orders UNION ALL SELECT id FROM orders UNION ALL SELECT id FROM %s", KindSelect, "(SELECT id FROM main.orders UNION ALL SELECT id FROM main.orders) UNION ALL SELECT id FROM main.orders"},
	{"SELECT id FROM orders INTERSECT SELECT id FROM %s", KindSelect, "SELECT id FROM main.orders INTERSECT SELECT id FROM main.orders"},
	{"SELECT id FROM orders EXCEPT SELECT id FROM %s", KindSelect, "SELECT id FROM main.orders EXCEPT SELECT id FROM main.orders"},
	{"(SELECT 1) UNION ALL (SELECT 1 FROM %s ORDER BY 1 LIMIT 1)", KindSelect, `SELECT 1 AS "?column?" UNION ALL (SELECT 1 AS "?column?" FROM main.orders ORDER BY 1 LIMIT 1)`},
	{"VALUES (1), ((SELECT count(*) FROM %s))", KindSelect, `SELECT * FROM (VALUES (1), ((SELECT count(*) AS count FROM main.orders))) "*VALUES*"(column1)`},
	{"TABLE %s", KindSelect, "SELECT * FROM main.orders"},
	{"SELECT * FROM public.%s", KindSelect, "SELECT * FROM main.orders"},
	{`SELECT * FROM "%S"`, KindSelect, `SELECT * FROM main.orders "Orders"`},
	{`SELECT * FROM "%U"`, KindSelect, `SELECT * FROM main.orders "ORDERS"`},
	{"SELECT * FROM PUBLIC.%U", KindSelect, "SELECT * FROM main.orders"},
	{"SELECT * FROM agnes.public.%s", KindSelect, "SELECT * FROM main.orders"},
	{"SELECT * FROM ONLY %s", KindSelect, "SELECT * FROM ONLY main.orders"},
	{"SELECT * FROM %s AS c(a, b)", KindSelect, "SELECT * FROM main.orders c(a, b)"},
	{"SELECT * FROM %s TABLESAMPLE BERNOULLI (10)", KindSelect, "SELECT * FROM main.orders TABLESAMPLE bernoulli(10)"},
	{"EXPLAIN SELECT * FROM %s", KindExplain, "SELECT * FROM main.orders"},
	{"EXPLAIN (ANALYZE, COSTS OFF) SELECT count(*) FROM %s", KindExplain, "SELECT count(*) AS count FROM main.orders"},
	{"COPY (SELECT * FROM %s) TO STDOUT", KindCopy, "SELECT * FROM main.orders"},
	{"COPY %s TO STDOUT", KindCopy, "SELECT * FROM main.orders"},
	{"COPY %s (id, customer) TO STDOUT WITH (FORMAT csv, HEADER)", KindCopy, "SELECT id, customer FROM main.orders"},
	{"SELECT coalesce((SELECT max(id) FROM %s), 0)", KindSelect, `SELECT COALESCE((SELECT max(id) AS max FROM main.orders), 0) AS "coalesce"`},
	{"SELECT greatest(1, (SELECT max(id) FROM %s))", KindSelect, `SELECT GREATEST(1, (SELECT max(id) AS max FROM main.orders)) AS "greatest"`},
	{"SELECT lower((SELECT max(customer) FROM %s))", KindSelect, "SELECT lower((SELECT max(customer) AS max FROM main.orders)) AS lower"},
	{"SELECT * FROM generate_series(1, (SELECT count(*) FROM %s)) AS g(n)", KindSelect, "SELECT * FROM generate_series(1, (SELECT count(*) AS count FROM main.orders)) g(n)"},
	{"SELECT * FROM unnest(ARRAY(SELECT id FROM %s)) AS u(id)", KindSelect, "SELECT * FROM unnest(ARRAY(SELECT id FROM main.orders)) u(id)"},
	{"SELECT id FROM orders ORDER BY (SELECT min(id) FROM %s)", KindSelect, "SELECT id FROM main.orders ORDER BY (SELECT min(id) AS min FROM main.orders)"},
	{"SELECT sum(id) OVER (PARTITION BY (SELECT 1 FROM %s LIMIT 1)) FROM orders", KindSelect, `SELECT sum(id) OVER (PARTITION BY (SELECT 1 AS "?column?" FROM main.orders LIMIT 1)) AS sum FROM main.orders`},
	{"SELECT sum(id) OVER w FROM orders WINDOW w AS (ORDER BY (SELECT 1 FROM %s LIMIT 1))", KindSelect, `SELECT sum(id) OVER w AS sum FROM main.orders WINDOW w AS (ORDER BY (SELECT 1 AS "?column?" FROM main.orders LIMIT 1))`},
	{"SELECT CASE WHEN EXISTS (SELECT 1 FROM %s) THEN 1 ELSE 0 END", KindSelect, `SELECT CASE WHEN EXISTS (SELECT 1 AS "?column?" FROM main.orders) THEN 1 ELSE 0 END AS "case"`},
	{"SELECT CASE WHEN true THEN (SELECT 1 FROM %s LIMIT 1) END", KindSelect, `SELECT CASE WHEN true THEN (SELECT 1 AS "?column?" FROM main.orders LIMIT 1) END AS "case"`},
	{"SELECT count(*) FROM orders GROUP BY (SELECT 1 FROM %s LIMIT 1)", KindSelect, `SELECT count(*) AS count FROM main.orders GROUP BY (SELECT 1 AS "?column?" FROM main.orders LIMIT 1)`},
	{"SELECT * FROM orders LIMIT (SELECT count(*) FROM %s)", KindSelect, "SELECT * FROM main.orders LIMIT (SELECT count(*) AS count FROM main.orders)"},
	{"SELECT * FROM orders OFFSET (SELECT count(*) FROM %s)", KindSelect, "SELECT * FROM main.orders OFFSET (SELECT count(*) AS count FROM main.orders)"},
	{"SELECT count(*) FILTER (WHERE id IN (SELECT id FROM %s)) FROM orders", KindSelect, "SELECT count(*) FILTER (WHERE id IN (SELECT id FROM main.orders)) AS count FROM main.orders"},
	{"SELECT string_agg(customer, ',' ORDER BY (SELECT 1 FROM %s LIMIT 1)) FROM orders", KindSelect, `SELECT string_agg(customer, ',' ORDER BY (SELECT 1 AS "?column?" FROM main.orders LIMIT 1)) AS string_agg FROM main.orders`},
	{"SELECT * FROM orders o JOIN orders p ON p.id IN (SELECT id FROM %s)", KindSelect, "SELECT * FROM main.orders o JOIN main.orders p ON p.id IN (SELECT id FROM main.orders)"},
	{"SELECT * FROM orders WHERE id IN (1, 2, (SELECT 3 FROM %s))", KindSelect, `SELECT * FROM main.orders WHERE id IN (1, 2, (SELECT 3 AS "?column?" FROM main.orders))`},
	{"SELECT * FROM orders WHERE id BETWEEN 1 AND (SELECT max(id) FROM %s)", KindSelect, "SELECT * FROM main.orders WHERE id BETWEEN 1 AND (SELECT max(id) AS max FROM main.orders)"},
	{"SELECT (SELECT (SELECT (SELECT max(id) FROM %s)))", KindSelect, "SELECT (SELECT (SELECT (SELECT max(id) AS max FROM main.orders) AS max) AS max) AS max"},
	{"SELECT CAST((SELECT max(id) FROM %s) AS text)", KindSelect, "SELECT (SELECT max(id) AS max FROM main.orders)::text AS max"},
	{"SELECT (SELECT max(id) FROM %s)::text", KindSelect, "SELECT (SELECT max(id) AS max FROM main.orders)::text AS max"},
	{"SELECT ROW(1, (SELECT 1 FROM %s LIMIT 1))", KindSelect, `SELECT ROW(1, (SELECT 1 AS "?column?" FROM main.orders LIMIT 1)) AS "row"`},
	{"SELECT ARRAY(SELECT id FROM %s)", KindSelect, `SELECT ARRAY(SELECT id FROM main.orders) AS "array"`},
	{"SELECT ARRAY[1, (SELECT max(id) FROM %s)]", KindSelect, `SELECT ARRAY[1, (SELECT max(id) AS max FROM main.orders)] AS "array"`},
	{"SELECT DISTINCT ON ((SELECT 1 FROM %s LIMIT 1)) id FROM orders", KindSelect, `SELECT DISTINCT ON ((SELECT 1 AS "?column?" FROM main.orders LIMIT 1)) id FROM main.orders`},
	{"SELECT * FROM %s WHERE id = $1", KindSelect, "SELECT * FROM main.orders WHERE id = $1"},
	{"PREPARE q AS SELECT * FROM %s", KindPrepare, "SELECT * FROM main.orders"},
	{"DECLARE cur CURSOR FOR SELECT * FROM %s", KindDeclare, "SELECT * FROM main.orders"},
	{"SELECT 1; SELECT * FROM %s", KindSelect, "SELECT * FROM main.orders"},
	{"SELECT nullif(1, (SELECT max(id) FROM %s))", KindSelect, `SELECT NULLIF(1, (SELECT max(id) AS max FROM main.orders)) AS "nullif"`},
	{"SELECT 1 IS DISTINCT FROM (SELECT max(id) FROM %s)", KindSelect, `SELECT 1 IS DISTINCT FROM (SELECT max(id) AS max FROM main.orders) AS "?column?"`},
	{"SELECT * FROM orders o WHERE (o.id, o.customer) IN (SELECT id, customer FROM %s)", KindSelect, "SELECT * FROM main.orders o WHERE (o.id, o.customer) IN (SELECT id, customer FROM main.orders)"},
	{"SELECT count(*) FROM orders GROUP BY GROUPING SETS ((customer), ((SELECT 1 FROM %s LIMIT 1)))", KindSelect, `SELECT count(*) AS count FROM main.orders GROUP BY GROUPING SETS (customer, (SELECT 1 AS "?column?" FROM main.orders LIMIT 1))`},
	{"SELECT * FROM json_each((SELECT '{}' FROM %s LIMIT 1))", KindSelect, `SELECT * FROM LATERAL (SELECT __agnes_json.key AS key, __agnes_json.value AS value FROM json_each((SELECT '{}' AS "?column?" FROM main.orders LIMIT 1)::"json") __agnes_json) json_each(key, value)`},
}

func fillShape(shape, table string) string {
	return strings.NewReplacer("%s", table, "%S", strings.ToUpper(table[:1])+table[1:], "%U", strings.ToUpper(table)).Replace(shape)
}

func TestRBACDeniesUngrantedInEveryPosition(t *testing.T) {
	for _, tc := range rbacShapes {
		for _, table := range []string{"customers", "products"} {
			sql := fillShape(tc.shape, table)
			t.Run(sql, func(t *testing.T) {
				e := planError(t, sql, testOptions())
				if e.Code != "42P01" {
					t.Fatalf("code %s (%s), want 42P01", e.Code, e.Message)
				}
				if !strings.Contains(strings.ToLower(e.Message), table) {
					t.Errorf("message %q does not name %s", e.Message, table)
				}
				// The position points at the relation (ASCII input: characters = bytes).
				if e.Position < 1 || int(e.Position) > len(sql) {
					t.Fatalf("position %d outside the statement", e.Position)
				}
				if at := strings.ToLower(sql[e.Position-1:]); !strings.Contains(at[:min(len(at), 25)], table) {
					t.Errorf("position %d points at %q, not at %s", e.Position, sql[e.Position-1:], table)
				}
			})
		}
	}
}

func TestRBACAcceptsGrantedInEveryPosition(t *testing.T) {
	for _, tc := range rbacShapes {
		sql := fillShape(tc.shape, "orders")
		t.Run(sql, func(t *testing.T) {
			plans, err := PlanQuery(sql, testOptions())
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			p := plans[len(plans)-1]
			if p.Kind != tc.kind {
				t.Errorf("kind %s, want %s", p.Kind, tc.kind)
			}
			if got := executedSQL(p); got != tc.sql {
				t.Errorf("SQL\n got %s\nwant %s", got, tc.sql)
			}
			tables := p.Tables
			if p.Session != nil && p.Session.Inner != nil {
				tables = p.Session.Inner.Tables
			}
			if len(tables) != 1 || tables[0] != ordersTable {
				t.Errorf("tables %v, want [orders]", tables)
			}
		})
	}
}

// A table that does not exist and a table that is not granted must be
// indistinguishable: same code, same message apart from the name, same
// hint, same position.
func TestUngrantedAndMissingAreIndistinguishable(t *testing.T) {
	for _, tc := range rbacShapes {
		ungranted := planError(t, fillShape(tc.shape, "customers"), testOptions())
		missing := planError(t, fillShape(tc.shape, "zzzzzzzzz"), testOptions())
		normalize := func(s string) string {
			return strings.NewReplacer("customers", "X", "Customers", "X", "CUSTOMERS", "X",
				"zzzzzzzzz", "X", "Zzzzzzzzz", "X", "ZZZZZZZZZ", "X").Replace(s)
		}
		if ungranted.Code != missing.Code || normalize(ungranted.Message) != normalize(missing.Message) ||
			ungranted.Hint != missing.Hint || ungranted.Detail != missing.Detail ||
			ungranted.Position != missing.Position || ungranted.Severity != missing.Severity {
			t.Errorf("%s: ungranted %+v differs from missing %+v", tc.shape, *ungranted, *missing)
		}
	}
}

func TestCTEScopes(t *testing.T) {
	accepted := []struct {
		sql    string
		want   string
		tables int
	}{
		// A CTE named like an ungranted table shadows it.
		{"WITH customers AS (SELECT 1 AS id) SELECT * FROM customers",
			"WITH __agnes_cte1 AS (SELECT 1 AS id) SELECT * FROM __agnes_cte1 customers", 0},
		// DuckDB matches identifiers case-insensitively, quoted or not.
		{`WITH "Customers" AS (SELECT 1 AS id) SELECT * FROM CUSTOMERS`,
			"WITH __agnes_cte1 AS (SELECT 1 AS id) SELECT * FROM __agnes_cte1 customers", 0},
		{"WITH customers AS (SELECT * FROM orders) SELECT c.id FROM customers c JOIN orders o ON o.id = c.id",
			"WITH __agnes_cte1 AS (SELECT * FROM main.orders) SELECT c.id FROM __agnes_cte1 c JOIN main.orders o ON o.id = c.id", 1},
		// The body of a non-recursive CTE does not see itself: inner orders is the table.
		{"WITH orders AS (SELECT * FROM orders) SELECT * FROM orders",
			"WITH __agnes_cte1 AS (SELECT * FROM main.orders) SELECT * FROM __agnes_cte1 orders", 1},
		{"WITH RECURSIVE customers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM customers WHERE n < 5) SELECT * FROM customers",
			`WITH RECURSIVE __agnes_cte1(n) AS (SELECT 1 AS "?column?" UNION ALL SELECT n + 1 AS "?column?" FROM __agnes_cte1 customers WHERE n < 5) SELECT * FROM __agnes_cte1 customers`, 0},
		// A nested WITH sees the outer CTEs.
		{"WITH a AS (SELECT 1 AS x) SELECT * FROM (WITH customers AS (SELECT x FROM a) SELECT * FROM customers) s",
			"WITH __agnes_cte1 AS (SELECT 1 AS x) SELECT * FROM (WITH __agnes_cte2 AS (SELECT x FROM __agnes_cte1 a) SELECT * FROM __agnes_cte2 customers) s", 0},
		// Earlier siblings are visible to later ones.
		{"WITH a AS (SELECT 1 AS x), customers AS (SELECT * FROM a) SELECT * FROM customers",
			"WITH __agnes_cte1 AS (SELECT 1 AS x), __agnes_cte2 AS (SELECT * FROM __agnes_cte1 a) SELECT * FROM __agnes_cte2 customers", 0},
		// An explicit alias is kept.
		{"WITH customers AS (SELECT 1 AS id) SELECT k.id FROM customers AS k",
			"WITH __agnes_cte1 AS (SELECT 1 AS id) SELECT k.id FROM __agnes_cte1 k", 0},
	}
	for _, tc := range accepted {
		t.Run(tc.sql, func(t *testing.T) {
			p := planOne(t, tc.sql, testOptions())
			if p.SQL != tc.want {
				t.Errorf("SQL\n got %s\nwant %s", p.SQL, tc.want)
			}
			if len(p.Tables) != tc.tables {
				t.Errorf("tables %v, want %d", p.Tables, tc.tables)
			}
		})
	}
	refused := []struct{ sql, code string }{
		// The CTE body refers to the real table, not to itself.
		{"WITH customers AS (SELECT * FROM customers) SELECT * FROM customers", "42P01"},
		{"WITH c AS (SELECT 1) SELECT * FROM c, customers", "42P01"},
		// A CTE inside a subquery is not visible outside it.
		{"SELECT * FROM (WITH customers AS (SELECT 1) SELECT * FROM customers) s, customers", "42P01"},
		{"WITH x AS (SELECT 1) SELECT * FROM x WHERE EXISTS (WITH customers AS (SELECT 1) SELECT 1) AND EXISTS (SELECT 1 FROM customers)", "42P01"},
		// A qualified name never binds to a CTE.
		{"WITH customers AS (SELECT 1) SELECT * FROM public.customers", "42P01"},
		// Later siblings are not visible, not even under RECURSIVE (DuckDB
		// binds such a name to a table).
		{"WITH RECURSIVE a AS (SELECT * FROM customers), customers AS (SELECT 1) SELECT * FROM a", "42P01"},
		{"WITH a AS (SELECT * FROM customers), customers AS (SELECT 1) SELECT * FROM a", "42P01"},
		{"WITH a AS (SELECT 1), A AS (SELECT 2) SELECT * FROM a", "42712"},
	}
	for _, tc := range refused {
		t.Run(tc.sql, func(t *testing.T) {
			if e := planError(t, tc.sql, testOptions()); e.Code != tc.code {
				t.Errorf("code %s (%s), want %s", e.Code, e.Message, tc.code)
			}
		})
	}
}

func TestCatalogRelations(t *testing.T) {
	accepted := []struct {
		sql   string
		route Route
		want  string
	}{
		{"SELECT relname FROM pg_class", RouteCatalog, "SELECT relname FROM pg_catalog.pg_class"},
		{"SELECT relname FROM PG_CATALOG.PG_CLASS", RouteCatalog, "SELECT relname FROM pg_catalog.pg_class"},
		{"SELECT table_name FROM information_schema.tables", RouteCatalog, "SELECT table_name FROM information_schema.tables"},
		{"SELECT count(*) FROM pg_stat_activity", RouteCatalog, "SELECT count(*) AS count FROM pg_catalog.pg_stat_activity"},
		{"SELECT * FROM orders o JOIN pg_catalog.pg_namespace n ON true", RouteLocal, "SELECT * FROM main.orders o JOIN pg_catalog.pg_namespace n ON true"},
		{"SELECT pg_catalog.version()", RouteCatalog, "SELECT version() AS version"},
		{"SELECT current_user, 1", RouteCatalog, `SELECT current_user AS "current_user", 1 AS "?column?"`},
		{"SELECT 1", RouteLocal, `SELECT 1 AS "?column?"`},
	}
	for _, tc := range accepted {
		t.Run(tc.sql, func(t *testing.T) {
			p := planOne(t, tc.sql, testOptions())
			if p.Route != tc.route || p.SQL != tc.want {
				t.Errorf("route %s SQL %s, want %s %s", p.Route, p.SQL, tc.route, tc.want)
			}
		})
	}
	// Only relations PostgreSQL has are catalog relations; DuckDB's own
	// objects (and anything else) are unknown tables.
	for _, sql := range []string{
		"SELECT * FROM pg_catalog.duckdb_tables",
		"SELECT * FROM duckdb_settings",
		"SELECT * FROM sqlite_master",
		"SELECT * FROM information_schema.duckdb_columns",
		"SELECT * FROM pg_catalog.orders",
		`SELECT * FROM "orders.parquet"`,
		`SELECT * FROM "/etc/passwd"`,
		"SELECT * FROM main.orders",
		"SELECT * FROM sales.events",
		"SELECT * FROM pg_no_such_catalog",
	} {
		t.Run(sql, func(t *testing.T) {
			if e := planError(t, sql, testOptions()); e.Code != "42P01" {
				t.Errorf("code %s (%s), want 42P01", e.Code, e.Message)
			}
		})
	}
}
