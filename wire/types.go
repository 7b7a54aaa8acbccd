package wire

import (
	"fmt"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/duckdb/duckdb-go/v2"
)

// PostgreSQL type OIDs the wire sends and accepts (pg_type.oid of PostgreSQL 16).
const (
	oidBool         uint32 = 16
	oidBytea        uint32 = 17
	oidChar         uint32 = 18
	oidName         uint32 = 19
	oidInt8         uint32 = 20
	oidInt2         uint32 = 21
	oidInt4         uint32 = 23
	oidRegproc      uint32 = 24
	oidText         uint32 = 25
	oidOID          uint32 = 26
	oidXID          uint32 = 28
	oidCID          uint32 = 29
	oidJSON         uint32 = 114
	oidXML          uint32 = 142
	oidFloat4       uint32 = 700
	oidFloat8       uint32 = 701
	oidUnknown      uint32 = 705
	oidBPChar       uint32 = 1042
	oidVarchar      uint32 = 1043
	oidDate         uint32 = 1082
	oidTime         uint32 = 1083
	oidTimestamp    uint32 = 1114
	oidTimestamptz  uint32 = 1184
	oidInterval     uint32 = 1186
	oidTimetz       uint32 = 1266
	oidBit          uint32 = 1560
	oidVarbit       uint32 = 1562
	oidNumeric      uint32 = 1700
	oidRegclass     uint32 = 2205
	oidRegtype      uint32 = 2206
	oidUUID         uint32 = 2950
	oidJSONB        uint32 = 3802
	oidRegnamespace uint32 = 4089
)

// pgType is one row of PostgreSQL's pg_type as far as the wire needs it.
type pgType struct {
	oid    uint32
	name   string
	typlen int16 // pg_type.typlen: byte size, -1 for varlena
	array  uint32
}

// pgTypes lists every scalar type the wire can send, with its array type.
// Array types themselves are in pgArrayElem.
var pgTypes = map[uint32]pgType{
	oidBool:         {oidBool, "bool", 1, 1000},
	oidBytea:        {oidBytea, "bytea", -1, 1001},
	oidChar:         {oidChar, "char", 1, 1002},
	oidName:         {oidName, "name", 64, 1003},
	oidInt8:         {oidInt8, "int8", 8, 1016},
	oidInt2:         {oidInt2, "int2", 2, 1005},
	oidInt4:         {oidInt4, "int4", 4, 1007},
	oidRegproc:      {oidRegproc, "regproc", 4, 1008},
	oidText:         {oidText, "text", -1, 1009},
	oidOID:          {oidOID, "oid", 4, 1028},
	oidXID:          {oidXID, "xid", 4, 1011},
	oidCID:          {oidCID, "cid", 4, 1012},
	oidJSON:         {oidJSON, "json", -1, 199},
	oidXML:          {oidXML, "xml", -1, 143},
	oidFloat4:       {oidFloat4, "float4", 4, 1021},
	oidFloat8:       {oidFloat8, "float8", 8, 1022},
	oidUnknown:      {oidUnknown, "unknown", -2, 0},
	oidBPChar:       {oidBPChar, "bpchar", -1, 1014},
	oidVarchar:      {oidVarchar, "varchar", -1, 1015},
	oidDate:         {oidDate, "date", 4, 1182},
	oidTime:         {oidTime, "time", 8, 1183},
	oidTimestamp:    {oidTimestamp, "timestamp", 8, 1115},
	oidTimestamptz:  {oidTimestamptz, "timestamptz", 8, 1185},
	oidInterval:     {oidInterval, "interval", 16, 1187},
	oidTimetz:       {oidTimetz, "timetz", 12, 1270},
	oidBit:          {oidBit, "bit", -1, 1561},
	oidVarbit:       {oidVarbit, "varbit", -1, 1563},
	oidNumeric:      {oidNumeric, "numeric", -1, 1231},
	oidRegclass:     {oidRegclass, "regclass", 4, 2210},
	oidRegtype:      {oidRegtype, "regtype", 4, 2211},
	oidUUID:         {oidUUID, "uuid", 16, 2951},
	oidJSONB:        {oidJSONB, "jsonb", -1, 3807},
	oidRegnamespace: {oidRegnamespace, "regnamespace", 4, 4090},
}

