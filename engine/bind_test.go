package engine

import (
	"context"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
)

// TestBindRoundTrip binds every Go type the wire produces (and the other
// integer widths) to parameters of many DuckDB types and reads the value
// back as DuckDB renders it.
func TestBindRoundTrip(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	u := duckdb.UUID{0x5b, 0x4a, 0x8d, 0x2e, 0x1c, 0x3f, 0x4e, 0x6a, 0x9b, 0x7d, 0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f}
	const uuidText = "5b4a8d2e-1c3f-4e6a-9b7d-0a1b2c3d4e5f"
	ts := time.Date(2024, 2, 29, 13, 14, 15, 123456789, time.UTC)
	pow := func(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }
	maxU128 := new(big.Int).Sub(pow(128), big.NewInt(1))
	big38, _ := new(big.Int).SetString("12345678901234567890123456789012345678", 10)

	cases := []struct {
		name string
		expr string // the parameter in context; read back as VARCHAR
		arg  any
		want string
	}{
		{"nil", "$1::INTEGER", nil, "NULL"},
		{"bool", "$1::BOOLEAN", true, "true"},
		{"int8", "$1::TINYINT", int8(-128), "-128"},
		{"int16", "$1::SMALLINT", int16(-32768), "-32768"},
		{"int32", "$1::INTEGER", int32(math.MaxInt32), "2147483647"},
		{"int64", "$1::BIGINT", int64(math.MinInt64), "-9223372036854775808"},
		{"int", "$1::BIGINT", 42, "42"},
		{"int64 into INTEGER", "$1::INTEGER", int64(-7), "-7"},
		{"int64 into SMALLINT", "$1::SMALLINT", int64(300), "300"},
		{"int64 into UBIGINT", "$1::UBIGINT", int64(5), "5"},
		{"int64 into DOUBLE", "$1::DOUBLE", int64(3), "3.0"},
		{"int64 into FLOAT", "$1::FLOAT", int64(-3), "-3.0"},
		{"int64 into DECIMAL", "$1::DECIMAL(10,2)", int64(7), "7.00"},
		{"int64 into HUGEINT", "$1::HUGEINT", int64(-5), "-5"},
		{"int64 into UHUGEINT", "$1::UHUGEINT", int64(5), "5"},
		{"int64 into VARCHAR", "$1::VARCHAR", int64(12), "12"},
		{"uint8", "$1::UTINYINT", uint8(255), "255"},
		{"uint16", "$1::USMALLINT", uint16(65535), "65535"},
		{"uint32", "$1::UINTEGER", uint32(math.MaxUint32), "4294967295"},
		{"uint64", "$1::UBIGINT", uint64(math.MaxUint64), "18446744073709551615"},
		{"uint", "$1::UBIGINT", uint(7), "7"},
		{"uint64 into BIGINT", "$1::BIGINT", uint64(9), "9"},
		{"uint64 into HUGEINT", "$1::HUGEINT", uint64(math.MaxUint64), "18446744073709551615"},
		{"float32", "$1::FLOAT", float32(1.5), "1.5"},
		{"float64", "$1::DOUBLE", 2.25, "2.25"},
		{"float64 into FLOAT", "$1::FLOAT", 0.5, "0.5"},
		{"float64 into DECIMAL", "$1::DECIMAL(6,3)", 1.25, "1.250"},
		{"float64 NaN", "$1::DOUBLE", math.NaN(), "nan"},
		{"string", "$1::VARCHAR", `héllo ' " ; \`, `héllo ' " ; \`},
		{"empty string", "$1::VARCHAR", "", ""},
		{"string into INTEGER", "$1::INTEGER", "42", "42"},
		{"string into BIGINT with blanks", "$1::BIGINT", " 42 ", "42"},
		{"string into DECIMAL", "$1::DECIMAL(10,2)", "-12.5", "-12.50"},
		{"string into DECIMAL(38,10)", "$1::DECIMAL(38,10)", "1234567890123456789012345678.0123456789", "1234567890123456789012345678.0123456789"},
		{"string rounded into DECIMAL", "$1::DECIMAL(4,1)", "1.25", "1.3"},
		{"string with exponent into DECIMAL", "$1::DECIMAL(6,1)", "1.5e2", "150.0"},
		{"string into DATE", "$1::DATE", "2024-02-29", "2024-02-29"},
		{"string infinity into TIMESTAMP", "$1::TIMESTAMP", "infinity", "infinity"},
		{"string into JSON", "$1::JSON", `{"a":1}`, `{"a":1}`},
		{"string into UUID", "$1::UUID", uuidText, uuidText},
		{"bytes", "$1::BLOB", []byte{0, 1, 'a', 0xff}, `\x00\x01a\xFF`},
		{"empty bytes", "$1::BLOB", []byte{}, ""},
		{"bytes into VARCHAR", "$1::VARCHAR", []byte("abc"), "abc"},
		{"time into TIMESTAMP", "$1::TIMESTAMP", ts, "2024-02-29 13:14:15.123456"},
		{"time into TIMESTAMPTZ", "$1::TIMESTAMPTZ", ts, "2024-02-29 13:14:15.123456+00"},
		{"time with zone into TIMESTAMPTZ", "$1::TIMESTAMPTZ", ts.In(time.FixedZone("", -5*3600)), "2024-02-29 13:14:15.123456+00"},
		{"time into DATE", "$1::DATE", ts, "2024-02-29"},
		{"time before 1970 into DATE", "$1::DATE", time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC), "1969-12-31"},
		{"time into TIME", "$1::TIME", ts, "13:14:15.123456"},
		{"time with zone into TIMETZ", "$1::TIMETZ", time.Date(2024, 1, 1, 10, 30, 0, 0, time.FixedZone("", 2*3600)), "10:30:00+02"},
		{"time into TIMESTAMP_S", "$1::TIMESTAMP_S", ts, "2024-02-29 13:14:15"},
		{"time into TIMESTAMP_MS", "$1::TIMESTAMP_MS", ts, "2024-02-29 13:14:15.123"},
		{"time into TIMESTAMP_NS", "$1::TIMESTAMP_NS", ts, "2024-02-29 13:14:15.123456789"},
		{"time into VARCHAR", "$1::VARCHAR", ts, "2024-02-29 13:14:15.123456"},
		{"big into HUGEINT", "$1::HUGEINT", pow(100), "1267650600228229401496703205376"},
		{"negative big into HUGEINT", "$1::HUGEINT", new(big.Int).Neg(pow(127)), "-170141183460469231731687303715884105728"},
		{"big into UHUGEINT", "$1::UHUGEINT", maxU128, "340282366920938463463374607431768211455"},
		{"big into DECIMAL(38,0)", "$1::DECIMAL(38,0)", big38, "12345678901234567890123456789012345678"},
		{"big into BIGINT", "$1::BIGINT", big.NewInt(-3), "-3"},
		{"big into VARCHAR", "$1::VARCHAR", pow(200), "1606938044258990275541962092341162602522202993782792835301376"},
		{"nil big", "$1::HUGEINT", (*big.Int)(nil), "NULL"},
		{"interval", "$1::INTERVAL", duckdb.Interval{Months: 14, Days: 3, Micros: 4_000_005}, "1 year 2 months 3 days 00:00:04.000005"},
		{"uuid pointer", "$1::UUID", &u, uuidText},
		{"uuid value", "$1::UUID", u, uuidText},
		{"nil uuid", "$1::UUID", (*duckdb.UUID)(nil), "NULL"},
		{"uuid into VARCHAR", "$1::VARCHAR", &u, uuidText},
		{"list of ints", "$1::INTEGER[]", []any{int64(1), nil, int64(3)}, "[1, NULL, 3]"},
		{"list of strings", "$1::VARCHAR[]", []any{"a", "b, c", nil}, "[a, 'b, c', NULL]"},
		{"nested list", "$1::BIGINT[][]", []any{[]any{int64(1)}, []any{}, nil}, "[[1], [], NULL]"},
		{"empty list", "$1::INTEGER[]", []any{}, "[]"},
		{"all-NULL list", "$1::DATE[]", []any{nil, nil}, "[NULL, NULL]"},
		{"list of numeric text", "$1::DECIMAL(6,2)[]", []any{"1.5", "2"}, "[1.50, 2.00]"},
		{"list of ints and floats", "$1::DOUBLE[]", []any{int64(1), 2.5}, "[1.0, 2.5]"},
		{"list of timestamps", "$1::TIMESTAMP[]", []any{ts}, "['2024-02-29 13:14:15.123456']"},
		{"list into ARRAY", "$1::INTEGER[2]", []any{int64(1), int64(2)}, "[1, 2]"},
		{"list of uuids", "$1::UUID[]", []any{&u, nil}, "[" + uuidText + ", NULL]"},
		{"list of bools", "$1::BOOLEAN[]", []any{true, false}, "[true, false]"},
		{"list of intervals", "$1::INTERVAL[]", []any{duckdb.Interval{Days: 1}}, "[1 day]"},
		{"list of blobs", "$1::BLOB[]", []any{[]byte("x")}, "[x]"},
		{"list of big ints", "$1::HUGEINT[]", []any{pow(100), int64(1)}, "[1267650600228229401496703205376, 1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			// In a subquery, "$1::T" gives the parameter the type T.
			got, err := rows(c, "SELECT CAST(x AS VARCHAR) FROM (SELECT "+tc.expr+" AS x)", tc.arg)
			if err != nil {
				t.Fatal(err)
			}
			if got[0][0] != tc.want {
				t.Errorf("got %q, want %q", got[0][0], tc.want)
			}
		})
	}
}

