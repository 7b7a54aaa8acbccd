package rbac

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xdg-go/scram"

	"github.com/keboola/agnes/store"
)

func newService(t *testing.T) *Service {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "system.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s, err := New(context.Background(), st)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// must panics on error: a failed setup step fails the test loudly.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

var sys = Actor{UserID: "system"}

func TestRBACMatrix(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	admin := must(s.CreateUser(ctx, sys, "root@example.com", "Root"))
	ana := must(s.CreateUser(ctx, sys, "ana@example.com", "Ana"))
	bob := must(s.CreateUser(ctx, sys, "bob@example.com", "Bob"))
	if err := s.AddMember(ctx, sys, AdminGroupName, admin.Email); err != nil {
		t.Fatal(err)
	}
	must(s.CreateGroup(ctx, sys, "Sales", "sales analysts"))
	if err := s.AddMember(ctx, sys, "sales", ana.Email); err != nil { // names are case-insensitive
		t.Fatal(err)
	}
	grant := must(s.CreateGrant(ctx, sys, "Sales", ResourceTable, "orders"))

	p := func(u *User) *Principal { return must(s.Principal(ctx, u.ID)) }
	check := func(step string, who *User, table string, want bool) {
		t.Helper()
		if got := s.Can(ctx, p(who), ResourceTable, table); got != want {
			t.Errorf("%s: Can(%s, table, %s) = %v, want %v", step, who.Email, table, got, want)
		}
	}
	check("grant", admin, "orders", true)
	check("grant", admin, "customers", true) // admin sees all tables
	check("grant", ana, "orders", true)
	check("grant", ana, "customers", false)
	check("grant", bob, "orders", false)

	// Everyone grants reach every user.
	everyoneGrant := must(s.CreateGrant(ctx, sys, EveryoneGroup, ResourceTable, "products"))
	check("everyone", bob, "products", true)
	check("everyone", ana, "products", true)
	if !p(bob).InGroup(EveryoneGroupID) {
		t.Error("every user is implicitly in Everyone")
	}

	// Removing the member removes access.
	if err := s.RemoveMember(ctx, sys, "Sales", ana.Email); err != nil {
		t.Fatal(err)
	}
	check("member removed", ana, "orders", false)
	if err := s.AddMember(ctx, sys, "Sales", ana.Email); err != nil {
		t.Fatal(err)
	}
	check("member re-added", ana, "orders", true)
	// Removing the grant removes access.
	if err := s.DeleteGrant(ctx, sys, grant.ID); err != nil {
		t.Fatal(err)
	}
	check("grant deleted", ana, "orders", false)
	if err := s.DeleteGrant(ctx, sys, everyoneGrant.ID); err != nil {
		t.Fatal(err)
	}
	check("everyone grant deleted", bob, "products", false)

	// Plugins: Admin is an ordinary group.
	check2 := s.Can(ctx, p(admin), ResourcePlugin, "mkt/tool")
	if check2 {
		t.Error("admin must not see ungranted plugins")
	}
	must(s.CreateGrant(ctx, sys, AdminGroupName, ResourcePlugin, "mkt/tool"))
	if !s.Can(ctx, p(admin), ResourcePlugin, "mkt/tool") {
		t.Error("admin with a plugin grant must see it")
	}
	if s.Can(ctx, p(admin), "nonsense", "x") {
		t.Error("unknown resource types are denied, even for admin")
	}
	if s.Can(ctx, nil, ResourceTable, "orders") {
		t.Error("nil principal must be denied")
	}

	// System groups cannot be deleted; custom ones can, with their grants.
	for _, g := range []string{AdminGroupName, EveryoneGroup, "everyone"} {
		if err := s.DeleteGroup(ctx, sys, g); !errors.Is(err, ErrSystemGroup) {
			t.Errorf("DeleteGroup(%s) = %v, want ErrSystemGroup", g, err)
		}
	}
	must(s.CreateGrant(ctx, sys, "Sales", ResourceTable, "orders"))
	check("regranted", ana, "orders", true)
	if err := s.DeleteGroup(ctx, sys, "Sales"); err != nil {
		t.Fatal(err)
	}
	check("group deleted", ana, "orders", false)
	if gs := must(s.Grants(ctx, GrantFilter{ResourceType: ResourceTable})); len(gs) != 0 {
		t.Errorf("grants of a deleted group survive: %+v", gs)
	}
}

func TestConflictsAndValidation(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	must(s.CreateUser(ctx, sys, "a@x.io", ""))
	if _, err := s.CreateUser(ctx, sys, "A@X.io ", ""); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate email (case-insensitive): %v", err)
	}
	if _, err := s.CreateUser(ctx, sys, "not an email", ""); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad email: %v", err)
	}
	must(s.CreateGroup(ctx, sys, "G", ""))
	if _, err := s.CreateGroup(ctx, sys, "g", ""); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate group: %v", err)
	}
	must(s.CreateGrant(ctx, sys, "G", ResourceTable, "t1"))
	if _, err := s.CreateGrant(ctx, sys, "G", ResourceTable, "t1"); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate grant: %v", err)
	}
	if _, err := s.CreateGrant(ctx, sys, "G", "bogus", "t1"); !errors.Is(err, ErrInvalid) {
		t.Errorf("unknown type: %v", err)
	}
	if _, err := s.CreateGrant(ctx, sys, "G", ResourceTable, "../etc"); !errors.Is(err, ErrInvalid) {
		t.Errorf("bad id: %v", err)
	}
	if _, err := s.CreateGrant(ctx, sys, "nope", ResourceTable, "t1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown group: %v", err)
	}
	if err := s.AddMember(ctx, sys, "G", "a@x.io"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddMember(ctx, sys, "G", "a@x.io"); !errors.Is(err, ErrConflict) {
		t.Errorf("duplicate member: %v", err)
	}
	// The last admin cannot be removed or deactivated.
	if err := s.AddMember(ctx, sys, AdminGroupID, "a@x.io"); err != nil {
		t.Fatal(err)
	}
	if err := s.RemoveMember(ctx, sys, AdminGroupID, "a@x.io"); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("remove last admin: %v", err)
	}
	if _, err := s.DeactivateUser(ctx, sys, "a@x.io"); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("deactivate last admin: %v", err)
	}
	// Every mutation above that succeeded wrote an audit row.
	var n int
	s.st.DB.QueryRow("SELECT count(*) FROM audit_log WHERE action IN ('user.create','group.create','grant.create','group.member.add')").Scan(&n)
	if n != 5 {
		t.Errorf("audit rows: %d, want 5", n)
	}
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u := must(s.CreateUser(ctx, sys, "t@x.io", ""))
	tok, secret, err := s.CreateToken(ctx, sys, u.Email, "laptop", nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) != len(TokenPrefix)+43 {
		t.Fatalf("token shape %q", secret)
	}
	p, err := s.AuthenticateToken(ctx, secret)
	if err != nil || p.UserID != u.ID || p.TokenID != tok.ID {
		t.Fatalf("valid token: %v %+v", err, p)
	}
	// The secret is not stored.
	var leaked int
	s.st.DB.QueryRow("SELECT count(*) FROM personal_access_tokens WHERE token_hash = ? OR scram_verifier LIKE ?", secret, "%"+secret[10:]+"%").Scan(&leaked)
	if leaked != 0 {
		t.Fatal("secret stored in clear")
	}
	for _, bad := range []string{"", "garbage", TokenPrefix + "AAAA", secret + "x", strings.ToUpper(secret)} {
		if _, err := s.AuthenticateToken(ctx, bad); !errors.Is(err, ErrUnauthorized) {
			t.Errorf("garbage %q: %v", bad, err)
		}
	}
	if _, err := s.CheckPassword(ctx, "t@x.io", secret); err != nil {
		t.Errorf("cleartext check: %v", err)
	}
	if _, err := s.CheckPassword(ctx, "t@x.io", "wrong"); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("wrong password: %v", err)
	}
	// Expired.
	past := time.Now().Add(-time.Hour)
	_, expired, err := s.CreateToken(ctx, sys, u.Email, "old", &past)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AuthenticateToken(ctx, expired); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("expired token authenticated: %v", err)
	}
	if _, creds, _ := s.SCRAMCredentials(ctx, u.Email); len(creds) != 1 {
		t.Errorf("expired token offered for SCRAM: %d creds", len(creds))
	}
	// Revoked.
	must(s.RevokeToken(ctx, sys, tok.ID))
	if _, err := s.AuthenticateToken(ctx, secret); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("revoked token authenticated: %v", err)
	}
	if _, err := s.CheckPassword(ctx, u.Email, secret); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("revoked token cleartext: %v", err)
	}
	// Deactivated user.
	_, fresh, _ := s.CreateToken(ctx, sys, u.Email, "new", nil)
	if _, err := s.AuthenticateToken(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	must(s.DeactivateUser(ctx, sys, u.Email))
	if _, err := s.AuthenticateToken(ctx, fresh); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("token of a deactivated user authenticated: %v", err)
	}
}

