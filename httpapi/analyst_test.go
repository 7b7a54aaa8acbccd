package httpapi

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/rbac"
)

// analystFixture is the HTTP fixture plus four registered tables with data
// files (orders, customers: local; secret_ledger: server-only;
// bq_events: remote) and an analyst whose group is granted orders,
// secret_ledger and bq_events.
type analystFixture struct {
	*fixture
	files        map[string][]byte // table id → file content
	analystID    string
	analystToken string
}

func newAnalystFixture(t *testing.T) *analystFixture {
	t.Helper()
	f := &analystFixture{fixture: newFixture(t), files: map[string][]byte{}}
	ctx := context.Background()
	dir := t.TempDir()
	var tables []catalog.Table
	for i, spec := range []struct {
		id, mode   string
		serverOnly bool
	}{
		{"orders", catalog.ModeLocal, false},
		{"customers", catalog.ModeLocal, false},
		{"secret_ledger", catalog.ModeLocal, true},
		{"bq_events", catalog.ModeRemote, false},
	} {
		tb := catalog.Table{ID: spec.id, Name: spec.id, SourceType: "test", QueryMode: spec.mode, ServerOnly: spec.serverOnly,
			Columns: []catalog.Column{{Name: "id", Type: "BIGINT"}}, RowCount: int64(10 * (i + 1))}
		if spec.mode != catalog.ModeRemote {
			// Not real parquet: the server streams bytes and never reads them.
			content := bytes.Repeat([]byte(fmt.Sprintf("%s-%d|", spec.id, i)), 5000+i*1000)
			path := filepath.Join(dir, spec.id+".parquet")
			if err := os.WriteFile(path, content, 0o644); err != nil {
				t.Fatal(err)
			}
			sum, sha := md5.Sum(content), sha256.Sum256(content)
			tb.Location, tb.SizeBytes, tb.MD5, tb.SHA256 = path, int64(len(content)), hex.EncodeToString(sum[:]), hex.EncodeToString(sha[:])
			f.files[spec.id] = content
		}
		tables = append(tables, tb)
	}
	if _, err := f.reg.SyncExtracts(ctx, "system", []catalog.SourceScan{{Source: "test", Tables: tables}}); err != nil {
		t.Fatal(err)
	}
	// The server-only flag is an admin setting (extracts do not carry it).
	serverOnly := true
	if _, err := f.reg.Update(ctx, rbac.Actor{UserID: f.adminID}, "secret_ledger", catalog.Patch{ServerOnly: &serverOnly}); err != nil {
		t.Fatal(err)
	}
	f.analystID, f.analystToken = f.userWithToken("ana@example.com", nil)
	admin := rbac.Actor{UserID: f.adminID}
	if _, err := f.rbac.CreateGroup(ctx, admin, "Analysts", ""); err != nil {
		t.Fatal(err)
	}
	if err := f.rbac.AddMember(ctx, admin, "Analysts", "ana@example.com"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"orders", "secret_ledger", "bq_events"} {
		f.grant(id)
	}
	return f
}

func (f *analystFixture) grant(id string) *rbac.Grant {
	f.t.Helper()
	g, err := f.rbac.CreateGrant(context.Background(), rbac.Actor{UserID: f.adminID}, "Analysts", "table", id)
	if err != nil {
		f.t.Fatal(err)
	}
	return g
}

