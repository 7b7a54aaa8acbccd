package connectors

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/keboola/agnes/catalog"
)

const tenRows = "SELECT range::BIGINT AS id, 'row ' || range AS label FROM range(10)"

// TestScanBrokenExtracts puts one good source among broken ones: each broken
// one is reported with its reason and none stops the others.
func TestScanBrokenExtracts(t *testing.T) {
	dataDir := t.TempDir()
	root := filepath.Join(dataDir, ExtractsDir)

	writeFile(t, filepath.Join(root, "a_garbage", ExtractFile), "this is not a duckdb database")
	writeSource(t, dataDir, "b_good", sourceFixture{
		spec:    ExtractSpec{Tables: []MetaRow{localTable("good", 10)}},
		parquet: map[string]string{"good": tenRows},
	})
	writeRawExtractDB(t, filepath.Join(root, "c_no_meta"), "CREATE TABLE something (x INT)")
	writeFile(t, filepath.Join(root, "d_no_extract_db", DataDir, "x.parquet"), "x")
	writeRawExtractDB(t, filepath.Join(root, "e_meta_view"),
		"CREATE VIEW _meta AS SELECT 'x' AS table_name, content AS description FROM read_text('/etc/hostname')")
	fMissing := writeSource(t, dataDir, "f_missing_parquet", sourceFixture{
		spec:    ExtractSpec{Tables: []MetaRow{localTable("present", 10), localTable("gone", 10)}},
		parquet: map[string]string{"present": tenRows, "gone": tenRows},
	})
	removeFile(t, filepath.Join(fMissing, DataDir, "gone.parquet"))
	fCorrupt := writeSource(t, dataDir, "g_corrupt_parquet", sourceFixture{
		spec:    ExtractSpec{Tables: []MetaRow{localTable("corrupt", 10)}},
		parquet: map[string]string{"corrupt": tenRows},
	})
	writeFile(t, filepath.Join(fCorrupt, DataDir, "corrupt.parquet"), "PAR1 definitely not parquet")
	writeRawExtractDB(t, filepath.Join(root, "h_meta_no_table_name"), "CREATE TABLE _meta (name VARCHAR)")
	fPart := writeSource(t, dataDir, "i_partitioned", sourceFixture{
		spec:    ExtractSpec{Tables: []MetaRow{localTable("events", 10)}},
		parquet: map[string]string{"events": tenRows, "events/month=1/data": tenRows},
	})
	removeFile(t, filepath.Join(fPart, DataDir, "events.parquet"))
	writeSource(t, dataDir, "j_unknown_mode", sourceFixture{
		spec:    ExtractSpec{Tables: []MetaRow{{TableName: "odd", QueryMode: "streaming"}}},
		parquet: map[string]string{"odd": tenRows},
	})
	// Neither a hidden work folder nor a stray file is a source.
	writeFile(t, filepath.Join(root, ".incoming", ExtractFile), "garbage")
	writeFile(t, filepath.Join(root, "README"), "notes")

	exts, err := ScanExtracts(context.Background(), dataDir)
	if err != nil {
		t.Fatal(err)
	}
	bySource := map[string]Extract{}
	var sources []string
	for _, e := range exts {
		bySource[e.Source] = e
		sources = append(sources, e.Source)
	}
	wantSources := []string{"a_garbage", "b_good", "c_no_meta", "d_no_extract_db", "e_meta_view",
		"f_missing_parquet", "g_corrupt_parquet", "h_meta_no_table_name", "i_partitioned", "j_unknown_mode"}
	if !reflect.DeepEqual(sources, wantSources) {
		t.Fatalf("sources = %v, want %v", sources, wantSources)
	}

	for _, c := range []struct {
		source, wantErr string
	}{
		{"a_garbage", "not a valid DuckDB database"},
		{"c_no_meta", "has no _meta table"},
		{"d_no_extract_db", "missing extract.duckdb"},
		{"e_meta_view", "_meta is a view"},
		{"h_meta_no_table_name", "no table_name column"},
	} {
		e := bySource[c.source]
		if e.Err == nil || !strings.Contains(e.Err.Error(), c.wantErr) {
			t.Errorf("%s: Err = %v, want it to mention %q", c.source, e.Err, c.wantErr)
			continue
		}
		if strings.Contains(e.Err.Error(), "\n") || len(e.Tables) != 0 {
			t.Errorf("%s: want a one-line Err and no tables, got %q and %d tables", c.source, e.Err, len(e.Tables))
		}
	}

	// Per-table problems leave the extract usable: the table is listed with
	// its reason and without a location.
	for _, c := range []struct {
		source, table, wantStatus string
	}{
		{"b_good", "good", StatusOK},
		{"f_missing_parquet", "present", StatusOK},
		{"f_missing_parquet", "gone", "missing data/gone.parquet"},
		{"g_corrupt_parquet", "corrupt", "data/corrupt.parquet is not readable parquet"},
		{"i_partitioned", "events", "partitioned table folder data/events/ is not supported"},
		{"j_unknown_mode", "odd", `unknown query_mode "streaming"`},
	} {
		e := bySource[c.source]
		if e.Err != nil {
			t.Errorf("%s: unexpected Err %v", c.source, e.Err)
			continue
		}
		tb := tableByID(e, c.table)
		if tb.ID != c.table {
			t.Errorf("%s: table %s missing from %+v", c.source, c.table, e.Tables)
			continue
		}
		if !strings.HasPrefix(tb.Status, c.wantStatus) {
			t.Errorf("%s.%s: Status = %q, want prefix %q", c.source, c.table, tb.Status, c.wantStatus)
		}
		ok := c.wantStatus == StatusOK
		if ok != (tb.Location != "") || ok != (tb.MD5 != "") || ok != (tb.RowCount == 10) {
			t.Errorf("%s.%s: Location=%q MD5=%q rows=%d do not fit status %q", c.source, c.table, tb.Location, tb.MD5, tb.RowCount, tb.Status)
		}
	}
}