// TestSCRAMRoundTrip runs a real SCRAM-SHA-256 client conversation against
// a server that knows only the stored verifiers.
func TestSCRAMRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := newService(t)
	u := must(s.CreateUser(ctx, sys, "s@x.io", ""))
	_, first, _ := s.CreateToken(ctx, sys, u.Email, "one", nil)
	_, second, _ := s.CreateToken(ctx, sys, u.Email, "two", nil)
	p, creds, err := s.SCRAMCredentials(ctx, u.Email)
	if err != nil || p == nil || len(creds) != 2 {
		t.Fatalf("creds: %v %v %d", err, p, len(creds))
	}
	if string(creds[0].Salt) != string(creds[1].Salt) {
		t.Fatal("tokens of one user must share the salt")
	}
	converse := func(password string, cred SCRAMCredential) bool {
		srv, err := scram.SHA256.NewServer(func(string) (scram.StoredCredentials, error) {
			return scram.StoredCredentials{KeyFactors: scram.KeyFactors{Salt: string(cred.Salt), Iters: cred.Iters},
				StoredKey: cred.StoredKey, ServerKey: cred.ServerKey}, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		cl, _ := scram.SHA256.NewClient(u.Email, password, "")
		cc, sc := cl.NewConversation(), srv.NewConversation()
		msg, _ := cc.Step("")
		for !cc.Done() {
			resp, err := sc.Step(msg)
			if err != nil {
				return false
			}
			if msg, err = cc.Step(resp); err != nil {
				return false
			}
		}
		return sc.Valid() && cc.Valid()
	}
	matches := func(password string) int {
		n := 0
		for _, c := range creds {
			if converse(password, c) {
				n++
			}
		}
		return n
	}
	if matches(first) != 1 || matches(second) != 1 {
		t.Fatal("each token must match exactly one verifier")
	}
	if matches("agnes_pat_wrong") != 0 {
		t.Fatal("a wrong password matched")
	}
	// Unknown and inactive users get nothing.
	if p, c, err := s.SCRAMCredentials(ctx, "nobody@x.io"); p != nil || c != nil || err != nil {
		t.Fatal("unknown user must yield (nil, nil, nil)")
	}
	// The verifier string round-trips.
	back, err := ParseSCRAMCredential(creds[0].String())
	if err != nil || string(back.StoredKey) != string(creds[0].StoredKey) || back.Iters != 4096 {
		t.Fatalf("parse: %v", err)
	}
}
