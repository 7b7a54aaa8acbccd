package engine

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/keboola/agnes/pgerr"
)

// poolTables writes two parquet files and returns table sets over them.
func poolTables(t *testing.T) (one, two []TableFile) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.parquet"), filepath.Join(dir, "b.parquet")
	writeParquet(t, a, "SELECT 'a' AS v")
	writeParquet(t, b, "SELECT 'b' AS v")
	one = []TableFile{{Name: "a", Path: a}}
	two = []TableFile{{Name: "a", Path: a}, {Name: "b", Path: b}}
	return one, two
}

func poolConn(t *testing.T, p *Pool, key string, tables []TableFile) *Conn {
	t.Helper()
	c, err := p.Conn(context.Background(), key, tables)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestPoolSharesSandboxPerKey(t *testing.T) {
	one, two := poolTables(t)
	p := NewPool(testConfig(t))
	defer p.Close()

	const n = 8
	conns := make([]*Conn, n)
	var wg sync.WaitGroup
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := p.Conn(context.Background(), "grants-1@v1", one)
			if err != nil {
				t.Error(err)
				return
			}
			conns[i] = c
		}()
	}
	wg.Wait()
	for _, c := range conns {
		if c == nil {
			t.FailNow()
		}
		defer c.Close()
		if c.sandbox != conns[0].sandbox {
			t.Fatal("concurrent Conns for one key got different sandboxes")
		}
	}
	other := poolConn(t, p, "grants-2@v1", two)
	if other.sandbox == conns[0].sandbox {
		t.Error("different keys share a sandbox")
	}
	if p.Len() != 2 {
		t.Errorf("Len() = %d, want 2", p.Len())
	}
}

func TestPoolRebuildsOnNewKey(t *testing.T) {
	one, two := poolTables(t)
	p := NewPool(testConfig(t))
	defer p.Close()

	old := poolConn(t, p, "grants-1@v1", one)
	// The registry changed: same principals, new key, new table set.
	fresh := poolConn(t, p, "grants-1@v2", two)
	if got := mustRows(t, fresh, "SELECT v FROM b"); got[0][0] != "b" {
		t.Errorf("new sandbox: %v", got)
	}
	if _, err := rows(old, "SELECT v FROM b"); sqlState(err) != pgerr.UndefinedTable {
		t.Errorf("old sandbox gained a table: %v", err)
	}

	// Dropping everything leaves running sessions alone.
	oldDir := old.sandbox.dir
	p.Invalidate()
	if p.Len() != 0 {
		t.Errorf("Len() after Invalidate = %d", p.Len())
	}
	if got := mustRows(t, old, "SELECT v FROM a"); got[0][0] != "a" {
		t.Errorf("old Conn after Invalidate: %v", got)
	}
	again := poolConn(t, p, "grants-1@v1", one)
	if again.sandbox == old.sandbox {
		t.Error("Invalidate did not drop the cached sandbox")
	}
	old.Close()
	if exists(oldDir) {
		t.Error("replaced sandbox not destroyed after its last Conn closed")
	}
}

func TestPoolEvictsIdleSandboxes(t *testing.T) {
	one, _ := poolTables(t)
	p := NewPool(testConfig(t))
	defer p.Close()

	c := poolConn(t, p, "k", one)
	dir := c.sandbox.dir
	later := time.Now().Add(2 * p.idleTTL)
	p.evictIdle(later)
	if p.Len() != 1 {
		t.Fatal("evicted a sandbox with an open Conn")
	}
	c.Close()
	p.evictIdle(time.Now()) // recently used: kept
	if p.Len() != 1 {
		t.Fatal("evicted a recently used sandbox")
	}
	p.evictIdle(later)
	if p.Len() != 0 || exists(dir) {
		t.Errorf("idle sandbox kept: Len %d, dir exists %v", p.Len(), exists(dir))
	}
}

func TestPoolReplacesBrokenSandbox(t *testing.T) {
	one, _ := poolTables(t)
	p := NewPool(testConfig(t))
	defer p.Close()
	c := poolConn(t, p, "k", one)
	c.sandbox.markBroken()
	c2 := poolConn(t, p, "k", one)
	if c2.sandbox == c.sandbox {
		t.Error("broken sandbox handed out again")
	}
}

func TestPoolClose(t *testing.T) {
	one, _ := poolTables(t)
	p := NewPool(testConfig(t))
	c := poolConn(t, p, "k", one)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Conn(context.Background(), "k", one); err == nil {
		t.Error("Conn after Close succeeded")
	}
	if got := mustRows(t, c, "SELECT v FROM a"); got[0][0] != "a" {
		t.Errorf("Conn after pool Close: %v", got)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestPoolDoesNotCacheBuildErrors(t *testing.T) {
	one, _ := poolTables(t)
	p := NewPool(testConfig(t))
	defer p.Close()
	if _, err := p.Conn(context.Background(), "k", []TableFile{{Name: "x", Path: "relative.parquet"}}); err == nil {
		t.Fatal("invalid tables accepted")
	}
	if p.Len() != 0 {
		t.Errorf("failed build cached: Len %d", p.Len())
	}
	poolConn(t, p, "k", one)
}
