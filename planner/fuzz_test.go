package planner

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/keboola/agnes/pgerr"
)

// FuzzPlanQuery: no input panics or crashes the planner, every refusal is a
// *pgerr.Error, and every accepted plan is well formed and reads only
// granted tables. Run with
//
//	go test -tags duckdb_arrow -run '^$' -fuzz FuzzPlanQuery ./planner/
func FuzzPlanQuery(f *testing.F) {
	for _, s := range clientStatements(f) {
		f.Add(s)
	}
	for _, tc := range rbacShapes {
		f.Add(fillShape(tc.shape, "orders"))
		f.Add(fillShape(tc.shape, "customers"))
	}
	for _, s := range []string{
		"", ";", "-- ping", "SELECT 1; SELECT 2", "select 1; drop table x",
		"SELECT * FROM read_csv('x')", "SET memory_limit = '1GB'", "SHOW ALL",
		"COPY orders TO STDOUT (FORMAT csv, HEADER)", "PREPARE p AS SELECT $1", "EXECUTE p(1)",
		"WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r",
		"SELECT 1" + strings.Repeat("+1", 3000), strings.Repeat("(", 500) + "SELECT 1" + strings.Repeat(")", 500),
		"SELECT \u00a0read_csv('x')", "SELECT $1::int, $65536",
		"SELECT to_char(created_at, 'FMDay, DD \"of\" Month YYYY HH12:MI:SS a.m. IW IYYY') FROM orders",
		"SELECT to_char(amount, 'FM9,999,990.00S'), to_char(id, '000'), to_date('2024', 'YYYY') FROM orders",
		"SELECT * FROM string_to_array('a,b', ',') s, abs(-1) WITH ORDINALITY a(v, n)",
		"SELECT id FROM orders WHERE id = ANY($1) OR NOT customer <> ALL($2)",
		"SELECT 3.14159::numeric, '1e5'::numeric, round(amount, 2), 1 / 0, id % (id - id) FROM orders",
		"DECLARE c SCROLL CURSOR FOR SELECT * FROM orders", "FETCH BACKWARD ALL FROM c", "MOVE ABSOLUTE -1 IN c",
		"SELECT n.xmin, age(n.xmin) FROM pg_namespace n",
		"SELECT generate_series(1, id::int), encode(decode('00', 'hex'), 'base64'), decode('x', 'escape') FROM orders",
		"SELECT '{}'::json #>> '{a,0,\"b c\"}', x #> '{}' FROM json_each('{\"a\":1}') AS j(k, x), json_array_elements('[1]')",
		"SELECT (regexp_match(customer, '(\\w+)_([0-9]+)', 'i'))[2], regexp_match(customer, '[(]x') FROM orders",
	} {
		f.Add(s)
	}
	opt := testOptions()
	f.Fuzz(func(t *testing.T, sql string) {
		plans, err := PlanQuery(sql, opt)
		if err != nil {
			pe, ok := err.(*pgerr.Error)
			if !ok {
				t.Fatalf("error %T %v is not a *pgerr.Error", err, err)
			}
			// XX000 would mean an internal failure (a rewrite the verifier rejects is
			// refused with 0A000 instead).
			if pe.Code == pgerr.InternalError {
				t.Fatalf("internal error: %v", pe)
			}
			if plans != nil {
				t.Fatalf("plans returned with error %v", err)
			}
			return
		}
		if !utf8.ValidString(sql) {
			t.Fatalf("invalid UTF-8 accepted")
		}
		for _, p := range plans {
			checkPlanWellFormed(t, p)
		}
	})
}

func checkPlanWellFormed(t *testing.T, p *Plan) {
	t.Helper()
	if p == nil || p.Kind == "" || p.Route == "" {
		t.Fatalf("malformed plan %+v", p)
	}
	for _, tb := range p.Tables {
		if tb.ID != ordersTable.ID {
			t.Fatalf("plan reads ungranted table %+v", tb)
		}
	}
	switch {
	case p.Route == RouteSession:
		if p.SQL != "" || p.Session == nil {
			t.Fatalf("session plan with SQL %q or no command", p.SQL)
		}
		if p.Session.Inner != nil {
			checkPlanWellFormed(t, p.Session.Inner)
		}
	case p.Kind == KindExplain:
		if p.Explain == nil || p.Explain.SQL == "" {
			t.Fatalf("explain without inner plan")
		}
		checkPlanWellFormed(t, p.Explain)
	default:
		if p.SQL == "" {
			t.Fatalf("%s plan without SQL", p.Kind)
		}
	}
}
