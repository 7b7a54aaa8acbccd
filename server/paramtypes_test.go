package server

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
)

// TestUntypedParamsDescribed checks statements whose parameters DuckDB
// cannot type from their context are described and answered as PostgreSQL
// does: the parameter is text unless the client declared a type, and the
// result columns are the statement's own (not one "unknown" column).
func TestUntypedParamsDescribed(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	token := ts.analyst(t, "params@example.com", "orders")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ts.dsn("params@example.com", token))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	type field struct {
		name string
		oid  uint32
	}
	for _, c := range []struct {
		sql      string
		declared []uint32
		params   []uint32
		fields   []field
	}{
		{"SELECT $1", nil, []uint32{25}, []field{{"?column?", 25}}},
		{"SELECT 1 AS a, $1 AS b", nil, []uint32{25}, []field{{"a", 23}, {"b", 25}}},
		{"SELECT $1::text AS a, $2 AS c", nil, []uint32{25, 25}, []field{{"a", 25}, {"c", 25}}},
		{"SELECT $1 IS NULL AS a", nil, []uint32{25}, []field{{"a", 16}}},
		{"SELECT count(*) AS n FROM orders WHERE $1 IS NULL OR status = $1", nil, []uint32{25}, []field{{"n", 20}}},
		{"SELECT $1 AS d, $2 AS b, $3 AS i", []uint32{1184, 16, 1007}, []uint32{1184, 16, 1007},
			[]field{{"d", 1184}, {"b", 16}, {"i", 1007}}},
		{"SELECT id FROM orders WHERE id = $1", nil, []uint32{20}, []field{{"id", 20}}},
	} {
		sd, err := conn.PgConn().Prepare(ctx, "", c.sql, c.declared)
		if err != nil {
			t.Errorf("%s: prepare: %v", c.sql, err)
			continue
		}
		if len(sd.ParamOIDs) != len(c.params) {
			t.Errorf("%s: parameter types %v, want %v", c.sql, sd.ParamOIDs, c.params)
		} else {
			for i := range c.params {
				if sd.ParamOIDs[i] != c.params[i] {
					t.Errorf("%s: parameter types %v, want %v", c.sql, sd.ParamOIDs, c.params)
					break
				}
			}
		}
		var got []field
		for _, f := range sd.Fields {
			got = append(got, field{f.Name, f.DataTypeOID})
		}
		if len(got) != len(c.fields) {
			t.Errorf("%s: columns %v, want %v", c.sql, got, c.fields)
			continue
		}
		for i := range got {
			if got[i] != c.fields[i] {
				t.Errorf("%s: columns %v, want %v", c.sql, got, c.fields)
				break
			}
		}
	}

	// Rows match the description.
	var a int32
	var b string
	if err := conn.QueryRow(ctx, "SELECT 1 AS a, $1 AS b", "x").Scan(&a, &b); err != nil || a != 1 || b != "x" {
		t.Fatalf("SELECT 1, $1: %d %q %v", a, b, err)
	}
	var isNull bool
	if err := conn.QueryRow(ctx, "SELECT $1 IS NULL", nil).Scan(&isNull); err != nil || !isNull {
		t.Fatalf("SELECT $1 IS NULL with NULL: %v %v", isNull, err)
	}
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM orders WHERE $1 IS NULL OR status = $1", "pending").Scan(&n); err != nil || n <= 0 || n >= 100000 {
		t.Fatalf("optional filter with a value: %d %v", n, err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM orders WHERE $1 IS NULL OR status = $1", nil).Scan(&n); err != nil || n != 100000 {
		t.Fatalf("optional filter with NULL: %d %v", n, err)
	}
}

