package engine

import (
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
)

// Column is one result column as DuckDB types it. Type is nil when DuckDB
// cannot type the column before the parameters are bound (SELECT $1).
type Column struct {
	Name string
	Type duckdb.TypeInfo
}

// Conn is one DuckDB connection of a sandbox: one per client session. Its
// DuckDB session state (temp tables, search_path, an open transaction) is the
// session's own. Methods are serialized; cancel a running call through its ctx.
type Conn struct {
	sandbox *Sandbox
	raw     *duckdb.Conn
	arrow   *duckdb.Arrow

	mu     sync.Mutex
	closed bool
}

var errConnClosed = pgerr.New(pgerr.ObjectNotInPrerequisiteState, "engine connection is closed")

// Describe prepares sql (one statement) WITHOUT executing it and returns parameter types ($1..$n; nil for an
// unknown type) and result columns (nil when the statement returns no rows).
//
// DECIMAL parameters are reported as DECIMAL(18,3) whatever their real width
// and scale: the Go driver exposes only a parameter's type id. When DuckDB
// cannot type the result before binding (SELECT $1), cols is one column with
// a nil Type and the real shape is known only from the executed result.
func (c *Conn) Describe(ctx context.Context, sql string) (params []duckdb.TypeInfo, cols []Column, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, TranslateError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	stmt, err := c.prepare(sql)
	if err != nil {
		return nil, nil, err
	}
	defer stmt.Close()
	if err := checkStatement(stmt, sql); err != nil {
		return nil, nil, err
	}

	n := stmt.NumInput()
	if n > 0 {
		params = make([]duckdb.TypeInfo, n)
		for i := range params {
			t, err := stmt.ParamType(i + 1)
			if err != nil {
				return nil, nil, c.translate(err)
			}
			params[i] = paramTypeInfo(t)
		}
	}

	kind, err := stmt.StatementType()
	if err != nil {
		return nil, nil, c.translate(err)
	}
	count, err := stmt.ColumnCount()
	if err != nil {
		return nil, nil, c.translate(err)
	}
	cols = make([]Column, count)
	for i := range cols {
		name, err := stmt.ColumnName(i)
		if err != nil {
			return nil, nil, c.translate(err)
		}
		cols[i].Name = name
		// An unresolved type (INVALID) makes ColumnTypeInfo fail: leave nil.
		if t, err := stmt.ColumnType(i); err == nil && t != duckdb.TYPE_INVALID {
			if info, err := stmt.ColumnTypeInfo(i); err == nil {
				cols[i].Type = info
			}
		}
	}
	if !returnsRows(kind, cols) {
		cols = nil
	}
	return params, cols, nil
}

// returnsRows tells statements that produce a result set from those whose
// DuckDB result is only a status ("Count" of changed rows, "Success").
func returnsRows(kind duckdb.StmtType, cols []Column) bool {
	switch kind {
	case duckdb.STATEMENT_TYPE_SELECT, duckdb.STATEMENT_TYPE_EXPLAIN, duckdb.STATEMENT_TYPE_CALL,
		duckdb.STATEMENT_TYPE_RELATION, duckdb.STATEMENT_TYPE_EXECUTE, duckdb.STATEMENT_TYPE_LOGICAL_PLAN,
		duckdb.STATEMENT_TYPE_PRAGMA:
		return len(cols) > 0 && !(len(cols) == 1 && cols[0].Name == "Success")
	case duckdb.STATEMENT_TYPE_INSERT, duckdb.STATEMENT_TYPE_UPDATE, duckdb.STATEMENT_TYPE_DELETE:
		// Without RETURNING, DuckDB's only column is the changed-row count.
		return len(cols) > 0 && !(len(cols) == 1 && cols[0].Name == "Count")
	}
	return false
}

// paramTypeInfo turns a parameter's type id into a TypeInfo; nil when DuckDB
// could not infer it or when the type needs details the driver does not give.
func paramTypeInfo(t duckdb.Type) duckdb.TypeInfo {
	switch t {
	case duckdb.TYPE_INVALID, duckdb.TYPE_ANY, duckdb.TYPE_SQLNULL:
		return nil
	case duckdb.TYPE_DECIMAL:
		// DuckDB's default DECIMAL; the real width and scale are not exposed.
		info, err := duckdb.NewDecimalInfo(18, 3)
		if err != nil {
			return nil
		}
		return info
	}
	info, err := duckdb.NewTypeInfo(t)
	if err != nil {
		return nil // LIST, STRUCT, ENUM … need details we do not have
	}
	return info
}

// Query runs one statement and streams its result as Arrow record batches.
// Cancelling ctx interrupts the query; it also ends the stream. The reader
// keeps the sandbox alive until it is released; its Err is already a
// *pgerr.Error.
func (c *Conn) Query(ctx context.Context, sql string, args ...any) (array.RecordReader, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errConnClosed
	}
	// The Arrow path prepares the text itself and would run every statement
	// of a multi-statement string, so check first — but only pay for a
	// second prepare when the text is not plainly one query.
	if !isPlainQuery(sql) {
		stmt, err := c.prepare(sql)
		if err != nil {
			return nil, err
		}
		err = checkStatement(stmt, sql)
		stmt.Close()
		if err != nil {
			return nil, err
		}
	}
	rr, err := c.arrow.QueryContext(ctx, sql, args...)
	if err != nil {
		return nil, c.translate(err)
	}
	c.sandbox.retain()
	return newResultReader(rr, c.sandbox), nil
}

// Exec runs a statement that returns no rows.
func (c *Conn) Exec(ctx context.Context, sql string, args ...any) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	stmt, err := c.prepare(sql)
	if err != nil {
		return err
	}
	defer stmt.Close()
	if err := checkStatement(stmt, sql); err != nil {
		return err
	}
	named := make([]driver.NamedValue, len(args))
	for i, a := range args {
		named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
	}
	if _, err := stmt.ExecContext(ctx, named); err != nil {
		return c.translate(err)
	}
	return nil
}

// Close closes the DuckDB connection and releases the sandbox. Results
// already returned by Query stay readable.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	return errors.Join(c.raw.Close(), c.sandbox.release())
}

// prepare prepares exactly one statement; a multi-statement string is an
// error, and nothing is executed. The caller holds c.mu.
func (c *Conn) prepare(sql string) (*duckdb.Stmt, error) {
	if c.closed {
		return nil, errConnClosed
	}
	// Prepare (unlike PrepareContext) refuses multi-statement strings
	// instead of executing all but the last statement.
	st, err := c.raw.Prepare(sql)
	if err != nil {
		return nil, c.translate(err)
	}
	return st.(*duckdb.Stmt), nil
}

// translate maps err for the client and notices a fatal DuckDB error, after
// which the instance cannot run anything and the pool must replace it.
func (c *Conn) translate(err error) error {
	var de *duckdb.Error
	if errors.As(err, &de) && (de.Type == duckdb.ErrorTypeFatal || strings.Contains(de.Msg, "database has been invalidated")) {
		c.sandbox.markBroken()
	}
	return TranslateError(err)
}
