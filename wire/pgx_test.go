package wire

import (
	"context"
	"fmt"
	"math/big"
	"net/netip"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// typeCase is one DuckDB value: the OID the wire must report, its exact
// PostgreSQL text form, and (optionally) the Go value pgx must decode.
type typeCase struct {
	expr string
	oid  uint32
	text string // "" means NULL
	want any    // nil: only text and binary/text agreement are checked
}

var typeCases = []typeCase{
	{"true", oidBool, "t", true},
	{"false", oidBool, "f", false},
	{"(-7)::TINYINT", oidInt2, "-7", int16(-7)},
	{"(-32768)::SMALLINT", oidInt2, "-32768", int16(-32768)},
	{"2147483647::INTEGER", oidInt4, "2147483647", int32(2147483647)},
	{"(-9223372036854775808)::BIGINT", oidInt8, "-9223372036854775808", int64(-9223372036854775808)},
	{"200::UTINYINT", oidInt4, "200", int32(200)},
	{"65535::USMALLINT", oidInt4, "65535", int32(65535)},
	{"4294967295::UINTEGER", oidInt8, "4294967295", int64(4294967295)},
	{"18446744073709551615::UBIGINT", oidNumeric, "18446744073709551615", nil},
	{"(-170141183460469231731687303715884105728)::HUGEINT", oidNumeric, "-170141183460469231731687303715884105728", nil},
	{"340282366920938463463374607431768211455::UHUGEINT", oidNumeric, "340282366920938463463374607431768211455", nil},
	{"1.5::FLOAT", oidFloat4, "1.5", float32(1.5)},
	{"0.1::FLOAT", oidFloat4, "0.1", float32(0.1)},
	{"1000000::FLOAT", oidFloat4, "1e+06", float32(1e6)},
	{"0.1::DOUBLE", oidFloat8, "0.1", 0.1},
	{"1e15::DOUBLE", oidFloat8, "1e+15", 1e15},
	{"123456789012345::DOUBLE", oidFloat8, "123456789012345", 123456789012345.0},
	{"0.0001::DOUBLE", oidFloat8, "0.0001", 0.0001},
	{"0.00001::DOUBLE", oidFloat8, "1e-05", 0.00001},
	{"(-2.5e-300)::DOUBLE", oidFloat8, "-2.5e-300", -2.5e-300},
	{"'NaN'::DOUBLE", oidFloat8, "NaN", nil},
	{"'-Infinity'::DOUBLE", oidFloat8, "-Infinity", nil},
	{"12.30::DECIMAL(10,2)", oidNumeric, "12.30", nil},
	{"(-0.001)::DECIMAL(18,3)", oidNumeric, "-0.001", nil},
	{"0::DECIMAL(4,1)", oidNumeric, "0.0", nil},
	{"12345678901234567890.123456789012345678::DECIMAL(38,18)", oidNumeric, "12345678901234567890.123456789012345678", nil},
	{"10000::DECIMAL(9,0)", oidNumeric, "10000", nil},
	{"'héllo wörld'::VARCHAR", oidText, "héllo wörld", "héllo wörld"},
	{"''::VARCHAR", oidText, "", ""},
	{"'\\x00\\x01\\xFF'::BLOB", oidBytea, `\x0001ff`, []byte{0, 1, 255}},
	{"DATE '2024-02-29'", oidDate, "2024-02-29", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
	{"DATE '1970-01-01'", oidDate, "1970-01-01", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
	{"DATE '0044-03-15 (BC)'", oidDate, "0044-03-15 BC", nil},
	{"'infinity'::DATE", oidDate, "infinity", nil},
	{"'-infinity'::DATE", oidDate, "-infinity", nil},
	{"TIME '01:02:03.5'", oidTime, "01:02:03.5", nil},
	{"TIME '23:59:59.999999'", oidTime, "23:59:59.999999", nil},
	{"'01:02:03+02'::TIMETZ", oidTimetz, "01:02:03+02", nil},
	{"'01:02:03-05:30'::TIMETZ", oidTimetz, "01:02:03-05:30", nil},
	{"TIMESTAMP '2024-01-02 03:04:05.123456'", oidTimestamp, "2024-01-02 03:04:05.123456", time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)},
	{"TIMESTAMP '1969-12-31 23:59:59.5'", oidTimestamp, "1969-12-31 23:59:59.5", time.Date(1969, 12, 31, 23, 59, 59, 500000000, time.UTC)},
	{"'infinity'::TIMESTAMP", oidTimestamp, "infinity", nil},
	{"TIMESTAMP_S '2024-01-02 03:04:05'", oidTimestamp, "2024-01-02 03:04:05", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)},
	{"TIMESTAMP_MS '2024-01-02 03:04:05.123'", oidTimestamp, "2024-01-02 03:04:05.123", time.Date(2024, 1, 2, 3, 4, 5, 123000000, time.UTC)},
	{"TIMESTAMP_NS '2024-01-02 03:04:05.123456789'", oidTimestamp, "2024-01-02 03:04:05.123456", time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)},
	{"TIMESTAMPTZ '2024-01-02 03:04:05.5+00'", oidTimestamptz, "2024-01-02 03:04:05.5+00", time.Date(2024, 1, 2, 3, 4, 5, 500000000, time.UTC)},
	{"INTERVAL '1 year 2 months 3 days 04:05:06.5'", oidInterval, "1 year 2 mons 3 days 04:05:06.5", pgtype.Interval{Months: 14, Days: 3, Microseconds: 14706500000, Valid: true}},
	{"INTERVAL '-1 day'", oidInterval, "-1 days", nil},
	{"INTERVAL '0 seconds'", oidInterval, "00:00:00", nil},
	{"INTERVAL '-1 month 1 day -00:00:01'", oidInterval, "-1 mons +1 day -00:00:01", nil},
	{"'6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID", oidUUID, "6ba7b810-9dad-11d1-80b4-00c04fd430c8", [16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}},
	{`'{"a":[1,2],"b":"x"}'::JSON`, oidJSON, `{"a":[1,2],"b":"x"}`, map[string]any{"a": []any{1.0, 2.0}, "b": "x"}},
	{"'y'::ENUM('x','y')", oidText, "y", "y"},
	{"[1, 2, NULL]::INTEGER[]", 1007, "{1,2,NULL}", []any{int32(1), int32(2), nil}},
	{"[]::INTEGER[]", 1007, "{}", []any{}},
	{`['a b', 'c"d', NULL, '', 'null', 'x\y']::VARCHAR[]`, 1009, `{"a b","c\"d",NULL,"","null","x\\y"}`, []any{"a b", `c"d`, nil, "", "null", `x\y`}},
	{"[[1, 2], [3, 4]]::BIGINT[][]", 1016, "{{1,2},{3,4}}", nil},
	{"[1.5::DOUBLE, 'NaN'::DOUBLE]", 1022, "{1.5,NaN}", nil},
	{"[1.5]::FLOAT[]", 1021, "{1.5}", []any{float32(1.5)}},
	{"[true, false]", 1000, "{t,f}", []any{true, false}},
	{"[1::SMALLINT]", 1005, "{1}", []any{int16(1)}},
	{"[1.25::DECIMAL(10,2)]", 1231, "{1.25}", nil},
	{"[DATE '2024-01-01']", 1182, "{2024-01-01}", nil},
	{"[TIME '01:02:03']", 1183, "{01:02:03}", nil},
	{"[TIMESTAMP '2024-01-01 10:00:00']", 1115, `{"2024-01-01 10:00:00"}`, nil},
	{"[TIMESTAMPTZ '2024-01-01 10:00:00+00']", 1185, `{"2024-01-01 10:00:00+00"}`, nil},
	{"[INTERVAL '1 day']", 1187, `{"1 day"}`, nil},
	{"['6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID]", 2951, "{6ba7b810-9dad-11d1-80b4-00c04fd430c8}", nil},
	{"['\\x01'::BLOB]", 1001, `{"\\x01"}`, nil},
	{`['{"a":1}'::JSON]`, 199, `{"{\"a\":1}"}`, nil},
	{"[1, 2]::INTEGER[2]", 1007, "{1,2}", []any{int32(1), int32(2)}},
	{"{'a': 1, 'b': 'x', 'c': [1.5], 'd': NULL}", oidJSON, `{"a":1,"b":"x","c":[1.5],"d":null}`, nil},
	{"MAP {'k': 1, 'l': 2}", oidJSON, `{"k":1,"l":2}`, nil},
	{"[{'a': DATE '2024-01-01'}]", 199, `{"{\"a\":\"2024-01-01\"}"}`, nil},
	{"'101'::BIT", oidVarbit, "101", nil},
	{"'123456789012345678901234567890123456789012'::VARINT", oidNumeric, "123456789012345678901234567890123456789012", nil},
	{"'-5'::VARINT", oidNumeric, "-5", nil},
	{"union_value(a := 7)", oidText, "7", "7"},
	{`{'i': 1::TINYINT, 'u': 2::UBIGINT, 'h': 3::HUGEINT, 'f': 1.5::FLOAT, 'n': 'NaN'::DOUBLE, 'd': 1.25::DECIMAL(5,2),
		'b': '\x01'::BLOB, 'bo': true, 'dt': DATE '2024-01-01', 't': TIME '01:02:03', 'tz': '01:02:03+02'::TIMETZ,
		'ts': TIMESTAMP '2024-01-01', 'tstz': TIMESTAMPTZ '2024-01-01 00:00:00+00', 'iv': INTERVAL 1 DAY,
		'id': '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID, 'j': '{"x":1}'::JSON, 'e': 'x'::ENUM('x'), 'l': [1],
		'm': MAP {'k': 'v'}, 'bit': '101'::BIT, 'v': 7::VARINT, 's': E'q"\n'}`, oidJSON,
		`{"i":1,"u":2,"h":3,"f":1.5,"n":"NaN","d":1.25,"b":"\\x01","bo":true,"dt":"2024-01-01","t":"01:02:03",` +
			`"tz":"01:02:03+02","ts":"2024-01-01 00:00:00","tstz":"2024-01-01 00:00:00+00","iv":"1 day",` +
			`"id":"6ba7b810-9dad-11d1-80b4-00c04fd430c8","j":{"x":1},"e":"x","l":[1],"m":{"k":"v"},"bit":"101","v":7,"s":"q\"\n"}`, nil},
	{"NULL::INTEGER", oidInt4, "", nil},
}

