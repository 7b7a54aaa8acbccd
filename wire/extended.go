package wire

import (
	"context"
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/keboola/agnes/pgerr"
)

// The extended query protocol: Parse creates a prepared statement, Bind a
// portal (statement + decoded parameters + result formats), Describe
// reports types without executing, Execute runs a portal (possibly a
// limited number of rows at a time, answering PortalSuspended), Sync ends
// the message sequence with ReadyForQuery. After an error every message up
// to Sync is skipped. At Sync outside a transaction block ('I') all
// portals are closed (the implicit transaction ended); inside one they
// survive, which cursors over the extended protocol (pgjdbc setFetchSize)
// rely on. Ending a transaction block (COMMIT, ROLLBACK) closes them too.

// preparedStatement is a parsed statement of the session.
type preparedStatement struct {
	name      string
	query     string
	stmt      Statement // nil for an empty query
	paramOIDs []uint32  // declared by the client in Parse
	desc      *Description
}

// portal is a bound statement ready to execute, and once executed the
// state of its streaming result.
type portal struct {
	name    string
	ps      *preparedStatement
	stmt    Statement
	args    []any
	formats []int16      // result format per column
	codes   []int16      // result format codes as Bind sent them
	shape   *resultShape // from the statement's description; nil: derive from result

	ctx    context.Context // lives as long as the portal, so a suspended result stays valid
	cancel context.CancelCauseFunc

	res       Result
	enc       *rowEncoder
	batch     arrow.RecordBatch
	batchRows int
	row       int
	tag       string
	done      bool
}

func (c *conn) newPortal(name string, ps *preparedStatement, stmt Statement, args []any, formats []int16, shape *resultShape) *portal {
	ctx, cancel := context.WithCancelCause(c.ctx)
	return &portal{name: name, ps: ps, stmt: stmt, args: args, formats: formats, shape: shape, ctx: ctx, cancel: cancel}
}

// close stops the portal's statement and releases its result.
func (p *portal) close() {
	p.cancel(errPortalClosed)
	p.release()
}

// release releases the portal's result without cancelling its context.
func (p *portal) release() {
	if p.res != nil {
		_ = p.res.Close()
		p.res = nil
	}
	p.batch = nil
	p.enc = nil
}

// closePortals closes every portal except keep.
func (c *conn) closePortals(keep *portal) {
	for name, p := range c.portals {
		if p != keep {
			p.close()
			delete(c.portals, name)
		}
	}
}

// extendedError reports err and skips messages until Sync. The error is
// written at once, as PostgreSQL does: a client that sent Parse, Describe
// and Flush waits for the answer before it sends Bind or Sync (postgres.js
// with parameters), and a Flush skipped until Sync would leave it waiting.
func (c *conn) extendedError(ctx context.Context, err error) {
	c.reportError(ctx, err)
	c.skipToSync = true
	_ = c.flush()
}

// describeStatement returns (and caches) the statement's description.
func (c *conn) describeStatement(ps *preparedStatement) (*Description, error) {
	if ps.desc != nil {
		return ps.desc, nil
	}
	if ps.stmt == nil {
		ps.desc = &Description{}
		return ps.desc, nil
	}
	ctx, cancel := context.WithCancelCause(c.ctx)
	defer cancel(nil)
	c.beginRun(cancel)
	d, err := ps.stmt.Describe(ctx)
	c.endRun()
	if err != nil {
		return nil, c.withCause(ctx, err)
	}
	if d == nil {
		d = &Description{}
	}
	ps.desc = d
	return d, nil
}

// withCause turns a context cancellation during a call into the error it
// stands for (57014 …), keeping other errors.
func (c *conn) withCause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return c.pgError(ctx, err)
	}
	return err
}

// paramTypes are the OIDs of the statement's parameters: declared in
// Parse, else described.
func paramTypes(ps *preparedStatement, d *Description) []uint32 {
	n := max(paramCount(d), len(ps.paramOIDs))
	oids := make([]uint32, n)
	for i := range oids {
		if i < len(ps.paramOIDs) && ps.paramOIDs[i] != 0 {
			oids[i] = ps.paramOIDs[i]
		} else {
			oids[i] = paramOID(d, i)
		}
	}
	return oids
}

func (c *conn) handleParse(m *pgproto3.Parse) {
	if m.Name != "" {
		if _, exists := c.stmts[m.Name]; exists {
			c.extendedError(context.Background(), pgerr.New(pgerr.DuplicatePreparedStatement, "prepared statement %q already exists", m.Name))
			return
		}
	}
	if pe := checkString(m.Query); pe != nil {
		c.extendedError(context.Background(), pe)
		return
	}
	ctx, cancel := context.WithCancelCause(c.ctx)
	defer cancel(nil)
	c.beginRun(cancel)
	stmts, err := c.sess.Prepare(ctx, m.Query, slices.Clone(m.ParameterOIDs))
	c.endRun()
	if err != nil {
		c.extendedError(ctx, err)
		return
	}
	if len(stmts) > 1 {
		c.extendedError(context.Background(), pgerr.New(pgerr.SyntaxError, "cannot insert multiple commands into a prepared statement"))
		return
	}
	ps := &preparedStatement{name: m.Name, query: m.Query, paramOIDs: slices.Clone(m.ParameterOIDs)}
	if len(stmts) == 1 {
		ps.stmt = stmts[0]
	}
	c.stmts[m.Name] = ps
	c.send(&pgproto3.ParseComplete{})
}

