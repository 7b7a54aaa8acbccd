package wire

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// Renderers of the date and time types.

// ---- TIMETZ (arrow.opaque fixed_size_binary[8]: DuckDB dtime_tz_t, the
// upper 40 bits microseconds, the lower 24 bits 57599 - offset seconds)

type timetzColumn struct {
	validity
	a      *array.FixedSizeBinary
	target uint32
}

const timetzMaxOffset = 16*60*60 - 1

func (c *timetzColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.a = a.(*array.FixedSizeBinary)
}

func (c *timetzColumn) parts(i int) (us int64, off int) {
	v := binary.LittleEndian.Uint64(c.a.Value(i))
	return int64(v >> 24), timetzMaxOffset - int(v&0xFFFFFF)
}

func (c *timetzColumn) appendText(dst []byte, i int) []byte {
	us, off := c.parts(i)
	return appendTimetz(dst, us, off)
}

func (c *timetzColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	us, off := c.parts(i)
	switch c.target {
	case oidTimetz:
		dst = appendUint64(dst, uint64(us))
		return appendUint32(dst, uint32(int32(-off))), nil
	case oidTime:
		return appendUint64(dst, uint64(us)), nil
	}
	return c.appendText(dst, i), nil
}

func (c *timetzColumn) appendJSON(dst []byte, i int) []byte {
	dst = append(dst, '"')
	dst = c.appendText(dst, i)
	return append(dst, '"')
}

func (c *timetzColumn) canBinary() bool {
	return c.target == oidTimetz || c.target == oidTime || isTextLike(c.target)
}

// ---- DATE

type dateColumn struct {
	validity
	d32    []arrow.Date32
	d64    []arrow.Date64
	target uint32
	millis bool
}

func (c *dateColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	if c.millis {
		c.d64 = a.(*array.Date64).Values()
	} else {
		c.d32 = a.(*array.Date32).Values()
	}
}

func (c *dateColumn) days(i int) int64 {
	if c.millis {
		ms := int64(c.d64[i])
		d := ms / 86_400_000
		if ms%86_400_000 < 0 {
			d--
		}
		return d
	}
	return int64(c.d32[i])
}

func (c *dateColumn) appendText(dst []byte, i int) []byte { return appendDate(dst, c.days(i)) }

func (c *dateColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	switch c.target {
	case oidDate:
		return appendUint32(dst, uint32(pgDateFromUnixDays(c.days(i)))), nil
	case oidTimestamp, oidTimestamptz:
		d := c.days(i)
		if d >= dateInfinity || d <= dateNegInf {
			return appendUint64(dst, uint64(pgTimestampFromUnixMicros(d))), nil
		}
		return appendUint64(dst, uint64(pgTimestampFromUnixMicros(d*microsPerDay))), nil
	}
	return c.appendText(dst, i), nil
}

func (c *dateColumn) appendJSON(dst []byte, i int) []byte {
	dst = append(dst, '"')
	dst = c.appendText(dst, i)
	return append(dst, '"')
}

func (c *dateColumn) canBinary() bool {
	return c.target == oidDate || c.target == oidTimestamp || c.target == oidTimestamptz || isTextLike(c.target)
}

// ---- TIME

type timeColumn struct {
	validity
	t32    []arrow.Time32
	t64    []arrow.Time64
	target uint32
	unit   arrow.TimeUnit
	tz     bool // sent as timetz (+00): DuckDB TIMETZ without lossless Arrow
}

func (c *timeColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	switch v := a.(type) {
	case *array.Time32:
		c.t32 = v.Values()
	case *array.Time64:
		c.t64 = v.Values()
	}
}

func (c *timeColumn) micros(i int) int64 {
	var v int64
	if c.t64 != nil {
		v = int64(c.t64[i])
	} else {
		v = int64(c.t32[i])
	}
	switch c.unit {
	case arrow.Second:
		return v * microsPerSec
	case arrow.Millisecond:
		return v * 1000
	case arrow.Nanosecond:
		return v / 1000
	}
	return v
}

func (c *timeColumn) appendText(dst []byte, i int) []byte {
	if c.tz {
		return appendTimetz(dst, c.micros(i), 0)
	}
	return appendClock(dst, c.micros(i))
}

func (c *timeColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	switch c.target {
	case oidTime:
		return appendUint64(dst, uint64(c.micros(i))), nil
	case oidTimetz:
		dst = appendUint64(dst, uint64(c.micros(i)))
		return appendUint32(dst, 0), nil
	}
	return c.appendText(dst, i), nil
}