// normalize makes decoded values comparable: numerics as text, times in
// UTC, floats by their printed form (NaN).
func normalize(v any) any {
	switch x := v.(type) {
	case pgtype.Numeric:
		if x.NaN || x.InfinityModifier != pgtype.Finite || !x.Valid {
			dv, _ := x.Value()
			return dv
		}
		r := new(big.Rat).SetInt(x.Int)
		e := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(x.Exp))), nil)
		if x.Exp >= 0 {
			r.Mul(r, new(big.Rat).SetInt(e))
		} else {
			r.Quo(r, new(big.Rat).SetInt(e))
		}
		return "numeric " + r.RatString()
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case float64, float32:
		return fmt.Sprintf("%T %v", x, x)
	case []any:
		out := make([]any, len(x))
		for i := range x {
			out[i] = normalize(x[i])
		}
		return out
	case pgtype.Time:
		return x.Microseconds
	case netip.Prefix:
		return x.String()
	}
	return v
}

func numeric(s string) pgtype.Numeric {
	var n pgtype.Numeric
	if err := n.Scan(s); err != nil {
		panic(err)
	}
	return n
}

func abs(v int32) int32 {
	if v < 0 {
		return -v
	}
	return v
}

// TestTimetzBinary checks timetz_send's layout, which pgx cannot decode.
func TestTimetzBinary(t *testing.T) {
	srv, _ := startServer(t, Config{})
	conn := connect(t, srv)
	r := conn.PgConn().ExecParams(context.Background(), "SELECT '01:02:03.5+02'::TIMETZ", nil, nil, nil, []int16{1}).Read()
	if r.Err != nil {
		t.Fatal(r.Err)
	}
	want := []byte{0, 0, 0, 0, 0xdd, 0xf0, 0x19, 0xe0, 0xff, 0xff, 0xe3, 0xe0} // 3723500000 µs, -7200 s
	if got := r.Rows[0][0]; !slices.Equal(got, want) {
		t.Fatalf("timetz binary %x, want %x", got, want)
	}
}

