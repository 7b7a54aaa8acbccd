package planner

import (
	"bufio"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// trickySelects cover every construct the printer ports, with the quoting,
// escaping and parenthesization corner cases of each. All of them must be
// printed by the Go printer.
var trickySelects = []string{
	// identifiers
	`SELECT 1 AS "select", 2 AS "Mixed", 3 AS "ünï", 4 AS from_, 5 AS "a""b", 6 AS _x1, 7 AS "1a", 8 AS "a b"`,
	`SELECT "user".x, "Tab"."Col", t.* FROM "user", "Tab" t`,
	`SELECT abort, action, "between", bigint, "authorization", year FROM t`,
	`SELECT t.select, t.from, t."order" FROM t`,
	`SELECT x AS int, y AS "float", z AS "left", w AS value FROM t`,
	`SELECT * FROM "Schema"."Table" AS "Alias"("A", b)`,
	`SELECT * FROM cat.sch.tab, ONLY t2, t3 *`,
	`SELECT "ümlaut", "日本" FROM "データ"`,
	// constants
	`SELECT 'it''s', 'a\b', E'a\nb', E'\\', E'\'', U&'d\0061t\+000061', 'x'
'y'`,
	`SELECT '', ' ', 'tab	here', 'line
break'`,
	`SELECT 1, -1, +1, - 1, 2147483647, -2147483648, 2147483648, 9223372036854775808, 0x1F, 0o17, 0b101, 1_000`,
	`SELECT 1e10, .5, 1.5e-3, -1.5, -.5, 5., 1E+10, -0.0, 00012`,
	`SELECT B'0101', X'1F', b'', x'ab'`,
	`SELECT NULL, TRUE, FALSE, true AND NULL`,
	`SELECT $1, $2::int, $10 + 1, ($1)[1], $1.x`,
	// casts and type names
	`SELECT (-1)::int, (-1.5)::numeric, 1.5::float8, (-1)::text, -1::int, 1::int::text`,
	`SELECT x::int[], x::int[3][], x::varchar(10)[], x::pg_catalog.int8, x::"MyType", x::bit varying(5)`,
	`SELECT x::char(3), x::character varying, x::character, x::bool, x::boolean, x::real, x::float4, x::float(10), x::float(30)`,
	`SELECT x::double precision, x::smallint, x::integer, x::bigint, x::decimal(10, 2), x::numeric, x::dec`,
	`SELECT x::time, x::time(3), x::time with time zone, x::time(2) with time zone, x::timetz, x::time without time zone`,
	`SELECT x::timestamp, x::timestamp(3), x::timestamptz, x::timestamp(6) with time zone, x::timestamp without time zone`,
	`SELECT interval '1' day, interval '1 hour' hour to minute, '1'::interval(3), interval(2) '1 s', interval '1' second(3)`,
	`SELECT interval '1' year, interval '1' month, interval '1' hour, interval '1' minute, interval '1' year to month`,
	`SELECT interval '1' day to hour, interval '1' day to minute, interval '1' day to second, interval '1' hour to second, interval '1' minute to second(2)`,
	`SELECT x::interval, x::interval day, CAST(x AS interval hour to second(3))`,
	`SELECT CAST(x AS text), CAST(-1 AS int), CAST(x AS pg_catalog.text), x::public.mytype, x::pg_catalog.regclass`,
	`SELECT 'x'::bpchar, 'x'::char, char 'x', 't'::bool, 'f'::boolean, 'yes'::bool, bool 't', 'x'::pg_catalog.bpchar(2)`,
	`SELECT point '(1,2)', '(1,2)'::point, int '1', text 'abc', timestamp '2020-01-01', date '2020-01-01', timestamptz 'now'`,
	`SELECT x::int8range, x::t%TYPE, x::setof_t, 'a'::"char", x::name, x::oid, x::regtype[]`,
	`SELECT ARRAY[1, 2]::int[], '{1,2}'::int[][], x::bit(3), x::national character varying(4)`,
	`SELECT (x + 1)::int, (x = 1)::text, (x IS NULL)::int, (NOT x)::int, (x IS TRUE)::text, f(x)::int, (x).y::int`,
	// operators and precedence
	`SELECT 1 + 2 * 3, (1 + 2) * 3, 1 - -1, - - 1, -(-1), +x, -x, 2 ^ 3 ^ 4, x % 2, |/ 16, @ -5, ~ 5`,
	`SELECT a < b, a <= b, a <> b, a != b, a >= b, a = b AND c = d OR e = f, a = (b = c)`,
	`SELECT NOT a, NOT NOT a, NOT (a AND b), NOT (a OR b), NOT a = b, a AND NOT b, (a OR b) AND c, a OR (b AND c)`,
	`SELECT a AND b AND c, a OR b OR c, (a AND b) AND c, a AND (b AND c), a OR (b OR c)`,
	`SELECT x ~ 'a', x !~ 'a', x ~* 'a', x !~* 'a', x OPERATOR(pg_catalog.+) 1, x OPERATOR(+) 1, OPERATOR(pg_catalog.-) 1`,
	`SELECT a @> b, a <@ b, a && b, a || b, a ->> 'k', a -> 'k', a #> '{a}', a #>> '{a}', a ?| b, a ?& b`,
	`SELECT x IS NULL, x IS NOT NULL, x ISNULL, x NOTNULL, (x IS NULL) IS NULL, x IS NULL = true, NOT x IS NULL`,
	`SELECT x IS TRUE, x IS NOT TRUE, x IS FALSE, x IS NOT FALSE, x IS UNKNOWN, x IS NOT UNKNOWN, (a AND b) IS TRUE`,
	`SELECT a IS DISTINCT FROM b, a IS NOT DISTINCT FROM b, (a = b) IS DISTINCT FROM (c = d), a IS NOT DISTINCT FROM (b = c)`,
	`SELECT NULLIF(a, b), NULLIF(a + 1, b), COALESCE(a, b, 1), GREATEST(1, a), LEAST(a, 2, 3)`,
	`SELECT a IN (1, 2, 3), a NOT IN ('x'), (a, b) IN ((1, 2)), a IN (SELECT 1), a NOT IN (SELECT b FROM t)`,
	`SELECT a LIKE 'x%', a NOT LIKE 'x', a ILIKE 'x', a NOT ILIKE 'x', a LIKE 'x' ESCAPE '!', a ~~ 'x', a !~~* 'y'`,
	`SELECT a SIMILAR TO 'x', a NOT SIMILAR TO 'x', a SIMILAR TO 'x' ESCAPE '#', a SIMILAR TO b || 'c'`,
	`SELECT a BETWEEN 1 AND 2, a NOT BETWEEN 1 AND 2, a BETWEEN SYMMETRIC 2 AND 1, a NOT BETWEEN SYMMETRIC 1 AND 2, a BETWEEN b + 1 AND c * 2`,
	`SELECT a = ANY(ARRAY[1, 2]), a <> ALL('{1}'), a = ANY($1), a LIKE ANY(ARRAY['x']), a NOT ILIKE ALL(b), a OPERATOR(pg_catalog.=) ANY(b)`,
	`SELECT a = ANY(SELECT 1), a < ALL(SELECT 1), a = SOME(SELECT 1), a LIKE ANY(SELECT 'x'), a OPERATOR(pg_catalog.>) ALL(SELECT 1)`,
	`SELECT (a, b) = (1, 2), ROW(a, b) < ROW(1, 2), (a, b) IS NULL, ROW(), ROW(1), (1, 'x')`,
	`SELECT a COLLATE "C", a COLLATE pg_catalog."default", (a || b) COLLATE "de_DE", a < b COLLATE "C"`,
	`SELECT x AT TIME ZONE 'utc', (x AT TIME ZONE 'utc')::text, x AT LOCAL, (x + y) AT TIME ZONE z, f(x AT TIME ZONE 'UTC')`,
	`SELECT ((x AT TIME ZONE 'a') AT TIME ZONE 'b'), (x AT TIME ZONE 'a')[1], CAST(x AT LOCAL AS date)`,
	`SELECT a[1], a[1:2], a[:2], a[1:], a[:], a[1][2], (a)[1], (f(x))[1], (f(x)).y, (f(x)).*, (x).y.z, a.b[1].c`,
	`SELECT (ARRAY[1, 2])[1], (ROW(1, 2)).f1, ('{1}'::int[])[1], ($1::int[])[1], (a || b)[1], (SELECT ARRAY[1])[1]`,
	`SELECT ARRAY[1, 2], ARRAY[[1, 2], [3, 4]], ARRAY[]::int[], ARRAY(SELECT 1), ARRAY[ARRAY[1]]`,
	// functions
	`SELECT f(), f(1, 'a'), s.f(x), pg_catalog.now(), "F"(x), "select"(1), left('a', 1), coalesce(1), nullif(1, 2)`,
	`SELECT count(*), count(DISTINCT x), count(ALL x), sum(x ORDER BY y DESC NULLS LAST), string_agg(DISTINCT x, ',' ORDER BY x)`,
	`SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x), mode() WITHIN GROUP (ORDER BY x DESC), rank(1) WITHIN GROUP (ORDER BY x, y)`,
	`SELECT count(*) FILTER (WHERE x > 0), sum(x) FILTER (WHERE x IS NOT NULL) OVER (), array_agg(x ORDER BY y) FILTER (WHERE true)`,
	`SELECT f(a := 1, b => 2), f(VARIADIC ARRAY[1]), f(1, VARIADIC ARRAY[2]), make_interval(days := 1), f(x := y + 1)`,
	`SELECT count(*) OVER w, sum(x) OVER (PARTITION BY a ORDER BY b ROWS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE TIES) FROM t WINDOW w AS (ORDER BY c)`,
	`SELECT row_number() OVER (), rank() OVER (ORDER BY x), sum(x) OVER (PARTITION BY a, b), lag(x, 1) OVER (w ORDER BY y) FROM t WINDOW w AS (PARTITION BY z)`,
	`SELECT sum(x) OVER (ROWS UNBOUNDED PRECEDING), sum(x) OVER (ROWS CURRENT ROW), sum(x) OVER (ROWS 3 PRECEDING), sum(x) OVER (RANGE BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)`,
	`SELECT sum(x) OVER (GROUPS BETWEEN 1 PRECEDING AND 2 FOLLOWING EXCLUDE GROUP), sum(x) OVER (ORDER BY y RANGE BETWEEN '1 day' PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW)`,
	`SELECT sum(x) OVER (ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING EXCLUDE NO OTHERS), sum(x) OVER (ORDER BY y ROWS BETWEEN 2 FOLLOWING AND 3 FOLLOWING)`,
	`SELECT f(x) OVER w, g(y) OVER (w), h(z) OVER (w ROWS 1 PRECEDING) FROM t WINDOW w AS (), v AS (w ORDER BY a), "W" AS (PARTITION BY b)`,
	`SELECT EXTRACT(year FROM x), extract('epoch' FROM x), EXTRACT(DAY FROM '2020-01-01'::date), date_part('year', x)`,
	`SELECT SUBSTRING(x FROM 1 FOR 2), substring(x, 1, 2), SUBSTRING(x FROM 2), substring(x FOR 3), substring(x SIMILAR 'a' ESCAPE '#')`,
	`SELECT POSITION('a' IN x), position(x || 'b' IN y), POSITION(-1 IN x), strpos(x, 'a')`,
	`SELECT OVERLAY(x PLACING 'y' FROM 1 FOR 2), overlay(x placing 'y' from 1), overlay(x, 'y', 1, 2)`,
	`SELECT TRIM(x), TRIM(BOTH FROM x), TRIM(LEADING 'a' FROM x), TRIM(TRAILING FROM x), TRIM('a' FROM x), btrim(x), ltrim(x, 'a')`,
	`SELECT normalize(x), normalize(x, NFKC), x IS NORMALIZED, x IS NFD NORMALIZED, x IS NOT NFKD NORMALIZED`,
	`SELECT COLLATION FOR (x), COLLATION FOR ('a' COLLATE "C")`,
	`SELECT (a, b) OVERLAPS (c, d), (DATE '2001-02-16', DATE '2001-12-21') OVERLAPS (DATE '2001-10-30', DATE '2002-10-30')`,
	`SELECT CURRENT_DATE, CURRENT_TIME, CURRENT_TIME(2), CURRENT_TIMESTAMP, CURRENT_TIMESTAMP(3), LOCALTIME, LOCALTIME(1), LOCALTIMESTAMP, LOCALTIMESTAMP(0)`,
	`SELECT CURRENT_ROLE, CURRENT_USER, USER, SESSION_USER, CURRENT_CATALOG, CURRENT_SCHEMA, SYSTEM_USER`,
	`SELECT xmlexists('//a' PASSING x), f(x) IS NULL`,
	`SELECT GROUPING(a), GROUPING(a, b) FROM t GROUP BY ROLLUP (a, b)`,
	// CASE
	`SELECT CASE WHEN a THEN 1 END, CASE WHEN a THEN 1 WHEN b THEN 2 ELSE 3 END, CASE x WHEN 1 THEN 'a' ELSE 'b' END`,
	`SELECT CASE WHEN a THEN (SELECT 1) ELSE 2 END, 3, CASE WHEN EXISTS (SELECT 1) THEN CASE WHEN b THEN 1 END END`,
	`SELECT CASE a OR b WHEN true THEN 1 END, CASE WHEN a AND b THEN c AND d ELSE e OR f END, -CASE WHEN a THEN 1 END`,
	// sublinks
	`SELECT EXISTS (SELECT 1), NOT EXISTS (SELECT 1 FROM t WHERE t.a = u.a), (SELECT max(x) FROM t), ARRAY(SELECT x FROM t ORDER BY x)`,
	`SELECT (SELECT 1) + 1, -(SELECT 1), (SELECT 1)::text, (SELECT a FROM t LIMIT 1) IS NULL, x = (SELECT 1)`,
	`SELECT * FROM t WHERE a IN (SELECT a FROM u WHERE b IN (SELECT b FROM v)) AND EXISTS (SELECT 1 FROM w)`,
	// SELECT clauses
	`SELECT DISTINCT a FROM t`,
	`SELECT DISTINCT ON (a) a, b FROM t ORDER BY a, b DESC`,
	`SELECT DISTINCT ON (a, b + 1) * FROM t`,
	`SELECT a, count(*) FROM t WHERE b > 1 GROUP BY a HAVING count(*) > 1 ORDER BY 2 DESC, 1 LIMIT 10 OFFSET 5`,
	`SELECT a FROM t GROUP BY GROUPING SETS ((a, b), a, ()), ROLLUP (a, (b, c)), CUBE (a)`,
	`SELECT a FROM t GROUP BY DISTINCT a, ROLLUP (b)`,
	`SELECT a FROM t GROUP BY GROUPING SETS (ROLLUP (a), CUBE (b, c), GROUPING SETS (a, ()))`,
	`SELECT a FROM t GROUP BY ()`,
	`SELECT a FROM t ORDER BY a ASC, b DESC, c NULLS FIRST, d DESC NULLS LAST, e USING <, f USING > NULLS LAST`,
	`SELECT a FROM t ORDER BY a USING OPERATOR(pg_catalog.<)`,
	`SELECT * FROM t LIMIT ALL`,
	`SELECT * FROM t LIMIT NULL OFFSET 0`,
	`SELECT * FROM t LIMIT $1 OFFSET $2`,
	`SELECT * FROM t LIMIT 1 + 1 OFFSET (SELECT 1)`,
	`SELECT * FROM t OFFSET 5 ROWS FETCH FIRST 3 ROWS ONLY`,
	`SELECT * FROM t ORDER BY a FETCH FIRST 3 ROWS WITH TIES`,
	`SELECT * FROM t ORDER BY a FETCH NEXT (1 + 1) ROWS WITH TIES`,
	`SELECT * FROM t ORDER BY a OFFSET 1 FETCH FIRST ROW WITH TIES`,
	`SELECT * FROM t FOR UPDATE`,
	`SELECT * FROM t FOR UPDATE OF t NOWAIT FOR SHARE SKIP LOCKED`,
	`SELECT * FROM t, u FOR NO KEY UPDATE OF t, u FOR KEY SHARE`,
	`SELECT`,
	`SELECT FROM t`,
	`SELECT *, t.*, "T".* FROM t, "T"`,
	`TABLE t`,
	`VALUES (1, 2), (3, 4)`,
	`VALUES (1), (DEFAULT) ORDER BY 1 LIMIT 1`,
	`SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)`,
	// set operations
	`SELECT 1 UNION SELECT 2`,
	`SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4`,
	`(SELECT 1 UNION SELECT 2) INTERSECT ALL (SELECT 3 EXCEPT SELECT 4)`,
	`SELECT 1 UNION (SELECT 2 ORDER BY 1) ORDER BY 1 LIMIT 3`,
	`(SELECT 1 LIMIT 1) UNION ALL (SELECT 2 FOR UPDATE)`,
	`SELECT 1 EXCEPT (WITH x AS (SELECT 1) SELECT * FROM x)`,
	`VALUES (1) UNION VALUES (2)`,
	`SELECT * FROM (SELECT 1 UNION SELECT 2) s`,
	// WITH
	`WITH a AS (SELECT 1), b(x, y) AS (SELECT 1, 2) SELECT * FROM a, b`,
	`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM r`,
	`WITH a AS MATERIALIZED (SELECT 1), b AS NOT MATERIALIZED (SELECT 2) SELECT 1`,
	`WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SEARCH DEPTH FIRST BY n SET ord CYCLE n SET is_cycle USING path SELECT * FROM r`,
	`WITH RECURSIVE r(a, b) AS (SELECT 1, 2 UNION ALL SELECT a, b FROM r) SEARCH BREADTH FIRST BY a, b SET o CYCLE a, b SET c TO 'y' DEFAULT 'n' USING p SELECT 1`,
	`WITH RECURSIVE r(a) AS (SELECT 1 UNION SELECT a FROM r) CYCLE a SET c TO 1 DEFAULT 0 USING p SELECT * FROM r`,
	`WITH "Q" AS (SELECT 1) SELECT * FROM "Q" WHERE EXISTS (WITH i AS (SELECT 2) SELECT * FROM i)`,
	`SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM x) s`,
	// FROM items
	`SELECT * FROM t1 JOIN t2 ON t1.a = t2.a LEFT JOIN t3 USING (a) RIGHT OUTER JOIN t4 ON true FULL JOIN t5 ON false`,
	`SELECT * FROM t1 CROSS JOIN t2, t3 NATURAL JOIN t4, t5 NATURAL LEFT JOIN t6, t7 INNER JOIN t8 USING (a, b)`,
	`SELECT a FROM t1 JOIN (t2 JOIN t3 USING (x) AS j) ON true, t4 NATURAL LEFT JOIN t5, (t6 CROSS JOIN t7) AS q`,
	`SELECT * FROM (t1 JOIN t2 ON true) JOIN (t3 JOIN t4 ON true) ON true`,
	`SELECT * FROM t1 JOIN t2 USING (a) AS u, (t3 JOIN t4 USING (b)) AS v(c, d)`,
	`SELECT * FROM t1 JOIN (t2 JOIN (t3 JOIN t4 ON a) ON b) ON c`,
	`SELECT * FROM t1 AS a JOIN t2 AS "B" ON a.x = "B".x AND (a.y = 1 OR "B".y = 2)`,
	`SELECT * FROM (SELECT 1) s, LATERAL (SELECT s.*) l, (SELECT 2) AS "S"(x)`,
	`SELECT * FROM generate_series(1, 3), generate_series(1, 3) g, generate_series(1, 3) AS g2(n), LATERAL unnest(a) WITH ORDINALITY`,
	`SELECT * FROM ROWS FROM (f(1) AS (a int), g(2)) WITH ORDINALITY AS x(a, b)`,
	`SELECT * FROM ROWS FROM (f(1), g(2)), LATERAL ROWS FROM (h(3) AS (x text))`,
	`SELECT * FROM f(1) AS x(a int, b text COLLATE "C"), g() AS (c int[]), h() y`,
	`SELECT * FROM CAST(1 AS int), current_date, COALESCE(1, 2), GREATEST(1, 2) g, unnest(ARRAY[1]) WITH ORDINALITY u(x, n)`,
	`SELECT * FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname ~ '^(t)$' AND pg_catalog.pg_table_is_visible(c.oid)`,
	// rewriter shapes and client favourites
	`SELECT t.oid, t.typname FROM pg_type t WHERE t.oid = ANY($1::oid[])`,
	`SELECT n.nspname = ANY(current_schemas(true)), (current_schemas(true))[1], current_setting('search_path')`,
	`SELECT c.relname, pg_catalog.pg_get_expr(d.adbin, d.adrelid) FROM pg_class c LEFT JOIN pg_attrdef d ON (c.oid = d.adrelid AND d.adnum = 1)`,
	`SELECT CASE WHEN a.attnum > 0 THEN 'x' ELSE NULL END AS "attr", a.attname::text, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a`,
	`SELECT x FROM t WHERE (a, b) > (1, 2) AND NOT (c IS NULL) AND (d OR e) AND f IN (1) AND g = ANY (ARRAY[1])`,
	`SELECT 1 FROM t WHERE a = 1 AND b = 2 AND c = 3 OR d = 4 AND (e = 5 OR f = 6) AND NOT (g = 7 AND h = 8)`,
	`SELECT a + b - c * d / e % f ^ g, (a + b) * c, a * (b + c), a - (b - c), (a - b) - c, a / (b / c)`,
	`SELECT a || b || c, (a || b) || c, a || (b || c), 'x' || 1 || 'y'`,
	`SELECT x::text || 'a', -x::int, (-x)::int, - (x::int), x::int - 1, - 1::int, -(1)::int`,
	`SELECT -1::int, (-1)::int, -1.5::numeric, (-1.5)::numeric, 1.5::numeric, '-1'::int, - '1'::int`,
	`SELECT * FROM t WHERE x = $1 AND y LIKE $2 || '%' AND z BETWEEN $3 AND $4 AND w IN ($5, $6) LIMIT $7`,
	`SELECT "Weird ""Name""".x, "a.b".c FROM "Weird ""Name""", "a.b"`,
	`SELECT a AS b FROM t AS c(d) WHERE c.d IS NOT NULL ORDER BY b NULLS FIRST`,
	`SELECT ((((1))))`,
	`SELECT (((a AND b))) OR (c)`,
	`SELECT ~~~ 1, 1 +- 2, 1 -+ 2, a !! b`,
	`SELECT x = ALL(ARRAY(SELECT 1)), x = ANY('{}'), x <> ANY(y || z)`,
	`SELECT f(x ORDER BY y USING <), g(DISTINCT x ORDER BY x NULLS FIRST)`,
	`SELECT f(*), count(*) OVER (PARTITION BY a ORDER BY b RANGE CURRENT ROW)`,
	`SELECT 1 WHERE NOT (NOT a)`,
	`SELECT (a IS NULL) IS NOT NULL, NOT a IS NOT NULL, (a IS TRUE) IS FALSE, (a = b) = c, a = (b = c)`,
	`SELECT (a < b) < c, a < (b < c)`,
	`SELECT x IS NORMALIZED, y, (a, b) OVERLAPS (c, d), z FROM t WHERE x IS NORMALIZED`,
	`SELECT a ORDER BY a COLLATE "C" DESC`,
	`SELECT x FROM t LIMIT x AT TIME ZONE 'a' OFFSET (x AT TIME ZONE 'b')::int`,
	// The deparser's text for these parses to a different tree (lost
	// parentheses, names printed without quotes); the printer copies it.
	`SELECT (a OR b) IN (SELECT 1), (NOT a) IN (true), (a = b) BETWEEN c AND d, a BETWEEN (b AND c) AND d`,
	`SELECT x AT TIME ZONE (a + b), (a LIKE b) LIKE c, (1 = 1) = ANY(ARRAY[true])`,
	`SELECT f("A" := 1), x::pg_catalog."Foo", count(*) OVER "W" FROM t1 JOIN t2 USING (a) AS "J" WINDOW "W" AS ()`,
}

// unprintedSelects are SELECTs the printer deliberately leaves to the C
// deparser: node types it does not port, and shapes where the deparser's
// output depends on how it would merge parts for pretty printing.
var unprintedSelects = []string{
	`SELECT * FROM t TABLESAMPLE SYSTEM (10)`,
	`SELECT * FROM XMLTABLE('/a' PASSING x COLUMNS b int)`,
	`SELECT * FROM JSON_TABLE('{}', '$' COLUMNS (a int))`,
	`SELECT JSON_OBJECT('a': 1), JSON_ARRAY(1), x IS JSON`,
	`SELECT json_value('{}', '$.a'), JSON_QUERY('{}', '$')`,
	`SELECT xmlelement(name a), xmlforest(1 AS b), XMLSERIALIZE(CONTENT x AS text)`,
	`SELECT a INTO b FROM t`,
	`WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d`,
	// IS NORMALIZED and OVERLAPS end in a blank; before END the deparser
	// trims it or not depending on how it merges parts for pretty printing.
	`SELECT CASE WHEN a THEN 1 ELSE x IS NORMALIZED END`,
	`SELECT CASE WHEN a THEN 1 ELSE (a, b) OVERLAPS (c, d) END, 2`,
}

func TestPrintSelectTricky(t *testing.T) {
	for _, sql := range trickySelects {
		node := onlySelect(t, sql)
		if node == nil {
			t.Errorf("%s: not a single SELECT", sql)
			continue
		}
		got, ok := printSelect(node)
		if !ok {
			t.Errorf("not printed: %s", sql)
			continue
		}
		checkSameAsDeparser(t, sql, node, got)
	}
	for _, sql := range unprintedSelects {
		node := onlySelect(t, sql)
		if node == nil {
			t.Errorf("%s: not a single SELECT", sql)
			continue
		}
		if got, ok := printSelect(node); ok {
			checkSameAsDeparser(t, sql, node, got)
			t.Errorf("printed, expected the C deparser: %s\n-> %s", sql, got)
		}
	}
}

// TestPrintSelectCorpus prints every SELECT the clients and tools sent,
// and the SQL of the planner's test tables, and plans the tools' statements
// (every deparse of a planner test is checked against the C deparser).
func TestPrintSelectCorpus(t *testing.T) {
	files := corpusFiles(t, "clients", "tools")
	fromFiles := map[string]bool{}
	for _, sql := range files {
		fromFiles[sql] = true
	}
	var total, printed, fileTotal, filePrinted int
	for _, sql := range printCorpus(t) {
		node := onlySelect(t, sql)
		if node == nil {
			continue
		}
		total++
		if fromFiles[sql] {
			fileTotal++
		}
		got, ok := printSelect(node)
		if !ok {
			t.Logf("not printed: %.200s", sql)
			continue
		}
		printed++
		if fromFiles[sql] {
			filePrinted++
		}
		checkSameAsDeparser(t, sql, node, got)
	}
	t.Logf("printed %d of %d SELECT statements of testdata/clients and testdata/tools (%.1f%%), %d of %d with the tests' SQL (%.1f%%)",
		filePrinted, fileTotal, 100*float64(filePrinted)/float64(fileTotal), printed, total, 100*float64(printed)/float64(total))
	if fileTotal < 100 || total < 500 || float64(printed) < 0.98*float64(total) || float64(filePrinted) < 0.98*float64(fileTotal) {
		t.Fatalf("printed %d of %d SELECT statements, want at least 98%%", printed, total)
	}
	for _, sql := range corpusFiles(t, "tools") {
		_, _ = PlanQuery(sql, testOptions())
	}
}

// FuzzPrintSelect: for every input that parses to one SELECT, the printer
// prints exactly what the C deparser prints, or declines. Run with
//
//	go test -tags duckdb_arrow -run '^$' -fuzz FuzzPrintSelect ./planner/
func FuzzPrintSelect(f *testing.F) {
	for _, s := range printCorpus(f) {
		f.Add(s)
	}
	for _, s := range trickySelects {
		f.Add(s)
	}
	for _, s := range unprintedSelects {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		tree, err := pg_query.Parse(sql)
		if err != nil || len(tree.Stmts) != 1 || tree.Stmts[0].Stmt.GetSelectStmt() == nil {
			return
		}
		node := tree.Stmts[0].Stmt
		got, ok := printSelect(node)
		if !ok {
			return
		}
		checkSameAsDeparser(t, sql, node, got)
	})
}

