package planner

import (
	"math"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Functions in FROM differ between PostgreSQL and DuckDB in two ways the
// rewrite evens out:
//
//   - a function returning one column, given a table alias but no column
//     alias (generate_series(1, 3) s), names its column like the alias in
//     PostgreSQL; in DuckDB s would be the whole row, so s(s) is written out;
//   - generate_series over integers returns integer in PostgreSQL and
//     bigint in DuckDB; the call is wrapped in a subquery casting it back,
//     so clients get int4 as from PostgreSQL;
//   - a scalar function in FROM (string_to_array(…) s) is one row of one
//     column in PostgreSQL and unknown as a table function in DuckDB; it
//     becomes (SELECT f(…) AS s) s, LATERAL when it reads outer columns.

// scalarSetFunctions return one column.
var scalarSetFunctions = setOf("generate_series", "generate_subscripts", "unnest", "regexp_split_to_table",
	"json_array_elements", "json_array_elements_text", "jsonb_array_elements", "jsonb_array_elements_text",
	"json_object_keys", "jsonb_object_keys", "range", "pg_listening_channels")

// rewriteRangeFunctions applies these to every function in FROM.
func rewriteRangeFunctions(a *analysis) {
	scalarInFrom := map[*pg_query.FuncCall]string{}
	for _, f := range a.functions {
		if pol := functionPolicies[f.name]; f.inFrom && !pol.from && pol.expr && !pol.aggregate {
			scalarInFrom[f.node] = f.name
		}
	}
	for _, n := range a.rangeFuncs {
		rf := n.GetRangeFunction()
		if rf == nil || rf.IsRowsfrom || len(rf.Functions) != 1 {
			continue
		}
		f := rf.Functions[0].GetList().GetItems()[0].GetFuncCall()
		if name, ok := scalarInFrom[f]; ok {
			wrapScalarFunction(n, rf, f, name)
			continue
		}
		if f != nil && (len(f.Funcname) == 1 || len(f.Funcname) == 2 && foldName(stringValue(f.Funcname[0])) == "pg_catalog") && !rf.Ordinality {
			if sel, cols := jsonSetInFrom(foldName(stringValue(f.Funcname[len(f.Funcname)-1])), f); sel != nil {
				wrapSubquery(n, rf, f, sel, cols)
				continue
			}
		}
		if f == nil || len(f.Funcname) > 2 || len(f.Funcname) == 2 && foldName(stringValue(f.Funcname[0])) != "pg_catalog" {
			continue
		}
		name := foldName(stringValue(f.Funcname[len(f.Funcname)-1]))
		if !scalarSetFunctions[name] || name == "unnest" && len(f.Args) != 1 {
			continue
		}
		if rf.Alias != nil && len(rf.Alias.Colnames) == 0 {
			rf.Alias.Colnames = []*pg_query.Node{pg_query.MakeStrNode(rf.Alias.Aliasname)}
		}
		if name == "generate_series" && !rf.Ordinality && integerArguments(f.Args) {
			wrapIntegerSeries(n, rf)
		}
	}
}

// integerArguments reports whether every argument is an integer constant
// or cast to integer, so PostgreSQL's generate_series would return
// integer.
func integerArguments(args []*pg_query.Node) bool {
	if len(args) < 2 || len(args) > 3 {
		return false
	}
	for _, a := range args {
		switch {
		case a.GetAConst() != nil:
			c := a.GetAConst()
			if c.GetIval() == nil && !(c.Val == nil && !c.Isnull) {
				return false
			}
			if iv := c.GetIval(); iv != nil && (int64(iv.Ival) > math.MaxInt32 || int64(iv.Ival) < math.MinInt32) {
				return false
			}
		case a.GetTypeCast() != nil:
			switch baseTypeName(a.GetTypeCast().TypeName) {
			case "int4", "int2", "integer", "smallint", "int":
			default:
				return false
			}
			if len(a.GetTypeCast().TypeName.ArrayBounds) > 0 {
				return false
			}
		case a.GetAExpr() != nil && a.GetAExpr().Kind == pg_query.A_Expr_Kind_AEXPR_OP &&
			a.GetAExpr().Lexpr == nil && integerArguments([]*pg_query.Node{a.GetAExpr().Rexpr, a.GetAExpr().Rexpr}):
			// -1
		default:
			return false
		}
	}
	return true
}

// wrapIntegerSeries replaces generate_series(…) [AS] t(c) by
// (SELECT CAST(__agnes_series AS integer) AS c FROM generate_series(…) AS __agnes_series(__agnes_series)) t(c).
func wrapIntegerSeries(n *pg_query.Node, rf *pg_query.RangeFunction) {
	const inner = "__agnes_series"
	outerAlias := rf.Alias
	if outerAlias == nil {
		outerAlias = &pg_query.Alias{Aliasname: "generate_series"}
	}
	colName := "generate_series"
	if len(outerAlias.Colnames) > 0 {
		colName = stringValue(outerAlias.Colnames[0])
	}
	fn := &pg_query.RangeFunction{
		Functions: rf.Functions,
		Alias:     &pg_query.Alias{Aliasname: inner, Colnames: []*pg_query.Node{pg_query.MakeStrNode(inner)}},
	}
	ref := pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(inner)}, -1)
	sel := &pg_query.SelectStmt{
		TargetList: []*pg_query.Node{pg_query.MakeResTargetNodeWithNameAndVal(colName, castNode(ref, "int4"), -1)},
		FromClause: []*pg_query.Node{{Node: &pg_query.Node_RangeFunction{RangeFunction: fn}}},
	}
	n.Node = &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
		Lateral:  rf.Lateral || hasColumnRef(rf.Functions),
		Subquery: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel}},
		Alias:    outerAlias,
	}}
}

