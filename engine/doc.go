// Package engine runs SQL in per-principal DuckDB sandboxes and streams the
// results as Arrow record batches.
//
// # What a sandbox is
//
// A Sandbox is one DuckDB instance built for one grant set. Its catalog holds
// a view "schema"."name" over read_parquet(path) for every table of that set
// (schema "public" becomes DuckDB's "main"; the planner rewrites public.x to
// x) and nothing else. Everything a statement could use to reach past those
// views is shut before the first session connects:
//
//   - allowed_paths lists exactly the granted parquet files. There is no
//     allowed_directories entry for the data directory: with one, any file in
//     it would be readable even with external access off.
//   - enable_external_access=false: every other path, URL, glob,
//     replacement scan ("FROM 'x.parquet'"), ATTACH of a file, COPY TO/FROM,
//     EXPORT/IMPORT DATABASE and INSTALL fail with a Permission error.
//   - The catalog is a DuckDB file opened with access_mode=READ_ONLY: nobody
//     can CREATE, REPLACE or DROP the shared views or macros, and even
//     ATTACH ':memory:' is refused. Sessions keep TEMP tables, views and
//     macros, which are private to their connection.
//   - autoload/autoinstall of extensions off, community and unsigned
//     extensions off, persistent secrets off: only the compiled-in parquet,
//     json and icu extensions exist.
//   - lock_configuration=true, set last: after it no SET or RESET can change
//     a setting (search_path and schema are the only settings DuckDB
//     1.5.6 still lets a session change).
//   - Limits from Config: memory_limit, threads, max_temp_directory_size, and
//     temp_directory = <Config.TempDir>/sandbox-*/spill (DuckDB adds it to the
//     allowed directories itself; it holds only this sandbox's spill files).
//   - PostgreSQL semantics a client could otherwise not get once the
//     configuration is locked: TimeZone=UTC, integer_division=true (7/2 = 3),
//     default_null_order=nulls_last_on_asc_first_on_desc.
//   - arrow_lossless_conversion=true: results keep their DuckDB type in
//     Arrow (UUID, JSON, BOOLEAN as arrow.bool8, TIMETZ, BIT, HUGEINT as
//     arrow.opaque); the wire picks PostgreSQL types by it.
//
// allowed_paths cannot tell reading from writing: COPY … TO '<granted file>'
// (USE_TMP_FILE false), also inside EXPLAIN ANALYZE, would overwrite the
// shared data file. So every Conn also runs a statement gate
// (statement_gate.go): only SELECT, EXPLAIN over a query, DML and DDL (which
// can touch only TEMP objects), transactions, SET, SET VARIABLE and CALL are
// prepared or run; COPY, EXPORT, ATTACH, DETACH, INSTALL/LOAD, PRAGMA,
// PREPARE/EXECUTE, VACUUM/ANALYZE and unknown kinds get 42501. Every
// statement is prepared before it runs, so the gate costs nothing extra.
// Data files written read-only (0444) by a server not running as root
// would add an operating-system layer under both.
//
// The order of the sealing statements matters (see lockStatements):
// allowed_paths can only be set while external access is on, and nothing can
// be set after the lock. sandbox_security_test.go runs raw SQL straight on a
// sandbox — as if the planner had been bypassed — and is the list of what has
// been tried; add to it whenever a new way in is found.
//
// Not shut by the sandbox (the planner's function allow-list refuses it):
// table functions such as enable_logging(), which starts keeping the
// statements of the sandbox's sessions in memory (duckdb_logs), where the
// other sessions of the same grant set could read them.
//
// # How it is built
//
// NewSandbox validates the tables (absolute paths without glob characters,
// names unique ignoring case), writes <dir>/agnes.duckdb with the schemas and
// views (a table whose file cannot be read is logged and left out: queries on
// it get 42P01 like any table not granted), runs Config.CatalogSQL (the
// PostgreSQL compatibility objects belong there), checkpoints and closes it,
// then reopens it read-only with the limits and seals it. current_database()
// answers "agnes".
//
// # Native copies
//
// A TableFile may name a native copy of its table (NativeCache, native.go):
// the same rows in DuckDB's own format, one table "t" per file named by the
// table's MD5, built in the background through a temporary file and a
// rename. The sandbox ATTACHes the copies of its granted tables read-only
// as agnes_native_<n> while building the catalog and again before sealing,
// points the views at them, and lists their files in allowed_paths; a copy
// that cannot be attached leaves the view on parquet. A sandbox therefore
// never holds a copy of a table outside its grant. Copies are published to
// callers in batches (when the build queue drains), since a new copy changes
// the pool key of every grant set that holds the table.
//
// The engine opens and drives DuckDB through its C API (duckdb-go-bindings,
// database.go) rather than through duckdb-go's database/sql driver: the
// driver runs every statement with a materialising pending result, which
// holds a whole result set in memory before the first row can be read.
// duckdb-go still provides the types the rest of Agnes speaks (TypeInfo,
// Interval, UUID, Error); duckdb_error.go and type_info.go convert to them.
//
// # Lifetimes
//
// A Sandbox is reference counted: one reference for its owner (the Pool entry
// or whoever called NewSandbox), one per open Conn and one per result reader
// not yet released. Close drops the owner's; the DuckDB instance and its
// directory go with the last reference. So replacing a sandbox never breaks a
// running query or an open session.
//
// The Pool maps a key (the caller's hash of grant set and registry version)
// to a sandbox. Concurrent first requests for a key share one build; a failed
// build is not cached. When grants or the registry change, callers compute a
// new key and get a new sandbox; the old one stays cached until it has had no
// Conn for 10 minutes (a background sweep), or until Invalidate. A sandbox
// whose DuckDB instance reported a FATAL error is replaced on the next Conn.
//
// # Statements
//
// A Conn is one client session's connection to its sandbox: a primary
// DuckDB connection and, while the session reads several results at once,
// extra ones (see below); its methods, its Stmts' and its results' Next
// are serialized by one mutex. Every statement is prepared (exactly one
// statement: a multi-statement string is 42601 before anything runs),
// checked by the gate, bound and run:
//
//   - Conn.Prepare returns a Stmt: parsed and planned once, run any number of
//     times (the extended protocol's Parse once, Bind/Execute many).
//     Describe, Query and Exec of a Conn keep their prepared statements too,
//     by SQL text (stmt_cache.go, 32 per DuckDB connection), so Describe
//     then Query of one text, and every repeat, prepare once. Statements that change the
//     session (SET, SET VARIABLE, DDL) bump a generation; statements
//     prepared before it are prepared again on their next use. DuckDB
//     itself plans a parameterized statement again at every run when the
//     values could change the plan (a parameter compared with a scanned
//     column): reuse then saves the parsing only.
//   - Describe reports parameter types ($1..$n) and result columns as
//     duckdb.TypeInfo, rebuilt from DuckDB's logical types (nested types,
//     DECIMAL width and scale, the JSON alias included), as DuckDB inferred
//     them when preparing: it executes nothing.
//   - Parameters (bind.go, param_list.go) are the Go values the wire
//     decodes. Each is bound in its parameter's own type when it converts
//     exactly, because DuckDB plans a statement again when a bound value's
//     type differs from its parameter's; anything else is bound in its
//     natural type and cast by DuckDB, with DuckDB's errors.
//   - Query runs the statement with a streaming pending result: DuckDB
//     computes the result as it is fetched, keeping about 1 MB
//     (streaming_buffer_size) ahead, and each Next converts one chunk (at
//     most 2048 rows) to an Arrow record batch. Memory per connection is
//     bounded whatever the result size; nothing is materialised. Query
//     returns once DuckDB has filled its buffer or finished, with the first
//     batch ready. Arrow batches own their memory and are released by the
//     next Next or Release. Exec runs a statement and drops its rows the
//     same way.
//   - DuckDB streams one result per connection (preparing or running
//     another statement closes the open one), while a PostgreSQL session
//     may read any number of portals and cursors at once. So a statement
//     that starts while a result of the Conn is still being read (not read
//     to its end, not released) runs on an extra DuckDB connection of the
//     same sandbox (conn.go: choose): opened when first needed, at most 8
//     per Conn, 2 kept idle, closed with the Conn or with the last result
//     read from them. Each extra connection first runs the session's SET
//     and SET VARIABLE statements it has not seen (session_settings.go:
//     the last one per setting, in order, arguments included), so names
//     and variables resolve as on the primary; a setting made while the
//     primary streams runs on an extra and reaches the primary before its
//     next statement. Prepared statements are per DuckDB connection: each
//     has its own cache, and a Stmt is prepared again on the connection it
//     runs on. Cancellation interrupts the connection the statement or
//     result is on.
//   - What runs only on the primary: DDL, DML and transaction control
//     (TEMP objects and the DuckDB transaction are the primary's), and
//     every statement once the session has created a TEMP object (any
//     statement might name it). Such a statement, or any statement when
//     all 9 connections stream, ends the primary's result: the Conn reads
//     ahead up to 4 MB of it first, so a small result read in parts
//     survives whole; a longer one then fails with 55000. Materialised
//     results (DDL, DML with RETURNING) are not affected.
//   - Cancelling the context interrupts DuckDB while it works for that
//     context (running, or computing a chunk for Next): 57014, and the
//     connection stays usable. Query's context governs its result's Next
//     calls too; SetStreamContext hands a result over to another context
//     (a cursor's FETCH runs under its own statement's context).
//
// # Errors
//
// Every error a Conn returns is a *pgerr.Error built by TranslateError:
// DuckDB's error type, refined by its message, picks the SQLSTATE (Parser →
// 42601, Catalog → 42P01/42883/3F000…, Binder → 42703/42883/42803/42804,
// Conversion → 22P02/22003/22007, Permission and locked settings → 42501,
// read-only catalog → 25006, Interrupt and context cancellation → 57014,
// OutOfMemory → 53200, IO → 58030, anything unexpected → XX000). Messages lose
// DuckDB's "<Kind> Error:" prefix and its "LINE n:" excerpt (which quotes the
// rewritten statement, not the client's), and absolute paths are cut to base
// names. A missing table reads exactly as pgerr.UndefinedRelation.
//
// # Debugging
//
//   - A result that "vanishes" mid-read with 55000: the session ran a
//     statement that needs the primary DuckDB connection (its hint says
//     which kinds) or had 9 results open at once while it was being read.
//     Conn.extras lists the extra connections; database.conns counts a
//     sandbox's open DuckDB connections (TestExtraConnsAreBounded).
//   - A query fails only in Agnes: run it on a sandbox conn in a test
//     (newConfinedSandbox / newOrdersSandbox) and look at the untranslated
//     error with errors.As(err, *duckdb.Error) before TranslateError.
//   - "relation does not exist" for a granted table: the sandbox build log has
//     "table left out of sandbox" with the file and DuckDB's reason.
//   - A repeated statement is slow: BenchmarkStmtPointQuery shows DuckDB
//     planning a parameterized scan again at every run; a plain re-run
//     (BenchmarkStmtSelect1) should cost tens of microseconds.
//   - Check a sandbox's effective settings with SELECT name, value FROM
//     duckdb_settings() on one of its Conns (TestSandboxSettingsAreSealed
//     lists the ones that matter).
//   - Leftover <TempDir>/sandbox-* directories after a crash are safe to
//     delete while the server is stopped.
package engine
