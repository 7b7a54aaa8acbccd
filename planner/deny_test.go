package planner

import (
	"strings"
	"testing"
)

// Everything that is not a read of granted data or a session command is
// refused, with the SQLSTATE a client can act on: 42501 for a refused
// construct (the message names it), 42601 for what PostgreSQL's grammar does
// not parse (DuckDB-only syntax), 0A000 for what Agnes does not support.
func TestDenials(t *testing.T) {
	cases := []struct {
		sql, code string
		mention   string // the message must contain this (case-insensitive)
	}{
		// File, network, dynamic-SQL and metadata readers in FROM.
		{"SELECT * FROM read_csv('/etc/passwd')", "42501", "read_csv"},
		{"SELECT * FROM read_csv_auto('x.csv')", "42501", "read_csv_auto"},
		{"SELECT * FROM read_parquet('s3://bucket/x.parquet')", "42501", "read_parquet"},
		{"SELECT * FROM read_json('x.json')", "42501", "read_json"},
		{"SELECT * FROM read_text('/etc/hosts')", "42501", "read_text"},
		{"SELECT * FROM read_blob('/etc/hosts')", "42501", "read_blob"},
		{"SELECT * FROM glob('/data/*')", "42501", "glob"},
		{"SELECT * FROM parquet_metadata('x.parquet')", "42501", "parquet_metadata"},
		{"SELECT * FROM parquet_schema('x.parquet')", "42501", "parquet_schema"},
		{"SELECT * FROM sniff_csv('x.csv')", "42501", "sniff_csv"},
		{"SELECT * FROM query('SELECT * FROM customers')", "42501", "query"},
		{"SELECT * FROM query_table('customers')", "42501", "query_table"},
		{"SELECT * FROM duckdb_tables()", "42501", "duckdb_tables"},
		{"SELECT * FROM duckdb_settings()", "42501", "duckdb_settings"},
		{"SELECT * FROM duckdb_secrets()", "42501", "duckdb_secrets"},
		{"SELECT * FROM pragma_table_info('customers')", "42501", "pragma_table_info"},
		{"SELECT * FROM which_secret('s3://x', 's3')", "42501", "which_secret"},
		{"SELECT * FROM json_execute_serialized_sql('{}')", "42501", "json_execute_serialized_sql"},
		{"SELECT * FROM histogram(customers, id)", "42501", "histogram"},
		{"SELECT * FROM checkpoint()", "42501", "checkpoint"},
		{"SELECT * FROM test_all_types()", "42501", "test_all_types"},
		// Case, quoting and qualification do not help.
		{"SELECT * FROM READ_CSV('x')", "42501", "read_csv"},
		{`SELECT * FROM "READ_CSV"('x')`, "42501", "read_csv"},
		{`SELECT * FROM "read_csv"('x')`, "42501", "read_csv"},
		{"SELECT * FROM pg_catalog.read_csv('x')", "42501", "read_csv"},
		{"SELECT * FROM main.read_csv('x')", "42501", "read_csv"},
		{"SELECT * FROM system.main.read_csv('x')", "42883", "read_csv"},
		// The same readers reached from expressions.
		{"SELECT * FROM orders WHERE customer IN (SELECT column0 FROM read_csv('x.csv'))", "42501", "read_csv"},
		{"SELECT (SELECT count(*) FROM read_parquet('x'))", "42501", "read_parquet"},
		{"SELECT 1 FROM orders WHERE EXISTS (SELECT * FROM glob('*'))", "42501", "glob"},
		{"SELECT id FROM orders UNION SELECT * FROM read_parquet('x')", "42501", "read_parquet"},
		{"WITH f AS (SELECT * FROM read_csv('x')) SELECT * FROM f", "42501", "read_csv"},
		{"SELECT read_csv('x')", "42501", "read_csv"},
		{`SELECT "Read_Csv"('x')`, "42501", "read_csv"},
		{"SELECT x.read_csv() FROM orders x", "42501", "read_csv"},
		{"SELECT getenv('HOME')", "42501", "getenv"},
		{"SELECT getvariable('x')", "42501", "getvariable"},
		{"SELECT nextval('s')", "42501", "nextval"},
		{"SELECT write_log('x')", "42501", "write_log"},
		{"SELECT json_serialize_plan('SELECT * FROM customers')", "42501", "json_serialize_plan"},
		{"SELECT pg_read_file('/etc/passwd')", "42501", "pg_read_file"},
		{"SELECT lo_import('/etc/passwd')", "42501", "lo_import"},
		{"SELECT pg_terminate_backend(1)", "42501", "pg_terminate_backend"},
		{"SELECT coalesce(1, (SELECT count(*) FROM duckdb_columns()))", "42501", "duckdb_columns"},
		{"SELECT current_setting('memory_limit')", "42501", "current_setting"},
		{"SELECT current_setting('allowed_directories')", "42501", "current_setting"},
		{"SELECT current_setting(customer) FROM orders", "42501", "current_setting"},
		{"SELECT pg_catalog.current_setting('enable_external_access')", "42501", "current_setting"},
		{"SELECT set_config('memory_limit', '1GB', false)", "42501", "set_config"},
		{"SELECT no_such_function(1)", "42883", "no_such_function"},
		{"SELECT main.lower('A')", "42883", "lower"},
		{"SELECT * FROM count(*)", "42803", "aggregate functions are not allowed"},
		{"SELECT * FROM read_parquet('/etc/passwd')", "42501", "read_parquet"},
		{"SELECT * FROM current_date", "42501", "table functions"},
		{"SELECT json_each('{}')", "42501", "json_each"},
		// Engine settings, roles, and values Agnes cannot honour.
		{"SET memory_limit = '100GB'", "42501", "memory_limit"},
		{"SET enable_external_access = true", "42501", "enable_external_access"},
		{"SET allowed_paths = '/'", "42501", "allowed_paths"},
		{"SET allowed_directories TO '/'", "42501", "allowed_directories"},
		{"SET lock_configuration = false", "42501", "lock_configuration"},
		{"SET threads TO 64", "42501", "threads"},
		{"SET LOCAL memory_limit = '1GB'", "42501", "memory_limit"},
		{"RESET memory_limit", "42501", "memory_limit"},
		{"SET ROLE admin", "42501", "role"},
		{"SET SESSION AUTHORIZATION admin", "42501", "session_authorization"},
		{"SET GLOBAL threads = 1", "42601", "syntax"},
		{"SET standard_conforming_strings = off", "0A000", "standard_conforming_strings"},
		{"SET TRANSACTION SNAPSHOT '00000003-0000001B-1'", "0A000", "SNAPSHOT"},
		{"SHOW memory_limit", "42704", "memory_limit"},
		{"SHOW enable_external_access", "42704", "enable_external_access"},
		// DuckDB-only statements do not even parse as PostgreSQL.
		{"ATTACH 'other.db' AS other", "42601", "syntax"},
		{"DETACH other", "42601", "syntax"},
		{"USE other", "42601", "syntax"},
		{"INSTALL httpfs", "42601", "syntax"},
		{"LOAD httpfs", "42601", "syntax"},
		{"PRAGMA enable_profiling", "42601", "syntax"},
		{"PRAGMA table_info('customers')", "42601", "syntax"},
		{"CREATE SECRET (TYPE s3, KEY_ID 'x')", "42601", "syntax"},
		{"EXPORT DATABASE '/srv/export/x'", "42601", "syntax"},
		{"IMPORT DATABASE '/srv/export/x'", "42601", "syntax"},
		{"CREATE MACRO m(x) AS x + 1", "42601", "syntax"},
		{"SELECT * FROM 'x.parquet'", "42601", "syntax"},
		{"FROM orders SELECT id", "42601", "syntax"},
		{"DESCRIBE orders", "42601", "syntax"},
		{"SUMMARIZE orders", "42601", "syntax"},
		// PostgreSQL statements that parse and are refused.
		{"LOAD 'httpfs'", "42501", "LOAD"},
		{"CALL pragma_version()", "42501", "CALL"},
		{"CALL duckdb_tables()", "42501", "CALL"},
		{"CREATE FUNCTION f() RETURNS int AS 'SELECT 1' LANGUAGE sql", "42501", "CREATE FUNCTION"},
		{"DO $$ BEGIN PERFORM 1; END $$", "42501", "DO"},
		{"CREATE EXTENSION httpfs", "42501", "CREATE EXTENSION"},
		{"ALTER SYSTEM SET work_mem = '1GB'", "42501", "ALTER SYSTEM"},
		{"INSERT INTO orders VALUES (1, 'x')", "42501", "INSERT"},
		{"UPDATE orders SET customer = 'x'", "42501", "UPDATE"},
		{"DELETE FROM orders", "42501", "DELETE"},
		{"MERGE INTO orders o USING orders p ON o.id = p.id WHEN MATCHED THEN DELETE", "42501", "MERGE"},
		{"CREATE TABLE t (id int)", "42501", "CREATE TABLE"},
		{"CREATE TABLE t AS SELECT * FROM orders", "42501", "CREATE TABLE AS"},
		{"CREATE TABLE snapshots.mine AS SELECT * FROM orders", "42501", "CREATE TABLE AS"},
		{"CREATE VIEW v AS SELECT * FROM orders", "42501", "CREATE VIEW"},
		{"CREATE INDEX i ON orders (id)", "42501", "CREATE INDEX"},
		{"CREATE SCHEMA s", "42501", "CREATE SCHEMA"},
		{"DROP TABLE orders", "42501", "DROP"},
		{"ALTER TABLE orders ADD COLUMN x int", "42501", "ALTER TABLE"},
		{"TRUNCATE orders", "42501", "TRUNCATE"},
		{"GRANT SELECT ON customers TO public", "42501", "GRANT"},
		{"REVOKE SELECT ON orders FROM public", "42501", "REVOKE"},
		{"VACUUM orders", "42501", "VACUUM"},
		{"ANALYZE orders", "42501", "ANALYZE"},
		{"LOCK TABLE orders", "42501", "LOCK"},
		{"CHECKPOINT", "42501", "CHECKPOINT"},
		{"REFRESH MATERIALIZED VIEW v", "42501", "REFRESH MATERIALIZED VIEW"},
		{"COMMENT ON TABLE orders IS 'x'", "42501", "COMMENT"},
		{"CLUSTER orders", "42501", "CLUSTER"},
		{"REINDEX TABLE orders", "42501", "REINDEX"},
		{"SET CONSTRAINTS ALL DEFERRED", "42501", "SET CONSTRAINTS"},
		{"LISTEN events", "0A000", "LISTEN"},
		{"UNLISTEN *", "0A000", "UNLISTEN"},
		{"NOTIFY events, 'x'", "0A000", "NOTIFY"},
		{"PREPARE TRANSACTION 'x'", "0A000", "two-phase"},
		{"COMMIT PREPARED 'x'", "0A000", "two-phase"},
		// Writes and locks hidden in a SELECT.
		{"SELECT * INTO t FROM orders", "42501", "INTO"},
		{"SELECT * FROM orders FOR UPDATE", "42501", "FOR UPDATE"},
		{"SELECT * FROM orders FOR SHARE", "42501", "FOR UPDATE/SHARE"},
		{"SELECT * FROM orders FOR NO KEY UPDATE SKIP LOCKED", "42501", "FOR UPDATE"},
		{"WITH d AS (DELETE FROM orders RETURNING *) SELECT * FROM d", "42501", "data-modifying"},
		{"WITH i AS (INSERT INTO orders VALUES (1) RETURNING *) SELECT 1", "42501", "data-modifying"},
		// COPY other than TO STDOUT.
		{"COPY orders TO '/srv/export/orders.csv'", "42501", "file"},
		{"COPY (SELECT 1) TO '/srv/export/x'", "42501", "file"},
		{"COPY orders FROM STDIN", "42501", "COPY FROM"},
		{"COPY orders FROM '/etc/passwd'", "42501", "COPY FROM"},
		{"COPY orders TO PROGRAM 'id'", "42501", "PROGRAM"},
		{"COPY (DELETE FROM orders RETURNING *) TO STDOUT", "42501", "DELETE"},
		{"COPY (SELECT * FROM read_csv('x')) TO STDOUT", "42501", "read_csv"},
		{"COPY customers TO STDOUT", "42P01", "customers"},
		{"COPY (SELECT 1) TO STDOUT (FORMAT binary)", "0A000", "binary"},
		// Wrappers do not launder what they wrap.
		{"EXPLAIN INSERT INTO orders VALUES (1)", "42501", "INSERT"},
		{"EXPLAIN SELECT * FROM read_csv('x')", "42501", "read_csv"},
		{"EXPLAIN EXECUTE p", "0A000", "EXPLAIN"},
		{"PREPARE p AS INSERT INTO orders VALUES (1)", "42501", "INSERT"},
		{"PREPARE p AS SELECT * FROM glob('*')", "42501", "glob"},
		{"DECLARE c CURSOR FOR SELECT * FROM customers", "42P01", "customers"},
		{"EXECUTE p((SELECT count(*) FROM customers))", "0A000", "constants"},
		// Multi-statement strings: one refused statement refuses the string.
		{"select 1; drop table x", "42501", "DROP"},
		{"SELECT * FROM orders; DELETE FROM orders", "42501", "DELETE"},
		{"SELECT 1; SELECT * FROM customers", "42P01", "customers"},
		{"SELECT 1; ATTACH 'x.db'", "42601", "syntax"},
		{"SET application_name = 'x'; SET memory_limit = '1GB'", "42501", "memory_limit"},
		// Constructs DuckDB does not support are refused before it sees them.
		{"SELECT * FROM ROWS FROM (generate_series(1, 2))", "0A000", "ROWS FROM"},
		{"SELECT xmlparse(document '<a/>')", "0A000", "XML functions"},
		{"SELECT * FROM XMLTABLE('/a' PASSING '<a/>' COLUMNS x int)", "0A000", "XMLTABLE"},
		{"SELECT * FROM JSON_TABLE('{}', '$' COLUMNS (x int))", "0A000", "JSON_TABLE"},
		{"WITH RECURSIVE r AS (SELECT 1 AS n UNION ALL SELECT n FROM r) CYCLE n SET c USING p SELECT * FROM r", "0A000", "CYCLE"},
		{"SELECT JSON_OBJECT('a': 1)", "0A000", "JSON_OBJECT"},
		{"SELECT '{}' IS JSON", "0A000", "IS JSON"},
		{"SELECT $0", "42P02", "$0"},
	}
	for _, tc := range cases {
		t.Run(tc.sql, func(t *testing.T) {
			e := planError(t, tc.sql, testOptions())
			if e.Code != tc.code {
				t.Fatalf("code %s (%s), want %s", e.Code, e.Message, tc.code)
			}
			if !strings.Contains(strings.ToLower(e.Message), strings.ToLower(tc.mention)) {
				t.Errorf("message %q does not mention %q", e.Message, tc.mention)
			}
		})
	}
}

