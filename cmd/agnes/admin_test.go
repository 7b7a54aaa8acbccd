package main

import (
	"strings"
	"testing"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/client"
)

// TestAdminJSON drives every admin command with --json and checks the
// shapes scripts rely on.
func TestAdminJSON(t *testing.T) {
	f := newCLIFixture(t)

	var u client.User
	f.adminJSON(&u, "admin", "user", "create", "alice@example.com", "--name", "Alice")
	if u.Email != "alice@example.com" || u.Name != "Alice" || !u.Active || u.ID == "" {
		t.Fatalf("user create = %+v", u)
	}
	var users []client.User
	f.adminJSON(&users, "admin", "user", "list")
	if len(users) != 2 || users[1].Email != "alice@example.com" {
		t.Fatalf("user list = %+v", users)
	}

	// token create --json: {"id", "token", "expires_at", …}.
	var tok map[string]any
	f.adminJSON(&tok, "admin", "token", "create", "alice@example.com", "--name", "laptop", "--expires-in", "never")
	id, _ := tok["id"].(string)
	secret, _ := tok["token"].(string)
	if exp, ok := tok["expires_at"]; !ok || exp != nil || !strings.HasPrefix(secret, "agnes_pat_") || id == "" {
		t.Fatalf("token create --json = %v", tok)
	}
	var dated client.CreatedToken
	f.adminJSON(&dated, "admin", "token", "create", "alice@example.com")
	if dated.ExpiresAt == nil {
		t.Fatalf("default token has no expiry: %+v", dated)
	}
	// The new token works for its user.
	r := run(t, "", "login", "--server", f.url, "--token", secret)
	if r.code != 0 || !strings.Contains(r.stdout, "as alice@example.com.") {
		t.Fatalf("login with created token: %+v", r)
	}
	var tokens []client.Token
	f.adminJSON(&tokens, "admin", "token", "list", "alice@example.com")
	if len(tokens) != 2 || tokens[0].ID != id || tokens[0].UserEmail != "alice@example.com" {
		t.Fatalf("token list = %+v", tokens)
	}
	var all []client.Token
	f.adminJSON(&all, "admin", "token", "list")
	if len(all) != 3 {
		t.Fatalf("all tokens = %d", len(all))
	}
	var revoked client.Token
	f.adminJSON(&revoked, "admin", "token", "revoke", id)
	if revoked.ID != id || revoked.RevokedAt == nil {
		t.Fatalf("token revoke = %+v", revoked)
	}

	var g client.Group
	f.adminJSON(&g, "admin", "group", "create", "Analysts", "--description", "data people")
	if g.Name != "Analysts" || g.Description != "data people" {
		t.Fatalf("group create = %+v", g)
	}
	var m client.Member
	f.adminJSON(&m, "admin", "group", "add-member", "Analysts", "alice@example.com")
	if m.Email != "alice@example.com" || m.Source != "admin" {
		t.Fatalf("add-member = %+v", m)
	}
	var members []client.Member
	f.adminJSON(&members, "admin", "group", "members", "Analysts")
	if len(members) != 1 || members[0].UserID != u.ID {
		t.Fatalf("members = %+v", members)
	}
	var groups []client.Group
	f.adminJSON(&groups, "admin", "group", "list")
	if len(groups) != 3 {
		t.Fatalf("group list = %+v", groups)
	}

	var grant client.Grant
	f.adminJSON(&grant, "admin", "grant", "create", "Analysts", "table", "orders")
	if grant.GroupName != "Analysts" || grant.ResourceType != "table" || grant.ResourceID != "orders" {
		t.Fatalf("grant create = %+v", grant)
	}
	for _, args := range [][]string{{}, {"--group", "Analysts"}, {"--type", "table"}, {"--group", "analysts", "--type", "table"}} {
		var grants []client.Grant
		f.adminJSON(&grants, append([]string{"admin", "grant", "list"}, args...)...)
		if len(grants) != 1 || grants[0].ID != grant.ID {
			t.Fatalf("grant list %v = %+v", args, grants)
		}
	}
	var none []client.Grant
	f.adminJSON(&none, "admin", "grant", "list", "--type", "plugin")
	if none == nil || len(none) != 0 {
		t.Fatalf("plugin grants = %#v, want []", none)
	}
	var rts []client.ResourceType
	f.adminJSON(&rts, "admin", "grant", "resource-types")
	if len(rts) < 2 {
		t.Fatalf("resource types = %+v", rts)
	}
	var deleted map[string]any
	f.adminJSON(&deleted, "admin", "grant", "delete", grant.ID)
	if deleted["deleted"] != true || deleted["id"] != grant.ID {
		t.Fatalf("grant delete = %v", deleted)
	}

	var removed map[string]any
	f.adminJSON(&removed, "admin", "group", "remove-member", "Analysts", "alice@example.com")
	if removed["removed"] != true {
		t.Fatalf("remove-member = %v", removed)
	}
	f.adminJSON(&deleted, "admin", "group", "delete", "Analysts")
	if deleted["deleted"] != true || deleted["group"] != "Analysts" {
		t.Fatalf("group delete = %v", deleted)
	}

	f.scans = []catalog.SourceScan{{Source: "demo", Tables: []catalog.Table{{ID: "events", Name: "events", SourceType: "demo"}}}}
	var sync map[string][]string
	f.adminJSON(&sync, "admin", "sync", "rebuild")
	if len(sync["added"]) != 1 || sync["added"][0] != "events" || sync["updated"] == nil || sync["removed"] == nil || sync["broken"] == nil {
		t.Fatalf("sync rebuild = %v", sync)
	}

	var deact client.User
	f.adminJSON(&deact, "admin", "user", "deactivate", "alice@example.com")
	if deact.Active {
		t.Fatalf("deactivate = %+v", deact)
	}
	// Alice's stored login stops working at once.
	r = run(t, "", "admin", "user", "list")
	if r.code != 1 || !strings.Contains(r.stderr, "HTTP 401 unauthorized") {
		t.Fatalf("deactivated user's login: %+v", r)
	}
}

