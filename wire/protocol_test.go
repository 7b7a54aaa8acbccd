package wire

import (
	"encoding/binary"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

var cleartext = Config{AllowCleartextLoopback: true}

// expectTrace compares a message trace with the expected one.
func expectTrace(t *testing.T, got []string, want ...string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Fatalf("messages:\n  got  %q\n  want %q", got, want)
	}
}

// expectClosed checks that the server sends a FATAL error with code and
// then closes the connection.
func expectClosed(t *testing.T, rc *rawConn, code string) {
	t.Helper()
	for {
		m, err := rc.fe.Receive()
		if err != nil {
			t.Fatalf("connection ended without FATAL %s: %v", code, err)
		}
		if e, ok := m.(*pgproto3.ErrorResponse); ok {
			if e.Severity != "FATAL" || e.Code != code {
				t.Fatalf("got %s %s %q, want FATAL %s", e.Severity, e.Code, e.Message, code)
			}
			break
		}
	}
	if _, err := rc.fe.Receive(); !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) && err == nil {
		t.Fatalf("connection still open after FATAL")
	}
}

func TestExtendedPortalSuspended(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc, _ := rawLogin(t, srv)
	rc.send(
		&pgproto3.Parse{Query: "SELECT range AS n FROM range(5)"},
		&pgproto3.Bind{},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{MaxRows: 2},
		&pgproto3.Execute{MaxRows: 2},
		&pgproto3.Execute{MaxRows: 2},
		&pgproto3.Execute{MaxRows: 2},
		&pgproto3.Sync{},
	)
	expectTrace(t, rc.until(),
		"ParseComplete", "BindComplete", "RowDescription[n:20]",
		"DataRow[0]", "DataRow[1]", "PortalSuspended",
		"DataRow[2]", "DataRow[3]", "PortalSuspended",
		"DataRow[4]", "CommandComplete SELECT 1",
		"CommandComplete SELECT 0",
		"ReadyForQuery I")
}

