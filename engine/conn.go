package engine

import (
	"context"
	"errors"
	"slices"
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

// Conn is one client session's DuckDB connection to a sandbox. Its DuckDB
// session state (temp tables, search_path, variables, an open transaction)
// is the session's own. Methods (its own, its Stmts' and its results' Next)
// are serialized; cancel a running call through its ctx.
//
// DuckDB streams one result per connection, while a PostgreSQL session may
// read any number of results at once (portals, cursors). So a Conn has a
// primary DuckDB connection and opens extra ones of the same sandbox when a
// query starts while another result is still being read: up to
// maxExtraConns of them, kept for reuse and closed with the Conn. An extra
// connection is brought up to date with the session's SET and SET VARIABLE
// statements before it runs anything. Statements that need the session's
// own connection (DDL, DML, transaction control, and every statement once
// the session has created TEMP objects, which only the primary holds) run
// on the primary, ending a result it streams; so does a query when all
// connections stream. Such a result keeps what can be read ahead within a
// few MB; beyond that its Next fails with 55000.
type Conn struct {
	sandbox *Sandbox

	mu          sync.Mutex
	primary     *duckConn
	extras      []*duckConn        // opened when needed, at most maxExtraConns
	closed      bool               // Close was called: no new statements
	stmts       map[*Stmt]struct{} // statements handed out by Prepare and not closed
	gen         uint64             // session generation: bumped by statements that change name resolution
	settings    sessionSettings    // what extras replay to resolve names like the primary
	tempObjects bool               // the session created TEMP objects: they exist on the primary only
}

// maxExtraConns is how many DuckDB connections a Conn opens besides its
// primary, so how many results beyond one a session can read at once. Each
// streaming result holds DuckDB's streaming buffer (about 1 MB) and one
// chunk in Go.
const maxExtraConns = 8

// maxIdleExtras is how many extra connections a Conn keeps open with
// nothing to read, ready for the next interleaved statement.
const maxIdleExtras = 2

var errConnClosed = pgerr.New(pgerr.ObjectNotInPrerequisiteState, "engine connection is closed")

// newConn wraps a fresh DuckDB connection of s.
func newConn(s *Sandbox, handle bindings.Connection) *Conn {
	return &Conn{sandbox: s, primary: newDuckConn(s.db, handle, true), stmts: map[*Stmt]struct{}{}}
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
	if c.closed {
		return nil, errConnClosed
	}
	dc, err := c.choose(ctx, true)
	if err != nil {
		return nil, err
	}
	p, err := c.prepare(dc, sql)
	if err != nil {
		return nil, err
	}
	s := &Stmt{conn: c, sql: sql, kind: p.kind, preps: []*prepared{p}}
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
	if c.closed {
		return nil, nil, errConnClosed
	}
	dc, err := c.choose(ctx, true)
	if err != nil {
		return nil, nil, err
	}
	p, err := c.statement(dc, sql)
	if err != nil {
		return nil, nil, err
	}
	defer c.dropUncached(p)
	if err := c.refresh(p); err != nil {
		return nil, nil, err
	}
	params, cols = p.describe()
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
	p, err := c.statementToRun(ctx, sql)
	if err != nil {
		return nil, err
	}
	defer c.dropUncached(p)
	return c.query(ctx, p, args)
}

// Exec runs a statement and discards its rows.
func (c *Conn) Exec(ctx context.Context, sql string, args ...any) error {
	if err := ctx.Err(); err != nil {
		return TranslateError(err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	p, err := c.statementToRun(ctx, sql)
	if err != nil {
		return err
	}
	defer c.dropUncached(p)
	return c.exec(ctx, p, args)
}

// Close closes the Conn's statements and DuckDB connections and releases
// the sandbox. Results already returned by Query stay readable: the DuckDB
// connection of each is closed with the last of them.
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
	for _, dc := range append([]*duckConn{c.primary}, c.extras...) {
		c.retire(dc)
	}
	return c.sandbox.release()
}

// choose returns the DuckDB connection to prepare or run the next
// statement on, free of any streaming result and up to date with the
// session's settings. A statement that may run anywhere gets the primary
// when it is free, else an extra connection; anything else, and a
// statement when all connections stream, gets the primary, whose result is
// then ended. The caller holds c.mu.
func (c *Conn) choose(ctx context.Context, anywhere bool) (*duckConn, error) {
	dc := c.primary
	if !dc.free() {
		reason := errResultSuperseded
		if anywhere && !c.tempObjects && !c.settings.overflow {
			if extra := c.freeExtra(ctx); extra != nil {
				return extra, nil
			}
			if err := ctx.Err(); err != nil {
				return nil, TranslateError(err) // not a reason to end a result
			}
			reason = errTooManyResults
		}
		dc.endStream(reason)
	}
	if err := c.sync(ctx, dc); err != nil {
		return nil, err
	}
	return dc, nil
}

// freeExtra returns an extra connection that streams nothing, up to date
// with the session's settings: one already open, else a new one while there
// are fewer than maxExtraConns. It returns nil when there is none. The
// caller holds c.mu.
func (c *Conn) freeExtra(ctx context.Context) *duckConn {
	for _, dc := range c.extras {
		if !dc.free() {
			continue
		}
		if c.sync(ctx, dc) != nil {
			c.retire(dc)
			return nil
		}
		return dc
	}
	if len(c.extras) >= maxExtraConns {
		return nil
	}
	handle, err := c.sandbox.db.connect()
	if err != nil {
		return nil
	}
	dc := newDuckConn(c.sandbox.db, handle, false)
	if c.sync(ctx, dc) != nil {
		dc.disconnect()
		return nil
	}
	c.extras = append(c.extras, dc)
	return dc
}

// sync runs on dc the session settings it has not run yet. The caller
// holds c.mu; dc streams nothing.
func (c *Conn) sync(ctx context.Context, dc *duckConn) error {
	for _, set := range c.settings.since(dc.synced) {
		p, err := c.prepare(dc, set.sql)
		if err != nil {
			return err
		}
		err = c.runToEnd(ctx, p, set.args)
		p.destroy()
		if err != nil {
			return err
		}
		dc.synced = set.seq
	}
	return nil
}

// retire takes dc out of use: its prepared statements go now, the DuckDB
// connection once its last result is released. The caller holds c.mu.
func (c *Conn) retire(dc *duckConn) {
	dc.retired = true
	for s := range c.stmts {
		s.forget(dc)
	}
	dc.cache.clear()
	if i := slices.Index(c.extras, dc); i >= 0 {
		c.extras = slices.Delete(c.extras, i, i+1)
	}
	if dc.streams == 0 {
		dc.disconnect()
	}
}

// released is called when the last result of dc was released: dc is
// disconnected if it was retired, or if it is one idle extra connection too
// many. The caller holds c.mu.
func (c *Conn) released(dc *duckConn) {
	if dc.retired {
		dc.disconnect()
		return
	}
	if dc.primary {
		return
	}
	idle := 0
	for _, e := range c.extras {
		if e.idle() {
			idle++
		}
	}
	if idle > maxIdleExtras {
		c.retire(dc)
	}
}

// statementToRun returns sql prepared on the connection it is to run on:
// chosen for any statement first, then the primary when its kind needs the
// session's own connection. The caller holds c.mu and passes the statement
// to dropUncached when done.
func (c *Conn) statementToRun(ctx context.Context, sql string) (*prepared, error) {
	if c.closed {
		return nil, errConnClosed
	}
	dc, err := c.choose(ctx, true)
	if err != nil {
		return nil, err
	}
	p, err := c.statement(dc, sql)
	if err != nil || dc.primary || runsAnywhere[p.kind] {
		return p, err
	}
	c.dropUncached(p)
	if dc, err = c.choose(ctx, false); err != nil {
		return nil, err
	}
	return c.statement(dc, sql)
}

// statement returns the prepared statement for sql on dc from its cache, or
// prepares it (and caches it when its kind may run again). The caller holds
// c.mu and passes the statement to dropUncached when done.
func (c *Conn) statement(dc *duckConn, sql string) (*prepared, error) {
	if p := dc.cache.get(sql); p != nil {
		return p, nil
	}
	p, err := c.prepare(dc, sql)
	if err != nil {
		return nil, err
	}
	if cacheable[p.kind] {
		p.cached = true
		dc.cache.put(sql, p)
	}
	return p, nil
}

// dropUncached destroys a statement that statement prepared without caching.
func (c *Conn) dropUncached(p *prepared) {
	if !p.cached {
		p.destroy()
	}
}

// prepare prepares exactly one statement on dc and checks it against the
// statement gate; nothing is executed. A multi-statement string is an
// error. The caller holds c.mu.
func (c *Conn) prepare(dc *duckConn, sql string) (*prepared, error) {
	if c.closed {
		return nil, errConnClosed
	}
	dc.endStream(errResultSuperseded) // DuckDB closes an open streaming result when it prepares
	var extracted bindings.ExtractedStatements
	n := bindings.ExtractStatements(dc.handle, sql, &extracted)
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
	if bindings.PrepareExtractedStatement(dc.handle, extracted, 0, &handle) == bindings.StateError {
		err := duckdbError(bindings.PrepareError(handle))
		bindings.DestroyPrepare(&handle)
		return nil, c.translate(err)
	}
	kind := duckdb.StmtType(bindings.PreparedStatementType(handle))
	if err := checkStatement(kind, sql); err != nil {
		bindings.DestroyPrepare(&handle)
		return nil, err
	}
	p := &prepared{dc: dc, sql: sql, handle: handle, kind: kind, gen: c.gen}
	p.inspect()
	return p, nil
}

// refresh prepares p again when the session changed how names resolve since
// it was prepared (SET search_path, DDL, SET VARIABLE), or when a failed bind
// left an error on its handle. The caller holds c.mu; p's connection is up
// to date with the session's settings.
func (c *Conn) refresh(p *prepared) error {
	if p.gen == c.gen && !p.broken {
		return nil
	}
	fresh, err := c.prepare(p.dc, p.sql)
	if err != nil {
		return err
	}
	bindings.DestroyPrepare(&p.handle)
	p.dropParams()
	p.handle, p.kind, p.params, p.cols, p.gen, p.broken = fresh.handle, fresh.kind, fresh.params, fresh.cols, fresh.gen, false
	return nil
}

// query runs p and streams its result. The caller holds c.mu.
func (c *Conn) query(ctx context.Context, p *prepared, args []any) (array.RecordReader, error) {
	res, err := c.execute(ctx, p, args)
	if err != nil {
		return nil, err
	}
	return c.newResultReader(ctx, p.dc, res)
}

// exec runs p to completion, reading and dropping its rows chunk by chunk
// (a query run through Exec is not held in memory either). The caller holds
// c.mu.
func (c *Conn) exec(ctx context.Context, p *prepared, args []any) error {
	res, err := c.execute(ctx, p, args)
	if err != nil {
		return err
	}
	return c.drain(ctx, p.dc, res)
}

// runToEnd runs p with args and drops its rows, recording nothing: the
// statement repeats one that already ran in the session. The caller holds
// c.mu.
func (c *Conn) runToEnd(ctx context.Context, p *prepared, args []any) error {
	res, err := c.run(ctx, p, args)
	if err != nil {
		return err
	}
	return c.drain(ctx, p.dc, res)
}

// drain reads res of dc to its end, dropping the rows, and destroys it.
// The caller holds c.mu.
func (c *Conn) drain(ctx context.Context, dc *duckConn, res *bindings.Result) error {
	defer bindings.DestroyResult(res)
	stop := dc.interruptOn(ctx)
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

// execute brings p up to date and runs it with args, then records what the
// statement changed in the session. The caller holds c.mu and destroys the
// result.
func (c *Conn) execute(ctx context.Context, p *prepared, args []any) (*bindings.Result, error) {
	if p.closed || c.closed {
		return nil, errConnClosed
	}
	if err := c.refresh(p); err != nil {
		return nil, err
	}
	dc := p.dc
	dc.endStream(errResultSuperseded)
	res, err := c.run(ctx, p, args)
	if err != nil {
		return nil, err
	}
	if changesSession[p.kind] {
		c.gen++
	}
	switch p.kind {
	case duckdb.STATEMENT_TYPE_SET, duckdb.STATEMENT_TYPE_VARIABLE_SET:
		dc.synced = c.settings.record(p.sql, args)
	case duckdb.STATEMENT_TYPE_CREATE:
		// Any CREATE that succeeds made a TEMP object (the catalog is
		// read-only): from now on statements may name it, and only the
		// primary has it.
		c.tempObjects = true
	}
	return res, nil
}

// run binds args to p and starts it with a streaming pending result:
// DuckDB produces the result chunk by chunk as it is fetched, when the
// statement can stream at all (queries can; DDL and DML run to completion
// and return a status row). The caller holds c.mu and destroys the result;
// p's connection streams nothing.
func (c *Conn) run(ctx context.Context, p *prepared, args []any) (*bindings.Result, error) {
	if err := p.bind(args); err != nil {
		return nil, err
	}
	var pending bindings.PendingResult
	state := bindings.PendingPreparedStreaming(p.handle, &pending)
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
	stop := p.dc.interruptOn(ctx)
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
	return res, nil
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

// runsAnywhere are the statement kinds that may run on any DuckDB
// connection of a Conn while the session has no TEMP objects: queries
// over the shared, read-only catalog, and settings, which are recorded and
// run on the other connections too. Everything else (DDL, DML, which can
// only reach TEMP tables, transaction control) belongs to the primary.
var runsAnywhere = map[duckdb.StmtType]bool{
	duckdb.STATEMENT_TYPE_SELECT:       true,
	duckdb.STATEMENT_TYPE_EXPLAIN:      true,
	duckdb.STATEMENT_TYPE_CALL:         true,
	duckdb.STATEMENT_TYPE_RELATION:     true,
	duckdb.STATEMENT_TYPE_SET:          true,
	duckdb.STATEMENT_TYPE_VARIABLE_SET: true,
}
