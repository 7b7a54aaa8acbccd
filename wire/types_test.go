package wire

import (
	"context"
	"math"
	"testing"
	"time"
)

// duckTypes are expressions of every DuckDB type the wire maps.
var duckTypes = []string{
	"true", "1::TINYINT", "1::SMALLINT", "1::INTEGER", "1::BIGINT", "1::UTINYINT", "1::USMALLINT",
	"1::UINTEGER", "1::UBIGINT", "1::HUGEINT", "1::UHUGEINT", "1::FLOAT", "1::DOUBLE",
	"1::DECIMAL(4,1)", "1::DECIMAL(18,3)", "1::DECIMAL(38,10)", "'a'::VARCHAR", "'a'::BLOB",
	"DATE '2024-01-01'", "TIME '01:02:03'", "'01:02:03+01'::TIMETZ", "TIMESTAMP '2024-01-01'",
	"TIMESTAMPTZ '2024-01-01 00:00:00+00'", "TIMESTAMP_S '2024-01-01'", "TIMESTAMP_MS '2024-01-01'",
	"TIMESTAMP_NS '2024-01-01'", "INTERVAL 1 DAY", "uuid()", `'{"a":1}'::JSON`, "'x'::ENUM('x','y')",
	"[1, 2]", "[[1], [2]]", "['a']", "[1.5::DECIMAL(10,2)]", "[uuid()]", "[true]", "[DATE '2024-01-01']",
	"[1, 2]::INTEGER[2]", "{'a': 1}", "[{'a': 1}]", "MAP {'a': 1}", "'101'::BIT", "1::VARINT",
	"union_value(a := 1)", "NULL",
}

// TestDescribeAgreesWithArrow checks the invariant the extended protocol
// relies on: the type Describe reports for a column (from duckdb.TypeInfo)
// is the type of the executed result's Arrow column.
func TestDescribeAgreesWithArrow(t *testing.T) {
	for _, lossless := range []bool{true, false} {
		b, err := newTestBackend()
		if err != nil {
			t.Fatal(err)
		}
		b.lossless = lossless
		ctx := context.Background()
		s, err := b.NewSession(ctx, nil, SessionInfo{StartupParams: map[string]string{}})
		if err != nil {
			t.Fatal(err)
		}
		for _, expr := range duckTypes {
			stmts, _ := s.Prepare(ctx, "SELECT "+expr+" AS v", nil)
			d, err := stmts[0].Describe(ctx)
			if err != nil {
				t.Fatalf("%s: describe: %v", expr, err)
			}
			res, err := stmts[0].Execute(ctx, nil)
			if err != nil {
				t.Fatalf("%s: execute: %v", expr, err)
			}
			described := columnType(d.Columns[0])
			fromArrow := pgTypeOfArrow(res.Schema().Field(0))
			_ = res.Close()
			if described.oid == fromArrow.oid {
				continue
			}
			// Without arrow_lossless_conversion DuckDB exports UUID and JSON
			// as plain strings, TIMETZ as TIME and BIT as BLOB; the encoder then follows
			// the described type (see doc.go).
			if !lossless && (expr == "uuid()" || expr == `'{"a":1}'::JSON` || expr == "'01:02:03+01'::TIMETZ" || expr == "[uuid()]" || expr == "'101'::BIT") {
				continue
			}
			t.Errorf("lossless=%v %s: Describe says %s (%d), Arrow %s says %s (%d)", lossless, expr,
				typeName(described.oid), described.oid, res.Schema().Field(0).Type, typeName(fromArrow.oid), fromArrow.oid)
		}
		_ = s.Close()
	}
}

// TestLossyArrowFollowsDescription runs the lossy-Arrow types through a
// server whose sessions do not set arrow_lossless_conversion: RowDescription
// comes from Describe and values are converted to it.
func TestLossyArrowFollowsDescription(t *testing.T) {
	b, err := newTestBackend()
	if err != nil {
		t.Fatal(err)
	}
	b.lossless = false
	srv := startServerWith(t, Config{}, b)
	conn := connect(t, srv)
	var u [16]byte
	var j map[string]any
	var flag bool
	var big string
	err = conn.QueryRow(context.Background(),
		`SELECT '6ba7b810-9dad-11d1-80b4-00c04fd430c8'::UUID, '{"a":1}'::JSON, true, (2::HUGEINT ** 100)::HUGEINT::VARCHAR`).Scan(&u, &j, &flag, &big)
	if err != nil {
		t.Fatal(err)
	}
	if u[0] != 0x6b || u[15] != 0xc8 || j["a"] != 1.0 || !flag {
		t.Fatalf("got %x %v %v", u, j, flag)
	}
}

