package wire

import (
	"encoding/binary"
	"math"
)

// Binary forms of values as PostgreSQL's *send functions produce them.

func appendUint16(dst []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(dst, v) }
func appendUint32(dst []byte, v uint32) []byte { return binary.BigEndian.AppendUint32(dst, v) }
func appendUint64(dst []byte, v uint64) []byte { return binary.BigEndian.AppendUint64(dst, v) }

// pgDateFromUnixDays converts days since 1970 to date_send's int32 (days
// since 2000-01-01), keeping infinities.
func pgDateFromUnixDays(days int64) int32 {
	switch {
	case days >= dateInfinity:
		return math.MaxInt32
	case days <= dateNegInf:
		return math.MinInt32
	}
	return int32(days - pgEpochDays)
}

// pgTimestampFromUnixMicros converts microseconds since 1970 to
// timestamp_send's int64 (microseconds since 2000-01-01), keeping infinities.
func pgTimestampFromUnixMicros(us int64) int64 {
	switch {
	case us == tsInfinity:
		return math.MaxInt64
	case us <= tsNegInfDuckDB:
		return math.MinInt64
	}
	return us - pgEpochMicros
}

// numericSign values of numeric_send.
const (
	numericPos = 0x0000
	numericNeg = 0x4000
	numericNaN = 0xC000
)

// appendNumericBinary appends numeric_send output for a decimal number
// given as ASCII digits (no sign, no point) scaled by 10^-scale.
func appendNumericBinary(dst []byte, neg bool, digits []byte, scale int) []byte {
	if scale < 0 {
		scale = 0
	}
	// split into integer and fraction digit strings
	var intPart, fracPart []byte
	if len(digits) > scale {
		intPart = digits[:len(digits)-scale]
		fracPart = digits[len(digits)-scale:]
	} else {
		fracPart = digits
	}
	// base-10000 groups: integer part aligned right, fraction aligned left
	var groups [48]int16
	n := 0
	lead := (4 - len(intPart)%4) % 4
	acc, cnt := 0, lead
	for _, c := range intPart {
		acc = acc*10 + int(c-'0')
		cnt++
		if cnt == 4 {
			groups[n] = int16(acc)
			n++
			acc, cnt = 0, 0
		}
	}
	weight := n - 1
	// fraction: leading zeros for short fractions (scale > len(digits))
	fracZeros := scale - len(fracPart)
	acc, cnt = 0, 0
	push := func(d int) {
		acc = acc*10 + d
		cnt++
		if cnt == 4 {
			groups[n] = int16(acc)
			n++
			acc, cnt = 0, 0
		}
	}
	for i := 0; i < fracZeros; i++ {
		push(0)
	}
	for _, c := range fracPart {
		push(int(c - '0'))
	}
	if cnt > 0 {
		for cnt < 4 {
			acc *= 10
			cnt++
		}
		groups[n] = int16(acc)
		n++
	}
	g := groups[:n]
	for len(g) > 0 && g[0] == 0 {
		g = g[1:]
		weight--
	}
	for len(g) > 0 && g[len(g)-1] == 0 {
		g = g[:len(g)-1]
	}
	sign := uint16(numericPos)
	if len(g) == 0 {
		weight = 0
	} else if neg {
		sign = numericNeg
	}
	dst = appendUint16(dst, uint16(len(g)))
	dst = appendUint16(dst, uint16(int16(weight)))
	dst = appendUint16(dst, sign)
	dst = appendUint16(dst, uint16(scale))
	for _, d := range g {
		dst = appendUint16(dst, uint16(d))
	}
	return dst
}

// appendNumeric128Binary appends numeric_send output of a 128-bit integer
// scaled by 10^-scale.
func appendNumeric128Binary(dst []byte, hi int64, lo uint64, scale int) []byte {
	neg, mhi, mlo := int128Abs(hi, lo)
	var buf [40]byte
	return appendNumericBinary(dst, neg, uint128Digits(&buf, mhi, mlo), scale)
}
