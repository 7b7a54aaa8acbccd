package wire

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
)

// Bind parameters become Go values for Statement.Execute, decoded by the
// parameter's type (declared in Parse, else described):
//
//	bool → bool; int2/int4/int8/oid → int64; float4/float8 → float64;
//	text, varchar, json, … → string; jsonb → string (version byte dropped);
//	bytea → []byte; date, timestamp, timestamptz → time.Time (UTC; the
//	infinities as the strings "infinity"/"-infinity"); interval →
//	duckdb.Interval; uuid → *duckdb.UUID; numeric, time, timetz, bit → their
//	PostgreSQL text (DuckDB casts it exactly); arrays (binary) → []any,
//	nested for more dimensions.
//
// Text-format values are checked for valid UTF-8 without NUL (22021);
// text of bool, integer, float and bytea parameters is parsed as
// PostgreSQL would, every other text value is passed as a string and cast
// by DuckDB.

// decodeParams decodes Bind's parameter values.
func decodeParams(values [][]byte, formats []int16, oids []uint32) ([]any, error) {
	switch len(formats) {
	case 0, 1, len(values):
	default:
		return nil, pgerr.New(pgerr.ProtocolViolation,
			"bind message has %d parameter formats but %d parameters", len(formats), len(values))
	}
	args := make([]any, len(values))
	for i, v := range values {
		if v == nil {
			continue
		}
		f := formatText
		switch len(formats) {
		case 1:
			f = formats[0]
		case len(values):
			f = formats[i]
		}
		var err error
		switch f {
		case formatText:
			args[i], err = decodeTextParam(v, oids[i])
		case formatBinary:
			args[i], err = decodeBinaryParam(v, oids[i])
			if err != nil {
				if pe, ok := pgerr.As(err); ok && pe.Code == pgerr.InvalidBinaryRepresentation {
					pe.Message = "incorrect binary data format in bind parameter " + strconv.Itoa(i+1)
				}
			}
		default:
			return nil, pgerr.New(pgerr.ProtocolViolation, "unsupported format code: %d", f)
		}
		if err != nil {
			return nil, err
		}
	}
	return args, nil
}

func invalidSyntax(typ string, v []byte) *pgerr.Error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type %s: %q", typ, string(v))
}

// decodeTextParam decodes a text-format value.
func decodeTextParam(v []byte, oid uint32) (any, error) {
	if pe := checkText(v); pe != nil {
		return nil, pe
	}
	switch oid {
	case oidBool:
		b, ok := parseBool(string(v))
		if !ok {
			return nil, invalidSyntax("boolean", v)
		}
		return b, nil
	case oidInt2, oidInt4, oidInt8, oidOID:
		return parseIntParam(v, oid)
	case oidFloat4, oidFloat8:
		name := "double precision"
		if oid == oidFloat4 {
			name = "real"
		}
		f, err := parseFloat(strings.TrimSpace(string(v)))
		if err != nil {
			return nil, invalidSyntax(name, v)
		}
		return f, nil
	case oidBytea:
		b, ok := parseByteaText(v)
		if !ok {
			return nil, invalidSyntax("bytea", v)
		}
		return b, nil
	}
	if elem, isArray := pgArrayElem[oid]; isArray {
		return parseTextArray(string(v), elem)
	}
	return string(v), nil
}

// parseTextArray parses a PostgreSQL array literal ({1,2}, {{"a b",NULL}})
// into []any, nested per dimension; DuckDB cannot cast this syntax itself.
func parseTextArray(s string, elem uint32) (any, error) {
	p := arrayLiteral{s: s, elem: elem}
	p.space()
	if p.i < len(s) && s[p.i] == '[' { // explicit bounds: [1:2]={...}
		eq := strings.IndexByte(s, '=')
		if eq < 0 {
			return nil, p.malformed()
		}
		p.i = eq + 1
		p.space()
	}
	v, err := p.array(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.i != len(s) {
		return nil, p.malformed()
	}
	return v, nil
}

type arrayLiteral struct {
	s    string
	i    int
	elem uint32
}

func (p *arrayLiteral) malformed() error {
	return pgerr.New(pgerr.InvalidTextRepresentation, "malformed array literal: %q", p.s)
}

func (p *arrayLiteral) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n' || p.s[p.i] == '\r') {
		p.i++
	}
}

