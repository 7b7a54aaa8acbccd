package engine

import (
	"context"
	"sync/atomic"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	bindings "github.com/duckdb/duckdb-go-bindings"

	"github.com/keboola/agnes/pgerr"
)

// resultReader is the RecordReader Query returns. Each Next asks DuckDB for
// one more chunk of a streaming result and converts it to an Arrow record
// batch, so at most one chunk per result is held in Go and DuckDB keeps
// only a small buffer ahead of it (streaming_buffer_size, about 1 MB). The
// batch is released by the following Next or by Release.
//
// DuckDB closes a streaming result when its connection prepares or runs
// another statement, which the Conn avoids by running that statement on
// another of its DuckDB connections while it can (see Conn). When it
// cannot, it calls detach first, which reads ahead up to detachBudget
// bytes: a small result read in parts (a portal fetched n rows at a time)
// survives whole, a longer one delivers those rows and then fails with
// 55000.
//
// The reader holds a reference on the sandbox and keeps its DuckDB
// connection open, so that a result still being streamed survives its
// Conn's Close and the pool replacing the sandbox. Next runs under the
// Conn's mutex: DuckDB computes the chunk on the connection.
type resultReader struct {
	conn    *Conn
	dc      *duckConn // the DuckDB connection the result streams on
	sandbox *Sandbox
	ctx     context.Context // guarded by conn.mu (SetStreamContext)
	res     *bindings.Result
	schema  *arrow.Schema

	refs atomic.Int64

	// Guarded by conn.mu.
	cur      arrow.RecordBatch
	queue    []arrow.RecordBatch // fetched ahead (by Query, by detach), handed out first
	err      error               // already a *pgerr.Error
	tailErr  error               // the error to report once queue is read
	done     bool                // DuckDB returned the last chunk
	released bool
}

// detachBudget is how much of a streaming result detach reads ahead.
const detachBudget = 4 << 20

// Why a result ends before it was read to its end.
var (
	errResultSuperseded = pgerr.New(pgerr.ObjectNotInPrerequisiteState,
		"the result was closed because another statement ran in the same session before it was read to the end").
		WithHint("DDL, DML and transaction control, and every statement of a session that created temporary objects, end a result still being read in the same session.")
	errTooManyResults = pgerr.New(pgerr.ObjectNotInPrerequisiteState,
		"the result was closed because another statement ran in the same session before it was read to the end").
		WithHint("A session can read at most %d results at once; close the cursors and portals it no longer reads.", maxExtraConns+1)
)

// newResultReader wraps res, a result of dc, and fetches its first chunk,
// so that errors raised before the first row are Query's. The caller holds
// c.mu; the reader owns res from here on.
func (c *Conn) newResultReader(ctx context.Context, dc *duckConn, res *bindings.Result) (*resultReader, error) {
	n := int(bindings.ColumnCount(res))
	names := make([]string, n)
	types := make([]bindings.LogicalType, n)
	for i := range n {
		names[i] = bindings.ColumnName(res, bindings.IdxT(i))
		types[i] = bindings.ColumnLogicalType(res, bindings.IdxT(i))
	}
	schema, ed := bindings.NewArrowSchema(dc.arrow, types, names)
	for i := range types {
		bindings.DestroyLogicalType(&types[i])
	}
	if err := errorDataError(ed); err != nil {
		bindings.DestroyResult(res)
		return nil, c.translate(err)
	}
	r := &resultReader{conn: c, dc: dc, sandbox: c.sandbox, ctx: ctx, res: res, schema: schema}
	first, err := r.fetch()
	if err != nil {
		bindings.DestroyResult(res)
		return nil, err
	}
	if first != nil {
		r.queue = append(r.queue, first)
	}
	r.refs.Store(1)
	dc.streams++
	c.sandbox.retain()
	// A materialised result (DDL, DML) does not depend on the connection.
	if !r.done && bindings.ResultIsStreaming(*res) {
		dc.active = r
	}
	return r, nil
}

// detach prepares the reader for DuckDB closing its result: it reads ahead
// up to detachBudget bytes and, if the result goes on beyond them, makes
// the reader fail with reason after them. The caller holds conn.mu.
func (r *resultReader) detach(reason error) {
	var size int64
	for _, rec := range r.queue {
		size += batchBytes(rec)
	}
	for !r.done && size < detachBudget {
		rec, err := r.fetch()
		if err != nil {
			r.tailErr = err
			return
		}
		if rec == nil {
			return
		}
		r.queue = append(r.queue, rec)
		size += batchBytes(rec)
	}
	if !r.done {
		r.tailErr = reason
	}
}

