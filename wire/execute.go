package wire

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/keboola/agnes/pgerr"
)

// Running a portal and streaming its Result: shared by the simple and the
// extended protocol. Rows go from Arrow batches straight into DataRow
// bytes in the connection's write buffer, which is written out whenever it
// passes flushThreshold and before waiting for the next batch, so memory
// per connection stays bounded whatever the result size.

// encodeOptions returns the session settings for value output.
func (c *conn) encodeOptions() *encodeOptions {
	name := "UTC"
	if v, ok := c.sess.Parameter("TimeZone"); ok && v != "" {
		name = v
	}
	if c.zone == nil || name != c.zoneName {
		loc, err := loadZone(name)
		if err != nil {
			c.log.Warn("unknown TimeZone; printing timestamptz in UTC", "timezone", name, "err", err)
			loc = time.UTC
		}
		c.zone, c.zoneName = newZoneCache(loc), name
	}
	return &encodeOptions{zone: c.zone}
}

// loadZone resolves a TimeZone setting: IANA names, UTC and its aliases.
func loadZone(name string) (*time.Location, error) {
	switch strings.ToUpper(name) {
	case "UTC", "GMT", "Z", "ZULU", "UCT", "ETC/UTC", "ETC/GMT", "UNIVERSAL":
		return time.UTC, nil
	}
	return time.LoadLocation(name)
}

// commandTag completes a Result's tag with the row count where PostgreSQL
// reports one.
func commandTag(tag string, rows int64) string {
	switch tag {
	case "SELECT", "FETCH", "COPY":
		return tag + " " + strconv.FormatInt(rows, 10)
	}
	return tag
}

// runPortal executes p, or resumes it after PortalSuspended, and sends its
// output: up to maxRows rows (0: all), then PortalSuspended or
// CommandComplete. describe sends RowDescription first (simple protocol).
// It returns false after an error, which it has reported.
func (c *conn) runPortal(p *portal, maxRows int64, describe bool) bool {
	if p.done {
		c.send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(p.tag, 0))})
		return true
	}
	c.beginRun(p.cancel)
	defer c.endRun()

	txBefore := c.sess.TxStatus()
	if p.res == nil {
		res, err := p.stmt.Execute(p.ctx, p.args)
		if err != nil {
			c.reportError(p.ctx, err)
			return false
		}
		p.res = res
		p.tag = res.Tag()
		if co := res.CopyOut(); co != nil {
			n, err := c.copyOut(p, co)
			if err != nil {
				c.reportError(p.ctx, err)
				return false
			}
			c.finishResult(p, n, "COPY")
			c.afterStatement(p, txBefore)
			return true
		}
		if schema := res.Schema(); schema != nil {
			shape := p.shape
			if shape == nil {
				shape = shapeFromResult(res)
			}
			formats := p.formats
			if len(formats) != len(shape.types) {
				// the description had no columns: apply Bind's codes now
				var err error
				if formats, err = resultFormats(p.codes, len(shape.types)); err != nil {
					c.reportError(p.ctx, err)
					return false
				}
			}
			if b, ok := res.(BinaryResult); ok && p.ps == nil && b.BinaryRows() {
				// FETCH from a BINARY cursor in a simple Query; in the
				// extended protocol Bind's format codes decide, as in
				// PostgreSQL.
				formats = allBinary(len(shape.types))
			}
			enc, err := newRowEncoder(schema, shape, formats, c.encodeOptions())
			if err != nil {
				c.reportError(p.ctx, err)
				return false
			}
			p.enc = enc
			if describe {
				c.send(shape.rowDescription(formats))
			}
			if p.tag == "" {
				p.tag = "SELECT"
			}
		}
	}

	var sent int64
	if p.enc != nil {
		var suspended bool
		var err error
		sent, suspended, err = c.streamRows(p, maxRows)
		if err != nil {
			c.reportError(p.ctx, err)
			return false
		}
		if suspended {
			c.send(&pgproto3.PortalSuspended{})
			return true
		}
	} else if err := p.res.Err(); err != nil {
		c.reportError(p.ctx, err)
		return false
	}
	c.finishResult(p, sent, p.tag)
	c.afterStatement(p, txBefore)
	return true
}

