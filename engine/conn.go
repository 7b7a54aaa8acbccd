package engine

import (
	"context"
	"errors"
	"strings"
	"sync"

	"github.com/apache/arrow-go/v18/arrow/array"
	bindings "github.com/duckdb/duckdb-go-bindings"
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
// session's own. Methods (its own, its Stmts' and its results' Next) are
// serialized; cancel a running call through its ctx.
//
// DuckDB streams one result per connection: preparing or running any other
// statement on the Conn ends a result that has not been read to its end.
// The result keeps what can be read ahead within a few MB; beyond that its
// Next fails with 55000.
type Conn struct {
	sandbox *Sandbox

	mu      sync.Mutex
	handle  bindings.Connection
	arrow   bindings.ArrowOptions // the connection's Arrow export settings (arrow_lossless_conversion …)
	closed  bool                  // Close was called: no new statements
	streams int                   // results not yet released; they keep handle connected after Close
	active  *resultReader         // the result DuckDB is streaming on handle, if any
	stmts   map[*Stmt]struct{}    // statements handed out by Prepare and not closed
	cache   stmtCache             // statements Describe, Query and Exec prepared, by SQL text
	gen     uint64                // session generation: bumped by statements that change name resolution
}

var errConnClosed = pgerr.New(pgerr.ObjectNotInPrerequisiteState, "engine connection is closed")

// newConn wraps a fresh DuckDB connection of s.
func newConn(s *Sandbox, handle bindings.Connection) *Conn {
	c := &Conn{sandbox: s, handle: handle, stmts: map[*Stmt]struct{}{}}
	bindings.ConnectionGetArrowOptions(handle, &c.arrow)
	c.cache.init(stmtCacheSize)
	return c
}

// Prepare prepares sql (one statement, checked by the statement gate)
// without executing it. The Stmt runs it any number of times; close it when
// done (closing the Conn closes it too).
func (c *Conn) Prepare(ctx context.Context, sql string) (*Stmt, error) {
	if err := ctx.Err(); err != nil {
		return nil, TranslateError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.prepare(sql)
	if err != nil {
		return nil, err
	}
	c.stmts[s] = struct{}{}
	return s, nil
}

// Describe prepares sql (one statement) WITHOUT executing it and returns
// parameter types ($1..$n; nil for an unknown type) and result columns (nil
// when the statement returns no rows). When DuckDB cannot type the result
// before binding (SELECT $1), cols is one column with a nil Type and the real
// shape is known only from the executed result. The prepared statement is
// kept for a following Query or Exec of the same text.
func (c *Conn) Describe(ctx context.Context, sql string) (params []duckdb.TypeInfo, cols []Column, err error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, TranslateError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.statement(sql)
	if err != nil {
		return nil, nil, err
	}
	defer c.dropUncached(s)
	if err := c.refresh(s); err != nil {
		return nil, nil, err
	}
	params, cols = s.describe()
	return params, cols, nil
}

// Query runs one statement and streams its result as Arrow record batches,
// one DuckDB chunk (at most 2048 rows) at a time: DuckDB computes the next
// chunk only when it is asked for, so memory stays bounded whatever the
// result size. Query returns once the first batch is ready (or the
// statement failed). Cancelling ctx interrupts the query; it also ends the
// stream. The reader keeps the sandbox alive until it is released; its Err
// is already a *pgerr.Error. Repeated texts reuse their prepared statement.
func (c *Conn) Query(ctx context.Context, sql string, args ...any) (array.RecordReader, error) {
	if err := ctx.Err(); err != nil {
		return nil, TranslateError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.statement(sql)
	if err != nil {
		return nil, err
	}
	defer c.dropUncached(s)
	return c.query(ctx, s, args)
}

// Exec runs a statement and discards its rows.
func (c *Conn) Exec(ctx context.Context, sql string, args ...any) error {
	if err := ctx.Err(); err != nil {
		return TranslateError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s, err := c.statement(sql)
	if err != nil {
		return err
	}
	defer c.dropUncached(s)
	return c.exec(ctx, s, args)
}

// Close closes the Conn's statements and releases the sandbox. Results
// already returned by Query stay readable: the DuckDB connection is closed
// with the last of them.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil
	}
	c.closed = true
	for s := range c.stmts {
		s.destroy()
	}
	clear(c.stmts)
	c.cache.clear()
	if c.streams == 0 {
		c.disconnect()
	}
	return c.sandbox.release()
}

// disconnect closes the DuckDB connection. The caller holds c.mu, and no
// statement or result of c is left.
func (c *Conn) disconnect() {
	bindings.DestroyArrowOptions(&c.arrow)
	bindings.Disconnect(&c.handle)
}

// statement returns the prepared statement for sql from the cache, or
// prepares it (and caches it when its kind may run again). The caller holds
// c.mu and passes the statement to dropUncached when done.
func (c *Conn) statement(sql string) (*Stmt, error) {
	if c.closed {
		return nil, errConnClosed
	}
	if s := c.cache.get(sql); s != nil {
		return s, nil
	}
	s, err := c.prepare(sql)
	if err != nil {
		return nil, err
	}
	if cacheable[s.kind] {
		s.cached = true
		c.cache.put(sql, s)
	}
	return s, nil
}

// dropUncached destroys a statement that statement prepared without caching.
func (c *Conn) dropUncached(s *Stmt) {
	if !s.cached {
		s.destroy()
	}
}

// prepare prepares exactly one statement and checks it against the
// statement gate; nothing is executed. A multi-statement string is an
// error. The caller holds c.mu.
func (c *Conn) prepare(sql string) (*Stmt, error) {
	if c.closed {
		return nil, errConnClosed
	}
	c.endStream() // DuckDB closes an open streaming result when it prepares
	var extracted bindings.ExtractedStatements
	n := bindings.ExtractStatements(c.handle, sql, &extracted)
	defer bindings.DestroyExtracted(&extracted)
	if n == 0 {
		if msg := bindings.ExtractStatementsError(extracted); msg != "" {
			return nil, c.translate(duckdbError(msg))
		}
		return nil, pgerr.New(pgerr.SyntaxError, "empty query")
	}
	if n > 1 {
		// Nothing has run: preparing the first statements would not execute them.
		return nil, pgerr.New(pgerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	var handle bindings.PreparedStatement
	if bindings.PrepareExtractedStatement(c.handle, extracted, 0, &handle) == bindings.StateError {
		err := duckdbError(bindings.PrepareError(handle))
		bindings.DestroyPrepare(&handle)
		return nil, c.translate(err)
	}
	kind := duckdb.StmtType(bindings.PreparedStatementType(handle))
	if err := checkStatement(kind, sql); err != nil {
		bindings.DestroyPrepare(&handle)
		return nil, err
	}
	s := &Stmt{conn: c, sql: sql, handle: handle, kind: kind, gen: c.gen}
	s.inspect()
	return s, nil
}

// refresh prepares s again when the session changed how names resolve since
// it was prepared (SET search_path, DDL, SET VARIABLE), or when a failed bind
// left an error on its handle. The caller holds c.mu.
func (c *Conn) refresh(s *Stmt) error {
	if s.gen == c.gen && !s.broken {
		return nil
	}
	fresh, err := c.prepare(s.sql)
	if err != nil {
		return err
	}
	bindings.DestroyPrepare(&s.handle)
	s.dropParams()
	s.handle, s.kind, s.params, s.cols, s.gen, s.broken = fresh.handle, fresh.kind, fresh.params, fresh.cols, fresh.gen, false
	return nil
}

// query runs s and streams its result. The caller holds c.mu.
func (c *Conn) query(ctx context.Context, s *Stmt, args []any) (array.RecordReader, error) {
	res, err := c.execute(ctx, s, args)
	if err != nil {
		return nil, err
	}
	return c.newResultReader(ctx, res)
}

// exec runs s to completion, reading and dropping its rows chunk by chunk
// (a query run through Exec is not held in memory either). The caller holds
// c.mu.
func (c *Conn) exec(ctx context.Context, s *Stmt, args []any) error {
	res, err := c.execute(ctx, s, args)
	if err != nil {
		return err
	}
	defer bindings.DestroyResult(res)
	stop := c.interruptOn(ctx)
	defer stop()
	for {
		chunk := bindings.FetchChunk(*res)
		if chunk.Ptr == nil {
			break
		}
		empty := bindings.DataChunkGetSize(chunk) == 0
		bindings.DestroyDataChunk(&chunk)
		if empty {
			break
		}
	}
	if bindings.ResultError(res) == "" {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return TranslateError(err)
	}
	return c.translate(resultError(res))
}

// execute binds args to s and starts it with a streaming pending result:
// DuckDB produces the result chunk by chunk as it is fetched, when the
// statement can stream at all (queries can; DDL and DML run to completion
// and return a status row). The caller holds c.mu and destroys the result.
func (c *Conn) execute(ctx context.Context, s *Stmt, args []any) (*bindings.Result, error) {
	if s.closed || c.closed {
		return nil, errConnClosed
	}
	if err := c.refresh(s); err != nil {
		return nil, err
	}
	c.endStream()
	if err := s.bind(args); err != nil {
		return nil, err
	}
	var pending bindings.PendingResult
	state := bindings.PendingPreparedStreaming(s.handle, &pending)
	defer bindings.DestroyPending(&pending)
	if state == bindings.StateError {
		return nil, c.translate(duckdbError(bindings.PendingError(pending)))
	}
	// DuckDB clears the connection's interrupt flag when a statement
	// starts, so an interrupt is only useful from here on.
	if err := ctx.Err(); err != nil {
		return nil, TranslateError(err)
	}
	res := new(bindings.Result)
	stop := c.interruptOn(ctx)
	state = bindings.ExecutePending(pending, res)
	stop()
	if state == bindings.StateError {
		err := resultError(res)
		bindings.DestroyResult(res)
		if ctxErr := ctx.Err(); ctxErr != nil {
			return nil, TranslateError(ctxErr)
		}
		return nil, c.translate(err)
	}
	if changesSession[s.kind] {
		c.gen++
	}
	return res, nil
}

// endStream detaches the result DuckDB is streaming, if any: DuckDB closes
// it as soon as the connection prepares or runs anything else. The caller
// holds c.mu.
func (c *Conn) endStream() {
	if r := c.active; r != nil {
		r.detach()
		c.active = nil
	}
}

// noInterrupt is interruptOn's stop for contexts that cannot be cancelled.
func noInterrupt() {}

// interruptOn interrupts the DuckDB connection if ctx ends before stop is
// called. stop waits for an interrupt already under way, so that it cannot
// hit the connection's next statement. The caller holds c.mu.
func (c *Conn) interruptOn(ctx context.Context) (stop func()) {
	if ctx.Done() == nil {
		return noInterrupt
	}
	handle := c.handle
	done := make(chan struct{})
	unregister := context.AfterFunc(ctx, func() {
		bindings.Interrupt(handle)
		close(done)
	})
	return func() {
		if !unregister() {
			<-done
		}
	}
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

// cacheable are the statement kinds worth keeping prepared for the next
// run of the same text.
var cacheable = map[duckdb.StmtType]bool{
	duckdb.STATEMENT_TYPE_SELECT:   true,
	duckdb.STATEMENT_TYPE_EXPLAIN:  true,
	duckdb.STATEMENT_TYPE_INSERT:   true,
	duckdb.STATEMENT_TYPE_UPDATE:   true,
	duckdb.STATEMENT_TYPE_DELETE:   true,
	duckdb.STATEMENT_TYPE_CALL:     true,
	duckdb.STATEMENT_TYPE_RELATION: true,
}

// changesSession are the statement kinds after which statements prepared
// earlier may resolve names differently: DuckDB re-binds a prepared
// statement when the catalog changes, but not when search_path or a
// variable (folded into the plan by getvariable) does.
var changesSession = map[duckdb.StmtType]bool{
	duckdb.STATEMENT_TYPE_SET:          true,
	duckdb.STATEMENT_TYPE_VARIABLE_SET: true,
	duckdb.STATEMENT_TYPE_CREATE:       true,
	duckdb.STATEMENT_TYPE_DROP:         true,
	duckdb.STATEMENT_TYPE_ALTER:        true,
}
