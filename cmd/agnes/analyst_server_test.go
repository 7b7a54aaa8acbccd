package main

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keboola/agnes/client"
	"github.com/keboola/agnes/config"
	"github.com/keboola/agnes/httpapi"
	"github.com/keboola/agnes/server"
)

// TestMain lets a test run this test binary as the agnes command (so a
// test can SIGKILL a real pull half-way): with AGNES_TEST_RUN_CLI=1 the
// binary is `agnes` with the given arguments.
func TestMain(m *testing.M) {
	if os.Getenv("AGNES_TEST_RUN_CLI") == "1" {
		os.Exit(execute(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// liveServer is a real Agnes instance on loopback: server.Open with the
// demo data (orders, customers, products), the PostgreSQL gateway of
// App.Run, and the HTTP API built over the same App behind a handler that
// records every response and can inject faults into downloads.
type liveServer struct {
	t          *testing.T
	app        *server.App
	url        string
	http       *httptest.Server
	traffic    *traffic
	adminToken string
	cancel     context.CancelFunc
	done       chan error
}

func startLiveServer(t *testing.T) *liveServer {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = filepath.Join(t.TempDir(), "data")
	cfg.HTTP.Listen = "127.0.0.1:0"
	cfg.PG.Listen = "127.0.0.1:0"
	cfg.Engine.Threads = 2
	cfg.Engine.MemoryLimit = 1 << 30
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	app, err := server.Open(ctx, cfg, server.Options{Logger: logger})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &liveServer{t: t, app: app, cancel: cancel, done: make(chan error, 1), traffic: &traffic{}}
	ready := make(chan server.Listeners, 1)
	go func() { s.done <- app.Run(ctx, io.Discard, func(l server.Listeners) { ready <- l }) }()
	var l server.Listeners
	select {
	case l = <-ready:
	case err := <-s.done:
		t.Fatalf("server stopped: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("server did not start")
	}
	api := httpapi.New(httpapi.Deps{RBAC: app.RBAC, Registry: app.Registry, Auditor: app.Auditor, Rebuild: app.Rebuild,
		Logger: logger, Version: server.Version, PGListen: l.PG.String(), PGDatabase: cfg.PG.Database})
	s.http = httptest.NewServer(s.traffic.wrap(api.Handler()))
	s.url = s.http.URL
	tok, err := os.ReadFile(app.Bootstrap.TokenPath)
	if err != nil {
		t.Fatal(err)
	}
	s.adminToken = strings.TrimSpace(string(tok))
	t.Cleanup(s.stop)
	return s
}

func (s *liveServer) stop() {
	if s.app == nil {
		return
	}
	s.http.Close()
	s.cancel()
	<-s.done
	s.app.Close()
	s.app = nil
}

func (s *liveServer) admin() *client.Client { return client.New(s.url, s.adminToken) }

// analyst creates a user with a token and a group "G-<email>" granted the
// tables; it returns the token.
func (s *liveServer) analyst(email string, tables ...string) string {
	s.t.Helper()
	ctx := context.Background()
	api := s.admin()
	if _, err := api.CreateUser(ctx, email, "Analyst"); err != nil {
		s.t.Fatal(err)
	}
	tok, err := api.CreateToken(ctx, email, "test", "never")
	if err != nil {
		s.t.Fatal(err)
	}
	if _, err := api.CreateGroup(ctx, "G-"+email, ""); err != nil {
		s.t.Fatal(err)
	}
	if _, err := api.AddMember(ctx, "G-"+email, email); err != nil {
		s.t.Fatal(err)
	}
	for _, tb := range tables {
		s.grant(email, tb)
	}
	return tok.Token
}

func (s *liveServer) grant(email, table string) string {
	s.t.Helper()
	g, err := s.admin().CreateGrant(context.Background(), "G-"+email, "table", table)
	if err != nil {
		s.t.Fatal(err)
	}
	return g.ID
}

// serverMD5 is the md5 of a table's parquet file on the server.
func (s *liveServer) serverMD5(id string) string {
	s.t.Helper()
	tb, err := s.app.Registry.Get(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return fileMD5(s.t, tb.Location)
}

func fileMD5(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// response is what the traffic recorder saw of one answer.
type exchange struct {
	path, rangeHeader string
	status            int
	bytes             int64
}

// fault changes the next download of one table.
type fault struct {
	corruptAt int64         // flip the byte at this offset of the body (-1: none)
	cutAfter  int64         // abort the connection after this many body bytes (-1: none)
	delay     time.Duration // sleep after every 16 KiB of body
}

// traffic records every HTTP exchange and applies one-shot faults.
type traffic struct {
	mu        sync.Mutex
	exchanges []exchange
	faults    map[string]fault // by request path
}

func (tr *traffic) inject(path string, f fault) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.faults == nil {
		tr.faults = map[string]fault{}
	}
	tr.faults[path] = f
}

// reset forgets what was recorded so far.
func (tr *traffic) reset() {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.exchanges = nil
}

func (tr *traffic) seen() []exchange {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]exchange(nil), tr.exchanges...)
}

// downloads are the exchanges of table data.
func (tr *traffic) downloads() []exchange {
	var out []exchange
	for _, e := range tr.seen() {
		if strings.HasPrefix(e.path, "/api/tables/") {
			out = append(out, e)
		}
	}
	return out
}

func (tr *traffic) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.mu.Lock()
		f, ok := tr.faults[r.URL.Path]
		delete(tr.faults, r.URL.Path)
		tr.mu.Unlock()
		if !ok {
			f = fault{corruptAt: -1, cutAfter: -1}
		}
		fw := &faultyWriter{ResponseWriter: w, fault: f}
		defer func() {
			tr.mu.Lock()
			tr.exchanges = append(tr.exchanges, exchange{path: r.URL.Path, rangeHeader: r.Header.Get("Range"), status: fw.status, bytes: fw.written})
			tr.mu.Unlock()
		}()
		h.ServeHTTP(fw, r)
	})
}

// faultyWriter counts the body and applies a fault. It has neither
// ReadFrom nor Unwrap, so every byte of a download passes through Write.
type faultyWriter struct {
	http.ResponseWriter
	fault   fault
	status  int
	written int64
}

func (w *faultyWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *faultyWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	total := 0
	for len(b) > 0 {
		n := min(len(b), 16<<10)
		chunk := append([]byte(nil), b[:n]...)
		b = b[n:]
		if c := w.fault.corruptAt - w.written; c >= 0 && c < int64(len(chunk)) {
			chunk[c] ^= 0xff
		}
		if w.fault.cutAfter >= 0 && w.written+int64(len(chunk)) > w.fault.cutAfter {
			chunk = chunk[:w.fault.cutAfter-w.written]
			w.ResponseWriter.Write(chunk)
			w.written += int64(len(chunk))
			if f, ok := w.ResponseWriter.(http.Flusher); ok {
				f.Flush()
			}
			panic(http.ErrAbortHandler) // the connection drops mid-body
		}
		m, err := w.ResponseWriter.Write(chunk)
		w.written += int64(m)
		total += m
		if err != nil {
			return total, err
		}
		if w.fault.delay > 0 {
			if f, ok := w.ResponseWriter.(http.Flusher); ok {
				f.Flush()
			}
			time.Sleep(w.fault.delay)
		}
	}
	return total, nil
}
