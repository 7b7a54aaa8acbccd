package engine

import (
	"encoding/binary"
	"math"
	"math/big"
	"strconv"
	"time"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
)

// Parameters arrive as the Go values the wire decodes (wire/params.go): nil,
// bool, int64, float64, string, []byte, time.Time, duckdb.Interval,
// *duckdb.UUID and []any for arrays; the other integer widths, float32,
// *big.Int and duckdb.UUID are accepted too.
//
// A value is bound in its parameter's own type whenever it converts to it
// exactly, because DuckDB plans a prepared statement again when a bound
// value's type differs from its parameter's. Anything else (text for a
// DATE, an out-of-range integer, a parameter DuckDB could not type) is bound
// in its natural type and cast by DuckDB, whose errors then reach the
// client as for a literal.

// bind binds args to $1..$n; extra arguments are ignored.
func (s *prepared) bind(args []any) error {
	if len(args) < len(s.params) {
		return pgerr.New(pgerr.ProtocolViolation, "incorrect argument count: have %d, want %d", len(args), len(s.params))
	}
	for i := range s.params {
		if err := s.bindParam(i, args[i]); err != nil {
			return err
		}
	}
	return nil
}

// bindParam binds v to parameter i (0-based).
func (s *prepared) bindParam(i int, v any) error {
	h := s.handle
	idx := bindings.IdxT(i + 1)
	p := &s.params[i]
	var state bindings.State
	switch v := v.(type) {
	case nil:
		state = bindings.BindNull(h, idx)
	case bool:
		state = bindings.BindBoolean(h, idx, v)
	case int64:
		state = s.bindInt(idx, p, v, bindings.TypeBigInt)
	case int:
		state = s.bindInt(idx, p, int64(v), bindings.TypeBigInt)
	case int32:
		state = s.bindInt(idx, p, int64(v), bindings.TypeInteger)
	case int16:
		state = s.bindInt(idx, p, int64(v), bindings.TypeSmallInt)
	case int8:
		state = s.bindInt(idx, p, int64(v), bindings.TypeTinyInt)
	case uint64:
		state = s.bindUint(idx, p, v, bindings.TypeUBigInt)
	case uint:
		state = s.bindUint(idx, p, uint64(v), bindings.TypeUBigInt)
	case uint32:
		state = s.bindUint(idx, p, uint64(v), bindings.TypeUInteger)
	case uint16:
		state = s.bindUint(idx, p, uint64(v), bindings.TypeUSmallInt)
	case uint8:
		state = s.bindUint(idx, p, uint64(v), bindings.TypeUTinyInt)
	case float64:
		state = s.bindFloat(idx, p, v, false)
	case float32:
		state = s.bindFloat(idx, p, float64(v), true)
	case string:
		state = s.bindString(idx, p, v)
	case []byte:
		if p.t == bindings.TypeVarchar { // also JSON
			state = bindings.BindVarcharLength(h, idx, string(v), bindings.IdxT(len(v)))
		} else {
			state = bindings.BindBlob(h, idx, v)
		}
	case time.Time:
		state = s.bindTime(idx, p, v)
	case *big.Int:
		if v == nil {
			state = bindings.BindNull(h, idx)
		} else {
			state = s.bindBig(idx, p, v)
		}
	case duckdb.Interval:
		state = bindings.BindInterval(h, idx, bindings.NewInterval(v.Months, v.Days, v.Micros))
	case *duckdb.UUID:
		if v == nil {
			state = bindings.BindNull(h, idx)
		} else {
			state = bindValue(h, idx, uuidValue(*v))
		}
	case duckdb.UUID:
		state = bindValue(h, idx, uuidValue(v))
	case []any:
		val, err := listValue(p, v)
		if err != nil {
			return pgerr.New(pgerr.InvalidParameterValue, "parameter $%d: %s", i+1, err)
		}
		state = bindValue(h, idx, val)
	default:
		return pgerr.New(pgerr.InvalidParameterValue, "parameter $%d: cannot bind a value of Go type %T", i+1, v)
	}
	if state == bindings.StateError {
		// An out-of-range index leaves its error on the handle: prepare anew.
		s.broken = true
		msg := "invalid value"
		if detail := bindings.PrepareError(h); detail != "" {
			msg = detail
		}
		return pgerr.New(pgerr.InvalidParameterValue, "could not bind parameter $%d: %s", i+1, msg)
	}
	return nil
}

