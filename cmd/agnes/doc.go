// Command agnes is the single Agnes binary: `agnes serve` runs the gateway,
// every other command is a thin client of its HTTP API.
//
// Commands only parse flags, call a package (client for the HTTP API, the
// server packages for serve) and print. Output is a human table by default
// and JSON with --json. Exit codes: 0 success, 1 an error (one line on
// stderr saying what to do next), 2 a usage error (unknown command or
// flag, wrong arguments).
//
// Credentials come from, in order: the --server/--token flags, the
// AGNES_SERVER/AGNES_TOKEN environment variables, and the file `agnes
// login` writes (credentials.json in $AGNES_CONFIG_DIR, or in the agnes
// directory of the user's configuration directory), mode 0600.
//
// # Analyst commands and the workspace
//
// pull, query, catalog, schema, describe, disk-info and init work on a
// workspace directory (--workspace, default "."), whose .agnes/ folder
// holds state.json (the last manifest and the md5 of every pulled table),
// data/<table>.parquet and local.duckdb (one view per pulled table). pull
// fetches the manifest before touching anything, downloads into
// <table>.parquet.part (resumable; a .md5 companion names the version),
// checks the manifest's sha256 (md5 when absent), fsyncs and renames over the previous copy, then removes
// tables no longer granted, rebuilds local.duckdb in a temporary file and
// writes state.json last, atomically. query runs on local.duckdb (read-only)
// or, with --remote, on the gateway over pgconn with the token as password.
// When a pull misbehaves, state.json and `agnes disk-info` show what the
// workspace holds; the server's audit log has one data.download row per
// download attempt.
package main