// BenchmarkPrintSelect prints each SELECT of the corpus per operation, with
// the Go printer and with pg_query.Deparse (protobuf marshalling and the C
// deparser).
func BenchmarkPrintSelect(b *testing.B) {
	var nodes []*pg_query.Node
	for _, sql := range corpusFiles(b, "clients", "tools") {
		tree, err := pg_query.Parse(sql)
		if err != nil || len(tree.Stmts) != 1 {
			continue
		}
		if n := tree.Stmts[0].Stmt; n.GetSelectStmt() != nil {
			if _, ok := printSelect(n); ok {
				nodes = append(nodes, n)
			}
		}
	}
	b.Run("go", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, ok := printSelect(nodes[i%len(nodes)]); !ok {
				b.Fatal("not printed")
			}
		}
	})
	b.Run("c", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := cDeparse(nodes[i%len(nodes)]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestKeywordTable checks print_keywords.go against kwlist.h of the
// pg_query_go module in the module cache.
func TestKeywordTable(t *testing.T) {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/pganalyze/pg_query_go/v6").Output()
	if err != nil {
		t.Skipf("module directory unknown: %v", err)
	}
	path := filepath.Join(strings.TrimSpace(string(out)), "parser", "include", "postgres", "parser", "kwlist.h")
	file, err := os.Open(path)
	if err != nil {
		t.Skipf("no kwlist.h: %v", err)
	}
	defer file.Close()
	categories := map[string]kwCategory{"UNRESERVED": kwUnreserved, "COL_NAME": kwColName,
		"TYPE_FUNC_NAME": kwTypeFuncName, "RESERVED": kwReserved}
	re := regexp.MustCompile(`^PG_KEYWORD\("([a-z_]+)", \w+, (\w+)_KEYWORD, \w+\)`)
	n := 0
	sc := bufio.NewScanner(file)
	for sc.Scan() {
		m := re.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		n++
		if got := keywordCategory(m[1]); got != categories[m[2]] {
			t.Errorf("%s: category %d, kwlist.h says %s", m[1], got, m[2])
		}
	}
	if n < 400 {
		t.Fatalf("read only %d keywords from %s", n, path)
	}
	for _, word := range []string{"orders", "id", "selects", "Select", ""} {
		if keywordCategory(word) != kwNone {
			t.Errorf("%q is not a keyword", word)
		}
	}
}

// TestPrintSelectRefusesBrokenTrees: trees the parser never builds and the
// C deparser rejects or prints with parts missing are left to it.
func TestPrintSelectRefusesBrokenTrees(t *testing.T) {
	str := pg_query.MakeStrNode
	col := func(name string) *pg_query.Node { return pg_query.MakeColumnRefNode([]*pg_query.Node{str(name)}, 0) }
	sel := func(target *pg_query.Node) *pg_query.Node {
		return &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
			TargetList: []*pg_query.Node{pg_query.MakeResTargetNodeWithVal(target, 0)}}}}
	}
	for name, target := range map[string]*pg_query.Node{
		"empty node":                           {},
		"nil operand":                          pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{str("+")}, col("a"), nil, 0),
		"empty operator":                       pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{str("")}, col("a"), col("b"), 0),
		"three-part op":                        pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{str("a"), str("b"), str("+")}, col("a"), col("b"), 0),
		"NOT of two":                           pg_query.MakeBoolExprNode(pg_query.BoolExprType_NOT_EXPR, []*pg_query.Node{col("a"), col("b")}, 0),
		"empty AND":                            pg_query.MakeBoolExprNode(pg_query.BoolExprType_AND_EXPR, nil, 0),
		"bad IN operator":                      pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_IN, []*pg_query.Node{str("<")}, col("a"), pg_query.MakeListNode([]*pg_query.Node{col("b")}), 0),
		"NUL in identifier":                    col("a\x00b"),
		"NUL in string":                        pg_query.MakeAConstStrNode("a\x00", 0),
		"unknown enum":                         pg_query.MakeBoolExprNode(pg_query.BoolExprType(9), []*pg_query.Node{col("a")}, 0),
		"indirection without path on a column": {Node: &pg_query.Node_AIndirection{AIndirection: &pg_query.A_Indirection{Arg: col("a")}}},
		"SQL-syntax call with FILTER": {Node: &pg_query.Node_FuncCall{FuncCall: &pg_query.FuncCall{
			Funcname: []*pg_query.Node{str("pg_catalog"), str("extract")}, Args: []*pg_query.Node{col("a"), col("b")},
			AggFilter: col("c"), Funcformat: pg_query.CoercionForm_COERCE_SQL_SYNTAX}}},
	} {
		if got, ok := printSelect(sel(target)); ok {
			t.Errorf("%s: printed %q", name, got)
		}
	}
	// Built without enum values, as the rewriter builds nodes: the C side
	// reads an unset enum as its first value.
	n := sel(&pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: &pg_query.A_Expr{
		Name: []*pg_query.Node{str("+")}, Lexpr: col("a"), Rexpr: pg_query.MakeAConstIntNode(1, -1)}}})
	got, ok := printSelect(n)
	if !ok {
		t.Fatal("unset enums not printed")
	}
	checkSameAsDeparser(t, "built", n, got)
	// An indirection without path parenthesizes only the node types the
	// deparser parenthesizes anyway.
	for _, arg := range []*pg_query.Node{
		{Node: &pg_query.Node_AIndirection{AIndirection: &pg_query.A_Indirection{Arg: onlySelect(t, "SELECT (SELECT 1)").GetSelectStmt().TargetList[0].GetResTarget().Val}}},
		pg_query.MakeFuncCallNode([]*pg_query.Node{str("f")}, nil, 0),
		pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{str("+")}, col("a"), col("b"), 0),
	} {
		n := sel(&pg_query.Node{Node: &pg_query.Node_AIndirection{AIndirection: &pg_query.A_Indirection{Arg: arg,
			Indirection: []*pg_query.Node{str("x")}}}})
		got, ok := printSelect(n)
		if !ok {
			t.Fatalf("indirection on %T not printed", arg.Node)
		}
		checkSameAsDeparser(t, "built", n, got)
	}
}

