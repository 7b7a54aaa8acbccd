package marketplace

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/keboola/agnes/client"
	"github.com/keboola/agnes/rbac"
)

// servedManifestOf decodes the marketplace.json of a ZIP.
func servedManifestOf(t *testing.T, files []zipFile) servedManifest {
	t.Helper()
	for _, f := range files {
		if f.Name == marketplaceManifestPath {
			var m servedManifest
			if err := json.Unmarshal([]byte(f.Content), &m); err != nil {
				t.Fatalf("served marketplace.json: %v\n%s", err, f.Content)
			}
			return m
		}
	}
	t.Fatalf("no %s in %v", marketplaceManifestPath, zipNames(files))
	return servedManifest{}
}

func rawString(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s is not a JSON string", raw)
	}
	return s
}

func fileContent(files []zipFile, name string) (zipFile, bool) {
	for _, f := range files {
		if f.Name == name {
			return f, true
		}
	}
	return zipFile{}, false
}

// TestServedMarketplace walks the whole capability with two upstreams that
// both have a plugin named "review": sync, grants, both channels, ETags,
// an upstream change pulled with git, and a revoked grant.
func TestServedMarketplace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	acme, tools := acmeUpstream(t), toolsUpstream(t)
	f.add("acme", acme.url())
	f.add("tools", tools.url())

	// Sync everything; acme's bad plugins are refused and reported.
	results, err := f.api.SyncMarketplaces(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 2 || !results[0].OK || !results[1].OK {
		t.Fatalf("sync all: %+v", results)
	}
	acmeRes := results[0]
	if !slices.Equal(acmeRes.Plugins, []string{"deploy", "review"}) {
		t.Errorf("acme served plugins = %v", acmeRes.Plugins)
	}
	wantRefused := map[string]string{
		"escape": "path traversal", "sneaky": "path traversal", "rooted": "path traversal",
		"linky": "symlink", "ghost": "does not exist", "remote": "not supported",
	}
	gotRefused := map[string]string{}
	for _, r := range acmeRes.Refused {
		gotRefused[r.Name] = r.Reason
	}
	for name, want := range wantRefused {
		if !strings.Contains(gotRefused[name], want) {
			t.Errorf("refused %s: reason %q, want it to mention %q", name, gotRefused[name], want)
		}
	}
	if len(gotRefused) != len(wantRefused) {
		t.Errorf("refused = %v", gotRefused)
	}
	ms, err := f.api.Marketplaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ms[0].Slug != "acme" || ms[0].Plugins != 2 || ms[0].Refused != 6 || !strings.Contains(ms[0].LastError, "plugin linky refused") ||
		ms[0].LastCommitSHA != gitCmd(t, acme.dir, "rev-parse", "HEAD") || ms[0].LastSyncedAt == nil {
		t.Errorf("acme in the registry: %+v", ms[0])
	}
	if ms[1].Slug != "tools" || ms[1].Plugins != 2 || ms[1].LastError != "" {
		t.Errorf("tools in the registry: %+v", ms[1])
	}
	plugins, err := f.api.MarketplacePlugins(ctx, "acme")
	if err != nil || len(plugins) != 8 {
		t.Fatalf("acme plugins: %d %v", len(plugins), err)
	}
	for _, p := range plugins {
		if p.Name == "linky" && !strings.Contains(p.Refused, "symlink") {
			t.Errorf("linky row: %+v", p)
		}
		if p.Name == "review" && (p.Refused != "" || p.Version != "1.0.0" || p.ID != "acme/review" || p.SourcePath != "plugins/review" || p.Author != "Upstream Author") {
			t.Errorf("review row: %+v", p)
		}
	}

	// Analyst A gets acme's review, B gets tools' review, the admin none.
	_, tokA := f.user("a@example.com", "TeamA")
	_, tokA2 := f.user("a2@example.com", "TeamA")
	_, tokB := f.user("b@example.com", "TeamB")
	grantA := f.grant("TeamA", "acme/review")
	f.grant("TeamB", "tools/review")
	f.grant("TeamB", "acme/linky") // refused upstream: never served

	zipA, etagA := f.zipOf(tokA)
	filesA := readZIP(t, zipA)
	wantA := []string{
		".claude-plugin/marketplace.json",
		"plugins/acme-review/.claude-plugin/plugin.json",
		"plugins/acme-review/commands/review.md",
		"plugins/acme-review/scripts/run.sh",
	}
	if !slices.Equal(zipNames(filesA), wantA) {
		t.Fatalf("A's ZIP = %v, want %v", zipNames(filesA), wantA)
	}
	for _, zf := range filesA {
		want := os.FileMode(0o644)
		if strings.HasSuffix(zf.Name, ".sh") {
			want = 0o755
		}
		if zf.Mode != want {
			t.Errorf("%s: mode %o, want %o", zf.Name, zf.Mode, want)
		}
	}
	manA := servedManifestOf(t, filesA)
	if manA.Name != "agnes" || len(manA.Plugins) != 1 || rawString(t, manA.Plugins[0]["name"]) != "review" ||
		rawString(t, manA.Plugins[0]["source"]) != "./plugins/acme-review" || rawString(t, manA.Plugins[0]["version"]) != "1.0.0" {
		t.Errorf("A's marketplace.json = %+v", manA)
	}
	zipB, etagB := f.zipOf(tokB)
	filesB := readZIP(t, zipB)
	if !slices.Equal(zipNames(filesB), []string{".claude-plugin/marketplace.json", "plugins/tools-review/.claude-plugin/plugin.json", "plugins/tools-review/commands/review.md"}) {
		t.Fatalf("B's ZIP = %v", zipNames(filesB))
	}
	if c, _ := fileContent(filesB, "plugins/tools-review/commands/review.md"); c.Content != "Review like Tools does.\n" {
		t.Errorf("B's review.md = %q", c.Content)
	}
	zipAdmin, etagAdmin := f.zipOf(f.adminToken)
	if names := zipNames(readZIP(t, zipAdmin)); !slices.Equal(names, []string{".claude-plugin/marketplace.json"}) {
		t.Fatalf("admin's ZIP = %v: Admin must be an ordinary group", names)
	}
	if etagA == etagB || etagA == etagAdmin || len(etagA) != 32 {
		t.Errorf("ETags A %q B %q admin %q", etagA, etagB, etagAdmin)
	}

	// Identical content: same ETag and the same bytes, for another user with
	// the same view and after the ZIP cache is dropped.
	zipA2, etagA2 := f.zipOf(tokA2)
	os.RemoveAll(f.svc.zips.dir)
	zipAgain, etagAgain := f.zipOf(tokA)
	if etagA2 != etagA || etagAgain != etagA || !bytes.Equal(zipA2, zipA) || !bytes.Equal(zipAgain, zipA) {
		t.Errorf("same content, different answers: etags %s %s %s, bytes equal %v %v", etagA, etagA2, etagAgain, bytes.Equal(zipA2, zipA), bytes.Equal(zipAgain, zipA))
	}

	// If-None-Match.
	for _, c := range []struct {
		header string
		want   int
	}{
		{`"` + etagA + `"`, http.StatusNotModified},
		{`W/"` + etagA + `"`, http.StatusNotModified},
		{`"stale", "` + etagA + `"`, http.StatusNotModified},
		{`*`, http.StatusNotModified},
		{`"` + etagB + `"`, http.StatusOK},
	} {
		r := f.get("/marketplace.zip", tokA, "If-None-Match: "+c.header)
		if r.status != c.want {
			t.Errorf("If-None-Match %s: %d, want %d", c.header, r.status, c.want)
		}
		if c.want == http.StatusNotModified && (len(r.body) != 0 || r.header.Get("ETag") != `"`+etagA+`"`) {
			t.Errorf("304 with body %q / ETag %q", r.body, r.header.Get("ETag"))
		}
	}

	// /marketplace/info.
	info, err := client.New(f.srv.URL, tokA).MarketplaceInfo(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.ETag != etagA || info.PluginCount != 1 || info.Email != "a@example.com" || !slices.Contains(info.Groups, "TeamA") || !slices.Contains(info.Groups, "Everyone") ||
		info.Plugins[0] != (client.MarketplaceInfoPlugin{Name: "review", PrefixedName: "acme-review", Marketplace: "acme", Version: "1.0.0", Description: "Acme code review"}) {
		t.Errorf("A's info = %+v", info)
	}

	// The git channel serves the same content, exec bits included.
	work := t.TempDir()
	cloneA, cloneA2, cloneB, cloneAdmin := filepath.Join(work, "a"), filepath.Join(work, "a2"), filepath.Join(work, "b"), filepath.Join(work, "admin")
	gitCmd(t, work, "clone", "-q", f.gitURL(tokA), cloneA)
	gitCmd(t, work, "clone", "-q", f.gitURL(tokA2), cloneA2)
	gitCmd(t, work, "clone", "-q", f.gitURL(tokB), cloneB)
	gitCmd(t, work, "clone", "-q", f.gitURL(f.adminToken), cloneAdmin)
	cloneShallow := filepath.Join(work, "shallow") // Claude Code clones with --depth 1
	gitCmd(t, work, "clone", "-q", "--depth", "1", f.gitURL(tokA), cloneShallow)
	for _, c := range []struct {
		dir  string
		want []zipFile
	}{{cloneA, filesA}, {cloneB, filesB}, {cloneAdmin, readZIP(t, zipAdmin)}} {
		if got := treeFiles(t, c.dir); !slices.Equal(got, c.want) {
			t.Errorf("clone %s differs from the ZIP:\n%v\n%v", filepath.Base(c.dir), got, c.want)
		}
	}
	headA := gitCmd(t, cloneA, "rev-parse", "HEAD")
	if headA2 := gitCmd(t, cloneA2, "rev-parse", "HEAD"); headA2 != headA {
		t.Errorf("same view, different commits: %s %s", headA, headA2)
	}
	if got := gitCmd(t, cloneA, "log", "-1", "--format=%an <%ae> %ad %cn %s", "--date=iso-strict"); got != "Agnes <agnes@localhost> 2000-01-01T00:00:00+00:00 Agnes Claude Code plugins granted to you through Agnes" {
		t.Errorf("commit metadata = %q", got)
	}
	if got := gitCmd(t, cloneA, "ls-files", "-s", "plugins/acme-review/scripts/run.sh"); !strings.HasPrefix(got, "100755 ") {
		t.Errorf("run.sh in the git tree: %q", got)
	}

	// An upstream change: the ETag, the ZIP and the commit a pull receives
	// change for A; B is untouched.
	acme.write("plugins/review/commands/review.md", "Review like Acme does, now stricter.\n", 0o644)
	acme.commit("stricter review")
	f.sync("acme")
	zipA3, etagA3 := f.zipOf(tokA)
	if etagA3 == etagA {
		t.Fatal("the ETag did not change after an upstream change")
	}
	if c, _ := fileContent(readZIP(t, zipA3), "plugins/acme-review/commands/review.md"); c.Content != "Review like Acme does, now stricter.\n" {
		t.Errorf("A's review.md after the change = %q", c.Content)
	}
	if r := f.get("/marketplace.zip", tokA, `If-None-Match: "`+etagA+`"`); r.status != http.StatusOK {
		t.Errorf("old ETag answered %d", r.status)
	}
	if _, etagB2 := f.zipOf(tokB); etagB2 != etagB {
		t.Errorf("B's ETag changed with acme: %s → %s", etagB, etagB2)
	}
	gitCmd(t, cloneA, "pull", "-q")
	pulled := gitCmd(t, cloneA, "rev-parse", "HEAD")
	if pulled == headA || gitCmd(t, cloneA, "rev-parse", "HEAD~1") != headA {
		t.Errorf("pull: HEAD %s, its parent %s; before %s (want a fast-forward)", pulled, gitCmd(t, cloneA, "rev-parse", "HEAD~1"), headA)
	}
	if got := treeFiles(t, cloneA); !slices.Equal(got, readZIP(t, zipA3)) {
		t.Errorf("pulled clone differs from the ZIP: %v", got)
	}
	gitCmd(t, cloneShallow, "pull", "-q")
	if got := gitCmd(t, cloneShallow, "rev-parse", "HEAD"); got != pulled {
		t.Errorf("the shallow clone pulled %s, want %s", got, pulled)
	}
	// A2 has the same view and history: its pull gets the very same commit.
	gitCmd(t, cloneA2, "pull", "-q")
	if got := gitCmd(t, cloneA2, "rev-parse", "HEAD"); got != pulled {
		t.Errorf("A2 pulled %s, A %s", got, pulled)
	}

	// Revoking A's grant removes the plugin on the next request.
	if err := f.rbac.DeleteGrant(ctx, system, grantA.ID); err != nil {
		t.Fatal(err)
	}
	zipA4, _ := f.zipOf(tokA)
	if names := zipNames(readZIP(t, zipA4)); !slices.Equal(names, []string{".claude-plugin/marketplace.json"}) {
		t.Errorf("A's ZIP after the revoke = %v", names)
	}
	if info, _ := client.New(f.srv.URL, tokA).MarketplaceInfo(ctx); info == nil || info.PluginCount != 0 {
		t.Errorf("A's info after the revoke = %+v", info)
	}
	gitCmd(t, cloneA, "pull", "-q")
	if _, err := os.Stat(filepath.Join(cloneA, "plugins", "acme-review")); !os.IsNotExist(err) {
		t.Errorf("plugins/acme-review still in A's clone after the revoke and a pull (%v)", err)
	}

	// A second server over the same upstream content answers the same ETag,
	// bytes and first commit.
	g := newFixture(t)
	g.add("tools", tools.url())
	g.sync("tools")
	_, tokB2 := g.user("b@example.com", "TeamB")
	g.grant("TeamB", "tools/review")
	zipOther, etagOther := g.zipOf(tokB2)
	if etagOther != etagB || !bytes.Equal(zipOther, zipB) {
		t.Errorf("another server: ETag %s (want %s), bytes equal %v", etagOther, etagB, bytes.Equal(zipOther, zipB))
	}
	cloneOther := filepath.Join(work, "other")
	gitCmd(t, work, "clone", "-q", g.gitURL(tokB2), cloneOther)
	if a, b := gitCmd(t, cloneOther, "rev-parse", "HEAD"), gitCmd(t, cloneB, "rev-parse", "HEAD"); a != b {
		t.Errorf("another server: commit %s, want %s", a, b)
	}
}

// TestUnauthorizedEverywhere checks that every channel refuses a missing or
// wrong token, and that the git channel's answer asks for Basic auth.
func TestUnauthorizedEverywhere(t *testing.T) {
	f := newFixture(t)
	tools := toolsUpstream(t)
	f.add("tools", tools.url())
	f.sync("tools")
	_, tok := f.user("b@example.com", "TeamB")
	f.grant("TeamB", "tools/review")
	wrong := rbac.TokenPrefix + "wrongwrongwrongwrongwrongwrongwrongwrongwro"

	basic := func(method, path, user, pass string) response {
		req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader("0000"))
		if user != "" || pass != "" {
			req.SetBasicAuth(user, pass)
		}
		return f.send(req)
	}
	cases := []struct {
		name  string
		resp  response
		basic bool
	}{
		{"zip without token", f.get("/marketplace.zip", ""), false},
		{"zip with a wrong token", f.get("/marketplace.zip", wrong), false},
		{"info without token", f.get("/marketplace/info", ""), false},
		{"info with a wrong token", f.get("/marketplace/info", wrong), false},
		{"refs without credentials", basic("GET", "/marketplace.git/info/refs?service=git-upload-pack", "", ""), true},
		{"refs with a wrong PAT", basic("GET", "/marketplace.git/info/refs?service=git-upload-pack", "x", wrong), true},
		{"refs with the PAT as user name", basic("GET", "/marketplace.git/info/refs?service=git-upload-pack", wrong, ""), true},
		{"upload-pack without credentials", basic("POST", "/marketplace.git/git-upload-pack", "", ""), true},
		{"upload-pack with a wrong PAT", basic("POST", "/marketplace.git/git-upload-pack", "x", wrong), true},
		{"receive-pack without credentials", basic("POST", "/marketplace.git/git-receive-pack", "", ""), true},
		{"admin API without token", f.get("/api/admin/marketplaces", ""), false},
	}
	for _, c := range cases {
		if c.resp.status != http.StatusUnauthorized {
			t.Errorf("%s: %d, want 401", c.name, c.resp.status)
		}
		if c.basic && c.resp.header.Get("WWW-Authenticate") != `Basic realm="agnes"` {
			t.Errorf("%s: WWW-Authenticate %q", c.name, c.resp.header.Get("WWW-Authenticate"))
		}
	}
	// The allowed cases, so the refusals above are about the token.
	if r := f.get("/marketplace.zip", tok); r.status != http.StatusOK {
		t.Errorf("zip with the token: %d", r.status)
	}
	if r := basic("GET", "/marketplace.git/info/refs?service=git-upload-pack", "x", tok); r.status != http.StatusOK || !bytes.Contains(r.body, []byte("refs/heads/main")) {
		t.Errorf("refs with the token: %d %q", r.status, r.body)
	}
	if r := basic("GET", "/marketplace.git/info/refs?service=git-upload-pack", tok, ""); r.status != http.StatusOK {
		t.Errorf("refs with the token as user name: %d", r.status)
	}
	if r := f.get("/api/admin/marketplaces", tok); r.status != http.StatusForbidden {
		t.Errorf("admin API as an analyst: %d, want 403", r.status)
	}
	// Read-only: pushes and the dumb protocol are refused even with a token.
	for _, c := range []struct {
		method, path string
		want         int
	}{
		{"GET", "/marketplace.git/info/refs?service=git-receive-pack", http.StatusForbidden},
		{"POST", "/marketplace.git/git-receive-pack", http.StatusForbidden},
		{"GET", "/marketplace.git/info/refs", http.StatusForbidden},
		{"GET", "/marketplace.git/HEAD", http.StatusNotFound},
	} {
		if r := basic(c.method, c.path, "x", tok); r.status != c.want {
			t.Errorf("%s %s: %d, want %d", c.method, c.path, r.status, c.want)
		}
	}

	// The real git client.
	work := t.TempDir()
	out, err := gitTry(work, "clone", "-q", f.gitURL(wrong), filepath.Join(work, "denied"))
	if err == nil || !strings.Contains(out, "Authentication failed") {
		t.Errorf("git clone with a wrong PAT: err %v, output %q", err, out)
	}
	noCreds := f.srv.URL + "/marketplace.git/"
	if out, err := gitTry(work, "clone", "-q", noCreds, filepath.Join(work, "anon")); err == nil {
		t.Errorf("git clone without credentials worked: %s", out)
	}
	gitCmd(t, work, "clone", "-q", f.gitURL(tok), filepath.Join(work, "ok"))
	if refs := gitCmd(t, work, "ls-remote", strings.TrimSuffix(f.gitURL(tok), "/")); !strings.Contains(refs, "refs/heads/main") {
		t.Errorf("ls-remote without the trailing slash: %q", refs)
	}
	clone := filepath.Join(work, "ok")
	os.WriteFile(filepath.Join(clone, "x"), []byte("x"), 0o644)
	gitCmd(t, clone, "add", "x")
	gitCmd(t, clone, "commit", "-q", "-m", "x")
	if out, err := gitTry(clone, "push", "-q", "origin", "HEAD:main"); err == nil {
		t.Errorf("git push worked: %s", out)
	}
}

