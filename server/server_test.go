package server

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/keboola/agnes/client"
	"github.com/keboola/agnes/config"
)

// testServer is a running App on loopback ports.
type testServer struct {
	app    *App
	l      Listeners
	cancel context.CancelFunc
	done   chan error
	out    *bytes.Buffer
}

func testConfig(dataDir string) config.Config {
	cfg := config.Default()
	cfg.DataDir = dataDir
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.PG.Listen = "127.0.0.1:0"
	cfg.Engine.Threads = 2
	cfg.Engine.MemoryLimit = 1 << 30
	return cfg
}

func startServer(t testing.TB, dataDir string) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	app, err := Open(ctx, testConfig(dataDir), Options{})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ts := &testServer{app: app, cancel: cancel, done: make(chan error, 1), out: &bytes.Buffer{}}
	ready := make(chan Listeners, 1)
	go func() { ts.done <- app.Run(ctx, ts.out, func(l Listeners) { ready <- l }) }()
	select {
	case ts.l = <-ready:
	case err := <-ts.done:
		t.Fatalf("server stopped: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) stop() {
	if ts.app == nil {
		return
	}
	ts.cancel()
	<-ts.done
	ts.app.Close()
	ts.app = nil
}

func (ts *testServer) adminToken(t testing.TB) string {
	b, err := os.ReadFile(ts.app.Bootstrap.TokenPath)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func (ts *testServer) api(t testing.TB) *client.Client {
	return client.New("http://"+ts.l.HTTP.String(), ts.adminToken(t))
}

func TestFreshStartAndRestart(t *testing.T) {
	dataDir := filepath.Join(t.TempDir(), "agnes-data")
	ts := startServer(t, dataDir)
	ctx := context.Background()

	fi, err := os.Stat(ts.app.Bootstrap.TokenPath)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("admin.token: %v %v", err, fi)
	}
	if !strings.Contains(ts.out.String(), "postgres://admin%40localhost@"+ts.l.PG.String()+"/agnes") ||
		!strings.Contains(ts.out.String(), ts.app.Bootstrap.TokenPath) {
		t.Errorf("connection info missing:\n%s", ts.out.String())
	}
	if strings.Contains(ts.out.String(), ts.adminToken(t)) {
		t.Error("the token itself must not be printed")
	}
	tables, err := ts.api(t).Tables(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"orders": 100000, "customers": 10000, "products": 1000}
	got := map[string]int64{}
	for _, tb := range tables {
		got[tb.ID] = tb.RowCount
	}
	for id, n := range want {
		if got[id] != n {
			t.Errorf("table %s: %d rows, want %d (all: %v)", id, got[id], n, got)
		}
	}
	token := ts.adminToken(t)
	ts.stop()

	// A second start reuses the state: same token, no duplicates.
	ts2 := startServer(t, dataDir)
	if ts2.app.Bootstrap.TokenCreated || ts2.adminToken(t) != token {
		t.Fatal("second start must reuse the bootstrap token")
	}
	users, err := ts2.api(t).Users(ctx)
	if err != nil || len(users) != 1 {
		t.Fatalf("users after restart: %d, %v", len(users), err)
	}
	toks, err := ts2.api(t).Tokens(ctx, "")
	if err != nil || len(toks) != 1 {
		t.Fatalf("tokens after restart: %d, %v", len(toks), err)
	}
	tables2, _ := ts2.api(t).Tables(ctx)
	if len(tables2) != len(tables) {
		t.Fatalf("tables after restart: %d, want %d", len(tables2), len(tables))
	}
}
