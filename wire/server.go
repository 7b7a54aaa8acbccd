package wire

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/keboola/agnes/rbac"
)

// Config configures a Server. The zero value of every field has a usable
// default.
type Config struct {
	// Listen is the TCP address for ListenAndServe (default 127.0.0.1:5432).
	Listen string
	// TLSConfig enables TLS: SSLRequest is answered 'S' and the handshake
	// follows. Nil answers 'N'.
	TLSConfig *tls.Config
	// AllowCleartextLoopback authenticates clients connecting from a
	// loopback address with a cleartext password (the token) instead of
	// SCRAM-SHA-256. Every other client always uses SCRAM.
	AllowCleartextLoopback bool
	// MaxMessageSize caps the body of one client message (default 16 MiB).
	MaxMessageSize int
	// MaxStartups caps connections that are in TLS negotiation, startup or
	// authentication at the same time (default 64); more get 53300.
	MaxStartups int
	// Database is the only database name clients may connect to (default
	// "agnes"); an empty database parameter means this one.
	Database string
	// ServerVersion is reported as server_version when the Session does not
	// report one (default "16.4 (Agnes)").
	ServerVersion string
	// StatementTimeoutDefault applies when the Session reports no
	// statement_timeout parameter (0 = no timeout).
	StatementTimeoutDefault time.Duration
	// Logger receives connection and error logs (default slog.Default()).
	Logger *slog.Logger
	// MockSaltSecret keys the deterministic fake salts of unknown users
	// (default: random per process, so fake salts change on restart).
	MockSaltSecret []byte
	// AuthTimeout bounds startup plus authentication (default 30 s).
	AuthTimeout time.Duration
	// AuthFailureBurst is how many failed logins one client address, or one
	// user name, may have in a row before further attempts are refused
	// (default 10); AuthFailureRefill is how often one more attempt is
	// allowed after that (default 30 s).
	AuthFailureBurst  int
	AuthFailureRefill time.Duration
}

const (
	defaultListen         = "127.0.0.1:5432"
	defaultMaxMessageSize = 16 << 20
	defaultMaxStartups    = 64
	defaultDatabase       = "agnes"
	defaultServerVersion  = "16.4 (Agnes)"
	defaultAuthTimeout    = 30 * time.Second
	defaultFailureBurst   = 10
	defaultFailureRefill  = 30 * time.Second
)

func (c Config) withDefaults() Config {
	if c.Listen == "" {
		c.Listen = defaultListen
	}
	if c.MaxMessageSize <= 0 {
		c.MaxMessageSize = defaultMaxMessageSize
	}
	if c.MaxStartups <= 0 {
		c.MaxStartups = defaultMaxStartups
	}
	if c.Database == "" {
		c.Database = defaultDatabase
	}
	if c.ServerVersion == "" {
		c.ServerVersion = defaultServerVersion
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if len(c.MockSaltSecret) == 0 {
		c.MockSaltSecret = make([]byte, 32)
		_, _ = rand.Read(c.MockSaltSecret)
	}
	if c.AuthTimeout <= 0 {
		c.AuthTimeout = defaultAuthTimeout
	}
	if c.AuthFailureBurst <= 0 {
		c.AuthFailureBurst = defaultFailureBurst
	}
	if c.AuthFailureRefill <= 0 {
		c.AuthFailureRefill = defaultFailureRefill
	}
	return c
}

// ErrServerClosed is returned by Serve after Shutdown.
var ErrServerClosed = errors.New("wire: server closed")

// Server accepts PostgreSQL client connections and serves each on its own
// goroutine with a Session from the Backend.
type Server struct {
	cfg      Config
	backend  Backend
	log      *slog.Logger
	startups chan struct{} // semaphore: connections before the command loop
	cancels  cancelRegistry
	limits   *rbac.FailureLimiter

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[*conn]struct{}
	addr      net.Addr
	wg        sync.WaitGroup
	closing   atomic.Bool

	// panics counts recovered connection panics (tests assert it stays 0).
	panics atomic.Int64
}

// NewServer returns a server for b; call Serve or ListenAndServe.
func NewServer(cfg Config, b Backend) *Server {
	cfg = cfg.withDefaults()
	return &Server{
		cfg:       cfg,
		backend:   b,
		log:       cfg.Logger,
		startups:  make(chan struct{}, cfg.MaxStartups),
		cancels:   cancelRegistry{conns: make(map[uint32]*conn)},
		limits:    rbac.NewFailureLimiter(cfg.AuthFailureBurst, cfg.AuthFailureRefill),
		listeners: make(map[net.Listener]struct{}),
		conns:     make(map[*conn]struct{}),
	}
}

// ListenAndServe listens on Config.Listen and serves until Shutdown.
func (s *Server) ListenAndServe() error {
	l, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", s.cfg.Listen, err)
	}
	return s.Serve(l)
}

// Addr is the address of the (first) listener being served, nil before
// Serve.
func (s *Server) Addr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Serve accepts connections on l until Shutdown (then it returns
// ErrServerClosed) or an accept error that is not temporary.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.closing.Load() {
		s.mu.Unlock()
		_ = l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	if s.addr == nil {
		s.addr = l.Addr()
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
	}()
	s.log.Info("accepting PostgreSQL connections", "addr", l.Addr().String(), "tls", s.cfg.TLSConfig != nil)

	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.closing.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.log.Warn("accept failed; retrying", "err", err, "backoff", backoff)
				time.Sleep(backoff)
				continue
			}
			return fmt.Errorf("accept on %s: %w", l.Addr(), err)
		}
		backoff = 0
		c := newConn(s, nc)
		if !s.track(c) {
			_ = nc.Close()
			return ErrServerClosed
		}
		go func() {
			defer s.wg.Done()
			defer s.untrack(c)
			c.serve()
		}()
	}
}

// track registers a live connection; false once shutting down.
func (s *Server) track(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing.Load() {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) forEachConn(f func(*conn)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		f(c)
	}
}

func (s *Server) untrack(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// Shutdown stops accepting connections, ends idle sessions with FATAL
// 57P01, lets running statements finish, and waits for every connection to
// close. When ctx ends first, running statements are cancelled, connections
// are closed, and ctx's error is returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.closing.Store(true)
	for l := range s.listeners {
		_ = l.Close()
	}
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.interruptIdle()
	}

	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
	}
	// Cancel what still runs; the sessions report 57P01 and close. Sockets
	// of sessions that do not close promptly are closed under them.
	s.forEachConn(func(c *conn) { c.cancelRunning(errAdminShutdown) })
	select {
	case <-done:
		return ctx.Err()
	case <-time.After(2 * time.Second):
	}
	s.forEachConn(func(c *conn) { c.closeTransport() })
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		s.log.Error("connections still open after forced shutdown")
	}
	return ctx.Err()
}