// TestGitProtocolV2 speaks protocol v2 to the git channel by hand, with a
// plain and a chunked request body (git sends large fetches chunked, which
// CGI cannot take as is).
func TestGitProtocolV2(t *testing.T) {
	f := newFixture(t)
	tools := toolsUpstream(t)
	f.add("tools", tools.url())
	f.sync("tools")
	_, tok := f.user("b@example.com", "TeamB")
	f.grant("TeamB", "tools/review")

	req, _ := http.NewRequest("GET", f.srv.URL+"/marketplace.git/info/refs?service=git-upload-pack", nil)
	req.SetBasicAuth("x", tok)
	req.Header.Set("Git-Protocol", "version=2")
	if r := f.send(req); r.status != http.StatusOK || !bytes.Contains(r.body, []byte("version 2")) || !bytes.Contains(r.body, []byte("ls-refs")) {
		t.Fatalf("v2 capability advertisement: %d %q", r.status, r.body)
	}
	pkt := func(s string) string { return strings.ToLower(hex4(len(s)+4)) + s }
	lsRefs := pkt("command=ls-refs\n") + "0001" + pkt("symrefs\n") + "0000"
	for _, chunked := range []bool{false, true} {
		var body = strings.NewReader(lsRefs)
		req, _ := http.NewRequest("POST", f.srv.URL+"/marketplace.git/git-upload-pack", body)
		if chunked {
			req.ContentLength = -1
			req.TransferEncoding = []string{"chunked"}
		}
		req.SetBasicAuth("x", tok)
		req.Header.Set("Git-Protocol", "version=2")
		req.Header.Set("Content-Type", "application/x-git-upload-pack-request")
		r := f.send(req)
		if r.status != http.StatusOK || !bytes.Contains(r.body, []byte("refs/heads/main")) || !bytes.Contains(r.body, []byte("HEAD symref-target:refs/heads/main")) {
			t.Errorf("ls-refs (chunked %v): %d %q", chunked, r.status, r.body)
		}
	}
}