// Functions that are safe for some arguments only, and catalog helpers the
// planner must let through for the compatibility layer.
func TestFunctionsAllowedWhereSafe(t *testing.T) {
	for _, sql := range []string{
		"SELECT current_setting('application_name')",
		"SELECT current_setting('server_version_num')::int",
		"SELECT pg_catalog.current_setting('search_path')",
		"SELECT current_setting('myapp.tenant', true)",
		"SELECT set_config('application_name', 'x', false)",
		"SELECT pg_catalog.set_config('search_path', 'public', false)",
		"SELECT pg_get_userbyid(1), pg_table_is_visible(1), format_type(23, -1), pg_get_expr(NULL, 1)",
		"SELECT current_schema(), current_database(), version(), pg_catalog.version(), session_user, current_user",
		"SELECT has_table_privilege('orders', 'select'), has_schema_privilege('public', 'usage')",
		"SELECT obj_description(1, 'pg_class'), col_description(1, 1), pg_encoding_to_char(6), quote_ident('x')",
		"SELECT array_upper(ARRAY[1], 1), pg_backend_pid(), current_schemas(false)",
		"SELECT (information_schema._pg_expandarray(ARRAY[1])).n",
		"SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY id) FROM orders",
		"SELECT row_number() OVER (ORDER BY id), lag(id) OVER w FROM orders WINDOW w AS (ORDER BY id)",
		"SELECT count(DISTINCT customer), string_agg(customer, ',') FROM orders",
		"SELECT extract(year FROM now()), date_trunc('month', now()), 'a' SIMILAR TO 'b'",
		"SELECT * FROM generate_series(1, 3), range(3), unnest(ARRAY[1, 2]) u, json_each('{}'), pg_catalog.generate_series(1, 2) g",
		"SELECT pg_sleep(0)",
	} {
		t.Run(sql, func(t *testing.T) { planOne(t, sql, testOptions()) })
	}
}
