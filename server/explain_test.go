package server

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestExplainText: EXPLAIN shows the plan and DuckDB's plan intact (the
// plan text is copied out of DuckDB's result memory before it is reused).
func TestExplainText(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	token := ts.analyst(t, "explain@example.com", "orders")
	ctx := context.Background()
	c := connectPG(t, ts.dsn("explain@example.com", token))
	for i := 0; i < 20; i++ {
		res, err := c.Exec(ctx, "EXPLAIN SELECT region, sum(amount) FROM orders WHERE id > 10 GROUP BY region").ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		for _, r := range res[0].Rows {
			if !utf8.Valid(r[0]) {
				t.Fatalf("plan line is not valid UTF-8: %q", r[0])
			}
			text.Write(r[0])
			text.WriteByte('\n')
		}
		plan := text.String()
		for _, want := range []string{"Agnes select (route: local)", "DuckDB plan:", "┌", "HASH_GROUP_BY", "└"} {
			if !strings.Contains(plan, want) {
				t.Fatalf("plan lacks %q:\n%s", want, plan)
			}
		}
		if lines := strings.Split(plan, "\n"); !strings.HasPrefix(lines[indexOf(lines, "DuckDB plan:")+1], "┌") {
			t.Fatalf("DuckDB's plan does not start with its box:\n%s", plan)
		}
	}
}

func indexOf(lines []string, s string) int {
	for i, l := range lines {
		if l == s {
			return i
		}
	}
	return -1
}
