package planner

import (
	"bytes"
	"testing"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// arrayText prints a parsed array literal back in a compact form:
// elements quoted, NULL bare, nested levels in brackets.
func arrayText(n *pg_query.Node) string {
	if c := n.GetAConst(); c != nil {
		if c.Isnull {
			return "NULL"
		}
		return "'" + c.GetSval().Sval + "'"
	}
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range n.GetAArrayExpr().Elements {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(arrayText(e))
	}
	b.WriteByte(']')
	return b.String()
}

func TestParseArrayLiteral(t *testing.T) {
	cases := []struct {
		in   string
		want string
		dims int
	}{
		{"{1,2,3}", "['1','2','3']", 1},
		{"{}", "[]", 1},
		{" { 1 , 2 } ", "['1','2']", 1},
		{`{"a b","c,d",NULL,"NULL",e\,f}`, `['a b','c,d',NULL,'NULL','e,f']`, 1},
		{`{"x\"y","\\"}`, `['x"y','\']`, 1},
		{"{{1,2},{3,4}}", "[['1','2'],['3','4']]", 2},
		{"{0}", "['0']", 1},
	}
	for _, tc := range cases {
		n, dims, err := parseArrayLiteral(tc.in)
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if got := arrayText(n); got != tc.want || dims != tc.dims {
			t.Errorf("%q: %s (%d dims), want %s (%d)", tc.in, got, dims, tc.want, tc.dims)
		}
	}
	for _, bad := range []string{"{1,2", "1,2}", "{1,,2}", "{1}x", `{"a}`, "[1:2]={1,2}", "{{{{{{{{1}}}}}}}}"} {
		if _, _, err := parseArrayLiteral(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestParseBytea(t *testing.T) {
	cases := []struct {
		in   string
		want []byte
	}{
		{`\x`, []byte{}},
		{`\x0aFF`, []byte{0x0a, 0xff}},
		{`\x0a ff`, []byte{0x0a, 0xff}},
		{`abc`, []byte("abc")},
		{`a\\b`, []byte(`a\b`)},
		{`\000\377`, []byte{0, 0xff}},
	}
	for _, tc := range cases {
		got, err := parseBytea(tc.in)
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%q: %v %v, want %v", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`\x0`, `\xzz`, `a\q`, `\4000`} {
		if _, err := parseBytea(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got := duckBlobText([]byte{0, 'a', '\\'}); got != `\x00\x61\x5C` {
		t.Errorf("duckBlobText: %s", got)
	}
}
