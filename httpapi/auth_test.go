package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/keboola/agnes/rbac"
)

// TestUnauthorized covers every way a request can fail authentication; all
// answer the same 401 with the Bearer challenge.
func TestUnauthorized(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := rbac.Actor{UserID: f.adminID}

	past := time.Now().Add(-time.Hour)
	_, expired := f.userWithToken("expired@example.com", &past)
	revokedTok, revoked, err := f.rbac.CreateToken(ctx, admin, f.adminID, "to-revoke", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.rbac.RevokeToken(ctx, admin, revokedTok.ID); err != nil {
		t.Fatal(err)
	}
	future := time.Now().Add(time.Hour)
	_, gone := f.userWithToken("gone@example.com", &future)
	if _, err := f.rbac.DeactivateUser(ctx, admin, "gone@example.com"); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		header string
	}{
		{"missing", ""},
		{"empty bearer", "Bearer "},
		{"basic scheme", "Basic " + f.adminToken},
		{"no scheme", f.adminToken},
		{"garbage", "Bearer not-a-token"},
		{"unknown pat", "Bearer agnes_pat_0000000000000000000000000000000000000000000"},
		{"oversized", "Bearer agnes_pat_" + strings.Repeat("x", 500)},
		{"revoked", "Bearer " + revoked},
		{"expired", "Bearer " + expired},
		{"deactivated user", "Bearer " + gone},
	}
	for _, path := range []string{"/api/me", "/api/admin/users", "/api/tokens"} {
		for _, c := range cases {
			t.Run(path+"/"+c.name, func(t *testing.T) {
				req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
				if c.header != "" {
					req.Header.Set("Authorization", c.header)
				}
				resp, err := f.srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.StatusCode != http.StatusUnauthorized {
					t.Fatalf("status %d, want 401", resp.StatusCode)
				}
				if got := resp.Header.Get("WWW-Authenticate"); got != `Bearer realm="agnes"` {
					t.Fatalf("WWW-Authenticate = %q", got)
				}
				var body [512]byte
				n, _ := resp.Body.Read(body[:])
				r := response{status: resp.StatusCode, body: body[:n]}
				if e := r.errorBody(t); e.Error != CodeUnauthorized {
					t.Fatalf("error code %q", e.Error)
				}
			})
		}
	}

	// The scheme is case-insensitive; a valid token in lower-case "bearer"
	// authenticates.
	req, _ := http.NewRequest("GET", f.srv.URL+"/api/me", nil)
	req.Header.Set("Authorization", "bearer "+f.adminToken)
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("lower-case bearer: status %d", resp.StatusCode)
	}
}

// adminEndpoints is every admin route with a body that would be valid for
// an admin, so a 403 can only come from the role check.
var adminEndpoints = []struct {
	method, path string
	body         any
}{
	{"POST", "/api/admin/users", map[string]string{"email": "x@example.com"}},
	{"GET", "/api/admin/users", nil},
	{"POST", "/api/admin/users/" + adminEmail + "/deactivate", nil},
	{"POST", "/api/admin/tokens", map[string]string{"user": adminEmail}},
	{"GET", "/api/admin/tokens", nil},
	{"GET", "/api/admin/tokens?user=" + adminEmail, nil},
	{"DELETE", "/api/admin/tokens/tok_x", nil},
	{"POST", "/api/admin/groups", map[string]string{"name": "g"}},
	{"GET", "/api/admin/groups", nil},
	{"DELETE", "/api/admin/groups/g", nil},
	{"GET", "/api/admin/groups/Admin/members", nil},
	{"POST", "/api/admin/groups/Admin/members", map[string]string{"user": "bob@example.com"}},
	{"DELETE", "/api/admin/groups/Admin/members/" + adminEmail, nil},
	{"POST", "/api/admin/grants", map[string]string{"group": "Everyone", "resource_type": "table", "resource_id": "t"}},
	{"GET", "/api/admin/grants", nil},
	{"DELETE", "/api/admin/grants/gr_x", nil},
	{"GET", "/api/admin/resource-types", nil},
	{"GET", "/api/admin/tables", nil},
	{"GET", "/api/admin/tables/t", nil},
	{"POST", "/api/admin/tables", map[string]string{"name": "t"}},
	{"PATCH", "/api/admin/tables/t", map[string]string{"description": "d"}},
	{"DELETE", "/api/admin/tables/t", nil},
	{"POST", "/api/sync/rebuild", nil},
}

