package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/httpapi"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// cliFixture is a real Agnes HTTP API (system store, rbac, registry) on a
// loopback listener, an admin with a token, and an empty config directory.
type cliFixture struct {
	t          *testing.T
	url        string
	rbac       *rbac.Service
	reg        *catalog.Registry
	adminToken string
	configDir  string
	scans      []catalog.SourceScan
}

const adminEmail = "admin@example.com"

func newCLIFixture(t *testing.T) *cliFixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "system.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := rbac.New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	f := &cliFixture{t: t, rbac: svc, reg: catalog.NewRegistry(st, svc), configDir: t.TempDir()}
	// Server logs go to the test's output, shown only when it fails.
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	auditor := store.NewAuditor(st, logger)
	api := httpapi.New(httpapi.Deps{RBAC: svc, Registry: f.reg, Auditor: auditor, Logger: logger, Version: "test",
		Rebuild: func(ctx context.Context, a rbac.Actor) (catalog.SyncResult, error) {
			return f.reg.SyncExtracts(ctx, a.UserID, f.scans)
		}})
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(func() {
		srv.Close()
		auditor.Close()
		st.Close()
	})
	f.url = srv.URL

	system := rbac.Actor{UserID: "system"}
	u, err := svc.CreateUser(ctx, system, adminEmail, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.AddMember(ctx, system, rbac.AdminGroupID, u.ID); err != nil {
		t.Fatal(err)
	}
	_, f.adminToken, err = svc.CreateToken(ctx, system, u.ID, "bootstrap", nil)
	if err != nil {
		t.Fatal(err)
	}

	// Each test starts logged out, with its own config directory.
	t.Setenv("AGNES_CONFIG_DIR", f.configDir)
	t.Setenv("AGNES_SERVER", "")
	t.Setenv("AGNES_TOKEN", "")
	return f
}

type result struct {
	code           int
	stdout, stderr string
}

// run executes the agnes command line in-process.
func run(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := execute(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// admin runs an agnes command with the admin's credentials as flags and
// fails the test unless it exits 0.
func (f *cliFixture) admin(args ...string) result {
	f.t.Helper()
	r := run(f.t, "", append(args, "--server", f.url, "--token", f.adminToken)...)
	if r.code != 0 {
		f.t.Fatalf("agnes %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// adminJSON runs an admin command with --json and decodes its output.
func (f *cliFixture) adminJSON(v any, args ...string) {
	f.t.Helper()
	r := f.admin(append(args, "--json")...)
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		f.t.Fatalf("agnes %s --json: output is not JSON: %v\n%s", strings.Join(args, " "), err, r.stdout)
	}
}

func TestLoginStoresCredentials(t *testing.T) {
	f := newCLIFixture(t)
	path := filepath.Join(f.configDir, "credentials.json")

	// A rejected token stores nothing.
	r := run(t, "", "login", "--server", f.url, "--token", "agnes_pat_wrong")
	if r.code != 1 || !strings.Contains(r.stderr, "(HTTP 401 unauthorized)") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("bad token login: %+v", r)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("credentials written after a failed login: %v", err)
	}

	r = run(t, "", "login", "--server", f.url+"/", "--token", f.adminToken)
	if r.code != 0 || !strings.Contains(r.stdout, "as "+adminEmail+" (admin)") || !strings.Contains(r.stdout, path) {
		t.Fatalf("login: %+v", r)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials mode %v, want 0600", st.Mode().Perm())
	}
	var stored credentials
	raw, _ := os.ReadFile(path)
	if err := json.Unmarshal(raw, &stored); err != nil || stored != (credentials{Server: f.url, Token: f.adminToken}) {
		t.Fatalf("stored %s (err %v)", raw, err)
	}
	entries, _ := os.ReadDir(f.configDir)
	if len(entries) != 1 {
		t.Fatalf("config dir holds %d entries, want only credentials.json (temporary file left behind?)", len(entries))
	}

	// Later commands use the stored login.
	r = run(t, "", "admin", "user", "list")
	if r.code != 0 || !strings.Contains(r.stdout, adminEmail) {
		t.Fatalf("user list with stored login: %+v", r)
	}

	// The token can come from standard input; a fresh config directory
	// (not yet existing) is created owner-only.
	fresh := filepath.Join(t.TempDir(), "nested", "agnes")
	t.Setenv("AGNES_CONFIG_DIR", fresh)
	r = run(t, f.adminToken+"\n", "login", "--server", f.url, "--token", "-")
	if r.code != 0 {
		t.Fatalf("login with token on stdin: %+v", r)
	}
	if st, err := os.Stat(fresh); err != nil || st.Mode().Perm() != 0o700 {
		t.Fatalf("config dir mode: %v %v", st.Mode().Perm(), err)
	}
	if st, err := os.Stat(filepath.Join(fresh, "credentials.json")); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials: %v", err)
	}
}

func TestCredentialPrecedence(t *testing.T) {
	f := newCLIFixture(t)
	dead := deadServer(t)

	// Nothing configured.
	r := run(t, "", "admin", "user", "list")
	want := "agnes: not logged in: run `agnes login --server URL --token PAT` or set AGNES_SERVER and AGNES_TOKEN\n"
	if r.code != 1 || r.stderr != want || r.stdout != "" {
		t.Fatalf("not logged in: %+v", r)
	}

	// Stored login points at a dead server with a bad token …
	if _, err := saveCredentials(credentials{Server: dead, Token: "agnes_pat_stale"}); err != nil {
		t.Fatal(err)
	}
	r = run(t, "", "admin", "user", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "cannot reach "+dead+": connection refused — is `agnes serve` running?") {
		t.Fatalf("stored dead server: %+v", r)
	}
	// … the environment overrides it …
	t.Setenv("AGNES_SERVER", f.url)
	t.Setenv("AGNES_TOKEN", f.adminToken)
	if r = run(t, "", "admin", "user", "list"); r.code != 0 {
		t.Fatalf("env credentials: %+v", r)
	}
	// … and flags override the environment.
	r = run(t, "", "admin", "user", "list", "--token", "agnes_pat_nope")
	if r.code != 1 || !strings.HasSuffix(r.stderr, "(HTTP 401 unauthorized)\n") {
		t.Fatalf("flag token: %+v", r)
	}
	r = run(t, "", "admin", "user", "list", "--server", dead)
	if r.code != 1 || !strings.Contains(r.stderr, "cannot reach "+dead) {
		t.Fatalf("flag server: %+v", r)
	}
}

// deadServer returns the URL of a loopback port nothing listens on.
func deadServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr
}
