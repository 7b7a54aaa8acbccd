package planner

import (
	"reflect"
	"testing"
)

func TestCopyToStdout(t *testing.T) {
	text := CopyCommand{Format: "text", Delimiter: "\t", Null: `\N`}
	csv := CopyCommand{Format: "csv", Delimiter: ",", Null: "", Quote: `"`, Escape: `"`}
	with := func(c CopyCommand, f func(*CopyCommand)) CopyCommand { f(&c); return c }
	cases := []struct {
		sql     string
		wantSQL string
		want    CopyCommand
	}{
		{"COPY orders TO STDOUT", "SELECT * FROM main.orders", text},
		{"COPY public.orders (id, customer) TO STDOUT", "SELECT id, customer FROM main.orders", text},
		{"COPY  ( SELECT * FROM orders LIMIT 100 ) TO STDOUT WITH (FORMAT csv, HEADER);",
			"SELECT * FROM main.orders LIMIT 100", with(csv, func(c *CopyCommand) { c.Header = true })},
		{"COPY orders TO STDOUT WITH CSV HEADER FORCE QUOTE *", "SELECT * FROM main.orders",
			with(csv, func(c *CopyCommand) { c.Header, c.ForceQuoteAll = true, true })},
		{"COPY orders TO STDOUT (FORMAT csv, FORCE_QUOTE (id, customer), DELIMITER ';', QUOTE '''', ESCAPE '\\', NULL 'NA')",
			"SELECT * FROM main.orders",
			with(csv, func(c *CopyCommand) {
				c.ForceQuote, c.Delimiter, c.Quote, c.Escape, c.Null = []string{"id", "customer"}, ";", "'", `\`, "NA"
			})},
		{"COPY orders TO STDOUT (FORMAT text, HEADER false, DELIMITER '|', ENCODING 'UTF8')", "SELECT * FROM main.orders",
			with(text, func(c *CopyCommand) { c.Delimiter = "|" })},
		{"COPY (SELECT 1 AS x) TO STDOUT", "SELECT 1 AS x", text},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			p := planOne(t, tc.sql, testOptions())
			if p.Kind != KindCopy || p.SQL != tc.wantSQL {
				t.Errorf("kind %s SQL %q, want copy %q", p.Kind, p.SQL, tc.wantSQL)
			}
			if !reflect.DeepEqual(*p.Copy, tc.want) {
				t.Errorf("options\n got %+v\nwant %+v", *p.Copy, tc.want)
			}
		})
	}
	for _, tc := range []struct{ sql, code string }{
		{"COPY orders TO STDOUT (FORMAT xml)", "22023"},
		{"COPY orders TO STDOUT (QUOTE '\"')", "0A000"},
		{"COPY orders TO STDOUT (FORMAT csv, DELIMITER ',,')", "0A000"},
		{"COPY orders TO STDOUT (FORMAT csv, DELIMITER '\"')", "22023"},
		{"COPY orders TO STDOUT (HEADER MATCH)", "0A000"},
		{"COPY orders TO STDOUT (FORCE_NOT_NULL (id))", "0A000"},
		{"COPY orders TO STDOUT (FREEZE)", "0A000"},
		{"COPY orders TO STDOUT (ENCODING 'LATIN1')", "0A000"},
		{"COPY orders TO STDOUT (FORMAT csv, FORMAT text)", "42601"},
		{"COPY orders TO STDOUT (BOGUS 1)", "42601"},
		{"COPY orders TO STDOUT (NULL 'a|b', DELIMITER '|')", "22023"},
	} {
		t.Run(tc.sql, func(t *testing.T) {
			if e := planError(t, tc.sql, testOptions()); e.Code != tc.code {
				t.Errorf("code %s (%s), want %s", e.Code, e.Message, tc.code)
			}
		})
	}
}
