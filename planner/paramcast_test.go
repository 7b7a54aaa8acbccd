package planner

import "testing"

func TestCastParams(t *testing.T) {
	for _, c := range []struct {
		name, sql string
		types     map[int]string
		want      string
	}{
		{"none", "SELECT $1", nil, "SELECT $1"},
		{"bare", "SELECT $1", map[int]string{1: "VARCHAR"}, "SELECT ($1::VARCHAR)"},
		{"every occurrence", "SELECT count(*) FROM t WHERE $1 IS NULL OR s = $1", map[int]string{1: "VARCHAR"},
			"SELECT count(*) FROM t WHERE ($1::VARCHAR) IS NULL OR s = ($1::VARCHAR)"},
		{"only listed", "SELECT $1::int AS a, $2 AS b, $10 AS c", map[int]string{2: "TIMESTAMPTZ", 10: "INTEGER[]"},
			"SELECT $1::int AS a, ($2::TIMESTAMPTZ) AS b, ($10::INTEGER[]) AS c"},
		{"strings, identifiers and comments untouched", `SELECT '$1' AS "$1", $1 /* $1 */ AS b, E'\'$1' AS c -- $1`,
			map[int]string{1: "VARCHAR"}, `SELECT '$1' AS "$1", ($1::VARCHAR) /* $1 */ AS b, E'\'$1' AS c -- $1`},
		{"dollar quotes untouched", "SELECT $q$ $1 $q$ AS a, $1 AS b", map[int]string{1: "VARCHAR"},
			"SELECT $q$ $1 $q$ AS a, ($1::VARCHAR) AS b"},
		{"multibyte text before", "SELECT 'žluťoučký' AS a, $1 AS b", map[int]string{1: "VARCHAR"},
			"SELECT 'žluťoučký' AS a, ($1::VARCHAR) AS b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := CastParams(c.sql, c.types)
			if err != nil || got != c.want {
				t.Fatalf("CastParams(%q) = %q, %v; want %q", c.sql, got, err, c.want)
			}
		})
	}
}