// TestPrintSelectMutatedTrees prints trees the parser does not build, as
// the planner's rewrites do: corpus trees with random fields changed, nodes
// moved or dropped. Whatever the printer prints, the C deparser must print
// the same.
func TestPrintSelectMutatedTrees(t *testing.T) {
	var roots []*pg_query.Node
	for _, s := range append(printCorpus(t), trickySelects...) {
		if node := onlySelect(t, s); node != nil {
			roots = append(roots, node)
		}
	}
	r := rand.New(rand.NewSource(1))
	printed := 0
	const trees = 20000
	for i := 0; i < trees; i++ {
		root := proto.Clone(roots[r.Intn(len(roots))]).(*pg_query.Node)
		mutateTree(r, root)
		got, ok := printSelect(root)
		if !ok {
			continue
		}
		printed++
		checkSameAsDeparser(t, "mutated tree", root, got)
	}
	t.Logf("printed %d of %d mutated trees", printed, trees)
}

// mutationStrings are values that select the deparser's special cases.
var mutationStrings = []string{"", "x", "X", "select", "pg_catalog", "=", "+", "~~", "!~~*", "<>", "~", "!~",
	"bpchar", "bool", "interval", "timetz", "point", "t", "f", "timezone", "overlay", "substring", "position",
	"btrim", "normalize", "is_normalized", "extract", "system_user", "similar_to_escape", "BETWEEN", "a\"b",
	"b01", "x1f", "1.5", "-1", "*"}

