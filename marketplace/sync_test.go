package marketplace

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keboola/agnes/client"
	"github.com/keboola/agnes/rbac"
)

// TestSyncFailuresAreRecorded: an unreachable upstream, a broken
// marketplace.json and a missing token are each recorded on their own
// marketplace, with secrets redacted, while the others sync and the last
// good content stays served.
func TestSyncFailuresAreRecorded(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tools := toolsUpstream(t)
	broken := toolsUpstream(t)
	f.add("tools", tools.url())
	f.add("broken", broken.url())
	f.add("gone", "file://"+filepath.Join(t.TempDir(), "no-such-repo"))

	// A private upstream whose server echoes the credentials it was sent.
	const secret = "s3cr3t-upstream-token-value"
	t.Setenv("AGNES_TEST_UPSTREAM_TOKEN", secret)
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pass, _ := r.BasicAuth()
		http.Error(w, "no repository here for "+pass+" ("+r.Header.Get("Authorization")+")", http.StatusInternalServerError)
	}))
	defer echo.Close()
	f.add("private", echo.URL+"/org/repo.git", func(r *client.MarketplaceRegistration) { r.TokenEnv = "AGNES_TEST_UPSTREAM_TOKEN" })
	f.add("unset", echo.URL+"/org/other.git", func(r *client.MarketplaceRegistration) { r.TokenEnv = "AGNES_TEST_NOT_SET" })

	f.sync("broken")
	_, tok := f.user("b@example.com", "TeamB")
	f.grant("TeamB", "broken/review")
	before, etagBefore := f.zipOf(tok)

	broken.write(".claude-plugin/marketplace.json", "{not json", 0o644)
	broken.commit("break it")
	results, err := f.api.SyncMarketplaces(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]client.MarketplaceSyncResult{}
	for _, r := range results {
		got[r.Marketplace] = r
	}
	for slug, want := range map[string]string{
		"broken":  "not valid JSON",
		"gone":    "fetch file://",
		"private": "fetch " + echo.URL,
		"unset":   "AGNES_TEST_NOT_SET",
	} {
		r := got[slug]
		if r.OK || !strings.Contains(r.Error, want) {
			t.Errorf("%s: %+v, want a failure mentioning %q", slug, r, want)
		}
		if strings.Contains(r.Error, secret) {
			t.Errorf("%s: the token leaked into the error: %s", slug, r.Error)
		}
	}
	if !got["tools"].OK {
		t.Errorf("tools did not sync next to failing marketplaces: %+v", got["tools"])
	}
	ms, err := f.api.Marketplaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if strings.Contains(m.LastError, secret) {
			t.Errorf("%s: the token is stored: %s", m.Slug, m.LastError)
		}
		if (m.Slug == "tools") != (m.LastError == "") || m.LastAttemptAt == nil {
			t.Errorf("%s: last_error %q, last attempt %v", m.Slug, m.LastError, m.LastAttemptAt)
		}
		if m.Slug == "broken" && (m.LastSyncedAt == nil || m.Plugins != 2) {
			t.Errorf("broken lost its last good sync: %+v", m)
		}
	}
	// The last good content of "broken" is still served, unchanged.
	after, etagAfter := f.zipOf(tok)
	if etagAfter != etagBefore || string(after) != string(before) {
		t.Error("a failed sync changed what is served")
	}

	// Each attempt is audited, failures with their (redacted) reason.
	var failures, leaks int
	if err := f.st.DB.QueryRow(`SELECT count(*) FILTER (WHERE target = 'private' AND outcome = 'error'),
		count(*) FILTER (WHERE detail::VARCHAR LIKE '%' || ? || '%')
		FROM audit_log WHERE action = 'marketplace.sync'`, secret).Scan(&failures, &leaks); err != nil || failures != 1 || leaks != 0 {
		t.Errorf("audit: %d failure rows for private, %d leaking the token, %v", failures, leaks, err)
	}

	// The CLI-facing single sync reports the same failure.
	res, err := f.api.SyncMarketplaces(ctx, "gone")
	if err != nil || len(res) != 1 || res[0].OK {
		t.Errorf("sync gone = %+v, %v", res, err)
	}
	var apiErr *client.APIError
	if _, err := f.api.SyncMarketplaces(ctx, "nope"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound {
		t.Errorf("sync of an unknown slug: %v", err)
	}
}