// bindValue binds a created value and destroys it.
func bindValue(h bindings.PreparedStatement, idx bindings.IdxT, v bindings.Value) bindings.State {
	if v.Ptr == nil {
		return bindings.StateError
	}
	defer bindings.DestroyValue(&v)
	return bindings.BindValue(h, idx, v)
}

// bindInt binds a signed integer; natural is the type of its Go width.
func (s *prepared) bindInt(idx bindings.IdxT, p *param, v int64, natural bindings.Type) bindings.State {
	h := s.handle
	switch p.t {
	case bindings.TypeBigInt:
		return bindings.BindInt64(h, idx, v)
	case bindings.TypeInteger:
		if v >= math.MinInt32 && v <= math.MaxInt32 {
			return bindings.BindInt32(h, idx, int32(v))
		}
	case bindings.TypeSmallInt:
		if v >= math.MinInt16 && v <= math.MaxInt16 {
			return bindings.BindInt16(h, idx, int16(v))
		}
	case bindings.TypeTinyInt:
		if v >= math.MinInt8 && v <= math.MaxInt8 {
			return bindings.BindInt8(h, idx, int8(v))
		}
	case bindings.TypeUBigInt, bindings.TypeUInteger, bindings.TypeUSmallInt, bindings.TypeUTinyInt:
		if v >= 0 {
			return s.bindUint(idx, p, uint64(v), bindings.TypeUBigInt)
		}
	case bindings.TypeHugeInt:
		return bindings.BindHugeInt(h, idx, bindings.NewHugeInt(uint64(v), v>>63))
	case bindings.TypeUHugeInt:
		if v >= 0 {
			return bindings.BindUHugeInt(h, idx, bindings.NewUHugeInt(uint64(v), 0))
		}
	case bindings.TypeDouble:
		if v >= -1<<53 && v <= 1<<53 {
			return bindings.BindDouble(h, idx, float64(v))
		}
	case bindings.TypeFloat:
		if v >= -1<<24 && v <= 1<<24 {
			return bindings.BindFloat(h, idx, float32(v))
		}
	case bindings.TypeDecimal:
		if d, ok := decimalFor(p, new(big.Int).SetInt64(v), 0); ok {
			return bindings.BindDecimal(h, idx, d)
		}
	}
	switch natural {
	case bindings.TypeInteger:
		return bindings.BindInt32(h, idx, int32(v))
	case bindings.TypeSmallInt:
		return bindings.BindInt16(h, idx, int16(v))
	case bindings.TypeTinyInt:
		return bindings.BindInt8(h, idx, int8(v))
	}
	return bindings.BindInt64(h, idx, v)
}

// bindUint binds an unsigned integer; natural is the type of its Go width.
func (s *prepared) bindUint(idx bindings.IdxT, p *param, v uint64, natural bindings.Type) bindings.State {
	h := s.handle
	switch p.t {
	case bindings.TypeUBigInt:
		return bindings.BindUInt64(h, idx, v)
	case bindings.TypeUInteger:
		if v <= math.MaxUint32 {
			return bindings.BindUInt32(h, idx, uint32(v))
		}
	case bindings.TypeUSmallInt:
		if v <= math.MaxUint16 {
			return bindings.BindUInt16(h, idx, uint16(v))
		}
	case bindings.TypeUTinyInt:
		if v <= math.MaxUint8 {
			return bindings.BindUInt8(h, idx, uint8(v))
		}
	case bindings.TypeUHugeInt:
		return bindings.BindUHugeInt(h, idx, bindings.NewUHugeInt(v, 0))
	case bindings.TypeHugeInt:
		return bindings.BindHugeInt(h, idx, bindings.NewHugeInt(v, 0))
	case bindings.TypeBigInt, bindings.TypeInteger, bindings.TypeSmallInt, bindings.TypeTinyInt,
		bindings.TypeDouble, bindings.TypeFloat, bindings.TypeDecimal:
		if v <= math.MaxInt64 {
			return s.bindInt(idx, p, int64(v), bindings.TypeBigInt)
		}
	}
	switch natural {
	case bindings.TypeUInteger:
		return bindings.BindUInt32(h, idx, uint32(v))
	case bindings.TypeUSmallInt:
		return bindings.BindUInt16(h, idx, uint16(v))
	case bindings.TypeUTinyInt:
		return bindings.BindUInt8(h, idx, uint8(v))
	}
	return bindings.BindUInt64(h, idx, v)
}

