package httpapi

import (
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/rbac"
)

func TestHealthzIsPublic(t *testing.T) {
	f := newFixture(t)
	var h Health
	f.must(http.StatusOK, "GET", "/healthz", "", nil).json(t, &h)
	if h != (Health{Status: "ok", Version: "test-1.2.3"}) {
		t.Fatalf("healthz = %+v", h)
	}
}

// TestAdminFlow drives every admin endpoint in the order an admin would,
// checks each answer against the store, and then checks that every
// mutation left its audit row naming the admin.
func TestAdminFlow(t *testing.T) {
	f := newFixture(t)
	adm := f.adminToken

	var me Me
	f.must(http.StatusOK, "GET", "/api/me", adm, nil).json(t, &me)
	if me.Email != adminEmail || !me.IsAdmin || me.UserID != f.adminID || me.TokenID == "" {
		t.Fatalf("admin /api/me = %+v", me)
	}
	if !slices.Contains(me.Groups, GroupRef{ID: rbac.AdminGroupID, Name: rbac.AdminGroupName}) ||
		!slices.Contains(me.Groups, GroupRef{ID: rbac.EveryoneGroupID, Name: rbac.EveryoneGroup}) {
		t.Fatalf("admin groups = %+v", me.Groups)
	}

	// Users.
	var alice rbac.User
	f.must(http.StatusCreated, "POST", "/api/admin/users", adm, map[string]string{"email": "Alice@Example.com", "name": "Alice"}).json(t, &alice)
	if alice.Email != "alice@example.com" || alice.Name != "Alice" || !alice.Active || alice.ID == "" {
		t.Fatalf("created user = %+v", alice)
	}
	var users []rbac.User
	f.must(http.StatusOK, "GET", "/api/admin/users", adm, nil).json(t, &users)
	if len(users) != 2 || users[0].Email != adminEmail || users[1].Email != "alice@example.com" {
		t.Fatalf("users = %+v", users)
	}

	// Tokens: created by email, authenticates, listed, expiry honoured.
	var created CreatedToken
	f.must(http.StatusCreated, "POST", "/api/admin/tokens", adm,
		map[string]string{"user": "alice@example.com", "name": "laptop", "expires_in": "24h"}).json(t, &created)
	if created.UserID != alice.ID || created.Name != "laptop" || created.ID == "" || len(created.Token) < 40 ||
		created.Prefix == "" || created.Token[:len(created.Prefix)] != created.Prefix {
		t.Fatalf("created token = %+v", created)
	}
	if created.ExpiresAt == nil || time.Until(*created.ExpiresAt) < 23*time.Hour || time.Until(*created.ExpiresAt) > 25*time.Hour {
		t.Fatalf("expires_at = %v, want about 24h from now", created.ExpiresAt)
	}
	var aliceMe Me
	f.must(http.StatusOK, "GET", "/api/me", created.Token, nil).json(t, &aliceMe)
	if aliceMe.UserID != alice.ID || aliceMe.IsAdmin || aliceMe.TokenID != created.ID {
		t.Fatalf("alice /api/me = %+v", aliceMe)
	}
	var defaulted, never CreatedToken
	f.must(http.StatusCreated, "POST", "/api/admin/tokens", adm, map[string]string{"user": alice.ID}).json(t, &defaulted)
	if defaulted.ExpiresAt == nil || time.Until(*defaulted.ExpiresAt) < 89*24*time.Hour {
		t.Fatalf("default expiry = %v, want 90 days", defaulted.ExpiresAt)
	}
	f.must(http.StatusCreated, "POST", "/api/admin/tokens", adm, map[string]string{"user": alice.ID, "expires_in": "never"}).json(t, &never)
	if never.ExpiresAt != nil {
		t.Fatalf("never token expires at %v", never.ExpiresAt)
	}
	var aliceTokens []rbac.Token
	f.must(http.StatusOK, "GET", "/api/admin/tokens?user=alice@example.com", adm, nil).json(t, &aliceTokens)
	if len(aliceTokens) != 3 || aliceTokens[0].ID != created.ID {
		t.Fatalf("alice's tokens = %+v", aliceTokens)
	}
	var allTokens []rbac.Token
	f.must(http.StatusOK, "GET", "/api/admin/tokens", adm, nil).json(t, &allTokens)
	if len(allTokens) != 4 {
		t.Fatalf("all tokens = %d, want 4 (bootstrap + 3)", len(allTokens))
	}
	var revoked rbac.Token
	f.must(http.StatusOK, "DELETE", "/api/admin/tokens/"+never.ID, adm, nil).json(t, &revoked)
	if revoked.ID != never.ID || revoked.RevokedAt == nil {
		t.Fatalf("revoked token = %+v", revoked)
	}
	f.must(http.StatusUnauthorized, "GET", "/api/me", never.Token, nil)

	// Self-service: alice sees and revokes only her own tokens.
	var own []rbac.Token
	f.must(http.StatusOK, "GET", "/api/tokens", created.Token, nil).json(t, &own)
	if len(own) != 3 {
		t.Fatalf("alice's own tokens = %+v", own)
	}
	for _, tok := range own {
		if tok.UserID != alice.ID {
			t.Fatalf("own tokens include %+v", tok)
		}
	}
	f.must(http.StatusOK, "DELETE", "/api/tokens/"+defaulted.ID, created.Token, nil)
	f.must(http.StatusUnauthorized, "GET", "/api/me", defaulted.Token, nil)

	// Groups and members.
	var analysts rbac.Group
	f.must(http.StatusCreated, "POST", "/api/admin/groups", adm, map[string]string{"name": "Analysts", "description": "data people"}).json(t, &analysts)
	if analysts.Name != "Analysts" || analysts.Description != "data people" || analysts.IsSystem {
		t.Fatalf("group = %+v", analysts)
	}
	var member rbac.Member
	f.must(http.StatusCreated, "POST", "/api/admin/groups/Analysts/members", adm, map[string]string{"user": "alice@example.com"}).json(t, &member)
	if member.UserID != alice.ID || member.Source != "admin" {
		t.Fatalf("member = %+v", member)
	}
	var members []rbac.Member
	f.must(http.StatusOK, "GET", "/api/admin/groups/"+analysts.ID+"/members", adm, nil).json(t, &members)
	if len(members) != 1 || members[0].Email != "alice@example.com" {
		t.Fatalf("members = %+v", members)
	}
	var groups []rbac.Group
	f.must(http.StatusOK, "GET", "/api/admin/groups", adm, nil).json(t, &groups)
	if len(groups) != 3 || groups[2].Name != "Analysts" || groups[2].MemberCount != 1 {
		t.Fatalf("groups = %+v", groups)
	}
	f.must(http.StatusOK, "GET", "/api/me", created.Token, nil).json(t, &aliceMe)
	if !slices.Contains(aliceMe.Groups, GroupRef{ID: analysts.ID, Name: "Analysts"}) {
		t.Fatalf("alice's groups after add = %+v", aliceMe.Groups)
	}

	// Tables.
	var orders catalog.Table
	f.must(http.StatusCreated, "POST", "/api/admin/tables", adm, map[string]any{
		"name": "Orders", "description": "all orders", "source_type": "keboola", "bucket": "in.c-sales",
		"source_table": "orders", "sync_schedule": "0 * * * *", "server_only": true,
	}).json(t, &orders)
	if orders.ID != "orders" || orders.Schema != "public" || orders.QueryMode != catalog.ModeLocal || !orders.ServerOnly ||
		orders.Bucket != "in.c-sales" || orders.SyncSchedule != "0 * * * *" {
		t.Fatalf("registered table = %+v", orders)
	}
	var patched catalog.Table
	f.must(http.StatusOK, "PATCH", "/api/admin/tables/orders", adm, map[string]any{"description": "orders, deduplicated", "server_only": false}).json(t, &patched)
	if patched.Description != "orders, deduplicated" || patched.ServerOnly || patched.Bucket != "in.c-sales" {
		t.Fatalf("patched table = %+v", patched)
	}
	var got catalog.Table
	f.must(http.StatusOK, "GET", "/api/admin/tables/orders", adm, nil).json(t, &got)
	if got.Description != patched.Description {
		t.Fatalf("get after patch = %+v", got)
	}

	// Rebuild syncs an extract into the registry.
	f.scans = []catalog.SourceScan{{Source: "demo", Tables: []catalog.Table{{ID: "events", Name: "events", SourceType: "demo", RowCount: 7}}}}
	var sync catalog.SyncResult
	f.must(http.StatusOK, "POST", "/api/sync/rebuild", adm, nil).json(t, &sync)
	if !slices.Equal(sync.Added, []string{"events"}) || sync.Removed == nil {
		t.Fatalf("sync result = %+v", sync)
	}
	var tables []catalog.Table
	f.must(http.StatusOK, "GET", "/api/admin/tables", adm, nil).json(t, &tables)
	if len(tables) != 2 || tables[0].ID != "events" || tables[0].RowCount != 7 || tables[1].ID != "orders" {
		t.Fatalf("tables = %+v", tables)
	}

	// Grants.
	var rts []rbac.ResourceType
	f.must(http.StatusOK, "GET", "/api/admin/resource-types", adm, nil).json(t, &rts)
	if len(rts) < 2 || rts[0].Key != "plugin" || rts[1].Key != "table" {
		t.Fatalf("resource types = %+v", rts)
	}
	var grant rbac.Grant
	f.must(http.StatusCreated, "POST", "/api/admin/grants", adm, map[string]string{"group": "analysts", "resource_type": "table", "resource_id": "orders"}).json(t, &grant)
	if grant.GroupID != analysts.ID || grant.ResourceID != "orders" {
		t.Fatalf("grant = %+v", grant)
	}
	aliceP, err := f.rbac.AuthenticateToken(t.Context(), created.Token)
	if err != nil || !f.rbac.Can(t.Context(), aliceP, rbac.ResourceTable, "orders") || f.rbac.Can(t.Context(), aliceP, rbac.ResourceTable, "events") {
		t.Fatalf("alice's access after grant wrong (err %v)", err)
	}
	for _, q := range []string{"?group=Analysts", "?type=table", "?group=Analysts&type=table"} {
		var grants []rbac.Grant
		f.must(http.StatusOK, "GET", "/api/admin/grants"+q, adm, nil).json(t, &grants)
		if len(grants) != 1 || grants[0].ID != grant.ID {
			t.Fatalf("grants%s = %+v", q, grants)
		}
	}
	var none []rbac.Grant
	f.must(http.StatusOK, "GET", "/api/admin/grants?type=plugin", adm, nil).json(t, &none)
	if none == nil || len(none) != 0 {
		t.Fatalf("plugin grants = %#v, want []", none)
	}

	// Tear down in reverse.
	f.must(http.StatusNoContent, "DELETE", "/api/admin/grants/"+grant.ID, adm, nil)
	f.must(http.StatusNoContent, "DELETE", "/api/admin/tables/orders", adm, nil)
	f.must(http.StatusNotFound, "GET", "/api/admin/tables/orders", adm, nil)
	f.must(http.StatusNoContent, "DELETE", "/api/admin/groups/Analysts/members/alice@example.com", adm, nil)
	f.must(http.StatusNoContent, "DELETE", "/api/admin/groups/"+analysts.ID, adm, nil)
	var deact rbac.User
	f.must(http.StatusOK, "POST", "/api/admin/users/alice@example.com/deactivate", adm, nil).json(t, &deact)
	if deact.Active || deact.ID != alice.ID {
		t.Fatalf("deactivated = %+v", deact)
	}
	// A deactivated user's live token stops working at once.
	f.must(http.StatusUnauthorized, "GET", "/api/me", created.Token, nil)
	if _, err := f.rbac.AuthenticateToken(t.Context(), created.Token); !errors.Is(err, rbac.ErrUnauthorized) {
		t.Fatalf("deactivated user's token: %v", err)
	}

	var actions []string
	for _, e := range f.auditRows(f.adminID) {
		if e.Outcome != "ok" {
			t.Errorf("audit %s outcome %q", e.Action, e.Outcome)
		}
		actions = append(actions, e.Action)
	}
	want := []string{
		"user.create", "token.create", "token.create", "token.create", "token.revoke",
		"group.create", "group.member.add", "table.register", "table.update", "sync.rebuild", "sync.rebuild.request",
		"grant.create", "grant.delete", "table.delete", "group.member.remove", "group.delete", "user.deactivate",
	}
	if !slices.Equal(actions, want) {
		t.Fatalf("admin audit actions\n got %v\nwant %v", actions, want)
	}
	var aliceActions []string
	for _, e := range f.auditRows(alice.ID) {
		aliceActions = append(aliceActions, e.Action+" "+e.Target)
	}
	if !slices.Equal(aliceActions, []string{"token.revoke " + defaulted.ID}) {
		t.Fatalf("alice's audit rows = %v", aliceActions)
	}
}