// mutationInts are values that select the deparser's special cases
// (frame options, interval fields and precision, typmods).
var mutationInts = []int32{-1, 0, 1, 2, 4, 5, 8, 0x20, 0x221, 1058, 0x8211, 0x7FFF, 0xFFFF, -5}

// mutateTree changes up to eight random fields of the tree under root.
func mutateTree(r *rand.Rand, root *pg_query.Node) {
	var msgs []protoreflect.Message
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		msgs = append(msgs, m)
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				for i := 0; i < v.List().Len(); i++ {
					walk(v.List().Get(i).Message())
				}
			case fd.Message() != nil:
				walk(v.Message())
			}
			return true
		})
	}
	walk(root.ProtoReflect())
	randomNode := func() *pg_query.Node {
		for {
			if n, ok := msgs[r.Intn(len(msgs))].Interface().(*pg_query.Node); ok {
				return proto.Clone(n).(*pg_query.Node)
			}
		}
	}
	for k := 1 + r.Intn(8); k > 0; k-- {
		m := msgs[r.Intn(len(msgs))]
		if n, ok := m.Interface().(*pg_query.Node); ok {
			switch r.Intn(8) {
			case 0:
				n.Node = nil
			case 1:
				n.Node = randomNode().Node
			}
			continue
		}
		fields := m.Descriptor().Fields()
		if fields.Len() == 0 {
			continue
		}
		fd := fields.Get(r.Intn(fields.Len()))
		switch {
		case fd.IsList():
			l := m.Mutable(fd).List()
			switch {
			case l.Len() > 0 && r.Intn(2) == 0:
				l.Truncate(r.Intn(l.Len()))
			case l.Len() > 0:
				l.Append(l.Get(r.Intn(l.Len())))
			case fd.Message() != nil && fd.Message().FullName() == "pg_query.Node":
				l.Append(protoreflect.ValueOfMessage(randomNode().ProtoReflect()))
			}
		case fd.Kind() == protoreflect.BoolKind:
			m.Set(fd, protoreflect.ValueOfBool(!m.Get(fd).Bool()))
		case fd.Kind() == protoreflect.EnumKind:
			m.Set(fd, protoreflect.ValueOfEnum(protoreflect.EnumNumber(r.Intn(fd.Enum().Values().Len()))))
		case fd.Kind() == protoreflect.Int32Kind:
			m.Set(fd, protoreflect.ValueOfInt32(mutationInts[r.Intn(len(mutationInts))]))
		case fd.Kind() == protoreflect.StringKind:
			m.Set(fd, protoreflect.ValueOfString(mutationStrings[r.Intn(len(mutationStrings))]))
		case fd.Message() != nil:
			if m.Has(fd) {
				m.Clear(fd)
			} else {
				m.Set(fd, protoreflect.ValueOfMessage(m.NewField(fd).Message()))
			}
		}
	}
}

