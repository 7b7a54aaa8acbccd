package planner

import (
	"strings"
	"testing"
)

const (
	anyCase = "CASE WHEN id IS NOT NULL AND list_contains($1, id) THEN true WHEN $1 IS NULL THEN NULL WHEN len($1) = 0 THEN false WHEN id IS NULL THEN NULL WHEN list_count($1) < len($1) THEN NULL ELSE false END"
	allCase = "CASE WHEN id IS NOT NULL AND list_contains($1, id) THEN false WHEN $1 IS NULL THEN NULL WHEN len($1) = 0 THEN true WHEN id IS NULL THEN NULL WHEN list_count($1) < len($1) THEN NULL ELSE true END"
)

func TestAnyParamRewrite(t *testing.T) {
	for _, tc := range []struct {
		name, sql, want string
	}{
		{"WHERE x = ANY ($1)", "SELECT id FROM orders WHERE id = ANY($1)",
			"SELECT id FROM main.orders WHERE list_contains($1, id)"},
		{"among AND conjuncts, in a subquery and HAVING",
			"SELECT customer, count(*) FROM orders WHERE id > 5 AND (customer = ANY($1) AND id = ANY($2)) AND id IN (SELECT id FROM orders WHERE id = ANY($2)) GROUP BY customer HAVING count(*) = ANY($3)",
			"SELECT customer, count(*) AS count FROM main.orders WHERE id > 5 AND (list_contains($1, customer) AND list_contains($2, id)) AND id IN (SELECT id FROM main.orders WHERE list_contains($2, id)) GROUP BY customer HAVING list_contains($3, count(*))"},
		// Where NULL and false differ, a CASE gives PostgreSQL's
		// three-valued answer.
		{"under OR", "SELECT id FROM orders WHERE id = ANY($1) OR id = 1",
			"SELECT id FROM main.orders WHERE %ANY% OR id = 1"},
		{"under NOT", "SELECT id FROM orders WHERE NOT id = ANY($1)",
			"SELECT id FROM main.orders WHERE NOT %ANY%"},
		{"in the select list", "SELECT id = ANY($1) FROM orders",
			`SELECT %ANY% AS "?column?" FROM main.orders`},
		{"<> ALL", "SELECT id FROM orders WHERE id <> ALL($1)",
			"SELECT id FROM main.orders WHERE %ALL%"},
		// A typed array DuckDB plans itself.
		{"typed parameter", "SELECT id FROM orders WHERE id = ANY($1::bigint[])",
			"SELECT id FROM main.orders WHERE id = ANY($1::bigint[])"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planOne(t, tc.sql, testOptions())
			tc.want = strings.NewReplacer("%ANY%", anyCase, "%ALL%", allCase).Replace(tc.want)
			if p.SQL != tc.want {
				t.Errorf("SQL\n got %s\nwant %s", p.SQL, tc.want)
			}
		})
	}
}