// TestAdminTables registers, lists, updates and deletes a table through the
// CLI; update sends only the flags given.
func TestAdminTables(t *testing.T) {
	f := newCLIFixture(t)

	var tb client.Table
	f.adminJSON(&tb, "admin", "table", "register", "Orders", "--source-type", "keboola", "--bucket", "in.c-sales",
		"--source-table", "orders", "--description", "all orders", "--sync-schedule", "0 * * * *", "--server-only")
	if tb.ID != "orders" || tb.SourceType != "keboola" || tb.Bucket != "in.c-sales" || !tb.ServerOnly || tb.QueryMode != "local" {
		t.Fatalf("register = %+v", tb)
	}
	var upd client.Table
	f.adminJSON(&upd, "admin", "table", "update", "orders", "--description", "deduplicated orders")
	if upd.Description != "deduplicated orders" || !upd.ServerOnly || upd.Bucket != "in.c-sales" || upd.SyncSchedule != "0 * * * *" {
		t.Fatalf("update touched more than --description: %+v", upd)
	}
	var cleared client.Table
	f.adminJSON(&cleared, "admin", "table", "update", "orders", "--server-only=false", "--bucket", "")
	if cleared.ServerOnly || cleared.Bucket != "" || cleared.SourceTable != "orders" || cleared.Description != "deduplicated orders" {
		t.Fatalf("update --server-only=false --bucket '' = %+v", cleared)
	}

	r := f.admin("admin", "table", "list")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 || strings.Join(strings.Fields(lines[0]), " ") != "ID SCHEMA MODE SOURCE ROWS SIZE STATUS" {
		t.Fatalf("table list:\n%s", r.stdout)
	}
	if got := strings.Join(strings.Fields(lines[1]), " "); got != "orders public local keboola 0 0 B ok" {
		t.Fatalf("table row = %q", got)
	}
	var tables []client.Table
	f.adminJSON(&tables, "admin", "table", "list")
	if len(tables) != 1 || tables[0].ID != "orders" {
		t.Fatalf("table list --json = %+v", tables)
	}
	var deleted map[string]any
	f.adminJSON(&deleted, "admin", "table", "delete", "orders")
	if deleted["deleted"] != true {
		t.Fatalf("table delete = %v", deleted)
	}
	r = run(t, "", "admin", "table", "delete", "orders", "--server", f.url, "--token", f.adminToken)
	if r.code != 1 || !strings.Contains(r.stderr, "(HTTP 404 not_found)") {
		t.Fatalf("second delete: %+v", r)
	}
}