func TestScanSymlinks(t *testing.T) {
	dataDir := t.TempDir()
	dir := writeSource(t, dataDir, "src", sourceFixture{
		spec: ExtractSpec{Tables: []MetaRow{
			localTable("real", 10), localTable("alias", 10), localTable("escape", 10),
			localTable("sibling", 10), localTable("dangling", 10),
		}},
		parquet: map[string]string{"real": tenRows, "alias": tenRows, "escape": tenRows, "sibling": tenRows, "dangling": tenRows},
	})
	// A valid parquet file outside the extract, and one beside data/.
	outside := filepath.Join(t.TempDir(), "secret.parquet")
	if err := WriteParquetAtomic(context.Background(), memDB(t), tenRows, outside); err != nil {
		t.Fatal(err)
	}
	sibling := filepath.Join(dir, "sibling.parquet")
	if err := WriteParquetAtomic(context.Background(), memDB(t), tenRows, sibling); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, DataDir)
	for link, target := range map[string]string{
		"alias.parquet":    "real.parquet", // relative, stays inside data/
		"escape.parquet":   outside,
		"sibling.parquet":  "../sibling.parquet",
		"dangling.parquet": "nowhere.parquet",
	} {
		removeFile(t, filepath.Join(data, link))
		if err := os.Symlink(target, filepath.Join(data, link)); err != nil {
			t.Fatal(err)
		}
	}

	e := scanOne(t, dataDir)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	realFile := realPath(t, filepath.Join(data, "real.parquet"))
	for _, c := range []struct {
		table, wantStatus, wantLocation string
	}{
		{"real", StatusOK, realFile},
		{"alias", StatusOK, realFile},
		{"escape", "data/escape.parquet resolves outside the extract's data folder", ""},
		{"sibling", "data/sibling.parquet resolves outside the extract's data folder", ""},
		{"dangling", "data/dangling.parquet: broken symlink", ""},
	} {
		tb := tableByID(e, c.table)
		if tb.Status != c.wantStatus || tb.Location != c.wantLocation {
			t.Errorf("%s: Status=%q Location=%q, want %q %q", c.table, tb.Status, tb.Location, c.wantStatus, c.wantLocation)
		}
	}
}