// TestTypesTextAndBinary checks, for every DuckDB type, the OID the wire
// reports, the exact text output, and that the binary output decodes (with
// pgx's PostgreSQL codecs) to the same value as the text output.
func TestTypesTextAndBinary(t *testing.T) {
	srv, _ := startServer(t, Config{})
	conn := connect(t, srv)
	ctx := context.Background()
	m := pgtype.NewMap()
	for _, tc := range typeCases {
		t.Run(tc.expr, func(t *testing.T) {
			sql := "SELECT " + tc.expr + " AS v"
			text := conn.PgConn().ExecParams(ctx, sql, nil, nil, nil, []int16{0}).Read()
			if text.Err != nil {
				t.Fatalf("text: %v", text.Err)
			}
			if got := text.FieldDescriptions[0].DataTypeOID; got != tc.oid {
				t.Fatalf("OID = %d, want %d", got, tc.oid)
			}
			if len(text.Rows) != 1 {
				t.Fatalf("rows = %d", len(text.Rows))
			}
			raw := text.Rows[0][0]
			if tc.text == "" && tc.expr != "''::VARCHAR" {
				if raw != nil {
					t.Fatalf("text = %q, want NULL", raw)
				}
				return
			}
			if string(raw) != tc.text {
				t.Fatalf("text = %q, want %q", raw, tc.text)
			}
			typ, known := m.TypeForOID(tc.oid)
			if !known || tc.oid == oidTimetz {
				return // pgx has no codec: clients receive text
			}
			fromText, err := typ.Codec.DecodeValue(m, tc.oid, pgtype.TextFormatCode, raw)
			if err != nil {
				t.Fatalf("pgx cannot decode our text %q: %v", raw, err)
			}
			bin := conn.PgConn().ExecParams(ctx, sql, nil, nil, nil, []int16{1}).Read()
			if bin.Err != nil {
				t.Fatalf("binary: %v", bin.Err)
			}
			fromBinary, err := typ.Codec.DecodeValue(m, tc.oid, pgtype.BinaryFormatCode, bin.Rows[0][0])
			if err != nil {
				t.Fatalf("pgx cannot decode our binary %x: %v", bin.Rows[0][0], err)
			}
			if a, b := normalize(fromText), normalize(fromBinary); !reflect.DeepEqual(a, b) {
				t.Fatalf("binary decodes to %#v, text to %#v", b, a)
			}
			if tc.want != nil {
				if a, b := normalize(fromText), normalize(tc.want); !reflect.DeepEqual(a, b) {
					t.Fatalf("decoded %#v, want %#v", a, b)
				}
			}
		})
	}
}

