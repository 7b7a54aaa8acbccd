package connectors

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
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

func TestFileDigests(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "abc")
	writeFile(t, small, "abc")
	// Several read chunks and a partial last one, so that buffers are
	// reused while both hashers run.
	big := make([]byte, 5*hashChunk+12345)
	for i := range big {
		big[i] = byte(i*7 + i>>13)
	}
	bigPath := filepath.Join(dir, "big")
	if err := os.WriteFile(bigPath, big, 0o644); err != nil {
		t.Fatal(err)
	}
	bigMD5, bigSHA := md5.Sum(big), sha256.Sum256(big)
	empty := filepath.Join(dir, "empty")
	writeFile(t, empty, "")
	for _, c := range []struct {
		path string
		want Digests
	}{
		// RFC 1321 and FIPS 180-2 test vectors.
		{small, Digests{"900150983cd24fb0d6963f7d28e17f72", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}},
		{empty, Digests{"d41d8cd98f00b204e9800998ecf8427e", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}},
		{bigPath, Digests{hex.EncodeToString(bigMD5[:]), hex.EncodeToString(bigSHA[:])}},
	} {
		got, err := FileDigests(c.path)
		if err != nil || got != c.want {
			t.Errorf("FileDigests(%s) = %+v, %v; want %+v", filepath.Base(c.path), got, err, c.want)
		}
	}
	if _, err := FileDigests(filepath.Join(dir, "missing")); err == nil {
		t.Error("FileDigests of a missing file: no error")
	}
}