func statementMissing(name string) *pgerr.Error {
	if name == "" {
		return pgerr.New(pgerr.InvalidSQLStatementName, "unnamed prepared statement does not exist")
	}
	return pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", name)
}

func portalMissing(name string) *pgerr.Error {
	return pgerr.New(pgerr.InvalidCursorName, "portal %q does not exist", name)
}

func (c *conn) handleBind(m *pgproto3.Bind) {
	ps := c.stmts[m.PreparedStatement]
	if ps == nil {
		c.extendedError(context.Background(), statementMissing(m.PreparedStatement))
		return
	}
	if m.DestinationPortal != "" {
		if _, exists := c.portals[m.DestinationPortal]; exists {
			c.extendedError(context.Background(), pgerr.New(pgerr.DuplicateCursor, "portal %q already exists", m.DestinationPortal))
			return
		}
	}
	d, err := c.describeStatement(ps)
	if err != nil {
		c.extendedError(context.Background(), err)
		return
	}
	oids := paramTypes(ps, d)
	if len(m.Parameters) != len(oids) {
		c.extendedError(context.Background(), pgerr.New(pgerr.ProtocolViolation,
			"bind message supplies %d parameters, but prepared statement %q requires %d",
			len(m.Parameters), ps.name, len(oids)))
		return
	}
	args, err := decodeParams(m.Parameters, m.ParameterFormatCodes, oids)
	if err != nil {
		c.extendedError(context.Background(), err)
		return
	}
	var shape *resultShape
	if d.Columns != nil {
		shape = shapeFromColumns(d.Columns)
	}
	ncols := 0
	if shape != nil {
		ncols = len(shape.types)
	}
	formats, err := resultFormats(m.ResultFormatCodes, ncols)
	if err != nil {
		c.extendedError(context.Background(), err)
		return
	}
	if old := c.portals[m.DestinationPortal]; old != nil {
		old.close()
	}
	p := c.newPortal(m.DestinationPortal, ps, ps.stmt, args, formats, shape)
	p.codes = slices.Clone(m.ResultFormatCodes)
	c.portals[m.DestinationPortal] = p
	c.send(&pgproto3.BindComplete{})
}

func (c *conn) handleDescribe(m *pgproto3.Describe) {
	switch m.ObjectType {
	case 'S':
		ps := c.stmts[m.Name]
		if ps == nil {
			c.extendedError(context.Background(), statementMissing(m.Name))
			return
		}
		d, err := c.describeStatement(ps)
		if err != nil {
			c.extendedError(context.Background(), err)
			return
		}
		c.send(&pgproto3.ParameterDescription{ParameterOIDs: paramTypes(ps, d)})
		if d.Columns == nil {
			c.send(&pgproto3.NoData{})
			return
		}
		c.send(shapeFromColumns(d.Columns).rowDescription(nil))
	case 'P':
		p := c.portals[m.Name]
		if p == nil {
			// A cursor made by DECLARE is a portal too (psycopg 3
			// describes its server-side cursors this way).
			if cs, ok := c.sess.(CursorSession); ok {
				if cols, binary, ok := cs.DescribeCursor(m.Name); ok {
					var formats []int16
					if binary {
						formats = allBinary(len(cols))
					}
					c.send(shapeFromColumns(cols).rowDescription(formats))
					return
				}
			}
			c.extendedError(context.Background(), portalMissing(m.Name))
			return
		}
		if p.shape == nil {
			c.send(&pgproto3.NoData{})
			return
		}
		c.send(p.shape.rowDescription(p.formats))
	default:
		c.extendedError(context.Background(), pgerr.New(pgerr.ProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType))
	}
}

func (c *conn) handleExecute(m *pgproto3.Execute) {
	p := c.portals[m.Portal]
	if p == nil {
		c.extendedError(context.Background(), portalMissing(m.Portal))
		return
	}
	if p.stmt == nil {
		c.send(&pgproto3.EmptyQueryResponse{})
		return
	}
	if !c.runPortal(p, int64(m.MaxRows), false) {
		p.close()
		delete(c.portals, m.Portal)
		c.skipToSync = true
		_ = c.flush() // as extendedError: a client may wait on Flush
	}
}

func (c *conn) handleClose(m *pgproto3.Close) {
	switch m.ObjectType {
	case 'S':
		if ps := c.stmts[m.Name]; ps != nil {
			for name, p := range c.portals {
				if p.ps == ps {
					p.close()
					delete(c.portals, name)
				}
			}
			delete(c.stmts, m.Name)
		}
	case 'P':
		if p := c.portals[m.Name]; p != nil {
			p.close()
			delete(c.portals, m.Name)
		}
	default:
		c.extendedError(context.Background(), pgerr.New(pgerr.ProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType))
		return
	}
	c.send(&pgproto3.CloseComplete{})
}

func (c *conn) handleSync() {
	if c.sess.TxStatus() == 'I' {
		c.closePortals(nil)
	}
	c.readyForQuery()
}
