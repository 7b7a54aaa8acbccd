// Package store owns the system store, <data_dir>/state/system.duckdb: the
// registry, users, tokens, groups, grants, audit log and instance secrets.
//
// Flow: Open inspects an existing file read-only first (a corrupt file or one
// whose schema_version is newer than this binary is refused before anything is
// written to it), then opens it read-write and applies the pending migrations
// in order. Each migration runs in one transaction with its version bump, so a
// crash leaves the store at a whole version and the next start resumes.
//
// Invariants: migrations are append-only; every mutation that changes access
// (rbac, catalog) writes its audit row in the same transaction; high-rate
// audit rows (one per SQL statement) go through Auditor, which batches them
// off the query path and never drops one (it writes synchronously when its
// queue is full).
//
// Debugging: open a copy of the file with the duckdb CLI (`duckdb copy.duckdb
// -readonly`) and read schema_version and audit_log.
package store
