package engine

import "testing"

func TestIsPlainQuery(t *testing.T) {
	cases := map[string]bool{
		"SELECT 1":          true,
		"  select * from t": true,
		"-- note\nSELECT 1": true,
		"/* c */ WITH x AS (SELECT 1) SELECT * FROM x": true,
		"FROM t":                      true,
		"(SELECT 1) UNION (SELECT 2)": true,
		"VALUES (1)":                  true,
		"SELECT 1; SELECT 2":          false,
		"SELECT ';'":                  false, // a ';' always takes the checked path
		"COPY t TO 'x'":               false,
		"EXPLAIN SELECT 1":            false,
		"/* SELECT */ COPY t TO 'x'":  false,
		"-- SELECT\nATTACH 'x'":       false,
		"SELECTX 1":                   false,
		"":                            false,
	}
	for sql, want := range cases {
		if got := isPlainQuery(sql); got != want {
			t.Errorf("isPlainQuery(%q) = %v, want %v", sql, got, want)
		}
	}
}

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
