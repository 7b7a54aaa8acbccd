package marketplace

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestPrune removes cache entries no user's head points to once they are
// old enough, and keeps the rest.
func TestPrune(t *testing.T) {
	f := newFixture(t)
	tools := toolsUpstream(t)
	f.add("tools", tools.url())
	f.sync("tools")
	_, tokB := f.user("b@example.com", "TeamB")
	f.grant("TeamB", "tools/review")
	work := t.TempDir()
	gitCmd(t, work, "clone", "-q", f.gitURL(tokB), filepath.Join(work, "b"))
	f.zipOf(tokB)

	// A second view for B: its first entry is no longer B's head.
	f.grant("TeamB", "tools/lint")
	gitCmd(t, filepath.Join(work, "b"), "pull", "-q")
	f.zipOf(tokB)

	entries := func() []string {
		var out []string
		des, _ := os.ReadDir(f.svc.git.root)
		for _, d := range des {
			if entryNameRe.MatchString(d.Name()) {
				out = append(out, d.Name())
			}
		}
		return out
	}
	zips := func() int {
		des, _ := os.ReadDir(f.svc.zips.dir)
		return len(des)
	}
	if n := len(entries()); n != 2 || zips() != 2 {
		t.Fatalf("%d entries, %d zips before pruning", n, zips())
	}
	stale := filepath.Join(f.svc.git.root, ".tmp-0123456789abcdef-1")
	os.MkdirAll(stale, 0o755)

	// Nothing is old yet: nothing goes.
	if res := f.svc.prune(time.Now()); res != (PruneResult{}) {
		t.Errorf("fresh caches pruned: %+v", res)
	}
	// Two days later the unreferenced entry, both ZIPs and the temp go; the
	// entry B's head points to stays, and B can still pull.
	res := f.svc.prune(time.Now().Add(48 * time.Hour))
	if res.GitEntries != 1 || res.ZIPs != 2 || res.Temps != 1 {
		t.Errorf("pruned %+v", res)
	}
	head := f.svc.git.readHead(f.userID(tokB))
	if got := entries(); len(got) != 1 || head == nil || got[0] != head.Entry {
		t.Errorf("left %v, head %+v", got, head)
	}
	gitCmd(t, filepath.Join(work, "b"), "pull", "-q")
	if r := f.get("/marketplace.zip", tokB); r.status != 200 {
		t.Errorf("ZIP after pruning: %d", r.status)
	}
}

func (f *fixture) userID(token string) string {
	f.t.Helper()
	p, err := f.rbac.AuthenticateToken(context.Background(), token)
	if err != nil {
		f.t.Fatal(err)
	}
	return p.UserID
}

// TestZIPIsCanonical checks the header fields that make ZIPs byte-identical:
// order, times, modes, method.
func TestZIPIsCanonical(t *testing.T) {
	f := newFixture(t)
	acme := acmeUpstream(t)
	f.add("acme", acme.url())
	f.sync("acme")
	_, tok := f.user("a@example.com", "TeamA")
	f.grant("TeamA", "acme/review")
	f.grant("TeamA", "acme/deploy")
	body, _ := f.zipOf(tok)
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	if err != nil {
		t.Fatal(err)
	}
	prev := ""
	for _, zf := range zr.File {
		if zf.Name <= prev {
			t.Errorf("%s after %s: not sorted", zf.Name, prev)
		}
		prev = zf.Name
		if !zf.Modified.Equal(zipTime) || zf.Method != zip.Deflate {
			t.Errorf("%s: modified %v method %d", zf.Name, zf.Modified, zf.Method)
		}
		if strings.HasPrefix(zf.Name, ".git") || strings.Contains(zf.Name, "/.git/") || strings.HasSuffix(zf.Name, "/") {
			t.Errorf("unexpected entry %s", zf.Name)
		}
		want := os.FileMode(0o644)
		if strings.HasSuffix(zf.Name, ".sh") {
			want = 0o755
		}
		if zf.Mode() != want {
			t.Errorf("%s: mode %v, want %v", zf.Name, zf.Mode(), want)
		}
	}
	if len(zr.File) != 6 {
		t.Errorf("%d entries", len(zr.File))
	}
}

func TestStartSchedule(t *testing.T) {
	f := newFixture(t)
	for _, spec := range []string{"", "off", "@daily", "0 3 * * *", "@every 6h"} {
		stop, err := f.svc.StartSchedule(spec)
		if err != nil {
			t.Errorf("%q: %v", spec, err)
			continue
		}
		stop()
	}
	if _, err := f.svc.StartSchedule("sometimes"); err == nil || !strings.Contains(err.Error(), "marketplace.sync_schedule") {
		t.Errorf("bad schedule: %v", err)
	}
}