// wrapScalarFunction replaces a scalar function call in FROM,
// f(…) [AS] t[(c[, o])] [WITH ORDINALITY], by
// (SELECT f(…) AS c[, 1::bigint AS o]) t(c[, o]): one row whose column is
// named as PostgreSQL names it (the column alias, else the table alias,
// else the function's name).
func wrapScalarFunction(n *pg_query.Node, rf *pg_query.RangeFunction, f *pg_query.FuncCall, name string) {
	colName := name
	switch {
	case rf.Alias != nil && len(rf.Alias.Colnames) > 0:
		colName = stringValue(rf.Alias.Colnames[0])
	case rf.Alias != nil:
		colName = rf.Alias.Aliasname
	}
	targets := []*pg_query.Node{pg_query.MakeResTargetNodeWithNameAndVal(colName, &pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: f}}, -1)}
	cols := []string{colName}
	if rf.Ordinality {
		ordName := "ordinality"
		if rf.Alias != nil && len(rf.Alias.Colnames) > 1 {
			ordName = stringValue(rf.Alias.Colnames[1])
		}
		targets = append(targets, pg_query.MakeResTargetNodeWithNameAndVal(ordName, castNode(intConst(1), "int8"), -1))
		cols = append(cols, ordName)
	}
	wrapSubquery(n, rf, f, &pg_query.SelectStmt{TargetList: targets}, cols)
}

// wrapSubquery replaces a function in FROM by the subquery sel computing
// its rows, named as the function was (alias, else the function's name)
// with the alias's column names or cols.
func wrapSubquery(n *pg_query.Node, rf *pg_query.RangeFunction, f *pg_query.FuncCall, sel *pg_query.SelectStmt, cols []string) {
	alias := &pg_query.Alias{Aliasname: stringValue(f.Funcname[len(f.Funcname)-1])}
	if rf.Alias != nil {
		alias = &pg_query.Alias{Aliasname: rf.Alias.Aliasname, Colnames: rf.Alias.Colnames}
	}
	for i := len(alias.Colnames); i < len(cols); i++ {
		alias.Colnames = append(alias.Colnames, pg_query.MakeStrNode(cols[i]))
	}
	n.Node = &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
		Lateral:  rf.Lateral || hasColumnRef(f.Args),
		Subquery: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: sel}},
		Alias:    alias,
	}}
}

// hasColumnRef reports whether a column is referenced anywhere in nodes
// (the function's arguments may reach into earlier FROM items).
func hasColumnRef(nodes []*pg_query.Node) bool {
	found := false
	var walk func(n *pg_query.Node)
	walk = func(n *pg_query.Node) {
		if n == nil || n.Node == nil || found {
			return
		}
		switch x := n.Node.(type) {
		case *pg_query.Node_ColumnRef:
			found = true
		case *pg_query.Node_AConst, *pg_query.Node_ParamRef:
		case *pg_query.Node_List:
			for _, i := range x.List.Items {
				walk(i)
			}
		case *pg_query.Node_FuncCall:
			for _, a := range x.FuncCall.Args {
				walk(a)
			}
		case *pg_query.Node_TypeCast:
			walk(x.TypeCast.Arg)
		case *pg_query.Node_AExpr:
			walk(x.AExpr.Lexpr)
			walk(x.AExpr.Rexpr)
		default:
			found = true // anything else: assume it may refer outward
		}
	}
	for _, n := range nodes {
		walk(n)
	}
	return found
}
