package engine

import (
	"fmt"
	"math/big"
	"time"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/duckdb/duckdb-go/v2"
)

// Array parameters ([]any, nested for more dimensions) become LIST values
// whose element type follows the Go values: integers BIGINT (HUGEINT when
// unsigned 64-bit or big values are mixed in), any float DOUBLE, text
// VARCHAR, []byte BLOB, time.Time TIMESTAMP, and so on. DuckDB casts the
// list to the parameter's type as it binds it, element by element, with the
// same rules as for a scalar. A list with no typed element (empty or all
// NULL) takes the parameter's own element type when DuckDB knows it.

// valueType is the DuckDB type of a Go value in a list parameter.
type valueType struct {
	t     bindings.Type // TypeSQLNull: no typed value seen
	child *valueType    // element type of a TypeList
}

// listValue creates the LIST value for parameter p.
func listValue(p *param, v []any) (bindings.Value, error) {
	vt, err := typeOfValue(v)
	if err != nil {
		return bindings.Value{}, err
	}
	if vt.child.t == bindings.TypeSQLNull && p.elem.Ptr != nil {
		return listOf(v, *vt.child, p.elem)
	}
	elem := logicalTypeOf(*vt.child)
	defer bindings.DestroyLogicalType(&elem)
	return listOf(v, *vt.child, elem)
}

// listOf creates a LIST of elem values; vt is the element type inferred
// from the Go values (TypeSQLNull when all are NULL).
func listOf(v []any, vt valueType, elem bindings.LogicalType) (bindings.Value, error) {
	values := make([]bindings.Value, 0, len(v))
	defer func() {
		for i := range values {
			bindings.DestroyValue(&values[i])
		}
	}()
	for _, e := range v {
		val, err := valueOf(e, vt)
		if err != nil {
			return bindings.Value{}, err
		}
		values = append(values, val)
	}
	list := bindings.CreateListValue(elem, values)
	if list.Ptr == nil {
		return list, fmt.Errorf("DuckDB refused the array value")
	}
	return list, nil
}

// typeOfValue infers the DuckDB type of v; all elements of a list must
// share one type, up to numeric widening.
func typeOfValue(v any) (valueType, error) {
	switch v := v.(type) {
	case nil:
		return valueType{t: bindings.TypeSQLNull}, nil
	case bool:
		return valueType{t: bindings.TypeBoolean}, nil
	case int, int8, int16, int32, int64, uint8, uint16, uint32:
		return valueType{t: bindings.TypeBigInt}, nil
	case uint, uint64:
		return valueType{t: bindings.TypeUBigInt}, nil
	case *big.Int:
		if v == nil {
			return valueType{t: bindings.TypeSQLNull}, nil
		}
		return valueType{t: bindings.TypeHugeInt}, nil
	case float32, float64:
		return valueType{t: bindings.TypeDouble}, nil
	case string:
		return valueType{t: bindings.TypeVarchar}, nil
	case []byte:
		return valueType{t: bindings.TypeBlob}, nil
	case time.Time:
		return valueType{t: bindings.TypeTimestamp}, nil
	case duckdb.Interval:
		return valueType{t: bindings.TypeInterval}, nil
	case *duckdb.UUID:
		if v == nil {
			return valueType{t: bindings.TypeSQLNull}, nil
		}
		return valueType{t: bindings.TypeUUID}, nil
	case duckdb.UUID:
		return valueType{t: bindings.TypeUUID}, nil
	case []any:
		elem := valueType{t: bindings.TypeSQLNull}
		for _, e := range v {
			et, err := typeOfValue(e)
			if err != nil {
				return valueType{}, err
			}
			if elem, err = unifyTypes(elem, et); err != nil {
				return valueType{}, err
			}
		}
		return valueType{t: bindings.TypeList, child: &elem}, nil
	}
	return valueType{}, fmt.Errorf("cannot bind an array element of Go type %T", v)
}

// unifyTypes returns the type holding values of both a and b.
func unifyTypes(a, b valueType) (valueType, error) {
	switch {
	case a.t == bindings.TypeSQLNull:
		return b, nil
	case b.t == bindings.TypeSQLNull:
		return a, nil
	case a.t == bindings.TypeList && b.t == bindings.TypeList:
		child, err := unifyTypes(*a.child, *b.child)
		if err != nil {
			return valueType{}, err
		}
		return valueType{t: bindings.TypeList, child: &child}, nil
	case a.t == b.t:
		return a, nil
	case isNumeric(a.t) && isNumeric(b.t):
		if a.t == bindings.TypeDouble || b.t == bindings.TypeDouble {
			return valueType{t: bindings.TypeDouble}, nil
		}
		return valueType{t: bindings.TypeHugeInt}, nil
	}
	return valueType{}, fmt.Errorf("array elements of different types")
}