// TestAdminHuman checks the human output: aligned tables with the promised
// columns, and a new token alone on stdout with the warning on stderr.
func TestAdminHuman(t *testing.T) {
	f := newCLIFixture(t)

	r := f.admin("admin", "user", "create", "bob@example.com")
	if !strings.Contains(r.stdout, "Created user bob@example.com") {
		t.Fatalf("user create: %q", r.stdout)
	}
	r = f.admin("admin", "user", "list")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "ID EMAIL NAME ACTIVE CREATED" ||
		!strings.Contains(lines[2], "bob@example.com") {
		t.Fatalf("user list:\n%s", r.stdout)
	}
	// Columns line up: EMAIL starts at the same offset on every line.
	col := strings.Index(lines[0], "EMAIL")
	if strings.Index(lines[1], adminEmail) != col || strings.Index(lines[2], "bob@example.com") != col {
		t.Fatalf("columns not aligned:\n%s", r.stdout)
	}

	r = f.admin("admin", "token", "create", "bob@example.com", "--name", "ci", "--expires-in", "24h")
	token := strings.TrimSpace(r.stdout)
	if !strings.HasPrefix(token, "agnes_pat_") || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("token create stdout = %q, want the token alone", r.stdout)
	}
	if !strings.Contains(r.stderr, "cannot be shown again") || strings.Contains(r.stderr, token) {
		t.Fatalf("token create stderr = %q", r.stderr)
	}
	if me, err := client.New(f.url, token).Me(t.Context()); err != nil || me.Email != "bob@example.com" {
		t.Fatalf("printed token does not authenticate: %v %v", me, err)
	}
	r = f.admin("admin", "token", "list", "bob@example.com")
	if !strings.Contains(r.stdout, "STATUS") || !strings.Contains(r.stdout, "active") || strings.Contains(r.stdout, token) {
		t.Fatalf("token list:\n%s", r.stdout)
	}

	f.admin("admin", "group", "create", "Ops")
	r = f.admin("admin", "group", "list")
	if !strings.Contains(r.stdout, "Ops") || !strings.Contains(r.stdout, "Everyone") {
		t.Fatalf("group list:\n%s", r.stdout)
	}
	r = f.admin("admin", "sync", "rebuild")
	if !strings.Contains(r.stdout, "Registry rebuilt: 0 added, 0 updated, 0 removed, 0 broken.") {
		t.Fatalf("sync rebuild: %q", r.stdout)
	}
}

