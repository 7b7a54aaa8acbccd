package server

import (
	"strconv"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/planner"
	"github.com/keboola/agnes/wire"
)

// Constant queries (SELECT 1, the validation query of connection pools)
// are answered from the plan's literals, without the engine: the same
// row, types and names DuckDB would give, at the cost of the wire alone.

// constantTypes maps a constant's PostgreSQL type to its Arrow and DuckDB
// types.
var constantTypes = map[string]struct {
	arrow arrow.DataType
	duck  duckdb.Type
}{
	"int4": {arrow.PrimitiveTypes.Int32, duckdb.TYPE_INTEGER},
	"int8": {arrow.PrimitiveTypes.Int64, duckdb.TYPE_BIGINT},
	"text": {arrow.BinaryTypes.String, duckdb.TYPE_VARCHAR},
	"bool": {arrow.FixedWidthTypes.Boolean, duckdb.TYPE_BOOLEAN},
}

// constantColumns describes a constant query's columns.
func constantColumns(row []planner.Constant) ([]wire.Column, error) {
	cols := make([]wire.Column, len(row))
	for i, c := range row {
		ti, err := duckdb.NewTypeInfo(constantTypes[c.Type].duck)
		if err != nil {
			return nil, err
		}
		cols[i] = wire.Column{Name: c.Name, Type: ti}
	}
	return cols, nil
}

// constantResult is a constant query's one-row result.
func constantResult(row []planner.Constant) (*memResult, error) {
	cols, err := constantColumns(row)
	if err != nil {
		return nil, err
	}
	fields := make([]arrow.Field, len(row))
	for i, c := range row {
		fields[i] = arrow.Field{Name: c.Name, Type: constantTypes[c.Type].arrow, Nullable: true}
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for i, c := range row {
		f := b.Field(i)
		if c.Null {
			f.AppendNull()
			continue
		}
		switch fb := f.(type) {
		case *array.Int32Builder:
			v, _ := strconv.ParseInt(c.Value, 10, 32)
			fb.Append(int32(v))
		case *array.Int64Builder:
			v, _ := strconv.ParseInt(c.Value, 10, 64)
			fb.Append(v)
		case *array.StringBuilder:
			fb.Append(c.Value)
		case *array.BooleanBuilder:
			fb.Append(c.Value == "t")
		}
	}
	return &memResult{cmdResult: cmdResult{tag: "SELECT"}, schema: schema, rec: b.NewRecordBatch(), cols: cols}, nil
}

// constantRow returns the statement's constant row, building it once.
func (st *statement) constantRow() (*memResult, error) {
	if st.constant == nil {
		c, err := constantResult(st.plan.Constants)
		if err != nil {
			return nil, err
		}
		st.constant = c
	}
	return st.constant, nil
}
