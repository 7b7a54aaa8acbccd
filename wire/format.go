package wire

import (
	"math"
	"math/bits"
	"strconv"
	"time"
)

// Text forms of values exactly as PostgreSQL 16 prints them with its default
// settings (DateStyle ISO, IntervalStyle postgres, extra_float_digits 1).
// Every function appends to dst and allocates nothing.

const (
	// pgEpochDays is 2000-01-01 in days since 1970-01-01.
	pgEpochDays = 10957
	// pgEpochMicros is 2000-01-01 in microseconds since 1970-01-01.
	pgEpochMicros  = pgEpochDays * microsPerDay
	microsPerDay   = 86_400_000_000
	microsPerHour  = 3_600_000_000
	microsPerMin   = 60_000_000
	microsPerSec   = 1_000_000
	dateInfinity   = math.MaxInt32  // DuckDB and PostgreSQL date 'infinity'
	dateNegInf     = -math.MaxInt32 // DuckDB date '-infinity'
	tsInfinity     = math.MaxInt64  // DuckDB and PostgreSQL timestamp 'infinity'
	tsNegInfDuckDB = -math.MaxInt64 // DuckDB timestamp '-infinity'
)

const hexDigits = "0123456789abcdef"

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian
// date (H. Hinnant's algorithm); year 0 is 1 BC.
func civilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 && z%146097 != 0 {
		era--
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// daysFromCivil is the inverse of civilFromDays.
func daysFromCivil(y int64, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := int64(m + 9)
	if m > 2 {
		mp = int64(m - 3)
	}
	doy := (153*mp+2)/5 + int64(d) - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

func append2(dst []byte, v int) []byte {
	return append(dst, byte('0'+v/10), byte('0'+v%10))
}

// appendYMD appends YYYY-MM-DD for a proleptic year (BC years are printed
// as their positive number; the caller appends " BC").
func appendYMD(dst []byte, y int64, m, d int) []byte {
	if y <= 0 {
		y = 1 - y
	}
	if y < 10000 {
		dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10))
	} else {
		dst = strconv.AppendInt(dst, y, 10)
	}
	dst = append(dst, '-')
	dst = append2(dst, m)
	dst = append(dst, '-')
	return append2(dst, d)
}

