package server

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keboola/agnes/connectors"
	"github.com/keboola/agnes/pgcompat/pgtest"
)

// pgjdbc's DatabaseMetaData.getTables and getColumns for every table of
// schema public, as DBeaver sends them when it opens a connection
// (planner/testdata/clients/jdbc.sql).
var jdbcBrowse = []string{
	`SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,  CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema'  WHEN true THEN CASE  WHEN n.nspname = 'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM TABLE'   WHEN 'v' THEN 'SYSTEM VIEW'   WHEN 'i' THEN 'SYSTEM INDEX'   ELSE NULL   END  WHEN n.nspname = 'pg_toast' THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM TOAST TABLE'   WHEN 'i' THEN 'SYSTEM TOAST INDEX'   ELSE NULL   END  ELSE CASE c.relkind   WHEN 'r' THEN 'TEMPORARY TABLE'   WHEN 'p' THEN 'TEMPORARY TABLE'   WHEN 'i' THEN 'TEMPORARY INDEX'   WHEN 'S' THEN 'TEMPORARY SEQUENCE'   WHEN 'v' THEN 'TEMPORARY VIEW'   ELSE NULL   END  END  WHEN false THEN CASE c.relkind  WHEN 'r' THEN 'TABLE'  WHEN 'p' THEN 'PARTITIONED TABLE'  WHEN 'i' THEN 'INDEX'  WHEN 'P' then 'PARTITIONED INDEX'  WHEN 'S' THEN 'SEQUENCE'  WHEN 'v' THEN 'VIEW'  WHEN 'c' THEN 'TYPE'  WHEN 'f' THEN 'FOREIGN TABLE'  WHEN 'm' THEN 'MATERIALIZED VIEW'  ELSE NULL  END  ELSE NULL  END  AS TABLE_TYPE, d.description AS REMARKS,  '' as TYPE_CAT, '' as TYPE_SCHEM, '' as TYPE_NAME, '' AS SELF_REFERENCING_COL_NAME, '' AS REF_GENERATION  FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c  LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0  and d.classoid = 'pg_class'::regclass)  WHERE c.relnamespace = n.oid  AND n.nspname LIKE 'public' AND c.relname LIKE '%' AND (false  OR ( c.relkind = 'r' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' )  OR ( c.relkind = 'v' AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' ) )  ORDER BY TABLE_TYPE,TABLE_SCHEM,TABLE_NAME`,
	`SELECT * FROM (SELECT n.nspname,c.relname,a.attname,a.atttypid,a.attnotnull OR (t.typtype = 'd' AND t.typnotnull) AS attnotnull,a.atttypmod,a.attlen,t.typtypmod,row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum, nullif(a.attidentity, '') as attidentity,nullif(a.attgenerated, '') as attgenerated,pg_catalog.pg_get_expr(def.adbin, def.adrelid) AS adsrc,dsc.description,t.typbasetype,t.typtype  FROM pg_catalog.pg_namespace n  JOIN pg_catalog.pg_class c ON (c.relnamespace = n.oid)  JOIN pg_catalog.pg_attribute a ON (a.attrelid=c.oid)  JOIN pg_catalog.pg_type t ON (a.atttypid = t.oid)  LEFT JOIN pg_catalog.pg_attrdef def ON (a.attrelid=def.adrelid AND a.attnum = def.adnum)  LEFT JOIN pg_catalog.pg_description dsc ON (c.oid=dsc.objoid AND a.attnum = dsc.objsubid)  LEFT JOIN pg_catalog.pg_class dc ON (dc.oid=dsc.classoid AND dc.relname='pg_class')  LEFT JOIN pg_catalog.pg_namespace dn ON (dc.relnamespace=dn.oid AND dn.nspname='pg_catalog')  WHERE c.relkind in ('r','p','v','f','m') and a.attnum > 0 AND NOT a.attisdropped  AND n.nspname LIKE 'public' AND c.relname LIKE '%') c WHERE true  AND attname LIKE '%' ORDER BY nspname,c.relname,attnum`,
}

const benchTables = 200

// BenchmarkMetadataBrowse connects and runs pgjdbc's getTables and
// getColumns over 200 tables of 8 columns, against the gateway and
// against a local PostgreSQL with the same tables (skipped without one).
func BenchmarkMetadataBrowse(b *testing.B) {
	ctx := context.Background()
	run := func(b *testing.B, dsn string, wantTables int) {
		// The first connection of a grant set builds its sandbox; the
		// benchmark measures the connections after it.
		if c, err := pgconn.Connect(ctx, dsn); err != nil {
			b.Fatal(err)
		} else {
			c.Close(ctx)
		}
		for b.Loop() {
			c, err := pgconn.Connect(ctx, dsn)
			if err != nil {
				b.Fatal(err)
			}
			for i, q := range jdbcBrowse {
				res := c.ExecParams(ctx, q, nil, nil, nil, nil).Read()
				if res.Err != nil {
					b.Fatal(res.Err)
				}
				if want := []int{wantTables, wantTables * 8}[i]; len(res.Rows) != want {
					b.Fatalf("query %d returned %d rows, want %d", i, len(res.Rows), want)
				}
			}
			c.Close(ctx)
		}
	}
	b.Run("agnes", func(b *testing.B) {
		dataDir := filepath.Join(b.TempDir(), "data")
		dir := filepath.Join(dataDir, connectors.ExtractsDir, "wide")
		db, err := sql.Open("duckdb", "")
		if err != nil {
			b.Fatal(err)
		}
		var spec connectors.ExtractSpec
		for i := range benchTables {
			name := fmt.Sprintf("t%03d", i)
			q := `SELECT range::BIGINT AS id, 'x' AS name, 1.5::DECIMAL(10,2) AS amount, now()::TIMESTAMP AS created_at,
				true AS flag, 1::INTEGER AS n, 'y' AS note, DATE '2024-01-01' AS day FROM range(10)`
			if err := connectors.WriteParquetAtomic(ctx, db, q, filepath.Join(dir, connectors.DataDir, name+".parquet")); err != nil {
				b.Fatal(err)
			}
			spec.Tables = append(spec.Tables, connectors.MetaRow{TableName: name, Description: "table " + name, QueryMode: "local"})
		}
		db.Close()
		if err := connectors.WriteExtractDB(ctx, dir, spec); err != nil {
			b.Fatal(err)
		}
		ts := startServerWith(b, dataDir, Options{NoDemo: true})
		ts.waitNative(b)
		grants := make([]string, benchTables)
		for i := range grants {
			grants[i] = fmt.Sprintf("t%03d", i)
		}
		token := ts.analyst(b, "bench@example.com", grants...)
		dsn := ts.dsn("bench@example.com", token)
		run(b, dsn, benchTables)
	})
	b.Run("postgres", func(b *testing.B) {
		pg := pgtest.Start(b)
		var stmts []string
		for i := range benchTables {
			stmts = append(stmts, fmt.Sprintf(`CREATE TABLE t%03d (id bigint, name text, amount numeric(10,2), created_at timestamp,
				flag boolean, n integer, note text, day date); COMMENT ON TABLE t%03d IS 'table t%03d'`, i, i, i))
		}
		pg.Exec(b, "postgres", strings.Join(stmts, ";"))
		run(b, pg.DSN("postgres", "postgres"), benchTables)
	})
}
