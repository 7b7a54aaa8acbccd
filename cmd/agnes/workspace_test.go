package main

import (
	"context"
	"crypto/md5"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/client"
	"github.com/keboola/agnes/rbac"
)

// writeParquet writes the result of a query to a parquet file and returns
// its registry row.
func writeParquet(t *testing.T, dir, id, query string) catalog.Table {
	t.Helper()
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	path := filepath.Join(dir, id+".parquet")
	if _, err := db.Exec("COPY (" + query + ") TO " + sqlString(path) + " (FORMAT parquet)"); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(b)
	return catalog.Table{ID: id, Name: id, Location: path, SizeBytes: int64(len(b)), MD5: hex.EncodeToString(sum[:]),
		Columns: []catalog.Column{{Name: "id", Type: "BIGINT"}}, Description: "the " + id + " table"}
}

// TestPullViewsSchemasAndLeftovers: views are named as on the server
// (schema public is DuckDB's main, other schemas are kept), leftovers of
// earlier pulls are cleaned up, and a damaged state.json heals by
// downloading again.
func TestPullViewsSchemasAndLeftovers(t *testing.T) {
	f := newCLIFixture(t)
	ctx := context.Background()
	dir := t.TempDir()
	deals := writeParquet(t, dir, "deals", "SELECT range AS id, range * 10 AS value FROM range(30)")
	notes := writeParquet(t, dir, "notes", "SELECT range AS id, 'note ' || range AS text FROM range(5)")
	if _, err := f.reg.SyncExtracts(ctx, "system", []catalog.SourceScan{{Source: "crm", Tables: []catalog.Table{deals, notes}}}); err != nil {
		t.Fatal(err)
	}
	sales := "sales"
	if _, err := f.reg.Update(ctx, rbac.Actor{UserID: "system"}, "deals", catalog.Patch{Schema: &sales}); err != nil {
		t.Fatal(err)
	}

	ws := t.TempDir()
	data := filepath.Join(ws, ".agnes", "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, stray := range []string{"old.parquet", "gone.parquet.part", "gone.parquet.part.md5", "keep-me.txt"} {
		os.WriteFile(filepath.Join(data, stray), []byte("x"), 0o644)
	}
	f.admin("pull", "--workspace", ws)
	entries, _ := os.ReadDir(data)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"deals.parquet", "keep-me.txt", "notes.parquet"}) {
		t.Fatalf("data dir after the pull: %v", names)
	}

	r := f.admin("query", "--workspace", ws, "-f", "csv", "SELECT (SELECT sum(value) FROM sales.deals) AS total, (SELECT count(*) FROM notes) AS notes")
	if r.stdout != "total,notes\n4350,5\n" {
		t.Fatalf("views: %q", r.stdout)
	}
	r = f.admin("query", "--workspace", ws, "-f", "csv", "SELECT schema_name, view_name, comment FROM duckdb_views() WHERE NOT internal ORDER BY 1, 2")
	if r.stdout != "schema_name,view_name,comment\nmain,notes,the notes table\nsales,deals,the deals table\n" {
		t.Fatalf("views in local.duckdb: %q", r.stdout)
	}
	if r := f.admin("schema", "--workspace", ws, "sales.deals"); !strings.Contains(r.stdout, "BIGINT") {
		t.Fatalf("schema by schema.name: %q", r.stdout)
	}

	// Local parquet output, with --limit.
	out := filepath.Join(t.TempDir(), "deals.parquet")
	f.admin("query", "--workspace", ws, "-f", "parquet", "-o", out, "--limit", "7", "SELECT * FROM sales.deals ORDER BY id;")
	r = f.admin("query", "--workspace", ws, "-f", "csv", "SELECT count(*) AS n, max(id) AS m FROM read_parquet("+sqlString(out)+")")
	if r.stdout != "n,m\n7,6\n" {
		t.Fatalf("parquet output: %q", r.stdout)
	}
	if r := run(t, "", "query", "--workspace", ws, "-f", "parquet", "SELECT 1"); r.code != 2 || !strings.Contains(r.stderr, "--output") {
		t.Fatalf("parquet to stdout: %+v", r)
	}

	// A damaged state costs a download, never a failure.
	if err := os.WriteFile(filepath.Join(ws, ".agnes", "state.json"), []byte("{"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = f.admin("pull", "--workspace", ws)
	if !strings.Contains(r.stdout, "Pulled 2 tables") {
		t.Fatalf("pull over a damaged state: %s", r.stdout)
	}
	if st := readState(t, ws); st.Tables["deals"].MD5 != deals.MD5 || st.Tables["notes"].MD5 != notes.MD5 {
		t.Fatalf("state after healing: %+v", st.Tables)
	}
}

func TestFindTable(t *testing.T) {
	ws := &workspace{root: "/w"}
	st := manifestFixture()
	for ref, want := range map[string]string{"deals": "deals", "SALES.Deals": "deals", "notes": "notes", "public.notes": "notes", "nope": ""} {
		got, ok := findTable(st, ref)
		if got.ID != want || ok != (want != "") {
			t.Errorf("findTable(%q) = %q %v", ref, got.ID, ok)
		}
	}
	views := ws.viewSpecs(st, map[string]localTable{"deals": {}, "notes": {}})
	if len(views) != 2 || views[0].Schema != "main" || views[0].Name != "notes" || views[1].Schema != "sales" ||
		views[1].Path != filepath.Join("/w", ".agnes", "data", "deals.parquet") {
		t.Fatalf("view specs: %+v", views)
	}
}

func manifestFixture() []client.ManifestTable {
	return []client.ManifestTable{
		{ID: "deals", Name: "deals", Schema: "sales"},
		{ID: "notes", Name: "notes", Schema: "public"},
	}
}
