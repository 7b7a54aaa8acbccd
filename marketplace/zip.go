package marketplace

import (
	"archive/zip"
	"bufio"
	"compress/flate"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// zipTime is the modification time of every ZIP entry: the earliest time
// the ZIP format can express, so that identical content gives identical
// bytes.
var zipTime = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// writeZIP writes a view as a ZIP: entries in path order, fixed times, mode
// 0644 or 0755, deflated at the fastest level (a cold download waits for
// the build; plugin text still shrinks about threefold). The same view
// always gives the same bytes, for one build of Agnes: the bytes depend on
// Go's deflate implementation.
func writeZIP(w io.Writer, v *view, src *objectSources) error {
	zw := zip.NewWriter(w)
	zw.RegisterCompressor(zip.Deflate, newPooledDeflater)
	for _, f := range v.Files {
		hdr := &zip.FileHeader{Name: f.Path, Method: zip.Deflate, Modified: zipTime}
		hdr.SetMode(os.FileMode(f.mode()))
		fw, err := zw.CreateHeader(hdr)
		if err != nil {
			return err
		}
		r, err := src.open(f)
		if err != nil {
			return err
		}
		_, err = io.Copy(fw, r)
		r.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", f.Path, err)
		}
	}
	return zw.Close()
}

// deflaters are reused across entries and ZIPs: a flate.Writer holds about
// a megabyte of state, and a view has thousands of entries.
var deflaters sync.Pool

func newPooledDeflater(out io.Writer) (io.WriteCloser, error) {
	if fw, ok := deflaters.Get().(*flate.Writer); ok {
		fw.Reset(out)
		return &pooledDeflater{fw: fw}, nil
	}
	fw, err := flate.NewWriter(out, flate.BestSpeed)
	if err != nil {
		return nil, err
	}
	return &pooledDeflater{fw: fw}, nil
}

// pooledDeflater returns its flate.Writer to the pool on Close.
type pooledDeflater struct{ fw *flate.Writer }

func (d *pooledDeflater) Write(p []byte) (int, error) { return d.fw.Write(p) }

func (d *pooledDeflater) Close() error {
	err := d.fw.Close()
	deflaters.Put(d.fw)
	d.fw = nil
	return err
}

// zipCache keeps built ZIPs on disk by ETag, so a second download of the
// same content (another user, or a client without If-None-Match) is a file
// copy.
type zipCache struct {
	dir    string
	flight flightGroup
}

func (z *zipCache) path(etag string) string { return filepath.Join(z.dir, etag+".zip") }

// get returns the path of the view's ZIP, building it when absent.
func (z *zipCache) get(v *view, open func() *objectSources) (string, error) {
	p := z.path(v.ETag)
	if _, err := os.Stat(p); err == nil {
		now := time.Now()
		os.Chtimes(p, now, now) // marks it used, for pruning
		return p, nil
	}
	err := z.flight.do(v.ETag, func() error {
		if _, err := os.Stat(p); err == nil {
			return nil
		}
		src := open()
		defer src.Close()
		return writeAtomic(p, 0o644, func(f *os.File) error {
			bw := bufio.NewWriterSize(f, 256<<10)
			if err := writeZIP(bw, v, src); err != nil {
				return err
			}
			return bw.Flush()
		})
	})
	if err != nil {
		return "", fmt.Errorf("build marketplace ZIP: %w", err)
	}
	return p, nil
}
