package engine

import (
	"context"

	bindings "github.com/duckdb/duckdb-go-bindings"
)

// duckConn is one DuckDB connection of a Conn: the primary, which holds the
// session's TEMP objects and DuckDB transaction, or an extra one that runs a
// query while the others stream results. DuckDB streams one result per
// connection, so a duckConn is either free or streaming exactly one result
// (active). Its fields are guarded by the Conn's mutex.
type duckConn struct {
	db      *database
	handle  bindings.Connection
	arrow   bindings.ArrowOptions // the connection's Arrow export settings (arrow_lossless_conversion …)
	primary bool
	active  *resultReader // the result DuckDB is streaming on handle, if any
	streams int           // results of this connection not yet released; they keep handle connected
	cache   stmtCache     // statements Describe, Query and Exec prepared here, by SQL text
	synced  uint64        // the last session setting (sessionSettings seq) run on handle
	retired bool          // no new statements: disconnected once streams is 0
}

// newDuckConn wraps a connection db.connect opened.
func newDuckConn(db *database, handle bindings.Connection, primary bool) *duckConn {
	dc := &duckConn{db: db, handle: handle, primary: primary}
	bindings.ConnectionGetArrowOptions(handle, &dc.arrow)
	dc.cache.init(stmtCacheSize)
	return dc
}

// free reports whether a statement can run on dc without ending a result.
func (dc *duckConn) free() bool { return dc.active == nil }

// idle reports whether dc holds no result at all, so it can be disconnected.
func (dc *duckConn) idle() bool { return dc.active == nil && dc.streams == 0 }

// endStream detaches the result DuckDB is streaming, if any: DuckDB closes
// it as soon as the connection prepares or runs anything else. Rows beyond
// what detach reads ahead fail with reason.
func (dc *duckConn) endStream(reason error) {
	if r := dc.active; r != nil {
		r.detach(reason)
		dc.active = nil
	}
}

// disconnect closes the DuckDB connection; nothing of it may be used after.
func (dc *duckConn) disconnect() {
	dc.cache.clear()
	bindings.DestroyArrowOptions(&dc.arrow)
	dc.db.disconnect(&dc.handle)
}

// noInterrupt is interruptOn's stop for contexts that cannot be cancelled.
func noInterrupt() {}

// interruptOn interrupts the DuckDB connection if ctx ends before stop is
// called. stop waits for an interrupt already under way, so that it cannot
// hit the connection's next statement.
func (dc *duckConn) interruptOn(ctx context.Context) (stop func()) {
	if ctx.Done() == nil {
		return noInterrupt
	}
	handle := dc.handle
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
