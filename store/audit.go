package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"log/slog"
	"sync"
	"time"
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
type Auditor struct {
	store  *Store
	ch     chan AuditEntry
	done   chan struct{}
	once   sync.Once
	logger *slog.Logger
}

// NewAuditor starts the background writer.
func NewAuditor(s *Store, logger *slog.Logger) *Auditor {
	if logger == nil {
		logger = slog.Default()
	}
	a := &Auditor{store: s, ch: make(chan AuditEntry, 4096), done: make(chan struct{}), logger: logger}
	go a.run()
	return a
}

// Record queues an entry. When the queue is full the entry is written
// synchronously rather than dropped: the audit log must be complete.
func (a *Auditor) Record(e AuditEntry) {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	select {
	case a.ch <- e:
	default:
		a.write([]AuditEntry{e})
	}
}

func (a *Auditor) run() {
	defer close(a.done)
	batch := make([]AuditEntry, 0, 256)
	for e := range a.ch {
		batch = append(batch[:0], e)
	drain:
		for len(batch) < cap(batch) {
			select {
			case e, ok := <-a.ch:
				if !ok {
					break drain
				}
				batch = append(batch, e)
			default:
				break drain
			}
		}
		a.write(batch)
	}
}

func (a *Auditor) write(batch []AuditEntry) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	tx, err := a.store.DB.BeginTx(ctx, nil)
	if err != nil {
		a.logger.Error("audit: begin", "err", err, "lost", len(batch))
		return
	}
	for _, e := range batch {
		if err := WriteAudit(ctx, tx, e); err != nil {
			tx.Rollback()
			a.logger.Error("audit: insert", "err", err, "lost", len(batch))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		a.logger.Error("audit: commit", "err", err, "lost", len(batch))
	}
}

// Close flushes queued entries and stops the writer.
func (a *Auditor) Close() {
	a.once.Do(func() { close(a.ch) })
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
	var detail any
	if len(e.Detail) > 0 {
		b, err := json.Marshal(e.Detail)
		if err != nil {
			return err
		}
		detail = string(b)
	}
	_, err := tx.ExecContext(ctx,
		"INSERT INTO audit_log (ts, user_id, action, target, detail, outcome) VALUES (?, ?, ?, ?, ?, ?)",
		e.Time, e.UserID, e.Action, e.Target, detail, e.Outcome)
	return err
}