// A data folder that is itself a symlink (to a bigger disk) is followed:
// the files are inside its target.
func TestScanSymlinkedDataFolder(t *testing.T) {
	dataDir := t.TempDir()
	disk := filepath.Join(t.TempDir(), "disk")
	if err := WriteParquetAtomic(context.Background(), memDB(t), tenRows, filepath.Join(disk, "t.parquet")); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(dataDir, ExtractsDir, "src")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(disk, filepath.Join(dir, DataDir)); err != nil {
		t.Fatal(err)
	}
	if err := WriteExtractDB(context.Background(), dir, ExtractSpec{Tables: []MetaRow{localTable("t", 10)}}); err != nil {
		t.Fatal(err)
	}
	e := scanOne(t, dataDir)
	tb := tableByID(e, "t")
	if e.Err != nil || tb.Status != StatusOK || tb.RowCount != 10 || tb.Location != realPath(t, filepath.Join(disk, "t.parquet")) {
		t.Fatalf("extract = %+v", e)
	}
}

func TestScanTableNames(t *testing.T) {
	dataDir := t.TempDir()
	// The file is named as _meta spells the table; the id is lower case.
	dir := filepath.Join(dataDir, ExtractsDir, "src")
	if err := WriteParquetAtomic(context.Background(), memDB(t), tenRows, filepath.Join(dir, DataDir, "Mixed_Case.parquet")); err != nil {
		t.Fatal(err)
	}
	writeRawExtractDB(t, dir, "CREATE TABLE _meta (table_name VARCHAR NOT NULL, query_mode VARCHAR)",
		`INSERT INTO _meta VALUES ('Mixed_Case', 'local'), ('mixed_case', 'local'), ('bad-name', 'local'),
			('1starts_with_digit', NULL), ('_meta', NULL), ('', NULL), ('../escape', NULL)`)
	e := scanOne(t, dataDir)
	if e.Err != nil {
		t.Fatal(e.Err)
	}
	if len(e.Tables) != 1 || e.Tables[0].ID != "mixed_case" || e.Tables[0].Name != "mixed_case" || e.Tables[0].Status != StatusOK {
		t.Fatalf("tables = %+v", e.Tables)
	}
	want := []SkippedTable{
		{"mixed_case", "duplicate table name in _meta"},
		{"bad-name", "invalid table name: must match ^[a-z_][a-z0-9_]*$"},
		{"1starts_with_digit", "invalid table name: must match ^[a-z_][a-z0-9_]*$"},
		{"_meta", "reserved name of the extract contract"},
		{"", "invalid table name: must match ^[a-z_][a-z0-9_]*$"},
		{"../escape", "invalid table name: must match ^[a-z_][a-z0-9_]*$"},
	}
	if !reflect.DeepEqual(e.Skipped, want) {
		t.Fatalf("Skipped = %+v\nwant      %+v", e.Skipped, want)
	}
}

func TestScanDuplicateIDsAcrossSources(t *testing.T) {
	dataDir := t.TempDir()
	for _, src := range []string{"beta", "alpha"} {
		writeSource(t, dataDir, src, sourceFixture{
			spec:    ExtractSpec{Tables: []MetaRow{localTable("shared", 10), localTable("only_"+src, 10)}},
			parquet: map[string]string{"shared": tenRows, "only_" + src: tenRows},
		})
	}
	exts, err := ScanExtracts(context.Background(), dataDir)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(e Extract) []string {
		var out []string
		for _, tb := range e.Tables {
			out = append(out, tb.ID)
		}
		return out
	}
	if len(exts) != 2 || !reflect.DeepEqual(ids(exts[0]), []string{"only_alpha", "shared"}) ||
		!reflect.DeepEqual(ids(exts[1]), []string{"only_beta"}) {
		t.Fatalf("tables: %v / %v", ids(exts[0]), ids(exts[1]))
	}
	want := []SkippedTable{{"shared", `table "shared" is already provided by source "alpha"`}}
	if !reflect.DeepEqual(exts[1].Skipped, want) {
		t.Fatalf("beta Skipped = %+v", exts[1].Skipped)
	}
}

