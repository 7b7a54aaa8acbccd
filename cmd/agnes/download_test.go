package main

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/keboola/agnes/client"
)

func TestCopyHashing(t *testing.T) {
	data := bytes.Repeat([]byte("agnes parquet bytes "), 200_000) // 4 MB: several buffers
	sum := md5.Sum(data)
	cases := []struct {
		name    string
		src     io.Reader
		want    int64
		wantErr error
	}{
		{"whole", bytes.NewReader(data), int64(len(data)), nil},
		{"small reads", iotest.HalfReader(bytes.NewReader(data)), int64(len(data)), nil},
		{"cut connection", io.MultiReader(bytes.NewReader(data[:3<<20]), iotest.ErrReader(io.ErrUnexpectedEOF)), 3 << 20, io.ErrUnexpectedEOF},
		{"empty", strings.NewReader(""), 0, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var dst bytes.Buffer
			h := md5.New()
			var progress int64
			n, err := copyHashing(&dst, h, c.src, func(k int64) { progress += k })
			if n != c.want || !errors.Is(err, c.wantErr) && err != c.wantErr || progress != c.want || int64(dst.Len()) != c.want {
				t.Fatalf("n=%d err=%v progress=%d written=%d, want %d %v", n, err, progress, dst.Len(), c.want, c.wantErr)
			}
			if !bytes.Equal(dst.Bytes(), data[:c.want]) {
				t.Fatal("written bytes differ from the source")
			}
			want := md5.Sum(data[:c.want])
			if c.want == int64(len(data)) {
				want = sum
			}
			if !bytes.Equal(h.Sum(nil), want[:]) {
				t.Fatal("md5 of the copy is wrong")
			}
		})
	}

	// A failing write stops the copy instead of reading the rest.
	long := bytes.Repeat(data, 8)
	src := &countingReader{r: bytes.NewReader(long)}
	_, err := copyHashing(failingWriter{}, md5.New(), src, nil)
	if err == nil || !strings.Contains(err.Error(), "disk full") || src.n >= int64(len(long)) {
		t.Fatalf("write failure: err=%v, read %d of %d", err, src.n, len(long))
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// BenchmarkCopyHashing measures the download copy loop (file write and
// digest: sha256, what a download is verified against, and md5, for
// servers that send no sha256) from memory into a file under the temp dir
// (TMPDIR=/dev/shm takes the disk out).
func BenchmarkCopyHashing(b *testing.B) {
	data := make([]byte, 256<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, c := range []struct {
		name string
		h    func() hash.Hash
	}{{"sha256", sha256.New}, {"md5", md5.New}} {
		b.Run(c.name, func(b *testing.B) {
			f, err := os.Create(filepath.Join(b.TempDir(), "copy.bin"))
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				f.Seek(0, io.SeekStart)
				if _, err := copyHashing(f, c.h(), bytes.NewReader(data), nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDigest is the speed of each digest alone on this CPU.
func BenchmarkDigest(b *testing.B) {
	data := make([]byte, 1<<20)
	for _, c := range []struct {
		name string
		h    func() hash.Hash
	}{{"sha256", sha256.New}, {"md5", md5.New}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			h := c.h()
			for b.Loop() {
				h.Write(data)
			}
		})
	}
}

// TestFetchVerifies: a download is checked against the manifest's SHA-256
// when it has one and against its MD5 otherwise (servers from before the
// SHA-256); a mismatch of either leaves nothing in place, a match renames
// the file in.
func TestFetchVerifies(t *testing.T) {
	body := bytes.Repeat([]byte("parquet bytes "), 300_000) // several copy buffers
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", r.URL.Query().Get("etag"))
		http.ServeContent(w, r, "t.parquet", time.Time{}, bytes.NewReader(body))
	}))
	defer srv.Close()
	md5Sum, shaSum := md5.Sum(body), sha256.Sum256(body)
	goodMD5, goodSHA := hex.EncodeToString(md5Sum[:]), hex.EncodeToString(shaSum[:])
	badMD5, badSHA := strings.Repeat("0", 32), strings.Repeat("0", 64)

	for _, c := range []struct {
		name, md5, sha string
		wantErr        string // "" for success
	}{
		{"sha256 checked", goodMD5, goodSHA, ""},
		{"sha256 mismatch", goodMD5, badSHA, "sha256 of the downloaded file is " + goodSHA},
		// The SHA-256 is what is checked when present: a wrong md5 next to
		// a right SHA-256 is the table's identity, not its content.
		{"md5 only, checked", goodMD5, "", ""},
		{"md5 only, mismatch", badMD5, "", "md5 of the downloaded file is " + goodMD5},
	} {
		t.Run(c.name, func(t *testing.T) {
			ws, err := openWorkspace(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(ws.dataDir(), 0o755); err != nil {
				t.Fatal(err)
			}
			f := &fetcher{api: client.New(srv.URL, "token"), ws: ws}
			tb := client.ManifestTable{ID: "t", MD5: c.md5, SHA256: c.sha, SizeBytes: int64(len(body)),
				URL: "/data?etag=" + url.QueryEscape(`"`+c.md5+`"`)}
			res, err := f.fetch(context.Background(), tb)
			if res.transferred != int64(len(body)) {
				t.Fatalf("transferred %d of %d", res.transferred, len(body))
			}
			got, rerr := os.ReadFile(ws.parquetPath("t"))
			if c.wantErr == "" {
				if err != nil || rerr != nil || !bytes.Equal(got, body) {
					t.Fatalf("fetch: %v; file: %v, %d bytes", err, rerr, len(got))
				}
				return
			}
			var bad *checksumError
			if !errors.As(err, &bad) || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("fetch error %v, want %q", err, c.wantErr)
			}
			if rerr == nil {
				t.Fatal("a download that failed verification was put in place")
			}
			if left, _ := os.ReadDir(ws.dataDir()); len(left) != 0 {
				t.Fatalf("a rejected download left %v", left)
			}
		})
	}
}
