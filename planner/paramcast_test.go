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

func TestNullParams(t *testing.T) {
	got, err := NullParams(`SELECT g FROM generate_series(1, $1::int) g WHERE '$1' <> $2 -- $1`, map[int]string{1: "INTEGER", 2: "VARCHAR"})
	if err != nil {
		t.Fatal(err)
	}
	want := `SELECT g FROM generate_series(1, CAST(NULL AS INTEGER)::int) g WHERE '$1' <> CAST(NULL AS VARCHAR) -- $1`
	if got != want {
		t.Errorf("NullParams\n got %s\nwant %s", got, want)
	}
}