var execModes = []pgx.QueryExecMode{
	pgx.QueryExecModeCacheStatement,
	pgx.QueryExecModeCacheDescribe,
	pgx.QueryExecModeDescribeExec,
	pgx.QueryExecModeExec,
	pgx.QueryExecModeSimpleProtocol,
}

// TestPgxExecModes runs queries with and without parameters in every pgx
// execution mode and checks the values that come back.
func TestPgxExecModes(t *testing.T) {
	srv, _ := startServer(t, Config{})
	conn := connect(t, srv)
	ctx := context.Background()
	ts := time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)
	uuid := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	type paramCase struct {
		sql  string
		args []any
		want []any
		// skip lists the modes where the statement's PostgreSQL syntax
		// reaches DuckDB untranslated (the planner's job, not the wire's)
		skip []pgx.QueryExecMode
	}
	untranslated := []pgx.QueryExecMode{pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol}
	cases := []paramCase{
		{"SELECT 1", nil, []any{int32(1)}, nil},
		{"SELECT $1::INTEGER + 1, $2::VARCHAR", []any{41, "héllo"}, []any{int32(42), "héllo"}, nil},
		{"SELECT $1::BIGINT * 2", []any{int64(1) << 40}, []any{int64(1) << 41}, nil},
		{"SELECT $1::SMALLINT", []any{int16(-3)}, []any{int16(-3)}, nil},
		{"SELECT $1::DOUBLE / 2", []any{3.0}, []any{1.5}, nil},
		{"SELECT $1::FLOAT", []any{float32(0.25)}, []any{float32(0.25)}, nil},
		{"SELECT NOT $1::BOOLEAN", []any{true}, []any{false}, nil},
		{"SELECT $1::BLOB", []any{[]byte{0, 1, 2}}, []any{[]byte{0, 1, 2}}, []pgx.QueryExecMode{pgx.QueryExecModeSimpleProtocol}},
		{"SELECT $1::DATE + 1", []any{time.Date(2024, 2, 28, 0, 0, 0, 0, time.UTC)}, []any{time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)}, nil},
		{"SELECT $1::TIMESTAMP", []any{ts}, []any{ts}, nil},
		{"SELECT $1::TIMESTAMPTZ", []any{ts}, []any{ts}, nil},
		{"SELECT $1::UUID", []any{pgtype.UUID{Bytes: uuid, Valid: true}}, []any{uuid}, nil},
		{"SELECT $1::DECIMAL(10,2) * 2", []any{"12.34"}, []any{numeric("24.68")}, nil},
		{"SELECT $1::INTERVAL", []any{pgtype.Interval{Months: 1, Days: 2, Microseconds: 3000000, Valid: true}},
			[]any{pgtype.Interval{Months: 1, Days: 2, Microseconds: 3000000, Valid: true}}, nil},
		{"SELECT $1::JSON", []any{`{"k":true}`}, []any{map[string]any{"k": true}}, nil},
		{"SELECT $1::INTEGER[]", []any{[]int32{1, 2, 3}}, []any{[]any{int32(1), int32(2), int32(3)}}, untranslated},
		{"SELECT $1::VARCHAR[]", []any{[]string{"a b", `q"`, "", "NULL"}}, []any{[]any{"a b", `q"`, "", "NULL"}}, untranslated},
		{"SELECT $1::INTEGER IS NULL", []any{nil}, []any{true}, nil},
		{"SELECT count(*) FROM range(10000) WHERE range % $1::BIGINT = 0", []any{int64(7)}, []any{int64(1429)}, nil},
	}
	for _, mode := range execModes {
		for _, tc := range cases {
			if slices.Contains(tc.skip, mode) {
				continue
			}
			t.Run(fmt.Sprintf("%v/%s", mode, tc.sql), func(t *testing.T) {
				args := append([]any{mode}, tc.args...)
				rows, err := conn.Query(ctx, tc.sql, args...)
				if err != nil {
					t.Fatal(err)
				}
				vals := [][]any{}
				for rows.Next() {
					v, err := rows.Values()
					if err != nil {
						t.Fatal(err)
					}
					vals = append(vals, v)
				}
				if err := rows.Err(); err != nil {
					t.Fatal(err)
				}
				if len(vals) != 1 {
					t.Fatalf("rows = %d", len(vals))
				}
				got := make([]any, len(vals[0]))
				for i, v := range vals[0] {
					got[i] = normalize(v)
				}
				want := make([]any, len(tc.want))
				for i, v := range tc.want {
					want[i] = normalize(v)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("got %#v, want %#v", got, want)
				}
			})
		}
	}
}

