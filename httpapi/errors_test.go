package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/rbac"
)

// TestErrorResponses checks status, code and message of each failure class.
func TestErrorResponses(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := rbac.Actor{UserID: f.adminID}
	if _, err := f.rbac.CreateUser(ctx, admin, "dup@example.com", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rbac.CreateGroup(ctx, admin, "Sales", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.rbac.AddMember(ctx, admin, "Sales", "dup@example.com"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.rbac.CreateGrant(ctx, admin, "Sales", "table", "orders"); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name         string
		method, path string
		body         any
		status       int
		code         string
		inMessage    string
	}{
		// 404
		{"unknown endpoint", "GET", "/api/nope", nil, 404, CodeNotFound, "/api/nope"},
		{"deactivate unknown user", "POST", "/api/admin/users/nobody@example.com/deactivate", nil, 404, CodeNotFound, "nobody@example.com not found"},
		{"token for unknown user", "POST", "/api/admin/tokens", map[string]string{"user": "nobody@example.com"}, 404, CodeNotFound, "nobody@example.com"},
		{"tokens of unknown user", "GET", "/api/admin/tokens?user=nobody@example.com", nil, 404, CodeNotFound, "nobody@example.com"},
		{"revoke unknown token", "DELETE", "/api/admin/tokens/tok_missing", nil, 404, CodeNotFound, "tok_missing"},
		{"delete unknown group", "DELETE", "/api/admin/groups/Ghosts", nil, 404, CodeNotFound, "Ghosts"},
		{"members of unknown group", "GET", "/api/admin/groups/Ghosts/members", nil, 404, CodeNotFound, "Ghosts"},
		{"add unknown user", "POST", "/api/admin/groups/Sales/members", map[string]string{"user": "nobody@example.com"}, 404, CodeNotFound, "nobody@example.com"},
		{"remove non-member", "DELETE", "/api/admin/groups/Sales/members/" + adminEmail, nil, 404, CodeNotFound, "not a member"},
		{"grant to unknown group", "POST", "/api/admin/grants", map[string]string{"group": "Ghosts", "resource_type": "table", "resource_id": "x"}, 404, CodeNotFound, "Ghosts"},
		{"grants of unknown group", "GET", "/api/admin/grants?group=Ghosts", nil, 404, CodeNotFound, "Ghosts"},
		{"delete unknown grant", "DELETE", "/api/admin/grants/gr_missing", nil, 404, CodeNotFound, "gr_missing"},
		{"get unknown table", "GET", "/api/admin/tables/missing", nil, 404, CodeNotFound, "missing"},
		{"patch unknown table", "PATCH", "/api/admin/tables/missing", map[string]string{"description": "x"}, 404, CodeNotFound, "missing"},
		{"delete unknown table", "DELETE", "/api/admin/tables/missing", nil, 404, CodeNotFound, "missing"},
		// 409
		{"duplicate user", "POST", "/api/admin/users", map[string]string{"email": "DUP@example.com"}, 409, CodeConflict, "dup@example.com"},
		{"duplicate group", "POST", "/api/admin/groups", map[string]string{"name": "sales"}, 409, CodeConflict, "sales"},
		{"duplicate member", "POST", "/api/admin/groups/Sales/members", map[string]string{"user": "dup@example.com"}, 409, CodeConflict, "already a member"},
		{"duplicate grant", "POST", "/api/admin/grants", map[string]string{"group": "Sales", "resource_type": "table", "resource_id": "orders"}, 409, CodeConflict, "orders"},
		{"delete system group", "DELETE", "/api/admin/groups/Admin", nil, 409, CodeSystemGroup, "system group"},
		{"remove from Everyone", "DELETE", "/api/admin/groups/Everyone/members/dup@example.com", nil, 409, CodeSystemGroup, "implicit"},
		{"remove last admin", "DELETE", "/api/admin/groups/Admin/members/" + adminEmail, nil, 409, CodeLastAdmin, "last active admin"},
		{"deactivate last admin", "POST", "/api/admin/users/" + adminEmail + "/deactivate", nil, 409, CodeLastAdmin, "last active admin"},
		// 400 validation
		{"bad email", "POST", "/api/admin/users", map[string]string{"email": "not an email"}, 400, CodeInvalid, "not an email"},
		{"token without user", "POST", "/api/admin/tokens", map[string]string{"name": "x"}, 400, CodeInvalid, "user is required"},
		{"bad expires_in", "POST", "/api/admin/tokens", map[string]string{"user": adminEmail, "expires_in": "soon"}, 400, CodeInvalid, "expires_in"},
		{"negative expires_in", "POST", "/api/admin/tokens", map[string]string{"user": adminEmail, "expires_in": "-1d"}, 400, CodeInvalid, "positive"},
		{"empty group name", "POST", "/api/admin/groups", map[string]string{"name": " "}, 400, CodeInvalid, "group name"},
		{"member without user", "POST", "/api/admin/groups/Sales/members", map[string]string{}, 400, CodeInvalid, "user is required"},
		{"unknown resource type", "POST", "/api/admin/grants", map[string]string{"group": "Sales", "resource_type": "dataset", "resource_id": "x"}, 400, CodeInvalid, "dataset"},
		{"bad table name", "POST", "/api/admin/tables", map[string]string{"name": "1 bad-name"}, 400, CodeInvalid, "must match"},
		{"bad query mode", "POST", "/api/admin/tables", map[string]string{"name": "t", "query_mode": "cloud"}, 400, CodeInvalid, "query_mode"},
		{"server_only remote", "POST", "/api/admin/tables", map[string]any{"name": "t", "query_mode": "remote", "server_only": true}, 400, CodeInvalid, "server_only"},
		// 400 malformed bodies
		{"invalid json", "POST", "/api/admin/users", `{"email": `, 400, CodeInvalidJSON, "not valid JSON"},
		{"not json", "POST", "/api/admin/groups", `name=x`, 400, CodeInvalidJSON, "not valid JSON"},
		{"empty body", "POST", "/api/admin/users", nil, 400, CodeInvalidJSON, "empty"},
		{"array body", "POST", "/api/admin/users", `[]`, 400, CodeInvalidJSON, "JSON object"},
		{"wrong field type", "POST", "/api/admin/users", `{"email": 5}`, 400, CodeInvalidJSON, `"email" must be a JSON string`},
		{"trailing data", "POST", "/api/admin/users", `{"email":"a@example.com"} {}`, 400, CodeInvalidJSON, "after the JSON value"},
		{"unknown field user", "POST", "/api/admin/users", `{"email":"a@example.com","role":"admin"}`, 400, CodeInvalidJSON, `unknown field "role"`},
		{"unknown field token", "POST", "/api/admin/tokens", `{"user":"` + adminEmail + `","ttl":"1d"}`, 400, CodeInvalidJSON, `unknown field "ttl"`},
		{"unknown field group", "POST", "/api/admin/groups", `{"name":"x","is_system":true}`, 400, CodeInvalidJSON, `unknown field "is_system"`},
		{"unknown field member", "POST", "/api/admin/groups/Sales/members", `{"email":"dup@example.com"}`, 400, CodeInvalidJSON, `unknown field "email"`},
		{"unknown field grant", "POST", "/api/admin/grants", `{"group_id":"admin","resource_type":"table","resource_id":"x"}`, 400, CodeInvalidJSON, `unknown field "group_id"`},
		{"unknown field table", "POST", "/api/admin/tables", `{"name":"t","location":"/etc/passwd"}`, 400, CodeInvalidJSON, `unknown field "location"`},
		{"unknown field patch", "PATCH", "/api/admin/tables/missing", `{"name":"renamed"}`, 400, CodeInvalidJSON, `unknown field "name"`},
		// 405, 413
		{"wrong method", "PUT", "/api/admin/users", `{}`, 405, CodeMethodNotAllowed, "PUT"},
		{"too large", "POST", "/api/admin/users", `{"email":"` + strings.Repeat("a", MaxBodyBytes) + `@example.com"}`, 413, CodeTooLarge, "larger than"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.must(c.status, c.method, c.path, f.adminToken, c.body)
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Fatalf("Content-Type %q", ct)
			}
			e := r.errorBody(t)
			if e.Error != c.code || !strings.Contains(e.Message, c.inMessage) {
				t.Fatalf("got %+v, want code %q and message containing %q", e, c.code, c.inMessage)
			}
		})
	}

	// 405 names the allowed methods.
	r := f.must(http.StatusMethodNotAllowed, "PUT", "/api/admin/users", f.adminToken, `{}`)
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Fatalf("Allow = %q", allow)
	}
	// Nothing the failed calls attempted was written.
	users, err := f.rbac.Users(ctx)
	if err != nil || len(users) != 2 {
		t.Fatalf("users after failures = %d (err %v)", len(users), err)
	}
	tables, err := f.reg.List(ctx)
	if err != nil || len(tables) != 0 {
		t.Fatalf("tables after failures = %v (err %v)", tables, err)
	}
}