func TestAppendFloat(t *testing.T) {
	cases := []struct {
		f    float64
		bits int
		want string
	}{
		{0, 64, "0"}, {math.Copysign(0, -1), 64, "-0"}, {1, 64, "1"}, {-1.5, 64, "-1.5"},
		{0.1, 64, "0.1"}, {1.0 / 3, 64, "0.3333333333333333"}, {100, 64, "100"},
		{1e14, 64, "100000000000000"}, {1e15, 64, "1e+15"}, {1.5e15, 64, "1.5e+15"},
		{0.0001, 64, "0.0001"}, {0.00012, 64, "0.00012"}, {0.00001, 64, "1e-05"},
		{math.MaxFloat64, 64, "1.7976931348623157e+308"}, {5e-324, 64, "5e-324"},
		{math.Inf(1), 64, "Infinity"}, {math.Inf(-1), 64, "-Infinity"}, {math.NaN(), 64, "NaN"},
		{float64(float32(0.1)), 32, "0.1"}, {100000, 32, "100000"}, {1e6, 32, "1e+06"},
		{float64(float32(3.4028235e38)), 32, "3.4028235e+38"}, {float64(float32(1.1)), 32, "1.1"},
	}
	for _, tc := range cases {
		if got := string(appendFloat(nil, tc.f, tc.bits)); got != tc.want {
			t.Errorf("appendFloat(%v, %d) = %q, want %q", tc.f, tc.bits, got, tc.want)
		}
	}
}

func TestAppendTimes(t *testing.T) {
	us := func(tm time.Time) int64 { return tm.UnixMicro() }
	prague, err := time.LoadLocation("Europe/Prague")
	if err != nil {
		t.Skip("no tzdata")
	}
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	cases := []struct{ got, want string }{
		{string(appendTimestamp(nil, us(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)))), "2024-01-02 03:04:05"},
		{string(appendTimestamp(nil, us(time.Date(2024, 1, 2, 3, 4, 5, 120000000, time.UTC)))), "2024-01-02 03:04:05.12"},
		{string(appendTimestamp(nil, us(time.Date(-43, 3, 15, 12, 0, 0, 0, time.UTC)))), "0044-03-15 12:00:00 BC"},
		{string(appendTimestamp(nil, us(time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC)))), "12345-01-01 00:00:00"},
		{string(appendTimestamp(nil, tsInfinity)), "infinity"},
		{string(appendTimestamp(nil, -tsInfinity)), "-infinity"},
		{string(appendTimestamptz(nil, us(time.Date(2024, 7, 1, 10, 0, 0, 0, time.UTC)), newZoneCache(prague))), "2024-07-01 12:00:00+02"},
		{string(appendTimestamptz(nil, us(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)), newZoneCache(prague))), "2024-01-01 11:00:00+01"},
		{string(appendTimestamptz(nil, us(time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC)), newZoneCache(kolkata))), "2024-01-01 15:30:00+05:30"},
		{string(appendTimestamptz(nil, us(time.Date(1850, 1, 1, 0, 0, 0, 0, time.UTC)), newZoneCache(prague))), "1850-01-01 00:57:44+00:57:44"},
		{string(appendDate(nil, 0)), "1970-01-01"},
		{string(appendDate(nil, -719528)), "0001-01-01 BC"},
		{string(appendDate(nil, -719163)), "0001-12-31 BC"},
		{string(appendDate(nil, -719162)), "0001-01-01"},
		{string(appendClock(nil, 0)), "00:00:00"},
		{string(appendClock(nil, 86399999999)), "23:59:59.999999"},
		{string(appendInterval(nil, 14, 3, 4*microsPerHour+5*microsPerMin+6*microsPerSec)), "1 year 2 mons 3 days 04:05:06"},
		{string(appendInterval(nil, 0, 0, 0)), "00:00:00"},
		{string(appendInterval(nil, -1, 0, 0)), "-1 mons"},
		{string(appendInterval(nil, 0, -2, -microsPerSec)), "-2 days -00:00:01"},
		{string(appendInterval(nil, 0, -1, microsPerHour)), "-1 days +01:00:00"},
		{string(appendInterval(nil, 12, 1, 0)), "1 year 1 day"},
		{string(appendInterval(nil, 0, 0, 100*microsPerHour+1)), "100:00:00.000001"},
	}
	for _, tc := range cases {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
	for _, d := range []int64{-800000, -719528, -1, 0, 1, 10957, 19000, 2932896} {
		y, m, dd := civilFromDays(d)
		if back := daysFromCivil(y, m, dd); back != d {
			t.Errorf("days %d → %d-%d-%d → %d", d, y, m, dd, back)
		}
	}
}

