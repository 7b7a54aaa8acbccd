package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/keboola/agnes/connectors"
	"github.com/keboola/agnes/rbac"
)

// analystRun runs agnes as an analyst against the live server.
func (s *liveServer) analystRun(token string, args ...string) result {
	s.t.Helper()
	return run(s.t, "", append(args, "--server", s.url, "--token", token)...)
}

func (s *liveServer) mustRun(token string, args ...string) result {
	s.t.Helper()
	r := s.analystRun(token, args...)
	if r.code != 0 {
		s.t.Fatalf("agnes %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// dataFiles lists .agnes/data.
func dataFiles(t *testing.T, ws string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(ws, ".agnes", "data"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	sort.Strings(out)
	return out
}

func readState(t *testing.T, ws string) workspaceState {
	t.Helper()
	var st workspaceState
	b, err := os.ReadFile(filepath.Join(ws, ".agnes", "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatal(err)
	}
	return st
}

// reference answers a query over the server's own parquet files, to check
// local results against.
func (s *liveServer) reference(query string, tables ...string) string {
	s.t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, id := range tables {
		tb, err := s.app.Registry.Get(context.Background(), id)
		if err != nil {
			s.t.Fatal(err)
		}
		if _, err := db.Exec(fmt.Sprintf("CREATE VIEW %s AS SELECT * FROM read_parquet(%s)", sqlIdent(id), sqlString(tb.Location))); err != nil {
			s.t.Fatal(err)
		}
	}
	rows, err := db.Query(query)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	b.WriteString(strings.Join(cols, ",") + "\n")
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		rows.Scan(ptrs...)
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = cellText(normalizeDuckDB(v, ""))
		}
		b.WriteString(strings.Join(cells, ",") + "\n")
	}
	return b.String()
}

// TestPullFollowsGrants is the analyst's whole loop against a real server:
// pull only what is granted, query it locally, pick up a grant, drop a
// revoked table, download nothing when nothing changed, and change
// nothing when the server is gone.
func TestPullFollowsGrants(t *testing.T) {
	s := startLiveServer(t)
	token := s.analyst("ana@example.com", "orders")
	ws := t.TempDir()

	// 1. Only orders arrives, byte-identical to the server's file.
	r := s.mustRun(token, "pull", "--workspace", ws)
	if !strings.Contains(r.stdout, "Pulled 1 table") || !strings.Contains(r.stdout, "orders:") {
		t.Fatalf("first pull output:\n%s", r.stdout)
	}
	if got := dataFiles(t, ws); !slices.Equal(got, []string{"orders.parquet"}) {
		t.Fatalf("data after the first pull: %v", got)
	}
	if got, want := fileMD5(t, filepath.Join(ws, ".agnes", "data", "orders.parquet")), s.serverMD5("orders"); got != want {
		t.Fatalf("orders md5 %s, server %s", got, want)
	}
	st := readState(t, ws)
	if len(st.Tables) != 1 || st.Tables["orders"].MD5 != s.serverMD5("orders") || st.LastPull.IsZero() || len(st.Manifest) != 1 {
		t.Fatalf("state after the first pull: %+v", st)
	}
	if dl := s.traffic.downloads(); len(dl) != 1 || dl[0].status != 200 {
		t.Fatalf("downloads of the first pull: %+v", dl)
	}

	// 2. Local queries give the server's answers.
	for _, q := range []string{
		"SELECT count(*) AS n, sum(amount) AS total FROM orders",
		"SELECT status, count(*) AS n, min(created_at) AS first FROM orders GROUP BY status ORDER BY status",
		"SELECT region, round(avg(amount), 2) AS avg_amount FROM main.orders GROUP BY 1 ORDER BY 1",
	} {
		got := s.mustRun(token, "query", "--workspace", ws, "--format", "csv", q).stdout
		want := s.reference(strings.ReplaceAll(q, "main.orders", "orders"), "orders")
		if got != want {
			t.Fatalf("%s\nlocal:\n%s\nserver file:\n%s", q, got, want)
		}
	}
	if r := s.analystRun(token, "query", "--workspace", ws, "SELECT count(*) FROM customers"); r.code != 1 || !strings.Contains(r.stderr, "customers") {
		t.Fatalf("ungranted table queried locally: %+v", r)
	}

	// 3. A grant: the next pull downloads customers and only customers.
	grantID := s.grant("ana@example.com", "customers")
	s.traffic.reset()
	r = s.mustRun(token, "pull", "--workspace", ws)
	dl := s.traffic.downloads()
	if len(dl) != 1 || dl[0].path != "/api/tables/customers/data" || dl[0].status != 200 {
		t.Fatalf("downloads after the grant: %+v", dl)
	}
	if got := dataFiles(t, ws); !slices.Equal(got, []string{"customers.parquet", "orders.parquet"}) {
		t.Fatalf("data after the grant: %v", got)
	}
	join := "SELECT c.country, count(*) AS n FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 5"
	if got, want := s.mustRun(token, "query", "--workspace", ws, "-f", "csv", join).stdout, s.reference(join, "orders", "customers"); got != want {
		t.Fatalf("join after the grant:\n%s\nwant\n%s", got, want)
	}

	// 4. A revoke: the next pull removes customers, file and view.
	if err := s.admin().DeleteGrant(context.Background(), grantID); err != nil {
		t.Fatal(err)
	}
	s.traffic.reset()
	r = s.mustRun(token, "pull", "--workspace", ws)
	if !strings.Contains(r.stdout, "removed customers") || len(s.traffic.downloads()) != 0 {
		t.Fatalf("pull after the revoke: %s, downloads %+v", r.stdout, s.traffic.downloads())
	}
	if got := dataFiles(t, ws); !slices.Equal(got, []string{"orders.parquet"}) {
		t.Fatalf("data after the revoke: %v", got)
	}
	if r := s.analystRun(token, "query", "--workspace", ws, "SELECT 1 FROM customers"); r.code != 1 {
		t.Fatalf("revoked table still queryable: %+v", r)
	}

	// 5. Nothing changed: the manifest answers 304 and no table byte moves.
	s.traffic.reset()
	before := snapshotDir(t, ws)
	r = s.mustRun(token, "pull", "--workspace", ws)
	ex := s.traffic.seen()
	if len(ex) != 1 || ex[0].path != "/api/manifest" || ex[0].status != 304 || ex[0].bytes != 0 {
		t.Fatalf("an unchanged pull must make one conditional manifest request and nothing else: %+v", ex)
	}
	if !strings.Contains(r.stdout, "Pulled 0 tables (0 B)") || !strings.Contains(r.stdout, "1 unchanged") {
		t.Fatalf("unchanged pull output: %s", r.stdout)
	}
	after := snapshotDir(t, ws)
	delete(before, ".agnes/state.json") // last_pull moves on
	delete(after, ".agnes/state.json")
	if fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("an unchanged pull touched files:\nbefore %v\nafter  %v", before, after)
	}

	// 6. Server gone: a fast, one-line failure, and nothing changes.
	before = snapshotDir(t, ws)
	s.stop()
	start := time.Now()
	r = s.analystRun(token, "pull", "--workspace", ws)
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "cannot reach") {
		t.Fatalf("pull without a server: %+v", r)
	}
	if elapsed := time.Since(start); elapsed > 10*time.Second {
		t.Fatalf("pull without a server took %v", elapsed)
	}
	if after := snapshotDir(t, ws); fmt.Sprint(before) != fmt.Sprint(after) {
		t.Fatalf("a failed pull changed the workspace:\nbefore %v\nafter  %v", before, after)
	}
	// The pulled data keeps working offline.
	if r := s.mustRun(token, "query", "--workspace", ws, "-f", "csv", "SELECT count(*) AS n FROM orders"); r.stdout != "n\n100000\n" {
		t.Fatalf("offline query: %q", r.stdout)
	}
	if r := s.mustRun(token, "catalog", "--workspace", ws, "--json"); !strings.Contains(r.stdout, `"id": "orders"`) || !strings.Contains(r.stdout, `"pulled": true`) {
		t.Fatalf("offline catalog: %s", r.stdout)
	}
}

// snapshotDir maps every file under dir to its size and md5.
func snapshotDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(dir, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		out[filepath.ToSlash(rel)] = fmt.Sprintf("%d:%s", fi.Size(), fileMD5(t, path))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPullResumesAKilledDownload kills a real agnes pull process half-way
// through a download and checks that the next pull continues with a Range
// request and ends with the server's exact bytes.
func TestPullResumesAKilledDownload(t *testing.T) {
	s := startLiveServer(t)
	token := s.analyst("kim@example.com", "orders")
	ws := t.TempDir()
	part := filepath.Join(ws, ".agnes", "data", "orders.parquet.part")

	// A slow download (16 KiB every 20 ms) leaves time to kill the process.
	s.traffic.inject("/api/tables/orders/data", fault{corruptAt: -1, cutAfter: -1, delay: 20 * time.Millisecond})
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "pull", "--workspace", ws, "--server", s.url, "--token", token)
	cmd.Env = append(os.Environ(), "AGNES_TEST_RUN_CLI=1", "AGNES_CONFIG_DIR="+t.TempDir())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for fileSize(part) < 256<<10 {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("the download never got going")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	kept := fileSize(part)
	size := fileSize(mustLocation(t, s, "orders"))
	if kept <= 0 || kept >= size {
		t.Fatalf("after the kill the partial file has %d of %d bytes", kept, size)
	}
	if _, err := os.Stat(filepath.Join(ws, ".agnes", "data", "orders.parquet")); !os.IsNotExist(err) {
		t.Fatalf("an unfinished download must not be in place: %v", err)
	}

	// The server notices the dropped connection on its next write; wait for
	// that exchange to end before recording the resume.
	for len(s.traffic.downloads()) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the killed download never ended on the server")
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.traffic.reset()
	r := s.mustRun(token, "pull", "--workspace", ws)
	dl := s.traffic.downloads()
	if len(dl) != 1 || dl[0].status != 206 || dl[0].rangeHeader != fmt.Sprintf("bytes=%d-", kept) || dl[0].bytes != size-kept {
		t.Fatalf("the resume must ask for bytes %d- and get the %d remaining: %+v", kept, size-kept, dl)
	}
	if !strings.Contains(r.stdout, "resumed at") {
		t.Fatalf("pull output does not mention the resume: %s", r.stdout)
	}
	if got, want := fileMD5(t, filepath.Join(ws, ".agnes", "data", "orders.parquet")), s.serverMD5("orders"); got != want {
		t.Fatalf("resumed file md5 %s, server %s", got, want)
	}
	if got := dataFiles(t, ws); !slices.Equal(got, []string{"orders.parquet"}) {
		t.Fatalf("leftovers after the resume: %v", got)
	}

	// A cut connection (no kill): the pull fails, keeps the part, and the
	// next one resumes too.
	s.rewriteTable("orders", "SELECT * FROM t WHERE id % 2 = 0")
	s.traffic.inject("/api/tables/orders/data", fault{corruptAt: -1, cutAfter: 100_000})
	r = s.analystRun(token, "pull", "--workspace", ws)
	if r.code != 1 || !strings.Contains(r.stderr, "interrupted") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("cut download: %+v", r)
	}
	if fileSize(part) != 100_000 {
		t.Fatalf("partial file after the cut: %d bytes", fileSize(part))
	}
	s.traffic.reset()
	s.mustRun(token, "pull", "--workspace", ws)
	if dl := s.traffic.downloads(); len(dl) != 1 || dl[0].rangeHeader != "bytes=100000-" || dl[0].status != 206 {
		t.Fatalf("resume after a cut: %+v", dl)
	}
	if got, want := fileMD5(t, filepath.Join(ws, ".agnes", "data", "orders.parquet")), s.serverMD5("orders"); got != want {
		t.Fatalf("md5 after the second resume %s, server %s", got, want)
	}
}

// TestPullRejectsACorruptDownload: a download whose bytes do not match the
// manifest's SHA-256 is thrown away and the previous copy stays in use.
func TestPullRejectsACorruptDownload(t *testing.T) {
	s := startLiveServer(t)
	token := s.analyst("cy@example.com", "orders")
	ws := t.TempDir()
	s.mustRun(token, "pull", "--workspace", ws, "--quiet")
	local := filepath.Join(ws, ".agnes", "data", "orders.parquet")
	oldMD5 := fileMD5(t, local)

	s.rewriteTable("orders", "SELECT * FROM t WHERE id <= 60000")
	if s.serverMD5("orders") == oldMD5 {
		t.Fatal("the table did not change on the server")
	}
	s.traffic.inject("/api/tables/orders/data", fault{corruptAt: 5000, cutAfter: -1})
	r := s.analystRun(token, "pull", "--workspace", ws)
	if r.code != 1 || !strings.Contains(r.stderr, "sha256 of the downloaded file") || !strings.Contains(r.stderr, "previous copies kept") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("corrupt download: %+v", r)
	}
	if got := fileMD5(t, local); got != oldMD5 {
		t.Fatalf("the previous copy was replaced: md5 %s, was %s", got, oldMD5)
	}
	if got := dataFiles(t, ws); !slices.Equal(got, []string{"orders.parquet"}) {
		t.Fatalf("a rejected download left files: %v", got)
	}
	if r := s.mustRun(token, "query", "--workspace", ws, "-f", "csv", "SELECT count(*) AS n FROM orders"); r.stdout != "n\n100000\n" {
		t.Fatalf("the old copy must stay queryable: %q", r.stdout)
	}
	if st := readState(t, ws); st.Tables["orders"].MD5 != oldMD5 {
		t.Fatalf("state records %s for the kept copy %s", st.Tables["orders"].MD5, oldMD5)
	}

	// A damaged partial file (right version marker, wrong bytes) resumes,
	// fails the md5, and is fetched again whole within the same pull.
	part := filepath.Join(ws, ".agnes", "data", "orders.parquet.part")
	if err := os.WriteFile(part, make([]byte, 4096), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(part+".md5", []byte(s.serverMD5("orders")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s.traffic.reset()
	s.mustRun(token, "pull", "--workspace", ws)
	dl := s.traffic.downloads()
	if len(dl) != 2 || dl[0].rangeHeader != "bytes=4096-" || dl[1].rangeHeader != "" || dl[1].status != 200 {
		t.Fatalf("a bad resume must be retried from the start: %+v", dl)
	}
	if got, want := fileMD5(t, local), s.serverMD5("orders"); got != want {
		t.Fatalf("md5 after the retry %s, server %s", got, want)
	}
	if r := s.mustRun(token, "query", "--workspace", ws, "-f", "csv", "SELECT count(*) AS n FROM orders"); r.stdout != "n\n60000\n" {
		t.Fatalf("the new copy: %q", r.stdout)
	}
}

func mustLocation(t *testing.T, s *liveServer, id string) string {
	t.Helper()
	tb, err := s.app.Registry.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tb.Location
}

// rewriteTable replaces a demo table's parquet file with the result of
// query over its current content (as t) and syncs the registry, the way a
// new extract lands on the server.
func (s *liveServer) rewriteTable(id, query string) {
	s.t.Helper()
	ctx := context.Background()
	loc := mustLocation(s.t, s, id)
	db, err := sql.Open("duckdb", "")
	if err != nil {
		s.t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec("CREATE TABLE t AS SELECT * FROM read_parquet(" + sqlString(loc) + ")"); err != nil {
		s.t.Fatal(err)
	}
	if err := connectors.WriteParquetAtomic(ctx, db, query, loc); err != nil {
		s.t.Fatal(err)
	}
	if _, err := s.app.Rebuild(ctx, rbac.Actor{UserID: "system"}); err != nil {
		s.t.Fatal(err)
	}
}
