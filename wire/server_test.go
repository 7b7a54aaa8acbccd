package wire

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgproto3"
)

// testLogWriter forwards server logs to the test log.
type testLogWriter struct{ t testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// startServer runs a Server with a fresh test backend on 127.0.0.1:0. At
// cleanup it shuts the server down and fails the test if any connection
// goroutine panicked.
func startServer(t testing.TB, cfg Config) (*Server, *testBackend) {
	t.Helper()
	b, err := newTestBackend()
	if err != nil {
		t.Fatal(err)
	}
	return startServerWith(t, cfg, b), b
}

func startServerWith(t testing.TB, cfg Config, b Backend) *Server {
	t.Helper()
	if cfg.Logger == nil {
		var w io.Writer = io.Discard
		if testing.Verbose() {
			w = testLogWriter{t}
		}
		cfg.Logger = slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	srv := NewServer(cfg, b)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	for srv.Addr() == nil {
		time.Sleep(time.Millisecond)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; err != ErrServerClosed {
			t.Errorf("Serve returned %v, want ErrServerClosed", err)
		}
		if n := srv.panics.Load(); n != 0 {
			t.Errorf("%d connection goroutines panicked", n)
		}
	})
	return srv
}

// dsn is a connection URL for the test server.
func dsn(srv *Server, user, password string, params ...string) string {
	u := url.URL{
		Scheme: "postgres",
		User:   url.UserPassword(user, password),
		Host:   srv.Addr().String(),
		Path:   "/agnes",
	}
	q := url.Values{}
	q.Set("sslmode", "disable")
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// connect opens a pgx connection as alice; cancelling a query context
// sends a CancelRequest (and keeps the connection) instead of pgx's
// default of closing the socket.
func connect(t testing.TB, srv *Server, params ...string) *pgx.Conn {
	t.Helper()
	cfg, err := pgx.ParseConfig(dsn(srv, aliceEmail, aliceTok1, params...))
	if err != nil {
		t.Fatal(err)
	}
	cfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: c, CancelRequestDelay: 0, DeadlineDelay: 10 * time.Second}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

// rawConn is a protocol-level client.
type rawConn struct {
	t  testing.TB
	nc net.Conn
	fe *pgproto3.Frontend
}

// rawConnect opens a TCP connection without any handshake.
func rawConnect(t testing.TB, srv *Server) *rawConn {
	t.Helper()
	nc, err := net.Dial("tcp", srv.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
	t.Cleanup(func() { _ = nc.Close() })
	return &rawConn{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

// rawLogin connects and logs in as alice with a cleartext password (the
// server must allow it on loopback) and reads up to ReadyForQuery.
func rawLogin(t testing.TB, srv *Server) (*rawConn, *pgproto3.BackendKeyData) {
	t.Helper()
	rc := rawConnect(t, srv)
	rc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": aliceEmail, "database": "agnes"}})
	if _, ok := rc.recv().(*pgproto3.AuthenticationCleartextPassword); !ok {
		t.Fatal("expected AuthenticationCleartextPassword")
	}
	rc.send(&pgproto3.PasswordMessage{Password: aliceTok1})
	var key *pgproto3.BackendKeyData
	for {
		switch m := rc.recv().(type) {
		case *pgproto3.BackendKeyData:
			k := *m
			k.SecretKey = append([]byte(nil), m.SecretKey...)
			key = &k
		case *pgproto3.ReadyForQuery:
			return rc, key
		case *pgproto3.ErrorResponse:
			t.Fatalf("login failed: %s", m.Message)
		}
	}
}

func (rc *rawConn) send(msgs ...pgproto3.FrontendMessage) {
	rc.t.Helper()
	for _, m := range msgs {
		rc.fe.Send(m)
	}
	if err := rc.fe.Flush(); err != nil {
		rc.t.Fatal(err)
	}
}

func (rc *rawConn) recv() pgproto3.BackendMessage {
	rc.t.Helper()
	m, err := rc.fe.Receive()
	if err != nil {
		rc.t.Fatalf("receive: %v", err)
	}
	return m
}

// until reads messages up to and including ReadyForQuery and returns a
// compact trace of them, e.g. "1 2 T D D C Z:I".
func (rc *rawConn) until() []string {
	rc.t.Helper()
	var trace []string
	for {
		m := rc.recv()
		trace = append(trace, traceOf(m))
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			return trace
		}
	}
}

// traceOf names a backend message in one short token.
func traceOf(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.ParseComplete:
		return "ParseComplete"
	case *pgproto3.BindComplete:
		return "BindComplete"
	case *pgproto3.CloseComplete:
		return "CloseComplete"
	case *pgproto3.NoData:
		return "NoData"
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("ParameterDescription%v", m.ParameterOIDs)
	case *pgproto3.RowDescription:
		var parts []string
		for _, f := range m.Fields {
			parts = append(parts, fmt.Sprintf("%s:%d", f.Name, f.DataTypeOID))
		}
		return "RowDescription[" + strings.Join(parts, ",") + "]"
	case *pgproto3.DataRow:
		var parts []string
		for _, v := range m.Values {
			if v == nil {
				parts = append(parts, "NULL")
			} else {
				parts = append(parts, string(v))
			}
		}
		return "DataRow[" + strings.Join(parts, ",") + "]"
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.PortalSuspended:
		return "PortalSuspended"
	case *pgproto3.EmptyQueryResponse:
		return "EmptyQueryResponse"
	case *pgproto3.ErrorResponse:
		return "Error " + m.Code + " " + m.Message
	case *pgproto3.NoticeResponse:
		return "Notice " + m.Message
	case *pgproto3.ReadyForQuery:
		return "ReadyForQuery " + string(m.TxStatus)
	case *pgproto3.ParameterStatus:
		return "ParameterStatus " + m.Name + "=" + m.Value
	case *pgproto3.CopyOutResponse:
		return "CopyOutResponse"
	case *pgproto3.CopyData:
		return "CopyData " + string(m.Data)
	case *pgproto3.CopyDone:
		return "CopyDone"
	}
	return fmt.Sprintf("%T", m)
}

func TestSmokeSelect1(t *testing.T) {
	srv, _ := startServer(t, Config{})
	conn := connect(t, srv)
	var n int
	if err := conn.QueryRow(context.Background(), "SELECT 1").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("got %d", n)
	}
}

func TestShutdown(t *testing.T) {
	srv, _ := startServer(t, Config{})
	idle := connect(t, srv)
	busy := connect(t, srv)
	busyErr := make(chan error, 1)
	go func() {
		_, err := busy.Exec(context.Background(), slowQuery)
		busyErr <- err
	}()
	time.Sleep(300 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	if err := srv.Shutdown(ctx); err != context.DeadlineExceeded {
		t.Fatalf("Shutdown with a statement still running = %v, want deadline exceeded", err)
	}
	for name, err := range map[string]error{
		"busy": <-busyErr,
		"idle": func() error { _, err := idle.Exec(context.Background(), "SELECT 1"); return err }(),
	} {
		if code, msg := pgCode(err); code != "57P01" || msg != "terminating connection due to administrator command" {
			t.Errorf("%s session: %v", name, err)
		}
	}
	if _, err := pgConnect(t, dsn(srv, aliceEmail, aliceTok1)); err == nil {
		t.Fatal("connected after Shutdown")
	}
}

func TestListenAndServe(t *testing.T) {
	b, err := newTestBackend()
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(Config{Listen: "127.0.0.1:0", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, b)
	done := make(chan error, 1)
	go func() { done <- srv.ListenAndServe() }()
	for srv.Addr() == nil {
		time.Sleep(time.Millisecond)
	}
	conn, err := pgConnect(t, dsn(srv, bobEmail, bobTok))
	if err != nil {
		t.Fatal(err)
	}
	var s string
	if err := conn.QueryRow(context.Background(), "SELECT 'up'").Scan(&s); err != nil || s != "up" {
		t.Fatalf("%q %v", s, err)
	}
	_ = conn.Close(context.Background())
	if err := srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != ErrServerClosed {
		t.Fatalf("ListenAndServe returned %v", err)
	}
}
