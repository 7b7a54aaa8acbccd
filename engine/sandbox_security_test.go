package engine

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/keboola/agnes/pgerr"
)

// confinedSandbox is a sandbox granted one parquet file in a directory that
// also holds files it must not reach.
type confinedSandbox struct {
	s        *Sandbox
	cfg      Config
	dataDir  string
	granted  string
	secrets  []string // markers that must never appear in any answer
	otherDB  string
	bakFile  string
	csvFile  string
	secretPQ string
}

func newConfinedSandbox(t *testing.T) *confinedSandbox {
	t.Helper()
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cs := &confinedSandbox{
		dataDir:  data,
		granted:  filepath.Join(data, "granted.parquet"),
		secretPQ: filepath.Join(data, "secret.parquet"),
		bakFile:  filepath.Join(data, "granted.parquet.bak"),
		csvFile:  filepath.Join(data, "secret.csv"),
		otherDB:  filepath.Join(dir, "other.duckdb"),
		secrets:  []string{"TOPSECRET", "BAKSECRET", "CSVSECRET", "DBSECRET"},
	}
	duckdbExec(t, "CREATE TABLE x AS SELECT 1") // warm the driver
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	writeParquet(t, cs.granted, "SELECT 1 AS id, 'visible' AS label UNION ALL SELECT 2, 'also visible'")
	writeParquet(t, cs.secretPQ, "SELECT 'TOPSECRET' AS s")
	writeParquet(t, cs.bakFile, "SELECT 'BAKSECRET' AS s")
	duckdbExec(t,
		"COPY (SELECT 'CSVSECRET' AS s) TO "+quoteLiteral(cs.csvFile)+" (FORMAT csv)",
		"ATTACH "+quoteLiteral(cs.otherDB)+" AS other",
		"CREATE TABLE other.s AS SELECT 'DBSECRET' AS s",
		"DETACH other",
	)
	cs.cfg = testConfig(t)
	s, err := NewSandbox(cs.cfg, []TableFile{{Schema: "public", Name: "granted", Path: cs.granted}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	cs.s = s
	return cs
}

// TestSandboxConfinesRawSQL runs SQL straight on a sandbox, as if the planner
// had been bypassed, and checks that nothing outside the grant is reachable.
func TestSandboxConfinesRawSQL(t *testing.T) {
	cs := newConfinedSandbox(t)
	c := mustConn(t, cs.s)
	q := quoteLiteral
	if err := c.Exec(context.Background(), "CREATE TEMP TABLE scratch (s VARCHAR)"); err != nil {
		t.Fatal(err)
	}
	spill := filepath.Join(cs.s.dir, "spill")
	catalog := filepath.Join(cs.s.dir, catalogFile)
	grantedBefore, catalogBefore := fileDigest(t, cs.granted), fileDigest(t, catalog)

	const denied = pgerr.InsufficientPrivilege
	const readOnly = pgerr.ReadOnlySQLTransaction
	cases := []struct {
		name  string
		sql   string
		codes []string // acceptable SQLSTATEs
	}{
		{"read_parquet ungranted file in same dir", "SELECT * FROM read_parquet(" + q(cs.secretPQ) + ")", []string{denied}},
		{"replacement scan of ungranted file", "SELECT * FROM " + q(cs.secretPQ), []string{denied}},
		{"replacement scan, FROM-first", "FROM " + q(cs.secretPQ), []string{denied}},
		{"glob pattern over data dir", "SELECT * FROM read_parquet(" + q(cs.dataDir+"/*.parquet") + ")", []string{denied}},
		{"list with granted and ungranted", "SELECT * FROM read_parquet([" + q(cs.granted) + ", " + q(cs.secretPQ) + "])", []string{denied}},
		{"granted path as prefix", "SELECT * FROM read_parquet(" + q(cs.bakFile) + ")", []string{denied}},
		{"dot-dot through granted file", "SELECT * FROM read_parquet(" + q(cs.granted+"/../secret.parquet") + ")", []string{denied}},
		{"dot-dot through data dir", "SELECT * FROM read_parquet(" + q(cs.dataDir+"/../data/secret.parquet") + ")", []string{denied}},
		{"file URL", "SELECT * FROM read_parquet(" + q("file://"+cs.secretPQ) + ")", []string{denied}},
		{"http URL", "SELECT * FROM read_parquet('http://127.0.0.1:9/x.parquet')", []string{denied}},
		{"read_csv ungranted csv", "SELECT * FROM read_csv(" + q(cs.csvFile) + ")", []string{denied}},
		{"read_csv /etc/passwd", "SELECT * FROM read_csv('/etc/passwd')", []string{denied}},
		{"read_text /etc/passwd", "SELECT * FROM read_text('/etc/passwd')", []string{denied}},
		{"read_blob /etc/passwd", "SELECT * FROM read_blob('/etc/passwd')", []string{denied}},
		{"read_json /etc/passwd", "SELECT * FROM read_json('/etc/passwd')", []string{denied}},
		{"sniff_csv /etc/passwd", "SELECT * FROM sniff_csv('/etc/passwd')", []string{denied}},
		{"proc environ", "SELECT * FROM read_csv('/proc/self/environ')", []string{denied}},
		{"glob data dir", "SELECT * FROM glob(" + q(cs.dataDir+"/*") + ")", []string{denied}},
		{"glob root", "SELECT * FROM glob('/*')", []string{denied}},
		{"parquet_metadata ungranted", "SELECT * FROM parquet_metadata(" + q(cs.secretPQ) + ")", []string{denied}},
		{"parquet_schema ungranted", "SELECT * FROM parquet_schema(" + q(cs.secretPQ) + ")", []string{denied}},
		{"query_table on a path", "SELECT * FROM query_table(" + q(cs.secretPQ) + ")", []string{denied}},
		{"dynamic SQL via query()", "SELECT * FROM query(" + q("SELECT * FROM read_parquet("+q(cs.secretPQ)+")") + ")", []string{denied}},
		{"read_duckdb other db", "SELECT * FROM read_duckdb(" + q(cs.otherDB) + ")", []string{denied}},
		{"replacement scan other db", "SELECT * FROM " + q(cs.otherDB), []string{denied}},
		{"ATTACH other db", "ATTACH " + q(cs.otherDB) + " AS o", []string{denied, readOnly}},
		{"ATTACH other db read-only", "ATTACH " + q(cs.otherDB) + " AS o (READ_ONLY)", []string{denied, readOnly}},
		{"ATTACH in-memory db", "ATTACH ':memory:' AS m", []string{denied, readOnly}},
		{"COPY TO data dir", "COPY (SELECT 1) TO " + q(cs.dataDir+"/out.csv"), []string{denied}},
		{"COPY view over granted file", "COPY granted TO " + q(cs.granted), []string{denied}},
		{"COPY FROM ungranted csv into a temp table", "COPY scratch FROM " + q(cs.csvFile), []string{denied}},
		{"EXPORT DATABASE", "EXPORT DATABASE " + q(cs.dataDir+"/export"), []string{denied}},
		{"IMPORT DATABASE", "IMPORT DATABASE " + q(cs.dataDir), []string{denied, readOnly}},
		{"SET enable_external_access", "SET enable_external_access = true", []string{denied}},
		{"RESET enable_external_access", "RESET enable_external_access", []string{denied}},
		{"SET allowed_paths", "SET allowed_paths = [" + q(cs.secretPQ) + "]", []string{denied}},
		{"SET allowed_directories", "SET allowed_directories = ['/']", []string{denied}},
		{"SET lock_configuration", "SET lock_configuration = false", []string{denied}},
		{"RESET lock_configuration", "RESET lock_configuration", []string{denied}},
		{"SET memory_limit", "SET memory_limit = '100GB'", []string{denied}},
		{"SET threads", "SET threads = 64", []string{denied}},
		{"PRAGMA threads", "PRAGMA threads = 64", []string{denied}},
		{"SET temp_directory", "SET temp_directory = " + q(cs.dataDir), []string{denied}},
		{"SET max_temp_directory_size", "SET max_temp_directory_size = '1TB'", []string{denied}},
		{"SET autoload", "SET autoload_known_extensions = true", []string{denied}},
		{"SET autoinstall", "SET autoinstall_known_extensions = true", []string{denied}},
		{"SET community extensions", "SET allow_community_extensions = true", []string{denied}},
		{"SET unsigned extensions", "SET allow_unsigned_extensions = true", []string{denied}},
		{"SET disabled_filesystems", "SET disabled_filesystems = ''", []string{denied}},
		{"SET GLOBAL external access", "SET GLOBAL enable_external_access = true", []string{denied}},
		{"RESET ALL", "RESET ALL", []string{pgerr.FeatureNotSupported, denied}},
		{"INSTALL extension", "INSTALL httpfs", []string{denied}},
		{"LOAD extension", "LOAD httpfs", []string{denied}},
		{"LOAD extension file", "LOAD " + q(cs.dataDir+"/x.duckdb_extension"), []string{denied}},
		{"CREATE SECRET", "CREATE SECRET s1 (TYPE s3, KEY_ID 'a', SECRET 'b')", []string{pgerr.FeatureNotSupported, denied}},
		{"CREATE PERSISTENT SECRET", "CREATE PERSISTENT SECRET s2 (TYPE s3, KEY_ID 'a', SECRET 'b')", []string{pgerr.FeatureNotSupported, denied, pgerr.InvalidParameterValue}},
		{"CREATE VIEW over ungranted file", "CREATE VIEW v AS SELECT * FROM read_parquet(" + q(cs.secretPQ) + ")", []string{readOnly, denied}},
		{"replace granted view", "CREATE OR REPLACE VIEW granted AS SELECT 'forged' AS label", []string{readOnly}},
		{"DROP granted view", "DROP VIEW granted", []string{readOnly}},
		{"CREATE TABLE", "CREATE TABLE t AS SELECT 1", []string{readOnly}},
		{"CREATE MACRO", "CREATE MACRO m(a) AS a", []string{readOnly}},
		{"CREATE SCHEMA", "CREATE SCHEMA s", []string{readOnly}},
		{"overwrite granted file, csv without temp file", "COPY (SELECT 'x') TO " + q(cs.granted) + " (FORMAT csv, USE_TMP_FILE false)", []string{denied}},
		{"overwrite granted file, parquet without temp file", "COPY (SELECT 'x') TO " + q(cs.granted) + " (FORMAT parquet, USE_TMP_FILE false)", []string{denied}},
		{"overwrite granted file inside EXPLAIN ANALYZE", "EXPLAIN ANALYZE COPY (SELECT 'x') TO " + q(cs.granted) + " (FORMAT csv, USE_TMP_FILE false)", []string{denied}},
		{"overwrite granted file inside EXPLAIN (ANALYZE)", "EXPLAIN (ANALYZE) COPY (SELECT 'x') TO " + q(cs.granted) + " (FORMAT csv, USE_TMP_FILE false)", []string{denied, pgerr.SyntaxError}},
		{"overwrite granted file via PREPARE", "PREPARE p AS COPY (SELECT 'x') TO " + q(cs.granted) + " (FORMAT csv, USE_TMP_FILE false)", []string{denied}},
		{"overwrite the sandbox catalog", "COPY (SELECT 'x') TO " + q(catalog) + " (FORMAT csv, USE_TMP_FILE false)", []string{denied}},
		{"write the catalog WAL", "COPY (SELECT 'x') TO " + q(catalog+".wal") + " (FORMAT csv, USE_TMP_FILE false)", []string{denied}},
		{"ATTACH the granted file", "ATTACH " + q(cs.granted) + " AS g", []string{denied}},
		{"ATTACH a new file next to the catalog", "ATTACH " + q(catalog+".wal.recovery") + " AS w (READ_WRITE)", []string{denied}},
		{"PRAGMA", "PRAGMA enable_profiling", []string{denied}},
		{"write ungranted data into the spill dir", "COPY (SELECT * FROM read_parquet(" + q(cs.secretPQ) + ")) TO " + q(spill+"/x.parquet"), []string{denied}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := rows(c, tc.sql)
			if err == nil {
				t.Fatalf("allowed; got %v", out)
			}
			if code := sqlState(err); !slices.Contains(tc.codes, code) {
				t.Errorf("SQLSTATE %q, want one of %v: %v", code, tc.codes, err)
			}
			msg := err.Error()
			if pe, ok := pgerr.As(err); ok {
				msg += pe.Detail + pe.Hint
			}
			if strings.Contains(msg, cs.dataDir) || strings.Contains(msg, cs.s.dir) {
				t.Errorf("error names a data path: %v", err)
			}
			for _, secret := range cs.secrets {
				if strings.Contains(msg, secret) {
					t.Errorf("error leaks %s: %v", secret, err)
				}
			}
		})
	}

	// Defence in depth: DuckDB's own configuration refuses the same cases
	// when the engine's statement gate is bypassed — except these, which only
	// the gate stops (allowed_paths cannot tell reading from writing, and
	// PRAGMA/PREPARE are not file access).
	gateOnly := map[string]bool{
		"overwrite granted file, csv without temp file":     true,
		"overwrite granted file, parquet without temp file": true,
		"overwrite granted file inside EXPLAIN ANALYZE":     true,
		"overwrite granted file inside EXPLAIN (ANALYZE)":   true,
		"overwrite granted file via PREPARE":                true,
		"overwrite the sandbox catalog":                     true,
		"write the catalog WAL":                             true,
		"PRAGMA":                                            true,
	}
	for _, tc := range cases {
		if gateOnly[tc.name] {
			continue
		}
		if err := execUngated(c, tc.sql); err == nil {
			t.Errorf("%s: DuckDB allowed it without the statement gate", tc.name)
		}
	}

	// Nothing was written or overwritten, and the session still works.
	if fileDigest(t, cs.granted) != grantedBefore {
		t.Error("the granted data file was modified")
	}
	if fileDigest(t, catalog) != catalogBefore {
		t.Error("the sandbox catalog file was modified")
	}
	for _, p := range []string{cs.dataDir + "/out.csv", cs.dataDir + "/export", spill + "/x.parquet"} {
		if exists(p) {
			t.Errorf("%s was created", p)
		}
	}
	got := mustRows(t, c, "SELECT id, label FROM granted ORDER BY id")
	want := [][]string{{"1", "visible"}, {"2", "also visible"}}
	if !slices.EqualFunc(got, want, slices.Equal[[]string]) {
		t.Errorf("granted view: got %v, want %v", got, want)
	}
	if got := mustRows(t, c, "SELECT count(*) FROM main.granted"); got[0][0] != "2" {
		t.Errorf("granted view as main.granted (public maps to main): got %v", got)
	}
	if got := mustRows(t, c, "SELECT count(*) FROM read_parquet("+q(cs.granted)+")"); got[0][0] != "2" {
		t.Errorf("read_parquet on the granted file: got %v", got)
	}
}

// TestSandboxSettingsAreSealed checks the effective DuckDB configuration and
// that duckdb_settings() names no path beyond the grant and the sandbox.
func TestSandboxSettingsAreSealed(t *testing.T) {
	cs := newConfinedSandbox(t)
	c := mustConn(t, cs.s)

	settings := map[string]string{}
	for _, r := range mustRows(t, c, "SELECT name, value FROM duckdb_settings()") {
		settings[r[0]] = r[1]
	}
	want := map[string]string{
		"enable_external_access":       "false",
		"lock_configuration":           "true",
		"autoload_known_extensions":    "false",
		"autoinstall_known_extensions": "false",
		"allow_community_extensions":   "false",
		"allow_unsigned_extensions":    "false",
		"allow_persistent_secrets":     "false",
		"access_mode":                  "read_only",
		"threads":                      "2",
		"integer_division":             "true",
		"TimeZone":                     "UTC",
	}
	for name, v := range want {
		if got := settings[name]; !strings.EqualFold(got, v) {
			t.Errorf("%s = %q, want %q", name, got, v)
		}
	}
	if got := settings["memory_limit"]; !strings.Contains(got, "MiB") && !strings.Contains(got, "MB") {
		t.Errorf("memory_limit = %q, want the configured 512MB", got)
	}
	if got := settings["temp_directory"]; got != filepath.Join(cs.s.dir, "spill") {
		t.Errorf("temp_directory = %q, want the sandbox spill dir under %s", got, cs.s.dir)
	}
	if filepath.Dir(cs.s.dir) != cs.cfg.TempDir {
		t.Errorf("sandbox dir %s is not under the configured TempDir", cs.s.dir)
	}

	// allowed_paths: the granted file, plus the sandbox's own catalog files.
	for _, p := range splitList(settings["allowed_paths"]) {
		if p != cs.granted && !strings.HasPrefix(p, cs.s.dir+string(filepath.Separator)) {
			t.Errorf("allowed_paths holds %q", p)
		}
	}
	if !slices.Contains(splitList(settings["allowed_paths"]), cs.granted) {
		t.Errorf("allowed_paths %q lacks the granted file", settings["allowed_paths"])
	}
	// allowed_directories: only the spill dir DuckDB adds itself; never the data dir.
	for _, d := range splitList(settings["allowed_directories"]) {
		if !strings.HasPrefix(d, cs.s.dir) {
			t.Errorf("allowed_directories holds %q", d)
		}
	}
	for name, v := range settings {
		v = strings.ReplaceAll(v, cs.granted, "")
		if strings.Contains(v, cs.dataDir) || strings.Contains(v, cs.otherDB) {
			t.Errorf("setting %s leaks a path: %q", name, v)
		}
	}
}

// fileDigest returns the SHA-256 of a file's content.
func fileDigest(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// splitList parses DuckDB's "[a, b]" list rendering.
func splitList(v string) []string {
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	if v == "" {
		return nil
	}
	parts := strings.Split(v, ", ")
	for i, p := range parts {
		parts[i] = strings.Trim(p, "'")
	}
	return parts
}
