package wire

import (
	"encoding/binary"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/keboola/agnes/pgerr"
)

// COPY (SELECT …) TO STDOUT: when a Result asks for COPY output, its rows
// are sent as CopyOutResponse, one CopyData per row in PostgreSQL's text or
// CSV format (values in their text output form), CopyDone, and
// CommandComplete "COPY n".

// copyFormat is a validated CopyOptions.
type copyFormat struct {
	csv        bool
	delim      byte
	null       string
	header     bool
	quote      byte
	escape     byte
	forceQuote []bool // per column
}

func newCopyFormat(o *CopyOptions, names []string) (*copyFormat, error) {
	f := &copyFormat{}
	switch strings.ToLower(o.Format) {
	case "", "text":
		f.delim, f.null = '\t', `\N`
	case "csv":
		f.csv, f.delim, f.null, f.quote = true, ',', "", '"'
	default:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "COPY format %q is not supported", o.Format)
	}
	oneByte := func(opt, v string) (byte, error) {
		if len(v) != 1 {
			return 0, pgerr.New(pgerr.FeatureNotSupported, "COPY %s must be a single one-byte character", opt)
		}
		return v[0], nil
	}
	var err error
	if o.Delimiter != "" {
		if f.delim, err = oneByte("delimiter", o.Delimiter); err != nil {
			return nil, err
		}
	}
	if o.Null != "" {
		f.null = o.Null
	}
	f.header = o.Header
	if f.csv {
		if o.Quote != "" {
			if f.quote, err = oneByte("quote", o.Quote); err != nil {
				return nil, err
			}
		}
		f.escape = f.quote
		if o.Escape != "" {
			if f.escape, err = oneByte("escape", o.Escape); err != nil {
				return nil, err
			}
		}
		f.forceQuote = make([]bool, len(names))
		for _, fq := range o.ForceQuote {
			for i, n := range names {
				if fq == "*" || fq == n {
					f.forceQuote[i] = true
				}
			}
		}
	}
	return f, nil
}

// appendText appends a value escaped for COPY text format.
func (f *copyFormat) appendText(dst, v []byte) []byte {
	for _, c := range v {
		switch c {
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\v':
			dst = append(dst, '\\', 'v')
		default:
			if c == f.delim {
				dst = append(dst, '\\')
			}
			dst = append(dst, c)
		}
	}
	return dst
}

// appendCSV appends a value quoted as PostgreSQL's CSV output does.
func (f *copyFormat) appendCSV(dst, v []byte, force, single bool) []byte {
	quote := force || string(v) == f.null || (single && string(v) == `\.`)
	if !quote {
		for _, c := range v {
			if c == f.delim || c == f.quote || c == '\n' || c == '\r' {
				quote = true
				break
			}
		}
	}
	if !quote {
		return append(dst, v...)
	}
	dst = append(dst, f.quote)
	for _, c := range v {
		if c == f.quote || c == f.escape {
			dst = append(dst, f.escape)
		}
		dst = append(dst, c)
	}
	return append(dst, f.quote)
}

func (f *copyFormat) appendValue(dst, v []byte, col, ncols int) []byte {
	if f.csv {
		return f.appendCSV(dst, v, f.forceQuote[col], ncols == 1)
	}
	return f.appendText(dst, v)
}

// copyOut streams the portal's result as COPY data and returns the row count.
func (c *conn) copyOut(p *portal, o *CopyOptions) (int64, error) {
	res := p.res
	schema := res.Schema()
	if schema == nil {
		return 0, pgerr.New(pgerr.InternalError, "COPY result has no columns")
	}
	shape := shapeFromResult(res)
	f, err := newCopyFormat(o, shape.names)
	if err != nil {
		return 0, err
	}
	opts := c.encodeOptions()
	n := schema.NumFields()
	cols := make([]column, n)
	for i, fd := range schema.Fields() {
		cols[i] = newColumn(fd, shape.types[i], opts)
	}
	c.send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, n)})

	var scratch []byte
	startRow := func() int {
		start := len(c.wbuf)
		c.wbuf = append(c.wbuf, 'd', 0, 0, 0, 0)
		return start
	}
	endRow := func(start int) {
		c.wbuf = append(c.wbuf, '\n')
		binary.BigEndian.PutUint32(c.wbuf[start+1:], uint32(len(c.wbuf)-start-1))
	}
	if f.header {
		start := startRow()
		for i, name := range shape.names {
			if i > 0 {
				c.wbuf = append(c.wbuf, f.delim)
			}
			if f.csv {
				c.wbuf = f.appendCSV(c.wbuf, []byte(name), false, n == 1)
			} else {
				c.wbuf = f.appendText(c.wbuf, []byte(name))
			}
		}
		endRow(start)
	}
	var rows int64
	pending := false
	for {
		batch := c.nextBatch(res, pending)
		pending = false
		if c.writeErr != nil {
			return rows, c.writeErr
		}
		if batch == nil {
			if err := res.Err(); err != nil {
				return rows, err
			}
			break
		}
		for i, col := range cols {
			col.bind(batch.Column(i))
		}
		nr := int(batch.NumRows())
		for r := 0; r < nr; r++ {
			start := startRow()
			for i, col := range cols {
				if i > 0 {
					c.wbuf = append(c.wbuf, f.delim)
				}
				if col.isNull(r) {
					c.wbuf = append(c.wbuf, f.null...)
					continue
				}
				scratch = col.appendText(scratch[:0], r)
				c.wbuf = f.appendValue(c.wbuf, scratch, i, n)
			}
			endRow(start)
			rows++
			pending = true
			if len(c.wbuf) >= flushThreshold {
				if err := c.flush(); err != nil {
					return rows, err
				}
				pending = false
			}
		}
	}
	c.send(&pgproto3.CopyDone{})
	return rows, nil
}