// TestBindUntypedParameters: a parameter DuckDB cannot type takes the type
// of the Go value. (Only typeof: DuckDB 1.5.6 fails with an internal error
// on "SELECT typeof($1), CAST($1 AS VARCHAR)" with a VARCHAR value, also
// through duckdb-go.)
func TestBindUntypedParameters(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	u := duckdb.UUID{1}
	pow := func(n uint) *big.Int { return new(big.Int).Lsh(big.NewInt(1), n) }
	cases := []struct {
		arg any
		typ string
	}{
		{nil, `"NULL"`},
		{true, "BOOLEAN"},
		{int64(-1), "BIGINT"},
		{int32(1), "INTEGER"},
		{int16(1), "SMALLINT"},
		{int8(1), "TINYINT"},
		{uint64(1), "UBIGINT"},
		{uint32(1), "UINTEGER"},
		{uint8(1), "UTINYINT"},
		{float32(0.5), "FLOAT"},
		{0.5, "DOUBLE"},
		{"x", "VARCHAR"},
		{[]byte("x"), "BLOB"},
		{time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "TIMESTAMP"},
		{big.NewInt(5), "BIGINT"},
		{pow(100), "HUGEINT"},
		{pow(127), "UHUGEINT"},
		{pow(200), "BIGNUM"},
		{duckdb.Interval{Months: 1}, "INTERVAL"},
		{&u, "UUID"},
		{[]any{int64(1), int64(2)}, "BIGINT[]"},
		{[]any{"a"}, "VARCHAR[]"},
		{[]any{[]any{1.5}}, "DOUBLE[][]"},
		{[]any{}, "VARCHAR[]"},
	}
	for _, tc := range cases {
		got, err := rows(c, "SELECT typeof($1)", tc.arg)
		if err != nil {
			t.Errorf("%T: %v", tc.arg, err)
			continue
		}
		if got[0][0] != tc.typ {
			t.Errorf("%T %v: type %s, want %s", tc.arg, tc.arg, got[0][0], tc.typ)
		}
	}
}

