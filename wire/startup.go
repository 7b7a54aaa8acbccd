package wire

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/keboola/agnes/pgerr"
)

// Codes of the untyped startup-phase packets.
const (
	sslRequestCode    = 80877103
	gssEncRequestCode = 80877104
	cancelRequestCode = 80877102
	// maxStartupPacket is PostgreSQL's MAX_STARTUP_PACKET_LENGTH.
	maxStartupPacket = 10000
	// newestMinorProtocol is the newest protocol 3.x this server speaks.
	newestMinorProtocol = 2
)

// readStartupPacket reads one length-prefixed startup packet straight from
// the transport. Nothing is buffered, so bytes a client sends after
// SSLRequest and before the TLS handshake cannot be read as if they had
// been encrypted (CVE-2021-23214).
func (c *conn) readStartupPacket() (uint32, []byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(c.nc, hdr[:]); err != nil {
		return 0, nil, &ioError{err}
	}
	n := int(int32(binary.BigEndian.Uint32(hdr[:]))) - 4
	if n < 4 || n > maxStartupPacket {
		return 0, nil, &messageError{pgerr.New(pgerr.ProtocolViolation, "invalid length of startup packet")}
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(c.nc, body); err != nil {
		return 0, nil, &ioError{err}
	}
	return binary.BigEndian.Uint32(body), body, nil
}

// writeRaw writes bytes that are not a typed message (the answer to
// SSLRequest).
func (c *conn) writeRaw(b []byte) error {
	_, err := c.nc.Write(b)
	return err
}

// startup runs the connection from its first byte to ReadyForQuery: TLS
// negotiation, StartupMessage, authentication, the session and its
// parameters. It reports whether the command loop should run.
func (c *conn) startup() bool {
	cfg := &c.srv.cfg
	deadline := time.Now().Add(cfg.AuthTimeout)
	_ = c.nc.SetDeadline(deadline)
	ctx, cancel := context.WithDeadline(c.ctx, deadline)
	defer cancel()

	var body []byte
	for {
		code, b, err := c.readStartupPacket()
		if err != nil {
			c.startupReadFailed(err)
			return false
		}
		switch code {
		case sslRequestCode:
			if c.tlsState != nil {
				c.sendFatal(pgerr.New(pgerr.ProtocolViolation, "SSLRequest received on an encrypted connection"))
				return false
			}
			if cfg.TLSConfig == nil {
				if c.writeRaw([]byte{'N'}) != nil {
					return false
				}
				continue
			}
			if c.writeRaw([]byte{'S'}) != nil || !c.handshakeTLS(ctx) {
				return false
			}
			continue
		case gssEncRequestCode:
			if c.writeRaw([]byte{'N'}) != nil {
				return false
			}
			continue
		case cancelRequestCode:
			c.handleCancelRequest(b)
			return false
		}
		body = b
		break
	}

	if !c.readStartupMessage(body) {
		return false
	}
	c.rd = bufio.NewReaderSize(c.nc, 8<<10)

	p, ok := c.authenticate(ctx)
	if !ok {
		return false
	}
	c.principal = p

	db := c.params["database"]
	if db != "" && db != cfg.Database {
		c.sendFatal(pgerr.Fatal(pgerr.InvalidCatalogName, "database %q does not exist", db).
			WithHint("Connect to database %q.", cfg.Database))
		return false
	}

	secretLen := 4
	if c.protoMinor >= 2 {
		secretLen = 32
	}
	c.pid, c.secret = c.srv.cancels.register(c, secretLen)
	sess, err := c.srv.backend.NewSession(ctx, p, SessionInfo{
		RemoteAddr:    c.remote,
		StartupParams: c.params,
		ProcessID:     c.pid,
		TLS:           c.tlsState != nil,
	})
	if err != nil {
		pe := c.pgError(ctx, err)
		c.log.Warn("opening session failed", "user", c.user, "err", err)
		c.sendFatal(pe)
		return false
	}
	c.sess = sess

	c.sendStatusParams()
	c.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret})
	c.readyForQuery()
	if c.writeErr != nil {
		return false
	}
	_ = c.nc.SetDeadline(time.Time{})
	c.releaseSlot()
	c.log.Info("session started", "principal", p.UserID, "tls", c.tlsState != nil,
		"application_name", c.params["application_name"], "protocol", 3*10+c.protoMinor)
	return true
}

// startupReadFailed logs (and where useful answers) a failed startup read.
func (c *conn) startupReadFailed(err error) {
	var me *messageError
	if errors.As(err, &me) {
		c.log.Warn("invalid startup packet", "err", me.pe.Message)
		c.sendFatal(me.pe)
		return
	}
	if !errors.Is(err, io.EOF) {
		c.log.Info("connection lost during startup", "err", err)
	}
}