// pgArrayElem maps an array type OID to its element type OID.
var pgArrayElem = func() map[uint32]uint32 {
	m := make(map[uint32]uint32, len(pgTypes))
	for _, t := range pgTypes {
		if t.array != 0 {
			m[t.array] = t.oid
		}
	}
	return m
}()

// typlen is pg_type.typlen for a type OID (-1 for arrays and unknown types).
func typlen(oid uint32) int16 {
	if t, ok := pgTypes[oid]; ok {
		return t.typlen
	}
	return -1
}

// arrayOf is the array type of an element type; arrays of types without a
// PostgreSQL array type are sent as text arrays.
func arrayOf(elem uint32) uint32 {
	if elem == 0 {
		return 1009
	}
	if _, isArray := pgArrayElem[elem]; isArray {
		// PostgreSQL has no arrays of arrays: a nested list is a
		// multi-dimensional array of the same type.
		return elem
	}
	if t, ok := pgTypes[elem]; ok && t.array != 0 {
		return t.array
	}
	return 1009
}

// colType is the PostgreSQL type of a result column or parameter.
type colType struct {
	oid    uint32
	typmod int32
}

// duckToPG is THE mapping from DuckDB types to PostgreSQL types. Describe
// (duckdb.TypeInfo) and results (Arrow schemas) both go through it, so the
// RowDescription of a described statement and of its executed result agree.
var duckToPG = map[duckdb.Type]uint32{
	duckdb.TYPE_BOOLEAN:      oidBool,
	duckdb.TYPE_TINYINT:      oidInt2,
	duckdb.TYPE_SMALLINT:     oidInt2,
	duckdb.TYPE_UTINYINT:     oidInt4,
	duckdb.TYPE_USMALLINT:    oidInt4,
	duckdb.TYPE_INTEGER:      oidInt4,
	duckdb.TYPE_UINTEGER:     oidInt8,
	duckdb.TYPE_BIGINT:       oidInt8,
	duckdb.TYPE_UBIGINT:      oidNumeric,
	duckdb.TYPE_HUGEINT:      oidNumeric,
	duckdb.TYPE_UHUGEINT:     oidNumeric,
	duckdb.TYPE_BIGNUM:       oidNumeric,
	duckdb.TYPE_DECIMAL:      oidNumeric,
	duckdb.TYPE_FLOAT:        oidFloat4,
	duckdb.TYPE_DOUBLE:       oidFloat8,
	duckdb.TYPE_VARCHAR:      oidText,
	duckdb.TYPE_ENUM:         oidText,
	duckdb.TYPE_BLOB:         oidBytea,
	duckdb.TYPE_BIT:          oidVarbit,
	duckdb.TYPE_DATE:         oidDate,
	duckdb.TYPE_TIME:         oidTime,
	duckdb.TYPE_TIME_TZ:      oidTimetz,
	duckdb.TYPE_TIMESTAMP:    oidTimestamp,
	duckdb.TYPE_TIMESTAMP_S:  oidTimestamp,
	duckdb.TYPE_TIMESTAMP_MS: oidTimestamp,
	duckdb.TYPE_TIMESTAMP_NS: oidTimestamp,
	duckdb.TYPE_TIMESTAMP_TZ: oidTimestamptz,
	duckdb.TYPE_INTERVAL:     oidInterval,
	duckdb.TYPE_UUID:         oidUUID,
	duckdb.TYPE_STRUCT:       oidJSON,
	duckdb.TYPE_MAP:          oidJSON,
	duckdb.TYPE_UNION:        oidText,
	duckdb.TYPE_SQLNULL:      oidText,
}

