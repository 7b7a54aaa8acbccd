package planner

import "testing"

func TestAnyParamRewrite(t *testing.T) {
	for _, tc := range []struct {
		name, sql, want string
	}{
		{"WHERE x = ANY ($1)", "SELECT id FROM orders WHERE id = ANY($1)",
			"SELECT id FROM main.orders WHERE list_contains($1, id)"},
		{"among AND conjuncts, in a subquery and HAVING",
			"SELECT customer, count(*) FROM orders WHERE id > 5 AND (customer = ANY($1) AND id = ANY($2)) AND id IN (SELECT id FROM orders WHERE id = ANY($2)) GROUP BY customer HAVING count(*) = ANY($3)",
			"SELECT customer, count(*) AS count FROM main.orders WHERE id > 5 AND (list_contains($1, customer) AND list_contains($2, id)) AND id IN (SELECT id FROM main.orders WHERE list_contains($2, id)) GROUP BY customer HAVING list_contains($3, count(*))"},
		// Where NULL and false differ, x = ANY stays.
		{"under OR", "SELECT id FROM orders WHERE id = ANY($1) OR id = 1",
			"SELECT id FROM main.orders WHERE id = ANY($1) OR id = 1"},
		{"under NOT", "SELECT id FROM orders WHERE NOT id = ANY($1)",
			"SELECT id FROM main.orders WHERE NOT id = ANY($1)"},
		{"in the select list", "SELECT id = ANY($1) FROM orders",
			`SELECT id = ANY($1) AS "?column?" FROM main.orders`},
		{"<> ALL", "SELECT id FROM orders WHERE id <> ALL($1)",
			"SELECT id FROM main.orders WHERE id <> ALL($1)"},
		// A typed array DuckDB plans itself.
		{"typed parameter", "SELECT id FROM orders WHERE id = ANY($1::bigint[])",
			"SELECT id FROM main.orders WHERE id = ANY($1::bigint[])"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := planOne(t, tc.sql, testOptions())
			if p.SQL != tc.want {
				t.Errorf("SQL\n got %s\nwant %s", p.SQL, tc.want)
			}
		})
	}
}