// readStartupMessage checks the protocol version and parameters of the
// StartupMessage and negotiates the protocol version.
func (c *conn) readStartupMessage(body []byte) bool {
	version := binary.BigEndian.Uint32(body)
	major, minor := version>>16, int(version&0xffff)
	if major != 3 {
		c.sendFatal(pgerr.New(pgerr.FeatureNotSupported,
			"unsupported frontend protocol %d.%d: server supports 3.0 to 3.%d", major, minor, newestMinorProtocol))
		return false
	}
	// pgproto3 decodes only 3.0 and 3.2; the parameter layout is the same
	// for every 3.x.
	decodable := slices.Clone(body)
	binary.BigEndian.PutUint32(decodable, pgproto3.ProtocolVersion30)
	var sm pgproto3.StartupMessage
	if err := sm.Decode(decodable); err != nil {
		c.sendFatal(pgerr.New(pgerr.ProtocolViolation, "invalid startup packet layout: expected terminator as last byte"))
		return false
	}
	c.protoMinor = min(minor, newestMinorProtocol)
	if minor == 1 {
		c.protoMinor = 0 // 3.1 was never used; it behaves as 3.0
	}

	c.params = make(map[string]string, len(sm.Parameters))
	var unrecognized []string
	for k, v := range sm.Parameters {
		if strings.HasPrefix(k, "_pq_.") {
			unrecognized = append(unrecognized, k)
			continue
		}
		if pe := checkString(v); pe != nil {
			c.sendFatal(pe)
			return false
		}
		c.params[k] = v
	}
	if minor > newestMinorProtocol || len(unrecognized) > 0 {
		slices.Sort(unrecognized)
		c.send(&pgproto3.NegotiateProtocolVersion{
			NewestMinorProtocol: uint32(min(minor, newestMinorProtocol)),
			UnrecognizedOptions: unrecognized,
		})
	}

	c.user = c.params["user"]
	if c.user == "" {
		c.sendFatal(pgerr.New(pgerr.InvalidAuthorizationSpec, "no PostgreSQL user name specified in startup packet"))
		return false
	}
	if r := c.params["replication"]; r != "" && r != "false" && r != "off" && r != "no" && r != "0" {
		c.sendFatal(pgerr.New(pgerr.FeatureNotSupported, "replication connections are not supported"))
		return false
	}
	c.log = c.log.With("user", c.user)
	return true
}

// handshakeTLS upgrades the transport after answering 'S'.
func (c *conn) handshakeTLS(ctx context.Context) bool {
	cfg, served := perConnectionTLS(c.srv.cfg.TLSConfig)
	tc := tls.Server(c.nc, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		c.log.Info("TLS handshake failed", "err", err)
		return false
	}
	st := tc.ConnectionState()
	c.tlsState = &st
	c.tlsCert = *served
	if base := c.srv.cfg.TLSConfig; c.tlsCert == nil && len(base.Certificates) == 1 {
		// a resumed TLS session chooses no certificate; it is the only one
		c.tlsCert = &base.Certificates[0]
	}
	c.nc = tc
	return true
}

// handleCancelRequest cancels the statement of the session whose key the
// packet carries. Like PostgreSQL it answers nothing either way.
func (c *conn) handleCancelRequest(body []byte) {
	var cr pgproto3.CancelRequest
	if err := cr.Decode(body); err != nil {
		c.log.Info("invalid cancel request", "err", err)
		return
	}
	if !c.srv.cancels.cancel(cr.ProcessID, cr.SecretKey) {
		c.log.Info("cancel request for an unknown key", "pid", cr.ProcessID)
	}
}

// rejectStartup answers a connection over the MaxStartups cap: it still
// serves a CancelRequest (cheap, and wanted most when the server is busy),
// declines encryption, and sends 53300 to a StartupMessage.
func (c *conn) rejectStartup() {
	_ = c.nc.SetDeadline(time.Now().Add(5 * time.Second))
	for range 3 {
		code, body, err := c.readStartupPacket()
		if err != nil {
			return
		}
		switch code {
		case sslRequestCode, gssEncRequestCode:
			if c.writeRaw([]byte{'N'}) != nil {
				return
			}
			continue
		case cancelRequestCode:
			c.handleCancelRequest(body)
			return
		}
		break
	}
	c.log.Warn("too many connections in startup; refusing", "max_startups", c.srv.cfg.MaxStartups)
	c.sendFatal(pgerr.New(pgerr.TooManyConnections, "sorry, too many clients already"))
}

// sendStatusParams sends ParameterStatus for every parameter the session
// reports, plus the ones clients rely on that it left out.
func (c *conn) sendStatusParams() {
	params := make(map[string]string)
	for k, v := range c.sess.StatusParams() {
		params[k] = v
	}
	defaults := map[string]string{
		"server_version":                c.srv.cfg.ServerVersion,
		"server_encoding":               "UTF8",
		"client_encoding":               "UTF8",
		"DateStyle":                     "ISO, MDY",
		"IntervalStyle":                 "postgres",
		"TimeZone":                      "UTC",
		"integer_datetimes":             "on",
		"standard_conforming_strings":   "on",
		"is_superuser":                  "off",
		"session_authorization":         c.user,
		"application_name":              c.params["application_name"],
		"default_transaction_read_only": "off",
		"in_hot_standby":                "off",
	}
	for k, v := range defaults {
		if _, ok := params[k]; !ok {
			params[k] = v
		}
	}
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		c.send(&pgproto3.ParameterStatus{Name: k, Value: params[k]})
	}
}