// finishResult sends the notices, CommandComplete and changed parameters
// of a completed result and releases it.
func (c *conn) finishResult(p *portal, rows int64, tag string) {
	res := p.res
	for _, n := range res.Notices() {
		c.send(noticeResponse(n))
	}
	c.send(&pgproto3.CommandComplete{CommandTag: []byte(commandTag(tag, rows))})
	if changes := res.ParameterChanges(); len(changes) > 0 {
		names := make([]string, 0, len(changes))
		for k := range changes {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			c.send(&pgproto3.ParameterStatus{Name: k, Value: changes[k]})
		}
	}
	p.tag = tag
	p.done = true
	_ = res.Close()
	p.res, p.batch, p.enc = nil, nil, nil
}

// afterStatement closes the other portals when the statement ended a
// transaction block (COMMIT, ROLLBACK).
func (c *conn) afterStatement(p *portal, txBefore byte) {
	if txBefore != 'I' && c.sess.TxStatus() == 'I' {
		c.closePortals(p)
	}
}

// noticeResponse turns a Result notice into a NoticeResponse; a
// "WARNING: " prefix makes it a warning.
func noticeResponse(msg string) *pgproto3.NoticeResponse {
	sev, code := "NOTICE", pgerr.SuccessfulCompletion
	if rest, ok := strings.CutPrefix(msg, "WARNING: "); ok {
		sev, code, msg = "WARNING", pgerr.Warning, rest
	}
	return &pgproto3.NoticeResponse{Severity: sev, SeverityUnlocalized: sev, Code: code, Message: msg}
}

// flushDelay is how long encoded rows may wait in the buffer while the
// next batch is being produced.
const flushDelay = time.Millisecond

// nextBatch fetches the next batch of res. When rows are waiting in the
// output buffer (pending) and fetching takes longer than flushDelay, they
// are written meanwhile, so a client never waits for rows the server
// already has; fast fetches (the common case with DuckDB) cost no write,
// which keeps a one-row result to a single write.
func (c *conn) nextBatch(res Result, pending bool) arrow.RecordBatch {
	if !pending {
		return res.Next()
	}
	c.flushMu.Lock()
	c.flushArmed = true
	c.flushMu.Unlock()
	if c.flushTimer == nil {
		c.flushTimer = time.AfterFunc(flushDelay, c.delayedFlush)
	} else {
		c.flushTimer.Reset(flushDelay)
	}
	batch := res.Next()
	c.flushTimer.Stop()
	c.flushMu.Lock()
	c.flushArmed = false
	c.flushMu.Unlock()
	return batch
}

// delayedFlush runs on the flush timer while the connection goroutine is
// blocked in Result.Next; flushMu hands the output buffer over.
func (c *conn) delayedFlush() {
	c.flushMu.Lock()
	defer c.flushMu.Unlock()
	if c.flushArmed {
		c.flushArmed = false
		_ = c.flush()
	}
}

// streamRows sends DataRows from the portal's result until it ends
// (suspended false), maxRows rows were sent (suspended true), or an error.
func (c *conn) streamRows(p *portal, maxRows int64) (sent int64, suspended bool, err error) {
	pending := false // DataRows written to the buffer since the last flush
	for {
		if p.batch == nil || p.row >= p.batchRows {
			if maxRows > 0 && sent >= maxRows {
				return sent, true, nil
			}
			p.batch = c.nextBatch(p.res, pending)
			pending = false
			if c.writeErr != nil {
				return sent, false, c.writeErr
			}
			p.row = 0
			if p.batch == nil {
				return sent, false, p.res.Err()
			}
			p.batchRows = int(p.batch.NumRows())
			p.enc.bind(p.batch)
			continue
		}
		for p.row < p.batchRows {
			if maxRows > 0 && sent >= maxRows {
				return sent, true, nil
			}
			c.wbuf, err = p.enc.appendRow(c.wbuf, p.row)
			if err != nil {
				return sent, false, err
			}
			p.row++
			sent++
			pending = true
			if len(c.wbuf) >= flushThreshold {
				if err := c.flush(); err != nil {
					return sent, false, err
				}
				pending = false
			}
		}
	}
}
