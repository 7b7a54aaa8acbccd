package connectors

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/keboola/agnes/catalog"
)

// MetaRow is one row of an extract's _meta table.
type MetaRow struct {
	TableName   string
	Description string
	Rows        int64
	SizeBytes   int64
	ExtractedAt time.Time
	QueryMode   string // catalog.ModeLocal, ModeRemote or ModeMaterialized; empty means local
}

// ExtractSpec is everything WriteExtractDB puts into an extract.duckdb.
type ExtractSpec struct {
	// SourceType goes into the _source table; empty omits the table, and the
	// scan then uses the source folder name.
	SourceType string
	Tables     []MetaRow
	// Remote goes into _remote_attach; empty omits the table.
	Remote []RemoteAttach
}

// WriteExtractDB writes <sourceDir>/extract.duckdb following the contract:
// _meta, the optional _source and _remote_attach, and one view per local or
// materialized table over its parquet file (absolute path, so the view works
// for anyone who opens the file; the orchestrator itself reads the parquet
// directly and never the views). Remote tables get no view: it would need
// the upstream attached. The parquet file of every local and materialized
// table must be in place first (DuckDB checks it when creating the view);
// the database is built in a temp file and renamed into place, so a scan
// sees the old extract or the new one.
func WriteExtractDB(ctx context.Context, sourceDir string, spec ExtractSpec) error {
	dir, err := filepath.Abs(sourceDir)
	if err != nil {
		return fmt.Errorf("write extract %s: %w", sourceDir, err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write extract %s: %w", sourceDir, err)
	}
	final := filepath.Join(dir, ExtractFile)
	tmp, err := tempPath(final)
	if err != nil {
		return fmt.Errorf("write extract: %w", err)
	}
	cleanup := func() {
		os.Remove(tmp)
		os.Remove(tmp + ".wal")
	}
	if err := buildExtractDB(ctx, tmp, dir, spec); err != nil {
		cleanup()
		return fmt.Errorf("write extract %s: %w", final, err)
	}
	// A write-ahead log left by a crashed writer of the old file would be
	// replayed onto the new one; it must go before the new file appears.
	if err := os.Remove(final + ".wal"); err != nil && !errors.Is(err, fs.ErrNotExist) {
		cleanup()
		return fmt.Errorf("write extract %s: %w", final, err)
	}
	if err := commitFile(tmp, final); err != nil {
		cleanup()
		return fmt.Errorf("write extract: %w", err)
	}
	return nil
}

func buildExtractDB(ctx context.Context, path, dir string, spec ExtractSpec) (err error) {
	db, err := sql.Open("duckdb", path)
	if err != nil {
		return err
	}
	defer func() {
		// Close checkpoints the database into the file; its error matters.
		if cerr := db.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close: %w", cerr)
		}
	}()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()

	exec := func(q string, args ...any) error {
		if _, err := conn.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("%s: %w", firstWords(q), err)
		}
		return nil
	}
	if err := exec(`CREATE TABLE _meta (
		table_name VARCHAR NOT NULL,
		description VARCHAR,
		rows BIGINT,
		size_bytes BIGINT,
		extracted_at TIMESTAMP,
		query_mode VARCHAR)`); err != nil {
		return err
	}
	for _, t := range spec.Tables {
		mode := t.QueryMode
		if mode == "" {
			mode = catalog.ModeLocal
		}
		var extractedAt any
		if !t.ExtractedAt.IsZero() {
			extractedAt = t.ExtractedAt.UTC()
		}
		if err := exec(`INSERT INTO _meta VALUES (?, ?, ?, ?, ?, ?)`,
			t.TableName, t.Description, t.Rows, t.SizeBytes, extractedAt, mode); err != nil {
			return err
		}
		if mode == catalog.ModeRemote {
			continue
		}
		parquet := filepath.Join(dir, DataDir, t.TableName+".parquet")
		if err := exec(`CREATE VIEW ` + sqlIdent(t.TableName) + ` AS SELECT * FROM read_parquet(` + sqlString(parquet) + `)`); err != nil {
			return err
		}
	}
	if spec.SourceType != "" {
		if err := exec(`CREATE TABLE _source (type VARCHAR)`); err != nil {
			return err
		}
		if err := exec(`INSERT INTO _source VALUES (?)`, spec.SourceType); err != nil {
			return err
		}
	}
	if len(spec.Remote) > 0 {
		if err := exec(`CREATE TABLE _remote_attach (alias VARCHAR, extension VARCHAR, url VARCHAR, token_env VARCHAR)`); err != nil {
			return err
		}
		for _, r := range spec.Remote {
			if err := exec(`INSERT INTO _remote_attach VALUES (?, ?, ?, ?)`, r.Alias, r.Extension, r.URL, r.TokenEnv); err != nil {
				return err
			}
		}
	}
	return exec(`CHECKPOINT`)
}
