package wire

import (
	"encoding/binary"
	"math"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/keboola/agnes/pgerr"
)

// Renderers of ENUM, LIST/ARRAY, STRUCT, MAP, UNION and the rest.

// ---- ENUM (dictionary)

type dictColumn struct {
	validity
	d      *array.Dictionary
	values column
}

func (c *dictColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.d = a.(*array.Dictionary)
	c.values.bind(c.d.Dictionary())
}

func (c *dictColumn) appendText(dst []byte, i int) []byte {
	return c.values.appendText(dst, c.d.GetValueIndex(i))
}

func (c *dictColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	return c.values.appendBinary(dst, c.d.GetValueIndex(i))
}

func (c *dictColumn) appendJSON(dst []byte, i int) []byte {
	return c.values.appendJSON(dst, c.d.GetValueIndex(i))
}

func (c *dictColumn) canBinary() bool { return c.values.canBinary() }

// ---- LIST, ARRAY → PostgreSQL arrays

// maxArrayDims is PostgreSQL's MAXDIM.
const maxArrayDims = 6

type listArray interface {
	arrow.Array
	ValueOffsets(i int) (start, end int64)
	ListValues() arrow.Array
}

type listColumn struct {
	validity
	a         listArray
	child     column
	childList *listColumn // child when it is itself a list (multi-dim)
	target    uint32
	elemOID   uint32
	scratch   []byte
}

func newListColumn(elem arrow.Field, t colType, opts *encodeOptions) *listColumn {
	c := &listColumn{target: t.oid}
	elemOID, isArray := pgArrayElem[t.oid]
	if !isArray {
		elemOID = oidText
	}
	c.elemOID = elemOID
	_, _, est := arrowExtension(elem)
	switch est.(type) {
	case *arrow.ListType, *arrow.LargeListType, *arrow.FixedSizeListType:
		// a nested list is another dimension of the same array type
		cl := newColumn(elem, colType{oid: t.oid, typmod: t.typmod}, opts)
		c.child = cl
		c.childList, _ = cl.(*listColumn)
	default:
		c.child = newColumn(elem, colType{oid: elemOID, typmod: t.typmod}, opts)
	}
	return c
}

func (c *listColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.a = a.(listArray)
	c.child.bind(c.a.ListValues())
}

func (c *listColumn) appendText(dst []byte, i int) []byte {
	s, e := c.a.ValueOffsets(i)
	dst = append(dst, '{')
	for j := int(s); j < int(e); j++ {
		if j > int(s) {
			dst = append(dst, ',')
		}
		switch {
		case c.child.isNull(j):
			dst = append(dst, "NULL"...)
		case c.childList != nil:
			dst = c.childList.appendText(dst, j)
		default:
			c.scratch = c.child.appendText(c.scratch[:0], j)
			dst = appendArrayElem(dst, c.scratch)
		}
	}
	return append(dst, '}')
}

// shape records the dimensions of value i; it reports false when the
// nested lists are not rectangular (PostgreSQL arrays must be).
func (c *listColumn) shape(i int, dims *[maxArrayDims]int32, ndim *int, level int) bool {
	s, e := c.a.ValueOffsets(i)
	n := int32(e - s)
	if level == *ndim {
		if level >= maxArrayDims {
			return false
		}
		dims[level] = n
		*ndim++
	} else if dims[level] != n {
		return false
	}
	if c.childList != nil {
		for j := int(s); j < int(e); j++ {
			if c.child.isNull(j) || !c.childList.shape(j, dims, ndim, level+1) {
				return false
			}
		}
	}
	return true
}

// appendElems appends the scalar elements of value i in row-major order.
func (c *listColumn) appendElems(dst []byte, i int, hasNull *bool) ([]byte, error) {
	s, e := c.a.ValueOffsets(i)
	var err error
	for j := int(s); j < int(e); j++ {
		if c.childList != nil {
			if dst, err = c.childList.appendElems(dst, j, hasNull); err != nil {
				return dst, err
			}
			continue
		}
		if c.child.isNull(j) {
			*hasNull = true
			dst = appendUint32(dst, math.MaxUint32)
			continue
		}
		p := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		if dst, err = c.child.appendBinary(dst, j); err != nil {
			return dst, err
		}
		binary.BigEndian.PutUint32(dst[p:], uint32(len(dst)-p-4))
	}
	return dst, nil
}

func (c *listColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	var dims [maxArrayDims]int32
	ndim := 0
	if !c.shape(i, &dims, &ndim, 0) {
		return dst, pgerr.New(pgerr.ArraySubscriptError,
			"multidimensional arrays must have array expressions with matching dimensions")
	}
	empty := false
	for k := 0; k < ndim; k++ {
		if dims[k] == 0 {
			empty = true
		}
	}
	if empty {
		dst = appendUint32(dst, 0)
		dst = appendUint32(dst, 0)
		return appendUint32(dst, c.elemOID), nil
	}
	dst = appendUint32(dst, uint32(ndim))
	flagPos := len(dst)
	dst = appendUint32(dst, 0)
	dst = appendUint32(dst, c.elemOID)
	for k := 0; k < ndim; k++ {
		dst = appendUint32(dst, uint32(dims[k]))
		dst = appendUint32(dst, 1)
	}
	hasNull := false
	dst, err := c.appendElems(dst, i, &hasNull)
	if hasNull {
		binary.BigEndian.PutUint32(dst[flagPos:], 1)
	}
	return dst, err
}