// logicalType is a DuckDB type as far as the PostgreSQL mapping needs it;
// both duckdb.TypeInfo and Arrow fields reduce to it.
type logicalType struct {
	t      duckdb.Type
	json   bool // VARCHAR with the JSON alias
	width  uint8
	scale  uint8
	elem   *logicalType // LIST and ARRAY
	hasMod bool         // width/scale are meaningful (DECIMAL)
}

// pg maps a DuckDB type to its PostgreSQL type and typmod.
func (lt logicalType) pg() colType {
	switch lt.t {
	case duckdb.TYPE_LIST, duckdb.TYPE_ARRAY:
		if lt.elem == nil {
			return colType{oid: 1009, typmod: -1}
		}
		e := lt.elem.pg()
		return colType{oid: arrayOf(e.oid), typmod: e.typmod}
	case duckdb.TYPE_DECIMAL:
		if lt.hasMod {
			return colType{oid: oidNumeric, typmod: (int32(lt.width)<<16 | int32(lt.scale)) + 4}
		}
		return colType{oid: oidNumeric, typmod: -1}
	case duckdb.TYPE_VARCHAR:
		if lt.json {
			return colType{oid: oidJSON, typmod: -1}
		}
	case duckdb.TYPE_TIMESTAMP_S:
		return colType{oid: oidTimestamp, typmod: 0}
	case duckdb.TYPE_TIMESTAMP_MS:
		return colType{oid: oidTimestamp, typmod: 3}
	}
	if oid, ok := duckToPG[lt.t]; ok {
		return colType{oid: oid, typmod: -1}
	}
	// VARIANT, GEOMETRY and future types are sent as their text form.
	return colType{oid: oidText, typmod: -1}
}

// logicalFromTypeInfo reduces a DuckDB TypeInfo (from Describe).
func logicalFromTypeInfo(info duckdb.TypeInfo) logicalType {
	if info == nil {
		return logicalType{t: duckdb.TYPE_VARCHAR}
	}
	lt := logicalType{t: info.InternalType(), json: info.Alias() == "JSON"}
	switch d := info.Details().(type) {
	case *duckdb.DecimalDetails:
		lt.width, lt.scale, lt.hasMod = d.Width, d.Scale, true
	case *duckdb.ListDetails:
		e := logicalFromTypeInfo(d.Child)
		lt.elem = &e
	case *duckdb.ArrayDetails:
		e := logicalFromTypeInfo(d.Child)
		lt.elem = &e
	}
	return lt
}

// Arrow extension names DuckDB uses with arrow_lossless_conversion = true.
const (
	extName       = "ARROW:extension:name"
	extMetadata   = "ARROW:extension:metadata"
	extUUID       = "arrow.uuid"
	extJSON       = "arrow.json"
	extBool8      = "arrow.bool8"
	extOpaque     = "arrow.opaque"
	opaqueHugeint = "hugeint"
	opaqueUHuge   = "uhugeint"
	opaqueTimeTZ  = "time_tz"
	opaqueBit     = "bit"
	opaqueBignum  = "bignum"
)

// arrowExtension returns the extension name (and for arrow.opaque the DuckDB
// type_name) of a field, and its storage type. Extension types registered
// with arrow-go arrive as arrow.ExtensionType; unregistered ones keep the
// storage type and carry the name in the field metadata.
func arrowExtension(f arrow.Field) (name, opaque string, storage arrow.DataType) {
	storage = f.Type
	if et, ok := f.Type.(arrow.ExtensionType); ok {
		name = et.ExtensionName()
		storage = et.StorageType()
		if name == extOpaque {
			opaque = opaqueTypeName(et.Serialize())
		}
		return name, opaque, storage
	}
	if i := f.Metadata.FindKey(extName); i >= 0 {
		name = f.Metadata.Values()[i]
		if name == extOpaque {
			if j := f.Metadata.FindKey(extMetadata); j >= 0 {
				opaque = opaqueTypeName(f.Metadata.Values()[j])
			}
		}
	}
	return name, opaque, storage
}