// fetch converts the next chunk; nil at the end. The caller holds conn.mu.
func (r *resultReader) fetch() (arrow.RecordBatch, error) {
	c, dc := r.conn, r.dc
	stop := dc.interruptOn(r.ctx)
	chunk := bindings.FetchChunk(*r.res)
	stop()
	if chunk.Ptr == nil || bindings.DataChunkGetSize(chunk) == 0 {
		if chunk.Ptr != nil {
			bindings.DestroyDataChunk(&chunk)
		}
		r.done = true
		if dc.active == r {
			dc.active = nil
		}
		if bindings.ResultError(r.res) == "" {
			return nil, nil
		}
		if err := r.ctx.Err(); err != nil {
			return nil, TranslateError(err) // DuckDB's error is the interrupt
		}
		return nil, c.translate(resultError(r.res))
	}
	defer bindings.DestroyDataChunk(&chunk)
	rec, ed := bindings.DataChunkToArrowArray(dc.arrow, r.schema, chunk)
	if err := errorDataError(ed); err != nil {
		return nil, c.translate(err)
	}
	return rec, nil
}

func (r *resultReader) Schema() *arrow.Schema { return r.schema }

func (r *resultReader) Next() bool {
	c := r.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	if r.cur != nil {
		r.cur.Release()
		r.cur = nil
	}
	switch {
	case r.released || r.err != nil:
		return false
	case len(r.queue) > 0:
		r.cur = r.queue[0]
		r.queue[0] = nil
		r.queue = r.queue[1:]
		return true
	case r.tailErr != nil:
		r.err = r.tailErr
		return false
	case r.done:
		return false
	}
	if err := r.ctx.Err(); err != nil {
		r.err = TranslateError(err)
		return false
	}
	rec, err := r.fetch()
	if err != nil {
		r.err = err
		return false
	}
	r.cur = rec
	return rec != nil
}

// RecordBatch returns the current batch, valid until the next Next or
// Release.
func (r *resultReader) RecordBatch() arrow.RecordBatch {
	c := r.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	return r.cur
}

// Record is RecordBatch under its deprecated name.
func (r *resultReader) Record() arrow.RecordBatch { return r.RecordBatch() }

// Err returns the stream's error as a *pgerr.Error (57014 when the query's
// context was cancelled while streaming).
func (r *resultReader) Err() error {
	c := r.conn
	c.mu.Lock()
	defer c.mu.Unlock()
	return r.err
}

func (r *resultReader) Retain() { r.refs.Add(1) }

// Release drops a reference; the last one frees the DuckDB result, closes
// the DuckDB connection if its Conn was closed meanwhile (or keeps enough
// idle ones), and releases the sandbox.
func (r *resultReader) Release() {
	if r.refs.Add(-1) != 0 {
		return
	}
	c := r.conn
	c.mu.Lock()
	if r.cur != nil {
		r.cur.Release()
	}
	for _, rec := range r.queue {
		rec.Release()
	}
	r.cur, r.queue = nil, nil
	r.released = true
	bindings.DestroyResult(r.res)
	dc := r.dc
	if dc.active == r {
		dc.active = nil
	}
	dc.streams--
	if dc.streams == 0 {
		c.released(dc)
	}
	c.mu.Unlock()
	r.sandbox.release()
}

// batchBytes is the size of a batch's buffers.
func batchBytes(rec arrow.RecordBatch) int64 {
	var n int64
	for _, col := range rec.Columns() {
		n += dataBytes(col.Data())
	}
	return n
}

func dataBytes(d arrow.ArrayData) int64 {
	var n int64
	for _, b := range d.Buffers() {
		if b != nil {
			n += int64(b.Len())
		}
	}
	for _, child := range d.Children() {
		n += dataBytes(child)
	}
	return n
}

// SetStreamContext makes ctx govern the following Next calls of a result
// Query returned, in place of the context it was queried with: a cursor
// reads one result across several client statements, each with its own
// context (cancel request, statement_timeout). It reports false for a
// reader that Query did not return.
func SetStreamContext(rr array.RecordReader, ctx context.Context) bool {
	r, ok := rr.(*resultReader)
	if !ok {
		return false
	}
	r.conn.mu.Lock()
	r.ctx = ctx
	r.conn.mu.Unlock()
	return true
}
