package engine

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"
)

// The native cache keeps a copy of each local table in DuckDB's own storage
// format next to its parquet file. A sandbox attaches the copies of its
// granted tables read-only and points their views at them: DuckDB scans its
// native, lightly compressed columns several times faster than it decodes
// parquet pages, so analytic queries (GROUP BY over millions of rows) stop
// paying for decompression on every statement.
//
// Files are named by the table's MD5 (<md5>.duckdb, one table "t" each):
// identical content shares one file, a changed table gets a new file, and
// files no table references any more are pruned. A copy is built in the
// background by one worker, written to a temporary name and renamed into
// place, so a sandbox sees a complete file or none; until it exists the
// table's view reads the parquet file. Only the files of a grant set's
// tables are attached to its sandbox, so a copy is no wider than the grant.

// NativeCache builds and lists the native copies of tables.
type NativeCache struct {
	dir      string
	maxBytes int64
	options  map[string]string // DuckDB options of the building instance
	logger   *slog.Logger

	mu    sync.Mutex
	ready map[string]string // md5 → file
	// published is ready as of the last time the build queue was empty:
	// copies become visible to sandboxes in batches, so a start-up that
	// copies many tables does not give every new session its own
	// sandbox.
	published map[string]string
	queued    map[string]bool
	failed    map[string]bool
	jobs      chan nativeJob
	closed    bool
	stopped   chan struct{}
}

type nativeJob struct {
	md5, parquet string
	size         int64
}

var md5Hex = regexp.MustCompile(`^[0-9a-f]{32}$`)

// OpenNativeCache uses dir for native copies of tables whose parquet file is
// at most maxBytes. Copies already in dir are reused; leftovers of an
// interrupted build are removed.
func OpenNativeCache(dir string, maxBytes int64, cfg Config, logger *slog.Logger) (*NativeCache, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("native cache: %w", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("native cache: %w", err)
	}
	c := &NativeCache{
		dir:      dir,
		maxBytes: maxBytes,
		options: map[string]string{
			"autoload_known_extensions":    "false",
			"autoinstall_known_extensions": "false",
		},
		logger:    logger,
		ready:     map[string]string{},
		published: map[string]string{},
		queued:    map[string]bool{},
		failed:    map[string]bool{},
		jobs:      make(chan nativeJob, 1024),
		stopped:   make(chan struct{}),
	}
	if cfg.MemoryLimit != "" {
		c.options["memory_limit"] = cfg.MemoryLimit
	}
	if cfg.Threads > 0 {
		c.options["threads"] = fmt.Sprint(cfg.Threads)
	}
	for _, e := range entries {
		name := e.Name()
		if md5, ok := strings.CutSuffix(name, ".duckdb"); ok && md5Hex.MatchString(md5) && e.Type().IsRegular() {
			c.ready[md5] = filepath.Join(dir, name)
			c.published[md5] = c.ready[md5]
			continue
		}
		if strings.Contains(name, ".tmp") {
			os.Remove(filepath.Join(dir, name))
		}
	}
	go c.work()
	return c, nil
}

// File returns the native copy of the table whose parquet file is at
// parquet with the given MD5 and size, or "" when there is none yet; then
// it schedules one (if the table is small enough and no build of it has
// failed).
func (c *NativeCache) File(parquet, md5 string, size int64) string {
	if c == nil || !md5Hex.MatchString(md5) {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if f, ok := c.published[md5]; ok {
		return f
	}
	if _, ok := c.ready[md5]; ok || c.closed || c.queued[md5] || c.failed[md5] || size <= 0 || size > c.maxBytes {
		return ""
	}
	select {
	case c.jobs <- nativeJob{md5: md5, parquet: parquet, size: size}:
		c.queued[md5] = true
	default: // the queue is full: a later lookup schedules it
	}
	return ""
}

// Prune removes the copies whose MD5 is not in keep.
func (c *NativeCache) Prune(keep map[string]bool) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for md5, f := range c.ready {
		if !keep[md5] {
			delete(c.ready, md5)
			delete(c.published, md5)
			// Sandboxes that attached the file keep reading it (the
			// inode lives until they close it).
			os.Remove(f)
			os.Remove(f + ".wal")
		}
	}
}

// Wait blocks until the builds scheduled so far are done (for tests and
// benchmarks) or the timeout passes; it reports whether the queue drained.
func (c *NativeCache) Wait(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		c.mu.Lock()
		idle := len(c.queued) == 0
		c.mu.Unlock()
		if idle {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// Close stops the builder after the build in progress.
func (c *NativeCache) Close() {
	if c == nil {
		return
	}
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	close(c.jobs)
	c.mu.Unlock()
	<-c.stopped
}

func (c *NativeCache) work() {
	defer close(c.stopped)
	var batchStart time.Time
	built := 0
	for job := range c.jobs {
		start := time.Now()
		if built == 0 {
			batchStart = start
		}
		file, err := c.build(job)
		c.mu.Lock()
		delete(c.queued, job.md5)
		if err != nil {
			c.failed[job.md5] = true
		} else if !c.closed {
			c.ready[job.md5] = file
			built++
		}
		idle := len(c.queued) == 0
		if idle {
			for md5, f := range c.ready {
				c.published[md5] = f
			}
		}
		c.mu.Unlock()
		if err != nil {
			c.logger.Warn("native copy of a table not built; its queries read parquet", "file", job.parquet, "err", err)
		} else {
			c.logger.Debug("native copy of a table built", "file", job.parquet, "duration", time.Since(start).Round(time.Millisecond))
		}
		if idle && built > 0 {
			c.logger.Info("native copies of tables ready", "built", built, "duration", time.Since(batchStart).Round(time.Millisecond))
			built = 0
		}
	}
}

// build copies the parquet file into <md5>.duckdb through a temporary file.
// The parquet file must still have the size the registry recorded, before
// and after the copy; otherwise the copy could hold other content than the
// MD5 it is named by.
func (c *NativeCache) build(job nativeJob) (string, error) {
	before, err := os.Stat(job.parquet)
	if err != nil {
		return "", err
	}
	if before.Size() != job.size {
		return "", fmt.Errorf("the file changed since the registry scanned it (%d bytes, registry %d)", before.Size(), job.size)
	}
	final := filepath.Join(c.dir, job.md5+".duckdb")
	tmp := final + ".tmp"
	os.Remove(tmp)
	os.Remove(tmp + ".wal")
	defer os.Remove(tmp + ".wal")
	if err := c.copyTable(tmp, job.parquet); err != nil {
		os.Remove(tmp)
		return "", err
	}
	after, err := os.Stat(job.parquet)
	if err != nil || after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) {
		os.Remove(tmp)
		return "", fmt.Errorf("the file changed while it was copied")
	}
	if err := syncFile(tmp); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return "", err
	}
	if d, err := os.Open(c.dir); err == nil {
		d.Sync()
		d.Close()
	}
	return final, nil
}

func (c *NativeCache) copyTable(path, parquet string) error {
	db, err := openDatabase(path, c.options)
	if err != nil {
		return err
	}
	defer db.close()
	conn, err := db.connect()
	if err != nil {
		return err
	}
	defer db.disconnect(&conn)
	if err := execTrusted(conn, "CREATE TABLE t AS SELECT * FROM read_parquet("+quoteLiteral(parquet)+")"); err != nil {
		return err
	}
	return execTrusted(conn, "CHECKPOINT")
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