// The parquet file is the truth for row count and size; _meta's claims are
// only used for remote tables, which have no file.
func TestScanTrustsFileOverMeta(t *testing.T) {
	dataDir := t.TempDir()
	extractedAt := time.Date(2025, 6, 1, 12, 30, 0, 0, time.UTC)
	writeSource(t, dataDir, "src", sourceFixture{
		spec: ExtractSpec{Tables: []MetaRow{{
			TableName: "t", Description: "claims", Rows: 5, SizeBytes: 1, ExtractedAt: extractedAt, QueryMode: "materialized",
		}}},
		parquet: map[string]string{"t": tenRows},
	})
	tb := tableByID(scanOne(t, dataDir), "t")
	st, err := os.Stat(tb.Location)
	if err != nil {
		t.Fatal(err)
	}
	if tb.RowCount != 10 || tb.SizeBytes != st.Size() || tb.QueryMode != catalog.ModeMaterialized ||
		!tb.UpdatedAt.Equal(extractedAt) || tb.Description != "claims" {
		t.Fatalf("table = %+v", tb)
	}
	wantCols := []catalog.Column{{Name: "id", Type: "BIGINT"}, {Name: "label", Type: "VARCHAR"}}
	if !reflect.DeepEqual(tb.Columns, wantCols) {
		t.Fatalf("columns = %v", tb.Columns)
	}
}

func TestScanRemoteSource(t *testing.T) {
	dataDir := t.TempDir()
	remote := []RemoteAttach{{Alias: "bq", Extension: "bigquery", URL: "project=acme", TokenEnv: ""}}
	writeSource(t, dataDir, "warehouse", sourceFixture{spec: ExtractSpec{
		SourceType: "bigquery",
		Tables: []MetaRow{
			{TableName: "events", Description: "all events", Rows: 123, SizeBytes: 456, QueryMode: "remote"},
			localTable("daily", 10),
		},
		Remote: remote,
	}, parquet: map[string]string{"daily": tenRows}})

	e := scanOne(t, dataDir)
	if e.Err != nil || !reflect.DeepEqual(e.Remote, remote) {
		t.Fatalf("extract = %+v", e)
	}
	ev := tableByID(e, "events")
	if ev.Status != StatusOK || ev.QueryMode != catalog.ModeRemote || ev.SourceType != "bigquery" || ev.Location != "" ||
		ev.MD5 != "" || ev.RowCount != 123 || ev.SizeBytes != 456 || ev.UpdatedAt.IsZero() {
		t.Fatalf("remote table = %+v", ev)
	}
	if d := tableByID(e, "daily"); d.Status != StatusOK || d.SourceType != "bigquery" || d.Location == "" {
		t.Fatalf("local table of remote source = %+v", d)
	}
}

// An extract from a connector that writes only the required _meta column
// and no _source still registers: defaults fill the rest.
func TestScanMinimalMeta(t *testing.T) {
	dataDir := t.TempDir()
	dir := filepath.Join(dataDir, ExtractsDir, "csv_drop")
	if err := WriteParquetAtomic(context.Background(), memDB(t), tenRows, filepath.Join(dir, DataDir, "t.parquet")); err != nil {
		t.Fatal(err)
	}
	mtime := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	if err := os.Chtimes(filepath.Join(dir, DataDir, "t.parquet"), mtime, mtime); err != nil {
		t.Fatal(err)
	}
	writeRawExtractDB(t, dir, "CREATE TABLE _meta (table_name VARCHAR NOT NULL)", "INSERT INTO _meta VALUES ('t')")
	tb := tableByID(scanOne(t, dataDir), "t")
	if tb.Status != StatusOK || tb.SourceType != "csv_drop" || tb.QueryMode != catalog.ModeLocal ||
		!tb.UpdatedAt.Equal(mtime) || tb.RowCount != 10 || tb.Description != "" {
		t.Fatalf("table = %+v", tb)
	}
}

