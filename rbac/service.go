package rbac

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/keboola/agnes/store"
)

// Seeded system groups. Their ids are fixed so that grants to them survive
// renames and can be written in docs and tests.
const (
	AdminGroupID    = "admin"
	EveryoneGroupID = "everyone"
	AdminGroupName  = "Admin"
	EveryoneGroup   = "Everyone"
)

// Errors returned by Service methods; callers map them to HTTP statuses.
var (
	ErrNotFound     = errors.New("not found")
	ErrConflict     = errors.New("already exists")
	ErrInvalid      = errors.New("invalid")
	ErrSystemGroup  = errors.New("system group")
	ErrLastAdmin    = errors.New("last admin")
	ErrUnauthorized = errors.New("unauthorized")
)

// Service is users, tokens, groups and grants over the system store.
type Service struct {
	st    *store.Store
	types *typeRegistry

	// grants is a snapshot of every grant and membership, rebuilt lazily
	// after each mutation; Can answers from it without touching the store.
	mu       sync.Mutex
	grants   atomic.Pointer[grantSnapshot]
	version  atomic.Int64
	onChange []func()
}

// New returns the RBAC service and seeds the system groups.
func New(ctx context.Context, st *store.Store) (*Service, error) {
	s := &Service{st: st, types: defaultTypes()}
	err := st.Tx(ctx, func(tx *sql.Tx) error {
		for _, g := range []struct{ id, name, desc string }{
			{AdminGroupID, AdminGroupName, "Administrators: may do everything"},
			{EveryoneGroupID, EveryoneGroup, "Every user is a member"},
		} {
			if _, err := tx.ExecContext(ctx,
				`INSERT INTO user_groups (id, name, description, is_system) VALUES (?, ?, ?, true) ON CONFLICT DO NOTHING`,
				g.id, g.name, g.desc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("rbac: seed groups: %w", err)
	}
	return s, nil
}

// Store returns the underlying system store.
func (s *Service) Store() *store.Store { return s.st }

// Version increases after every change to users, memberships or grants;
// caches keyed on it (sandboxes, manifests) notice changes immediately.
func (s *Service) Version() int64 { return s.version.Load() }

// OnChange registers fn to be called after every mutation.
func (s *Service) OnChange(fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onChange = append(s.onChange, fn)
}

func (s *Service) changed() {
	s.grants.Store(nil)
	s.version.Add(1)
	s.mu.Lock()
	fns := append([]func(){}, s.onChange...)
	s.mu.Unlock()
	for _, fn := range fns {
		fn()
	}
}

// mutate runs fn and an audit row in one transaction, then invalidates caches.
func (s *Service) mutate(ctx context.Context, audit store.AuditEntry, fn func(tx *sql.Tx) error) error {
	err := s.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if audit.Outcome == "" {
			audit.Outcome = "ok"
		}
		return store.WriteAudit(ctx, tx, audit)
	})
	if err == nil {
		s.changed()
	}
	return err
}

func newID(prefix string) string {
	b := make([]byte, 10)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// Actor identifies who performs a mutation (for the audit log).
type Actor struct {
	UserID string
}

// Invalidate drops cached grants after a change made outside this service
// (for example a table deleted together with its grants).
func (s *Service) Invalidate() { s.changed() }