// TestAnyArrayParam checks the list filter drivers send as x = ANY ($1)
// with an array parameter, which DuckDB cannot prepare as written.
func TestAnyArrayParam(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	token := ts.analyst(t, "any@example.com", "orders")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ts.dsn("any@example.com", token))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, c := range []struct {
		sql  string
		arg  any
		want int64
	}{
		{"SELECT count(*) FROM orders WHERE id = ANY($1)", []int64{1, 2, 3, 0}, 3},
		{"SELECT count(*) FROM orders WHERE id = ANY($1)", []int64{}, 0},
		{"SELECT count(*) FROM orders WHERE id = ANY($1)", nil, 0},
		{"SELECT count(*) FROM orders WHERE id <= 10 AND status = ANY($1)", []string{"pending", "shipped", "completed", "cancelled", "refunded"}, 10},
		// Elsewhere than a top-level conjunct: under OR and NOT, <> ALL,
		// and in the select list, with PostgreSQL's NULL results.
		{"SELECT count(*) FROM orders WHERE id = ANY($1) OR id = 5", []int64{1, 2}, 3},
		{"SELECT count(*) FROM orders WHERE NOT (id = ANY($1)) AND id <= 10", []int64{1, 2}, 8},
		{"SELECT count(*) FROM orders WHERE id <> ALL($1) AND id <= 10", []int64{1, 2, 3}, 7},
		{"SELECT count(*) FILTER (WHERE id = ANY($1)) FROM orders", []int64{7, 8}, 2},
		{"SELECT count(*) FROM (SELECT id = ANY($1) AS hit FROM orders WHERE id <= 4) s WHERE hit IS NULL", []*int64{nil}, 4},
		{"SELECT count(*) FROM (SELECT id <> ALL($1) AS miss FROM orders WHERE id <= 4) s WHERE miss", []int64{}, 4},
	} {
		var n int64
		if err := conn.QueryRow(ctx, c.sql, c.arg).Scan(&n); err != nil || n != c.want {
			t.Errorf("%s with %v: %d, %v; want %d", c.sql, c.arg, n, err, c.want)
		}
	}
}

// TestArrayParamsWithNulls: arrays with NULL elements arrive intact, in
// text and binary, with strings that need quoting.
func TestArrayParamsWithNulls(t *testing.T) {
	ts := startServer(t, filepath.Join(t.TempDir(), "data"))
	token := ts.analyst(t, "arr@example.com", "orders")
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, ts.dsn("arr@example.com", token))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	one, three := int32(1), int32(3)
	a, q, b := "a,b", `it's "q"`, `back\slash`
	var ints []*int32
	if err := conn.QueryRow(ctx, "SELECT $1::int[]", []*int32{&one, nil, &three}).Scan(&ints); err != nil ||
		len(ints) != 3 || *ints[0] != 1 || ints[1] != nil || *ints[2] != 3 {
		t.Errorf("int array with NULL: %v %v", ints, err)
	}
	var strs []*string
	if err := conn.QueryRow(ctx, "SELECT $1::text[]", []*string{&a, nil, &q, &b}).Scan(&strs); err != nil ||
		len(strs) != 4 || *strs[0] != a || strs[1] != nil || *strs[2] != q || *strs[3] != b {
		t.Errorf("text array with NULL: %v %v", strs, err)
	}
	var hit *bool
	if err := conn.QueryRow(ctx, "SELECT 5 = ANY($1::int[])", []*int32{&one, nil}).Scan(&hit); err != nil || hit != nil {
		t.Errorf("5 = ANY('{1,NULL}') = %v, %v; want NULL", hit, err)
	}
	if err := conn.QueryRow(ctx, "SELECT 1 = ANY($1::int[])", []*int32{&one, nil}).Scan(&hit); err != nil || hit == nil || !*hit {
		t.Errorf("1 = ANY('{1,NULL}') = %v, %v; want true", hit, err)
	}
	var n int64
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM orders WHERE id = ANY($1) OR id = 5", []*int64{ptr(int64(1)), nil}).Scan(&n); err != nil || n != 2 {
		t.Errorf("id = ANY('{1,NULL}') OR id = 5: %d, %v; want 2", n, err)
	}
}

func ptr[T any](v T) *T { return &v }