// appendDate appends a date given in days since 1970-01-01.
func appendDate(dst []byte, days int64) []byte {
	switch {
	case days >= dateInfinity:
		return append(dst, "infinity"...)
	case days <= dateNegInf:
		return append(dst, "-infinity"...)
	}
	y, m, d := civilFromDays(days)
	dst = appendYMD(dst, y, m, d)
	if y <= 0 {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendFraction appends .ffffff for microseconds, trailing zeros trimmed,
// nothing when zero.
func appendFraction(dst []byte, us int64) []byte {
	if us == 0 {
		return dst
	}
	var buf [7]byte
	buf[0] = '.'
	for i := 6; i >= 1; i-- {
		buf[i] = byte('0' + us%10)
		us /= 10
	}
	n := 7
	for buf[n-1] == '0' {
		n--
	}
	return append(dst, buf[:n]...)
}

// appendClock appends HH:MM:SS[.ffffff] for microseconds since midnight.
func appendClock(dst []byte, us int64) []byte {
	h := us / microsPerHour
	us -= h * microsPerHour
	mi := us / microsPerMin
	us -= mi * microsPerMin
	s := us / microsPerSec
	us -= s * microsPerSec
	if h < 100 {
		dst = append2(dst, int(h))
	} else {
		dst = strconv.AppendInt(dst, h, 10)
	}
	dst = append(dst, ':')
	dst = append2(dst, int(mi))
	dst = append(dst, ':')
	dst = append2(dst, int(s))
	return appendFraction(dst, us)
}

// splitMicros splits microseconds since 1970 into days and time of day.
func splitMicros(us int64) (days, tod int64) {
	days = us / microsPerDay
	tod = us % microsPerDay
	if tod < 0 {
		tod += microsPerDay
		days--
	}
	return days, tod
}

// appendTimestamp appends a timestamp without time zone given in
// microseconds since 1970-01-01.
func appendTimestamp(dst []byte, us int64) []byte {
	switch {
	case us == tsInfinity:
		return append(dst, "infinity"...)
	case us <= tsNegInfDuckDB:
		return append(dst, "-infinity"...)
	}
	days, tod := splitMicros(us)
	y, m, d := civilFromDays(days)
	dst = appendYMD(dst, y, m, d)
	dst = append(dst, ' ')
	dst = appendClock(dst, tod)
	if y <= 0 {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendOffset appends a UTC offset the way PostgreSQL prints it: +HH,
// +HH:MM or +HH:MM:SS.
func appendOffset(dst []byte, off int) []byte {
	if off < 0 {
		dst = append(dst, '-')
		off = -off
	} else {
		dst = append(dst, '+')
	}
	dst = append2(dst, off/3600)
	if rem := off % 3600; rem != 0 {
		dst = append(dst, ':')
		dst = append2(dst, rem/60)
		if s := rem % 60; s != 0 {
			dst = append(dst, ':')
			dst = append2(dst, s)
		}
	}
	return dst
}

// zoneCache renders instants in one time zone, remembering the offset of
// the last zone period so that consecutive values cost no lookup.
type zoneCache struct {
	loc        *time.Location
	utc        bool
	start, end int64 // validity of offset, unix seconds [start, end)
	offset     int
}

func newZoneCache(loc *time.Location) *zoneCache {
	if loc == nil {
		loc = time.UTC
	}
	return &zoneCache{loc: loc, utc: loc == time.UTC}
}

func (z *zoneCache) offsetAt(unix int64) int {
	if z.utc {
		return 0
	}
	if unix >= z.start && unix < z.end {
		return z.offset
	}
	t := time.Unix(unix, 0).In(z.loc)
	_, off := t.Zone()
	s, e := t.ZoneBounds()
	z.offset = off
	z.start, z.end = math.MinInt64, math.MaxInt64
	if !s.IsZero() {
		z.start = s.Unix()
	}
	if !e.IsZero() {
		z.end = e.Unix()
	}
	return off
}

// appendTimestamptz appends an instant (microseconds since 1970 UTC) in
// the session time zone, e.g. 2024-01-02 04:04:05.5+01.
func appendTimestamptz(dst []byte, us int64, z *zoneCache) []byte {
	switch {
	case us == tsInfinity:
		return append(dst, "infinity"...)
	case us <= tsNegInfDuckDB:
		return append(dst, "-infinity"...)
	}
	sec := us / microsPerSec
	if us%microsPerSec < 0 {
		sec--
	}
	off := z.offsetAt(sec)
	local := us + int64(off)*microsPerSec
	days, tod := splitMicros(local)
	y, m, d := civilFromDays(days)
	dst = appendYMD(dst, y, m, d)
	dst = append(dst, ' ')
	dst = appendClock(dst, tod)
	dst = appendOffset(dst, off)
	if y <= 0 {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendTimetz appends time with time zone: 01:02:03+02.
func appendTimetz(dst []byte, us int64, offsetSec int) []byte {
	dst = appendClock(dst, us)
	return appendOffset(dst, offsetSec)
}

func appendIntervalPart(dst []byte, v int64, unit string, zero, before *bool) []byte {
	if v == 0 {
		return dst
	}
	if !*zero {
		dst = append(dst, ' ')
	}
	if *before && v > 0 {
		dst = append(dst, '+')
	}
	dst = strconv.AppendInt(dst, v, 10)
	dst = append(dst, ' ')
	dst = append(dst, unit...)
	if v != 1 {
		dst = append(dst, 's')
	}
	*before = v < 0
	*zero = false
	return dst
}

// appendInterval appends an interval in IntervalStyle postgres:
// "1 year 2 mons 3 days 04:05:06.5", "-1 days +02:00:00", "00:00:00".
func appendInterval(dst []byte, months, days int32, us int64) []byte {
	zero, before := true, false
	dst = appendIntervalPart(dst, int64(months/12), "year", &zero, &before)
	dst = appendIntervalPart(dst, int64(months%12), "mon", &zero, &before)
	dst = appendIntervalPart(dst, int64(days), "day", &zero, &before)
	if zero || us != 0 {
		if !zero {
			dst = append(dst, ' ')
		}
		if us < 0 {
			dst = append(dst, '-')
			if us == math.MinInt64 {
				us = math.MaxInt64
			} else {
				us = -us
			}
		} else if before {
			dst = append(dst, '+')
		}
		dst = appendClock(dst, us)
	}
	return dst
}

// appendFloat appends a float the way PostgreSQL 12+ prints float4/float8
// with extra_float_digits = 1: the shortest text that reads back exactly,
// in fixed notation for decimal exponents in [-4, 15) (float8) or [-4, 6)
// (float4), else d.ddde±XX.
func appendFloat(dst []byte, f float64, bitSize int) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	}
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], f, 'e', -1, bitSize)
	// s is [-]d[.ddd]e±XX
	neg := s[0] == '-'
	if neg {
		s = s[1:]
	}
	epos := 0
	for epos < len(s) && s[epos] != 'e' {
		epos++
	}
	exp := 0
	for _, c := range s[epos+2:] {
		exp = exp*10 + int(c-'0')
	}
	if s[epos+1] == '-' {
		exp = -exp
	}
	limit := 15
	if bitSize == 32 {
		limit = 6
	}
	if neg {
		dst = append(dst, '-')
	}
	if exp < -4 || exp >= limit {
		return append(dst, s...)
	}
	// collect the significant digits
	var digits [24]byte
	n := 0
	for _, c := range s[:epos] {
		if c != '.' {
			digits[n] = c
			n++
		}
	}
	if exp < 0 {
		dst = append(dst, '0', '.')
		for i := 0; i < -exp-1; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits[:n]...)
	}
	if n <= exp+1 {
		dst = append(dst, digits[:n]...)
		for i := n; i <= exp; i++ {
			dst = append(dst, '0')
		}
		return dst
	}
	dst = append(dst, digits[:exp+1]...)
	dst = append(dst, '.')
	return append(dst, digits[exp+1:n]...)
}

// uint128Digits writes the decimal digits of hi:lo into buf (right-aligned)
// and returns them.
func uint128Digits(buf *[40]byte, hi, lo uint64) []byte {
	i := len(buf)
	const chunk = 1e19
	for hi != 0 {
		var r uint64
		qhi := hi / chunk
		r = hi % chunk
		qlo, rem := bits.Div64(r, lo, chunk)
		hi, lo = qhi, qlo
		for k := 0; k < 19; k++ {
			i--
			buf[i] = byte('0' + rem%10)
			rem /= 10
		}
	}
	for {
		i--
		buf[i] = byte('0' + lo%10)
		lo /= 10
		if lo == 0 {
			break
		}
	}
	// strip leading zeros produced by full 19-digit chunks
	for i < len(buf)-1 && buf[i] == '0' {
		i++
	}
	return buf[i:]
}

// int128Abs splits a two's complement 128-bit integer into sign and magnitude.
func int128Abs(hi int64, lo uint64) (neg bool, mhi, mlo uint64) {
	if hi >= 0 {
		return false, uint64(hi), lo
	}
	mlo, borrow := bits.Sub64(0, lo, 0)
	mhi, _ = bits.Sub64(0, uint64(hi), borrow)
	return true, mhi, mlo
}

// appendScaledDigits appends digits (no sign) with a decimal point placed
// scale digits from the right: numeric text output.
func appendScaledDigits(dst []byte, neg bool, digits []byte, scale int) []byte {
	if neg && !(len(digits) == 1 && digits[0] == '0') {
		dst = append(dst, '-')
	}
	if scale <= 0 {
		return append(dst, digits...)
	}
	if len(digits) <= scale {
		dst = append(dst, '0', '.')
		for i := len(digits); i < scale; i++ {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[:len(digits)-scale]...)
	dst = append(dst, '.')
	return append(dst, digits[len(digits)-scale:]...)
}

// appendNumeric128 appends the numeric text of a 128-bit integer scaled by
// 10^-scale (DECIMAL, HUGEINT).
func appendNumeric128(dst []byte, hi int64, lo uint64, scale int) []byte {
	neg, mhi, mlo := int128Abs(hi, lo)
	var buf [40]byte
	return appendScaledDigits(dst, neg, uint128Digits(&buf, mhi, mlo), scale)
}

// appendUUID appends the canonical 8-4-4-4-12 form of 16 bytes.
func appendUUID(dst []byte, b []byte) []byte {
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// appendByteaHex appends bytea_output = hex: \x0102ff.
func appendByteaHex(dst []byte, b []byte) []byte {
	dst = append(dst, '\\', 'x')
	for _, c := range b {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// arrayElemNeedsQuotes reports whether an array element's text must be
// double-quoted in PostgreSQL's array literal syntax.
func arrayElemNeedsQuotes(s []byte) bool {
	if len(s) == 0 {
		return true
	}
	if len(s) == 4 && (s[0]|0x20) == 'n' && (s[1]|0x20) == 'u' && (s[2]|0x20) == 'l' && (s[3]|0x20) == 'l' {
		return true
	}
	for _, c := range s {
		switch c {
		case '{', '}', ',', '"', '\\', ' ', '\t', '\n', '\r', '\v', '\f':
			return true
		}
	}
	return false
}

// appendArrayElem appends one element's text, quoted when needed.
func appendArrayElem(dst []byte, s []byte) []byte {
	if !arrayElemNeedsQuotes(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for _, c := range s {
		if c == '"' || c == '\\' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}

// appendJSONString appends s as a JSON string literal.
func appendJSONString[S string | []byte](dst []byte, s S) []byte {
	dst = append(dst, '"')
	for k := 0; k < len(s); k++ {
		c := s[k]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
