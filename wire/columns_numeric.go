package wire

import (
	"encoding/binary"
	"math"
	"math/big"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/decimal128"
)

// Renderers of BOOLEAN and the numeric types.

// ---- bool

// boolColumn reads Arrow booleans, or arrow.bool8 (one int8 per value)
// as DuckDB exports BOOLEAN with arrow_lossless_conversion.
type boolColumn struct {
	validity
	a      *array.Boolean
	b8     []int8
	target uint32
	bool8  bool
}

func (c *boolColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	if c.bool8 {
		c.b8 = a.(*array.Int8).Values()
	} else {
		c.a = a.(*array.Boolean)
	}
}

func (c *boolColumn) value(i int) bool {
	if c.bool8 {
		return c.b8[i] != 0
	}
	return c.a.Value(i)
}

func (c *boolColumn) appendText(dst []byte, i int) []byte {
	if c.value(i) {
		return append(dst, 't')
	}
	return append(dst, 'f')
}

func (c *boolColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	if isTextLike(c.target) {
		return c.appendText(dst, i), nil
	}
	if c.value(i) {
		return append(dst, 1), nil
	}
	return append(dst, 0), nil
}

func (c *boolColumn) appendJSON(dst []byte, i int) []byte {
	if c.value(i) {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

func (c *boolColumn) canBinary() bool { return c.target == oidBool || isTextLike(c.target) }

// ---- integers

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

type intColumn[T integer] struct {
	validity
	vals   []T
	target uint32
	signed bool
}

func newIntColumn[T integer](target uint32) *intColumn[T] {
	var z T
	z--
	return &intColumn[T]{target: target, signed: z < 0}
}

func (c *intColumn[T]) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.vals = a.(interface{ Values() []T }).Values()
}

func (c *intColumn[T]) appendText(dst []byte, i int) []byte {
	if c.signed {
		return appendInt(dst, int64(c.vals[i]))
	}
	return appendUint(dst, uint64(c.vals[i]))
}

// int64 returns the value as int64; ok is false for unsigned values above
// MaxInt64.
func (c *intColumn[T]) int64(i int) (int64, bool) {
	v := c.vals[i]
	if !c.signed && uint64(v) > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

func (c *intColumn[T]) appendBinary(dst []byte, i int) ([]byte, error) {
	switch c.target {
	case oidInt8:
		v, ok := c.int64(i)
		if !ok {
			return dst, errOutOfRange("bigint")
		}
		return appendUint64(dst, uint64(v)), nil
	case oidInt4:
		v, ok := c.int64(i)
		if !ok || v < math.MinInt32 || v > math.MaxInt32 {
			return dst, errOutOfRange("integer")
		}
		return appendUint32(dst, uint32(int32(v))), nil
	case oidInt2:
		v, ok := c.int64(i)
		if !ok || v < math.MinInt16 || v > math.MaxInt16 {
			return dst, errOutOfRange("smallint")
		}
		return appendUint16(dst, uint16(int16(v))), nil
	case oidOID, oidRegclass, oidRegtype, oidRegproc, oidRegnamespace, oidXID, oidCID:
		v, ok := c.int64(i)
		if !ok || v < math.MinInt32 || v > math.MaxUint32 {
			return dst, errOutOfRange("OID")
		}
		return appendUint32(dst, uint32(v)), nil
	case oidNumeric:
		var buf [20]byte
		if c.signed {
			v := int64(c.vals[i])
			mag := uint64(v)
			if v < 0 {
				mag = uint64(-v)
			}
			return appendNumericBinary(dst, v < 0, appendUint(buf[:0], mag), 0), nil
		}
		return appendNumericBinary(dst, false, appendUint(buf[:0], uint64(c.vals[i])), 0), nil
	case oidFloat8:
		return appendUint64(dst, math.Float64bits(float64(c.vals[i]))), nil
	case oidFloat4:
		return appendUint32(dst, math.Float32bits(float32(c.vals[i]))), nil
	case oidBool:
		if c.vals[i] != 0 {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	}
	return c.appendText(dst, i), nil
}

func (c *intColumn[T]) appendJSON(dst []byte, i int) []byte { return c.appendText(dst, i) }

func (c *intColumn[T]) canBinary() bool {
	switch c.target {
	case oidInt8, oidInt4, oidInt2, oidOID, oidRegclass, oidRegtype, oidRegproc, oidRegnamespace,
		oidXID, oidCID, oidNumeric, oidFloat8, oidFloat4, oidBool:
		return true
	}
	return isTextLike(c.target)
}

func appendInt(dst []byte, v int64) []byte {
	if v >= 0 && v < 10 {
		return append(dst, byte('0'+v))
	}
	return appendIntSlow(dst, v)
}

func appendIntSlow(dst []byte, v int64) []byte {
	var buf [20]byte
	i := len(buf)
	neg := v < 0
	u := uint64(v)
	if neg {
		u = uint64(-v)
	}
	for u >= 10 {
		i--
		q := u / 10
		buf[i] = byte('0' + u - q*10)
		u = q
	}
	i--
	buf[i] = byte('0' + u)
	if neg {
		i--
		buf[i] = '-'
	}
	return append(dst, buf[i:]...)
}

func appendUint(dst []byte, u uint64) []byte {
	var buf [20]byte
	i := len(buf)
	for u >= 10 {
		i--
		q := u / 10
		buf[i] = byte('0' + u - q*10)
		u = q
	}
	i--
	buf[i] = byte('0' + u)
	return append(dst, buf[i:]...)
}

// ---- floats

type floatColumn[T float32 | float64] struct {
	validity
	vals   []T
	target uint32
	bits   int
}

func (c *floatColumn[T]) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.vals = a.(interface{ Values() []T }).Values()
}

func (c *floatColumn[T]) appendText(dst []byte, i int) []byte {
	return appendFloat(dst, float64(c.vals[i]), c.bits)
}

func (c *floatColumn[T]) appendBinary(dst []byte, i int) ([]byte, error) {
	switch c.target {
	case oidFloat8:
		return appendUint64(dst, math.Float64bits(float64(c.vals[i]))), nil
	case oidFloat4:
		return appendUint32(dst, math.Float32bits(float32(c.vals[i]))), nil
	}
	return c.appendText(dst, i), nil
}

func (c *floatColumn[T]) appendJSON(dst []byte, i int) []byte {
	v := float64(c.vals[i])
	if math.IsNaN(v) || math.IsInf(v, 0) {
		dst = append(dst, '"')
		dst = appendFloat(dst, v, c.bits)
		return append(dst, '"')
	}
	return appendFloat(dst, v, c.bits)
}

func (c *floatColumn[T]) canBinary() bool {
	return c.target == oidFloat8 || c.target == oidFloat4 || isTextLike(c.target)
}

// ---- DECIMAL (decimal128 with scale)

type decimalColumn struct {
	validity
	vals   []decimal128.Num
	target uint32
	scale  int
}

func (c *decimalColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.vals = a.(*array.Decimal128).Values()
}

func (c *decimalColumn) appendText(dst []byte, i int) []byte {
	v := c.vals[i]
	return appendNumeric128(dst, v.HighBits(), v.LowBits(), c.scale)
}

func (c *decimalColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	v := c.vals[i]
	switch c.target {
	case oidNumeric:
		return appendNumeric128Binary(dst, v.HighBits(), v.LowBits(), c.scale), nil
	case oidFloat8:
		return appendUint64(dst, math.Float64bits(v.ToFloat64(int32(c.scale)))), nil
	}
	return c.appendText(dst, i), nil
}

func (c *decimalColumn) appendJSON(dst []byte, i int) []byte { return c.appendText(dst, i) }

func (c *decimalColumn) canBinary() bool {
	return c.target == oidNumeric || c.target == oidFloat8 || isTextLike(c.target)
}

// ---- HUGEINT / UHUGEINT (arrow.opaque fixed_size_binary[16], little endian)

type int128Column struct {
	validity
	a        *array.FixedSizeBinary
	target   uint32
	unsigned bool
}

func (c *int128Column) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.a = a.(*array.FixedSizeBinary)
}

func (c *int128Column) parts(i int) (neg bool, hi, lo uint64) {
	b := c.a.Value(i)
	lo = binary.LittleEndian.Uint64(b)
	hi = binary.LittleEndian.Uint64(b[8:])
	if c.unsigned {
		return false, hi, lo
	}
	return int128Abs(int64(hi), lo)
}

func (c *int128Column) appendText(dst []byte, i int) []byte {
	neg, hi, lo := c.parts(i)
	var buf [40]byte
	return appendScaledDigits(dst, neg, uint128Digits(&buf, hi, lo), 0)
}

func (c *int128Column) appendBinary(dst []byte, i int) ([]byte, error) {
	if c.target != oidNumeric {
		return c.appendText(dst, i), nil
	}
	neg, hi, lo := c.parts(i)
	var buf [40]byte
	return appendNumericBinary(dst, neg, uint128Digits(&buf, hi, lo), 0), nil
}

func (c *int128Column) appendJSON(dst []byte, i int) []byte { return c.appendText(dst, i) }

func (c *int128Column) canBinary() bool { return c.target == oidNumeric || isTextLike(c.target) }

// ---- BIGNUM (arrow.opaque binary: 3-byte header, big-endian magnitude,
// bytes inverted for negative numbers)

type bignumColumn struct {
	validity
	a      interface{ Value(int) []byte }
	target uint32
	n      big.Int
	buf    []byte
}

func (c *bignumColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.a = a.(interface{ Value(int) []byte })
}

func (c *bignumColumn) digits(i int) (neg bool, digits []byte) {
	b := c.a.Value(i)
	if len(b) < 3 {
		return false, []byte{'0'}
	}
	neg = b[0]&0x80 == 0
	mag := append(c.buf[:0], b[3:]...)
	if neg {
		for k := range mag {
			mag[k] = ^mag[k]
		}
	}
	c.buf = mag
	c.n.SetBytes(mag)
	return neg && c.n.Sign() != 0, c.n.Append(nil, 10)
}

func (c *bignumColumn) appendText(dst []byte, i int) []byte {
	neg, d := c.digits(i)
	return appendScaledDigits(dst, neg, d, 0)
}

func (c *bignumColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	if c.target != oidNumeric {
		return c.appendText(dst, i), nil
	}
	neg, d := c.digits(i)
	if len(d) > 4*1000 {
		return dst, errOutOfRange("numeric")
	}
	return appendNumericBinary(dst, neg, d, 0), nil
}

func (c *bignumColumn) appendJSON(dst []byte, i int) []byte { return c.appendText(dst, i) }

func (c *bignumColumn) canBinary() bool { return c.target == oidNumeric || isTextLike(c.target) }
