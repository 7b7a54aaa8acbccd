package server

import (
	"context"
	"math"
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"

	"github.com/keboola/agnes/pgerr"
	"github.com/keboola/agnes/planner"
	"github.com/keboola/agnes/wire"
)

// SQL cursors: DECLARE name [NO SCROLL] CURSOR [WITH HOLD] FOR query,
// FETCH [FORWARD] n|ALL|NEXT FROM name, MOVE, CLOSE name|ALL (psycopg2's
// named cursors, Tableau, pandas chunked reads).
//
// A cursor streams its query's result from the session's engine Conn:
// FETCH reads the next rows off the open result, so a cursor over a large
// table costs one DuckDB chunk of memory, and queries between FETCHes run
// beside it (the engine opens extra DuckDB connections for them). Before
// the session changes its DuckDB settings (syncCompat's SET VARIABLE,
// which the engine runs on the connection a cursor may stream from), open
// cursors are detached: the rest of their rows is read into memory
// (copied out of DuckDB's buffers) and later FETCHes are served from
// there.
//
// A cursor declared without SCROLL is forward-only (PostgreSQL's NO
// SCROLL): FETCH BACKWARD, ABSOLUTE and RELATIVE fail with 55000. A SCROLL
// cursor keeps its rows and moves both ways (cursor_scroll.go). A cursor
// without HOLD is closed
// when its transaction ends; WITH HOLD keeps it until CLOSE or the end of
// the session. FETCH from a BINARY cursor sends binary rows in a simple
// Query; in the extended protocol, Bind's result formats decide (as in
// PostgreSQL).

// cursor is one open SQL cursor of a session.
type cursor struct {
	name   string
	hold   bool
	binary bool          // FETCH in a simple Query sends binary rows
	cols   []wire.Column // described result columns (PostgreSQL types)

	schema *arrow.Schema
	reader array.RecordReader // the streaming result; nil once detached or drained
	// cur is the batch being read, row the next row in it; curOwned says
	// the cursor must release it (a detached copy, not the reader's).
	cur      arrow.RecordBatch
	row      int64
	curOwned bool
	buffered []arrow.RecordBatch // detached batches, owned
	scroll   *scrollRows         // the rows of a SCROLL cursor (cursor_scroll.go)
}