func hex4(n int) string {
	const digits = "0123456789abcdef"
	return string([]byte{digits[n>>12&15], digits[n>>8&15], digits[n>>4&15], digits[n&15]})
}

// TestSameNameTwice grants one user both "review" plugins: they keep their
// own directories and are listed under their prefixed names, since Claude
// Code needs unique plugin names in one marketplace.
func TestSameNameTwice(t *testing.T) {
	f := newFixture(t)
	acme, tools := acmeUpstream(t), toolsUpstream(t)
	f.add("acme", acme.url())
	f.add("tools", tools.url())
	f.sync("acme")
	f.sync("tools")
	_, tok := f.user("both@example.com", "Both")
	f.grant("Both", "acme/review")
	f.grant("Both", "tools/review")
	f.grant("Both", "tools/lint")
	body, _ := f.zipOf(tok)
	files := readZIP(t, body)
	m := servedManifestOf(t, files)
	var names []string
	for _, p := range m.Plugins {
		names = append(names, rawString(t, p["name"])+" "+rawString(t, p["source"]))
	}
	want := []string{"acme-review ./plugins/acme-review", "lint ./plugins/tools-lint", "tools-review ./plugins/tools-review"}
	if !slices.Equal(names, want) {
		t.Errorf("listed = %v, want %v", names, want)
	}
	a, _ := fileContent(files, "plugins/acme-review/commands/review.md")
	b, _ := fileContent(files, "plugins/tools-review/commands/review.md")
	if a.Content == b.Content || a.Content == "" || b.Content == "" {
		t.Errorf("same-named plugins overwrote each other: %q %q", a.Content, b.Content)
	}
}

