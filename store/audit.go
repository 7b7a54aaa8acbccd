package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/duckdb/duckdb-go/v2"
)

// AuditEntry is one row of audit_log.
type AuditEntry struct {
	Time    time.Time      `json:"ts"`
	UserID  string         `json:"user_id"`
	Action  string         `json:"action"`
	Target  string         `json:"target"`
	Detail  map[string]any `json:"detail,omitempty"`
	Outcome string         `json:"outcome"` // "ok", "denied", "error", …
}

// Auditor writes audit rows. Mutations write theirs synchronously inside the
// same transaction (see WriteAudit); high-rate events (one per SQL statement)
// go through Record, which batches them on a background goroutine so a query
// never waits for the system store.
//
// Record only appends to a buffer under a mutex; the writer is woken once
// per batch (by the entry that finds the buffer empty), not once per entry.
// Waking a goroutine parked on another thread costs a context switch, which
// on a fast statement (a pool's validation query) is a good part of its
// round trip.
type Auditor struct {
	store  *Store
	logger *slog.Logger

	mu      sync.Mutex
	pending []AuditEntry
	closed  bool

	kick chan struct{} // capacity 1: the buffer went from empty to non-empty
	stop chan struct{} // closed by Close
	done chan struct{} // closed when the writer has flushed and stopped
	once sync.Once
}

// auditMaxPending is how many entries may wait for the writer; beyond it,
// Record writes the buffer itself rather than let memory grow.
const auditMaxPending = 4096

// NewAuditor starts the background writer.
func NewAuditor(s *Store, logger *slog.Logger) *Auditor {
	if logger == nil {
		logger = slog.Default()
	}
	a := &Auditor{store: s, logger: logger, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go a.run()
	return a
}

// Record queues an entry. When the queue is full, or the auditor is
// closed, the entries are written synchronously rather than dropped: the
// audit log must be complete.
func (a *Auditor) Record(e AuditEntry) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	a.mu.Lock()
	if a.closed || len(a.pending) >= auditMaxPending {
		batch := append(a.pending, e)
		a.pending = nil
		a.mu.Unlock()
		a.write(batch)
		return
	}
	first := len(a.pending) == 0
	a.pending = append(a.pending, e)
	a.mu.Unlock()
	if first {
		select {
		case a.kick <- struct{}{}:
		default: // already kicked
		}
	}
}

// auditLinger is how long the writer waits for more entries after the first
// one of a batch: a short delay turns a burst of statements into one INSERT.
const auditLinger = 50 * time.Millisecond

func (a *Auditor) run() {
	defer close(a.done)
	timer := time.NewTimer(auditLinger)
	timer.Stop()
	for {
		select {
		case <-a.kick:
		case <-a.stop:
			a.flush()
			return
		}
		timer.Reset(auditLinger)
		select {
		case <-timer.C:
		case <-a.stop:
			timer.Stop()
			a.flush()
			return
		}
		a.flush()
	}
}

// flush writes what is pending.
func (a *Auditor) flush() {
	a.mu.Lock()
	batch := a.pending
	a.pending = nil
	a.mu.Unlock()
	if len(batch) > 0 {
		a.write(batch)
	}
}

func (a *Auditor) write(batch []AuditEntry) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := appendAudit(ctx, a.store.DB, batch); err != nil {
		a.logger.Error("audit: append", "err", err, "lost", len(batch))
	}
}

// appendAudit writes a batch through DuckDB's appender: every query of every
// session produces a row, and the appender costs a fraction of an INSERT per
// row (the id comes from the column default).
func appendAudit(ctx context.Context, db *sql.DB, batch []AuditEntry) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderWithColumns(dc.(driver.Conn), "", "", "audit_log",
			[]string{"ts", "user_id", "action", "target", "detail", "outcome"})
		if err != nil {
			return err
		}
		for _, e := range batch {
			if e.Time.IsZero() {
				e.Time = time.Now()
			}
			// The appender encodes a JSON column's Go value itself.
			var detail any
			if len(e.Detail) > 0 {
				detail = e.Detail
			}
			if err := app.AppendRow(e.Time, e.UserID, e.Action, e.Target, detail, e.Outcome); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
}

func detailJSON(d map[string]any) (any, error) {
	if len(d) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// Close flushes queued entries and stops the writer; later entries are
// written synchronously.
func (a *Auditor) Close() {
	a.once.Do(func() {
		a.mu.Lock()
		a.closed = true
		a.mu.Unlock()
		close(a.stop)
	})
	<-a.done
}

// Execer is satisfied by *sql.DB and *sql.Tx.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// WriteAudit inserts one audit row using tx (a *sql.Tx or *sql.DB).
func WriteAudit(ctx context.Context, tx Execer, e AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	detail, err := detailJSON(e.Detail)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx,
		"INSERT INTO audit_log (ts, user_id, action, target, detail, outcome) VALUES (?, ?, ?, ?, ?, ?)",
		e.Time, e.UserID, e.Action, e.Target, detail, e.Outcome)
	return err
}
