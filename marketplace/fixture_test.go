package marketplace

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/client"
	"github.com/keboola/agnes/httpapi"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// fixture is a real system store, RBAC, marketplace service and HTTP server
// over one data directory, with one admin.
type fixture struct {
	t          testing.TB
	dataDir    string
	st         *store.Store
	rbac       *rbac.Service
	svc        *Service
	srv        *httptest.Server
	adminID    string
	adminToken string
	api        *client.Client // as the admin
}

var system = rbac.Actor{UserID: "system"}

func newFixture(t testing.TB) *fixture {
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
	var logs bytes.Buffer
	lw := &lockedWriter{w: &logs}
	logger := slog.New(slog.NewTextHandler(lw, nil))
	auditor := store.NewAuditor(st, logger)
	api := httpapi.New(httpapi.Deps{RBAC: svc, Registry: catalog.NewRegistry(st, svc), Auditor: auditor, Logger: logger, Version: "test"})
	m, err := New(ctx, Options{Store: st, RBAC: svc, Auditor: auditor, DataDir: dataDir, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	m.Mount(api)
	srv := httptest.NewServer(api.Handler())
	f := &fixture{t: t, dataDir: dataDir, st: st, rbac: svc, svc: m, srv: srv}
	t.Cleanup(func() {
		srv.Close()
		auditor.Close()
		st.Close()
		if t.Failed() {
			lw.mu.Lock()
			t.Logf("server log:\n%s", logs.String())
			lw.mu.Unlock()
		}
	})
	f.adminID, f.adminToken = f.user("admin@example.com", rbac.AdminGroupName)
	f.api = client.New(srv.URL, f.adminToken)
	return f
}

// lockedWriter lets server goroutines share a log buffer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// user creates a user in the given groups (created when missing) and
// returns its id and a token.
func (f *fixture) user(email string, groups ...string) (string, string) {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.rbac.CreateUser(ctx, system, email, "")
	if err != nil {
		f.t.Fatal(err)
	}
	for _, g := range groups {
		if _, err := f.rbac.Group(ctx, g); err != nil {
			if _, err := f.rbac.CreateGroup(ctx, system, g, ""); err != nil {
				f.t.Fatal(err)
			}
		}
		if err := f.rbac.AddMember(ctx, system, g, u.ID); err != nil {
			f.t.Fatal(err)
		}
	}
	_, tok, err := f.rbac.CreateToken(ctx, system, u.ID, "t", nil)
	if err != nil {
		f.t.Fatal(err)
	}
	return u.ID, tok
}

func (f *fixture) grant(group, pluginID string) *rbac.Grant {
	f.t.Helper()
	g, err := f.rbac.CreateGrant(context.Background(), system, group, rbac.ResourcePlugin, pluginID)
	if err != nil {
		f.t.Fatal(err)
	}
	return g
}

func (f *fixture) add(slug, url string, opts ...func(*client.MarketplaceRegistration)) {
	f.t.Helper()
	r := client.MarketplaceRegistration{Slug: slug, URL: url}
	for _, o := range opts {
		o(&r)
	}
	if _, err := f.api.AddMarketplace(context.Background(), r); err != nil {
		f.t.Fatal(err)
	}
}

// sync syncs one marketplace through the admin API and fails the test when
// the sync fails.
func (f *fixture) sync(slug string) client.MarketplaceSyncResult {
	f.t.Helper()
	res, err := f.api.SyncMarketplaces(context.Background(), slug)
	if err != nil {
		f.t.Fatal(err)
	}
	if len(res) != 1 || !res[0].OK {
		f.t.Fatalf("sync %s: %+v", slug, res)
	}
	return res[0]
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// get sends a GET with a bearer token ("" for none) and extra headers
// ("Name: value").
func (f *fixture) get(path, token string, headers ...string) response {
	f.t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	return f.send(req)
}

func (f *fixture) send(req *http.Request) response {
	f.t.Helper()
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// zipOf downloads a user's ZIP, failing unless it answers 200.
func (f *fixture) zipOf(token string) (body []byte, etag string) {
	f.t.Helper()
	r := f.get("/marketplace.zip", token)
	if r.status != http.StatusOK {
		f.t.Fatalf("GET /marketplace.zip: %d %s", r.status, r.body)
	}
	return r.body, strings.Trim(r.header.Get("ETag"), `"`)
}

// gitURL is the clone URL of a token.
func (f *fixture) gitURL(token string) string {
	return strings.Replace(f.srv.URL, "http://", "http://x:"+token+"@", 1) + "/marketplace.git/"
}

// zipFile is one entry of a downloaded ZIP.
type zipFile struct {
	Name    string
	Mode    os.FileMode
	Content string
}

func readZIP(t testing.TB, b []byte) []zipFile {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("not a ZIP: %v", err)
	}
	var out []zipFile
	for _, zf := range zr.File {
		rc, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		c, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, zipFile{Name: zf.Name, Mode: zf.Mode().Perm(), Content: string(c)})
	}
	return out
}

func zipNames(files []zipFile) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Name)
	}
	return out
}

// treeFiles reads a checked-out directory (without .git) the way readZIP
// reads a ZIP, so the two channels can be compared.
func treeFiles(t testing.TB, dir string) []zipFile {
	t.Helper()
	var out []zipFile
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		if fi.IsDir() && fi.Name() == ".git" {
			return filepath.SkipDir
		}
		if fi.IsDir() {
			return nil
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			t.Errorf("symlink in clone: %s", p)
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		mode := os.FileMode(0o644)
		if fi.Mode()&0o100 != 0 {
			mode = 0o755
		}
		out = append(out, zipFile{Name: filepath.ToSlash(rel), Mode: mode, Content: string(b)})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// gitCmd runs the real git with no user or system configuration and no
// prompts, in dir, and returns its output; it fails the test on error.
func gitCmd(t testing.TB, dir string, args ...string) string {
	t.Helper()
	out, err := gitTry(dir, args...)
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(out)
}

func gitTry(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	home := filepath.Join(os.TempDir(), "agnes-marketplace-test-home")
	os.MkdirAll(home, 0o755)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_TERMINAL_PROMPT=0", "GIT_ASKPASS=", "SSH_ASKPASS=",
		"GIT_AUTHOR_NAME=Upstream Author", "GIT_AUTHOR_EMAIL=author@example.com",
		"GIT_COMMITTER_NAME=Upstream Author", "GIT_COMMITTER_EMAIL=author@example.com",
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}
