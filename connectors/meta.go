package connectors

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// metaRow is one _meta row as read, before validation. Missing optional
// columns and NULLs read as the zero value.
type metaRow struct {
	tableName   string
	description string
	rows        int64
	sizeBytes   int64
	extractedAt time.Time // zero when NULL or absent
	queryMode   string
}

// metaColumns are the _meta columns of the contract with the expression that
// reads each one as a fixed type. Only table_name is required: a connector
// that leaves out an optional column still registers its tables, and a value
// of the wrong type reads as NULL (the parquet file is the truth for rows and
// size anyway).
var metaColumns = []struct {
	name, read, absent string
}{
	{"table_name", `CAST("table_name" AS VARCHAR)`, ""},
	{"description", `CAST("description" AS VARCHAR)`, `NULL::VARCHAR`},
	{"rows", `TRY_CAST("rows" AS BIGINT)`, `NULL::BIGINT`},
	{"size_bytes", `TRY_CAST("size_bytes" AS BIGINT)`, `NULL::BIGINT`},
	{"extracted_at", `TRY_CAST("extracted_at" AS TIMESTAMPTZ)`, `NULL::TIMESTAMPTZ`},
	{"query_mode", `CAST("query_mode" AS VARCHAR)`, `NULL::VARCHAR`},
}

// contractTables returns the table type (BASE TABLE or VIEW) of each of the
// contract's own tables present in the attached extract.
func contractTables(ctx context.Context, s *scannerDB) (map[string]string, error) {
	rows, err := s.conn.QueryContext(ctx, `SELECT table_name, table_type FROM information_schema.tables
		WHERE table_catalog = ? AND table_schema = 'main' AND table_name IN (?, ?, ?)`,
		scannerAlias, metaTable, sourceTable, remoteAttachTable)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		out[name] = typ
	}
	return out, rows.Err()
}

// tableColumns returns the lower-cased column names of an attached table.
func tableColumns(ctx context.Context, s *scannerDB, table string) (map[string]bool, error) {
	rows, err := s.conn.QueryContext(ctx, `SELECT column_name FROM information_schema.columns
		WHERE table_catalog = ? AND table_schema = 'main' AND table_name = ?`, scannerAlias, table)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out[strings.ToLower(name)] = true
	}
	return out, rows.Err()
}

// readMeta reads every _meta row in file order.
func readMeta(ctx context.Context, s *scannerDB) ([]metaRow, error) {
	cols, err := tableColumns(ctx, s, metaTable)
	if err != nil {
		return nil, fmt.Errorf("read _meta columns: %w", err)
	}
	if !cols["table_name"] {
		return nil, fmt.Errorf("_meta has no table_name column")
	}
	exprs := make([]string, len(metaColumns))
	for i, c := range metaColumns {
		exprs[i] = c.read
		if !cols[c.name] {
			exprs[i] = c.absent
		}
	}
	q := "SELECT " + strings.Join(exprs, ", ") + " FROM " + scannerAlias + ".main." + metaTable + " ORDER BY rowid"
	rows, err := s.conn.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("read _meta: %w", err)
	}
	defer rows.Close()
	var out []metaRow
	for rows.Next() {
		var (
			name, desc, mode sql.NullString
			n, size          sql.NullInt64
			at               sql.NullTime
		)
		if err := rows.Scan(&name, &desc, &n, &size, &at, &mode); err != nil {
			return nil, fmt.Errorf("read _meta: %w", err)
		}
		r := metaRow{
			tableName:   name.String,
			description: desc.String,
			rows:        n.Int64,
			sizeBytes:   size.Int64,
			queryMode:   mode.String,
		}
		if at.Valid {
			r.extractedAt = at.Time.UTC()
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read _meta: %w", err)
	}
	return out, nil
}

// readSourceType returns the first non-empty _source.type, or "".
func readSourceType(ctx context.Context, s *scannerDB) (string, error) {
	var typ sql.NullString
	err := s.conn.QueryRowContext(ctx, `SELECT CAST("type" AS VARCHAR) FROM `+scannerAlias+`.main.`+sourceTable+
		` WHERE "type" IS NOT NULL AND trim(CAST("type" AS VARCHAR)) <> '' ORDER BY rowid LIMIT 1`).Scan(&typ)
	if err == sql.ErrNoRows {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read _source: %w", err)
	}
	return strings.TrimSpace(typ.String), nil
}

// readRemoteAttach reads the _remote_attach rows in file order.
func readRemoteAttach(ctx context.Context, s *scannerDB) ([]RemoteAttach, error) {
	rows, err := s.conn.QueryContext(ctx, `SELECT
		coalesce(CAST("alias" AS VARCHAR), ''), coalesce(CAST("extension" AS VARCHAR), ''),
		coalesce(CAST("url" AS VARCHAR), ''), coalesce(CAST("token_env" AS VARCHAR), '')
		FROM `+scannerAlias+`.main.`+remoteAttachTable+` ORDER BY rowid`)
	if err != nil {
		return nil, fmt.Errorf("read _remote_attach: %w", err)
	}
	defer rows.Close()
	var out []RemoteAttach
	for rows.Next() {
		var r RemoteAttach
		if err := rows.Scan(&r.Alias, &r.Extension, &r.URL, &r.TokenEnv); err != nil {
			return nil, fmt.Errorf("read _remote_attach: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read _remote_attach: %w", err)
	}
	return out, nil
}