func isNumeric(t bindings.Type) bool {
	switch t {
	case bindings.TypeBigInt, bindings.TypeUBigInt, bindings.TypeHugeInt, bindings.TypeDouble:
		return true
	}
	return false
}

// logicalTypeOf creates the logical type for vt (unknown leaves: VARCHAR).
func logicalTypeOf(vt valueType) bindings.LogicalType {
	switch vt.t {
	case bindings.TypeList:
		child := logicalTypeOf(*vt.child)
		defer bindings.DestroyLogicalType(&child)
		return bindings.CreateListType(child)
	case bindings.TypeSQLNull:
		return bindings.CreateLogicalType(bindings.TypeVarchar)
	}
	return bindings.CreateLogicalType(vt.t)
}

// valueOf creates the value of v in type vt (as inferred by typeOfValue
// for v and its siblings).
func valueOf(v any, vt valueType) (bindings.Value, error) {
	if isNullValue(v) {
		return bindings.CreateNullValue(), nil
	}
	var val bindings.Value
	switch vt.t {
	case bindings.TypeBoolean:
		val = bindings.CreateBool(v.(bool))
	case bindings.TypeBigInt:
		val = bindings.CreateInt64(toBig(v).Int64())
	case bindings.TypeUBigInt:
		val = bindings.CreateUInt64(toBig(v).Uint64())
	case bindings.TypeHugeInt:
		hi, ok := hugeint(toBig(v))
		if !ok {
			return val, fmt.Errorf("array element %v is out of range for HUGEINT", v)
		}
		val = bindings.CreateHugeInt(hi)
	case bindings.TypeDouble:
		switch n := v.(type) {
		case float64:
			val = bindings.CreateDouble(n)
		case float32:
			val = bindings.CreateDouble(float64(n))
		default:
			f, _ := new(big.Float).SetInt(toBig(v)).Float64()
			val = bindings.CreateDouble(f)
		}
	case bindings.TypeVarchar:
		str := v.(string)
		val = bindings.CreateVarcharLength(str, bindings.IdxT(len(str)))
	case bindings.TypeBlob:
		val = bindings.CreateBlob(v.([]byte))
	case bindings.TypeTimestamp:
		val = bindings.CreateTimestamp(bindings.NewTimestamp(v.(time.Time).UnixMicro()))
	case bindings.TypeInterval:
		iv := v.(duckdb.Interval)
		val = bindings.CreateInterval(bindings.NewInterval(iv.Months, iv.Days, iv.Micros))
	case bindings.TypeUUID:
		if u, ok := v.(*duckdb.UUID); ok {
			val = uuidValue(*u)
		} else {
			val = uuidValue(v.(duckdb.UUID))
		}
	case bindings.TypeList:
		elem := logicalTypeOf(*vt.child)
		defer bindings.DestroyLogicalType(&elem)
		return listOf(v.([]any), *vt.child, elem)
	default:
		return val, fmt.Errorf("cannot bind an array element of Go type %T", v)
	}
	if val.Ptr == nil {
		return val, fmt.Errorf("invalid array element %q", fmt.Sprint(v))
	}
	return val, nil
}

// isNullValue reports SQL NULL: nil or a nil pointer of a supported type.
func isNullValue(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case *big.Int:
		return v == nil
	case *duckdb.UUID:
		return v == nil
	}
	return false
}

// toBig converts any Go integer to a big.Int.
func toBig(v any) *big.Int {
	switch n := v.(type) {
	case int:
		return big.NewInt(int64(n))
	case int8:
		return big.NewInt(int64(n))
	case int16:
		return big.NewInt(int64(n))
	case int32:
		return big.NewInt(int64(n))
	case int64:
		return big.NewInt(n)
	case uint:
		return new(big.Int).SetUint64(uint64(n))
	case uint8:
		return new(big.Int).SetUint64(uint64(n))
	case uint16:
		return new(big.Int).SetUint64(uint64(n))
	case uint32:
		return new(big.Int).SetUint64(uint64(n))
	case uint64:
		return new(big.Int).SetUint64(n)
	case *big.Int:
		return n
	}
	return new(big.Int)
}
