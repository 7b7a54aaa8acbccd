package planner

import (
	"testing"
)

func TestEmptyAndCommentOnlyStrings(t *testing.T) {
	// lib/pq pings with ";", pgx with "-- ping".
	for _, sql := range []string{"", "   ", ";", ";;", "-- ping", "/* nothing */", "  -- a\n /* b */ ; "} {
		plans, err := PlanQuery(sql, testOptions())
		if err != nil || plans == nil || len(plans) != 0 {
			t.Errorf("PlanQuery(%q) = %v, %v; want an empty slice", sql, plans, err)
		}
	}
}

func TestStatementsAreSplitAndKeepTheirText(t *testing.T) {
	plans, err := PlanQuery("SELECT 1;  select * from orders -- trailing\n; SHOW search_path", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		original string
		kind     Kind
		route    Route
	}{
		{"SELECT 1", KindSelect, RouteLocal},
		{"select * from orders -- trailing", KindSelect, RouteLocal},
		{"SHOW search_path", KindShow, RouteSession},
	}
	if len(plans) != len(want) {
		t.Fatalf("%d plans", len(plans))
	}
	for i, w := range want {
		if p := plans[i]; p.Original != w.original || p.Kind != w.kind || p.Route != w.route {
			t.Errorf("plan %d: %q %s %s, want %q %s %s", i, p.Original, p.Kind, p.Route, w.original, w.kind, w.route)
		}
	}
}

// Positions are 1-based characters in the whole query string, as PostgreSQL
// reports them.
func TestErrorPositions(t *testing.T) {
	cases := []struct {
		sql  string
		code string
		pos  int32
	}{
		{"SELEC 1", "42601", 1},
		{"SELECT 1; SELEC 2", "42601", 11},
		{"SELECT * FROM orders WHERE", "42601", 27},
		{"SELECT 1; SELECT * FROM customers", "42P01", 25},
		{"SELECT 'ünïcødé', * FROM customers", "42P01", 26},
		{"SELECT 1, read_csv('x')", "42501", 11},
		{"SELECT * FROM orders, customers, read_csv('x')", "42P01", 23},
		{"SELECT * FROM read_csv('x'), customers", "42501", 15},
	}
	for _, tc := range cases {
		e := planError(t, tc.sql, testOptions())
		if e.Code != tc.code || e.Position != tc.pos {
			t.Errorf("%q: %s at %d (%s), want %s at %d", tc.sql, e.Code, e.Position, e.Message, tc.code, tc.pos)
		}
	}
}
