package main

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"

	"github.com/keboola/agnes/client"
)

// fetcher downloads tables of a manifest into a workspace.
type fetcher struct {
	api *client.Client
	ws  *workspace
	// progress is told about every chunk of bytes that arrives; it is
	// called from several downloads at once.
	progress func(n int64)
}

// fetched is the outcome of one table's download.
type fetched struct {
	transferred int64 // bytes received over the network
	resumedAt   int64 // offset the (last) attempt continued from; 0 for a full download
}

// checksumError is a download whose bytes do not hash to the manifest's
// digest.
type checksumError struct{ algo, got, want string }

func (e *checksumError) Error() string {
	return fmt.Sprintf("%s of the downloaded file is %s, the manifest says %s", e.algo, e.got, e.want)
}

// verification is the digest a download is checked against: the
// manifest's SHA-256 when the server sends one, else its MD5. SHA-256 is
// the stronger check and, with the SHA instructions of current CPUs, about
// twice as fast as MD5 — fast enough that verifying costs no time over
// receiving the file on a fast link, where MD5 would be the bottleneck.
// Either way the md5 stays the table's identity (ETag, state.json).
func verification(t client.ManifestTable) (algo string, h hash.Hash, want string) {
	if t.SHA256 != "" {
		return "sha256", sha256.New(), t.SHA256
	}
	return "md5", md5.New(), t.MD5
}

// fetch downloads one table: into <table>.parquet.part, resuming what an
// earlier, interrupted pull left there; then it checks the digest (see
// verification) and only then
// renames the file into place (fsynced first), so the previous good copy
// stays until a verified new one replaces it. A resumed download whose digest
// does not match is retried once from the start: the kept prefix may be
// what was wrong.
func (f *fetcher) fetch(ctx context.Context, t client.ManifestTable) (fetched, error) {
	res, err := f.attempt(ctx, t, true)
	var bad *checksumError
	if errors.As(err, &bad) && res.resumedAt > 0 {
		again, err2 := f.attempt(ctx, t, false)
		again.transferred += res.transferred
		return again, err2
	}
	return res, err
}

func (f *fetcher) attempt(ctx context.Context, t client.ManifestTable, resume bool) (res fetched, err error) {
	part := f.ws.partPath(t.ID)
	marker := part + ".md5"
	etag := `"` + t.MD5 + `"`

	offset := int64(0)
	if resume {
		if b, rerr := os.ReadFile(marker); rerr == nil && strings.TrimSpace(string(b)) == t.MD5 {
			if fi, serr := os.Stat(part); serr == nil && fi.Size() <= t.SizeBytes {
				offset = fi.Size()
			}
		}
	}
	if offset == 0 {
		if err := os.Remove(part); err != nil && !errors.Is(err, os.ErrNotExist) {
			return res, err
		}
		// Not fsynced: losing it in a crash only costs a fresh download.
		if err := os.WriteFile(marker, []byte(t.MD5+"\n"), 0o644); err != nil {
			return res, err
		}
	}
	file, err := os.OpenFile(part, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return res, err
	}
	defer func() {
		if file != nil {
			file.Close()
		}
	}()

	algo, h, want := verification(t)
	if offset > 0 {
		// The kept prefix counts towards the md5.
		if _, err := io.CopyN(h, file, offset); err != nil {
			return res, fmt.Errorf("read the partial download: %w", err)
		}
	}
	if offset < t.SizeBytes || t.SizeBytes == 0 {
		d, err := f.api.DownloadTable(ctx, t.URL, offset, etag)
		if err != nil {
			return res, err
		}
		defer d.Body.Close()
		if d.ETag != etag || d.Size != t.SizeBytes {
			return res, errors.New("the table changed on the server during the pull: run `agnes pull` again")
		}
		if d.Offset != offset {
			// The server sent the whole file after all.
			h.Reset()
			offset = 0
		}
		if err := file.Truncate(offset); err != nil {
			return res, err
		}
		if _, err := file.Seek(offset, io.SeekStart); err != nil {
			return res, err
		}
		res.resumedAt = offset
		res.transferred, err = copyHashing(file, h, d.Body, f.progress)
		if err == nil && offset+res.transferred != t.SizeBytes {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			return res, fmt.Errorf("download interrupted after %s of %s (run `agnes pull` again to resume): %w",
				humanBytes(offset+res.transferred), humanBytes(t.SizeBytes), err)
		}
	} else {
		res.resumedAt = offset
	}

	if sum := hex.EncodeToString(h.Sum(nil)); sum != want {
		file.Close()
		file = nil
		os.Remove(part)
		os.Remove(marker)
		return res, &checksumError{algo: algo, got: sum, want: want}
	}
	if err := file.Sync(); err != nil {
		return res, err
	}
	if err := file.Close(); err != nil {
		file = nil
		return res, err
	}
	file = nil
	// The rename is made durable by pull, with one fsync of the directory
	// for all tables, before state.json records the new md5.
	if err := os.Rename(part, f.ws.parquetPath(t.ID)); err != nil {
		return res, err
	}
	os.Remove(marker)
	return res, nil
}

// copyBufferSize is large enough that a loopback or LAN download is not
// bound by the number of read calls.
const copyBufferSize = 1 << 20

// copyBuffers is how many chunks can be in flight between the stages of
// copyHashing.
const copyBuffers = 4

// copyHashing copies src to dst and into h, reporting progress. It is a
// three-stage pipeline — read from the network, write the file, hash —
// each on its own goroutine and chunks passed along in order, so that on a
// machine with two or more cores the md5 costs no wall time over a plain
// copy. A clean end of src is no error; a cut connection is (net/http
// reports a body shorter than its Content-Length as io.ErrUnexpectedEOF).
func copyHashing(dst io.Writer, h hash.Hash, src io.Reader, progress func(int64)) (int64, error) {
	free := make(chan []byte, copyBuffers)
	for range copyBuffers {
		free <- make([]byte, copyBufferSize)
	}
	toWrite := make(chan []byte, copyBuffers)
	toHash := make(chan []byte, copyBuffers)
	failed := make(chan struct{}) // closed when a write fails
	werr := make(chan error, 1)
	hashed := make(chan struct{})
	go func() {
		var err error
		for c := range toWrite {
			if err == nil {
				if _, err = dst.Write(c); err != nil {
					close(failed)
				}
			}
			toHash <- c
		}
		close(toHash)
		werr <- err
	}()
	go func() {
		for c := range toHash {
			h.Write(c)
			free <- c[:cap(c)]
		}
		close(hashed)
	}()

	var total int64
	var rerr error
	for {
		var buf []byte
		select {
		case buf = <-free:
		case <-failed:
		}
		if buf == nil {
			break
		}
		n, err := fill(src, buf)
		if n > 0 {
			toWrite <- buf[:n]
			total += int64(n)
			if progress != nil {
				progress(int64(n))
			}
		} else {
			free <- buf
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	close(toWrite)
	err := <-werr
	<-hashed
	if err != nil {
		return total, err
	}
	return total, rerr
}

// fill reads into buf until it is full or src ends; unlike io.ReadFull it
// passes io.EOF through as the clean end it is.
func fill(src io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := src.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