// TestPinnedRefs serves a tag, a SHA and a branch, whatever the default
// branch does afterwards.
func TestPinnedRefs(t *testing.T) {
	f := newFixture(t)
	u := toolsUpstream(t)
	v1 := gitCmd(t, u.dir, "rev-parse", "HEAD")
	gitCmd(t, u.dir, "tag", "-a", "v1", "-m", "release 1")
	gitCmd(t, u.dir, "tag", "light", v1)
	gitCmd(t, u.dir, "checkout", "-q", "-b", "dev")
	u.write("plugins/lint/commands/lint.md", "Lint on dev.\n", 0o644)
	dev := u.commit("dev work")
	gitCmd(t, u.dir, "checkout", "-q", "main")
	u.write("plugins/lint/commands/lint.md", "Lint on main.\n", 0o644)
	main := u.commit("main moves on")

	with := func(branch, ref string) func(*client.MarketplaceRegistration) {
		return func(r *client.MarketplaceRegistration) { r.Branch, r.Ref = branch, ref }
	}
	for _, c := range []struct {
		slug, branch, ref, want string
	}{
		{"default", "", "", main},
		{"annotated", "", "v1", v1},
		{"lightweight", "", "light", v1},
		{"sha", "", v1, v1},
		{"branch", "dev", "", dev},
		{"branch-as-ref", "", "dev", dev},
	} {
		f.add(c.slug, u.url(), with(c.branch, c.ref))
		if res := f.sync(c.slug); res.Commit != c.want {
			t.Errorf("%s: served %s, want %s", c.slug, res.Commit, c.want)
		}
	}
	for _, c := range []struct{ slug, branch, ref, want string }{
		{"no-branch", "nope", "", `branch "nope" does not exist`},
		{"no-ref", "", "v9", `no tag or branch named "v9"`},
		{"no-sha", "", strings.Repeat("ab", 20), "is not on any branch or tag"},
	} {
		f.add(c.slug, u.url(), with(c.branch, c.ref))
		res, err := f.api.SyncMarketplaces(context.Background(), c.slug)
		if err != nil || res[0].OK || !strings.Contains(res[0].Error, c.want) {
			t.Errorf("%s: %+v %v, want %q", c.slug, res, err, c.want)
		}
	}
	// The pinned marketplace keeps its commit when main moves again.
	u.write("plugins/lint/commands/lint.md", "Lint, later.\n", 0o644)
	u.commit("later")
	if res := f.sync("annotated"); res.Commit != v1 {
		t.Errorf("annotated after main moved: %s", res.Commit)
	}
}

func TestRegistrationValidation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		name string
		reg  Registration
		want string
	}{
		{"bad slug", Registration{Slug: "Acme!", URL: "https://example.com/r.git"}, "slug"},
		{"reserved slug", Registration{Slug: "git-cache", URL: "https://example.com/r.git"}, "reserved"},
		{"no url", Registration{Slug: "a"}, "not a URL"},
		{"ssh url", Registration{Slug: "a", URL: "ssh://git@example.com/r.git"}, "scheme"},
		{"credentials in url", Registration{Slug: "a", URL: "https://user:tok@example.com/r.git"}, "token_env"},
		{"relative file url", Registration{Slug: "a", URL: "file:relative"}, "file:///"},
		{"branch and ref", Registration{Slug: "a", URL: "https://example.com/r.git", Branch: "main", Ref: "v1"}, "not both"},
		{"bad branch", Registration{Slug: "a", URL: "https://example.com/r.git", Branch: "a..b"}, "branch"},
		{"short sha", Registration{Slug: "a", URL: "https://example.com/r.git", Ref: "-abc"}, "40-character"},
		{"token as token_env", Registration{Slug: "a", URL: "https://example.com/r.git", TokenEnv: "ghp_abc-def"}, "environment variable"},
		{"token_env with file", Registration{Slug: "a", URL: "file:///srv/r", TokenEnv: "TOK"}, "http(s)"},
	}
	for _, c := range cases {
		_, err := f.svc.Registry().Add(ctx, system, c.reg)
		if !errors.Is(err, rbac.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want invalid mentioning %q", c.name, err, c.want)
		}
	}
	m, err := f.svc.Registry().Add(ctx, system, Registration{Slug: "ok", URL: "https://example.com/r.git", Ref: strings.Repeat("0a", 20), TokenEnv: "GITHUB_TOKEN"})
	if err != nil || m.Name != "ok" || m.TokenEnv != "GITHUB_TOKEN" || m.RegisteredBy != "system" {
		t.Fatalf("valid registration: %+v %v", m, err)
	}
	// Through HTTP: 400 for invalid, 409 for a duplicate, 404 for unknown.
	var apiErr *client.APIError
	if _, err := f.api.AddMarketplace(ctx, client.MarketplaceRegistration{Slug: "ok", URL: "https://example.com/r.git"}); !errors.As(err, &apiErr) || apiErr.Status != http.StatusConflict {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := f.api.AddMarketplace(ctx, client.MarketplaceRegistration{Slug: "x", URL: "ftp://h/r"}); !errors.As(err, &apiErr) || apiErr.Status != http.StatusBadRequest || !strings.Contains(apiErr.Message, "ftp") {
		t.Errorf("invalid: %v", err)
	}
	if _, err := f.api.RemoveMarketplace(ctx, "nope"); !errors.As(err, &apiErr) || apiErr.Status != http.StatusNotFound || apiErr.Message != "marketplace nope not found" {
		t.Errorf("remove unknown: %v", err)
	}
}