// checkSameAsDeparser fails unless the C deparser prints node as got.
func checkSameAsDeparser(t testing.TB, sql string, node *pg_query.Node, got string) {
	t.Helper()
	want, err := cDeparse(node)
	if err != nil {
		t.Fatalf("%s\nprinted %q, but the C deparser refuses it: %v", sql, got, err)
	}
	if got != want {
		t.Fatalf("%s\nGo: %q\nC:  %q", sql, got, want)
	}
}

// deparserVersion is the parse tree version the C deparser expects.
var deparserVersion = func() int32 {
	tree, err := pg_query.Parse("SELECT 1")
	if err != nil {
		panic(err)
	}
	return tree.Version
}()

func cDeparse(node *pg_query.Node) (string, error) {
	return pg_query.Deparse(&pg_query.ParseResult{Version: deparserVersion, Stmts: []*pg_query.RawStmt{{Stmt: node}}})
}

// comparePrinted is the checkPrinted hook of the tests: every statement
// the Go printer prints for the planner is printed by the C deparser too,
// and must come out the same.
func comparePrinted(node *pg_query.Node, printed string) {
	want, err := cDeparse(node)
	if err != nil {
		panic(fmt.Sprintf("printed %q, but the C deparser refuses the tree: %v", printed, err))
	}
	if printed != want {
		panic(fmt.Sprintf("Go printer and C deparser differ\nGo: %q\nC:  %q", printed, want))
	}
}