func (p *arrayLiteral) array(depth int) ([]any, error) {
	if depth > maxArrayDims || p.i >= len(p.s) || p.s[p.i] != '{' {
		return nil, p.malformed()
	}
	p.i++
	out := []any{}
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return out, nil
	}
	for {
		p.space()
		if p.i >= len(p.s) {
			return nil, p.malformed()
		}
		var v any
		var err error
		switch p.s[p.i] {
		case '{':
			v, err = p.array(depth + 1)
		case '"':
			v, err = p.quoted()
		default:
			v, err = p.unquoted()
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		p.space()
		if p.i >= len(p.s) {
			return nil, p.malformed()
		}
		switch p.s[p.i] {
		case ',':
			p.i++
		case '}':
			p.i++
			return out, nil
		default:
			return nil, p.malformed()
		}
	}
}

func (p *arrayLiteral) quoted() (any, error) {
	p.i++
	var b []byte
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch c {
		case '\\':
			if p.i+1 >= len(p.s) {
				return nil, p.malformed()
			}
			b = append(b, p.s[p.i+1])
			p.i += 2
			continue
		case '"':
			p.i++
			v, err := decodeTextParam(b, p.elem)
			return narrowElement(v, p.elem), err
		}
		b = append(b, c)
		p.i++
	}
	return nil, p.malformed()
}

func (p *arrayLiteral) unquoted() (any, error) {
	var b []byte
	escaped := false
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == ',' || c == '}' {
			break
		}
		if c == '{' || c == '"' {
			return nil, p.malformed()
		}
		if c == '\\' {
			if p.i+1 >= len(p.s) {
				return nil, p.malformed()
			}
			b = append(b, p.s[p.i+1])
			p.i += 2
			escaped = true
			continue
		}
		b = append(b, c)
		p.i++
	}
	t := strings.TrimRight(string(b), " \t\n\r")
	if t == "" {
		return nil, p.malformed()
	}
	if !escaped && strings.EqualFold(t, "NULL") {
		return nil, nil
	}
	v, err := decodeTextParam([]byte(t), p.elem)
	return narrowElement(v, p.elem), err
}

// narrowElement gives array elements the Go type of their PostgreSQL
// type's width: duckdb-go binds a LIST only from elements of exactly the
// list's element type (int32 for INTEGER[]), while scalars are cast.
func narrowElement(v any, elem uint32) any {
	switch x := v.(type) {
	case int64:
		switch elem {
		case oidInt2:
			return int16(x)
		case oidInt4:
			return int32(x)
		}
	case float64:
		if elem == oidFloat4 {
			return float32(x)
		}
	}
	return v
}

// parseBool accepts what PostgreSQL's boolin accepts: unique prefixes of
// true/false/yes/no/on/off, and 1/0.
func parseBool(s string) (bool, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return false, false
	}
	prefixOf := func(w string) bool { return strings.HasPrefix(w, s) }
	switch s[0] {
	case 't':
		return true, prefixOf("true")
	case 'y':
		return true, prefixOf("yes")
	case 'f':
		return false, prefixOf("false")
	case 'n':
		return false, prefixOf("no")
	case 'o':
		if len(s) < 2 {
			return false, false
		}
		if prefixOf("on") {
			return true, true
		}
		return false, prefixOf("off")
	case '1':
		return true, s == "1"
	case '0':
		return false, s == "0"
	}
	return false, false
}

func parseIntParam(v []byte, oid uint32) (any, error) {
	s := strings.TrimSpace(string(v))
	name, lo, hi := "bigint", int64(math.MinInt64), int64(math.MaxInt64)
	switch oid {
	case oidInt2:
		name, lo, hi = "smallint", math.MinInt16, math.MaxInt16
	case oidInt4:
		name, lo, hi = "integer", math.MinInt32, math.MaxInt32
	case oidOID:
		name, lo, hi = "oid", math.MinInt32, math.MaxUint32
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value %q is out of range for type %s", s, name)
		}
		return nil, invalidSyntax(name, v)
	}
	if n < lo || n > hi {
		return nil, pgerr.New(pgerr.NumericValueOutOfRange, "value %q is out of range for type %s", s, name)
	}
	return n, nil
}

func parseFloat(s string) (float64, error) {
	switch strings.ToLower(s) {
	case "infinity", "+infinity", "inf", "+inf":
		return math.Inf(1), nil
	case "-infinity", "-inf":
		return math.Inf(-1), nil
	case "nan":
		return math.NaN(), nil
	}
	return strconv.ParseFloat(s, 64)
}

