package wire

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/keboola/agnes/rbac"
)

// pgConnect connects with pgx and returns the connection or the error.
func pgConnect(t *testing.T, connString string) (*pgx.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, connString)
	if err == nil {
		t.Cleanup(func() { _ = conn.Close(context.Background()) })
	}
	return conn, err
}

// pgCode extracts the SQLSTATE and message of a pgx error.
func pgCode(err error) (string, string) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code, pe.Message
	}
	return "", ""
}

func TestSCRAMLogin(t *testing.T) {
	srv, b := startServer(t, Config{})
	for _, tok := range []string{aliceTok1, aliceTok2} {
		conn, err := pgConnect(t, dsn(srv, aliceEmail, tok))
		if err != nil {
			t.Fatalf("token %s: %v", tok, err)
		}
		var n int
		if err := conn.QueryRow(context.Background(), "SELECT 42").Scan(&n); err != nil || n != 42 {
			t.Fatalf("query: %v %v", n, err)
		}
	}
	// the user id works as the login name too
	if _, err := pgConnect(t, dsn(srv, "u-bob", bobTok)); err != nil {
		t.Fatalf("login by user id: %v", err)
	}
	got := b.attempts()
	want := []loginAttempt{
		{aliceEmail, methodSCRAM, true, "", "tok-a1"},
		{aliceEmail, methodSCRAM, true, "", "tok-a2"},
		{"u-bob", methodSCRAM, true, "", "tok-b"},
	}
	if len(got) != len(want) {
		t.Fatalf("audit: %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("audit[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	srv, b := startServer(t, Config{})
	cases := []struct{ user, password string }{
		{aliceEmail, "wrong-token"},
		{aliceEmail, bobTok}, // another user's token
		{"ghost@example.com", "anything"},
	}
	for _, tc := range cases {
		_, err := pgConnect(t, dsn(srv, tc.user, tc.password))
		code, msg := pgCode(err)
		want := `password authentication failed for user "` + tc.user + `"`
		if code != "28P01" || msg != want {
			t.Fatalf("%s/%s: got %s %q (%v), want 28P01 %q", tc.user, tc.password, code, msg, err, want)
		}
	}
	for _, a := range b.attempts() {
		if a.ok || a.method != methodSCRAM || a.reason == "" {
			t.Fatalf("audit of a failure: %+v", a)
		}
	}
	if len(b.attempts()) != len(cases) {
		t.Fatalf("audited %d attempts, want %d", len(b.attempts()), len(cases))
	}
}

// scramFirst starts a SCRAM exchange for user and returns the
// server-first-message.
func scramFirst(t *testing.T, srv *Server, user string) string {
	t.Helper()
	rc := rawConnect(t, srv)
	rc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": user}})
	sasl, ok := rc.recv().(*pgproto3.AuthenticationSASL)
	if !ok || len(sasl.AuthMechanisms) != 1 || sasl.AuthMechanisms[0] != "SCRAM-SHA-256" {
		t.Fatalf("expected SCRAM-SHA-256 only, got %#v", sasl)
	}
	nonce := make([]byte, 18)
	_, _ = rand.Read(nonce)
	rc.send(&pgproto3.SASLInitialResponse{AuthMechanism: "SCRAM-SHA-256",
		Data: []byte("n,,n=,r=" + base64.StdEncoding.EncodeToString(nonce))})
	cont, ok := rc.recv().(*pgproto3.AuthenticationSASLContinue)
	if !ok {
		t.Fatal("expected AuthenticationSASLContinue")
	}
	return string(cont.Data)
}

func scramSalt(t *testing.T, serverFirst string) string {
	t.Helper()
	var salt, iters string
	for _, f := range strings.Split(serverFirst, ",") {
		switch {
		case strings.HasPrefix(f, "s="):
			salt = f[2:]
		case strings.HasPrefix(f, "i="):
			iters = f[2:]
		}
	}
	if salt == "" || iters != "4096" {
		t.Fatalf("server-first-message %q", serverFirst)
	}
	raw, err := base64.StdEncoding.DecodeString(salt)
	if err != nil || len(raw) != 16 {
		t.Fatalf("salt %q: %v", salt, err)
	}
	return salt
}

func TestMockSaltForUnknownUsers(t *testing.T) {
	srv, _ := startServer(t, Config{MockSaltSecret: []byte("test secret")})
	a1 := scramSalt(t, scramFirst(t, srv, "ghost-a@example.com"))
	a2 := scramSalt(t, scramFirst(t, srv, "ghost-a@example.com"))
	b := scramSalt(t, scramFirst(t, srv, "ghost-b@example.com"))
	if a1 != a2 {
		t.Fatalf("fake salt changed between attempts: %s %s", a1, a2)
	}
	if a1 == b {
		t.Fatalf("two unknown users got the same fake salt %s", a1)
	}
	// a real user's salt is stable as well, and not the fake one
	r1 := scramSalt(t, scramFirst(t, srv, aliceEmail))
	r2 := scramSalt(t, scramFirst(t, srv, aliceEmail))
	if r1 != r2 {
		t.Fatalf("real salt changed: %s %s", r1, r2)
	}
}

func TestCleartextOnlyWhenAllowed(t *testing.T) {
	t.Run("not allowed", func(t *testing.T) {
		srv, b := startServer(t, Config{})
		rc := rawConnect(t, srv)
		rc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": aliceEmail}})
		if _, ok := rc.recv().(*pgproto3.AuthenticationSASL); !ok {
			t.Fatal("server did not require SCRAM")
		}
		// a client that answers with a cleartext password anyway
		rc.send(&pgproto3.PasswordMessage{Password: aliceTok1})
		expectClosed(t, rc, "08P01")
		if a := b.attempts(); len(a) != 1 || a[0].ok {
			t.Fatalf("audit: %+v", a)
		}
	})
	t.Run("allowed on loopback", func(t *testing.T) {
		srv, b := startServer(t, cleartext)
		conn, err := pgConnect(t, dsn(srv, aliceEmail, aliceTok2))
		if err != nil {
			t.Fatal(err)
		}
		_ = conn
		if a := b.attempts(); len(a) != 1 || !a[0].ok || a[0].method != methodPassword || a[0].token != "tok-a2" {
			t.Fatalf("audit: %+v", a)
		}
		_, err = pgConnect(t, dsn(srv, aliceEmail, "bad"))
		if code, _ := pgCode(err); code != "28P01" {
			t.Fatalf("bad cleartext password: %v", err)
		}
	})
}

func TestLoginBackoff(t *testing.T) {
	srv, _ := startServer(t, Config{AuthFailureBurst: 2, AuthFailureRefill: time.Hour})
	for range 2 {
		_, err := pgConnect(t, dsn(srv, aliceEmail, "wrong"))
		if code, _ := pgCode(err); code != "28P01" {
			t.Fatalf("failure: %v", err)
		}
	}
	// now even the right token is refused, for this address and user
	_, err := pgConnect(t, dsn(srv, aliceEmail, aliceTok1))
	code, msg := pgCode(err)
	if code != "53300" || !strings.Contains(msg, "too many failed login attempts") {
		t.Fatalf("after the burst: %v", err)
	}
}

func TestLoginLimiterKeys(t *testing.T) {
	l := rbac.NewFailureLimiter(1, time.Hour)
	l.Fail(limiterKeys("10.0.0.1", "Alice@Example.com")...)
	if l.Wait(limiterKeys("10.0.0.1", "someone")...) == 0 {
		t.Fatal("address not limited")
	}
	if l.Wait(limiterKeys("10.0.0.2", "alice@example.com")...) == 0 {
		t.Fatal("user not limited (case-insensitive)")
	}
	if w := l.Wait(limiterKeys("10.0.0.2", "bob")...); w != 0 {
		t.Fatalf("unrelated client waits %v", w)
	}
}

func TestStartupChecks(t *testing.T) {
	srv, _ := startServer(t, Config{Database: "analytics", AuthTimeout: 300 * time.Millisecond})
	t.Run("unknown database", func(t *testing.T) {
		u := strings.Replace(dsn(srv, aliceEmail, aliceTok1), "/agnes", "/other", 1)
		_, err := pgConnect(t, u)
		if code, msg := pgCode(err); code != "3D000" || msg != `database "other" does not exist` {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("configured database", func(t *testing.T) {
		u := strings.Replace(dsn(srv, aliceEmail, aliceTok1), "/agnes", "/analytics", 1)
		conn, err := pgConnect(t, u)
		if err != nil {
			t.Fatal(err)
		}
		pc := conn.PgConn()
		for name, want := range map[string]string{
			"server_version": "16.4 (Agnes test)", "server_encoding": "UTF8", "client_encoding": "UTF8",
			"DateStyle": "ISO, MDY", "integer_datetimes": "on", "standard_conforming_strings": "on",
			"TimeZone": "UTC", "IntervalStyle": "postgres", "is_superuser": "off",
			"session_authorization": aliceEmail,
		} {
			if got := pc.ParameterStatus(name); got != want {
				t.Errorf("ParameterStatus %s = %q, want %q", name, got, want)
			}
		}
		if pc.PID() == 0 || len(pc.SecretKey()) != 4 {
			t.Errorf("BackendKeyData pid %d, key %x", pc.PID(), pc.SecretKey())
		}
	})
	t.Run("no user", func(t *testing.T) {
		rc := rawConnect(t, srv)
		rc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"database": "analytics"}})
		expectClosed(t, rc, "28000")
	})
	t.Run("authentication timeout", func(t *testing.T) {
		rc := rawConnect(t, srv)
		rc.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": aliceEmail}})
		if _, ok := rc.recv().(*pgproto3.AuthenticationSASL); !ok {
			t.Fatal("expected SASL")
		}
		// never answer: the server must hang up
		if _, err := rc.fe.Receive(); err == nil {
			t.Fatal("connection still open")
		}
	})
}

func TestMaxStartups(t *testing.T) {
	srv, _ := startServer(t, Config{MaxStartups: 1})
	// one client stuck in authentication holds the only slot
	stuck := rawConnect(t, srv)
	stuck.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: map[string]string{"user": aliceEmail}})
	if _, ok := stuck.recv().(*pgproto3.AuthenticationSASL); !ok {
		t.Fatal("expected SASL")
	}
	_, err := pgConnect(t, dsn(srv, aliceEmail, aliceTok1))
	if code, msg := pgCode(err); code != "53300" || msg != "sorry, too many clients already" {
		t.Fatalf("second startup: %v", err)
	}
	_ = stuck.nc.Close()
	// the slot is released when the stuck connection ends
	var lastErr error
	for range 200 {
		if _, lastErr = pgConnect(t, dsn(srv, aliceEmail, aliceTok1)); lastErr == nil {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("startup slot never released: %v", lastErr)
}

func TestProtocolNegotiation(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	t.Run("unknown _pq_ option and newer minor", func(t *testing.T) {
		rc := rawConnect(t, srv)
		rc.send(&pgproto3.StartupMessage{ProtocolVersion: 3<<16 | 5, Parameters: map[string]string{
			"user": aliceEmail, "_pq_.compression": "on"}})
		npv, ok := rc.recv().(*pgproto3.NegotiateProtocolVersion)
		if !ok || npv.NewestMinorProtocol != 2 || len(npv.UnrecognizedOptions) != 1 || npv.UnrecognizedOptions[0] != "_pq_.compression" {
			t.Fatalf("NegotiateProtocolVersion = %#v", npv)
		}
		if _, ok := rc.recv().(*pgproto3.AuthenticationCleartextPassword); !ok {
			t.Fatal("expected authentication to follow")
		}
	})
	t.Run("protocol 3.2 with pgx", func(t *testing.T) {
		conn, err := pgConnect(t, dsn(srv, aliceEmail, aliceTok1, "max_protocol_version", "3.2"))
		if err != nil {
			t.Fatal(err)
		}
		if n := len(conn.PgConn().SecretKey()); n != 32 {
			t.Fatalf("3.2 secret key length %d, want 32", n)
		}
		var s string
		if err := conn.QueryRow(context.Background(), "SELECT 'ok'").Scan(&s); err != nil || s != "ok" {
			t.Fatalf("query on 3.2: %q %v", s, err)
		}
	})
	t.Run("GSSENCRequest declined", func(t *testing.T) {
		rc := rawConnect(t, srv)
		if _, err := rc.nc.Write([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30}); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, 1)
		if _, err := rc.nc.Read(b); err != nil || b[0] != 'N' {
			t.Fatalf("answer %q %v", b, err)
		}
	})
}