func TestExtendedSkipUntilSync(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc, _ := rawLogin(t, srv)
	rc.send(
		&pgproto3.Parse{Query: "SELEC 1"},
		&pgproto3.Bind{},
		&pgproto3.Execute{},
		&pgproto3.Parse{Query: "SELECT 2"},
		&pgproto3.Bind{},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
		&pgproto3.Parse{Query: "SELECT 3 AS x"},
		&pgproto3.Bind{},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	// the error may come at Parse or Bind (the test backend plans lazily);
	// nothing after it runs until Sync
	got := rc.until()
	errs := 0
	for _, m := range got {
		if strings.HasPrefix(m, "Error 42601") {
			errs++
		}
		if strings.HasPrefix(m, "DataRow") || strings.HasPrefix(m, "CommandComplete") {
			t.Fatalf("ran a statement after an error: %q", got)
		}
	}
	if errs != 1 || got[len(got)-1] != "ReadyForQuery I" {
		t.Fatalf("after a failing statement: %q", got)
	}
	expectTrace(t, rc.until(), "ParseComplete", "BindComplete", "DataRow[3]", "CommandComplete SELECT 1", "ReadyForQuery I")
}

func TestExtendedPipelineAndFlush(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc, _ := rawLogin(t, srv)
	// postgres.js: Parse/Describe/Flush, and it waits for the answer
	rc.send(
		&pgproto3.Parse{Name: "s1", Query: "SELECT $1::INTEGER + 1 AS a, 'x' AS b"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
		&pgproto3.Flush{},
	)
	var got []string
	for range 3 {
		got = append(got, traceOf(rc.recv()))
	}
	expectTrace(t, got, "ParseComplete", "ParameterDescription[23]", "RowDescription[a:23,b:25]")

	// pipelined: two statements, two portals, one Sync
	rc.send(
		&pgproto3.Bind{PreparedStatement: "s1", Parameters: [][]byte{[]byte("41")}},
		&pgproto3.Execute{},
		&pgproto3.Parse{Name: "s2", Query: "SELECT 'two'"},
		&pgproto3.Bind{DestinationPortal: "p2", PreparedStatement: "s2"},
		&pgproto3.Execute{Portal: "p2"},
		&pgproto3.Close{ObjectType: 'S', Name: "s2"},
		&pgproto3.Execute{Portal: "p2"},
		&pgproto3.Sync{},
	)
	got = rc.until()
	expectTrace(t, got[:7], "BindComplete", "DataRow[42,x]", "CommandComplete SELECT 1",
		"ParseComplete", "BindComplete", "DataRow[two]", "CommandComplete SELECT 1")
	// closing s2 closed its portal p2
	if got[7] != "CloseComplete" || !strings.HasPrefix(got[8], "Error 34000") || got[9] != "ReadyForQuery I" {
		t.Fatalf("close statement: %q", got[7:])
	}
}

func TestExtendedDescribeDoesNotExecute(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc, _ := rawLogin(t, srv)
	rc.send(&pgproto3.Query{String: "CREATE TABLE t (a INTEGER)"})
	rc.until()
	rc.send(
		&pgproto3.Parse{Name: "ins", Query: "INSERT INTO t VALUES (1)"},
		&pgproto3.Describe{ObjectType: 'S', Name: "ins"},
		&pgproto3.Bind{PreparedStatement: "ins"},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Sync{},
	)
	expectTrace(t, rc.until(), "ParseComplete", "ParameterDescription[]", "NoData", "BindComplete", "NoData", "ReadyForQuery I")
	rc.send(&pgproto3.Query{String: "SELECT count(*) AS n FROM t"})
	expectTrace(t, rc.until(), "RowDescription[n:20]", "DataRow[0]", "CommandComplete SELECT 1", "ReadyForQuery I")
}

func TestExtendedErrors(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc, _ := rawLogin(t, srv)
	cases := []struct {
		name string
		msgs []pgproto3.FrontendMessage
		want string
	}{
		{"multiple statements", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "SELECT 1; SELECT 2"}},
			"Error 42601 cannot insert multiple commands into a prepared statement"},
		{"parameter count", []pgproto3.FrontendMessage{&pgproto3.Parse{Name: "p1", Query: "SELECT $1::INTEGER, $2::INTEGER"}, &pgproto3.Bind{PreparedStatement: "p1", Parameters: [][]byte{[]byte("1")}}},
			`Error 08P01 bind message supplies 1 parameters, but prepared statement "p1" requires 2`},
		{"unknown statement", []pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "nope"}},
			`Error 26000 prepared statement "nope" does not exist`},
		{"unknown portal", []pgproto3.FrontendMessage{&pgproto3.Execute{Portal: "nope"}},
			`Error 34000 portal "nope" does not exist`},
		{"duplicate statement", []pgproto3.FrontendMessage{&pgproto3.Parse{Name: "d", Query: "SELECT 1"}, &pgproto3.Parse{Name: "d", Query: "SELECT 1"}},
			`Error 42P05 prepared statement "d" already exists`},
		{"NUL in text parameter", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "SELECT $1::VARCHAR"}, &pgproto3.Bind{Parameters: [][]byte{[]byte("a\x00b")}}},
			`Error 22021 invalid byte sequence for encoding "UTF8": 0x00`},
		{"invalid UTF-8 parameter", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "SELECT $1::VARCHAR"}, &pgproto3.Bind{Parameters: [][]byte{{'a', 0xc3, 0x28}}}},
			`Error 22021 invalid byte sequence for encoding "UTF8": 0xc3 0x28`},
		{"binary parameter of wrong size", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "SELECT $1::INTEGER"}, &pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{1, 2}}}},
			`Error 22P03 incorrect binary data format in bind parameter 1`},
		{"result format count", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "SELECT 1, 2"}, &pgproto3.Bind{ResultFormatCodes: []int16{0, 1, 0}}},
			`Error 08P01 bind message has 3 result formats but query has 2 columns`},
		{"bad integer", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "SELECT $1::INTEGER"}, &pgproto3.Bind{Parameters: [][]byte{[]byte("12x")}}},
			`Error 22P02 invalid input syntax for type integer: "12x"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc.send(append(tc.msgs, &pgproto3.Sync{})...)
			got := rc.until()
			var errs []string
			for _, m := range got {
				if strings.HasPrefix(m, "Error") {
					errs = append(errs, m)
				}
			}
			if len(errs) != 1 || errs[0] != tc.want || got[len(got)-1] != "ReadyForQuery I" {
				t.Fatalf("got %q, want one %q", got, tc.want)
			}
		})
	}
	rc.send(&pgproto3.Query{String: "SELECT 'still here' AS s"})
	expectTrace(t, rc.until(), "RowDescription[s:25]", "DataRow[still here]", "CommandComplete SELECT 1", "ReadyForQuery I")
}

func TestPortalsAndTransactions(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc, _ := rawLogin(t, srv)

	// outside a transaction block the portal ends at Sync
	rc.send(
		&pgproto3.Parse{Name: "q", Query: "SELECT range AS n FROM range(4)"},
		&pgproto3.Bind{DestinationPortal: "c1", PreparedStatement: "q"},
		&pgproto3.Execute{Portal: "c1", MaxRows: 1},
		&pgproto3.Sync{},
		&pgproto3.Execute{Portal: "c1", MaxRows: 1},
		&pgproto3.Sync{},
	)
	expectTrace(t, rc.until(), "ParseComplete", "BindComplete", "DataRow[0]", "PortalSuspended", "ReadyForQuery I")
	expectTrace(t, rc.until(), `Error 34000 portal "c1" does not exist`, "ReadyForQuery I")

	// inside BEGIN it survives Sync (pgjdbc setFetchSize), and COMMIT ends it
	rc.send(&pgproto3.Query{String: "BEGIN"})
	expectTrace(t, rc.until(), "CommandComplete BEGIN", "ReadyForQuery T")
	rc.send(
		&pgproto3.Bind{DestinationPortal: "c2", PreparedStatement: "q"},
		&pgproto3.Execute{Portal: "c2", MaxRows: 2},
		&pgproto3.Sync{},
		&pgproto3.Execute{Portal: "c2", MaxRows: 2},
		&pgproto3.Sync{},
	)
	expectTrace(t, rc.until(), "BindComplete", "DataRow[0]", "DataRow[1]", "PortalSuspended", "ReadyForQuery T")
	expectTrace(t, rc.until(), "DataRow[2]", "DataRow[3]", "PortalSuspended", "ReadyForQuery T")
	rc.send(&pgproto3.Query{String: "COMMIT"})
	expectTrace(t, rc.until(), "CommandComplete COMMIT", "ReadyForQuery I")
	rc.send(&pgproto3.Execute{Portal: "c2"}, &pgproto3.Sync{})
	expectTrace(t, rc.until(), `Error 34000 portal "c2" does not exist`, "ReadyForQuery I")

	// an error inside a block fails it until ROLLBACK
	rc.send(&pgproto3.Query{String: "BEGIN; SELECT * FROM missing_table"})
	got := rc.until()
	if len(got) != 3 || !strings.HasPrefix(got[1], "Error 42P01") || got[2] != "ReadyForQuery E" {
		t.Fatalf("failing block: %q", got)
	}
	rc.send(&pgproto3.Query{String: "SELECT 1"})
	got = rc.until()
	if !strings.HasPrefix(got[0], "Error 25P02") || got[1] != "ReadyForQuery E" {
		t.Fatalf("in failed block: %q", got)
	}
	rc.send(&pgproto3.Query{String: "ROLLBACK"})
	expectTrace(t, rc.until(), "CommandComplete ROLLBACK", "ReadyForQuery I")
}

func TestSimpleQueryProtocol(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc, _ := rawLogin(t, srv)
	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{";", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{"-- ping", []string{"EmptyQueryResponse", "ReadyForQuery I"}},
		{"SELECT 1 AS a; SELECT 'b' AS b, NULL::INTEGER AS c",
			[]string{"RowDescription[a:23]", "DataRow[1]", "CommandComplete SELECT 1",
				"RowDescription[b:25,c:23]", "DataRow[b,NULL]", "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"SELECT 1 AS a; SELECT * FROM nope; SELECT 3",
			[]string{"RowDescription[a:23]", "DataRow[1]", "CommandComplete SELECT 1",
				"Error 42P01 Catalog Error: Table with name nope does not exist!", "ReadyForQuery I"}},
		{"SET TimeZone = 'Europe/Prague'; SELECT TIMESTAMPTZ '2024-07-01 10:00:00+00' AS t",
			[]string{"CommandComplete SET", "ParameterStatus TimeZone=Europe/Prague",
				"RowDescription[t:1184]", "DataRow[2024-07-01 12:00:00+02]", "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"SELECT TIMESTAMPTZ '2024-01-01 10:00:00+00' AS t; SET TIME ZONE 'UTC'",
			[]string{"RowDescription[t:1184]", "DataRow[2024-01-01 11:00:00+01]", "CommandComplete SELECT 1",
				"CommandComplete SET", "ParameterStatus TimeZone=UTC", "ReadyForQuery I"}},
		{"SELECT test_internal_error()",
			[]string{"Error XX000 internal error (session %s); the server log has the details", "ReadyForQuery I"}},
		{"SELECT test_notice()", []string{"RowDescription[n:25]", "DataRow[x]", "Notice hello", "Notice careful", "CommandComplete SELECT 1", "ReadyForQuery I"}},
		{"SELECT 'caf\xc3\x28'", []string{`Error 22021 invalid byte sequence for encoding "UTF8": 0xc3 0x28`, "ReadyForQuery I"}},
	}
	for _, tc := range cases {
		rc.send(&pgproto3.Query{String: tc.query})
		got := rc.until()
		for i := range got {
			if strings.HasPrefix(got[i], "Error XX000 internal error (session ") {
				got[i] = "Error XX000 internal error (session %s); the server log has the details"
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q:\n  got  %q\n  want %q", tc.query, got, tc.want)
		}
	}
}

// TestMalformedMessages sends bytes no client library would.
func TestMalformedMessages(t *testing.T) {
	srv, _ := startServer(t, Config{AllowCleartextLoopback: true, MaxMessageSize: 1024})

	t.Run("NUL inside query text", func(t *testing.T) {
		rc, _ := rawLogin(t, srv)
		body := []byte("SELECT 1\x00; SELECT 2\x00")
		msg := binary.BigEndian.AppendUint32([]byte{'Q'}, uint32(4+len(body)))
		if _, err := rc.nc.Write(append(msg, body...)); err != nil {
			t.Fatal(err)
		}
		expectTrace(t, rc.until(), "Error 08P01 invalid message format", "ReadyForQuery I")
		rc.send(&pgproto3.Query{String: "SELECT 7"})
		expectTrace(t, rc.until(), "RowDescription[7:23]", "DataRow[7]", "CommandComplete SELECT 1", "ReadyForQuery I")
	})
	t.Run("message over MaxMessageSize", func(t *testing.T) {
		rc, _ := rawLogin(t, srv)
		rc.send(&pgproto3.Query{String: "SELECT '" + strings.Repeat("x", 2000) + "'"})
		expectClosed(t, rc, "08P01")
	})
	t.Run("unknown message type", func(t *testing.T) {
		rc, _ := rawLogin(t, srv)
		if _, err := rc.nc.Write([]byte{'!', 0, 0, 0, 4}); err != nil {
			t.Fatal(err)
		}
		expectClosed(t, rc, "08P01")
	})
	t.Run("startup packet too large", func(t *testing.T) {
		rc := rawConnect(t, srv)
		hdr := binary.BigEndian.AppendUint32(nil, 20000)
		hdr = binary.BigEndian.AppendUint32(hdr, pgproto3.ProtocolVersion30)
		if _, err := rc.nc.Write(hdr); err != nil {
			t.Fatal(err)
		}
		expectClosed(t, rc, "08P01")
	})
	t.Run("protocol 2", func(t *testing.T) {
		rc := rawConnect(t, srv)
		pkt := binary.BigEndian.AppendUint32(nil, 8+5)
		pkt = binary.BigEndian.AppendUint32(pkt, 2<<16)
		pkt = append(pkt, 'u', 0, 'x', 0, 0)
		if _, err := rc.nc.Write(pkt); err != nil {
			t.Fatal(err)
		}
		expectClosed(t, rc, "0A000")
	})
}

// TestPanicIsolated checks that a panic while serving one connection ends
// that connection with XX000 and nothing else.
func TestPanicIsolated(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	other, _ := rawLogin(t, srv)
	rc, _ := rawLogin(t, srv)
	rc.send(&pgproto3.Query{String: "SELECT test_panic()"})
	expectClosed(t, rc, "XX000")
	if n := srv.panics.Swap(0); n != 1 {
		t.Fatalf("recovered panics = %d, want 1", n)
	}
	other.send(&pgproto3.Query{String: "SELECT 5"})
	expectTrace(t, other.until(), "RowDescription[5:23]", "DataRow[5]", "CommandComplete SELECT 1", "ReadyForQuery I")
}

// TestExtendedErrorBeforeSync checks an error is written without waiting
// for Sync: postgres.js sends Parse, Describe and Flush for a statement with
// parameters and waits for the answer before it sends anything else.
func TestExtendedErrorBeforeSync(t *testing.T) {
	srv, _ := startServer(t, cleartext)
	rc, _ := rawLogin(t, srv)
	rc.send(
		&pgproto3.Parse{Name: "bad", Query: "SELEC $1"},
		&pgproto3.Describe{ObjectType: 'S', Name: "bad"},
		&pgproto3.Flush{},
	)
	// A hang here is the failure; the deadline turns it into one.
	if err := rc.nc.SetReadDeadline(time.Now().Add(30 * time.Second)); err != nil {
		t.Fatal(err)
	}
	var got []string
	for {
		m, err := rc.fe.Receive()
		if err != nil {
			t.Fatalf("no error before Sync (got %q): %v", got, err)
		}
		got = append(got, traceOf(m))
		if _, ok := m.(*pgproto3.ErrorResponse); ok {
			break
		}
	}
	if last := got[len(got)-1]; !strings.HasPrefix(last, "Error 42601") || len(got) > 2 {
		t.Fatalf("before Sync: %q", got)
	}
	if err := rc.nc.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	rc.send(&pgproto3.Sync{})
	expectTrace(t, rc.until(), "ReadyForQuery I")
}