// parseByteaText decodes bytea input: hex (\x0102) or escape format.
func parseByteaText(v []byte) ([]byte, bool) {
	if len(v) >= 2 && v[0] == '\\' && v[1] == 'x' {
		out := make([]byte, 0, (len(v)-2)/2)
		for i := 2; i < len(v); {
			if v[i] == ' ' || v[i] == '\t' || v[i] == '\n' || v[i] == '\r' {
				i++
				continue
			}
			if i+1 >= len(v) {
				return nil, false
			}
			h, ok1 := unhex(v[i])
			l, ok2 := unhex(v[i+1])
			if !ok1 || !ok2 {
				return nil, false
			}
			out = append(out, h<<4|l)
			i += 2
		}
		return out, true
	}
	out := make([]byte, 0, len(v))
	for i := 0; i < len(v); i++ {
		if v[i] != '\\' {
			out = append(out, v[i])
			continue
		}
		if i+1 < len(v) && v[i+1] == '\\' {
			out = append(out, '\\')
			i++
			continue
		}
		if i+3 < len(v) && isOctal(v[i+1]) && isOctal(v[i+2]) && isOctal(v[i+3]) && v[i+1] <= '3' {
			out = append(out, (v[i+1]-'0')<<6|(v[i+2]-'0')<<3|(v[i+3]-'0'))
			i += 3
			continue
		}
		return nil, false
	}
	return out, true
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

func errBinary() error {
	return pgerr.New(pgerr.InvalidBinaryRepresentation, "incorrect binary data format")
}

// decodeBinaryParam decodes a binary-format value (PostgreSQL's *recv).
func decodeBinaryParam(v []byte, oid uint32) (any, error) {
	need := func(n int) error {
		if len(v) != n {
			return errBinary()
		}
		return nil
	}
	be := binary.BigEndian
	switch oid {
	case oidBool:
		if err := need(1); err != nil {
			return nil, err
		}
		return v[0] != 0, nil
	case oidInt2:
		if err := need(2); err != nil {
			return nil, err
		}
		return int64(int16(be.Uint16(v))), nil
	case oidInt4:
		if err := need(4); err != nil {
			return nil, err
		}
		return int64(int32(be.Uint32(v))), nil
	case oidInt8:
		if err := need(8); err != nil {
			return nil, err
		}
		return int64(be.Uint64(v)), nil
	case oidOID, oidRegclass, oidRegtype, oidRegproc, oidRegnamespace, oidXID, oidCID:
		if err := need(4); err != nil {
			return nil, err
		}
		return int64(be.Uint32(v)), nil
	case oidFloat4:
		if err := need(4); err != nil {
			return nil, err
		}
		return float64(math.Float32frombits(be.Uint32(v))), nil
	case oidFloat8:
		if err := need(8); err != nil {
			return nil, err
		}
		return math.Float64frombits(be.Uint64(v)), nil
	case oidText, oidVarchar, oidBPChar, oidName, oidUnknown, oidJSON, oidXML, oidChar:
		if pe := checkText(v); pe != nil {
			return nil, pe
		}
		return string(v), nil
	case oidJSONB:
		if len(v) < 1 || v[0] != 1 {
			return nil, pgerr.New(pgerr.InvalidBinaryRepresentation, "unsupported jsonb version number %d", firstByte(v))
		}
		if pe := checkText(v[1:]); pe != nil {
			return nil, pe
		}
		return string(v[1:]), nil
	case oidBytea:
		return append([]byte(nil), v...), nil
	case oidDate:
		if err := need(4); err != nil {
			return nil, err
		}
		d := int32(be.Uint32(v))
		switch d {
		case math.MaxInt32:
			return "infinity", nil
		case math.MinInt32:
			return "-infinity", nil
		}
		y, m, dd := civilFromDays(int64(d) + pgEpochDays)
		return time.Date(int(y), time.Month(m), dd, 0, 0, 0, 0, time.UTC), nil
	case oidTimestamp, oidTimestamptz:
		if err := need(8); err != nil {
			return nil, err
		}
		us := int64(be.Uint64(v))
		switch us {
		case math.MaxInt64:
			return "infinity", nil
		case math.MinInt64:
			return "-infinity", nil
		}
		return time.UnixMicro(us + pgEpochMicros).UTC(), nil
	case oidTime:
		if err := need(8); err != nil {
			return nil, err
		}
		return string(appendClock(nil, int64(be.Uint64(v)))), nil
	case oidTimetz:
		if err := need(12); err != nil {
			return nil, err
		}
		us := int64(be.Uint64(v))
		west := int32(be.Uint32(v[8:]))
		return string(appendTimetz(nil, us, -int(west))), nil
	case oidInterval:
		if err := need(16); err != nil {
			return nil, err
		}
		return duckdb.Interval{
			Micros: int64(be.Uint64(v)),
			Days:   int32(be.Uint32(v[8:])),
			Months: int32(be.Uint32(v[12:])),
		}, nil
	case oidUUID:
		if err := need(16); err != nil {
			return nil, err
		}
		// a pointer: duckdb-go binds *UUID (its String and Value
		// methods have pointer receivers), not UUID
		u := new(duckdb.UUID)
		copy(u[:], v)
		return u, nil
	case oidNumeric:
		return decodeNumericBinary(v)
	case oidBit, oidVarbit:
		if len(v) < 4 {
			return nil, errBinary()
		}
		n := int(be.Uint32(v))
		if n < 0 || (n+7)/8 != len(v)-4 {
			return nil, errBinary()
		}
		out := make([]byte, n)
		for k := 0; k < n; k++ {
			out[k] = '0'
			if v[4+k/8]&(0x80>>(k%8)) != 0 {
				out[k] = '1'
			}
		}
		return string(out), nil
	}
	if _, isArray := pgArrayElem[oid]; isArray {
		return decodeBinaryArray(v)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "binary format is not supported for parameters of type %s", typeName(oid))
}

func firstByte(v []byte) int {
	if len(v) == 0 {
		return -1
	}
	return int(v[0])
}

// decodeNumericBinary turns numeric_send output into numeric text.
func decodeNumericBinary(v []byte) (any, error) {
	if len(v) < 8 {
		return nil, errBinary()
	}
	be := binary.BigEndian
	ndigits := int(be.Uint16(v))
	weight := int(int16(be.Uint16(v[2:])))
	sign := be.Uint16(v[4:])
	dscale := int(be.Uint16(v[6:]))
	if len(v) != 8+2*ndigits || dscale > 0x3FFF {
		return nil, errBinary()
	}
	switch sign {
	case numericNaN:
		return "NaN", nil
	case 0xD000:
		return "Infinity", nil
	case 0xF000:
		return "-Infinity", nil
	case numericPos, numericNeg:
	default:
		return nil, errBinary()
	}
	digit := func(k int) int {
		if k < 0 || k >= ndigits {
			return 0
		}
		return int(be.Uint16(v[8+2*k:]))
	}
	for k := 0; k < ndigits; k++ {
		if digit(k) > 9999 {
			return nil, errBinary()
		}
	}
	if weight > 1000 || weight < -1000 {
		return nil, errBinary()
	}
	var sb strings.Builder
	if sign == numericNeg {
		sb.WriteByte('-')
	}
	if weight < 0 {
		sb.WriteByte('0')
	} else {
		for k := 0; k <= weight; k++ {
			d := digit(k)
			if k == 0 {
				sb.WriteString(strconv.Itoa(d))
			} else {
				sb.WriteString(pad4(d))
			}
		}
	}
	if dscale > 0 {
		sb.WriteByte('.')
		written := 0
		for k := weight + 1; written < dscale; k++ {
			s := pad4(digit(k))
			for _, ch := range []byte(s) {
				if written == dscale {
					break
				}
				sb.WriteByte(ch)
				written++
			}
		}
	}
	return sb.String(), nil
}

func pad4(d int) string {
	s := strconv.Itoa(d)
	return strings.Repeat("0", 4-len(s)) + s
}

// decodeBinaryArray decodes array_send output into []any (nested per
// dimension), elements decoded by the element type in the header.
func decodeBinaryArray(v []byte) (any, error) {
	be := binary.BigEndian
	if len(v) < 12 {
		return nil, errBinary()
	}
	ndim := int(int32(be.Uint32(v)))
	elem := be.Uint32(v[8:])
	if ndim < 0 || ndim > maxArrayDims {
		return nil, errBinary()
	}
	if ndim == 0 {
		return []any{}, nil
	}
	pos := 12
	dims := make([]int, ndim)
	total := 1
	for d := 0; d < ndim; d++ {
		if len(v) < pos+8 {
			return nil, errBinary()
		}
		n := int(int32(be.Uint32(v[pos:])))
		pos += 8 // length and lower bound
		if n < 0 || n > len(v) {
			return nil, errBinary()
		}
		dims[d] = n
		total *= n
		if total > len(v) {
			return nil, errBinary()
		}
	}
	elems := make([]any, total)
	for k := range elems {
		if len(v) < pos+4 {
			return nil, errBinary()
		}
		n := int(int32(be.Uint32(v[pos:])))
		pos += 4
		if n == -1 {
			continue
		}
		if n < 0 || len(v) < pos+n {
			return nil, errBinary()
		}
		e, err := decodeBinaryParam(v[pos:pos+n], elem)
		if err != nil {
			return nil, err
		}
		elems[k] = narrowElement(e, elem)
		pos += n
	}
	if pos != len(v) {
		return nil, errBinary()
	}
	var nest func(level int, flat []any) []any
	nest = func(level int, flat []any) []any {
		if level == ndim-1 {
			return flat
		}
		n := dims[level]
		step := len(flat) / max(n, 1)
		out := make([]any, n)
		for k := 0; k < n; k++ {
			out[k] = nest(level+1, flat[k*step:(k+1)*step])
		}
		return out
	}
	return nest(0, elems), nil
}