// get sends a GET with extra headers.
func (f *analystFixture) get(path, token string, header map[string]string) response {
	f.t.Helper()
	req, err := http.NewRequest("GET", f.srv.URL+path, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
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

func manifestIDs(m Manifest) map[string]ManifestTable {
	out := map[string]ManifestTable{}
	for _, t := range m.Tables {
		out[t.ID] = t
	}
	return out
}

func TestManifestFollowsGrants(t *testing.T) {
	f := newAnalystFixture(t)

	if r := f.get("/api/manifest", "", nil); r.status != http.StatusUnauthorized {
		t.Fatalf("manifest without a token: %d", r.status)
	}

	var m Manifest
	r := f.get("/api/manifest", f.analystToken, nil)
	if r.status != http.StatusOK {
		t.Fatalf("manifest: %d %s", r.status, r.body)
	}
	r.json(t, &m)
	got := manifestIDs(m)
	if len(got) != 3 || got["customers"].ID != "" {
		t.Fatalf("analyst manifest lists %v, want orders, secret_ledger, bq_events", m.Tables)
	}
	orders := got["orders"]
	sum, sha := md5.Sum(f.files["orders"]), sha256.Sum256(f.files["orders"])
	want := ManifestTable{ID: "orders", Name: "orders", Schema: "public", QueryMode: "local", SourceType: "test",
		Columns: []catalog.Column{{Name: "id", Type: "BIGINT"}}, Rows: 10, SizeBytes: int64(len(f.files["orders"])),
		MD5: hex.EncodeToString(sum[:]), SHA256: hex.EncodeToString(sha[:]), URL: "/api/tables/orders/data"}
	orders.UpdatedAt = want.UpdatedAt
	if fmt.Sprint(orders) != fmt.Sprint(want) {
		t.Fatalf("orders entry\n got %+v\nwant %+v", orders, want)
	}
	if e := got["bq_events"]; e.QueryMode != "remote" || e.URL != "" {
		t.Fatalf("remote entry must be listed without url: %+v", e)
	}
	if e := got["secret_ledger"]; !e.ServerOnly || e.URL != "" || e.MD5 == "" {
		t.Fatalf("server-only entry must be listed without url: %+v", e)
	}
	if strings.Contains(string(r.body), "location") || strings.Contains(string(r.body), filepath.Dir(mustLocation(t, f, "orders"))) {
		t.Fatalf("manifest leaks server paths: %s", r.body)
	}

	// The ETag answers 304 while nothing changes …
	etag := r.header.Get("ETag")
	if !strings.HasPrefix(etag, `"`) || len(etag) < 10 {
		t.Fatalf("manifest ETag %q", etag)
	}
	if r2 := f.get("/api/manifest", f.analystToken, map[string]string{"If-None-Match": etag}); r2.status != http.StatusNotModified || len(r2.body) != 0 {
		t.Fatalf("unchanged manifest: %d %q", r2.status, r2.body)
	}
	if r2 := f.get("/api/manifest", f.analystToken, map[string]string{"If-None-Match": `"other", W/` + etag}); r2.status != http.StatusNotModified {
		t.Fatalf("etag in a list, weak: %d", r2.status)
	}
	// … and a grant shows in the next call, with a new ETag.
	g := f.grant("customers")
	r3 := f.get("/api/manifest", f.analystToken, map[string]string{"If-None-Match": etag})
	if r3.status != http.StatusOK || r3.header.Get("ETag") == etag {
		t.Fatalf("manifest after a grant: %d etag %q", r3.status, r3.header.Get("ETag"))
	}
	var m3 Manifest
	r3.json(t, &m3)
	if _, ok := manifestIDs(m3)["customers"]; !ok || len(m3.Tables) != 4 {
		t.Fatalf("granted table missing: %+v", m3.Tables)
	}
	if err := f.rbac.DeleteGrant(context.Background(), rbac.Actor{UserID: f.adminID}, g.ID); err != nil {
		t.Fatal(err)
	}
	// Revoked: back to the first manifest, byte for byte.
	if r4 := f.get("/api/manifest", f.analystToken, map[string]string{"If-None-Match": etag}); r4.status != http.StatusNotModified {
		t.Fatalf("manifest after revoke: %d %s", r4.status, r4.body)
	}

	// The admin sees every table.
	var all Manifest
	f.get("/api/manifest", f.adminToken, nil).json(t, &all)
	if len(all.Tables) != 4 {
		t.Fatalf("admin manifest: %+v", all.Tables)
	}
}

func TestTableDownload(t *testing.T) {
	f := newAnalystFixture(t)
	content := f.files["orders"]
	sum, sha := md5.Sum(content), sha256.Sum256(content)
	etag := `"` + hex.EncodeToString(sum[:]) + `"`
	// RFC 9530's form of the whole file's SHA-256, on 200 and 206 alike.
	digest := "sha-256=:" + base64.StdEncoding.EncodeToString(sha[:]) + ":"

	r := f.get("/api/tables/orders/data", f.analystToken, nil)
	if r.status != http.StatusOK || !bytes.Equal(r.body, content) {
		t.Fatalf("download: %d, %d bytes (want %d)", r.status, len(r.body), len(content))
	}
	for k, v := range map[string]string{
		"ETag": etag, "Content-Length": fmt.Sprint(len(content)), "Content-Type": ParquetContentType,
		"Accept-Ranges": "bytes", "Content-Disposition": `attachment; filename="orders.parquet"`,
		"Repr-Digest": digest,
	} {
		if got := r.header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}

	// Resuming: a Range from an offset, guarded by If-Range.
	r = f.get("/api/tables/orders/data", f.analystToken, map[string]string{"Range": "bytes=1000-", "If-Range": etag})
	if r.status != http.StatusPartialContent || !bytes.Equal(r.body, content[1000:]) ||
		r.header.Get("Content-Range") != fmt.Sprintf("bytes 1000-%d/%d", len(content)-1, len(content)) {
		t.Fatalf("range: %d %q, %d bytes", r.status, r.header.Get("Content-Range"), len(r.body))
	}
	if got := r.header.Get("Repr-Digest"); got != digest {
		t.Fatalf("Repr-Digest of a 206 = %q, want the whole file's %q", got, digest)
	}
	// An If-Range that no longer matches gets the whole (new) file.
	r = f.get("/api/tables/orders/data", f.analystToken, map[string]string{"Range": "bytes=1000-", "If-Range": `"stale"`})
	if r.status != http.StatusOK || !bytes.Equal(r.body, content) {
		t.Fatalf("stale If-Range: %d, %d bytes", r.status, len(r.body))
	}
	// A range past the end: 416, in the API's error shape.
	r = f.get("/api/tables/orders/data", f.analystToken, map[string]string{"Range": fmt.Sprintf("bytes=%d-", len(content)+10)})
	if r.status != http.StatusRequestedRangeNotSatisfiable || r.errorBody(t).Error != "requested_range_not_satisfiable" {
		t.Fatalf("range past the end: %d %s", r.status, r.body)
	}
	r = f.get("/api/tables/orders/data", f.analystToken, map[string]string{"If-None-Match": etag})
	if r.status != http.StatusNotModified || len(r.body) != 0 {
		t.Fatalf("If-None-Match: %d", r.status)
	}

	// The admin may download any distributed table.
	if r := f.get("/api/tables/customers/data", f.adminToken, nil); r.status != http.StatusOK || !bytes.Equal(r.body, f.files["customers"]) {
		t.Fatalf("admin download: %d", r.status)
	}

	// A grant revoked takes effect on the next request.
	g := f.grant("customers")
	if r := f.get("/api/tables/customers/data", f.analystToken, nil); r.status != http.StatusOK {
		t.Fatalf("after grant: %d", r.status)
	}
	if err := f.rbac.DeleteGrant(context.Background(), rbac.Actor{UserID: f.adminID}, g.ID); err != nil {
		t.Fatal(err)
	}
	if r := f.get("/api/tables/customers/data", f.analystToken, nil); r.status != http.StatusForbidden {
		t.Fatalf("after revoke: %d", r.status)
	}

	rows := f.auditRows(f.analystID)
	var ok, denied int
	for _, e := range rows {
		if e.Action == "data.download" && e.Target == "orders" && e.Outcome == "ok" {
			ok++
		}
		if e.Action == "data.download" && e.Target == "customers" && e.Outcome == "denied" {
			denied++
		}
	}
	if ok != 4 || denied != 1 {
		t.Fatalf("audit: %d ok orders downloads (want 4: full, two ranges, 304), %d denied (want 1): %+v", ok, denied, rows)
	}
}

func TestTableDownloadRefusals(t *testing.T) {
	f := newAnalystFixture(t)
	cases := []struct {
		name, path, token string
		status            int
		code, inMessage   string
	}{
		{"unknown table", "/api/tables/nope/data", f.analystToken, 404, CodeNotFound, "nope not found"},
		{"upper-case id", "/api/tables/Orders/data", f.analystToken, 404, CodeNotFound, "not found"},
		{"dot-dot", "/api/tables/..%2f..%2fetc/data", f.analystToken, 404, CodeNotFound, "not found"},
		{"quote", "/api/tables/a'b/data", f.analystToken, 404, CodeNotFound, "not found"},
		{"ungranted", "/api/tables/customers/data", f.analystToken, 403, CodeForbidden, "not granted"},
		{"server-only", "/api/tables/secret_ledger/data", f.analystToken, 403, CodeForbidden, "server-only"},
		{"server-only, admin", "/api/tables/secret_ledger/data", f.adminToken, 403, CodeForbidden, "server-only"},
		{"remote", "/api/tables/bq_events/data", f.analystToken, 403, CodeForbidden, "remote"},
		{"no token", "/api/tables/orders/data", "", 401, CodeUnauthorized, "bearer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := f.get(c.path, c.token, nil)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			e := r.errorBody(t)
			if e.Error != c.code || !strings.Contains(e.Message, c.inMessage) {
				t.Fatalf("error %+v, want code %s with %q", e, c.code, c.inMessage)
			}
		})
	}

	// A data file replaced on disk before the registry caught up is not
	// served under the old md5.
	if err := os.WriteFile(filepath.Join(filepath.Dir(mustLocation(t, f, "orders")), "orders.parquet"), []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := f.get("/api/tables/orders/data", f.analystToken, nil); r.status != http.StatusServiceUnavailable || r.errorBody(t).Error != CodeUnavailable {
		t.Fatalf("stale registry: %d %s", r.status, r.body)
	}
}

func mustLocation(t *testing.T, f *analystFixture, id string) string {
	t.Helper()
	tb, err := f.reg.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tb.Location
}

// TestDownloadReachesReaderFrom checks that the download body bypasses the
// middleware's writers: the innermost writer's ReadFrom is what turns an
// *os.File into sendfile.
func TestDownloadReachesReaderFrom(t *testing.T) {
	inner := &readerFromRecorder{ResponseRecorder: httptest.NewRecorder()}
	var w http.ResponseWriter = &statusRecorder{ResponseWriter: inner}
	if innermostReaderFrom(w) != io.ReaderFrom(inner) {
		t.Fatal("innermostReaderFrom did not unwrap the status recorder")
	}
	out := &fileResponse{ResponseWriter: w, body: innermostReaderFrom(w)}
	n, err := io.Copy(out, io.LimitReader(strings.NewReader(strings.Repeat("x", 100)), 60))
	if err != nil || n != 60 || inner.readFromBytes != 60 || out.written != 60 || out.status != 200 || w.(*statusRecorder).status != 200 {
		t.Fatalf("copy: n=%d err=%v readFrom=%d written=%d status=%d", n, err, inner.readFromBytes, out.written, out.status)
	}
}

type readerFromRecorder struct {
	*httptest.ResponseRecorder
	readFromBytes int64
}

func (r *readerFromRecorder) ReadFrom(src io.Reader) (int64, error) {
	n, err := io.Copy(r.ResponseRecorder.Body, src)
	r.readFromBytes += n
	return n, err
}

func TestConnection(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		listen, db string
		status     int
		want       Connection
	}{
		{"127.0.0.1:5433", "agnes", 200, Connection{PGHost: "127.0.0.1", PGPort: 5433, PGDatabase: "agnes", User: adminEmail}},
		{":6543", "warehouse", 200, Connection{PGHost: "127.0.0.1", PGPort: 6543, PGDatabase: "warehouse", User: adminEmail}},
		{"0.0.0.0:5433", "", 200, Connection{PGHost: "127.0.0.1", PGPort: 5433, PGDatabase: "agnes", User: adminEmail}},
		{"db.internal:5433", "agnes", 200, Connection{PGHost: "db.internal", PGPort: 5433, PGDatabase: "agnes", User: adminEmail}},
		{"", "agnes", 503, Connection{}},
		{"127.0.0.1:0", "agnes", 503, Connection{}},
	}
	for _, c := range cases {
		t.Run(c.listen, func(t *testing.T) {
			api := New(Deps{RBAC: f.rbac, Registry: f.reg, Logger: f.api.log, PGListen: c.listen, PGDatabase: c.db})
			srv := httptest.NewServer(api.Handler())
			defer srv.Close()
			req, _ := http.NewRequest("GET", srv.URL+"/api/connection", nil)
			req.Header.Set("Authorization", "Bearer "+f.adminToken)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			r := response{status: resp.StatusCode, body: raw}
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, raw)
			}
			if c.status != 200 {
				r.errorBody(t)
				return
			}
			var got Connection
			r.json(t, &got)
			if got != c.want {
				t.Fatalf("got %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestETagMatches(t *testing.T) {
	cases := []struct {
		header, etag string
		want         bool
	}{
		{`"abc"`, `"abc"`, true},
		{`W/"abc"`, `"abc"`, true},
		{`"x", "abc"`, `"abc"`, true},
		{`*`, `"abc"`, true},
		{`"abcd"`, `"abc"`, false},
		{``, `"abc"`, false},
		{`abc`, `"abc"`, false},
	}
	for _, c := range cases {
		if got := etagMatches(c.header, c.etag); got != c.want {
			t.Errorf("etagMatches(%q, %q) = %v, want %v", c.header, c.etag, got, c.want)
		}
	}
}

func TestReprDigest(t *testing.T) {
	for in, want := range map[string]string{
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad": "sha-256=:ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=:",
		"":    "", // a table whose sha256 is not known yet
		"abc": "",
		"zz":  "",
		"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015": "", // too short
	} {
		if got := reprDigest(in); got != want {
			t.Errorf("reprDigest(%q) = %q, want %q", in, got, want)
		}
	}
}
