package wire

import (
	"bytes"
	"context"
	"strconv"
	"testing"
)

func TestCopyOut(t *testing.T) {
	srv, _ := startServer(t, Config{})
	conn := connect(t, srv)
	query := `SELECT * FROM (VALUES
		(1, 'plain', DATE '2024-01-02', [1, 2]),
		(2, E'tab\there\nnew "quoted", comma\\back', NULL, NULL),
		(3, '', DATE '2024-01-03', []::INTEGER[])) t(id, s, d, l) ORDER BY id`
	cases := []struct {
		name, copy, want string
		rows             int64
	}{
		{"text", "COPY (" + query + ") TO STDOUT",
			"1\tplain\t2024-01-02\t{1,2}\n" +
				"2\ttab\\there\\nnew \"quoted\", comma\\\\back\t\\N\t\\N\n" +
				"3\t\t2024-01-03\t{}\n", 3},
		{"csv with header", "COPY (" + query + ") TO STDOUT (FORMAT csv, HEADER)",
			"id,s,d,l\n" +
				"1,plain,2024-01-02,\"{1,2}\"\n" +
				"2,\"tab\there\nnew \"\"quoted\"\", comma\\back\",,\n" +
				"3,\"\",2024-01-03,{}\n", 3},
		{"csv delimiter", "COPY (SELECT 'a;b' AS x, 'c' AS y) TO STDOUT (FORMAT csv, DELIMITER ';')",
			"\"a;b\";c\n", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			tag, err := conn.PgConn().CopyTo(context.Background(), &buf, tc.copy)
			if err != nil {
				t.Fatal(err)
			}
			if buf.String() != tc.want {
				t.Fatalf("got\n%q\nwant\n%q", buf.String(), tc.want)
			}
			if tag.String() != "COPY "+strconv.FormatInt(tc.rows, 10) {
				t.Fatalf("tag %q", tag)
			}
		})
	}
}

func TestCopyFormatQuoting(t *testing.T) {
	f, err := newCopyFormat(&CopyOptions{Format: "csv", Quote: "'", Escape: "\\", ForceQuote: []string{"b"}}, []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		v     string
		col   int
		ncols int
		want  string
	}{
		{"x", 0, 2, "x"}, {"x", 1, 2, "'x'"}, {"it's", 0, 2, `'it\'s'`}, {`a\b`, 0, 2, `a\b`},
		{`q\'`, 1, 2, `'q\\\''`}, {"", 0, 2, "''"}, {`\.`, 0, 1, `'\\.'`},
	}
	for _, tc := range cases {
		if got := string(f.appendValue(nil, []byte(tc.v), tc.col, tc.ncols)); got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.v, got, tc.want)
		}
	}
	if _, err := newCopyFormat(&CopyOptions{Format: "binary"}, nil); err == nil {
		t.Error("binary COPY accepted")
	}
}
