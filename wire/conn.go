package wire

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/keboola/agnes/pgerr"
	"github.com/keboola/agnes/rbac"
)

const (
	// flushThreshold is the output size at which buffered messages are
	// written while streaming rows.
	flushThreshold = 64 << 10
	// maxIdleWriteBuffer is the largest write buffer kept between flushes;
	// a bigger one (after a huge row) is dropped to bound per-connection
	// memory.
	maxIdleWriteBuffer = 1 << 20
	// maxIdleReadBuffer is the same bound for the message body buffer.
	maxIdleReadBuffer = 1 << 20
)

// conn is one client connection: its transport, its Session, and the
// state of the extended query protocol. All fields except the run state
// (cancel.go) are used by the connection's goroutine only.
type conn struct {
	srv    *Server
	log    *slog.Logger
	id     string
	nc     net.Conn // transport; a *tls.Conn after the upgrade
	tcp    net.Conn // the accepted connection
	remote net.Addr // client address
	// rawConn is the TCP socket, for disconnect polling; nil if not TCP.
	rawConn syscall.RawConn

	rd       *bufio.Reader
	body     []byte // reusable body buffer of the last message read
	wbuf     []byte // pending output
	writeErr error  // first write error; the connection is dead after it
	// fatalSent is set once a FATAL error is queued: the loop flushes and
	// closes.
	fatalSent bool
	// panicked is set when a panic was recovered. A panic inside a
	// duckdb-go call skips the end of its interrupt scope and leaves a
	// goroutine that calls duckdb_interrupt once the call's context is
	// cancelled, which after the session is closed is a use after free;
	// so after a panic no context is cancelled (they are left to the GC).
	panicked bool

	// set during startup
	params     map[string]string
	user       string
	protoMinor int
	tlsState   *tls.ConnectionState
	tlsCert    *tls.Certificate // the certificate served in the handshake
	principal  *rbac.Principal
	pid        uint32
	secret     []byte
	sess       Session
	holdsSlot  bool

	// extended query protocol state
	stmts      map[string]*preparedStatement
	portals    map[string]*portal
	skipToSync bool

	// run state, shared with CancelRequest, timers and Shutdown (cancel.go)
	runMu        sync.Mutex
	running      context.CancelCauseFunc
	timeoutTimer *time.Timer
	watchTimer   *time.Timer
	watchArmed   bool // watchTimer will fire (see beginRun)

	// delayed flush while waiting for a batch (execute.go)
	flushMu    sync.Mutex
	flushArmed bool
	flushTimer *time.Timer

	ctx       context.Context // lives as long as the connection
	cancelCtx context.CancelFunc

	zoneName string
	zone     *zoneCache
}

func newConn(s *Server, nc net.Conn) *conn {
	var idb [4]byte
	_, _ = rand.Read(idb[:])
	c := &conn{
		srv:     s,
		id:      hex.EncodeToString(idb[:]),
		nc:      nc,
		tcp:     nc,
		remote:  nc.RemoteAddr(),
		stmts:   make(map[string]*preparedStatement),
		portals: make(map[string]*portal),
		wbuf:    make([]byte, 0, 8<<10),
	}
	c.ctx, c.cancelCtx = context.WithCancel(context.Background())
	c.log = s.log.With("session", c.id, "remote", c.remote.String())
	if sc, ok := nc.(syscall.Conn); ok {
		if rc, err := sc.SyscallConn(); err == nil {
			c.rawConn = rc
		}
	}
	return c
}