// TestNonAdminForbidden: an ordinary user is refused on every admin
// endpoint, while the endpoints meant for every user answer 200.
func TestNonAdminForbidden(t *testing.T) {
	f := newFixture(t)
	bobID, bob := f.userWithToken("bob@example.com", nil)

	for _, e := range adminEndpoints {
		t.Run(e.method+" "+e.path, func(t *testing.T) {
			r := f.must(http.StatusForbidden, e.method, e.path, bob, e.body)
			if got := r.errorBody(t); got.Error != CodeForbidden {
				t.Fatalf("error = %+v", got)
			}
		})
	}

	// Allowed paths for the same user.
	var me Me
	f.must(http.StatusOK, "GET", "/api/me", bob, nil).json(t, &me)
	if me.Email != "bob@example.com" || me.IsAdmin || len(me.Groups) != 1 || me.Groups[0].ID != rbac.EveryoneGroupID {
		t.Fatalf("bob /api/me = %+v", me)
	}
	var own []rbac.Token
	f.must(http.StatusOK, "GET", "/api/tokens", bob, nil).json(t, &own)
	if len(own) != 1 || own[0].UserID != bobID {
		t.Fatalf("bob's tokens = %+v", own)
	}

	// Nothing was changed by the refused calls, and each refusal is audited.
	users, err := f.rbac.Users(context.Background())
	if err != nil || len(users) != 2 || !users[0].Active {
		t.Fatalf("users after refused calls = %v (err %v)", users, err)
	}
	denied := 0
	for _, e := range f.auditRows(bobID) {
		if e.Action != "http.admin" || e.Outcome != "denied" {
			t.Fatalf("unexpected audit row for bob: %+v", e)
		}
		denied++
	}
	if denied != len(adminEndpoints) {
		t.Fatalf("%d denied audit rows, want %d", denied, len(adminEndpoints))
	}
}

// TestSelfServiceTokens: a user may revoke only their own tokens; another
// user's token id is indistinguishable from an unknown one.
func TestSelfServiceTokens(t *testing.T) {
	f := newFixture(t)
	_, bob := f.userWithToken("bob@example.com", nil)
	carolID, carol := f.userWithToken("carol@example.com", nil)
	carolTokens, err := f.rbac.Tokens(context.Background(), carolID)
	if err != nil || len(carolTokens) != 1 {
		t.Fatal(err, carolTokens)
	}

	other := f.must(http.StatusNotFound, "DELETE", "/api/tokens/"+carolTokens[0].ID, bob, nil).errorBody(t)
	unknown := f.must(http.StatusNotFound, "DELETE", "/api/tokens/tok_doesnotexist", bob, nil).errorBody(t)
	if other.Error != CodeNotFound || unknown.Error != CodeNotFound {
		t.Fatalf("codes %q %q", other.Error, unknown.Error)
	}
	f.must(http.StatusOK, "GET", "/api/me", carol, nil) // still valid

	var self rbac.Token
	bobTokens := f.must(http.StatusOK, "GET", "/api/tokens", bob, nil)
	var list []rbac.Token
	bobTokens.json(t, &list)
	f.must(http.StatusOK, "DELETE", "/api/tokens/"+list[0].ID, bob, nil).json(t, &self)
	if self.RevokedAt == nil {
		t.Fatalf("revoked own token = %+v", self)
	}
	f.must(http.StatusUnauthorized, "GET", "/api/me", bob, nil)
}

// TestLogsNeverCarryTokens: the request log names the user and the route
// but never the Authorization header or a token, even one in a query string.
func TestLogsNeverCarryTokens(t *testing.T) {
	f := newFixture(t)
	f.must(http.StatusOK, "GET", "/api/me", f.adminToken, nil)
	f.must(http.StatusUnauthorized, "GET", "/api/me?token="+f.adminToken, "agnes_pat_wrongwrongwrong", nil)
	var created CreatedToken
	f.must(http.StatusCreated, "POST", "/api/admin/tokens", f.adminToken, map[string]string{"user": adminEmail}).json(t, &created)
	f.must(http.StatusOK, "GET", "/healthz", "", nil)

	logs := f.logs.String()
	for _, secret := range []string{f.adminToken, created.Token, "agnes_pat_wrongwrongwrong", "Bearer", "Authorization"} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log contains %q:\n%s", secret, logs)
		}
	}
	for _, want := range []string{
		`msg="http request" method=GET path=/api/me status=200`,
		"user=" + adminEmail,
		`method=GET path=/api/me status=401`,
		`method=POST path=/api/admin/tokens status=201`,
	} {
		if !strings.Contains(logs, want) {
			t.Fatalf("log lacks %q:\n%s", want, logs)
		}
	}
}

// TestAuthThrottle: after the burst of failed authentications an address
// gets 429 with Retry-After, even with a valid token; another address is
// not affected; requests without credentials do not count.
func TestAuthThrottle(t *testing.T) {
	f := newFixture(t)
	api := New(Deps{RBAC: f.rbac, Registry: f.reg, Logger: f.api.log, AuthFailureBurst: 3})
	do := func(addr, auth string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/api/me", nil)
		req.RemoteAddr = addr
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		api.Handler().ServeHTTP(rec, req)
		return rec
	}
	good := "Bearer " + f.adminToken
	for i := 0; i < 5; i++ {
		if rec := do("192.0.2.1:1000", ""); rec.Code != http.StatusUnauthorized {
			t.Fatalf("no credentials: %d", rec.Code)
		}
	}
	if rec := do("192.0.2.1:1000", good); rec.Code != http.StatusOK {
		t.Fatalf("valid token before any failure: %d", rec.Code)
	}
	for i := 0; i < 3; i++ {
		if rec := do("192.0.2.1:1001", "Bearer agnes_pat_guess"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d", i, rec.Code)
		}
	}
	rec := do("192.0.2.1:1002", good)
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("after the burst: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	var body ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error != CodeTooManyRequests {
		t.Fatalf("429 body %q: %v", rec.Body.String(), err)
	}
	if rec := do("198.51.100.7:1000", good); rec.Code != http.StatusOK {
		t.Fatalf("another address: %d", rec.Code)
	}
}
