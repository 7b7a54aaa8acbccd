package pgcompat

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keboola/agnes/pgcompat/pgtest"
)

// pgRows runs q on PostgreSQL and returns its rows as text.
func pgRows(t *testing.T, c *pgconn.PgConn, q string) [][]string {
	t.Helper()
	res := c.ExecParams(context.Background(), q, nil, nil, nil, nil).Read()
	if res.Err != nil {
		t.Fatalf("postgres: %s: %v", q, res.Err)
	}
	out := make([][]string, len(res.Rows))
	for i, r := range res.Rows {
		out[i] = make([]string, len(r))
		for j, v := range r {
			if v == nil {
				out[i][j] = "NULL"
			} else {
				out[i][j] = string(v)
			}
		}
	}
	return out
}

// TestAgainstPostgres compares the compatibility catalog with a real
// PostgreSQL: the functions' answers for the same inputs, and, when the
// server is the version the static rows were taken from, the rows and
// columns themselves.
func TestAgainstPostgres(t *testing.T) {
	pg := pgtest.Start(t)
	ctx := context.Background()
	pc, err := pgconn.Connect(ctx, pg.DSN("postgres", "postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close(ctx)
	c := newTestConn(t)
	major := pgRows(t, pc, "SHOW server_version_num")[0][0][:2]

	t.Run("format_type", func(t *testing.T) {
		// Arrays of composite row types are left out: Agnes serves no
		// composite types (typrelid <> 0).
		oids := query(t, c, `SELECT t.oid FROM pgcompat.pg_type t
			WHERE t.typelem = 0 OR t.typelem IN (SELECT oid FROM pgcompat.pg_type) ORDER BY t.oid`)
		var list []string
		for _, r := range oids {
			list = append(list, r[0])
		}
		in := strings.Join(list, ",")
		q := func(expr string) string {
			return fmt.Sprintf("SELECT o, %s FROM unnest(ARRAY[%s]::oid[]) AS o ORDER BY o", expr, in)
		}
		for _, typmod := range []string{"NULL", "-1"} {
			want := pgRows(t, pc, q("format_type(o, "+typmod+")"))
			got := query(t, c, fmt.Sprintf("SELECT o, pgcompat.format_type(o, %s) FROM unnest([%s]) AS u(o) ORDER BY o", typmod, in))
			compareRows(t, "format_type(oid, "+typmod+")", got, want)
		}
		// Type modifiers of the types DuckDB columns have.
		for _, tc := range [][2]string{{"1700", "786438"}, {"1043", "36"}, {"1042", "14"}, {"1114", "3"},
			{"1184", "0"}, {"1083", "6"}, {"1560", "8"}, {"1562", "16"}, {"1231", "786438"}} {
			want := pgRows(t, pc, fmt.Sprintf("SELECT format_type(%s, %s)", tc[0], tc[1]))
			got := query(t, c, fmt.Sprintf("SELECT pgcompat.format_type(%s, %s)", tc[0], tc[1]))
			compareRows(t, "format_type"+fmt.Sprint(tc), got, want)
		}
	})

	t.Run("quote_ident", func(t *testing.T) {
		words := pgRows(t, pc, "SELECT word FROM pg_get_keywords() ORDER BY word")
		var lits []string
		for _, w := range words {
			lits = append(lits, quoteLiteral(w[0]))
		}
		lits = append(lits, "'orders'", "'Orders'", "'my table'", "'a\"b'", "'_x1$'", "'1abc'", "'é'")
		in := strings.Join(lits, ",")
		want := pgRows(t, pc, fmt.Sprintf("SELECT w, quote_ident(w) FROM unnest(ARRAY[%s]) AS w ORDER BY w COLLATE \"C\"", in))
		got := query(t, c, fmt.Sprintf("SELECT w, pgcompat.quote_ident(w) FROM unnest([%s]) AS u(w) ORDER BY w", in))
		compareRows(t, "quote_ident", got, want)
	})

	t.Run("reg casts", func(t *testing.T) {
		for _, name := range []string{"integer", "int", "int4", "bigint", "character varying", "varchar(10)",
			"timestamp with time zone", "timestamp(3) without time zone", "double precision", "text[]",
			"pg_catalog.bool", "\"char\"", "numeric(12,2)", "json", "uuid"} {
			want := pgRows(t, pc, fmt.Sprintf("SELECT %s::regtype::oid, %s::regtype::text", quoteLiteral(name), quoteLiteral(name)))
			got := query(t, c, fmt.Sprintf("SELECT pgcompat.regtype_oid(%s), pgcompat.regtype_name(%s)", quoteLiteral(name), quoteLiteral(name)))
			compareRows(t, "regtype "+name, got, want)
		}
		for _, name := range []string{"pg_class", "pg_catalog.pg_type", "information_schema.tables", "pg_roles"} {
			want := pgRows(t, pc, fmt.Sprintf("SELECT %s::regclass::oid, %s::regclass::text", quoteLiteral(name), quoteLiteral(name)))
			got := query(t, c, fmt.Sprintf("SELECT pgcompat.regclass_oid(%s), pgcompat.regclass_name(%s)", quoteLiteral(name), quoteLiteral(name)))
			if major != "15" && strings.Contains(name, "information_schema") || major != "15" && name == "pg_roles" {
				continue // view OIDs are assigned by each version's initdb
			}
			compareRows(t, "regclass "+name, got, want)
		}
		for _, name := range []string{"array_in", "pg_catalog.array_recv", "int4in"} {
			want := pgRows(t, pc, fmt.Sprintf("SELECT %s::regproc::oid", quoteLiteral(name)))
			got := query(t, c, fmt.Sprintf("SELECT pgcompat.regproc_oid(%s)", quoteLiteral(name)))
			compareRows(t, "regproc "+name, got, want)
		}
	})

	if major != "15" {
		t.Logf("PostgreSQL %s: static rows were taken from PostgreSQL 15; not compared", major)
		return
	}

	t.Run("pg_type rows", func(t *testing.T) {
		cols := "oid, typname, typnamespace, typlen, typtype, typcategory, typdelim, typelem, typarray, typbasetype, typtypmod, typcollation"
		want := pgRows(t, pc, "SELECT "+cols+", typbyval::text, typinput::oid, typoutput::oid, typreceive::oid, typsend::oid FROM pg_type WHERE typrelid = 0 ORDER BY oid")
		got := query(t, c, "SELECT "+cols+", CASE WHEN typbyval THEN 'true' ELSE 'false' END, typinput, typoutput, typreceive, typsend FROM pgcompat.pg_type ORDER BY oid")
		compareRows(t, "pg_type", got, want)
	})

	// PostgreSQL 16's columns of pg_database and pg_auth_members are
	// served; pg_statistic_ext_data.stxdexpr is of a composite type Agnes
	// does not describe.
	t.Run("relation columns", func(t *testing.T) {
		want := pgRows(t, pc, `SELECT n.nspname || '.' || c.relname, string_agg(a.attname || ' ' || a.atttypid, ', ' ORDER BY a.attnum)
			FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
			WHERE n.nspname IN ('pg_catalog', 'information_schema') AND c.relkind IN ('r', 'v')
				AND c.relname NOT IN ('pg_database', 'pg_auth_members', 'pg_statistic_ext_data')
			GROUP BY 1 ORDER BY 1`)
		got := query(t, c, `SELECT n.nspname || '.' || c.relname, string_agg(a.attname || ' ' || a.atttypid, ', ' ORDER BY a.attnum)
			FROM pgcompat.pg_class c JOIN pgcompat.pg_namespace n ON n.oid = c.relnamespace JOIN pgcompat.pg_attribute a ON a.attrelid = c.oid
			WHERE n.nspname IN ('pg_catalog', 'information_schema')
				AND c.relname NOT IN ('pg_database', 'pg_auth_members', 'pg_statistic_ext_data')
			GROUP BY 1 ORDER BY 1`)
		compareRows(t, "catalog relations", got, want)
	})
}

func compareRows(t *testing.T, what string, got, want [][]string) {
	t.Helper()
	norm := func(rows [][]string) []string {
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = strings.Join(r, " | ")
		}
		return out
	}
	g, w := norm(got), norm(want)
	if len(g) != len(w) {
		t.Errorf("%s: %d rows, PostgreSQL has %d", what, len(g), len(w))
	}
	n := 0
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			t.Errorf("%s row %d\n agnes    %s\n postgres %s", what, i, g[i], w[i])
			if n++; n > 10 {
				return
			}
		}
	}
}