func (c *listColumn) appendJSON(dst []byte, i int) []byte {
	s, e := c.a.ValueOffsets(i)
	dst = append(dst, '[')
	for j := int(s); j < int(e); j++ {
		if j > int(s) {
			dst = append(dst, ',')
		}
		if c.child.isNull(j) {
			dst = append(dst, "null"...)
			continue
		}
		dst = c.child.appendJSON(dst, j)
	}
	return append(dst, ']')
}

func (c *listColumn) canBinary() bool {
	_, isArray := pgArrayElem[c.target]
	return isArray && c.child.canBinary()
}

// ---- STRUCT → json

type structColumn struct {
	validity
	fields []column
	names  []string
	target uint32
}

func (c *structColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	s := a.(*array.Struct)
	for k, f := range c.fields {
		f.bind(s.Field(k))
	}
}

func (c *structColumn) appendJSON(dst []byte, i int) []byte {
	dst = append(dst, '{')
	for k, f := range c.fields {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, c.names[k])
		dst = append(dst, ':')
		if f.isNull(i) {
			dst = append(dst, "null"...)
		} else {
			dst = f.appendJSON(dst, i)
		}
	}
	return append(dst, '}')
}

func (c *structColumn) appendText(dst []byte, i int) []byte { return c.appendJSON(dst, i) }

func (c *structColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	if c.target == oidJSONB {
		dst = append(dst, 1)
	}
	return c.appendJSON(dst, i), nil
}

func (c *structColumn) canBinary() bool { return isTextLike(c.target) || c.target == oidJSONB }

// ---- MAP → json object

type mapColumn struct {
	validity
	a       *array.Map
	keys    column
	items   column
	target  uint32
	scratch []byte
}

func (c *mapColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.a = a.(*array.Map)
	c.keys.bind(c.a.Keys())
	c.items.bind(c.a.Items())
}

func (c *mapColumn) appendJSON(dst []byte, i int) []byte {
	s, e := c.a.ValueOffsets(i)
	dst = append(dst, '{')
	for j := int(s); j < int(e); j++ {
		if j > int(s) {
			dst = append(dst, ',')
		}
		c.scratch = c.scratch[:0]
		if !c.keys.isNull(j) {
			c.scratch = c.keys.appendText(c.scratch, j)
		}
		dst = appendJSONString(dst, c.scratch)
		dst = append(dst, ':')
		if c.items.isNull(j) {
			dst = append(dst, "null"...)
		} else {
			dst = c.items.appendJSON(dst, j)
		}
	}
	return append(dst, '}')
}

func (c *mapColumn) appendText(dst []byte, i int) []byte { return c.appendJSON(dst, i) }

func (c *mapColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	if c.target == oidJSONB {
		dst = append(dst, 1)
	}
	return c.appendJSON(dst, i), nil
}

func (c *mapColumn) canBinary() bool { return isTextLike(c.target) || c.target == oidJSONB }

// ---- UNION → the member's text

type unionColumn struct {
	members []column
	u       array.Union
	dense   *array.DenseUnion
	target  uint32
}

func (c *unionColumn) bind(a arrow.Array) {
	a = storage(a)
	c.u = a.(array.Union)
	c.dense, _ = a.(*array.DenseUnion)
	for k, m := range c.members {
		m.bind(c.u.Field(k))
	}
}

func (c *unionColumn) member(i int) (column, int) {
	m := c.members[c.u.ChildID(i)]
	if c.dense != nil {
		return m, int(c.dense.ValueOffset(i))
	}
	return m, i
}

func (c *unionColumn) isNull(i int) bool {
	m, j := c.member(i)
	return m.isNull(j)
}

func (c *unionColumn) appendText(dst []byte, i int) []byte {
	m, j := c.member(i)
	return m.appendText(dst, j)
}

func (c *unionColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	return c.appendText(dst, i), nil
}

func (c *unionColumn) appendJSON(dst []byte, i int) []byte {
	m, j := c.member(i)
	return m.appendJSON(dst, j)
}

func (c *unionColumn) canBinary() bool { return isTextLike(c.target) }

// ---- NULL

type nullColumn struct{}

func (nullColumn) bind(arrow.Array)                               {}
func (nullColumn) isNull(int) bool                                { return true }
func (nullColumn) appendText(dst []byte, _ int) []byte            { return dst }
func (nullColumn) appendBinary(dst []byte, _ int) ([]byte, error) { return dst, nil }
func (nullColumn) appendJSON(dst []byte, _ int) []byte            { return append(dst, "null"...) }
func (nullColumn) canBinary() bool                                { return true }

// ---- anything else: Arrow's own text form

type fallbackColumn struct {
	validity
	a      arrow.Array
	target uint32
}

func (c *fallbackColumn) bind(a arrow.Array) {
	a = storage(a)
	c.setValidity(a)
	c.a = a
}

func (c *fallbackColumn) appendText(dst []byte, i int) []byte {
	return append(dst, c.a.ValueStr(i)...)
}

func (c *fallbackColumn) appendBinary(dst []byte, i int) ([]byte, error) {
	return c.appendText(dst, i), nil
}

func (c *fallbackColumn) appendJSON(dst []byte, i int) []byte {
	return appendJSONString(dst, c.a.ValueStr(i))
}

func (c *fallbackColumn) canBinary() bool { return isTextLike(c.target) }