func (c *timeColumn) appendJSON(dst []byte, i int) []byte {
	dst = append(dst, '"')
	dst = c.appendText(dst, i)
	return append(dst, '"')
}

func (c *timeColumn) canBinary() bool {
	return c.target == oidTime || c.target == oidTimetz || isTextLike(c.target)
}

// ---- TIMESTAMP, TIMESTAMPTZ

type timestampColumn struct {
	validity
	vals   []arrow.Timestamp
	target uint32
	unit   arrow.TimeUnit
	tz     bool
	zone   *zoneCache
}

func (c *timestampColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.vals = a.(*array.Timestamp).Values()
}

// micros returns microseconds since 1970, keeping DuckDB's infinities.
func (c *timestampColumn) micros(i int) int64 {
	v := int64(c.vals[i])
	if v == math.MaxInt64 || v <= -math.MaxInt64 {
		return v
	}
	switch c.unit {
	case arrow.Second:
		return v * microsPerSec
	case arrow.Millisecond:
		return v * 1000
	case arrow.Nanosecond:
		q := v / 1000
		if v%1000 < 0 {
			q--
		}
		return q
	}
	return v
}

func (c *timestampColumn) appendText(dst []byte, i int) []byte {
	if c.tz {
		return appendTimestamptz(dst, c.micros(i), c.zone)
	}
	return appendTimestamp(dst, c.micros(i))
}

func (c *timestampColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	switch c.target {
	case oidTimestamp, oidTimestamptz:
		return appendUint64(dst, uint64(pgTimestampFromUnixMicros(c.micros(i)))), nil
	case oidDate:
		us := c.micros(i)
		days, _ := splitMicros(us)
		if us == tsInfinity {
			days = dateInfinity
		} else if us <= tsNegInfDuckDB {
			days = dateNegInf
		}
		return appendUint32(dst, uint32(pgDateFromUnixDays(days))), nil
	}
	return c.appendText(dst, i), nil
}

func (c *timestampColumn) appendJSON(dst []byte, i int) []byte {
	dst = append(dst, '"')
	dst = c.appendText(dst, i)
	return append(dst, '"')
}

func (c *timestampColumn) canBinary() bool {
	return c.target == oidTimestamp || c.target == oidTimestamptz || c.target == oidDate || isTextLike(c.target)
}

// ---- INTERVAL

type intervalColumn struct {
	validity
	mdn      []arrow.MonthDayNanoInterval
	dt       []arrow.DayTimeInterval
	m        []arrow.MonthInterval
	dur      []arrow.Duration
	target   uint32
	unit     arrow.TimeUnit
	duration bool
}

func (c *intervalColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.mdn, c.dt, c.m, c.dur = nil, nil, nil, nil
	switch v := a.(type) {
	case *array.MonthDayNanoInterval:
		c.mdn = v.MonthDayNanoIntervalValues()
	case *array.DayTimeInterval:
		c.dt = v.DayTimeIntervalValues()
	case *array.MonthInterval:
		c.m = v.MonthIntervalValues()
	case *array.Duration:
		c.dur = v.DurationValues()
	}
}

func (c *intervalColumn) parts(i int) (months, days int32, us int64) {
	switch {
	case c.mdn != nil:
		v := c.mdn[i]
		return v.Months, v.Days, v.Nanoseconds / 1000
	case c.dt != nil:
		v := c.dt[i]
		return 0, v.Days, int64(v.Milliseconds) * 1000
	case c.m != nil:
		return int32(c.m[i]), 0, 0
	}
	v := int64(c.dur[i])
	switch c.unit {
	case arrow.Second:
		return 0, 0, v * microsPerSec
	case arrow.Millisecond:
		return 0, 0, v * 1000
	case arrow.Nanosecond:
		return 0, 0, v / 1000
	}
	return 0, 0, v
}

func (c *intervalColumn) appendText(dst []byte, i int) []byte {
	m, d, us := c.parts(i)
	return appendInterval(dst, m, d, us)
}

func (c *intervalColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	if c.target != oidInterval {
		return c.appendText(dst, i), nil
	}
	m, d, us := c.parts(i)
	dst = appendUint64(dst, uint64(us))
	dst = appendUint32(dst, uint32(d))
	return appendUint32(dst, uint32(m)), nil
}

func (c *intervalColumn) appendJSON(dst []byte, i int) []byte {
	dst = append(dst, '"')
	dst = c.appendText(dst, i)
	return append(dst, '"')
}

func (c *intervalColumn) canBinary() bool { return c.target == oidInterval || isTextLike(c.target) }
