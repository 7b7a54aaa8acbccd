package server

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// simpleRows runs one simple-protocol statement and returns its rows as
// text and its command tag.
func simpleRows(t *testing.T, c *pgconn.PgConn, sql string) ([][]string, string, error) {
	t.Helper()
	res, err := c.Exec(context.Background(), sql).ReadAll()
	if err != nil {
		return nil, "", err
	}
	r := res[len(res)-1]
	if r.Err != nil {
		return nil, "", r.Err
	}
	out := make([][]string, len(r.Rows))
	for i, row := range r.Rows {
		out[i] = make([]string, len(row))
		for j, v := range row {
			out[i][j] = string(v)
		}
	}
	return out, r.CommandTag.String(), nil
}

func TestCursors(t *testing.T) {
	ts, token := startBIServer(t)
	ctx := context.Background()
	c := connectPG(t, ts.dsn("bi_user@example.com", token))
	must := func(sql string) ([][]string, string) {
		t.Helper()
		rows, tag, err := simpleRows(t, c, sql)
		if err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
		return rows, tag
	}
	fails := func(sql, code string) {
		t.Helper()
		_, _, err := simpleRows(t, c, sql)
		if sqlState(err) != code {
			t.Fatalf("%s: got %v, want SQLSTATE %s", sql, err, code)
		}
	}

	// A cursor needs a transaction block unless it is WITH HOLD.
	fails(`DECLARE c CURSOR FOR SELECT id FROM orders`, "25P01")

	// psycopg2's named cursor: DECLARE, FETCH FORWARD n until empty, CLOSE.
	must("BEGIN")
	if _, tag := must(`DECLARE "named_cursor" CURSOR WITHOUT HOLD FOR SELECT id FROM orders ORDER BY id`); tag != "DECLARE CURSOR" {
		t.Fatalf("DECLARE tag %q", tag)
	}
	fails(`DECLARE "named_cursor" CURSOR FOR SELECT 1`, "42P03")
	must("ROLLBACK")
	fails(`FETCH 1 FROM "named_cursor"`, "34000") // closed with its transaction

	must("BEGIN")
	must(`DECLARE "named_cursor" CURSOR WITHOUT HOLD FOR SELECT id FROM orders ORDER BY id`)
	next := int64(1)
	for {
		rows, tag := must(`FETCH FORWARD 3000 FROM "named_cursor"`)
		if tag != "FETCH "+strconv.Itoa(len(rows)) {
			t.Fatalf("FETCH tag %q for %d rows", tag, len(rows))
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			if r[0] != strconv.FormatInt(next, 10) {
				t.Fatalf("row %s, want %d", r[0], next)
			}
			next++
		}
	}
	if next != 20001 {
		t.Fatalf("fetched up to %d, want all 20000 rows", next-1)
	}
	if _, tag := must(`CLOSE "named_cursor"`); tag != "CLOSE CURSOR" {
		t.Fatalf("CLOSE tag %q", tag)
	}
	fails(`FETCH 1 FROM "named_cursor"`, "34000")
	must("ROLLBACK")

	// MOVE skips, FETCH NEXT reads one row, other statements in between
	// do not end the cursor, FETCH ALL reads the rest, catalog cursors get
	// PostgreSQL's column types.
	must("BEGIN")
	must(`DECLARE c NO SCROLL CURSOR FOR SELECT id, customer FROM orders WHERE id <= 10 ORDER BY id`)
	if _, tag := must("MOVE 3 IN c"); tag != "MOVE 3" {
		t.Fatalf("MOVE tag %q", tag)
	}
	if rows, _ := must("FETCH NEXT FROM c"); len(rows) != 1 || rows[0][0] != "4" || rows[0][1] != "customer_4" {
		t.Fatalf("FETCH NEXT: %v", rows)
	}
	if rows, _ := must("SELECT count(*) FROM orders"); rows[0][0] != "20000" {
		t.Fatalf("query between fetches: %v", rows)
	}
	if rows, _ := must("FETCH ALL FROM c"); len(rows) != 6 || rows[5][0] != "10" {
		t.Fatalf("FETCH ALL after another query: %v", rows)
	}
	fails("FETCH BACKWARD 1 FROM c", "55000")
	must("ROLLBACK")

	// A parameter change between FETCHes makes the session re-sync its
	// DuckDB settings: the cursor keeps its rows (read into memory).
	must("BEGIN")
	must(`DECLARE d CURSOR FOR SELECT id FROM orders ORDER BY id`)
	if rows, _ := must("FETCH 2 FROM d"); len(rows) != 2 || rows[1][0] != "2" {
		t.Fatalf("FETCH 2: %v", rows)
	}
	must("SET application_name = 'cursor-test'")
	if rows, _ := must("SELECT current_setting('application_name')"); rows[0][0] != "cursor-test" {
		t.Fatalf("current_setting: %v", rows)
	}
	if rows, tag := must("FETCH ALL FROM d"); len(rows) != 19998 || rows[0][0] != "3" || tag != "FETCH 19998" {
		t.Fatalf("FETCH ALL after a settings change: %d rows, tag %s", len(rows), tag)
	}
	must("COMMIT")

	// WITH HOLD survives COMMIT and works outside a transaction block.
	must(`DECLARE h CURSOR WITH HOLD FOR SELECT relname FROM pg_class WHERE relname IN ('orders', 'salaries')`)
	res := c.Exec(ctx, "FETCH ALL FROM h")
	results, err := res.ReadAll()
	if err != nil || len(results) != 1 || len(results[0].Rows) != 1 || string(results[0].Rows[0][0]) != "orders" {
		t.Fatalf("FETCH from a held catalog cursor: %v %v", results, err)
	}
	if oid := results[0].FieldDescriptions[0].DataTypeOID; oid != 19 {
		t.Errorf("relname sent as type %d, want name (19)", oid)
	}
	must("CLOSE ALL")
	fails("FETCH 1 FROM h", "34000")

	// A BINARY cursor sends binary rows to a simple Query (int4 1 is four
	// bytes, text stays its bytes), and text through the extended protocol
	// when Bind asks for text.
	must("BEGIN")
	must(`DECLARE b BINARY CURSOR FOR SELECT id::int4 AS id, customer, amount FROM orders WHERE id = 7`)
	bres, err := c.Exec(ctx, "FETCH 1 FROM b").ReadAll()
	if err != nil || len(bres) != 1 || len(bres[0].Rows) != 1 {
		t.Fatalf("FETCH from a binary cursor: %v %v", bres, err)
	}
	for i, f := range bres[0].FieldDescriptions {
		if f.Format != 1 {
			t.Errorf("binary cursor column %d sent in format %d", i, f.Format)
		}
	}
	if got := bres[0].Rows[0]; !bytes.Equal(got[0], []byte{0, 0, 0, 7}) || string(got[1]) != "customer_7" {
		t.Errorf("binary cursor row %v", got)
	}
	must("CLOSE b")
	must(`DECLARE b2 BINARY CURSOR FOR SELECT id::int4 AS id FROM orders WHERE id = 7`)
	ext := c.ExecParams(ctx, "FETCH 1 FROM b2", nil, nil, nil, []int16{0}).Read()
	if ext.Err != nil || len(ext.Rows) != 1 || string(ext.Rows[0][0]) != "7" || ext.FieldDescriptions[0].Format != 0 {
		t.Errorf("extended FETCH from a binary cursor with text formats: %+v", ext)
	}
	must("ROLLBACK")
	// Cursors over ungranted tables are refused like any query.
	must("BEGIN")
	if _, _, err := simpleRows(t, c, "DECLARE x CURSOR FOR SELECT * FROM salaries"); sqlState(err) != "42P01" ||
		!strings.Contains(err.Error(), "not granted") {
		t.Fatalf("cursor over salaries: %v", err)
	}
	must("ROLLBACK")
}

