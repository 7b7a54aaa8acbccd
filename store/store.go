package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
)

// Store is the open system store.
type Store struct {
	DB   *sql.DB
	Path string
}

// ErrFutureVersion is returned when the store was written by a newer Agnes.
var ErrFutureVersion = errors.New("system store schema is newer than this binary")

// Open opens (creating if absent) the system store at path and migrates it
// to the latest schema version. A file that is not a DuckDB database, or whose
// schema version is newer than this binary knows, is refused before anything
// is written to it.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("system store: %w", err)
	}
	if _, err := os.Stat(path); err == nil {
		// Inspect read-only first: refusing a corrupt or future file must not
		// modify it (a read-write open may replay the WAL or checkpoint).
		v, err := peekVersion(ctx, path)
		if err != nil {
			return nil, err
		}
		if v > LatestVersion() {
			return nil, fmt.Errorf("%w: %s has schema version %d, this binary knows up to %d; upgrade Agnes or restore a backup", ErrFutureVersion, path, v, LatestVersion())
		}
	}
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return nil, fmt.Errorf("system store %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("system store %s: %w", path, err)
	}
	s := &Store{DB: db, Path: path}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// peekVersion reads the schema version of an existing store without writing.
func peekVersion(ctx context.Context, path string) (int, error) {
	c, err := duckdb.NewConnector(path+"?access_mode=read_only", nil)
	if err != nil {
		return 0, fmt.Errorf("system store %s is not a readable DuckDB database (%v); move it aside or restore a backup", path, err)
	}
	db := sql.OpenDB(c)
	defer db.Close()
	var v int
	err = db.QueryRowContext(ctx, "SELECT max(version) FROM schema_version").Scan(&v)
	if err != nil {
		if strings.Contains(err.Error(), "does not exist") {
			var n int
			if err2 := db.QueryRowContext(ctx, "SELECT count(*) FROM duckdb_tables()").Scan(&n); err2 == nil && n == 0 {
				return 0, nil // an empty database: a start-up killed before the first migration
			}
		}
		return 0, fmt.Errorf("system store %s has no readable schema_version (%v); move it aside or restore a backup", path, err)
	}
	return v, nil
}

// Version returns the store's current schema version.
func (s *Store) Version(ctx context.Context) (int, error) {
	var v int
	err := s.DB.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&v)
	return v, err
}

// Close closes the store.
func (s *Store) Close() error {
	return s.DB.Close()
}

// Tx runs fn in a transaction, committing when it returns nil.
func (s *Store) Tx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
