package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// PostgreSQL's JSON set-returning functions, which DuckDB lacks, over
// DuckDB's JSON functions:
//
//   - json[b]_array_elements(x): the elements as json (a JSON null stays
//     the JSON value null), json[b]_array_elements_text(x): as text (null
//     is SQL NULL) — unnest(json_extract[_string](x::json, '$[*]'));
//   - json[b]_object_keys(x): unnest(json_keys(x::json));
//   - json[b]_each(x) and json[b]_each_text(x), in FROM: (key, value) rows
//     of DuckDB's json_each.
//
// In FROM each becomes a subquery with PostgreSQL's column names (value,
// key, or the function's name for json_object_keys), renamed by the
// alias's column list as usual; in an expression (a select list) the
// unnest gives one row per element as PostgreSQL's set-returning call
// does.

// jsonElementsCall is the expression giving the set of a JSON function
// called in an expression, nil for other functions.
func jsonElementsCall(name string, x *pg_query.Node) *pg_query.Node {
	j := castNode(x, "json")
	switch name {
	case "json_array_elements", "jsonb_array_elements":
		return funcCallNode("unnest", funcCallNode("json_extract", j, pg_query.MakeAConstStrNode("$[*]", -1)))
	case "json_array_elements_text", "jsonb_array_elements_text":
		return funcCallNode("unnest", funcCallNode("json_extract_string", j, pg_query.MakeAConstStrNode("$[*]", -1)))
	case "json_object_keys", "jsonb_object_keys":
		return funcCallNode("unnest", funcCallNode("json_keys", j))
	}
	return nil
}

// rewriteJSONSetCalls rewrites the JSON set-returning functions called in
// expressions.
func rewriteJSONSetCalls(a *analysis) {
	for _, f := range a.functions {
		if f.inFrom || f.wrapper == nil || len(f.node.Args) != 1 || f.schema != "" && f.schema != "pg_catalog" {
			continue
		}
		if call := jsonElementsCall(f.name, f.node.Args[0]); call != nil {
			f.wrapper.Node = call.Node
		}
	}
}

// jsonSetInFrom builds the subquery replacing a JSON set-returning function
// in FROM, or returns nil for other functions.
func jsonSetInFrom(name string, f *pg_query.FuncCall) (*pg_query.SelectStmt, []string) {
	if len(f.Args) != 1 {
		return nil, nil
	}
	x := f.Args[0]
	if call := jsonElementsCall(name, x); call != nil {
		col := "value"
		if name == "json_object_keys" || name == "jsonb_object_keys" {
			col = name
		}
		return &pg_query.SelectStmt{TargetList: []*pg_query.Node{pg_query.MakeResTargetNodeWithNameAndVal(col, call, -1)}}, []string{col}
	}
	const inner = "__agnes_json"
	field := func(name string) *pg_query.Node {
		return pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(inner), pg_query.MakeStrNode(name)}, -1)
	}
	var value *pg_query.Node
	switch name {
	case "json_each", "jsonb_each":
		value = field("value")
	case "json_each_text", "jsonb_each_text":
		value = arith("->>", field("value"), pg_query.MakeAConstStrNode("$", -1))
	default:
		return nil, nil
	}
	each := &pg_query.RangeFunction{
		Functions: []*pg_query.Node{pg_query.MakeListNode([]*pg_query.Node{funcCallNode("json_each", castNode(x, "json")), nil})},
		Alias:     &pg_query.Alias{Aliasname: inner},
	}
	return &pg_query.SelectStmt{
		TargetList: []*pg_query.Node{
			pg_query.MakeResTargetNodeWithNameAndVal("key", field("key"), -1),
			pg_query.MakeResTargetNodeWithNameAndVal("value", value, -1),
		},
		FromClause: []*pg_query.Node{{Node: &pg_query.Node_RangeFunction{RangeFunction: each}}},
	}, []string{"key", "value"}
}