// TestBindErrors: values that do not fit fail as the same literal would,
// with a PostgreSQL SQLSTATE, and the statement stays usable.
func TestBindErrors(t *testing.T) {
	s := newOrdersSandbox(t)
	c := mustConn(t, s)
	ctx := context.Background()
	st, err := c.Prepare(ctx, "SELECT $1::INTEGER + 0 AS n")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cases := []struct {
		name string
		args []any
		code string
	}{
		{"out of range", []any{int64(1) << 40}, pgerr.NumericValueOutOfRange},
		{"not a number", []any{"abc"}, pgerr.InvalidTextRepresentation},
		{"unsupported Go type", []any{struct{}{}}, pgerr.InvalidParameterValue},
		{"array of mixed types", []any{[]any{"a", int64(1)}}, pgerr.InvalidParameterValue},
		{"too few arguments", nil, pgerr.ProtocolViolation},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rr, err := st.Query(ctx, tc.args...)
			if err == nil {
				rr.Release()
				t.Fatal("accepted")
			}
			if sqlState(err) != tc.code {
				t.Errorf("error %v, want SQLSTATE %s", err, tc.code)
			}
			rr, err = st.Query(ctx, int64(5))
			if err != nil {
				t.Fatalf("statement unusable after the error: %v", err)
			}
			rr.Release()
		})
	}
}
