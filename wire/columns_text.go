package wire

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/keboola/agnes/pgerr"
)

// Renderers of VARCHAR, JSON, BLOB, BIT and UUID.

// ---- strings (VARCHAR, JSON, ENUM values, UUID without lossless Arrow)

type stringColumn struct {
	validity
	s      *array.String
	ls     *array.LargeString
	sv     *array.StringView
	target uint32
	json   bool // the values are JSON documents (embedded raw in JSON)
}

func (c *stringColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.s, c.ls, c.sv = nil, nil, nil
	switch v := a.(type) {
	case *array.String:
		c.s = v
	case *array.LargeString:
		c.ls = v
	case *array.StringView:
		c.sv = v
	}
}

func (c *stringColumn) value(i int) string {
	switch {
	case c.s != nil:
		return c.s.Value(i)
	case c.ls != nil:
		return c.ls.Value(i)
	}
	return c.sv.Value(i)
}

func (c *stringColumn) appendText(dst []byte, i int) []byte {
	return append(dst, c.value(i)...)
}

func (c *stringColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	switch c.target {
	case oidJSONB:
		dst = append(dst, 1)
	case oidUUID:
		var u [16]byte
		if !parseUUID(c.value(i), &u) {
			return dst, pgerr.New(pgerr.InvalidTextRepresentation, "invalid input syntax for type uuid: %q", c.value(i))
		}
		return append(dst, u[:]...), nil
	}
	return append(dst, c.value(i)...), nil
}

func (c *stringColumn) appendJSON(dst []byte, i int) []byte {
	if c.json {
		return append(dst, c.value(i)...)
	}
	return appendJSONString(dst, c.value(i))
}

func (c *stringColumn) canBinary() bool {
	return isTextLike(c.target) || c.target == oidJSONB || c.target == oidUUID || c.target == oidBytea
}

// parseUUID parses the canonical (or hyphen-less) text form of a UUID.
func parseUUID(s string, u *[16]byte) bool {
	j := 0
	for i := 0; i < len(s); {
		if s[i] == '-' {
			i++
			continue
		}
		if j == 16 || i+1 >= len(s) {
			return false
		}
		h, ok1 := unhex(s[i])
		l, ok2 := unhex(s[i+1])
		if !ok1 || !ok2 {
			return false
		}
		u[j] = h<<4 | l
		j++
		i += 2
	}
	return j == 16
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// ---- BLOB

type blobColumn struct {
	validity
	a      interface{ Value(int) []byte }
	target uint32
}

func (c *blobColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.a = a.(interface{ Value(int) []byte })
}

func (c *blobColumn) appendText(dst []byte, i int) []byte {
	return appendByteaHex(dst, c.a.Value(i))
}

func (c *blobColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	if c.target == oidBytea {
		return append(dst, c.a.Value(i)...), nil
	}
	return c.appendText(dst, i), nil
}

func (c *blobColumn) appendJSON(dst []byte, i int) []byte {
	var buf [64]byte
	return appendJSONString(dst, appendByteaHex(buf[:0], c.a.Value(i)))
}

func (c *blobColumn) canBinary() bool { return c.target == oidBytea || isTextLike(c.target) }

// ---- BIT (arrow.opaque binary: padding count byte, then bits MSB first)

type bitColumn struct {
	validity
	a      interface{ Value(int) []byte }
	target uint32
}

func (c *bitColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.a = a.(interface{ Value(int) []byte })
}

// bits calls f for each bit of value i.
func (c *bitColumn) bitLen(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	return (len(b)-1)*8 - int(b[0])
}

func bitAt(b []byte, k int) bool {
	pos := int(b[0]) + k
	return b[1+pos/8]&(0x80>>(pos%8)) != 0
}

func (c *bitColumn) appendText(dst []byte, i int) []byte {
	b := c.a.Value(i)
	for k := 0; k < c.bitLen(b); k++ {
		if bitAt(b, k) {
			dst = append(dst, '1')
		} else {
			dst = append(dst, '0')
		}
	}
	return dst
}

func (c *bitColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	if c.target != oidVarbit && c.target != oidBit {
		return c.appendText(dst, i), nil
	}
	b := c.a.Value(i)
	n := c.bitLen(b)
	dst = appendUint32(dst, uint32(n))
	var cur byte
	for k := 0; k < n; k++ {
		if bitAt(b, k) {
			cur |= 0x80 >> (k % 8)
		}
		if k%8 == 7 {
			dst = append(dst, cur)
			cur = 0
		}
	}
	if n%8 != 0 {
		dst = append(dst, cur)
	}
	return dst, nil
}

func (c *bitColumn) appendJSON(dst []byte, i int) []byte {
	dst = append(dst, '"')
	dst = c.appendText(dst, i)
	return append(dst, '"')
}

func (c *bitColumn) canBinary() bool {
	return c.target == oidVarbit || c.target == oidBit || isTextLike(c.target)
}

// ---- UUID (arrow.uuid fixed_size_binary[16])

type uuidColumn struct {
	validity
	a      *array.FixedSizeBinary
	target uint32
}

func (c *uuidColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.a = a.(*array.FixedSizeBinary)
}

func (c *uuidColumn) appendText(dst []byte, i int) []byte { return appendUUID(dst, c.a.Value(i)) }

func (c *uuidColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	if c.target == oidUUID {
		return append(dst, c.a.Value(i)...), nil
	}
	return c.appendText(dst, i), nil
}

func (c *uuidColumn) appendJSON(dst []byte, i int) []byte {
	dst = append(dst, '"')
	dst = c.appendText(dst, i)
	return append(dst, '"')
}

func (c *uuidColumn) canBinary() bool { return c.target == oidUUID || isTextLike(c.target) }
