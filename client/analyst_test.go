package client

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/httpapi"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// analystServer is the real HTTP API with one downloadable table
// ("orders", content returned) and one remote table, and an admin token.
func analystServer(t *testing.T) (c *Client, content []byte) {
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
	reg := catalog.NewRegistry(st, svc)
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	auditor := store.NewAuditor(st, logger)
	srv := httptest.NewServer(httpapi.New(httpapi.Deps{RBAC: svc, Registry: reg, Auditor: auditor, Logger: logger,
		PGListen: "127.0.0.1:5999", PGDatabase: "agnes"}).Handler())
	t.Cleanup(func() {
		srv.Close()
		auditor.Close()
		st.Close()
	})

	content = bytes.Repeat([]byte("0123456789abcdef"), 10000)
	path := filepath.Join(t.TempDir(), "orders.parquet")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(content)
	if _, err := reg.SyncExtracts(ctx, "system", []catalog.SourceScan{{Source: "t", Tables: []catalog.Table{
		{ID: "orders", Name: "orders", Location: path, SizeBytes: int64(len(content)), MD5: hex.EncodeToString(sum[:]), RowCount: 3,
			Columns: []catalog.Column{{Name: "id", Type: "BIGINT"}}},
		{ID: "events", Name: "events", QueryMode: catalog.ModeRemote, SourceType: "bigquery"},
	}}}); err != nil {
		t.Fatal(err)
	}
	system := rbac.Actor{UserID: "system"}
	u, err := svc.CreateUser(ctx, system, "admin@example.com", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.AddMember(ctx, system, rbac.AdminGroupID, u.ID); err != nil {
		t.Fatal(err)
	}
	_, token, err := svc.CreateToken(ctx, system, u.ID, "t", nil)
	if err != nil {
		t.Fatal(err)
	}
	return New(srv.URL, token), content
}

func TestManifestAndNotModified(t *testing.T) {
	c, content := analystServer(t)
	ctx := t.Context()
	m, notModified, err := c.Manifest(ctx, "")
	if err != nil || notModified {
		t.Fatalf("manifest: %v %v", notModified, err)
	}
	if len(m.Tables) != 2 || m.ETag == "" {
		t.Fatalf("manifest = %+v", m)
	}
	byID := map[string]ManifestTable{}
	for _, tb := range m.Tables {
		byID[tb.ID] = tb
	}
	sum := md5.Sum(content)
	o := byID["orders"]
	if o.URL != "/api/tables/orders/data" || o.MD5 != hex.EncodeToString(sum[:]) || o.SizeBytes != int64(len(content)) ||
		o.Rows != 3 || o.Schema != "public" || len(o.Columns) != 1 || o.Columns[0] != (Column{Name: "id", Type: "BIGINT"}) {
		t.Fatalf("orders = %+v", o)
	}
	if e := byID["events"]; e.QueryMode != "remote" || e.URL != "" {
		t.Fatalf("events = %+v", e)
	}

	again, notModified, err := c.Manifest(ctx, m.ETag)
	if err != nil || !notModified || again != nil {
		t.Fatalf("same ETag: %v %v %v", again, notModified, err)
	}
	fresh, notModified, err := c.Manifest(ctx, `"stale"`)
	if err != nil || notModified || len(fresh.Tables) != 2 || fresh.ETag != m.ETag {
		t.Fatalf("stale ETag: %+v %v %v", fresh, notModified, err)
	}
}

func TestDownloadTableResumes(t *testing.T) {
	c, content := analystServer(t)
	ctx := t.Context()
	sum := md5.Sum(content)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`

	read := func(d *TableDownload) []byte {
		t.Helper()
		defer d.Body.Close()
		b, err := io.ReadAll(d.Body)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		name       string
		offset     int64
		ifRange    string
		wantOffset int64
	}{
		{"whole file", 0, "", 0},
		{"resume", 4096, etag, 4096},
		{"resume of a changed file", 4096, `"0000"`, 0},
	}
	for _, cs := range cases {
		t.Run(cs.name, func(t *testing.T) {
			d, err := c.DownloadTable(ctx, "/api/tables/orders/data", cs.offset, cs.ifRange)
			if err != nil {
				t.Fatal(err)
			}
			body := read(d)
			if d.Offset != cs.wantOffset || d.Size != int64(len(content)) || d.ETag != etag || !bytes.Equal(body, content[cs.wantOffset:]) {
				t.Fatalf("offset %d size %d etag %s, %d bytes", d.Offset, d.Size, d.ETag, len(body))
			}
		})
	}

	var apiErr *APIError
	if _, err := c.DownloadTable(ctx, "/api/tables/events/data", 0, ""); !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Code != "forbidden" {
		t.Fatalf("remote table download: %v", err)
	}
	if _, err := c.DownloadTable(ctx, "/api/tables/nope/data", 0, ""); !errors.As(err, &apiErr) || apiErr.Status != 404 {
		t.Fatalf("unknown table download: %v", err)
	}
	for _, bad := range []string{"http://elsewhere.example/x", "//elsewhere.example/x", "api/tables/orders/data"} {
		if _, err := c.DownloadTable(ctx, bad, 0, ""); err == nil {
			t.Fatalf("download of %q must be refused (the token would leave the server)", bad)
		}
	}
}

func TestConnectionEndpoint(t *testing.T) {
	c, _ := analystServer(t)
	conn, err := c.Connection(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if *conn != (Connection{PGHost: "127.0.0.1", PGPort: 5999, PGDatabase: "agnes", User: "admin@example.com"}) {
		t.Fatalf("connection = %+v", conn)
	}
}

func TestParseContentRange(t *testing.T) {
	cases := []struct {
		in          string
		start, size int64
		ok          bool
	}{
		{"bytes 100-199/200", 100, 200, true},
		{"bytes 0-0/1", 0, 1, true},
		{"bytes */200", 0, 0, false},
		{"bytes 300-399/200", 0, 0, false},
		{"items 1-2/3", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, cs := range cases {
		start, size, ok := parseContentRange(cs.in)
		if start != cs.start || size != cs.size || ok != cs.ok {
			t.Errorf("parseContentRange(%q) = %d, %d, %v", cs.in, start, size, ok)
		}
	}
}
