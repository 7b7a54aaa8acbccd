package wire

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// slowQuery runs for minutes unless cancelled.
const slowQuery = "SELECT count(*) FROM range(1000000000000)"

func TestCancelWithPgxContext(t *testing.T) {
	srv, _ := startServer(t, Config{})
	conn := connect(t, srv)
	for range 2 { // and the connection stays usable for another round
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(300*time.Millisecond, cancel)
		_, err := conn.Exec(ctx, slowQuery)
		cancel()
		code, msg := pgCode(err)
		if code != "57014" || msg != "canceling statement due to user request" {
			t.Fatalf("got %v", err)
		}
		var n int
		if err := conn.QueryRow(context.Background(), "SELECT 1").Scan(&n); err != nil || n != 1 {
			t.Fatalf("after cancel: %v %v", n, err)
		}
	}
}

func TestStatementTimeout(t *testing.T) {
	t.Run("session setting", func(t *testing.T) {
		srv, _ := startServer(t, Config{})
		conn := connect(t, srv)
		ctx := context.Background()
		if _, err := conn.Exec(ctx, "SET statement_timeout = '200ms'"); err != nil {
			t.Fatal(err)
		}
		_, err := conn.Exec(ctx, slowQuery)
		if code, msg := pgCode(err); code != "57014" || msg != "canceling statement due to statement timeout" {
			t.Fatalf("got %v", err)
		}
		if _, err := conn.Exec(ctx, "SET statement_timeout = 0"); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
			t.Fatalf("after timeout: %v %v", n, err)
		}
	})
	t.Run("server default", func(t *testing.T) {
		srv, _ := startServer(t, Config{StatementTimeoutDefault: 200 * time.Millisecond})
		conn := connect(t, srv)
		_, err := conn.Exec(context.Background(), slowQuery)
		if code, _ := pgCode(err); code != "57014" {
			t.Fatalf("got %v", err)
		}
	})
}

func TestCancelRequestProtocol32(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc := rawConnect(t, srv)
	rc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32,
		Parameters: map[string]string{"user": aliceEmail}})
	if _, ok := rc.recv().(*pgproto3.AuthenticationCleartextPassword); !ok {
		t.Fatal("expected password request")
	}
	rc.send(&pgproto3.PasswordMessage{Password: aliceTok1})
	var key pgproto3.BackendKeyData
	for {
		m := rc.recv()
		if k, ok := m.(*pgproto3.BackendKeyData); ok {
			key = pgproto3.BackendKeyData{ProcessID: k.ProcessID, SecretKey: append([]byte(nil), k.SecretKey...)}
		}
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
	if len(key.SecretKey) != 32 {
		t.Fatalf("secret key length %d", len(key.SecretKey))
	}
	rc.send(&pgproto3.Query{String: slowQuery})
	time.Sleep(200 * time.Millisecond)

	sendCancel := func(secret []byte) {
		nc, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		buf, _ := (&pgproto3.CancelRequest{ProcessID: key.ProcessID, SecretKey: secret}).Encode(nil)
		if _, err := nc.Write(buf); err != nil {
			t.Fatal(err)
		}
		// the server answers nothing and closes
		_ = nc.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, _ := nc.Read(make([]byte, 1)); n != 0 {
			t.Fatal("server answered a CancelRequest")
		}
	}
	sendCancel(key.SecretKey)
	got := rc.until()
	if len(got) != 2 || got[0] != "Error 57014 canceling statement due to user request" || got[1] != "ReadyForQuery I" {
		t.Fatalf("after cancel: %q", got)
	}
	rc.send(&pgproto3.Query{String: "SELECT 3 AS x"})
	expectTrace(t, rc.until(), "RowDescription[x:23]", "DataRow[3]", "CommandComplete SELECT 1", "ReadyForQuery I")
}

func TestCancelRegistry(t *testing.T) {
	r := cancelRegistry{conns: map[uint32]*conn{}}
	c := &conn{}
	cancelled := 0
	c.running = func(error) { cancelled++ }
	pid, secret := r.register(c, 4)
	c.secret = secret
	wrong := append([]byte(nil), secret...)
	wrong[0] ^= 1
	if r.cancel(pid, wrong) || r.cancel(pid, secret[:3]) || r.cancel(pid+1, secret) {
		t.Fatal("a wrong key matched")
	}
	if cancelled != 0 {
		t.Fatal("a wrong key cancelled the statement")
	}
	if !r.cancel(pid, secret) || cancelled != 1 {
		t.Fatal("the right key did not cancel")
	}
	r.unregister(pid)
	if r.cancel(pid, secret) {
		t.Fatal("an ended session was cancelled")
	}
}

func TestDisconnectStopsQuery(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc, _ := rawLogin(t, srv)
	rc.send(&pgproto3.Query{String: slowQuery})
	time.Sleep(200 * time.Millisecond)
	_ = rc.nc.Close()
	waitSessionsGone(t, srv)
}

// TestDisconnectStopsQueryAfterIdle: the disconnect watch is one timer per
// connection that disarms when it finds nothing running; a slow statement
// after fast ones and an idle spell is still stopped when its client goes.
func TestDisconnectStopsQueryAfterIdle(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc, _ := rawLogin(t, srv)
	for range 20 {
		rc.send(&pgproto3.Query{String: "SELECT 1"})
		if tr := rc.until(); tr[len(tr)-1] != "ReadyForQuery I" {
			t.Fatalf("SELECT 1: %v", tr)
		}
	}
	time.Sleep(disconnectPoll + 300*time.Millisecond) // the watch fires idle and disarms
	rc.send(&pgproto3.Query{String: "SELECT 1"})
	rc.until()
	rc.send(&pgproto3.Query{String: slowQuery})
	time.Sleep(200 * time.Millisecond)
	_ = rc.nc.Close()
	waitSessionsGone(t, srv)
}

// waitSessionsGone fails unless every session of srv ends soon, long before
// slowQuery could finish.
func waitSessionsGone(t *testing.T, srv *Server) {
	t.Helper()
	for range 400 {
		srv.mu.Lock()
		n := len(srv.conns)
		srv.mu.Unlock()
		if n == 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("query kept running after the client disconnected")
}

func TestParseTimeout(t *testing.T) {
	cases := map[string]time.Duration{
		"0": 0, "5000": 5 * time.Second, "5s": 5 * time.Second, "1min": time.Minute, "250ms": 250 * time.Millisecond,
		"1.5s": 1500 * time.Millisecond, " 2 h ": 2 * time.Hour, "100us": 100 * time.Microsecond, "1d": 24 * time.Hour,
	}
	for in, want := range cases {
		got, err := parseTimeout(in)
		if err != nil || got != want {
			t.Errorf("parseTimeout(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "x", "5 parsecs", "-1"} {
		if _, err := parseTimeout(bad); err == nil {
			t.Errorf("parseTimeout(%q) accepted", bad)
		}
	}
}
