package engine

import "testing"

func TestCheckExplain(t *testing.T) {
	cases := map[string]bool{
		"EXPLAIN SELECT 1":                            true,
		"EXPLAIN ANALYZE SELECT * FROM t":             true,
		"explain analyse with x as (select 1) from x": true,
		"EXPLAIN (SELECT 1)":                          true,
		"EXPLAIN ANALYZE (SELECT 1) UNION (SELECT 2)": true,
		"EXPLAIN (FORMAT json) SELECT 1":              true,
		"EXPLAIN COPY t TO 'x'":                       false,
		"EXPLAIN ANALYZE COPY t TO 'x'":               false,
		"EXPLAIN (ANALYZE) COPY t TO 'x'":             false,
		"EXPLAIN ANALYZE (COPY t TO 'x')":             false,
		"EXPLAIN ANALYZE /* SELECT */ ATTACH 'x'":     false,
		"EXPLAIN (ANALYZE":                            false,
	}
	for sql, want := range cases {
		if got := checkExplain(sql) == nil; got != want {
			t.Errorf("checkExplain(%q) allowed = %v, want %v", sql, got, want)
		}
	}
}
