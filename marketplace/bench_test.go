package marketplace

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchPlugins × benchFiles is the size of the benchmark marketplace: one
// user is granted every plugin, so each download carries 10,000 files.
const (
	benchPlugins = 50
	benchFiles   = 200
)

// benchUpstream writes a marketplace of benchPlugins plugins with
// benchFiles files each (plugin.json included): markdown commands and
// skills of 0.5-3 KiB and executable scripts, like real plugins.
func benchUpstream(b *testing.B) *upstream {
	u := newUpstream(b)
	rng := rand.New(rand.NewSource(1))
	words := strings.Fields("the plugin review command agent skill hook data table query grant token marketplace deploy lint format check test build run")
	text := func(n int) string {
		var sb strings.Builder
		for sb.Len() < n {
			sb.WriteString(words[rng.Intn(len(words))])
			if rng.Intn(12) == 0 {
				sb.WriteString(".\n")
			} else {
				sb.WriteByte(' ')
			}
		}
		return sb.String()
	}
	var entries []map[string]any
	for p := 0; p < benchPlugins; p++ {
		name := fmt.Sprintf("plugin-%02d", p)
		files := map[string]string{}
		for i := 0; len(files) < benchFiles-1; i++ {
			switch i % 4 {
			case 0:
				files[fmt.Sprintf("commands/cmd-%03d.md", i)] = text(512 + rng.Intn(2560))
			case 1:
				files[fmt.Sprintf("skills/skill-%03d/SKILL.md", i)] = text(512 + rng.Intn(2560))
			case 2:
				files[fmt.Sprintf("scripts/tool-%03d.sh", i)] = "#!/bin/sh\n" + text(256+rng.Intn(1024))
			default:
				files[fmt.Sprintf("agents/agent-%03d.md", i)] = text(512 + rng.Intn(2560))
			}
		}
		u.plugin("plugins/"+name, name, "1.0.0", "benchmark plugin "+name, files)
		entries = append(entries, entry(name, "./plugins/"+name))
	}
	u.marketplace("bench", entries...)
	u.commit("benchmark marketplace")
	return u
}

// BenchmarkMarketplace measures the served channels for one user granted
// 50 plugins × 200 files. Run with
//
//	go test -tags duckdb_arrow -run '^$' -bench Marketplace -benchtime 20x ./marketplace/
func BenchmarkMarketplace(b *testing.B) {
	f := newFixture(b)
	u := benchUpstream(b)
	f.add("bench", u.url())
	f.sync("bench")
	_, tok := f.user("bench@example.com", "Bench")
	for p := 0; p < benchPlugins; p++ {
		f.grant("Bench", fmt.Sprintf("bench/plugin-%02d", p))
	}
	body, etag := f.zipOf(tok)
	if n := len(readZIP(b, body)); n != benchPlugins*benchFiles+1 {
		b.Fatalf("%d files in the ZIP", n)
	}

	get := func(b *testing.B, headers ...string) int {
		req, _ := http.NewRequest("GET", f.srv.URL+"/marketplace.zip", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		for _, h := range headers {
			k, v, _ := strings.Cut(h, ":")
			req.Header.Set(k, strings.TrimSpace(v))
		}
		resp, err := f.srv.Client().Do(req)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNotModified {
			b.Fatalf("status %d", resp.StatusCode)
		}
		return int(n)
	}
	forget := func() {
		os.RemoveAll(f.svc.zips.dir)
		f.svc.viewMu.Lock()
		f.svc.views = map[string]*view{}
		f.svc.viewMu.Unlock()
	}

	b.Run("zip-cold", func(b *testing.B) {
		var size int
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			forget()
			b.StartTimer()
			size = get(b)
		}
		b.ReportMetric(float64(size), "zip-bytes")
	})
	b.Run("zip-warm-cached", func(b *testing.B) {
		get(b)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			get(b)
		}
	})
	b.Run("zip-warm-etag-hit", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if n := get(b, `If-None-Match: "`+etag+`"`); n != 0 {
				b.Fatalf("304 with %d bytes", n)
			}
		}
	})

	// Clones run without a checkout, so they time the server and the
	// transfer rather than the client writing 10,000 files; the last case
	// includes the checkout for reference.
	work := b.TempDir()
	clone := func(b *testing.B, i int, args ...string) {
		dst := filepath.Join(work, fmt.Sprintf("clone-%s-%d", strings.ReplaceAll(b.Name(), "/", "-"), i))
		gitCmd(b, work, append(append([]string{"clone", "-q"}, args...), f.gitURL(tok), dst)...)
		b.StopTimer()
		os.RemoveAll(dst)
		b.StartTimer()
	}
	b.Run("git-clone-cold", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			os.RemoveAll(f.svc.git.root)
			forget()
			b.StartTimer()
			clone(b, i, "--no-checkout")
		}
	})
	b.Run("git-clone-warm", func(b *testing.B) {
		clone(b, -1, "--no-checkout")
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			clone(b, i, "--no-checkout")
		}
	})
	b.Run("git-clone-warm-checkout", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			clone(b, i)
		}
	})
	b.Run("sync-unchanged", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if res, err := f.svc.Sync(context.Background(), system, "bench"); err != nil || !res.OK {
				b.Fatalf("%+v %v", res, err)
			}
		}
	})
}
