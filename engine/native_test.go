package engine

import (
	"crypto/md5"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func fileMD5(t *testing.T, path string) (string, int64) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:]), int64(len(b))
}

func planText(t *testing.T, c *Conn, query string) string {
	t.Helper()
	var b strings.Builder
	for _, r := range mustRows(t, c, "EXPLAIN "+query) {
		b.WriteString(strings.Join(r, " "))
	}
	return b.String()
}

func TestNativeCache(t *testing.T) {
	dir := t.TempDir()
	orders := filepath.Join(dir, "orders.parquet")
	secret := filepath.Join(dir, "secret.parquet")
	writeParquet(t, orders, "SELECT range AS id, 'c' || (range % 7) AS customer FROM range(5000)")
	writeParquet(t, secret, "SELECT 'classified' AS s")
	ordersMD5, ordersSize := fileMD5(t, orders)
	secretMD5, secretSize := fileMD5(t, secret)

	cacheDir := filepath.Join(dir, "native")
	nc, err := OpenNativeCache(cacheDir, 1<<30, testConfig(t), slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	if f := nc.File(orders, ordersMD5, ordersSize); f != "" {
		t.Fatalf("native copy ready before it was built: %s", f)
	}
	nc.File(secret, secretMD5, secretSize)
	if !nc.Wait(time.Minute) {
		t.Fatal("native copies not built within a minute")
	}
	native := nc.File(orders, ordersMD5, ordersSize)
	if native != filepath.Join(cacheDir, ordersMD5+".duckdb") {
		t.Fatalf("native copy %q", native)
	}
	secretNative := nc.File(secret, secretMD5, secretSize)
	if secretNative == "" {
		t.Fatal("no native copy of the second table")
	}

	// A sandbox granted orders reads its native copy: same rows, no
	// parquet scan.
	s, err := NewSandbox(testConfig(t), []TableFile{{Schema: "public", Name: "orders", Path: orders, Native: native}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	c := mustConn(t, s)
	if got := mustRows(t, c, "SELECT count(*), sum(id), count(DISTINCT customer) FROM orders"); got[0][0] != "5000" || got[0][1] != "12497500" || got[0][2] != "7" {
		t.Errorf("rows through the native copy: %v", got)
	}
	if plan := planText(t, c, "SELECT sum(id) FROM orders"); strings.Contains(strings.ToUpper(plan), "PARQUET") {
		t.Errorf("the view still reads parquet:\n%s", plan)
	}
	// The copy of a table outside the grant is not attached and cannot be.
	for _, q := range []string{
		"SELECT * FROM agnes_native_1.t",
		"ATTACH " + quoteLiteral(secretNative) + " AS x (READ_ONLY)",
		"SELECT * FROM read_parquet(" + quoteLiteral(secret) + ")",
	} {
		if err := execUngated(c, q); err == nil {
			t.Errorf("%s: succeeded in a sandbox not granted the table", q)
		}
	}
	// Without a native copy the same sandbox reads parquet.
	p, err := NewSandbox(testConfig(t), []TableFile{{Schema: "public", Name: "orders", Path: orders}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	pc := mustConn(t, p)
	if plan := planText(t, pc, "SELECT sum(id) FROM orders"); !strings.Contains(strings.ToUpper(plan), "PARQUET") {
		t.Errorf("parquet sandbox plan does not read parquet:\n%s", plan)
	}

	// A missing copy falls back to parquet instead of failing the sandbox.
	f, err := NewSandbox(testConfig(t), []TableFile{{Schema: "public", Name: "orders", Path: orders, Native: filepath.Join(cacheDir, "missing.duckdb")}})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := mustRows(t, mustConn(t, f), "SELECT count(*) FROM orders"); got[0][0] != "5000" {
		t.Errorf("fallback to parquet: %v", got)
	}

	// A table whose file no longer matches the registry's size is not
	// copied (the copy would not hold the content its name promises).
	if got := nc.File(orders, strings.Repeat("ab", 16), ordersSize+1); got != "" {
		t.Errorf("copy for a stale registry entry: %s", got)
	}
	nc.Wait(time.Minute)
	if exists(filepath.Join(cacheDir, strings.Repeat("ab", 16)+".duckdb")) {
		t.Error("a copy was built from a file whose size differs from the registry's")
	}
	// Names that are not MD5s are never turned into paths.
	if got := nc.File(orders, "../../etc/passwd", ordersSize); got != "" {
		t.Errorf("File accepted a non-MD5 name: %s", got)
	}

	// Pruning removes copies no table uses; a reopened cache finds the
	// rest and removes leftovers of interrupted builds.
	nc.Prune(map[string]bool{ordersMD5: true})
	if exists(secretNative) || !exists(native) {
		t.Errorf("prune: secret copy exists=%t, orders copy exists=%t", exists(secretNative), exists(native))
	}
	nc.Close()
	leftover := filepath.Join(cacheDir, secretMD5+".duckdb.tmp")
	if err := os.WriteFile(leftover, []byte("partial"), 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := OpenNativeCache(cacheDir, 1<<30, testConfig(t), slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if got := again.File(orders, ordersMD5, ordersSize); got != native {
		t.Errorf("reopened cache: %q, want %q", got, native)
	}
	if exists(leftover) {
		t.Error("leftover of an interrupted build was kept")
	}
}

func TestNativeCacheSizeLimit(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.parquet")
	writeParquet(t, big, "SELECT range AS id FROM range(1000)")
	sum, size := fileMD5(t, big)
	nc, err := OpenNativeCache(filepath.Join(dir, "native"), size-1, testConfig(t), slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.File(big, sum, size)
	nc.Wait(time.Minute)
	if got := nc.File(big, sum, size); got != "" {
		t.Errorf("copied a table larger than the limit: %s", got)
	}
}
