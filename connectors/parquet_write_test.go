package connectors

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

func countParquetRows(t *testing.T, path string) int64 {
	t.Helper()
	var n int64
	if err := memDB(t).QueryRow("SELECT count(*) FROM read_parquet(?)", path).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestWriteParquetAtomic(t *testing.T) {
	ctx := context.Background()
	db := memDB(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "new", "sub dir", "it's.parquet") // missing folders, awkward name

	if err := WriteParquetAtomic(ctx, db, "SELECT * FROM range(7);", path); err != nil {
		t.Fatal(err)
	}
	if n := countParquetRows(t, path); n != 7 {
		t.Fatalf("rows = %d, want 7", n)
	}
	var codec string
	if err := db.QueryRow("SELECT DISTINCT compression FROM parquet_metadata(?)", path).Scan(&codec); err != nil || codec != "ZSTD" {
		t.Fatalf("compression = %q (%v), want ZSTD", codec, err)
	}

	// Replacing keeps readers of the old file whole: an open handle still
	// reads the old bytes.
	old, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	oldInfo, _ := old.Stat()
	if err := WriteParquetAtomic(ctx, db, "SELECT * FROM range(3)", path); err != nil {
		t.Fatal(err)
	}
	if n := countParquetRows(t, path); n != 3 {
		t.Fatalf("rows after replace = %d, want 3", n)
	}
	if st, _ := old.Stat(); st.Size() != oldInfo.Size() {
		t.Fatalf("open handle saw the file change size")
	}

	// A failing query leaves the old file in place and no temp file behind.
	if err := WriteParquetAtomic(ctx, db, "SELECT * FROM no_such_table", path); err == nil {
		t.Fatal("want an error for a bad query")
	}
	if err := WriteParquetAtomic(ctx, db, "  ; ", path); err == nil {
		t.Fatal("want an error for an empty query")
	}
	if n := countParquetRows(t, path); n != 3 {
		t.Fatalf("rows after failed write = %d, want 3", n)
	}
	assertNoTempFiles(t, dir)
}

func TestMD5File(t *testing.T) {
	path := filepath.Join(t.TempDir(), "abc")
	writeFile(t, path, "abc")
	for _, c := range []struct {
		path, want string
		wantErr    bool
	}{
		{path, "900150983cd24fb0d6963f7d28e17f72", false}, // RFC 1321 test suite
		{path + ".missing", "", true},
	} {
		got, err := MD5File(c.path)
		if got != c.want || (err != nil) != c.wantErr {
			t.Errorf("MD5File(%s) = %q, %v; want %q, error %v", c.path, got, err, c.want, c.wantErr)
		}
	}
}