// TestExitCodes: 0 for success and help, 1 for failures (one line on
// stderr), 2 for command-line mistakes.
func TestExitCodes(t *testing.T) {
	f := newCLIFixture(t)
	ctx := t.Context()
	if _, err := client.New(f.url, f.adminToken).CreateUser(ctx, "carol@example.com", ""); err != nil {
		t.Fatal(err)
	}
	carol, err := client.New(f.url, f.adminToken).CreateToken(ctx, "carol@example.com", "", "")
	if err != nil {
		t.Fatal(err)
	}
	dead := deadServer(t)
	auth := []string{"--server", f.url, "--token", f.adminToken}

	cases := []struct {
		name   string
		args   []string
		code   int
		stderr string // substring; for exit 1 the whole stderr must be one line
	}{
		{"version", []string{"version"}, 0, ""},
		{"help", []string{"--help"}, 0, ""},
		{"subcommand help", []string{"admin", "table", "register", "--help"}, 0, ""},
		{"bare root", nil, 2, "Usage:"},
		{"bare group", []string{"admin", "user"}, 2, "Available Commands:"},
		{"unknown command", []string{"frobnicate"}, 2, `unknown command "frobnicate" for "agnes"`},
		{"unknown subcommand", []string{"admin", "user", "frobnicate"}, 2, `unknown command "frobnicate" for "agnes admin user"`},
		{"unknown flag", []string{"admin", "user", "list", "--frob"}, 2, "unknown flag: --frob"},
		{"missing argument", []string{"admin", "user", "create"}, 2, "accepts 1 arg(s), received 0 — run `agnes admin user create --help`"},
		{"extra argument", []string{"admin", "grant", "delete", "a", "b"}, 2, "accepts 1 arg(s), received 2"},
		{"required flag", append([]string{"admin", "table", "register", "t"}, auth...), 2, `required flag(s) "source-type" not set`},
		{"update without flags", append([]string{"admin", "table", "update", "t"}, auth...), 2, "nothing to update"},
		{"bad flag value", []string{"admin", "table", "update", "t", "--server-only=maybe"}, 2, "invalid argument"},
		{"login without token", []string{"login", "--server", f.url}, 2, "login needs --server URL and --token PAT"},
		{"login bad url", []string{"login", "--server", "ftp://x", "--token", "t"}, 2, "is not an http(s) URL"},
		{"ok", append([]string{"admin", "user", "list"}, auth...), 0, ""},
		{"forbidden", []string{"admin", "user", "list", "--server", f.url, "--token", carol.Token}, 1,
			"agnes: admin access required: ask an admin to add you to the Admin group (HTTP 403 forbidden)"},
		{"not found", append([]string{"admin", "group", "delete", "Ghosts"}, auth...), 1, "agnes: group Ghosts not found (HTTP 404 not_found)"},
		{"conflict", append([]string{"admin", "user", "create", "carol@example.com"}, auth...), 1, "(HTTP 409 conflict)"},
		{"system group", append([]string{"admin", "group", "delete", "Admin"}, auth...), 1, "(HTTP 409 system_group)"},
		{"last admin", append([]string{"admin", "user", "deactivate", adminEmail}, auth...), 1, "(HTTP 409 last_admin)"},
		{"validation", append([]string{"admin", "token", "create", "carol@example.com", "--expires-in", "soon"}, auth...), 1, "(HTTP 400 invalid)"},
		{"unreachable", []string{"admin", "user", "list", "--server", dead, "--token", "x"}, 1,
			"agnes: cannot reach " + dead + ": connection refused — is `agnes serve` running?"},
		{"not logged in", []string{"admin", "sync", "rebuild"}, 1, "agnes: not logged in: run `agnes login --server URL --token PAT`"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run(t, "", c.args...)
			if r.code != c.code {
				t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", r.code, c.code, r.stdout, r.stderr)
			}
			if !strings.Contains(r.stderr, c.stderr) {
				t.Fatalf("stderr %q lacks %q", r.stderr, c.stderr)
			}
			if c.code == 1 && (strings.Count(r.stderr, "\n") != 1 || !strings.HasPrefix(r.stderr, "agnes: ")) {
				t.Fatalf("error output is not one 'agnes: ' line: %q", r.stderr)
			}
			if c.code == 2 && c.stderr != "Usage:" && c.stderr != "Available Commands:" && strings.Count(r.stderr, "\n") != 1 {
				t.Fatalf("usage error is not one line: %q", r.stderr)
			}
			if c.code == 0 && r.stderr != "" {
				t.Fatalf("stderr on success: %q", r.stderr)
			}
		})
	}
}

func TestVersionOutput(t *testing.T) {
	r := run(t, "", "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "agnes dev (go") {
		t.Fatalf("version: %+v", r)
	}
	// --json belongs to admin; version does not take it.
	if r = run(t, "", "version", "--json"); r.code != 2 {
		t.Fatalf("version --json: %+v", r)
	}
}
