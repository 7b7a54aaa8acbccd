package planner

import (
	"reflect"
	"testing"
)

func TestConstantQueries(t *testing.T) {
	cases := []struct {
		sql  string
		want []Constant
	}{
		{"SELECT 1", []Constant{{Name: "?column?", Type: "int4", Value: "1"}}},
		{"select -7 AS n, 'ok' status, true, NULL", []Constant{
			{Name: "n", Type: "int4", Value: "-7"}, {Name: "status", Type: "text", Value: "ok"},
			{Name: "?column?", Type: "bool", Value: "t"}, {Name: "?column?", Type: "text", Null: true}}},
		{"SELECT 10000000000", []Constant{{Name: "?column?", Type: "int8", Value: "10000000000"}}},
		{"SELECT 'it''s'", []Constant{{Name: "?column?", Type: "text", Value: "it's"}}},
		// Everything else goes to the engine.
		{"SELECT 1.5", nil},
		{"SELECT 99999999999999999999", nil},
		{"SELECT 1::int8", nil},
		{"SELECT 1 + 1", nil},
		{"SELECT $1", nil},
		{"SELECT 1 FROM orders", nil},
		{"SELECT 1 WHERE false", nil},
		{"SELECT 1 LIMIT 0", nil},
		{"SELECT 1 UNION SELECT 2", nil},
		{"SELECT DISTINCT 1", nil},
		{"WITH x AS (SELECT 2) SELECT 1", nil},
		{"SELECT 1 ORDER BY 1", nil},
		{"VALUES (1)", nil},
		{"SELECT now()", nil},
		{"SELECT current_user", nil},
	}
	for _, tc := range cases {
		p := planOne(t, tc.sql, testOptions())
		if !reflect.DeepEqual(p.Constants, tc.want) {
			t.Errorf("%s: constants %+v, want %+v", tc.sql, p.Constants, tc.want)
		}
	}
	p := planOne(t, "COPY (SELECT 1) TO STDOUT", testOptions())
	if p.Constants != nil {
		t.Errorf("COPY of a constant query must run in the engine: %+v", p.Constants)
	}
}