// TestExtensionRoutes checks the hooks later capabilities use: an authed
// route sees the principal both as an argument and through PrincipalFrom,
// and a raw route gets no authentication.
func TestExtensionRoutes(t *testing.T) {
	f := newFixture(t)
	f.api.HandleAuthed("GET /api/whoami-ext", func(w http.ResponseWriter, r *http.Request, p *rbac.Principal) {
		if PrincipalFrom(r) != p {
			WriteError(w, http.StatusInternalServerError, CodeInternal, "principal not in context")
			return
		}
		WriteJSON(w, http.StatusOK, map[string]string{"email": p.Email})
	})
	f.api.Handle("GET /public-ext", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]bool{"anonymous": PrincipalFrom(r) == nil})
	}))
	var got map[string]string
	f.must(http.StatusOK, "GET", "/api/whoami-ext", f.adminToken, nil).json(t, &got)
	if got["email"] != adminEmail {
		t.Fatalf("extension route saw %v", got)
	}
	f.must(http.StatusUnauthorized, "GET", "/api/whoami-ext", "", nil)
	var pub map[string]bool
	f.must(http.StatusOK, "GET", "/public-ext", "", nil).json(t, &pub)
	if !pub["anonymous"] {
		t.Fatalf("public route = %v", pub)
	}
}
