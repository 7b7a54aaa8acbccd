// Package pgtest starts a throwaway PostgreSQL server for differential
// tests: what does real PostgreSQL answer to the same statement? It uses
// the local PostgreSQL installation (Debian's postgresql package) and
// skips the test when there is none.
package pgtest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// Server is a running PostgreSQL for one test.
type Server struct {
	port int
}

// DSN is a connection string for database db as user.
func (s *Server) DSN(user, db string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", user, s.port, db)
}

// Exec runs statements as the superuser in database db, failing the test
// on error.
func (s *Server) Exec(tb testing.TB, db string, stmts ...string) {
	tb.Helper()
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, s.DSN("postgres", db))
	if err != nil {
		tb.Fatal(err)
	}
	defer c.Close(ctx)
	for _, q := range stmts {
		if _, err := c.Exec(ctx, q).ReadAll(); err != nil {
			tb.Fatalf("reference postgres: %s: %v", q, err)
		}
	}
}

// Start runs initdb and postgres on a loopback port, stopped when the test
// ends. As root, the server runs as the postgres user (initdb refuses
// root).
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin := ""
	for _, v := range []string{"16", "15", "17", "14"} {
		if _, err := os.Stat(filepath.Join("/usr/lib/postgresql", v, "bin", "initdb")); err == nil {
			bin = filepath.Join("/usr/lib/postgresql", v, "bin")
			break
		}
	}
	if bin == "" {
		unavailable(tb, "no local PostgreSQL installation (apt-get install postgresql)")
	}
	// Not t.TempDir: the postgres user must be able to enter it.
	dir, err := os.MkdirTemp("", "agnes-pgref-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	asRoot := os.Geteuid() == 0
	if asRoot {
		u, err := user.Lookup("postgres")
		if err != nil {
			unavailable(tb, "running as root without a postgres user")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
	}
	run := func(args ...string) ([]byte, error) {
		if !asRoot {
			return exec.Command(args[0], args[1:]...).CombinedOutput()
		}
		quoted := make([]string, len(args))
		for i, a := range args {
			quoted[i] = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		return exec.Command("su", "postgres", "-s", "/bin/sh", "-c", strings.Join(quoted, " ")).CombinedOutput()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	data := filepath.Join(dir, "data")
	if out, err := run(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"); err != nil {
		unavailable(tb, fmt.Sprintf("initdb: %v\n%s", err, out))
	}
	if out, err := run(filepath.Join(bin, "pg_ctl"), "-D", data, "-l", filepath.Join(dir, "log"), "-w", "-o",
		fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", port, dir), "start"); err != nil {
		unavailable(tb, fmt.Sprintf("pg_ctl start: %v\n%s", err, out))
	}
	tb.Cleanup(func() { run(filepath.Join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop") })
	return &Server{port: port}
}

// unavailable skips a test that needs the reference PostgreSQL, or fails
// it when AGNES_REQUIRE_DRIVERS is set (.ci/run installs PostgreSQL and
// sets it, so the differential checks cannot silently not run).
func unavailable(tb testing.TB, why string) {
	tb.Helper()
	if os.Getenv("AGNES_REQUIRE_DRIVERS") != "" {
		tb.Fatalf("reference PostgreSQL required by AGNES_REQUIRE_DRIVERS but unavailable: %s", why)
	}
	tb.Skip(why)
}