// TestRemove drops a marketplace: its plugins stop being served, its grants
// and its clone go, other marketplaces stay.
func TestRemove(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	acme, tools := acmeUpstream(t), toolsUpstream(t)
	f.add("acme", acme.url())
	f.add("tools", tools.url())
	f.sync("acme")
	f.sync("tools")
	_, tok := f.user("a@example.com", "TeamA")
	f.grant("TeamA", "acme/review")
	f.grant("TeamA", "acme/deploy")
	f.grant("TeamA", "tools/lint")
	body, _ := f.zipOf(tok)
	if n := len(servedManifestOf(t, readZIP(t, body)).Plugins); n != 3 {
		t.Fatalf("%d plugins before the removal", n)
	}
	res, err := f.api.RemoveMarketplace(ctx, "acme")
	if err != nil || !res.Removed || res.GrantsRemoved != 2 {
		t.Fatalf("remove: %+v %v", res, err)
	}
	body, _ = f.zipOf(tok)
	m := servedManifestOf(t, readZIP(t, body))
	if len(m.Plugins) != 1 || rawString(t, m.Plugins[0]["source"]) != "./plugins/tools-lint" {
		t.Errorf("after the removal: %+v", m.Plugins)
	}
	grants, _ := f.rbac.Grants(ctx, rbac.GrantFilter{ResourceType: rbac.ResourcePlugin})
	if len(grants) != 1 || grants[0].ResourceID != "tools/lint" {
		t.Errorf("grants after the removal: %+v", grants)
	}
	if _, err := os.Stat(f.svc.cloneDir("acme")); !os.IsNotExist(err) {
		t.Errorf("clone still there: %v", err)
	}
	if ps, err := f.api.MarketplacePlugins(ctx, ""); err != nil || len(ps) != 2 || ps[0].Marketplace != "tools" {
		t.Errorf("plugins after the removal: %+v %v", ps, err)
	}
}

// TestRestartServesLastSync: a new service over the same data directory
// serves what the last sync found without fetching (the upstream is gone).
func TestRestartServesLastSync(t *testing.T) {
	f := newFixture(t)
	tools := toolsUpstream(t)
	f.add("tools", tools.url())
	f.sync("tools")
	_, tok := f.user("b@example.com", "TeamB")
	f.grant("TeamB", "tools/review")
	_, etag := f.zipOf(tok)
	os.RemoveAll(tools.dir)

	again, err := New(context.Background(), Options{Store: f.st, RBAC: f.rbac, DataDir: f.dataDir})
	if err != nil {
		t.Fatal(err)
	}
	p, err := f.rbac.AuthenticateToken(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	v, err := again.viewFor(context.Background(), p)
	if err != nil || v.ETag != etag || len(v.Plugins) != 1 || v.Plugins[0].ID != "tools/review" {
		t.Errorf("after a restart: %+v %v, want ETag %s", v, err, etag)
	}
	if !slices.Equal(v.slugs(), []string{"tools"}) {
		t.Errorf("slugs = %v", v.slugs())
	}
}