// opaqueTypeName extracts type_name from arrow.opaque metadata such as
// {"type_name":"hugeint","vendor_name":"DuckDB"} without a JSON decoder.
func opaqueTypeName(meta string) string {
	const key = `"type_name":"`
	for i := 0; i+len(key) <= len(meta); i++ {
		if meta[i:i+len(key)] == key {
			rest := meta[i+len(key):]
			for j := 0; j < len(rest); j++ {
				if rest[j] == '"' {
					return rest[:j]
				}
			}
		}
	}
	return ""
}

// logicalFromArrow reduces an Arrow field of a result schema.
func logicalFromArrow(f arrow.Field) logicalType {
	ext, opaque, st := arrowExtension(f)
	switch ext {
	case extUUID:
		return logicalType{t: duckdb.TYPE_UUID}
	case extJSON:
		return logicalType{t: duckdb.TYPE_VARCHAR, json: true}
	case extBool8:
		return logicalType{t: duckdb.TYPE_BOOLEAN}
	case extOpaque:
		switch opaque {
		case opaqueHugeint:
			return logicalType{t: duckdb.TYPE_HUGEINT}
		case opaqueUHuge:
			return logicalType{t: duckdb.TYPE_UHUGEINT}
		case opaqueTimeTZ:
			return logicalType{t: duckdb.TYPE_TIME_TZ}
		case opaqueBit:
			return logicalType{t: duckdb.TYPE_BIT}
		case opaqueBignum:
			return logicalType{t: duckdb.TYPE_BIGNUM}
		}
	}
	switch dt := st.(type) {
	case *arrow.BooleanType:
		return logicalType{t: duckdb.TYPE_BOOLEAN}
	case *arrow.Int8Type:
		return logicalType{t: duckdb.TYPE_TINYINT}
	case *arrow.Int16Type:
		return logicalType{t: duckdb.TYPE_SMALLINT}
	case *arrow.Int32Type:
		return logicalType{t: duckdb.TYPE_INTEGER}
	case *arrow.Int64Type:
		return logicalType{t: duckdb.TYPE_BIGINT}
	case *arrow.Uint8Type:
		return logicalType{t: duckdb.TYPE_UTINYINT}
	case *arrow.Uint16Type:
		return logicalType{t: duckdb.TYPE_USMALLINT}
	case *arrow.Uint32Type:
		return logicalType{t: duckdb.TYPE_UINTEGER}
	case *arrow.Uint64Type:
		return logicalType{t: duckdb.TYPE_UBIGINT}
	case *arrow.Float16Type, *arrow.Float32Type:
		return logicalType{t: duckdb.TYPE_FLOAT}
	case *arrow.Float64Type:
		return logicalType{t: duckdb.TYPE_DOUBLE}
	case *arrow.Decimal128Type:
		return logicalType{t: duckdb.TYPE_DECIMAL, width: uint8(dt.Precision), scale: uint8(dt.Scale), hasMod: true}
	case *arrow.Decimal256Type:
		return logicalType{t: duckdb.TYPE_DECIMAL}
	case *arrow.StringType, *arrow.LargeStringType, *arrow.StringViewType:
		return logicalType{t: duckdb.TYPE_VARCHAR}
	case *arrow.BinaryType, *arrow.LargeBinaryType, *arrow.BinaryViewType:
		return logicalType{t: duckdb.TYPE_BLOB}
	case *arrow.FixedSizeBinaryType:
		return logicalType{t: duckdb.TYPE_BLOB}
	case *arrow.Date32Type, *arrow.Date64Type:
		return logicalType{t: duckdb.TYPE_DATE}
	case *arrow.Time32Type, *arrow.Time64Type:
		return logicalType{t: duckdb.TYPE_TIME}
	case *arrow.TimestampType:
		if dt.TimeZone != "" {
			return logicalType{t: duckdb.TYPE_TIMESTAMP_TZ}
		}
		switch dt.Unit {
		case arrow.Second:
			return logicalType{t: duckdb.TYPE_TIMESTAMP_S}
		case arrow.Millisecond:
			return logicalType{t: duckdb.TYPE_TIMESTAMP_MS}
		case arrow.Nanosecond:
			return logicalType{t: duckdb.TYPE_TIMESTAMP_NS}
		}
		return logicalType{t: duckdb.TYPE_TIMESTAMP}
	case *arrow.MonthDayNanoIntervalType, *arrow.DayTimeIntervalType, *arrow.MonthIntervalType, *arrow.DurationType:
		return logicalType{t: duckdb.TYPE_INTERVAL}
	case *arrow.DictionaryType:
		return logicalType{t: duckdb.TYPE_ENUM}
	case *arrow.ListType:
		e := logicalFromArrow(dt.ElemField())
		return logicalType{t: duckdb.TYPE_LIST, elem: &e}
	case *arrow.LargeListType:
		e := logicalFromArrow(dt.ElemField())
		return logicalType{t: duckdb.TYPE_LIST, elem: &e}
	case *arrow.FixedSizeListType:
		e := logicalFromArrow(dt.ElemField())
		return logicalType{t: duckdb.TYPE_ARRAY, elem: &e}
	case *arrow.StructType:
		return logicalType{t: duckdb.TYPE_STRUCT}
	case *arrow.MapType:
		return logicalType{t: duckdb.TYPE_MAP}
	case *arrow.SparseUnionType, *arrow.DenseUnionType:
		return logicalType{t: duckdb.TYPE_UNION}
	case *arrow.NullType:
		return logicalType{t: duckdb.TYPE_SQLNULL}
	}
	return logicalType{t: duckdb.TYPE_INVALID}
}

