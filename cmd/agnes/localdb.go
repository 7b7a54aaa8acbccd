package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // registers the "duckdb" driver
)

// rebuildLocalDB replaces .agnes/local.duckdb with a new file holding one
// view per pulled table over its parquet file (absolute paths, so any
// DuckDB client can open the file). It is built under a temporary name and
// renamed into place: a query running during a pull keeps the old file, a
// new one gets the new file, nobody sees a half-built one. The file holds
// views only; tables of one's own belong in another database.
func (w *workspace) rebuildLocalDB(ctx context.Context, views []viewSpec) error {
	final := w.dbPath()
	tmp, err := os.CreateTemp(w.dir(), ".local.duckdb.*.tmp")
	if err != nil {
		return fmt.Errorf("rebuild local database: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close()
	// DuckDB refuses an empty file as a database: it must create it.
	os.Remove(tmpPath)
	cleanup := func() {
		os.Remove(tmpPath)
		os.Remove(tmpPath + ".wal")
	}
	if err := buildViews(ctx, tmpPath, views); err != nil {
		cleanup()
		return fmt.Errorf("rebuild local database: %w", err)
	}
	// A WAL of the old file would be replayed onto the new one.
	if err := os.Remove(final + ".wal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		cleanup()
		return fmt.Errorf("rebuild local database: %w", err)
	}
	if err := syncFile(tmpPath); err != nil {
		cleanup()
		return fmt.Errorf("rebuild local database: %w", err)
	}
	if err := os.Rename(tmpPath, final); err != nil {
		cleanup()
		return fmt.Errorf("rebuild local database: %w", err)
	}
	return syncDir(filepath.Dir(final))
}

func buildViews(ctx context.Context, path string, views []viewSpec) (err error) {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	schemas := map[string]bool{"main": true}
	for _, v := range views {
		if !schemas[v.Schema] {
			if _, err := conn.ExecContext(ctx, "CREATE SCHEMA "+sqlIdent(v.Schema)); err != nil {
				return fmt.Errorf("schema %s: %w", v.Schema, err)
			}
			schemas[v.Schema] = true
		}
		name := sqlIdent(v.Schema) + "." + sqlIdent(v.Name)
		if _, err := conn.ExecContext(ctx, "CREATE VIEW "+name+" AS SELECT * FROM read_parquet("+sqlString(v.Path)+")"); err != nil {
			return fmt.Errorf("view %s.%s: %w", v.Schema, v.Name, err)
		}
		if v.Description != "" {
			if _, err := conn.ExecContext(ctx, "COMMENT ON VIEW "+name+" IS "+sqlString(v.Description)); err != nil {
				return fmt.Errorf("comment on %s.%s: %w", v.Schema, v.Name, err)
			}
		}
	}
	_, err = conn.ExecContext(ctx, "CHECKPOINT")
	return err
}

// openLocalDB opens local.duckdb read-only: queries cannot change the
// views, several can run at once, and a pull can replace the file under
// them.
func (w *workspace) openLocalDB() (*sql.DB, error) {
	if _, err := os.Stat(w.dbPath()); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("no pulled data in %s: run `agnes pull` first, or query the server with --remote", w.root)
		}
		return nil, err
	}
	db, err := sql.Open("duckdb", w.dbPath()+"?access_mode=read_only&autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", w.dbPath(), err)
	}
	return db, nil
}

func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// sqlString quotes s as a SQL string literal (DuckDB takes no parameters
// for file paths in read_parquet and COPY).
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// sqlIdent quotes s as a SQL identifier.
func sqlIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
