package wire

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/binary"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/keboola/agnes/pgerr"
)

// Cancellation. Each session gets a random BackendKeyData (32-bit process
// id, 4-byte secret on protocol 3.0, 32-byte secret on 3.2). A
// CancelRequest arriving on a new connection is matched against the
// registry (secret compared in constant time) and cancels the statement
// that session is running, if any: its context is cancelled with
// errCanceledByUser, duckdb-go interrupts DuckDB, and the error is reported
// as 57014. statement_timeout and a vanished client cancel the same
// context with their own causes.

// cancelRegistry maps process ids to live connections.
type cancelRegistry struct {
	mu    sync.Mutex
	conns map[uint32]*conn
}

// register assigns c a unique random process id and a secret.
func (r *cancelRegistry) register(c *conn, secretLen int) (uint32, []byte) {
	secret := make([]byte, secretLen)
	_, _ = rand.Read(secret)
	var b [4]byte
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		_, _ = rand.Read(b[:])
		pid := binary.BigEndian.Uint32(b[:]) & 0x7fffffff // positive, as PostgreSQL pids are
		if pid == 0 {
			continue
		}
		if _, taken := r.conns[pid]; taken {
			continue
		}
		r.conns[pid] = c
		return pid, secret
	}
}

func (r *cancelRegistry) unregister(pid uint32) {
	r.mu.Lock()
	delete(r.conns, pid)
	r.mu.Unlock()
}

// cancel cancels the running statement of the connection with this key.
// It reports whether the key matched a connection.
func (r *cancelRegistry) cancel(pid uint32, secret []byte) bool {
	r.mu.Lock()
	c := r.conns[pid]
	r.mu.Unlock()
	if c == nil || len(secret) != len(c.secret) || subtle.ConstantTimeCompare(secret, c.secret) != 1 {
		return false
	}
	c.cancelRunning(errCanceledByUser)
	return true
}

// disconnectPoll is how often a running statement checks that its client
// is still connected.
const disconnectPoll = time.Second

// beginRun makes cancel the target of CancelRequest, statement_timeout and
// disconnect detection until endRun.
//
// The disconnect watch is one timer per connection that stays armed while
// statements keep coming: arming a new timer for every statement would wake
// the runtime's network poller each time, a thread switch that costs a fast
// statement a good part of its round trip. A statement is therefore first
// checked between 0 and disconnectPoll after it starts, then every
// disconnectPoll.
func (c *conn) beginRun(cancel context.CancelCauseFunc) {
	d := c.statementTimeout()
	c.runMu.Lock()
	defer c.runMu.Unlock()
	c.running = cancel
	if d > 0 {
		c.timeoutTimer = time.AfterFunc(d, func() { cancel(errStatementTimeout) })
	}
	if c.rawConn != nil && !c.watchArmed {
		if c.watchTimer == nil {
			c.watchTimer = time.AfterFunc(disconnectPoll, c.checkDisconnect)
		} else {
			c.watchTimer.Reset(disconnectPoll)
		}
		c.watchArmed = true
	}
}

// endRun ends the current run. The disconnect watch is left armed; it
// disarms itself when it finds no statement running.
func (c *conn) endRun() {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	c.running = nil
	if c.timeoutTimer != nil {
		c.timeoutTimer.Stop()
		c.timeoutTimer = nil
	}
}

// stopWatch stops the disconnect watch for good (the connection is gone).
func (c *conn) stopWatch() {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if c.watchTimer != nil {
		c.watchTimer.Stop()
	}
	c.watchArmed = true // never armed again
}

// cancelRunning cancels the running statement, if any.
func (c *conn) cancelRunning(cause error) {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if c.running != nil {
		c.running(cause)
	}
}

// checkDisconnect cancels the running statement when the client has hung
// up, and checks again later while statements run.
func (c *conn) checkDisconnect() {
	c.runMu.Lock()
	defer c.runMu.Unlock()
	if c.running == nil {
		c.watchArmed = false
		return
	}
	if peerClosed(c.rawConn) {
		c.log.Info("client disconnected while a statement was running; cancelling it")
		c.running(errClientGone)
		c.watchArmed = false
		return
	}
	c.watchTimer.Reset(disconnectPoll)
}

// statementTimeout is the session's statement_timeout, else the server
// default.
func (c *conn) statementTimeout() time.Duration {
	if c.sess != nil {
		if v, ok := c.sess.Parameter("statement_timeout"); ok && strings.TrimSpace(v) != "" {
			if d, err := parseTimeout(v); err == nil {
				return d
			}
		}
	}
	return c.srv.cfg.StatementTimeoutDefault
}

// parseTimeout parses a PostgreSQL time setting: a number with an optional
// unit (us, ms, s, min, h, d); no unit means milliseconds.
func parseTimeout(v string) (time.Duration, error) {
	s := strings.TrimSpace(strings.ToLower(v))
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.' || s[i] == '-' || s[i] == '+') {
		i++
	}
	num, unit := s[:i], strings.TrimSpace(s[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 {
		return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"statement_timeout\": %q", v)
	}
	var u time.Duration
	switch unit {
	case "", "ms":
		u = time.Millisecond
	case "us":
		u = time.Microsecond
	case "s":
		u = time.Second
	case "min":
		u = time.Minute
	case "h":
		u = time.Hour
	case "d":
		u = 24 * time.Hour
	default:
		return 0, pgerr.New(pgerr.InvalidParameterValue, "invalid value for parameter \"statement_timeout\": %q", v).
			WithHint(`Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".`)
	}
	return time.Duration(f * float64(u)), nil
}
