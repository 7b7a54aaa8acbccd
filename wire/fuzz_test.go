package wire

import (
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// encodeMessages concatenates encoded frontend messages.
func encodeMessages(msgs ...pgproto3.FrontendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			panic(err)
		}
	}
	return b
}

// FuzzMessages feeds arbitrary bytes to a logged-in session. Whatever
// arrives, the server must not panic (a recovered panic counts as a
// failure too) and must keep serving new connections.
//
//	go test -tags duckdb_arrow -run '^$' -fuzz FuzzMessages ./wire/
func FuzzMessages(f *testing.F) {
	srv, _ := startServer(f, Config{AllowCleartextLoopback: true, MaxMessageSize: 1 << 20, StatementTimeoutDefault: time.Second})

	numericParam := []byte{0, 2, 0, 0, 0x40, 0, 0, 2, 0, 12, 13, 0x70} // -12.3400
	arrayParam := binary.BigEndian.AppendUint32(nil, 1)
	arrayParam = binary.BigEndian.AppendUint32(arrayParam, 0)
	arrayParam = binary.BigEndian.AppendUint32(arrayParam, oidInt4)
	arrayParam = binary.BigEndian.AppendUint32(arrayParam, 1)
	arrayParam = binary.BigEndian.AppendUint32(arrayParam, 1)
	arrayParam = binary.BigEndian.AppendUint32(arrayParam, 4)
	arrayParam = binary.BigEndian.AppendUint32(arrayParam, 7)
	seeds := [][]byte{
		encodeMessages(&pgproto3.Query{String: "SELECT 1"}),
		encodeMessages(&pgproto3.Query{String: "SELECT 1; SELECT 'a', NULL; SELECT * FROM nope"}),
		encodeMessages(&pgproto3.Query{String: ""}, &pgproto3.Query{String: "BEGIN"}, &pgproto3.Query{String: "COMMIT"}),
		encodeMessages(
			&pgproto3.Parse{Name: "s", Query: "SELECT $1::INTEGER, $2::VARCHAR, $3::DECIMAL(10,4), $4::INTEGER[]"},
			&pgproto3.Describe{ObjectType: 'S', Name: "s"},
			&pgproto3.Bind{PreparedStatement: "s", ParameterFormatCodes: []int16{1, 0, 1, 1},
				Parameters: [][]byte{{0, 0, 0, 5}, []byte("x"), numericParam, arrayParam}, ResultFormatCodes: []int16{1}},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{MaxRows: 1},
			&pgproto3.Execute{},
			&pgproto3.Close{ObjectType: 'S', Name: "s"},
			&pgproto3.Sync{},
		),
		encodeMessages(&pgproto3.Parse{Query: "SELECT range FROM range(10)"}, &pgproto3.Bind{DestinationPortal: "p"},
			&pgproto3.Execute{Portal: "p", MaxRows: 3}, &pgproto3.Flush{}, &pgproto3.Execute{Portal: "p", MaxRows: 3}, &pgproto3.Sync{}),
		encodeMessages(&pgproto3.Parse{Query: "SELEC"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}),
		encodeMessages(&pgproto3.Query{String: "COPY (SELECT 1, 'a') TO STDOUT (FORMAT csv)"}, &pgproto3.CopyData{Data: []byte("x")}, &pgproto3.CopyDone{}),
		encodeMessages(&pgproto3.FunctionCall{Function: 1}, &pgproto3.Terminate{}),
		{'Q', 0, 0, 0, 4},
		{'Q', 0, 0, 0, 3},
		{'B', 0, 0, 0, 6, 0, 0},
		{'P', 0xff, 0xff, 0xff, 0xff},
		{'D', 0, 0, 0, 6, 'X', 0},
		{0, 0, 0, 8, 4, 210, 22, 47},
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rc, _ := rawLogin(t, srv)
		_ = rc.nc.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := rc.nc.Write(data); err != nil {
			return
		}
		// no more input: the server answers what it got, then sees EOF
		_ = rc.nc.(*net.TCPConn).CloseWrite()
		_, _ = io.Copy(io.Discard, rc.nc)
		if n := srv.panics.Load(); n != 0 {
			t.Fatalf("input %q made a connection panic", data)
		}
	})
}