// The scan opens extract.duckdb read-only: the file's bytes and time stay
// the same and no write-ahead log or lock file appears.
func TestScanNeverModifiesExtract(t *testing.T) {
	dataDir := t.TempDir()
	dir := writeSource(t, dataDir, "src", sourceFixture{
		spec:    ExtractSpec{Tables: []MetaRow{localTable("t", 10)}},
		parquet: map[string]string{"t": tenRows},
	})
	dbFile := filepath.Join(dir, ExtractFile)
	old := time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)
	if err := os.Chtimes(dbFile, old, old); err != nil {
		t.Fatal(err)
	}
	before, err := FileDigests(dbFile)
	if err != nil {
		t.Fatal(err)
	}
	listing := func() []string {
		var names []string
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			names = append(names, path)
			return err
		})
		return names
	}
	filesBefore := listing()
	for range 2 {
		if e := scanOne(t, dataDir); e.Err != nil || tableByID(e, "t").Status != StatusOK {
			t.Fatalf("extract = %+v", e)
		}
	}
	after, err := FileDigests(dbFile)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(dbFile)
	if err != nil {
		t.Fatal(err)
	}
	if after != before || !st.ModTime().Equal(old) {
		t.Fatalf("extract.duckdb changed: md5 %s → %s, mtime %v", before, after, st.ModTime())
	}
	if filesAfter := listing(); !reflect.DeepEqual(filesBefore, filesAfter) {
		t.Fatalf("files changed:\n%v\n%v", filesBefore, filesAfter)
	}
}

func TestScanExtractsWithReusesFingerprints(t *testing.T) {
	ctx := context.Background()
	dataDir := t.TempDir()
	writeSource(t, dataDir, "src", sourceFixture{
		spec:    ExtractSpec{Tables: []MetaRow{localTable("t", 10)}},
		parquet: map[string]string{"t": tenRows},
	})
	first, err := ScanExtracts(ctx, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	tb := tableByID(first[0], "t")
	fps := Fingerprints(first)
	fp, ok := fps[tb.Location]
	if !ok || fp.MD5 != tb.MD5 || len(fps) != 1 {
		t.Fatalf("fingerprints = %+v, table = %+v", fps, tb)
	}

	if fp.SHA256 != tb.SHA256 || len(tb.SHA256) != 64 {
		t.Fatalf("sha256: fingerprint %q, table %q", fp.SHA256, tb.SHA256)
	}

	planted := Digests{MD5: "00000000000000000000000000000000", SHA256: strings.Repeat("0", 64)}
	for _, c := range []struct {
		name string
		fp   FileFingerprint
		want Digests
	}{
		{"size and mtime match: planted digests are reused", FileFingerprint{Size: fp.Size, ModTime: fp.ModTime, Digests: planted}, planted},
		{"mtime differs: file is re-hashed", FileFingerprint{Size: fp.Size, ModTime: fp.ModTime.Add(-time.Second), Digests: planted}, fp.Digests},
		{"size differs: file is re-hashed", FileFingerprint{Size: fp.Size + 1, ModTime: fp.ModTime, Digests: planted}, fp.Digests},
		{"empty md5 is not reused", FileFingerprint{Size: fp.Size, ModTime: fp.ModTime, Digests: Digests{SHA256: planted.SHA256}}, fp.Digests},
		// A fingerprint from before sha256 was kept.
		{"missing sha256: file is re-hashed", FileFingerprint{Size: fp.Size, ModTime: fp.ModTime, Digests: Digests{MD5: planted.MD5}}, fp.Digests},
	} {
		t.Run(c.name, func(t *testing.T) {
			exts, err := ScanExtractsWith(ctx, dataDir, map[string]FileFingerprint{tb.Location: c.fp})
			if err != nil {
				t.Fatal(err)
			}
			got := tableByID(exts[0], "t")
			if got.MD5 != c.want.MD5 || got.SHA256 != c.want.SHA256 || exts[0].Fingerprints[tb.Location].Digests != c.want {
				t.Fatalf("table %s/%s (fingerprint %+v), want %+v", got.MD5, got.SHA256, exts[0].Fingerprints[tb.Location], c.want)
			}
		})
	}
}

func TestScanWithoutExtractsFolder(t *testing.T) {
	exts, err := ScanExtracts(context.Background(), t.TempDir())
	if err != nil || exts != nil {
		t.Fatalf("ScanExtracts on an empty data dir = %v, %v; want nil, nil", exts, err)
	}
}

func TestScanCancelled(t *testing.T) {
	dataDir := t.TempDir()
	writeSource(t, dataDir, "src", sourceFixture{
		spec:    ExtractSpec{Tables: []MetaRow{localTable("t", 10)}},
		parquet: map[string]string{"t": tenRows},
	})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ScanExtracts(ctx, dataDir); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}
