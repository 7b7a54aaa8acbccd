package engine

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Pool caches sandboxes by key (the caller computes the key from grant set + registry version).
//
// A key that is no longer asked for (its grant set or the registry changed,
// so callers now compute a new key for the same principals) keeps its
// sandbox until it has had no open Conn for idleTTL; Invalidate drops every
// cached sandbox at once. A sandbox leaves the pool without breaking anyone:
// it is destroyed only when its last Conn and last result are closed.
type Pool struct {
	cfg     Config
	idleTTL time.Duration

	mu      sync.Mutex
	entries map[string]*poolEntry
	closed  bool

	stop chan struct{}
	done chan struct{}
}

// poolEntry is one cached sandbox, or the build of one in progress.
type poolEntry struct {
	ready    chan struct{} // closed when the build has finished
	sandbox  *Sandbox      // set before ready is closed, nil on error
	err      error
	lastUsed time.Time // guarded by Pool.mu
}

// Eviction timing: an idle sandbox costs memory (its caches) but rebuilding
// one costs tens of milliseconds, so keep it for a while.
const (
	defaultIdleTTL = 10 * time.Minute
	sweepInterval  = time.Minute
)

var errPoolClosed = errors.New("engine: sandbox pool is closed")

// NewPool returns an empty pool; Close stops its background sweeper.
func NewPool(cfg Config) *Pool {
	p := &Pool{
		cfg:     cfg,
		idleTTL: defaultIdleTTL,
		entries: make(map[string]*poolEntry),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
	}
	go p.sweep()
	return p
}

// Conn returns a new Conn of the sandbox for key, building the sandbox from
// tables if the pool has none (concurrent callers for one key share a single
// build). Release via the returned Conn's Close.
func (p *Pool) Conn(ctx context.Context, key string, tables []TableFile) (*Conn, error) {
	for {
		e, builder, err := p.entry(key)
		if err != nil {
			return nil, err
		}
		if builder {
			p.build(key, e, tables)
		}
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, TranslateError(ctx.Err())
		}
		if e.err != nil {
			return nil, e.err
		}
		c, err := e.sandbox.Conn(ctx)
		if errors.Is(err, errSandboxClosed) {
			// Evicted, invalidated or broken between lookup and connect.
			p.drop(key, e)
			continue
		}
		if err != nil {
			return nil, err
		}
		p.mu.Lock()
		e.lastUsed = time.Now()
		p.mu.Unlock()
		return c, nil
	}
}

// entry returns the entry for key, creating one (and making the caller its
// builder) when there is none or the cached sandbox is unusable.
func (p *Pool) entry(key string) (e *poolEntry, builder bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, false, errPoolClosed
	}
	if e := p.entries[key]; e != nil {
		select {
		case <-e.ready:
			if e.sandbox != nil && e.sandbox.usable() {
				return e, false, nil
			}
			delete(p.entries, key)
			if e.sandbox != nil {
				e.sandbox.Close()
			}
		default:
			return e, false, nil // being built
		}
	}
	e = &poolEntry{ready: make(chan struct{}), lastUsed: time.Now()}
	p.entries[key] = e
	return e, true, nil
}

// build builds e's sandbox. If e left the pool meanwhile (Invalidate, Close),
// the new sandbox is closed at once: its waiters then retry and get one built
// after the invalidation.
func (p *Pool) build(key string, e *poolEntry, tables []TableFile) {
	s, err := NewSandbox(p.cfg, tables)
	// Publish under p.mu so that Invalidate either sees the finished entry
	// (and closes its sandbox) or has already removed it (and we close it).
	p.mu.Lock()
	defer p.mu.Unlock()
	current := p.entries[key] == e
	e.sandbox, e.err = s, err
	if err != nil && current {
		delete(p.entries, key) // do not cache failures
	}
	if s != nil && !current {
		s.Close()
	}
	close(e.ready)
}

// drop removes e from the pool if it is still the entry for key.
func (p *Pool) drop(key string, e *poolEntry) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.entries[key] == e {
		delete(p.entries, key)
		if e.sandbox != nil {
			e.sandbox.Close()
		}
	}
}

// Invalidate drops all cached sandboxes; running Conns keep theirs.
func (p *Pool) Invalidate() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.dropAll()
}

// dropAll closes every built sandbox and empties the map; builds in progress
// notice that their entry is gone. The caller holds p.mu.
func (p *Pool) dropAll() {
	for key, e := range p.entries {
		delete(p.entries, key)
		select {
		case <-e.ready:
			if e.sandbox != nil {
				e.sandbox.Close()
			}
		default:
		}
	}
}

// Close drops all sandboxes and stops the sweeper; Conns already handed out
// keep working until they are closed.
func (p *Pool) Close() error {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil
	}
	p.closed = true
	p.dropAll()
	p.mu.Unlock()
	close(p.stop)
	<-p.done
	return nil
}

// Len returns how many sandboxes the pool holds (built or being built).
func (p *Pool) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.entries)
}

// sweep evicts idle sandboxes until Close.
func (p *Pool) sweep() {
	defer close(p.done)
	t := time.NewTicker(sweepInterval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case now := <-t.C:
			p.evictIdle(now)
		}
	}
}

// evictIdle closes sandboxes that have had no open Conn or result and no new
// Conn for idleTTL before now.
func (p *Pool) evictIdle(now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for key, e := range p.entries {
		select {
		case <-e.ready:
		default:
			continue
		}
		if e.sandbox == nil || (now.Sub(e.lastUsed) >= p.idleTTL && e.sandbox.idle()) {
			delete(p.entries, key)
			if e.sandbox != nil {
				e.sandbox.Close()
			}
		}
	}
}
