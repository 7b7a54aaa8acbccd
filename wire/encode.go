package wire

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/keboola/agnes/pgerr"
)

// Format codes of the extended protocol.
const (
	formatText   int16 = 0
	formatBinary int16 = 1
)

// resultShape is what RowDescription says about a result: column names and
// PostgreSQL types. The encoder sends every value in exactly these types.
type resultShape struct {
	names   []string
	types   []colType
	origins []Origin // nil when unknown
}

// shapeFromColumns is the shape of described columns.
func shapeFromColumns(cols []Column) *resultShape {
	s := &resultShape{names: make([]string, len(cols)), types: make([]colType, len(cols))}
	for i, c := range cols {
		s.names[i] = c.Name
		s.types[i] = columnType(c)
		if c.Origin != (Origin{}) {
			if s.origins == nil {
				s.origins = make([]Origin, len(cols))
			}
			s.origins[i] = c.Origin
		}
	}
	return s
}

// shapeFromResult is the shape of an executed result: its own Columns when
// the Backend gives them, else derived from the Arrow schema.
func shapeFromResult(res Result) *resultShape {
	if cols := res.Columns(); cols != nil {
		return shapeFromColumns(cols)
	}
	schema := res.Schema()
	if schema == nil {
		return nil
	}
	s := &resultShape{names: make([]string, schema.NumFields()), types: make([]colType, schema.NumFields())}
	for i, f := range schema.Fields() {
		s.names[i] = f.Name
		s.types[i] = pgTypeOfArrow(f)
	}
	if or, ok := res.(OriginResult); ok {
		if o := or.Origins(); len(o) == len(s.names) {
			s.origins = o
		}
	}
	return s
}

// rowDescription builds the RowDescription message for a shape.
func (s *resultShape) rowDescription(formats []int16) *pgproto3.RowDescription {
	rd := &pgproto3.RowDescription{Fields: make([]pgproto3.FieldDescription, len(s.names))}
	for i := range s.names {
		f := formatText
		if i < len(formats) {
			f = formats[i]
		}
		rd.Fields[i] = pgproto3.FieldDescription{
			Name:         []byte(s.names[i]),
			DataTypeOID:  s.types[i].oid,
			DataTypeSize: typlen(s.types[i].oid),
			TypeModifier: s.types[i].typmod,
			Format:       f,
		}
		if s.origins != nil {
			rd.Fields[i].TableOID = s.origins[i].TableOID
			rd.Fields[i].TableAttributeNumber = uint16(s.origins[i].AttNum)
		}
	}
	return rd
}

// resultFormats expands Bind's result format codes to one per column.
func resultFormats(codes []int16, n int) ([]int16, error) {
	out := make([]int16, n)
	switch len(codes) {
	case 0:
	case 1:
		for i := range out {
			out[i] = codes[0]
		}
	case n:
		copy(out, codes)
	default:
		return nil, pgerr.New(pgerr.ProtocolViolation,
			"bind message has %d result formats but query has %d columns", len(codes), n)
	}
	for _, f := range out {
		if f != formatText && f != formatBinary {
			return nil, pgerr.New(pgerr.InvalidParameterValue, "unsupported format code: %d", f)
		}
	}
	return out, nil
}

// rowEncoder turns Arrow record batches into DataRow messages.
type rowEncoder struct {
	cols   []column
	binary []bool
}

// newRowEncoder prepares the encoders for a result schema sent as shape
// with the given per-column formats.
func newRowEncoder(schema *arrow.Schema, shape *resultShape, formats []int16, opts *encodeOptions) (*rowEncoder, error) {
	if schema.NumFields() != len(shape.types) {
		return nil, pgerr.New(pgerr.InternalError,
			"result has %d columns but its description has %d", schema.NumFields(), len(shape.types))
	}
	e := &rowEncoder{cols: make([]column, len(shape.types)), binary: make([]bool, len(shape.types))}
	for i, f := range schema.Fields() {
		e.cols[i] = newColumn(f, shape.types[i], opts)
		if i < len(formats) && formats[i] == formatBinary {
			if !e.cols[i].canBinary() {
				return nil, pgerr.New(pgerr.FeatureNotSupported,
					"binary output is not supported for column %q of type %s", shape.names[i], typeName(shape.types[i].oid))
			}
			e.binary[i] = true
		}
	}
	return e, nil
}

// bind points the encoders at a new batch.
func (e *rowEncoder) bind(rec arrow.RecordBatch) {
	for i, c := range e.cols {
		c.bind(rec.Column(i))
	}
}

// appendRow appends the DataRow message of one row. On error dst is
// returned unchanged.
func (e *rowEncoder) appendRow(dst []byte, row int) ([]byte, error) {
	start := len(dst)
	n := len(e.cols)
	dst = append(dst, 'D', 0, 0, 0, 0, byte(n>>8), byte(n))
	for i, c := range e.cols {
		if c.isNull(row) {
			dst = append(dst, 0xff, 0xff, 0xff, 0xff)
			continue
		}
		p := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		if e.binary[i] {
			var err error
			if dst, err = c.appendBinary(dst, row); err != nil {
				return dst[:start], err
			}
		} else {
			dst = c.appendText(dst, row)
		}
		binary.BigEndian.PutUint32(dst[p:], uint32(len(dst)-p-4))
	}
	if len(dst)-start-1 > math.MaxInt32 {
		return dst[:start], pgerr.New(pgerr.ProgramLimitExceeded, "row is too large to send")
	}
	binary.BigEndian.PutUint32(dst[start+1:], uint32(len(dst)-start-1))
	return dst, nil
}

// allBinary is n binary result format codes (a BINARY cursor's rows).
func allBinary(n int) []int16 {
	out := make([]int16, n)
	for i := range out {
		out[i] = formatBinary
	}
	return out
}