// serve runs the connection to its end. A panic anywhere below is
// recovered here: it is logged, the client gets FATAL XX000, and only this
// connection closes.
func (c *conn) serve() {
	defer c.cleanup()
	defer func() {
		if r := recover(); r != nil {
			c.panicked = true
			c.srv.panics.Add(1)
			c.log.Error("panic while serving connection; closing it", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			c.wbuf = c.wbuf[:0]
			c.writeErr = nil
			c.sendError(pgerr.Fatal(pgerr.InternalError, "internal error (session %s); the server log has the details", c.id))
			_ = c.flush()
		}
	}()
	select {
	case c.srv.startups <- struct{}{}:
		c.holdsSlot = true
	default:
		c.rejectStartup()
		return
	}
	if !c.startup() {
		return
	}
	c.commandLoop()
}

// releaseSlot frees the startup slot once the connection is past
// authentication.
func (c *conn) releaseSlot() {
	if c.holdsSlot {
		c.holdsSlot = false
		<-c.srv.startups
	}
}

func (c *conn) cleanup() {
	c.releaseSlot()
	if c.flushTimer != nil {
		c.flushTimer.Stop()
	}
	c.runMu.Lock()
	if c.panicked {
		c.running = nil // nothing may cancel the interrupted call's context
	}
	c.runMu.Unlock()
	c.endRun()
	c.stopWatch()
	if !c.panicked {
		c.cancelCtx()
	}
	for name, p := range c.portals {
		if c.panicked {
			p.release()
		} else {
			p.close()
		}
		delete(c.portals, name)
	}
	if c.sess != nil {
		if err := c.sess.Close(); err != nil {
			c.log.Warn("closing session", "err", err)
		}
		c.log.Info("session ended")
	}
	if c.pid != 0 {
		c.srv.cancels.unregister(c.pid)
	}
	_ = c.nc.Close()
}

// closeTransport closes the socket from another goroutine (forced
// shutdown); the connection goroutine then fails its next read or write.
func (c *conn) closeTransport() { _ = c.tcp.Close() }

// interruptIdle wakes a connection blocked reading its next message so it
// notices the shutdown; a busy connection notices when it next reads.
func (c *conn) interruptIdle() { _ = c.tcp.SetReadDeadline(time.Now()) }

// ---- output

// send appends a message to the output buffer.
func (c *conn) send(m pgproto3.BackendMessage) {
	b, err := m.Encode(c.wbuf)
	if err != nil {
		// Only oversized fields fail to encode; nothing a client can fix.
		c.log.Error("encoding message", "type", fmt.Sprintf("%T", m), "err", err)
		return
	}
	c.wbuf = b
}

// flush writes the buffered output. After a write error the connection is
// dead: the error is kept, the running statement cancelled, and later
// flushes do nothing.
func (c *conn) flush() error {
	if c.writeErr != nil {
		c.wbuf = c.wbuf[:0]
		return c.writeErr
	}
	if len(c.wbuf) == 0 {
		return nil
	}
	_, err := c.nc.Write(c.wbuf)
	if cap(c.wbuf) > maxIdleWriteBuffer {
		c.wbuf = make([]byte, 0, flushThreshold+8<<10)
	} else {
		c.wbuf = c.wbuf[:0]
	}
	if err != nil {
		c.writeErr = fmt.Errorf("write to client: %w", err)
		c.cancelRunning(errClientGone)
		return c.writeErr
	}
	return nil
}

// sendError sends e as an ErrorResponse.
func (c *conn) sendError(e *pgerr.Error) {
	c.send(errorResponse(e))
}

// sendFatal sends a FATAL error and flushes; the caller closes.
func (c *conn) sendFatal(e *pgerr.Error) {
	e2 := *e
	e2.Severity = "FATAL"
	c.sendError(&e2)
	_ = c.flush()
}

// readyForQuery sends ReadyForQuery with the session's transaction status
// and flushes.
func (c *conn) readyForQuery() {
	status := byte('I')
	if c.sess != nil {
		status = c.sess.TxStatus()
	}
	c.send(&pgproto3.ReadyForQuery{TxStatus: status})
	_ = c.flush()
}

// ---- input

// ioError marks a read that failed on the transport (EOF, reset, timeout).
type ioError struct{ err error }

func (e *ioError) Error() string { return "read from client: " + e.err.Error() }
func (e *ioError) Unwrap() error { return e.err }

// messageError is a message the connection cannot continue after
// (unknown type, bad length, too large): FATAL.
type messageError struct{ pe *pgerr.Error }

func (e *messageError) Error() string { return e.pe.Message }

// decodeError is a well-framed message whose body does not parse: ERROR,
// and the connection continues with the next message.
type decodeError struct {
	typ byte
	err error
}

func (e *decodeError) Error() string { return fmt.Sprintf("message %q: %v", e.typ, e.err) }

// readBody reads a message body of n bytes into the reusable buffer.
func (c *conn) readBody(n int) ([]byte, error) {
	if cap(c.body) < n {
		c.body = make([]byte, n)
	} else if cap(c.body) > maxIdleReadBuffer && n < maxIdleReadBuffer/4 {
		c.body = make([]byte, n, 8<<10+n)
	}
	body := c.body[:n]
	if _, err := io.ReadFull(c.rd, body); err != nil {
		return nil, &ioError{err}
	}
	return body, nil
}

// readHeader reads a message type and body length, enforcing limit.
func (c *conn) readHeader(limit int) (byte, int, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(c.rd, hdr[:]); err != nil {
		return 0, 0, &ioError{err}
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[1:]))) - 4
	if n < 0 {
		return 0, 0, &messageError{pgerr.New(pgerr.ProtocolViolation, "invalid message length %d", n+4)}
	}
	if n > limit {
		return 0, 0, &messageError{pgerr.New(pgerr.ProtocolViolation,
			"message of %d bytes exceeds the limit of %d bytes", n, limit)}
	}
	return hdr[0], n, nil
}

