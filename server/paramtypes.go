package server

import (
	"context"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/engine"
	"github.com/keboola/agnes/planner"
)

// Parameters DuckDB cannot type. PostgreSQL gives every parameter a type
// when it prepares a statement: the one the client declared in Parse, else
// one from the context, else text. DuckDB leaves a parameter untyped where
// the context says nothing (SELECT $1, $1 IS NULL, coalesce($1, $2), the
// optional filter "$1 IS NULL OR status = $1"), and then describes the
// whole statement as one column named "unknown" until values are bound: a
// client would be told one text column and receive others. Such statements
// are prepared again with those parameters cast to what PostgreSQL would
// have chosen (planner.CastParams), and the typed text is what runs.

// declaredParamTypes are the DuckDB types of the PostgreSQL types a client
// may declare in Parse, for parameters DuckDB could not type. The names go
// into SQL: only these constants, never client text.
var declaredParamTypes = map[uint32]string{
	16: "BOOLEAN", 17: "BLOB", 20: "BIGINT", 21: "SMALLINT", 23: "INTEGER", 25: "VARCHAR",
	114: "JSON", 700: "FLOAT", 701: "DOUBLE", 1042: "VARCHAR", 1043: "VARCHAR",
	1082: "DATE", 1083: "TIME", 1114: "TIMESTAMP", 1184: "TIMESTAMPTZ", 1186: "INTERVAL",
	2950: "UUID", 3802: "JSON",
	1000: "BOOLEAN[]", 1001: "BLOB[]", 1005: "SMALLINT[]", 1007: "INTEGER[]", 1009: "VARCHAR[]",
	1015: "VARCHAR[]", 1016: "BIGINT[]", 1021: "FLOAT[]", 1022: "DOUBLE[]", 1115: "TIMESTAMP[]",
	1182: "DATE[]", 1185: "TIMESTAMPTZ[]", 2951: "UUID[]",
}

// untypedParamCasts maps each parameter DuckDB left untyped to the type
// PostgreSQL would give it: the declared one, else text. Nil when every
// parameter has a type.
func untypedParamCasts(params []duckdb.TypeInfo, declared []uint32) map[int]string {
	var casts map[int]string
	for i, p := range params {
		if p != nil {
			continue
		}
		typ := "VARCHAR"
		if i < len(declared) {
			if t, ok := declaredParamTypes[declared[i]]; ok {
				typ = t
			}
		}
		if casts == nil {
			casts = map[int]string{}
		}
		casts[i+1] = typ
	}
	return casts
}

// describeTyped describes the statement's SQL, first with its parameters
// typed where DuckDB could not type them. The SQL it describes is the one
// Execute runs (st.sql).
func (st *statement) describeTyped(ctx context.Context) ([]duckdb.TypeInfo, []engine.Column, error) {
	params, cols, err := st.s.conn.Describe(ctx, st.plan.SQL)
	if err != nil {
		return nil, nil, err
	}
	casts := untypedParamCasts(params, st.paramOIDs)
	if casts == nil {
		return params, st.describeBound(ctx, params, cols), nil
	}
	typed, err := planner.CastParams(st.plan.SQL, casts)
	if err != nil {
		return nil, nil, err
	}
	params, cols, err = st.s.conn.Describe(ctx, typed)
	if err != nil {
		return nil, nil, err
	}
	st.sql = typed
	return params, st.describeBound(ctx, params, cols), nil
}

// describeBound answers for statements DuckDB describes as one column
// "unknown" although every parameter has a type: those whose result shape
// depends on the values (a table function with a parameter argument, such
// as generate_series(1, $1::int)). The result columns are then described
// from the statement with each parameter replaced by a NULL of its type;
// the statement itself still runs with the values.
func (st *statement) describeBound(ctx context.Context, params []duckdb.TypeInfo, cols []engine.Column) []engine.Column {
	if len(params) == 0 || len(cols) != 1 || cols[0].Name != "unknown" {
		return cols
	}
	types := map[int]string{}
	for i, p := range params {
		if name, ok := sqlTypeName(p); ok {
			types[i+1] = name
		} else {
			// a list of a type DuckDB infers from the values (x = ANY($1)):
			// an untyped NULL binds wherever the list would
			types[i+1] = ""
		}
	}
	nulls, err := planner.NullParams(st.runSQL(), types)
	if err != nil {
		return cols
	}
	if _, bound, err := st.s.conn.Describe(ctx, nulls); err == nil && len(bound) > 0 {
		return bound
	}
	return cols
}

// sqlTypeName spells a parameter's DuckDB type for a CAST, for the types a
// parameter usually has.
func sqlTypeName(t duckdb.TypeInfo) (string, bool) {
	if t == nil {
		return "", false
	}
	switch t.InternalType() {
	case duckdb.TYPE_BOOLEAN:
		return "BOOLEAN", true
	case duckdb.TYPE_TINYINT:
		return "TINYINT", true
	case duckdb.TYPE_SMALLINT:
		return "SMALLINT", true
	case duckdb.TYPE_INTEGER:
		return "INTEGER", true
	case duckdb.TYPE_BIGINT:
		return "BIGINT", true
	case duckdb.TYPE_HUGEINT:
		return "HUGEINT", true
	case duckdb.TYPE_FLOAT:
		return "FLOAT", true
	case duckdb.TYPE_DOUBLE:
		return "DOUBLE", true
	case duckdb.TYPE_VARCHAR:
		return "VARCHAR", true
	case duckdb.TYPE_DATE:
		return "DATE", true
	case duckdb.TYPE_TIMESTAMP:
		return "TIMESTAMP", true
	case duckdb.TYPE_TIMESTAMP_TZ:
		return "TIMESTAMPTZ", true
	case duckdb.TYPE_INTERVAL:
		return "INTERVAL", true
	case duckdb.TYPE_UUID:
		return "UUID", true
	case duckdb.TYPE_BLOB:
		return "BLOB", true
	}
	return "", false
}

// runSQL is the SQL Execute runs: the plan's, with parameters typed as
// Describe found necessary.
func (st *statement) runSQL() string {
	if st.sql != "" {
		return st.sql
	}
	return st.plan.SQL
}
