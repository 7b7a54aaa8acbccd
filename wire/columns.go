package wire

import (
	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"

	"github.com/keboola/agnes/pgerr"
)

// column renders the values of one Arrow column, batch after batch, in
// PostgreSQL's text and binary forms and as JSON (for STRUCT/MAP members).
// bind is called once per batch; the other methods once per value and
// must not allocate. isNull is checked by the caller before the append
// methods, which therefore only see non-null values.
type column interface {
	bind(a arrow.Array)
	isNull(i int) bool
	appendText(dst []byte, i int) []byte
	appendBinary(dst []byte, i int) ([]byte, error)
	appendJSON(dst []byte, i int) []byte
	// canBinary reports whether appendBinary supports the column's
	// PostgreSQL type.
	canBinary() bool
}

// encodeOptions are the session settings that change how values print.
type encodeOptions struct {
	zone *zoneCache // TimeZone, for timestamptz text
}

// storage unwraps extension arrays (registered Arrow extension types) to
// the array holding the data.
func storage(a arrow.Array) arrow.Array {
	if ea, ok := a.(array.ExtensionArray); ok {
		return ea.Storage()
	}
	return a
}

// validity is the null bitmap of the bound array.
type validity struct {
	bitmap []byte
	offset int
}

func (v *validity) setValidity(a arrow.Array) {
	if a.NullN() == 0 {
		v.bitmap = nil
		return
	}
	v.bitmap = a.NullBitmapBytes()
	v.offset = a.Data().Offset()
}

func (v *validity) isNull(i int) bool {
	if v.bitmap == nil {
		return false
	}
	j := v.offset + i
	return v.bitmap[j>>3]&(1<<(j&7)) == 0
}

func errOutOfRange(typ string) error {
	return pgerr.New(pgerr.NumericValueOutOfRange, "%s out of range", typ)
}

// newColumn picks the renderer for an Arrow field sent as PostgreSQL type t.
func newColumn(f arrow.Field, t colType, opts *encodeOptions) column {
	ext, opaque, st := arrowExtension(f)
	switch ext {
	case extUUID:
		if fsb, ok := st.(*arrow.FixedSizeBinaryType); ok && fsb.ByteWidth == 16 {
			return &uuidColumn{target: t.oid}
		}
	case extJSON:
		return &stringColumn{target: t.oid, json: true}
	case extBool8:
		if _, ok := st.(*arrow.Int8Type); ok {
			return &boolColumn{target: t.oid, bool8: true}
		}
	case extOpaque:
		switch opaque {
		case opaqueHugeint, opaqueUHuge:
			return &int128Column{target: t.oid, unsigned: opaque == opaqueUHuge}
		case opaqueTimeTZ:
			return &timetzColumn{target: t.oid}
		case opaqueBit:
			return &bitColumn{target: t.oid}
		case opaqueBignum:
			return &bignumColumn{target: t.oid}
		}
	}
	switch dt := st.(type) {
	case *arrow.BooleanType:
		return &boolColumn{target: t.oid}
	case *arrow.Int8Type:
		return newIntColumn[int8](t.oid)
	case *arrow.Int16Type:
		return newIntColumn[int16](t.oid)
	case *arrow.Int32Type:
		return newIntColumn[int32](t.oid)
	case *arrow.Int64Type:
		return newIntColumn[int64](t.oid)
	case *arrow.Uint8Type:
		return newIntColumn[uint8](t.oid)
	case *arrow.Uint16Type:
		return newIntColumn[uint16](t.oid)
	case *arrow.Uint32Type:
		return newIntColumn[uint32](t.oid)
	case *arrow.Uint64Type:
		return newIntColumn[uint64](t.oid)
	case *arrow.Float32Type:
		return &floatColumn[float32]{target: t.oid, bits: 32}
	case *arrow.Float64Type:
		return &floatColumn[float64]{target: t.oid, bits: 64}
	case *arrow.Decimal128Type:
		return &decimalColumn{target: t.oid, scale: int(dt.Scale)}
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return &stringColumn{target: t.oid, json: t.oid == oidJSON || t.oid == oidJSONB}
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType, *arrow.FixedSizeBinaryType:
		if t.oid == oidVarbit || t.oid == oidBit {
			return &bitColumn{target: t.oid} // BIT without lossless Arrow
		}
		return &blobColumn{target: t.oid}
	case *arrow.Date32Type:
		return &dateColumn{target: t.oid}
	case *arrow.Date64Type:
		return &dateColumn{target: t.oid, millis: true}
	case *arrow.Time32Type:
		return &timeColumn{target: t.oid, unit: dt.Unit, tz: t.oid == oidTimetz}
	case *arrow.Time64Type:
		return &timeColumn{target: t.oid, unit: dt.Unit, tz: t.oid == oidTimetz}
	case *arrow.TimestampType:
		tz := dt.TimeZone != "" || t.oid == oidTimestamptz
		return &timestampColumn{target: t.oid, unit: dt.Unit, tz: tz, zone: opts.zone}
	case *arrow.MonthDayNanoIntervalType, *arrow.DayTimeIntervalType, *arrow.MonthIntervalType:
		return &intervalColumn{target: t.oid}
	case *arrow.DurationType:
		return &intervalColumn{target: t.oid, unit: dt.Unit, duration: true}
	case *arrow.DictionaryType:
		vf := arrow.Field{Name: f.Name, Type: dt.ValueType, Nullable: true}
		return &dictColumn{values: newColumn(vf, t, opts)}
	case *arrow.ListType:
		return newListColumn(dt.ElemField(), t, opts)
	case *arrow.LargeListType:
		return newListColumn(dt.ElemField(), t, opts)
	case *arrow.FixedSizeListType:
		return newListColumn(dt.ElemField(), t, opts)
	case *arrow.MapType:
		return &mapColumn{
			target: t.oid,
			keys:   newColumn(dt.KeyField(), pgTypeOfArrow(dt.KeyField()), opts),
			items:  newColumn(dt.ItemField(), pgTypeOfArrow(dt.ItemField()), opts),
		}
	case *arrow.StructType:
		c := &structColumn{target: t.oid}
		for _, cf := range dt.Fields() {
			c.names = append(c.names, cf.Name)
			c.fields = append(c.fields, newColumn(cf, pgTypeOfArrow(cf), opts))
		}
		return c
	case *arrow.SparseUnionType, *arrow.DenseUnionType:
		ut := dt.(arrow.UnionType)
		c := &unionColumn{target: t.oid}
		for _, cf := range ut.Fields() {
			c.members = append(c.members, newColumn(cf, pgTypeOfArrow(cf), opts))
		}
		return c
	case *arrow.NullType:
		return nullColumn{}
	}
	return &fallbackColumn{target: t.oid}
}
