package wire

import (
	"context"
	"errors"
	"math"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/keboola/agnes/pgerr"
	"github.com/keboola/agnes/rbac"
)

// Authentication. The user name is the startup "user" parameter (an email
// or a user id), the password a personal access token. The server picks
// the method, as PostgreSQL does:
//   - cleartext password (AuthenticationCleartextPassword) only when
//     Config.AllowCleartextLoopback is set and the client connects from a
//     loopback address;
//   - SCRAM-SHA-256 otherwise, and also SCRAM-SHA-256-PLUS
//     (tls-server-end-point channel binding) on TLS.
//
// MD5 is never offered. Every failure, unknown user and wrong token alike,
// is FATAL 28P01 with the same message; an unknown user still runs a full
// SCRAM exchange with a deterministic fake salt. Too many failures from one
// address or for one user name are refused for a while (53300), and every
// attempt is written to the Backend's login audit.

const (
	methodSCRAM     = "scram-sha-256"
	methodSCRAMPlus = "scram-sha-256-plus"
	methodPassword  = "password"
	// maxAuthMessage bounds authentication messages (PostgreSQL's
	// PG_MAX_AUTH_TOKEN_LENGTH).
	maxAuthMessage = 65535
)

// authFailed is the one message for every failed login.
func authFailed(user string) *pgerr.Error {
	return pgerr.Fatal(pgerr.InvalidPassword, "password authentication failed for user %q", user)
}

// authOutcome is what an authentication method found out.
type authOutcome struct {
	principal *rbac.Principal // nil when the credentials were wrong
	method    string
	reason    string // for the audit log when principal is nil
}

// authenticate runs the chosen method, records the attempt and answers
// AuthenticationOk or FATAL.
func (c *conn) authenticate(ctx context.Context) (*rbac.Principal, bool) {
	ip := remoteIP(c.remote)
	if wait := c.srv.limits.Wait(limiterKeys(ip, c.user)...); wait > 0 {
		c.audit(ctx, nil, methodSCRAM, false, "refused: too many failed attempts")
		secs := int(math.Ceil(wait.Seconds()))
		c.sendFatal(pgerr.New(pgerr.TooManyConnections, "too many failed login attempts; try again in %d seconds", secs))
		return nil, false
	}

	var out authOutcome
	var err error
	if c.srv.cfg.AllowCleartextLoopback && isLoopback(c.remote) {
		out, err = c.passwordAuth(ctx)
	} else {
		out, err = c.scramAuth(ctx)
	}
	if err != nil {
		reason := "protocol error: " + err.Error()
		var pe *pgerr.Error
		var ie *ioError
		switch {
		case errors.As(err, &ie):
			reason = "connection lost during authentication"
		case errors.As(err, &pe):
			c.sendFatal(pe)
		default:
			c.log.Error("authentication failed with an internal error", "err", err)
			c.sendFatal(pgerr.New(pgerr.InternalError, "internal error during authentication (session %s)", c.id))
		}
		if out.method == "" {
			out.method = methodSCRAM
		}
		c.audit(ctx, nil, out.method, false, reason)
		return nil, false
	}
	if out.principal == nil {
		c.srv.limits.Fail(limiterKeys(ip, c.user)...)
		c.audit(ctx, nil, out.method, false, out.reason)
		c.log.Info("login failed", "method", out.method, "reason", out.reason)
		c.sendFatal(authFailed(c.user))
		return nil, false
	}
	c.audit(ctx, out.principal, out.method, true, "")
	c.send(&pgproto3.AuthenticationOk{})
	return out.principal, true
}

// audit records a login attempt; the audit must not be skipped because
// the client went away, so it gets its own short context.
func (c *conn) audit(_ context.Context, p *rbac.Principal, method string, ok bool, reason string) {
	actx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c.srv.backend.LoginAudit(actx, c.user, p, c.remote, method, ok, reason)
}

// readAuthMessage reads a 'p' message (password, SASL) into m.
func (c *conn) readAuthMessage(m pgproto3.FrontendMessage) error {
	if err := c.flush(); err != nil {
		return &ioError{err}
	}
	t, n, err := c.readHeader(maxAuthMessage)
	if err != nil {
		var me *messageError
		if errors.As(err, &me) {
			return me.pe
		}
		return err
	}
	body, err := c.readBody(n)
	if err != nil {
		return err
	}
	if t != 'p' {
		if t == 'X' {
			return &ioError{errors.New("client terminated during authentication")}
		}
		return pgerr.New(pgerr.ProtocolViolation, "expected password response, got message type %d", t)
	}
	if err := m.Decode(body); err != nil {
		return pgerr.New(pgerr.ProtocolViolation, "malformed authentication message: %v", err)
	}
	return nil
}

// passwordAuth asks for the token in cleartext.
func (c *conn) passwordAuth(ctx context.Context) (authOutcome, error) {
	out := authOutcome{method: methodPassword}
	c.send(&pgproto3.AuthenticationCleartextPassword{})
	var pm pgproto3.PasswordMessage
	if err := c.readAuthMessage(&pm); err != nil {
		return out, err
	}
	p, err := c.srv.backend.CheckPassword(ctx, c.user, pm.Password)
	if err != nil {
		return out, err
	}
	if p == nil {
		out.reason = "invalid user or token"
	}
	out.principal = p
	return out, nil
}

func isLoopback(a net.Addr) bool {
	ip := addrIP(a)
	return ip != nil && ip.IsLoopback()
}

func addrIP(a net.Addr) net.IP {
	switch v := a.(type) {
	case *net.TCPAddr:
		return v.IP
	case *net.UDPAddr:
		return v.IP
	}
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return nil
	}
	return net.ParseIP(host)
}

// remoteIP is the back-off key of a client address.
func remoteIP(a net.Addr) string {
	if ip := addrIP(a); ip != nil {
		return ip.String()
	}
	return a.String()
}

// limiterKeys are the FailureLimiter keys of a login: the client address
// and the user name.
func limiterKeys(ip, user string) []string {
	return []string{"addr:" + ip, "user:" + strings.ToLower(user)}
}