func TestNumericBinaryRoundTrip(t *testing.T) {
	cases := []struct {
		neg    bool
		digits string
		scale  int
		want   string
	}{
		{false, "0", 0, "0"}, {false, "0", 2, "0.00"}, {false, "1234", 2, "12.34"}, {true, "1", 3, "-0.001"},
		{false, "10000", 0, "10000"}, {false, "100000000", 4, "10000.0000"},
		{false, "123456789012345678901234567890123456", 10, "12345678901234567890123456.7890123456"},
		{true, "5", 20, "-0.00000000000000000005"}, {false, "99999999", 0, "99999999"},
	}
	for _, tc := range cases {
		bin := appendNumericBinary(nil, tc.neg, []byte(tc.digits), tc.scale)
		got, err := decodeNumericBinary(bin)
		if err != nil || got != tc.want {
			t.Errorf("%v %s scale %d: %v %v, want %s", tc.neg, tc.digits, tc.scale, got, err, tc.want)
		}
		text := string(appendScaledDigits(nil, tc.neg, []byte(tc.digits), tc.scale))
		if text != tc.want {
			t.Errorf("text %q, want %q", text, tc.want)
		}
	}
	// 128-bit extremes
	if got := string(appendNumeric128(nil, math.MinInt64, 0, 0)); got != "-170141183460469231731687303715884105728" {
		t.Errorf("min int128: %s", got)
	}
}

func TestTextParams(t *testing.T) {
	cases := []struct {
		in   string
		oid  uint32
		want any
	}{
		{"t", oidBool, true}, {"yes", oidBool, true}, {"of", oidBool, false}, {"0", oidBool, false},
		{" 42 ", oidInt4, int64(42)}, {"-9223372036854775808", oidInt8, int64(math.MinInt64)},
		{"Infinity", oidFloat8, math.Inf(1)}, {"1.5", oidFloat4, 1.5},
		{`\x0102`, oidBytea, []byte{1, 2}}, {`a\\b\001`, oidBytea, []byte{'a', '\\', 'b', 1}},
		{"2024-01-02", oidDate, "2024-01-02"}, {"héllo", oidText, "héllo"},
	}
	for _, tc := range cases {
		got, err := decodeTextParam([]byte(tc.in), tc.oid)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if !equalValue(got, tc.want) {
			t.Errorf("%q as %d = %#v, want %#v", tc.in, tc.oid, got, tc.want)
		}
	}
	for _, bad := range []struct {
		in  string
		oid uint32
	}{{"o", oidBool}, {"maybe", oidBool}, {"99999", oidInt2}, {"1e3", oidInt4}, {`\x0`, oidBytea}, {"{1,2", 1007}, {`{"a}`, 1009}} {
		if _, err := decodeTextParam([]byte(bad.in), bad.oid); err == nil {
			t.Errorf("%q as %d accepted", bad.in, bad.oid)
		}
	}
	arr, err := parseTextArray(`{{1,2},{NULL,"4"}}`, oidInt4)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{[]any{int32(1), int32(2)}, []any{nil, int32(4)}}
	if !equalValue(arr, want) {
		t.Fatalf("array %#v", arr)
	}
}

func equalValue(a, b any) bool {
	switch x := a.(type) {
	case []byte:
		y, ok := b.([]byte)
		return ok && string(x) == string(y)
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValue(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b
}
