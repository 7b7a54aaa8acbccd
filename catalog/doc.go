// Package catalog owns the table registry: every table Agnes can serve, with
// where its data lives (a parquet file for local and materialized tables, the
// upstream for remote ones), its columns, row count, size, MD5 and SHA-256.
//
// Flow: connectors scan extracts and hand catalog.SourceScan values to
// Registry.SyncExtracts, which upserts rows in one transaction (rows created
// from an extract carry origin "extract:<source>" and disappear with the
// table, grants included); admins register, update and delete rows through
// the HTTP API. Readers ask List (cached until the next change) or
// Visible(principal) — the principal's visible catalog, filtered through
// rbac.Granted, which the planner, manifest and sandboxes are built from.
//
// Invariants: ids match [a-z_][a-z0-9_]*; server_only is never combined
// with query_mode remote; schemas pg_catalog, information_schema and pg_* are
// reserved; Version() increases after every change so dependent caches
// rebuild.
package catalog
