package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestOpenCreatesLatest(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "state", "system.duckdb")
	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Version(ctx)
	if err != nil || v != LatestVersion() {
		t.Fatalf("version %d, %v; want %d", v, err, LatestVersion())
	}
	for _, table := range []string{"users", "personal_access_tokens", "user_groups", "user_group_members", "resource_grants", "table_registry", "audit_log", "sync_history"} {
		var n int
		if err := s.DB.QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
	s.Close()
	// Reopening is idempotent.
	s, err = Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	var rows int
	s.DB.QueryRow("SELECT count(*) FROM schema_version").Scan(&rows)
	if rows != 1 {
		t.Fatalf("schema_version has %d rows", rows)
	}
	s.Close()
}

func TestUpgradeFromOlderVersion(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "system.duckdb")
	db, err := sql.Open("duckdb", p)
	if err != nil {
		t.Fatal(err)
	}
	old := &Store{DB: db, Path: p}
	if err := old.migrateTo(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO users (id, email, scram_salt) VALUES ('u1', 'a@b.c', 'x'::BLOB)"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("INSERT INTO table_registry (id, name, md5) VALUES ('t1', 't1', 'abc')"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.Version(ctx); v != LatestVersion() {
		t.Fatalf("version %d after upgrade", v)
	}
	var email string
	if err := s.DB.QueryRow("SELECT email FROM users WHERE id = 'u1'").Scan(&email); err != nil || email != "a@b.c" {
		t.Fatalf("data lost in upgrade: %q %v", email, err)
	}
	if _, err := s.DB.Exec("INSERT INTO sync_history (started_at, finished_at, outcome) VALUES (now(), now(), 'ok')"); err != nil {
		t.Fatalf("new table missing after upgrade: %v", err)
	}
	// A registry row from before sha256 was kept has an empty one.
	var md5, sha string
	if err := s.DB.QueryRow("SELECT md5, sha256 FROM table_registry WHERE id = 't1'").Scan(&md5, &sha); err != nil || md5 != "abc" || sha != "" {
		t.Fatalf("registry row after upgrade: md5 %q sha256 %q, %v", md5, sha, err)
	}
}

func fileBytes(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFutureVersionRefusedUnchanged(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "system.duckdb")
	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Exec("UPDATE schema_version SET version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	before := fileBytes(t, p)
	_, err = Open(ctx, p)
	if !errors.Is(err, ErrFutureVersion) {
		t.Fatalf("got %v, want ErrFutureVersion", err)
	}
	if !bytes.Equal(before, fileBytes(t, p)) {
		t.Fatal("a refused future-version store was modified")
	}
	if _, err := os.Stat(p + ".wal"); err == nil {
		t.Fatal("a WAL appeared next to the refused store")
	}
}

func TestCorruptStoreRefusedUnchanged(t *testing.T) {
	ctx := context.Background()
	p := filepath.Join(t.TempDir(), "system.duckdb")
	garbage := bytes.Repeat([]byte("not a database "), 1000)
	if err := os.WriteFile(p, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, p)
	if err == nil {
		t.Fatal("corrupt store was opened")
	}
	if !bytes.Equal(garbage, fileBytes(t, p)) {
		t.Fatal("corrupt store was modified")
	}
}

// openTemp opens a new store in a temporary directory, closed at the end
// of the test.
func openTemp(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "system.duckdb"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestAuditorFlushesOnClose(t *testing.T) {
	s := openTemp(t)
	a := NewAuditor(s, nil)
	for i := 0; i < 500; i++ {
		a.Record(AuditEntry{UserID: "u", Action: "query", Target: strconv.Itoa(i), Outcome: "ok", Detail: map[string]any{"rows": i}})
	}
	a.Close()
	var n int
	var maxRows int
	s.DB.QueryRow("SELECT count(*), max((detail->>'rows')::INT) FROM audit_log WHERE action = 'query'").Scan(&n, &maxRows)
	if n != 500 || maxRows != 499 {
		t.Fatalf("audit rows %d (max %d), want 500", n, maxRows)
	}
	// After Close an entry is written at once instead of being lost.
	a.Record(AuditEntry{UserID: "u", Action: "late", Outcome: "ok"})
	if s.DB.QueryRow("SELECT count(*) FROM audit_log WHERE action = 'late'").Scan(&n); n != 1 {
		t.Fatalf("entry recorded after Close: %d rows", n)
	}
}

// TestAuditorConcurrentBursts: entries from many goroutines, more than the
// queue holds, all arrive exactly once, and they are written by the
// background writer without waiting for Close.
func TestAuditorConcurrentBursts(t *testing.T) {
	s := openTemp(t)
	a := NewAuditor(s, nil)
	defer a.Close()
	const writers, each = 8, 1500 // 12,000 entries: the queue overflows
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				a.Record(AuditEntry{UserID: strconv.Itoa(w), Action: "query", Target: strconv.Itoa(i), Outcome: "ok"})
			}
		}()
	}
	wg.Wait()
	var n, distinct int
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		s.DB.QueryRow("SELECT count(*), count(DISTINCT (user_id, target)) FROM audit_log WHERE action = 'query'").Scan(&n, &distinct)
		if n == writers*each {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if n != writers*each || distinct != writers*each {
		t.Fatalf("audit rows %d (%d distinct), want %d", n, distinct, writers*each)
	}
}