// onlySelect parses sql; nil unless it is exactly one SELECT.
func onlySelect(t testing.TB, sql string) *pg_query.Node {
	t.Helper()
	tree, err := pg_query.Parse(sql)
	if err != nil || len(tree.Stmts) != 1 || tree.Stmts[0].Stmt.GetSelectStmt() == nil {
		return nil
	}
	return tree.Stmts[0].Stmt
}

// printCorpus is the statements of testdata/clients and testdata/tools and
// the SQL string constants of the planner's tests (rbacShapes filled in).
func printCorpus(t testing.TB) []string {
	t.Helper()
	out := corpusFiles(t, "clients", "tools")
	seen := map[string]bool{}
	for _, s := range out {
		seen[s] = true
	}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, tc := range rbacShapes {
		add(fillShape(tc.shape, "orders"))
		add(tc.sql)
	}
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if name == "print_test.go" {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			s, err := strconv.Unquote(lit.Value)
			if err == nil && onlySelect(t, s) != nil {
				add(s)
			}
			return true
		})
	}
	return out
}

// corpusFiles reads the statements of testdata/<dir>/*.sql for each dir,
// without the log's comment lines, as clientStatements does.
func corpusFiles(t testing.TB, dirs ...string) []string {
	t.Helper()
	seen := map[string]bool{}
	var out []string
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join("testdata", dir, "*.sql"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no corpus in %s: %v", dir, err)
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			parts, err := pg_query.SplitWithParser(string(b), true)
			if err != nil {
				t.Fatalf("split %s: %v", f, err)
			}
			for _, part := range parts {
				var lines []string
				for _, l := range strings.Split(part, "\n") {
					if !strings.HasPrefix(strings.TrimSpace(l), "--") {
						lines = append(lines, l)
					}
				}
				stmt := strings.TrimSpace(strings.Join(lines, "\n"))
				if stmt != "" && !seen[stmt] {
					seen[stmt] = true
					out = append(out, stmt)
				}
			}
		}
	}
	return out
}
