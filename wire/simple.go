package wire

import (
	"context"

	"github.com/jackc/pgx/v5/pgproto3"
)

// The simple query protocol: one Query message holds any number of
// statements. The Session splits and plans them; each runs in turn with
// its own RowDescription, DataRows and CommandComplete, and statement
// timeout; the first error ends the message. Empty or comment-only input
// answers EmptyQueryResponse. ReadyForQuery closes every Query message.

// simpleQuery serves one Query message. It reports whether the connection
// may continue.
func (c *conn) simpleQuery(q string) bool {
	// like PostgreSQL, a Query message drops the unnamed statement and portal
	delete(c.stmts, "")
	if p := c.portals[""]; p != nil {
		p.close()
		delete(c.portals, "")
	}
	defer func() {
		if c.sess.TxStatus() == 'I' {
			c.closePortals(nil)
		}
		if !c.fatalSent {
			c.readyForQuery()
		}
	}()
	if pe := checkString(q); pe != nil {
		c.reportError(context.Background(), pe)
		return true
	}

	ctx, cancel := context.WithCancelCause(c.ctx)
	c.beginRun(cancel)
	stmts, err := c.sess.Prepare(ctx, q, nil)
	c.endRun()
	if err != nil {
		c.reportError(ctx, err)
		cancel(nil)
		return !c.fatalSent
	}
	cancel(nil)
	if len(stmts) == 0 {
		c.send(&pgproto3.EmptyQueryResponse{})
		return true
	}
	for _, st := range stmts {
		p := c.newPortal("", nil, st, nil, nil, nil)
		ok := c.runPortal(p, 0, true)
		p.close()
		if !ok || c.fatalSent || c.writeErr != nil {
			break
		}
	}
	return !c.fatalSent && c.writeErr == nil
}
