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
//
// allowed_paths cannot tell reading from writing: COPY … TO '<granted file>'
// (USE_TMP_FILE false), also inside EXPLAIN ANALYZE, would overwrite the
// shared data file. So every Conn also runs a statement gate
// (statement_gate.go): only SELECT, EXPLAIN over a query, DML and DDL (which
// can touch only TEMP objects), transactions, SET, SET VARIABLE and CALL are
// prepared or run; COPY, EXPORT, ATTACH, DETACH, INSTALL/LOAD, PRAGMA,
// PREPARE/EXECUTE, VACUUM/ANALYZE and unknown kinds get 42501. Query skips the
// extra prepare for text that plainly is one query (a query keyword first, no
// ';'). Data files written read-only (0444) by a server not running as root
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
// A Conn is one DuckDB connection, one per client session; its methods are
// serialized. Describe prepares an allowed statement without executing it
// (parameter types, result columns). Query runs one statement through the
// driver's Arrow interface: DuckDB materializes the result and hands it out
// chunk by chunk as Arrow record batches. Arrow string values point into DuckDB's memory and are valid
// only until the next Next or Release: encode or copy them before that. Exec
// runs a statement without rows. Multi-statement strings are refused (42601)
// before anything runs. Cancelling the context interrupts DuckDB (57014).
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
//   - A query fails only in Agnes: run it on a sandbox conn in a test
//     (newConfinedSandbox / newOrdersSandbox) and look at the untranslated
//     error with errors.As(err, *duckdb.Error) before TranslateError.
//   - "relation does not exist" for a granted table: the sandbox build log has
//     "table left out of sandbox" with the file and DuckDB's reason.
//   - Check a sandbox's effective settings with SELECT name, value FROM
//     duckdb_settings() on one of its Conns (TestSandboxSettingsAreSealed
//     lists the ones that matter).
//   - Leftover <TempDir>/sandbox-* directories after a crash are safe to
//     delete while the server is stopped.
package engine