// bindFloat binds a float64 (or a float32 widened exactly, with single).
func (s *prepared) bindFloat(idx bindings.IdxT, p *param, v float64, single bool) bindings.State {
	h := s.handle
	switch p.t {
	case bindings.TypeDouble:
		return bindings.BindDouble(h, idx, v)
	case bindings.TypeFloat:
		// DuckDB's cast rounds the same way, but refuses what overflows.
		if single || math.Abs(v) <= math.MaxFloat32 || math.IsInf(v, 0) || math.IsNaN(v) {
			return bindings.BindFloat(h, idx, float32(v))
		}
	}
	if single {
		return bindings.BindFloat(h, idx, float32(v))
	}
	return bindings.BindDouble(h, idx, v)
}

// bindString binds text. Integer and DECIMAL parameters get the number when
// the text is exactly one; anything else is left to DuckDB's cast.
func (s *prepared) bindString(idx bindings.IdxT, p *param, v string) bindings.State {
	switch p.t {
	case bindings.TypeBigInt, bindings.TypeInteger, bindings.TypeSmallInt, bindings.TypeTinyInt,
		bindings.TypeUBigInt, bindings.TypeUInteger, bindings.TypeUSmallInt, bindings.TypeUTinyInt:
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return s.bindInt(idx, p, n, bindings.TypeBigInt)
		}
	case bindings.TypeDecimal:
		if unscaled, scale, ok := parseDecimal(v); ok {
			if d, ok := decimalFor(p, unscaled, scale); ok {
				return bindings.BindDecimal(s.handle, idx, d)
			}
		}
	}
	return bindings.BindVarcharLength(s.handle, idx, v, bindings.IdxT(len(v)))
}

// bindTime binds a point in time in the parameter's date/time type;
// TIMESTAMP (the instant in UTC) when the parameter has another type.
func (s *prepared) bindTime(idx bindings.IdxT, p *param, v time.Time) bindings.State {
	h := s.handle
	switch p.t {
	case bindings.TypeDate:
		return bindings.BindDate(h, idx, bindings.NewDate(daysSinceEpoch(v)))
	case bindings.TypeTime:
		return bindings.BindTime(h, idx, bindings.NewTime(microsOfDay(v)))
	case bindings.TypeTimeTZ:
		_, offset := v.Zone()
		return bindValue(h, idx, bindings.CreateTimeTZValue(bindings.CreateTimeTZ(microsOfDay(v), int32(offset))))
	case bindings.TypeTimestampTZ:
		return bindings.BindTimestampTZ(h, idx, bindings.NewTimestamp(v.UnixMicro()))
	case bindings.TypeTimestampS:
		return bindValue(h, idx, bindings.CreateTimestampS(bindings.NewTimestampS(v.Unix())))
	case bindings.TypeTimestampMS:
		return bindValue(h, idx, bindings.CreateTimestampMS(bindings.NewTimestampMS(v.UnixMilli())))
	case bindings.TypeTimestampNS:
		if y := v.Year(); y > 1677 && y < 2262 { // UnixNano's range
			return bindValue(h, idx, bindings.CreateTimestampNS(bindings.NewTimestampNS(v.UnixNano())))
		}
	}
	return bindings.BindTimestamp(h, idx, bindings.NewTimestamp(v.UnixMicro()))
}

// bindBig binds an arbitrary-precision integer: in the parameter's type when
// it fits, else as BIGINT, HUGEINT, UHUGEINT or BIGNUM, the first that
// holds it.
func (s *prepared) bindBig(idx bindings.IdxT, p *param, v *big.Int) bindings.State {
	h := s.handle
	switch p.t {
	case bindings.TypeUHugeInt:
		if u, ok := uhugeint(v); ok {
			return bindings.BindUHugeInt(h, idx, u)
		}
	case bindings.TypeDecimal:
		if d, ok := decimalFor(p, v, 0); ok {
			return bindings.BindDecimal(h, idx, d)
		}
	}
	if v.IsInt64() {
		return s.bindInt(idx, p, v.Int64(), bindings.TypeBigInt)
	}
	if p.t == bindings.TypeUBigInt && v.IsUint64() {
		return bindings.BindUInt64(h, idx, v.Uint64())
	}
	if hi, ok := hugeint(v); ok {
		return bindings.BindHugeInt(h, idx, hi)
	}
	if u, ok := uhugeint(v); ok {
		return bindings.BindUHugeInt(h, idx, u)
	}
	return bindValue(h, idx, bignumValue(v))
}