// TestPgxStreamAndBatch streams a larger result and runs a pipelined batch.
func TestPgxStreamAndBatch(t *testing.T) {
	srv, _ := startServer(t, Config{})
	conn := connect(t, srv)
	ctx := context.Background()
	for _, mode := range execModes {
		rows, err := conn.Query(ctx, "SELECT i::INTEGER, 'row ' || i, i * 0.5 FROM range(100000) t(i) ORDER BY i", mode)
		if err != nil {
			t.Fatal(err)
		}
		n := int32(0)
		for rows.Next() {
			var i int32
			var s string
			var f float64
			if err := rows.Scan(&i, &s, &f); err != nil {
				t.Fatal(err)
			}
			if i != n || s != fmt.Sprintf("row %d", n) || f != float64(n)*0.5 {
				t.Fatalf("%v: row %d = %d %q %v", mode, n, i, s, f)
			}
			n++
		}
		if rows.Err() != nil || n != 100000 {
			t.Fatalf("%v: %d rows, err %v", mode, n, rows.Err())
		}
		if tag := rows.CommandTag().String(); tag != "SELECT 100000" {
			t.Fatalf("%v: tag %q", mode, tag)
		}
	}

	batch := &pgx.Batch{}
	for i := range 10 {
		batch.Queue("SELECT $1::INTEGER * 10", i)
	}
	br := conn.SendBatch(ctx, batch)
	for i := range 10 {
		var v int32
		if err := br.QueryRow().Scan(&v); err != nil || v != int32(i*10) {
			t.Fatalf("batch %d: %v %v", i, v, err)
		}
	}
	if err := br.Close(); err != nil {
		t.Fatal(err)
	}
	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("after batch: %v %v", one, err)
	}
}
