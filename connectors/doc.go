// Package connectors holds the extract contract that every data source
// follows, the scan that turns extracts into table-registry rows, the atomic
// writers connectors use to produce extracts, and the demo source.
//
// # The extract contract
//
// Each source owns one folder under data_dir:
//
//	extracts/<source>/extract.duckdb        what the source provides
//	extracts/<source>/data/<table>.parquet  one file per local or materialized table
//
// extract.duckdb holds:
//
//   - _meta (required): table_name VARCHAR NOT NULL, description VARCHAR,
//     rows BIGINT, size_bytes BIGINT, extracted_at TIMESTAMP, query_mode
//     VARCHAR (local | remote | materialized; NULL or empty means local).
//     Only table_name is strictly required; missing optional columns read as
//     NULL.
//   - _source (optional): type VARCHAR, the source type shown in the
//     registry (keboola, bigquery, csv, demo …); without it the folder name
//     is used.
//   - _remote_attach (optional, remote sources): alias, extension, url,
//     token_env — how to attach the upstream. token_env names an environment
//     variable, never holds a token. It is recorded in Extract.Remote;
//     nothing is attached by the scan.
//   - one view per local/materialized table, named like the table, over its
//     parquet file. The views are for people and tools that open the file;
//     the scan never queries them.
//
// # Flow: extracts → registry rows
//
//	ScanExtractsWith(ctx, dataDir, prev)
//	  for each extracts/<source>/ (sorted, hidden folders skipped)   ScanExtract
//	    extract.duckdb must be a regular file
//	    private in-memory DuckDB, locked to the source folder          scanner_db.go
//	    ATTACH extract.duckdb (READ_ONLY)
//	    _meta/_source/_remote_attach must be tables, not views          meta.go
//	    for each _meta row:
//	      id = lower(table_name), must match ^[a-z_][a-z0-9_]*$,
//	      not a contract table name, not a duplicate  → else Extract.Skipped
//	      remote: no file; rows and size_bytes from _meta
//	      local/materialized: data/<table_name>.parquet                 parquet_file.go
//	        exists, regular, inside data/ after resolving symlinks
//	        columns from DESCRIBE read_parquet, rows from the footer
//	        MD5 + SHA-256 streamed, or reused from prev when size+mtime  digest.go
//	        match
//	      → catalog.Table{Status: "ok" or the reason}
//	  table ids unique across sources: first source in sort order wins
//
// The caller (the registry) upserts the ok rows, marks the others broken,
// sets RegisteredAt, and keeps Fingerprints(extracts) for the next scan so
// that start-up does not re-hash unchanged files.
//
// # Invariants
//
//   - Extract files are never modified by the scan: extract.duckdb is
//     attached READ_ONLY and parquet files are only read. The scanning DuckDB
//     may touch only the source's own folders (allowed_directories,
//     enable_external_access=false, no extension loading, locked
//     configuration), so a crafted extract cannot make it read other files.
//   - A table with Status "ok" and mode local or materialized has a Location
//     that is an absolute, symlink-free path of a regular file inside its
//     extract's data folder (a symlink pointing elsewhere is refused), plus
//     Columns, RowCount and SizeBytes read from that file — the file is the
//     truth, _meta's rows and size_bytes are not trusted for local files —
//     and its MD5 and SHA-256. A table with any other Status has no Location and must
//     not be served.
//   - A broken extract (missing or corrupt extract.duckdb, missing or
//     malformed _meta) has a one-line Err and no Tables; it never stops the
//     scan of other sources. A _meta row whose name cannot be an id is
//     skipped with a reason in Extract.Skipped rather than failing its
//     extract.
//   - Writes are atomic: WriteParquetAtomic and WriteExtractDB write a
//     hidden temp file in the target folder, fsync, rename over the final
//     name and fsync the folder, so a reader sees the old file or the new
//     one, never a torn one. Connectors write the parquet files first and
//     extract.duckdb last.
//
// # Demo source
//
// GenerateDemo writes extracts/demo with orders (100,000 rows), customers
// (10,000) and products (1,000), built from hash() over range() so every
// run produces byte-identical parquet files, with every order's customer_id
// and product_id present. It does nothing when a complete demo extract
// exists.
//
// # Debugging
//
// Start from the scan result: Extract.Err says why a whole source is
// missing, Table.Status why one table is, Extract.Skipped which _meta rows
// were dropped. To look at an extract by hand, open it read-only so the
// file stays untouched: `duckdb -readonly extracts/<source>/extract.duckdb
// "FROM _meta"`, and inspect a file with `FROM parquet_file_metadata('…')`.
// Partitioned tables (data/<table>/…parquet) are not supported yet and are
// reported as such in Status.
package connectors