// decimalFor converts unscaled·10^-scale to a DECIMAL of parameter p's width
// and scale, if that is exact.
func decimalFor(p *param, unscaled *big.Int, scale int) (bindings.Decimal, bool) {
	v := new(big.Int).Set(unscaled)
	switch {
	case scale < int(p.scale):
		v.Mul(v, pow10(int(p.scale)-scale))
	case scale > int(p.scale):
		q, r := new(big.Int).QuoRem(v, pow10(scale-int(p.scale)), new(big.Int))
		if r.Sign() != 0 {
			return bindings.Decimal{}, false // DuckDB rounds: let it
		}
		v = q
	}
	if p.width == 0 || new(big.Int).Abs(v).Cmp(pow10(int(p.width))) >= 0 {
		return bindings.Decimal{}, false
	}
	hi, ok := hugeint(v)
	if !ok {
		return bindings.Decimal{}, false
	}
	return bindings.NewDecimal(p.width, p.scale, hi), true
}

// parseDecimal reads [+-]digits[.digits] exactly; other forms (exponents,
// blanks, "NaN") are left to DuckDB.
func parseDecimal(v string) (unscaled *big.Int, scale int, ok bool) {
	digits := make([]byte, 0, len(v))
	i := 0
	if i < len(v) && (v[i] == '+' || v[i] == '-') {
		digits = append(digits, v[i])
		i++
	}
	start := i
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		digits = append(digits, v[i])
		i++
	}
	if i == start {
		return nil, 0, false
	}
	if i < len(v) && v[i] == '.' {
		i++
		fracStart := i
		for i < len(v) && v[i] >= '0' && v[i] <= '9' {
			digits = append(digits, v[i])
			i++
		}
		scale = i - fracStart
		if scale == 0 {
			return nil, 0, false
		}
	}
	if i != len(v) {
		return nil, 0, false
	}
	unscaled, ok = new(big.Int).SetString(string(digits), 10)
	return unscaled, scale, ok
}

var powersOf10 = func() []*big.Int {
	p := make([]*big.Int, 40)
	p[0] = big.NewInt(1)
	for i := 1; i < len(p); i++ {
		p[i] = new(big.Int).Mul(p[i-1], big.NewInt(10))
	}
	return p
}()

// pow10 returns 10^n (shared: do not modify).
func pow10(n int) *big.Int {
	if n < len(powersOf10) {
		return powersOf10[n]
	}
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil)
}

var (
	two64       = new(big.Int).Lsh(big.NewInt(1), 64)
	minHugeint  = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 127))
	maxHugeint  = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))
	maxUHugeint = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(1))
)

// hugeint converts v to DuckDB's 128-bit integer if it fits.
func hugeint(v *big.Int) (bindings.HugeInt, bool) {
	if v.Cmp(minHugeint) < 0 || v.Cmp(maxHugeint) > 0 {
		return bindings.HugeInt{}, false
	}
	q, r := new(big.Int).DivMod(v, two64, new(big.Int)) // Euclidean: 0 <= r < 2^64
	return bindings.NewHugeInt(r.Uint64(), q.Int64()), true
}

// uhugeint converts v to DuckDB's unsigned 128-bit integer if it fits.
func uhugeint(v *big.Int) (bindings.UHugeInt, bool) {
	if v.Sign() < 0 || v.Cmp(maxUHugeint) > 0 {
		return bindings.UHugeInt{}, false
	}
	q, r := new(big.Int).DivMod(v, two64, new(big.Int))
	return bindings.NewUHugeInt(r.Uint64(), q.Uint64()), true
}

// bignumValue creates a BIGNUM value (DuckDB's arbitrary-precision integer).
func bignumValue(v *big.Int) bindings.Value {
	magnitude := new(big.Int).Abs(v).Bytes()
	if len(magnitude) == 0 {
		magnitude = []byte{0}
	}
	bn := bindings.NewBigNum(magnitude, v.Sign() < 0)
	defer bindings.DestroyBigNum(&bn)
	return bindings.CreateBigNum(bn)
}

// uuidValue creates a UUID value; DuckDB takes the 16 bytes as one
// big-endian unsigned 128-bit integer.
func uuidValue(u duckdb.UUID) bindings.Value {
	upper := binary.BigEndian.Uint64(u[:8])
	lower := binary.BigEndian.Uint64(u[8:])
	return bindings.CreateUUID(bindings.NewUHugeInt(lower, upper))
}

// daysSinceEpoch is the calendar date of t (in its own location) as days
// since 1970-01-01.
func daysSinceEpoch(t time.Time) int32 {
	y, m, d := t.Date()
	return int32(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// microsOfDay is t's wall-clock time of day in microseconds.
func microsOfDay(t time.Time) int64 {
	h, m, s := t.Clock()
	return (int64(h)*3600+int64(m)*60+int64(s))*1_000_000 + int64(t.Nanosecond()/1000)
}
