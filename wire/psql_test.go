package wire

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// psqlPath returns the psql binary or skips the test.
func psqlPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed")
	}
	return p
}

func hostPort(t *testing.T, srv *Server) (string, string) {
	t.Helper()
	h, p, err := net.SplitHostPort(srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return h, p
}

// runPsql runs psql with args against srv as alice and returns stdout and
// stderr.
func runPsql(t *testing.T, srv *Server, args ...string) (string, string) {
	t.Helper()
	psql := psqlPath(t)
	host, port := hostPort(t, srv)
	conn := "host=" + host + " port=" + port + " dbname=agnes user=" + aliceEmail + " sslmode=disable"
	cmd := exec.Command(psql, append([]string{"-X", "-A", "-d", conn}, args...)...)
	cmd.Env = append(os.Environ(), "PGPASSWORD="+aliceTok1, "PGAPPNAME=psql-test")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("psql: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String()
}

func TestPsqlScript(t *testing.T) {
	srv, _ := startServer(t, Config{})
	script := `SELECT 1 AS one;
SELECT * FROM missing_table;
SELECT 'a b' AS x, NULL::INTEGER AS y UNION ALL SELECT 'c', 3 ORDER BY x;
\copy (SELECT range AS n, 'v,' || range AS s, NULL AS z FROM range(3)) TO STDOUT CSV HEADER
SELECT 2 AS two;
`
	path := filepath.Join(t.TempDir(), "script.sql")
	if err := os.WriteFile(path, []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr := runPsql(t, srv, "-f", path)
	want := `one
1
(1 row)
x|y
a b|
c|3
(2 rows)
n,s,z
0,"v,0",
1,"v,1",
2,"v,2",
two
2
(1 row)
`
	if stdout != want {
		t.Fatalf("stdout:\n%s\nwant:\n%s", stdout, want)
	}
	if !strings.Contains(stderr, "ERROR:  Catalog Error: Table with name missing_table does not exist!") {
		t.Fatalf("stderr: %s", stderr)
	}
}

func TestPsqlMultiStatementCommand(t *testing.T) {
	srv, _ := startServer(t, Config{})
	stdout, _ := runPsql(t, srv, "-t", "-c", "SELECT 1; SELECT 'two'; SHOW application_name")
	if stdout != "1\ntwo\npsql-test\n" {
		t.Fatalf("stdout %q", stdout)
	}
}