// pgTypeOfTypeInfo is the PostgreSQL type of a described DuckDB type.
func pgTypeOfTypeInfo(info duckdb.TypeInfo) colType { return logicalFromTypeInfo(info).pg() }

// pgTypeOfArrow is the PostgreSQL type of an Arrow result field.
func pgTypeOfArrow(f arrow.Field) colType { return logicalFromArrow(f).pg() }

// columnType is the PostgreSQL type of a result column as described by the
// Backend: an explicit OID wins over the DuckDB type.
func columnType(c Column) colType {
	t := pgTypeOfTypeInfo(c.Type)
	if c.Type == nil {
		t = colType{oid: oidText, typmod: -1}
	}
	if c.OID != 0 && c.OID != t.oid {
		return colType{oid: c.OID, typmod: -1}
	}
	return t
}

// paramOID is the type the wire reports for parameter i of a description:
// the client's declared OID, else the described DuckDB type, else text.
func paramOID(d *Description, i int) uint32 {
	if i < len(d.ParamOIDs) && d.ParamOIDs[i] != 0 {
		return d.ParamOIDs[i]
	}
	if i < len(d.ParamTypes) && d.ParamTypes[i] != nil {
		switch d.ParamTypes[i].InternalType() {
		case duckdb.TYPE_INVALID, duckdb.TYPE_ANY, duckdb.TYPE_SQLNULL:
			return oidText
		}
		return pgTypeOfTypeInfo(d.ParamTypes[i]).oid
	}
	return oidText
}

// paramCount is the number of parameters a description declares.
func paramCount(d *Description) int {
	return max(len(d.ParamTypes), len(d.ParamOIDs))
}

// isTextLike reports types whose text and binary forms are the same bytes.
func isTextLike(oid uint32) bool {
	switch oid {
	case oidText, oidVarchar, oidBPChar, oidName, oidUnknown, oidJSON, oidXML, oidChar:
		return true
	}
	return false
}

// typeName names a PostgreSQL type for error messages.
func typeName(oid uint32) string {
	if t, ok := pgTypes[oid]; ok {
		return t.name
	}
	if e, ok := pgArrayElem[oid]; ok {
		return typeName(e) + "[]"
	}
	return fmt.Sprintf("type %d", oid)
}
