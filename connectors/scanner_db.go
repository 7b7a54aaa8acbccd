package connectors

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	// The DuckDB driver ("duckdb") used to read extracts and write parquet.
	_ "github.com/duckdb/duckdb-go/v2"
)

// scannerAlias is the catalog name an extract.duckdb is attached under.
const scannerAlias = "ext"

// scannerDB is a private in-memory DuckDB that reads one extract. It can
// touch only the given directories (the extract folder and its data folder,
// symlinks resolved), loads no extensions, and its configuration is locked,
// so an extract.duckdb crafted to read other files through a view or a
// default expression gets a permission error instead.
type scannerDB struct {
	db   *sql.DB
	conn *sql.Conn
}

func openScannerDB(ctx context.Context, allowedDirs []string) (*scannerDB, error) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return nil, fmt.Errorf("open scanner duckdb: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open scanner duckdb: %w", err)
	}
	quoted := make([]string, len(allowedDirs))
	for i, d := range allowedDirs {
		quoted[i] = sqlString(strings.TrimSuffix(d, "/") + "/")
	}
	setup := []string{
		"SET threads = 1",
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		// Naive TIMESTAMPs in _meta are UTC, as the driver reads them.
		"SET TimeZone = 'UTC'",
		"SET allowed_directories = [" + strings.Join(quoted, ", ") + "]",
		"SET enable_external_access = false",
		"SET lock_configuration = true",
	}
	for _, q := range setup {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			conn.Close()
			db.Close()
			return nil, fmt.Errorf("configure scanner duckdb (%s): %w", q, err)
		}
	}
	return &scannerDB{db: db, conn: conn}, nil
}

// attach attaches an extract.duckdb read-only under scannerAlias: DuckDB then
// opens the file without write access and never writes it or a WAL, so a scan
// cannot change an extract.
func (s *scannerDB) attach(ctx context.Context, path string) error {
	_, err := s.conn.ExecContext(ctx, "ATTACH "+sqlString(path)+" AS "+scannerAlias+" (READ_ONLY)")
	return err
}

func (s *scannerDB) Close() error {
	s.conn.Close()
	return s.db.Close()
}
