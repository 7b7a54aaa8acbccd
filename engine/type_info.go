package engine

import (
	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/duckdb/duckdb-go/v2"
)

// typeInfoOf describes a DuckDB logical type as a duckdb.TypeInfo, the type
// description the rest of Agnes works with. It returns nil for a type that
// is not known yet (an unresolved parameter: INVALID, ANY, NULL) or that
// duckdb-go cannot describe; a nested type with such a child is nil too.
func typeInfoOf(lt bindings.LogicalType) duckdb.TypeInfo {
	var info duckdb.TypeInfo
	var err error
	switch t := bindings.GetTypeId(lt); t {
	case bindings.TypeInvalid, bindings.TypeAny, bindings.TypeSQLNull:
		return nil
	case bindings.TypeDecimal:
		info, err = duckdb.NewDecimalInfo(bindings.DecimalWidth(lt), bindings.DecimalScale(lt))
	case bindings.TypeEnum:
		n := bindings.EnumDictionarySize(lt)
		if n == 0 {
			return nil
		}
		values := make([]string, n)
		for i := range values {
			values[i] = bindings.EnumDictionaryValue(lt, bindings.IdxT(i))
		}
		info, err = duckdb.NewEnumInfo(values[0], values[1:]...)
	case bindings.TypeList:
		child := childInfo(bindings.ListTypeChildType(lt))
		if child == nil {
			return nil
		}
		info, err = duckdb.NewListInfo(child)
	case bindings.TypeArray:
		child := childInfo(bindings.ArrayTypeChildType(lt))
		if child == nil {
			return nil
		}
		info, err = duckdb.NewArrayInfo(child, uint64(bindings.ArrayTypeArraySize(lt)))
	case bindings.TypeMap:
		key := childInfo(bindings.MapTypeKeyType(lt))
		value := childInfo(bindings.MapTypeValueType(lt))
		if key == nil || value == nil {
			return nil
		}
		info, err = duckdb.NewMapInfo(key, value)
	case bindings.TypeStruct:
		n := int(bindings.StructTypeChildCount(lt))
		if n == 0 {
			return nil
		}
		entries := make([]duckdb.StructEntry, n)
		for i := range entries {
			child := childInfo(bindings.StructTypeChildType(lt, bindings.IdxT(i)))
			if child == nil {
				return nil
			}
			if entries[i], err = duckdb.NewStructEntry(child, bindings.StructTypeChildName(lt, bindings.IdxT(i))); err != nil {
				return nil
			}
		}
		info, err = duckdb.NewStructInfo(entries[0], entries[1:]...)
	case bindings.TypeUnion:
		n := int(bindings.UnionTypeMemberCount(lt))
		if n == 0 {
			return nil
		}
		members := make([]duckdb.TypeInfo, n)
		names := make([]string, n)
		for i := range members {
			if members[i] = childInfo(bindings.UnionTypeMemberType(lt, bindings.IdxT(i))); members[i] == nil {
				return nil
			}
			names[i] = bindings.UnionTypeMemberName(lt, bindings.IdxT(i))
		}
		info, err = duckdb.NewUnionInfo(members, names)
	default:
		info, err = duckdb.NewTypeInfo(t)
	}
	if err != nil {
		return nil
	}
	if alias := bindings.LogicalTypeGetAlias(lt); alias != "" {
		return aliasedTypeInfo{TypeInfo: info, alias: alias}
	}
	return info
}

// childInfo is typeInfoOf for a child type handle it also destroys.
func childInfo(lt bindings.LogicalType) duckdb.TypeInfo {
	defer bindings.DestroyLogicalType(&lt)
	return typeInfoOf(lt)
}

// aliasedTypeInfo adds DuckDB's alias (JSON, or an extension type's name) to
// a TypeInfo built with duckdb-go's constructors, which cannot set one; the
// wire tells JSON from VARCHAR by it. Only Alias differs from the embedded
// description: a TypeInfo passed back to duckdb-go (appenders, UDFs) would
// lose the alias, which Agnes never does.
type aliasedTypeInfo struct {
	duckdb.TypeInfo
	alias string
}

func (a aliasedTypeInfo) Alias() string { return a.alias }