// frontendMessage returns an empty message of a command-phase type.
func frontendMessage(t byte) pgproto3.FrontendMessage {
	switch t {
	case 'Q':
		return &pgproto3.Query{}
	case 'P':
		return &pgproto3.Parse{}
	case 'B':
		return &pgproto3.Bind{}
	case 'D':
		return &pgproto3.Describe{}
	case 'E':
		return &pgproto3.Execute{}
	case 'C':
		return &pgproto3.Close{}
	case 'S':
		return &pgproto3.Sync{}
	case 'H':
		return &pgproto3.Flush{}
	case 'X':
		return &pgproto3.Terminate{}
	case 'F':
		return &pgproto3.FunctionCall{}
	case 'd':
		return &pgproto3.CopyData{}
	case 'c':
		return &pgproto3.CopyDone{}
	case 'f':
		return &pgproto3.CopyFail{}
	}
	return nil
}

// readMessage reads the next frontend message of the command phase.
func (c *conn) readMessage() (pgproto3.FrontendMessage, error) {
	t, n, err := c.readHeader(c.srv.cfg.MaxMessageSize)
	if err != nil {
		return nil, err
	}
	m := frontendMessage(t)
	if m == nil {
		return nil, &messageError{pgerr.New(pgerr.ProtocolViolation, "invalid frontend message type %d", t)}
	}
	body, err := c.readBody(n)
	if err != nil {
		return nil, err
	}
	if err := m.Decode(body); err != nil {
		return nil, &decodeError{typ: t, err: err}
	}
	return m, nil
}

// ---- command loop

// commandLoop serves messages until Terminate, EOF, a FATAL error or
// shutdown.
func (c *conn) commandLoop() {
	for {
		if c.srv.closing.Load() {
			c.sendFatal(pgerr.Fatal(pgerr.AdminShutdown, "terminating connection due to administrator command"))
			return
		}
		if c.writeErr != nil {
			c.log.Info("closing connection after write failure", "err", c.writeErr)
			return
		}
		msg, err := c.readMessage()
		if err != nil {
			if !c.handleReadError(err) {
				return
			}
			continue
		}
		if c.skipToSync {
			switch msg.(type) {
			case *pgproto3.Sync:
				c.skipToSync = false
			case *pgproto3.Terminate:
				return
			default:
				continue
			}
		}
		switch m := msg.(type) {
		case *pgproto3.Query:
			c.simpleQuery(m.String)
		case *pgproto3.Parse:
			c.handleParse(m)
		case *pgproto3.Bind:
			c.handleBind(m)
		case *pgproto3.Describe:
			c.handleDescribe(m)
		case *pgproto3.Execute:
			c.handleExecute(m)
		case *pgproto3.Close:
			c.handleClose(m)
		case *pgproto3.Sync:
			c.handleSync()
		case *pgproto3.Flush:
			_ = c.flush()
		case *pgproto3.Terminate:
			return
		case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
			// PostgreSQL ignores copy messages outside COPY FROM STDIN.
		case *pgproto3.FunctionCall:
			c.sendError(pgerr.New(pgerr.FeatureNotSupported, "the function call protocol is not supported"))
			c.afterError()
			c.readyForQuery()
		}
		if c.fatalSent {
			_ = c.flush()
			return
		}
	}
}

// handleReadError reports whether the loop may continue after err.
func (c *conn) handleReadError(err error) bool {
	var ie *ioError
	var me *messageError
	var de *decodeError
	switch {
	case errors.As(err, &ie):
		var ne net.Error
		if c.srv.closing.Load() && errors.As(ie.err, &ne) && ne.Timeout() {
			c.sendFatal(pgerr.Fatal(pgerr.AdminShutdown, "terminating connection due to administrator command"))
			return false
		}
		if !errors.Is(ie.err, io.EOF) {
			c.log.Info("connection lost", "err", ie.err)
		}
		return false
	case errors.As(err, &me):
		c.log.Warn("protocol violation; closing connection", "err", me.pe.Message)
		c.sendFatal(me.pe)
		return false
	case errors.As(err, &de):
		c.log.Info("malformed message", "err", de)
		c.sendError(pgerr.New(pgerr.ProtocolViolation, "invalid message format"))
		if de.typ == 'Q' || de.typ == 'F' {
			c.afterError()
			c.readyForQuery()
		} else {
			c.afterError()
			c.skipToSync = true
		}
		return true
	}
	c.log.Error("reading message", "err", err)
	return false
}

// afterError marks the session's transaction failed.
func (c *conn) afterError() {
	if c.sess != nil {
		c.sess.Fail()
	}
}

// reportError sends err (from a statement run with ctx) and returns the
// PostgreSQL error. A FATAL error marks the connection for closing.
func (c *conn) reportError(ctx context.Context, err error) *pgerr.Error {
	pe := c.pgError(ctx, err)
	if isFatal(pe) {
		c.fatalSent = true
		if errors.Is(context.Cause(ctxOrBackground(ctx)), errClientGone) {
			return pe
		}
	}
	c.sendError(pe)
	c.afterError()
	return pe
}

func ctxOrBackground(ctx context.Context) context.Context {
	if ctx == nil {
		return context.Background()
	}
	return ctx
}
