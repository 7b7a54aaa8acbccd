// Package pgcompat builds the PostgreSQL compatibility catalog inside a
// principal's DuckDB sandbox: the pg_catalog and information_schema
// relations and the PostgreSQL functions that BI tools, ORMs and drivers
// (psql, pgjdbc, SQLAlchemy, psycopg2, node-postgres, postgres.js, pgx,
// lib/pq, Npgsql) send when they connect and browse metadata.
//
// # Why a catalog of our own
//
// DuckDB's own pg_catalog answers about a third of what clients send, and
// some answers are wrong in ways that break clients silently: DuckDB type
// ids in pg_attribute.atttypid, no text or json rows in pg_type,
// information_schema.columns.data_type spelled "INTEGER", format('%s')
// returning "%s", "main" instead of "public", pg_settings listing engine
// settings. DuckDB refuses objects in its own pg_catalog, so this package
// creates schema pgcompat in the sandbox catalog, and the planner rewrites
// every reference to an overridden relation, function or reg* cast to it.
//
// # How data flows
//
//	server     engine.Config.CatalogSQL = pgcompat.SQL(opts)      once per sandbox, before it is sealed
//	           pgcompat.SessionSQL(session) on each DuckDB conn   SET VARIABLE: user, pid, settings, registry facts
//	planner    Options.CatalogRewrite = pgcompat.Relations()      pg_catalog.pg_class → pgcompat.pg_class
//	           Options.Compat from Functions, Casts, SessionFunctions
//	wire       result columns get PostgreSQL types from ColumnOID / TypeOID / ResultType
//
// Three kinds of relation are served (relation.go): static ones hold rows
// of real PostgreSQL (pg_type, pg_proc, pg_am, pg_range, pg_cast,
// pg_collation, pg_language, pg_tablespace, pg_extension; data/*.tsv,
// taken from PostgreSQL's catalogs with regproc columns as OIDs), dynamic
// ones are computed from what the sandbox holds (pg_class, pg_namespace,
// pg_attribute, pg_tables, information_schema.tables/columns/… are
// computed once while the sandbox is built, since its tables never change
// afterwards; pg_description, pg_roles, pg_settings and the privilege
// views read the session's values on every query; dynamic.go,
// infoschema.go), and
// every other relation of PostgreSQL's catalogs is an empty table with
// PostgreSQL's columns (pg_index, pg_constraint, pg_policy, pg_inherits,
// pg_trigger, pg_stat_* …). Every relation has exactly PostgreSQL's column
// names, order and types (data/relcols.tsv), so SELECT * looks the same.
//
// # Invariants
//
//  1. The catalog lists exactly what the caller may read. The sandbox holds
//     only the caller's granted tables; pg_class and everything built on it
//     read the sandbox (duckdb_views/duckdb_tables of the agnes catalog,
//     schema pgcompat excluded). Registry descriptions and sizes arrive per
//     session (SessionSQL) for the caller's tables only, and are joined to
//     what the sandbox holds.
//  2. The SQL is the same for every sandbox. Anything that differs between
//     principals sharing a sandbox (user name, backend PID, session
//     parameters, descriptions) is a connection variable, set by
//     SessionSQL: DuckDB variables are private to their connection, and
//     clients cannot set or read them (the planner refuses SET VARIABLE and
//     getvariable()).
//  3. Nothing reveals server internals: pg_settings lists client
//     parameters only, view definitions are never shown (they name data
//     files), version() names PostgreSQL 16 and Agnes, not DuckDB.
//  4. OIDs are PostgreSQL's for PostgreSQL's objects and derived from names
//     for Agnes's (oid.go), so they are stable across reconnects and
//     sandboxes; reg* columns hold OIDs and are sent as oid.
//  5. Types: pg_attribute.atttypid, information_schema.columns.data_type
//     and udt_name follow the wire's DuckDB → PostgreSQL mapping
//     (wire/types.go), so a column is described as the type its values are
//     sent in.
//
// # Debugging
//
//   - Run SQL(Options{}) on an engine sandbox (pgcompat_test.go does) and
//     query pgcompat.X directly to see what a client would get.
//   - A client query fails in DuckDB with a missing function: the function
//     is not in Functions (functions.go) and DuckDB lacks it; add a macro.
//   - A column comes back with the wrong PostgreSQL type: check ColumnOID
//     for the relation and the planner's target hints (Plan.Targets).
//   - TestAgainstPostgres (skipped without a local PostgreSQL) compares the
//     static rows and result shapes with a real server.
package pgcompat
