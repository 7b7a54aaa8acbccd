package main

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/client"
	"github.com/keboola/agnes/httpapi"
	"github.com/keboola/agnes/marketplace"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// marketplaceServer is a real HTTP API with the marketplace mounted and an
// admin token.
func marketplaceServer(t *testing.T) (url, adminToken string) {
	t.Helper()
	ctx := context.Background()
	dataDir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dataDir, "state", "system.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := rbac.New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	api := httpapi.New(httpapi.Deps{RBAC: svc, Registry: catalog.NewRegistry(st, svc), Version: "test"})
	m, err := marketplace.New(ctx, marketplace.Options{Store: st, RBAC: svc, DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	m.Mount(api)
	srv := httptest.NewServer(api.Handler())
	t.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	system := rbac.Actor{UserID: "system"}
	u, err := svc.CreateUser(ctx, system, adminEmail, "Ada")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.AddMember(ctx, system, rbac.AdminGroupID, u.ID); err != nil {
		t.Fatal(err)
	}
	_, tok, err := svc.CreateToken(ctx, system, u.ID, "bootstrap", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("AGNES_CONFIG_DIR", t.TempDir())
	t.Setenv("AGNES_SERVER", "")
	t.Setenv("AGNES_TOKEN", "")
	return srv.URL, tok
}

// pluginRepo makes a git repository holding a one-plugin marketplace.
func pluginRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(p, content string) {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, p), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".claude-plugin/marketplace.json", `{"name": "team", "owner": {"name": "x"}, "plugins": [
		{"name": "helper", "source": "./plugins/helper"}, {"name": "ghost", "source": "./plugins/ghost"}]}`)
	write("plugins/helper/.claude-plugin/plugin.json", `{"name": "helper", "version": "1.2.0", "description": "Helps"}`)
	write("plugins/helper/commands/help.md", "Help.\n")
	for _, args := range [][]string{{"init", "-q", "-b", "main"}, {"add", "-A"}, {"commit", "-q", "-m", "init"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull,
			"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@example.com", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@example.com"}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return "file://" + dir
}

func TestAdminMarketplace(t *testing.T) {
	url, tok := marketplaceServer(t)
	admin := func(args ...string) result {
		return run(t, "", append(args, "--server", url, "--token", tok)...)
	}
	repo := pluginRepo(t)

	r := admin("admin", "marketplace", "add", "team", repo, "--branch", "main")
	if r.code != 0 || !strings.Contains(r.stdout, "Registered marketplace team") || !strings.Contains(r.stdout, "agnes admin marketplace sync team") {
		t.Fatalf("add: %+v", r)
	}
	if r := admin("admin", "marketplace", "add", "x", repo, "--branch", "main", "--ref", "v1"); r.code != exitUsage || !strings.Contains(r.stderr, "not both") {
		t.Errorf("add with --branch and --ref: %+v", r)
	}
	if r := admin("admin", "marketplace", "add", "Bad Slug", repo); r.code != exitError || !strings.Contains(r.stderr, "slug") {
		t.Errorf("add with a bad slug: %+v", r)
	}
	admin("admin", "marketplace", "add", "gone", "file://"+filepath.Join(t.TempDir(), "missing"))

	// sync SLUG: the good one exits 0 and reports the refused plugin.
	r = admin("admin", "marketplace", "sync", "team")
	if r.code != 0 || !strings.Contains(r.stdout, "team: synced") || !strings.Contains(r.stdout, "refused ghost: plugin directory plugins/ghost does not exist") {
		t.Fatalf("sync team: %+v", r)
	}
	// A failing sync exits 1 with the reason; sync of all does too.
	r = admin("admin", "marketplace", "sync", "gone")
	if r.code != exitError || !strings.Contains(r.stderr, "sync failed for gone: fetch file://") {
		t.Errorf("sync gone: %+v", r)
	}
	r = admin("admin", "marketplace", "sync", "--json")
	if r.code != exitError || !strings.Contains(r.stderr, "sync failed for gone") {
		t.Errorf("sync all: %+v", r)
	}
	var results []client.MarketplaceSyncResult
	if err := json.Unmarshal([]byte(r.stdout), &results); err != nil || len(results) != 2 || !results[1].OK || results[0].OK {
		t.Errorf("sync all --json: %v %+v", err, results)
	}

	r = admin("admin", "marketplace", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "team") || !strings.Contains(r.stdout, "branch main") || !strings.Contains(r.stdout, "repository not found") {
		t.Errorf("list: %+v", r)
	}
	r = admin("admin", "marketplace", "plugins", "team")
	if r.code != 0 || !strings.Contains(r.stdout, "team/helper") || !strings.Contains(r.stdout, "1.2.0") || !strings.Contains(r.stdout, "refused: plugin directory") {
		t.Errorf("plugins: %+v", r)
	}
	var plugins []client.MarketplacePlugin
	r = admin("admin", "marketplace", "plugins", "--json")
	if err := json.Unmarshal([]byte(r.stdout), &plugins); err != nil || len(plugins) != 2 || plugins[1].ID != "team/helper" || plugins[1].Refused != "" {
		t.Errorf("plugins --json: %v %+v", err, plugins)
	}

	// The granted plugin reaches the admin once Admin is granted it.
	admin("admin", "grant", "create", "Admin", "plugin", "team/helper")
	info, err := client.New(url, tok).MarketplaceInfo(context.Background())
	if err != nil || info.PluginCount != 1 || info.Plugins[0].PrefixedName != "team-helper" {
		t.Errorf("info: %+v %v", info, err)
	}

	r = admin("admin", "marketplace", "remove", "team")
	if r.code != 0 || !strings.Contains(r.stdout, "Removed marketplace team and 1 plugin grant(s).") {
		t.Errorf("remove: %+v", r)
	}
	if r := admin("admin", "marketplace", "remove", "team"); r.code != exitError || !strings.Contains(r.stderr, "marketplace team not found") {
		t.Errorf("remove again: %+v", r)
	}
}
