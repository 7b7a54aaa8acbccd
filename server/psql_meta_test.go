package server

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// psql's backslash commands run catalog queries; against Agnes they must
// work and show exactly the tables the analyst may read.
func TestPsqlMetaCommands(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed (apt-get install postgresql-client)")
	}
	ts, token := startBIServer(t)
	dsn := ts.dsn("bi_user@example.com", token)
	run := func(t *testing.T, args ...string) string {
		t.Helper()
		cmd := exec.Command(psql, append([]string{dsn, "-X", "-v", "ON_ERROR_STOP=1"}, args...)...)
		cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
		out, err := cmd.CombinedOutput()
		// psql reports a relation it cannot find with exit status 1.
		if err != nil && !strings.Contains(string(out), "Did not find any relation") {
			t.Fatalf("psql %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	cases := []struct {
		command string
		want    []string // substrings of the output
		absent  []string
	}{
		{`\dt`, []string{"public", "orders", "table", "agnes", "(1 row)"}, []string{"salaries"}},
		{`\d orders`, []string{`Table "public.orders"`, "id", "bigint", "customer", "text", "amount", "numeric(12,2)",
			"created_at", "timestamp without time zone"}, nil},
		{`\d+ orders`, []string{`Table "public.orders"`, "numeric(12,2)"}, nil},
		{`\dt+`, []string{"orders", "Customer orders"}, []string{"salaries", "Salaries"}},
		{`\dn`, []string{"public", "agnes"}, []string{"pg_catalog", "information_schema"}},
		{`\l`, []string{"agnes", "UTF8"}, nil},
		{`\df`, []string{"List of functions", "(0 rows)"}, nil},
		{`\dv`, []string{"Did not find any relations"}, nil},
		{`\conninfo`, []string{`database "agnes"`, `user "bi_user@example.com"`}, nil},
		{`\d salaries`, []string{`Did not find any relation named "salaries"`}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.command, func(t *testing.T) {
			out := run(t, "-c", tc.command)
			t.Logf("%s\n%s", tc.command, out)
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("%s: output lacks %q:\n%s", tc.command, w, out)
				}
			}
			for _, a := range tc.absent {
				if strings.Contains(out, a) {
					t.Errorf("%s: output shows %q:\n%s", tc.command, a, out)
				}
			}
		})
	}
	// The granted table answers, the other one is refused like a missing one.
	if out := run(t, "-A", "-t", "-c", "SELECT count(*) FROM orders"); strings.TrimSpace(out) != "20000" {
		t.Errorf("count(orders) = %q", out)
	}
	cmd := exec.Command(psql, dsn, "-X", "-c", "SELECT * FROM salaries")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), `relation "salaries" does not exist or is not granted`) {
		t.Errorf("salaries: %v\n%s", err, out)
	}
}