// TestInternalErrorsLeakNothing: a failing dependency and a panicking
// handler both answer a bare 500; the detail is in the log only.
func TestInternalErrorsLeakNothing(t *testing.T) {
	f := newFixture(t)
	f.api.HandleAuthed("GET /api/boom", func(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
		panic("secret detail /var/lib/agnes")
	})
	f.api.deps.Rebuild = func(ctx context.Context, a rbac.Actor) (catalog.SyncResult, error) {
		return catalog.SyncResult{}, errorString("open /srv/extracts/x/extract.duckdb: permission denied")
	}
	for _, path := range []string{"/api/boom", "/api/sync/rebuild"} {
		method := "GET"
		if path == "/api/sync/rebuild" {
			method = "POST"
		}
		r := f.must(http.StatusInternalServerError, method, path, f.adminToken, nil)
		if e := r.errorBody(t); e.Error != CodeInternal || e.Message != "internal server error" {
			t.Fatalf("%s: %+v", path, e)
		}
	}
	logs := f.logs.String()
	if !strings.Contains(logs, "secret detail") || !strings.Contains(logs, "permission denied") {
		t.Fatalf("details missing from log:\n%s", logs)
	}
	rows := f.auditRows(f.adminID)
	if len(rows) != 1 || rows[0].Action != "sync.rebuild.request" || rows[0].Outcome != "error" {
		t.Fatalf("audit rows = %+v", rows)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestParseExpiresIn(t *testing.T) {
	cases := []struct {
		in    string
		want  string
		never bool
		bad   bool
	}{
		{"", "2160h0m0s", false, false},
		{"90d", "2160h0m0s", false, false},
		{"1d", "24h0m0s", false, false},
		{"24h", "24h0m0s", false, false},
		{"30m", "30m0s", false, false},
		{" NEVER ", "0s", true, false},
		{"3650d", "87600h0m0s", false, false},
		{"3651d", "", false, true},
		{"0d", "", false, true},
		{"-5h", "", false, true},
		{"d", "", false, true},
		{"1.5d", "", false, true},
		{"tomorrow", "", false, true},
	}
	for _, c := range cases {
		d, never, err := ParseExpiresIn(c.in)
		if c.bad {
			if err == nil {
				t.Errorf("%q: no error", c.in)
			}
			continue
		}
		if err != nil || d.String() != c.want || never != c.never {
			t.Errorf("%q = %v, %v, %v; want %s, %v", c.in, d, never, err, c.want, c.never)
		}
	}
}

func TestServiceMessage(t *testing.T) {
	cases := []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w: group Data Team", rbac.ErrNotFound), "group Data Team not found"},
		{fmt.Errorf("%w: bob@example.com is not a member of Sales", rbac.ErrNotFound), "bob@example.com is not a member of Sales"},
		{fmt.Errorf("%w: user a@example.com", rbac.ErrConflict), "user a@example.com already exists"},
		{fmt.Errorf("%w: Sales already has table orders", rbac.ErrConflict), "Sales already has table orders"},
		{fmt.Errorf("%w: query_mode \"x\" must be local, remote or materialized", rbac.ErrInvalid), "query_mode \"x\" must be local, remote or materialized"},
		{fmt.Errorf("%w: Admin is a system group and cannot be deleted", rbac.ErrSystemGroup), "Admin is a system group and cannot be deleted"},
		{fmt.Errorf("register: %w", rbac.ErrNotFound), "register: not found"},
	}
	for _, c := range cases {
		if got := serviceMessage(c.err); got != c.want {
			t.Errorf("serviceMessage(%q) = %q, want %q", c.err, got, c.want)
		}
	}
}
