package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// lockedBuffer is a log sink the server goroutines and the test can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// fixture is a real system store, RBAC service, registry and HTTP server
// with one bootstrapped admin.
type fixture struct {
	t          *testing.T
	st         *store.Store
	rbac       *rbac.Service
	reg        *catalog.Registry
	auditor    *store.Auditor
	api        *Server
	srv        *httptest.Server
	logs       *lockedBuffer
	adminID    string
	adminToken string
	// scans is what the Rebuild dependency syncs into the registry.
	scans []catalog.SourceScan
}

const adminEmail = "admin@example.com"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "system.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	svc, err := rbac.New(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, rbac: svc, reg: catalog.NewRegistry(st, svc), logs: &lockedBuffer{}}
	logger := slog.New(slog.NewTextHandler(f.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	f.auditor = store.NewAuditor(st, logger)
	f.api = New(Deps{
		RBAC: svc, Registry: f.reg, Auditor: f.auditor, Logger: logger, Version: "test-1.2.3",
		// Tests fail authentication many times from one address on
		// purpose; the throttle has its own test (TestAuthThrottle).
		AuthFailureBurst: 1000,
		Rebuild: func(ctx context.Context, a rbac.Actor) (catalog.SyncResult, error) {
			return f.reg.SyncExtracts(ctx, a.UserID, f.scans)
		},
	})
	f.srv = httptest.NewServer(f.api.Handler())
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", f.logs.String())
		}
		f.srv.Close()
		f.auditor.Close()
		st.Close()
	})

	system := rbac.Actor{UserID: "system"}
	u, err := svc.CreateUser(ctx, system, adminEmail, "Ada Admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.AddMember(ctx, system, rbac.AdminGroupID, u.ID); err != nil {
		t.Fatal(err)
	}
	_, secret, err := svc.CreateToken(ctx, system, u.ID, "bootstrap", nil)
	if err != nil {
		t.Fatal(err)
	}
	f.adminID, f.adminToken = u.ID, secret
	return f
}

// userWithToken creates a non-admin user and a token for it directly
// through the service.
func (f *fixture) userWithToken(email string, expiresAt *time.Time) (userID, token string) {
	f.t.Helper()
	ctx := context.Background()
	u, err := f.rbac.CreateUser(ctx, rbac.Actor{UserID: f.adminID}, email, "")
	if err != nil {
		f.t.Fatal(err)
	}
	_, secret, err := f.rbac.CreateToken(ctx, rbac.Actor{UserID: f.adminID}, u.ID, "t", expiresAt)
	if err != nil {
		f.t.Fatal(err)
	}
	return u.ID, secret
}

type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v, failing the test on malformed JSON.
func (r response) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("response %d %q is not JSON: %v", r.status, r.body, err)
	}
}

func (r response) errorBody(t *testing.T) ErrorBody {
	t.Helper()
	var e ErrorBody
	r.json(t, &e)
	if e.Error == "" || e.Message == "" {
		t.Fatalf("error response %d without error/message: %s", r.status, r.body)
	}
	return e
}

// do sends a request. body is sent as is when it is a string, marshalled
// to JSON otherwise; nil sends no body.
func (f *fixture) do(method, path, token string, body any) response {
	f.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			f.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, f.srv.URL+path, rd)
	if err != nil {
		f.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: raw}
}

// must sends a request and fails the test unless it answers want.
func (f *fixture) must(want int, method, path, token string, body any) response {
	f.t.Helper()
	r := f.do(method, path, token, body)
	if r.status != want {
		f.t.Fatalf("%s %s: status %d, want %d; body %s", method, path, r.status, want, r.body)
	}
	return r
}

// auditRows returns the audit_log rows of a user, oldest first. It flushes
// the asynchronous auditor by closing it, so it must be the last request-
// driven step of a test.
func (f *fixture) auditRows(userID string) []store.AuditEntry {
	f.t.Helper()
	f.auditor.Close()
	rows, err := f.st.DB.Query("SELECT action, target, outcome FROM audit_log WHERE user_id = ? ORDER BY ts, id", userID)
	if err != nil {
		f.t.Fatal(err)
	}
	defer rows.Close()
	var out []store.AuditEntry
	for rows.Next() {
		var e store.AuditEntry
		if err := rows.Scan(&e.Action, &e.Target, &e.Outcome); err != nil {
			f.t.Fatal(err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		f.t.Fatal(err)
	}
	return out
}
