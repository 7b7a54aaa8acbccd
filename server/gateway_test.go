package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/lib/pq"
)

func (ts *testServer) dsn(user, token string) string {
	return fmt.Sprintf("postgres://%s:%s@%s/agnes?sslmode=disable", url.QueryEscape(user), url.QueryEscape(token), ts.l.PG)
}

// connectPG opens a low-level connection, closed at the end of the test.
func connectPG(t testing.TB, dsn string) *pgconn.PgConn {
	t.Helper()
	c, err := pgconn.Connect(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

// analyst creates a user with a token and a group "G-<email>" granted tables.
func (ts *testServer) analyst(t testing.TB, email string, tables ...string) (token string) {
	t.Helper()
	ctx := context.Background()
	api := ts.api(t)
	if _, err := api.CreateUser(ctx, email, "Analyst"); err != nil {
		t.Fatal(err)
	}
	tok, err := api.CreateToken(ctx, email, "test", "never")
	if err != nil {
		t.Fatal(err)
	}
	group := "G-" + email
	if _, err := api.CreateGroup(ctx, group, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := api.AddMember(ctx, group, email); err != nil {
		t.Fatal(err)
	}
	for _, tb := range tables {
		if _, err := api.CreateGrant(ctx, group, "table", tb); err != nil {
			t.Fatal(err)
		}
	}
	return tok.Token
}

func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

func TestGatewayGrantsEndToEnd(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	ctx := context.Background()
	token := ts.analyst(t, "ana@example.com", "orders")

	conn, err := pgx.Connect(ctx, ts.dsn("ana@example.com", token))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM orders").Scan(&n); err != nil || n != 100000 {
		t.Fatalf("granted table: %d, %v", n, err)
	}
	var total float64
	if err := conn.QueryRow(ctx, "SELECT sum(amount)::float8 FROM public.orders WHERE region = $1", "apac").Scan(&total); err != nil || total <= 0 {
		t.Fatalf("parameterised aggregate: %v %v", total, err)
	}
	_, err = conn.Exec(ctx, "SELECT * FROM customers")
	if sqlState(err) != "42P01" {
		t.Fatalf("ungranted table: %v", err)
	}
	_, err = conn.Exec(ctx, "SELECT * FROM no_such_table")
	if sqlState(err) != "42P01" || !strings.Contains(err.Error(), "does not exist or is not granted") {
		t.Fatalf("missing table must look like an ungranted one: %v", err)
	}
	// The session survives errors.
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("session after errors: %v", err)
	}

	// Granting customers takes effect on the open connection.
	g, err := ts.api(t).CreateGrant(ctx, "G-ana@example.com", "table", "customers")
	if err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM customers").Scan(&n); err != nil || n != 10000 {
		t.Fatalf("after grant: %d, %v", n, err)
	}
	// Revoking removes it again.
	if err := ts.api(t).DeleteGrant(ctx, g.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "SELECT count(*) FROM customers"); sqlState(err) != "42P01" {
		t.Fatalf("after revoke: %v", err)
	}

	// lib/pq through database/sql, same rules.
	db, err := sql.Open("postgres", ts.dsn("ana@example.com", token))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var status string
	if err := db.QueryRow("SELECT status FROM orders WHERE id = $1", 1).Scan(&status); err != nil || status == "" {
		t.Fatalf("lib/pq: %q %v", status, err)
	}
	if _, err := db.Exec("SELECT * FROM products"); err == nil || !strings.Contains(err.Error(), "42P01") && !strings.Contains(err.Error(), "not granted") {
		t.Fatalf("lib/pq ungranted: %v", err)
	}

	// Bad token and unknown user get the same error.
	_, err1 := pgx.Connect(ctx, ts.dsn("ana@example.com", "agnes_pat_wrong"))
	_, err2 := pgx.Connect(ctx, ts.dsn("nobody@example.com", "agnes_pat_wrong"))
	if sqlState(err1) != "28P01" || sqlState(err2) != "28P01" {
		t.Fatalf("login failures: %v / %v", err1, err2)
	}
}

func TestPsqlAgainstGateway(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Skip("psql not installed (apt-get install postgresql-client)")
	}
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	token := ts.analyst(t, "pat@example.com", "orders")
	run := func(args ...string) (string, error) {
		cmd := exec.Command(psql, append([]string{ts.dsn("pat@example.com", token), "-X", "-A", "-t"}, args...)...)
		cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := run("-c", "SELECT count(*) FROM orders")
	if err != nil || strings.TrimSpace(out) != "100000" {
		t.Fatalf("psql count: %q %v", out, err)
	}
	out, _ = run("-c", "SELECT * FROM customers")
	if !strings.Contains(out, "does not exist or is not granted") {
		t.Fatalf("psql denial: %q", out)
	}
	out, err = run("-c", `\copy (SELECT id, status FROM orders ORDER BY id LIMIT 3) TO STDOUT WITH CSV`)
	if err != nil || len(strings.Split(strings.TrimSpace(out), "\n")) != 3 || !strings.HasPrefix(out, "1,") {
		t.Fatalf("psql \\copy: %q %v", out, err)
	}
}
