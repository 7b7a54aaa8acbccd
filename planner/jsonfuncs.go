package planner

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
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
		if !f.isExprCall() || len(f.node.Args) != 1 {
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

// rewriteJSONPaths turns x #> '{a,0,b}' and x #>> '{a,0,b}' (PostgreSQL's
// path operators, which DuckDB does not parse) into
// json_extract[_string](x::json, '$."a"[0]."b"'). The path must be a
// constant text array.
func rewriteJSONPaths(a *analysis) error {
	for _, n := range a.jsonPaths {
		e := n.GetAExpr()
		if e == nil {
			continue
		}
		op := stringValue(e.Name[0])
		var text string
		switch r := e.Rexpr; {
		case r.GetAConst() != nil && r.GetAConst().GetSval() != nil:
			text = r.GetAConst().GetSval().Sval
		case r.GetTypeCast() != nil && r.GetTypeCast().Arg.GetAConst() != nil && r.GetTypeCast().Arg.GetAConst().GetSval() != nil:
			text = r.GetTypeCast().Arg.GetAConst().GetSval().Sval
		default:
			return pgerr.New(pgerr.FeatureNotSupported, "the %s operator is supported by Agnes only with a constant path such as '{a,0,b}'", op)
		}
		elems, err := parsePathArray(text)
		if err != nil {
			return err
		}
		var path strings.Builder
		path.WriteString("$")
		for _, el := range elems {
			if i, err := strconv.Atoi(el); err == nil && i >= 0 {
				path.WriteString("[" + strconv.Itoa(i) + "]")
				continue
			}
			path.WriteString(`."` + strings.ReplaceAll(el, `"`, `\"`) + `"`)
		}
		fn := "json_extract"
		if op == "#>>" {
			fn = "json_extract_string"
		}
		n.Node = funcCallNode(fn, castNode(e.Lexpr, "json"), pg_query.MakeAConstStrNode(path.String(), -1)).Node
	}
	return nil
}

// parsePathArray reads a one-dimensional text array literal of path
// elements.
func parsePathArray(text string) ([]string, error) {
	node, dims, err := parseArrayLiteral(text)
	if err != nil {
		return nil, err
	}
	bad := pgerr.New(pgerr.FeatureNotSupported, "JSON path %q is not supported by Agnes: use a one-dimensional array of keys and indexes", text)
	if dims > 1 {
		return nil, bad
	}
	var out []string
	for _, el := range node.GetAArrayExpr().GetElements() {
		c := el.GetAConst()
		if c == nil || c.GetSval() == nil {
			return nil, bad
		}
		out = append(out, c.GetSval().Sval)
	}
	return out, nil
}