// lockedBuffer is a bytes.Buffer safe to write and read concurrently.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestKillDuringWrites kills a process that is writing to the store in
// transactions and checks that the store opens afterwards and that every
// transaction is either wholly there or wholly absent.
func TestKillDuringWrites(t *testing.T) {
	if os.Getenv("AGNES_STORE_CHILD") != "" {
		t.Skip("child")
	}
	p := filepath.Join(t.TempDir(), "system.duckdb")
	ctx := context.Background()
	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	for round := 0; round < 3; round++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestStoreChildWriter$", "-test.v")
		cmd.Env = append(os.Environ(), "AGNES_STORE_CHILD="+p, "AGNES_STORE_ROUND="+strconv.Itoa(round))
		var out lockedBuffer // written by exec's copying goroutine while polled here
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Wait until the child has committed something, then kill it hard.
		deadline := time.Now().Add(60 * time.Second)
		for !strings.Contains(out.String(), "WRITING") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Duration(50+round*70) * time.Millisecond)
		cmd.Process.Kill()
		cmd.Wait()

		s, err := Open(ctx, p)
		if err != nil {
			t.Fatalf("round %d: store does not open after kill -9: %v\n%s", round, err, out.String())
		}
		// Each transaction inserts one user and one membership together.
		var users, members, orphans int
		s.DB.QueryRow("SELECT count(*) FROM users").Scan(&users)
		s.DB.QueryRow("SELECT count(*) FROM user_group_members").Scan(&members)
		s.DB.QueryRow("SELECT count(*) FROM users u WHERE NOT EXISTS (SELECT 1 FROM user_group_members m WHERE m.user_id = u.id)").Scan(&orphans)
		if users != members || orphans != 0 {
			t.Fatalf("round %d: torn transaction: %d users, %d memberships, %d orphans", round, users, members, orphans)
		}
		if users == 0 {
			t.Fatalf("round %d: child committed nothing:\n%s", round, out.String())
		}
		s.Close()
	}
}

func TestStoreChildWriter(t *testing.T) {
	p := os.Getenv("AGNES_STORE_CHILD")
	if p == "" {
		t.Skip("only runs as a child of TestKillDuringWrites")
	}
	ctx := context.Background()
	s, err := Open(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	round := os.Getenv("AGNES_STORE_ROUND")
	fmt.Println("WRITING")
	for i := 0; ; i++ {
		id := fmt.Sprintf("u-%s-%d", round, i)
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.Exec("INSERT INTO users (id, email, scram_salt) VALUES (?, ?, 'x'::BLOB)", id, id+"@x"); err != nil {
				return err
			}
			_, err := tx.Exec("INSERT INTO user_group_members (user_id, group_id, source) VALUES (?, 'g', 'admin')", id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
