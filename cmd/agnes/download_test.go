package main

import (
	"bytes"
	"crypto/md5"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
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
// md5) from memory into a file under the temp dir (TMPDIR=/dev/shm takes
// the disk out).
func BenchmarkCopyHashing(b *testing.B) {
	data := make([]byte, 256<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	f, err := os.Create(filepath.Join(b.TempDir(), "copy.bin"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f.Seek(0, io.SeekStart)
		if _, err := copyHashing(f, md5.New(), bytes.NewReader(data), nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMD5(b *testing.B) {
	data := make([]byte, 1<<20)
	b.SetBytes(int64(len(data)))
	h := md5.New()
	for b.Loop() {
		h.Write(data)
	}
}