func (s *session) declareCursor(ctx context.Context, c *planner.SessionCommand) (wire.Result, error) {
	if !s.inTx && !c.Hold {
		return nil, pgerr.New(pgerr.NoActiveSQLTransaction, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, dup := s.cursors[c.Name]; dup {
		return nil, pgerr.New(pgerr.DuplicateCursor, "cursor %q already exists", c.Name)
	}
	inner := c.Inner
	if inner == nil || inner.SQL == "" {
		return nil, pgerr.New(pgerr.InvalidCursorDefinition, "cursor %q has no query", c.Name)
	}
	if err := s.readyConn(ctx); err != nil {
		return nil, err
	}
	_, ecols, err := s.conn.Describe(ctx, inner.SQL)
	if err != nil {
		return nil, err
	}
	// The cursor outlives this statement: its rows are read by later
	// FETCHes, which must not see this statement's cancellation.
	rr, err := s.conn.Query(context.WithoutCancel(ctx), inner.SQL)
	if err != nil {
		return nil, err
	}
	cur := &cursor{name: c.Name, hold: c.Hold, binary: c.Binary, cols: describedColumns(inner, ecols), schema: rr.Schema(), reader: rr}
	if c.Scroll {
		if err := cur.materialize(); err != nil {
			cur.close()
			return nil, err
		}
	}
	s.cursors[c.Name] = cur
	return &cmdResult{tag: "DECLARE CURSOR"}, nil
}

func (s *session) describeFetch(c *planner.SessionCommand) (*wire.Description, error) {
	cur, ok := s.cursors[c.Name]
	if !ok {
		return nil, pgerr.New(pgerr.InvalidCursorName, "cursor %q does not exist", c.Name)
	}
	return &wire.Description{Columns: cur.cols}, nil
}

func (s *session) fetchCursor(c *planner.SessionCommand) (wire.Result, error) {
	cur, ok := s.cursors[c.Name]
	if !ok {
		return nil, pgerr.New(pgerr.InvalidCursorName, "cursor %q does not exist", c.Name)
	}
	if cur.scroll != nil {
		return fetchScroll(cur, c.Verb, c.Direction, c.Count, c.All), nil
	}
	if c.Direction != "forward" && !(c.Direction == "relative" && c.Count == 1) && !(c.Direction == "absolute" && c.Count == 1 && cur.row == 0 && cur.cur == nil) {
		return nil, pgerr.New(pgerr.ObjectNotInPrerequisiteState, "cursor can only scan forward").
			WithHint("Declare it with the SCROLL option to enable backward scan.")
	}
	n := c.Count
	if c.All || c.Direction == "forward" && n < 0 {
		n = math.MaxInt64
	}
	if c.Direction != "forward" {
		n = 1
	}
	if c.Verb == "move" {
		moved, err := cur.skip(n)
		if err != nil {
			return nil, err
		}
		return &cmdResult{tag: "MOVE " + strconv.FormatInt(moved, 10)}, nil
	}
	return &fetchResult{cursorRows: cursorRows{cur: cur}, left: n}, nil
}

func (s *session) closeCursor(c *planner.SessionCommand) (wire.Result, error) {
	if c.Verb == "close_all" {
		s.closeCursors(true)
		return &cmdResult{tag: "CLOSE CURSOR ALL"}, nil
	}
	cur, ok := s.cursors[c.Name]
	if !ok {
		return nil, pgerr.New(pgerr.InvalidCursorName, "cursor %q does not exist", c.Name)
	}
	cur.close()
	delete(s.cursors, c.Name)
	return &cmdResult{tag: "CLOSE CURSOR"}, nil
}

// closeCursors closes the session's cursors: all of them, or those
// without HOLD (at the end of a transaction).
func (s *session) closeCursors(all bool) {
	for name, cur := range s.cursors {
		if all || !cur.hold {
			cur.close()
			delete(s.cursors, name)
		}
	}
}

// detachCursors reads the rest of every open cursor's stream into memory,
// before another statement runs on the connection and DuckDB closes it.
func (s *session) detachCursors() error {
	for name, cur := range s.cursors {
		if err := cur.detach(); err != nil {
			cur.close()
			delete(s.cursors, name)
			return err
		}
	}
	return nil
}

// next returns the cursor's current batch with unread rows (nil at the
// end).
func (c *cursor) next() (arrow.RecordBatch, error) {
	for c.cur == nil || c.row >= c.cur.NumRows() {
		c.releaseCur()
		switch {
		case len(c.buffered) > 0:
			c.cur, c.curOwned, c.row = c.buffered[0], true, 0
			c.buffered = c.buffered[1:]
		case c.reader != nil:
			if !c.reader.Next() {
				err := c.reader.Err()
				c.reader.Release()
				c.reader = nil
				if err != nil {
					return nil, err
				}
				return nil, nil
			}
			c.cur, c.curOwned, c.row = c.reader.RecordBatch(), false, 0
		default:
			return nil, nil
		}
	}
	return c.cur, nil
}

func (c *cursor) releaseCur() {
	if c.cur != nil && c.curOwned {
		c.cur.Release()
	}
	c.cur, c.curOwned, c.row = nil, false, 0
}

// skip moves past up to n rows and returns how many it passed.
func (c *cursor) skip(n int64) (int64, error) {
	var moved int64
	for moved < n {
		b, err := c.next()
		if err != nil {
			return moved, err
		}
		if b == nil {
			break
		}
		k := min(n-moved, b.NumRows()-c.row)
		c.row += k
		moved += k
	}
	return moved, nil
}

// detach copies the unread rows out of DuckDB's buffers and releases the
// stream.
func (c *cursor) detach() error {
	if c.reader == nil {
		return nil
	}
	var copies []arrow.RecordBatch
	if c.cur != nil && !c.curOwned && c.row < c.cur.NumRows() {
		copies = append(copies, copyBatch(c.cur, c.row))
		c.cur, c.row = nil, 0
	}
	for c.reader.Next() {
		copies = append(copies, copyBatch(c.reader.RecordBatch(), 0))
	}
	err := c.reader.Err()
	c.reader.Release()
	c.reader = nil
	if c.cur != nil && !c.curOwned {
		c.cur, c.row = nil, 0
	}
	c.buffered = append(c.buffered, copies...)
	if err != nil {
		for _, b := range copies {
			b.Release()
		}
		c.buffered = nil
		return err
	}
	return nil
}

// copyBatch deep-copies the rows of b from row on into Go memory.
func copyBatch(b arrow.RecordBatch, row int64) arrow.RecordBatch {
	slice := b.NewSlice(row, b.NumRows())
	defer slice.Release()
	cols := make([]arrow.Array, slice.NumCols())
	for i := range cols {
		cp, err := array.Concatenate([]arrow.Array{slice.Column(i)}, memory.DefaultAllocator)
		if err != nil {
			panic("copy cursor batch: " + err.Error()) // same type, cannot fail
		}
		cols[i] = cp
	}
	out := array.NewRecordBatch(slice.Schema(), cols, slice.NumRows())
	for _, a := range cols {
		a.Release()
	}
	return out
}

func (c *cursor) close() {
	if c.scroll != nil {
		c.scroll.release()
	}
	c.releaseCur()
	for _, b := range c.buffered {
		b.Release()
	}
	c.buffered = nil
	if c.reader != nil {
		c.reader.Release()
		c.reader = nil
	}
}

// cursorRows is what every FETCH result shares: the cursor's columns and
// the slice of rows last handed out, released by the next call.
type cursorRows struct {
	cur   *cursor
	slice arrow.RecordBatch
}

func (c *cursorRows) Schema() *arrow.Schema               { return c.cur.schema }
func (c *cursorRows) Columns() []wire.Column              { return c.cur.cols }
func (c *cursorRows) Tag() string                         { return "FETCH" }
func (c *cursorRows) ParameterChanges() map[string]string { return nil }
func (c *cursorRows) Notices() []string                   { return nil }
func (c *cursorRows) CopyOut() *wire.CopyOptions          { return nil }
func (c *cursorRows) BinaryRows() bool                    { return c.cur.binary }

func (c *cursorRows) releaseSlice() {
	if c.slice != nil {
		c.slice.Release()
		c.slice = nil
	}
}

func (c *cursorRows) Close() error {
	c.releaseSlice()
	return nil
}

// fetchResult streams up to left rows of a cursor.
type fetchResult struct {
	cursorRows
	left int64
	err  error
}

func (f *fetchResult) Err() error { return f.err }

func (f *fetchResult) Next() arrow.RecordBatch {
	f.releaseSlice()
	if f.left <= 0 || f.err != nil {
		return nil
	}
	b, err := f.cur.next()
	if err != nil {
		f.err = err
		return nil
	}
	if b == nil {
		return nil
	}
	k := min(f.left, b.NumRows()-f.cur.row)
	f.slice = b.NewSlice(f.cur.row, f.cur.row+k)
	f.cur.row += k
	f.left -= k
	return f.slice
}

// DescribeCursor answers a protocol-level Describe of a portal named like
// an open SQL cursor (wire.CursorSession).
func (s *session) DescribeCursor(name string) ([]wire.Column, bool, bool) {
	cur, ok := s.cursors[name]
	if !ok {
		return nil, false, false
	}
	return cur.cols, cur.binary, true
}
