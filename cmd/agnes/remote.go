package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/keboola/agnes/client"
)

// connectGateway opens a PostgreSQL connection to the server's gateway as
// the token's user: GET /api/connection says where it listens and the user
// name; the password is the token itself. TLS is used when the gateway
// offers it (sslmode=prefer; PGSSLMODE and the other libpq variables
// override).
func connectGateway(ctx context.Context, api *client.Client) (*pgconn.PgConn, error) {
	info, err := api.Connection(ctx)
	if err != nil {
		return nil, fmt.Errorf("find the gateway: %w", err)
	}
	u := url.URL{
		Scheme:   "postgres",
		User:     url.User(info.User),
		Host:     net.JoinHostPort(info.PGHost, strconv.Itoa(info.PGPort)),
		Path:     "/" + info.PGDatabase,
		RawQuery: "connect_timeout=10&application_name=agnes-cli",
	}
	cfg, err := pgconn.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("gateway address: %w", err)
	}
	cfg.Password = api.Token()
	conn, err := pgconn.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to the gateway at %s: %w", u.Host, describePgError(err))
	}
	return conn, nil
}

// remoteError is an error the gateway sent: SQLSTATE and message (plus
// detail and hint when present), on one line.
type remoteError struct{ pg *pgconn.PgError }

func (e *remoteError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s (SQLSTATE %s)", e.pg.Severity, e.pg.Message, e.pg.Code)
	if e.pg.Detail != "" {
		b.WriteString("; " + e.pg.Detail)
	}
	if e.pg.Hint != "" {
		b.WriteString("; hint: " + e.pg.Hint)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

func (e *remoteError) Unwrap() error { return e.pg }

func describePgError(err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return &remoteError{pg: pe}
	}
	return err
}

// PostgreSQL type OIDs the remote results are interpreted by.
const (
	oidBool        = 16
	oidBytea       = 17
	oidInt8        = 20
	oidInt2        = 21
	oidInt4        = 23
	oidOID         = 26
	oidJSON        = 114
	oidFloat4      = 700
	oidFloat8      = 701
	oidDate        = 1082
	oidTime        = 1083
	oidTimestamp   = 1114
	oidTimestampTZ = 1184
	oidNumeric     = 1700
	oidUUID        = 2950
	oidJSONB       = 3802
)

// remoteResult is the first result set of a statement run on the gateway
// (simple query protocol: every value arrives as PostgreSQL text).
type remoteResult struct {
	mrr    *pgconn.MultiResultReader
	rr     *pgconn.ResultReader
	fields []pgconn.FieldDescription
}

// remoteRows runs sql on the gateway and returns its first result set
// that has columns. Statements before it that return no rows (SET …) run
// too.
func remoteRows(ctx context.Context, conn *pgconn.PgConn, sql string) (*remoteResult, error) {
	mrr := conn.Exec(ctx, sql)
	for mrr.NextResult() {
		rr := mrr.ResultReader()
		if fields := rr.FieldDescriptions(); len(fields) > 0 {
			return &remoteResult{mrr: mrr, rr: rr, fields: fields}, nil
		}
		if _, err := rr.Close(); err != nil {
			mrr.Close()
			return nil, describePgError(err)
		}
	}
	if err := mrr.Close(); err != nil {
		return nil, describePgError(err)
	}
	return &remoteResult{}, nil
}

func (r *remoteResult) columns() []string {
	out := make([]string, len(r.fields))
	for i, f := range r.fields {
		out[i] = f.Name
	}
	return out
}

// next returns the next row, normalised by column type, or errNoMoreRows.
func (r *remoteResult) next() ([]any, error) {
	if r.rr == nil {
		return nil, errNoMoreRows
	}
	if !r.rr.NextRow() {
		if _, err := r.rr.Close(); err != nil {
			return nil, describePgError(err)
		}
		return nil, errNoMoreRows
	}
	vals := r.rr.Values()
	out := make([]any, len(vals))
	for i, v := range vals {
		out[i] = normalizePGText(v, r.fields[i].DataTypeOID)
	}
	return out, nil
}

// close ends the result; the rest of the statement's results are read and
// dropped, and the first error among them is returned.
func (r *remoteResult) close() error {
	if r.mrr == nil {
		return nil
	}
	if r.rr != nil {
		r.rr.Close()
	}
	return describePgError(r.mrr.Close())
}

// normalizePGText interprets a PostgreSQL text value by its type: numbers
// stay exact (json.Number), booleans become booleans, JSON stays JSON,
// everything else is the text PostgreSQL sent, as psql would show it.
func normalizePGText(v []byte, oid uint32) any {
	if v == nil {
		return nil
	}
	s := string(v)
	switch oid {
	case oidBool:
		return s == "t" || s == "true"
	case oidInt2, oidInt4, oidInt8, oidOID, oidNumeric, oidFloat4, oidFloat8:
		if _, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "nN") {
			return json.Number(s)
		}
		return s // NaN, Infinity
	case oidJSON, oidJSONB:
		if json.Valid(v) {
			return json.RawMessage(s)
		}
	}
	return s
}

// duckDBTypeOf is the DuckDB type a remote column is written to parquet
// as; numeric keeps its precision and scale when the type modifier has
// them.
func duckDBTypeOf(f pgconn.FieldDescription) string {
	switch f.DataTypeOID {
	case oidBool:
		return "BOOLEAN"
	case oidInt2:
		return "SMALLINT"
	case oidInt4:
		return "INTEGER"
	case oidInt8, oidOID:
		return "BIGINT"
	case oidFloat4:
		return "FLOAT"
	case oidFloat8:
		return "DOUBLE"
	case oidNumeric:
		if m := f.TypeModifier - 4; f.TypeModifier >= 4 {
			if p, s := (m>>16)&0xffff, m&0xffff; p >= 1 && p <= 38 && s <= p {
				return fmt.Sprintf("DECIMAL(%d,%d)", p, s)
			}
		}
		return "DOUBLE"
	case oidDate:
		return "DATE"
	case oidTime:
		return "TIME"
	case oidTimestamp:
		return "TIMESTAMP"
	case oidTimestampTZ:
		return "TIMESTAMPTZ"
	case oidUUID:
		return "UUID"
	case oidBytea:
		return "BLOB"
	}
	return "VARCHAR"
}