// TestDownloadsDuringSync downloads over both channels while the upstream
// changes and syncs run: every answer is complete and is either the old or
// the new content, never a mix.
func TestDownloadsDuringSync(t *testing.T) {
	f := newFixture(t)
	acme := acmeUpstream(t)
	f.add("acme", acme.url())
	f.sync("acme")
	_, tok := f.user("a@example.com", "TeamA")
	f.grant("TeamA", "acme/review")
	var mu sync.Mutex // guards contents
	contents := map[string]bool{"Review the change like Acme does.\n": true}

	work := t.TempDir()
	errs := make(chan string, 64)
	done := make(chan struct{})
	var workers []chan struct{}
	for w := 0; w < 4; w++ {
		fin := make(chan struct{})
		workers = append(workers, fin)
		go func(w int) {
			defer close(fin)
			for i := 0; ; i++ {
				select {
				case <-done:
					return
				default:
				}
				if w == 0 {
					dst := filepath.Join(work, fmt.Sprintf("clone-%d", i))
					if out, err := gitTry(work, "clone", "-q", f.gitURL(tok), dst); err != nil {
						errs <- "clone: " + out
					}
					os.RemoveAll(dst)
					continue
				}
				req, _ := http.NewRequest("GET", f.srv.URL+"/marketplace.zip", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				resp, err := f.srv.Client().Do(req)
				if err != nil {
					errs <- err.Error()
					continue
				}
				var buf bytes.Buffer
				buf.ReadFrom(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					errs <- resp.Status
					continue
				}
				files := readZIP(t, buf.Bytes())
				c, ok := fileContent(files, "plugins/acme-review/commands/review.md")
				if !ok || len(files) != 4 {
					errs <- "incomplete ZIP: " + strings.Join(zipNames(files), ",")
					continue
				}
				mu.Lock()
				known := contents[c.Content]
				mu.Unlock()
				if !known {
					errs <- "unexpected content " + c.Content
				}
			}
		}(w)
	}
	for i := 0; i < 3; i++ {
		next := fmt.Sprintf("Review, version %d.\n", i+1)
		mu.Lock()
		contents[next] = true
		mu.Unlock()
		acme.write("plugins/review/commands/review.md", next, 0o644)
		acme.commit("change " + next)
		f.sync("acme")
	}
	close(done)
	for _, fin := range workers {
		<-fin
	}
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
