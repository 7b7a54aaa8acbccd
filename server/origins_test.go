package server

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestColumnOrigins: a result column that is a plain reference to a table
// column carries that table's OID and the column's number in
// RowDescription, in both protocols, and the catalog agrees (pg_class and
// pg_attribute name them), as drivers check when they build result
// metadata. Computed columns carry none.
func TestColumnOrigins(t *testing.T) {
	ts, token := startBIServer(t)
	ctx := context.Background()
	c := connectPG(t, ts.dsn("bi_user@example.com", token))
	type origin struct {
		oid uint32
		att uint16
	}
	origins := func(sql string, extended bool) []origin {
		var fds []pgconn.FieldDescription
		if extended {
			rr := c.ExecParams(ctx, sql, nil, nil, nil, nil)
			fds = rr.FieldDescriptions()
			if _, err := rr.Close(); err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
		} else {
			res, err := c.Exec(ctx, sql).ReadAll()
			if err != nil {
				t.Fatalf("%s: %v", sql, err)
			}
			fds = res[0].FieldDescriptions
		}
		out := make([]origin, len(fds))
		for i, f := range fds {
			out[i] = origin{f.TableOID, f.TableAttributeNumber}
		}
		return out
	}
	catalogName := func(o origin) string {
		res, err := c.Exec(ctx, fmt.Sprintf(`SELECT c.relname || '.' || a.attname FROM pg_class c
			JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.oid = %d AND a.attnum = %d`, o.oid, o.att)).ReadAll()
		if err != nil || len(res[0].Rows) != 1 {
			t.Fatalf("catalog lookup of %+v: %v %v", o, res, err)
		}
		return string(res[0].Rows[0][0])
	}
	for _, extended := range []bool{false, true} {
		got := origins("SELECT id, customer AS c, amount + 1 AS more, o.created_at FROM orders o WHERE id < 3", extended)
		if got[2] != (origin{}) {
			t.Errorf("computed column has an origin: %+v", got[2])
		}
		for i, want := range map[int]string{0: "orders.id", 1: "orders.customer", 3: "orders.created_at"} {
			if got[i].oid == 0 || catalogName(got[i]) != want {
				t.Errorf("extended=%t column %d origin %+v, want %s", extended, i, got[i], want)
			}
		}
		star := origins("SELECT * FROM orders LIMIT 1", extended)
		for i, o := range star {
			if o.att != uint16(i+1) || o.oid != got[0].oid {
				t.Errorf("SELECT * column %d origin %+v", i, o)
			}
		}
		// Joins: qualified references and unqualified ones only one table
		// has carry their table's origin.
		join := origins("SELECT o.id, p.amount FROM orders o JOIN orders p ON p.id = o.id LIMIT 1", extended)
		if catalogName(join[0]) != "orders.id" || catalogName(join[1]) != "orders.amount" {
			t.Errorf("extended=%t join origins %+v", extended, join)
		}
		withCatalog := origins("SELECT customer, relname FROM orders JOIN pg_class c ON c.relname = 'orders' LIMIT 1", extended)
		if catalogName(withCatalog[0]) != "orders.customer" || withCatalog[1] != (origin{}) {
			t.Errorf("extended=%t origins next to a catalog relation %+v", extended, withCatalog)
		}
		// Computed columns have no origin (as in PostgreSQL). Columns of
		// subqueries are reported without one (PostgreSQL traces them; 0
		// means unknown to drivers).
		for _, sql := range []string{
			"SELECT count(*) FROM orders",
			"SELECT id::text FROM orders LIMIT 1",
		} {
			if o := origins(sql, extended); o[0] != (origin{}) {
				t.Errorf("%s: origin %+v, want none", sql, o[0])
			}
		}
	}
}