// TestScrollCursorsMatchPostgres moves a SCROLL cursor every way FETCH and
// MOVE allow and compares each answer (rows and command tag) with
// PostgreSQL's on the same table.
func TestScrollCursorsMatchPostgres(t *testing.T) {
	ts, token := startBIServer(t)
	pg := startReferencePostgres(t)
	ctx := context.Background()
	steps := []string{
		"BEGIN",
		"DECLARE s SCROLL CURSOR FOR SELECT id, customer FROM orders WHERE id <= 10 ORDER BY id",
		"FETCH 3 FROM s", "FETCH PRIOR FROM s", "FETCH FIRST FROM s", "FETCH LAST FROM s",
		"FETCH NEXT FROM s", "FETCH PRIOR FROM s", "FETCH ABSOLUTE 5 FROM s", "FETCH RELATIVE -2 FROM s",
		"FETCH RELATIVE 0 FROM s", "FETCH BACKWARD 2 FROM s", "FETCH BACKWARD ALL FROM s",
		"FETCH FORWARD ALL FROM s", "MOVE ABSOLUTE 0 IN s", "MOVE FORWARD 4 IN s", "FETCH 1 FROM s",
		"MOVE BACKWARD ALL IN s", "FETCH ABSOLUTE -3 FROM s", "FETCH ABSOLUTE 11 FROM s",
		"FETCH ABSOLUTE 100 FROM s", "FETCH PRIOR FROM s", "FETCH FORWARD -2 FROM s", "FETCH FORWARD 0 FROM s",
		"MOVE RELATIVE 3 IN s", "FETCH 2 FROM s", "MOVE LAST IN s", "MOVE NEXT IN s", "FETCH BACKWARD 1 FROM s",
		"CLOSE s",
		"DECLARE e SCROLL CURSOR FOR SELECT id FROM orders WHERE id < 0",
		"FETCH LAST FROM e", "FETCH PRIOR FROM e", "MOVE FORWARD ALL IN e",
		"COMMIT",
	}
	run := func(dsn string) []string {
		c, err := pgconn.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		var out []string
		for _, q := range steps {
			res, err := c.Exec(ctx, q).ReadAll()
			if err != nil {
				out = append(out, q+" => "+err.Error())
				continue
			}
			var b strings.Builder
			for _, r := range res[0].Rows {
				for _, v := range r {
					b.Write(v)
					b.WriteByte(',')
				}
				b.WriteByte(';')
			}
			out = append(out, q+" => "+res[0].CommandTag.String()+" ["+b.String()+"]")
		}
		return out
	}
	got := run(ts.dsn("bi_user@example.com", token))
	want := run(pg.dsn)
	for i := range steps {
		if got[i] != want[i] {
			t.Errorf("step %d\n agnes    %s\n postgres %s", i, got[i], want[i])
		}
	}
}
