package main

import (
	"bytes"
	"encoding/json"
	"math"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestRowWriters(t *testing.T) {
	cols := []string{"id", "name", "amount", "tags", "note"}
	rows := [][]any{
		{int64(1), "Ann, \"A\"", json.Number("12.50"), []any{"x", int64(2)}, nil},
		{int64(2), "tab\there", math.Inf(1), map[string]any{"k": true}, "multi\nline"},
	}
	cases := map[string]string{
		formatCSV: "id,name,amount,tags,note\n1,\"Ann, \"\"A\"\"\",12.50,\"[\"\"x\"\",2]\",\n2,tab\there,inf,\"{\"\"k\"\":true}\",\"multi\nline\"\n",
		formatJSON: "[\n  {\"id\": 1, \"name\": \"Ann, \\\"A\\\"\", \"amount\": 12.50, \"tags\": [\"x\",2], \"note\": null},\n" +
			"  {\"id\": 2, \"name\": \"tab\\there\", \"amount\": \"inf\", \"tags\": {\"k\":true}, \"note\": \"multi\\nline\"}\n]\n",
		formatTable: "id  name        amount  tags     note\n1   Ann, \"A\"    12.50   [\"x\",2]  NULL\n2   tab here    inf     {\"k\":true}  multi line\n",
	}
	for format, want := range cases {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			w, err := newRowWriter(format, &b)
			if err != nil {
				t.Fatal(err)
			}
			w.begin(cols)
			for _, r := range rows {
				if err := w.row(r); err != nil {
					t.Fatal(err)
				}
			}
			if err := w.end(); err != nil {
				t.Fatal(err)
			}
			if format == formatTable {
				// tabwriter alignment: compare the cells, not the spacing.
				if got, exp := fieldsOf(b.String()), fieldsOf(want); got != exp {
					t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
				}
				return
			}
			if b.String() != want {
				t.Fatalf("got\n%q\nwant\n%q", b.String(), want)
			}
			if format == formatJSON && !json.Valid(b.Bytes()) {
				t.Fatal("invalid JSON")
			}
		})
	}
	var empty bytes.Buffer
	w, _ := newRowWriter(formatJSON, &empty)
	w.begin(cols)
	w.end()
	if empty.String() != "[]\n" {
		t.Fatalf("empty JSON result: %q", empty.String())
	}
}

// fieldsOf reduces aligned text to its cells, one line per row.
func fieldsOf(s string) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), "|"))
	}
	return strings.Join(lines, "\n")
}

func TestNormalizeDuckDB(t *testing.T) {
	ts := time.Date(2024, 3, 5, 7, 8, 9, 123000000, time.UTC)
	cases := []struct {
		name     string
		v        any
		typeName string
		want     string
	}{
		{"decimal keeps its scale", duckdb.Decimal{Width: 10, Scale: 2, Value: big.NewInt(1250)}, "DECIMAL(10,2)", "12.50"},
		{"negative small decimal", duckdb.Decimal{Width: 4, Scale: 3, Value: big.NewInt(-5)}, "DECIMAL(4,3)", "-0.005"},
		{"zero decimal", duckdb.Decimal{Width: 4, Scale: 2, Value: big.NewInt(0)}, "DECIMAL(4,2)", "0.00"},
		{"hugeint", new(big.Int).Lsh(big.NewInt(1), 100), "HUGEINT", "1267650600228229401496703205376"},
		{"ubigint", uint64(math.MaxUint64), "UBIGINT", "18446744073709551615"},
		{"date", time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC), "DATE", "2024-03-05"},
		{"timestamp", ts, "TIMESTAMP", "2024-03-05 07:08:09.123"},
		{"timestamptz", ts, "TIMESTAMP WITH TIME ZONE", "2024-03-05 07:08:09.123+00"},
		{"time", time.Date(1, 1, 1, 13, 14, 15, 0, time.UTC), "TIME", "13:14:15"},
		{"interval", duckdb.Interval{Months: 14, Days: 3, Micros: 3723_500000}, "INTERVAL", "1 year 2 months 3 days 01:02:03.5"},
		{"empty interval", duckdb.Interval{}, "INTERVAL", "00:00:00"},
		{"uuid", []byte{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf0}, "UUID", "12345678-9abc-def0-1234-56789abcdef0"},
		{"blob", []byte("a\x00\\"), "BLOB", `a\x00\x5C`},
		{"int32", int32(-7), "INTEGER", "-7"},
		{"float32", float32(0.5), "FLOAT", "0.5"},
		{"nan", math.NaN(), "DOUBLE", "nan"},
		{"list", []any{int32(1), nil}, "INTEGER[]", "[1,null]"},
	}
	for _, c := range cases {
		if got := cellText(normalizeDuckDB(c.v, c.typeName)); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestRemoteValues(t *testing.T) {
	cases := []struct {
		text string
		oid  uint32
		want any
	}{
		{"42", oidInt4, json.Number("42")},
		{"12.50", oidNumeric, json.Number("12.50")},
		{"NaN", oidNumeric, "NaN"},
		{"Infinity", oidFloat8, "Infinity"},
		{"t", oidBool, true},
		{"f", oidBool, false},
		{`{"a": 1}`, oidJSONB, json.RawMessage(`{"a": 1}`)},
		{"2024-01-02 03:04:05", oidTimestamp, "2024-01-02 03:04:05"},
	}
	for _, c := range cases {
		got := normalizePGText([]byte(c.text), c.oid)
		if gb, _ := json.Marshal(got); string(gb) != mustJSON(c.want) {
			t.Errorf("%q (oid %d): got %#v, want %#v", c.text, c.oid, got, c.want)
		}
	}
	if normalizePGText(nil, oidInt4) != nil {
		t.Error("NULL must stay nil")
	}

	numeric := func(p, s int32) pgconn.FieldDescription {
		return pgconn.FieldDescription{DataTypeOID: oidNumeric, TypeModifier: (p<<16 | s) + 4}
	}
	types := []struct {
		f    pgconn.FieldDescription
		want string
	}{
		{numeric(12, 2), "DECIMAL(12,2)"},
		{pgconn.FieldDescription{DataTypeOID: oidNumeric, TypeModifier: -1}, "DOUBLE"},
		{numeric(60, 2), "DOUBLE"},
		{pgconn.FieldDescription{DataTypeOID: oidInt8}, "BIGINT"},
		{pgconn.FieldDescription{DataTypeOID: oidTimestampTZ}, "TIMESTAMPTZ"},
		{pgconn.FieldDescription{DataTypeOID: 25}, "VARCHAR"},
	}
	for _, c := range types {
		if got := duckDBTypeOf(c.f); got != c.want {
			t.Errorf("duckDBTypeOf(%+v) = %s, want %s", c.f, got, c.want)
		}
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
