package planner

import (
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// Result column names follow PostgreSQL, not DuckDB: an unnamed target is
// named by PostgreSQL's FigureColname rules (a function's name, a column's
// name, a cast's inner name or its type, else "?column?"), so SELECT
// count(*) returns a column "count" and SELECT 1 a column "?column?". The
// name is written into the rewritten SQL as an alias, in every SELECT of
// the statement, because subqueries expose their column names to the
// query around them ((SELECT count(*) …) s … s.count).

// nameTargets gives every unnamed target of every SELECT of the statement
// its PostgreSQL name. Plain column references keep no alias: DuckDB names
// them the same way. VALUES lists get PostgreSQL's column1, column2 …
func nameTargets(a *analysis) {
	branches := map[*pg_query.SelectStmt]bool{}
	for _, s := range a.selects {
		if s.Op != pg_query.SetOperation_SETOP_NONE {
			branches[s.Larg], branches[s.Rarg] = true, true
		}
	}
	for _, s := range a.selects {
		for _, t := range s.TargetList {
			rt := t.GetResTarget()
			if rt == nil {
				continue
			}
			// A bare NULL is of type unknown in PostgreSQL, resolved to
			// text in a result column (DuckDB would pick integer). In a
			// set operation the other branches decide, as in DuckDB.
			if c := rt.Val.GetAConst(); c != nil && c.Isnull && !branches[s] {
				rt.Val = castNode(rt.Val, "text")
				if rt.Name == "" {
					rt.Name = "?column?"
				}
			}
			if rt.Name != "" {
				continue
			}
			if cr := rt.Val.GetColumnRef(); cr != nil {
				continue // named alike by both, and * must stay unnamed
			}
			name, _ := figureColname(rt.Val)
			if name == "" {
				name = "?column?"
			}
			rt.Name = name
		}
	}
	for _, rs := range a.valuesRanges {
		sel := rs.Subquery.GetSelectStmt()
		if sel == nil || len(sel.ValuesLists) == 0 {
			continue
		}
		if rs.Alias == nil {
			// PostgreSQL requires an alias for a subquery in FROM; DuckDB
			// does not. Keep the column names either way.
			rs.Alias = &pg_query.Alias{Aliasname: "*VALUES*"}
		}
		rs.Alias.Colnames = valuesColumnNames(len(sel.ValuesLists[0].GetList().GetItems()))
	}
}

func valuesColumnNames(n int) []*pg_query.Node {
	out := make([]*pg_query.Node, n)
	for i := range out {
		out[i] = pg_query.MakeStrNode("column" + strconv.Itoa(i+1))
	}
	return out
}

// wrapValues turns a top-level VALUES statement into SELECT * FROM
// (VALUES …) AS "*VALUES*"(column1, …), which names its columns as
// PostgreSQL does. ORDER BY, LIMIT and OFFSET move to the outer SELECT,
// where they see the same column names.
func wrapValues(node *pg_query.Node) {
	sel := node.GetSelectStmt()
	if sel == nil || len(sel.ValuesLists) == 0 {
		return
	}
	inner := &pg_query.SelectStmt{ValuesLists: sel.ValuesLists, Op: sel.Op}
	outer := &pg_query.SelectStmt{
		TargetList: []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{
			Val: &pg_query.Node{Node: &pg_query.Node_ColumnRef{ColumnRef: &pg_query.ColumnRef{
				Fields: []*pg_query.Node{{Node: &pg_query.Node_AStar{AStar: &pg_query.A_Star{}}}}}}},
		}}}},
		FromClause: []*pg_query.Node{{Node: &pg_query.Node_RangeSubselect{RangeSubselect: &pg_query.RangeSubselect{
			Subquery: &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: inner}},
			Alias: &pg_query.Alias{Aliasname: "*VALUES*",
				Colnames: valuesColumnNames(len(sel.ValuesLists[0].GetList().GetItems()))},
		}}}},
		SortClause:    sel.SortClause,
		LimitCount:    sel.LimitCount,
		LimitOffset:   sel.LimitOffset,
		LimitOption:   sel.LimitOption,
		WithClause:    sel.WithClause,
		LockingClause: sel.LockingClause,
	}
	node.Node = &pg_query.Node_SelectStmt{SelectStmt: outer}
}

// figureColname is PostgreSQL's FigureColnameInternal: the name and its
// strength (0 none, 1 a type name, 2 a real name).
func figureColname(n *pg_query.Node) (string, int) {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_ColumnRef:
		f := x.ColumnRef.Fields
		if len(f) > 0 {
			if s := f[len(f)-1].GetString_(); s != nil {
				return s.Sval, 2
			}
		}
	case *pg_query.Node_AIndirection:
		fname := ""
		for _, i := range x.AIndirection.Indirection {
			if s := i.GetString_(); s != nil {
				fname = s.Sval
			}
		}
		if fname != "" {
			return fname, 2
		}
		return figureColname(x.AIndirection.Arg)
	case *pg_query.Node_FuncCall:
		f := x.FuncCall.Funcname
		if len(f) > 0 {
			return stringValue(f[len(f)-1]), 2
		}
	case *pg_query.Node_AExpr:
		if x.AExpr.Kind == pg_query.A_Expr_Kind_AEXPR_NULLIF {
			return "nullif", 2
		}
	case *pg_query.Node_TypeCast:
		name, strength := figureColname(x.TypeCast.Arg)
		if strength <= 1 && x.TypeCast.TypeName != nil {
			names := x.TypeCast.TypeName.Names
			if len(names) > 0 {
				return stringValue(names[len(names)-1]), 1
			}
		}
		return name, strength
	case *pg_query.Node_CollateClause:
		return figureColname(x.CollateClause.Arg)
	case *pg_query.Node_GroupingFunc:
		return "grouping", 2
	case *pg_query.Node_SubLink:
		switch x.SubLink.SubLinkType {
		case pg_query.SubLinkType_EXISTS_SUBLINK:
			return "exists", 2
		case pg_query.SubLinkType_ARRAY_SUBLINK:
			return "array", 2
		case pg_query.SubLinkType_EXPR_SUBLINK:
			// The subquery's single target names it (its own name,
			// "?column?" included).
			if sel := x.SubLink.Subselect.GetSelectStmt(); sel != nil {
				for sel.Larg != nil && sel.Op != pg_query.SetOperation_SETOP_NONE {
					sel = sel.Larg
				}
				if len(sel.TargetList) > 0 {
					if rt := sel.TargetList[0].GetResTarget(); rt != nil {
						if rt.Name != "" {
							return rt.Name, 2
						}
						if name, s := figureColname(rt.Val); s > 0 {
							return name, 2
						}
						return "?column?", 2
					}
				}
			}
		}
	case *pg_query.Node_CaseExpr:
		name, strength := figureColname(x.CaseExpr.Defresult)
		if strength <= 1 {
			return "case", 1
		}
		return name, strength
	case *pg_query.Node_AArrayExpr:
		return "array", 2
	case *pg_query.Node_RowExpr:
		return "row", 2
	case *pg_query.Node_CoalesceExpr:
		return "coalesce", 2
	case *pg_query.Node_MinMaxExpr:
		if x.MinMaxExpr.Op == pg_query.MinMaxOp_IS_GREATEST {
			return "greatest", 2
		}
		return "least", 2
	case *pg_query.Node_SqlvalueFunction:
		if name, ok := sqlValueNames[x.SqlvalueFunction.Op]; ok {
			return name, 2
		}
	}
	return "", 0
}

var sqlValueNames = map[pg_query.SQLValueFunctionOp]string{
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:        "current_date",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME:        "current_time",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N:      "current_time",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP:   "current_timestamp",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N: "current_timestamp",
	pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME:           "localtime",
	pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME_N:         "localtime",
	pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP:      "localtimestamp",
	pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:    "localtimestamp",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE:        "current_role",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER:        "current_user",
	pg_query.SQLValueFunctionOp_SVFOP_USER:                "user",
	pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER:        "session_user",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:     "current_catalog",
	pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA:      "current_schema",
}

// Target is what the planner can tell about one result column from the
// SQL alone; the gateway uses it to describe catalog columns with
// PostgreSQL's types (oid, name, regclass …) where DuckDB's types differ.
type Target struct {
	// Name is the result column's name.
	Name string
	// Type is the PostgreSQL type a top-level cast names ("regclass",
	// "name", "oid", "int4[]"), folded and without a pg_catalog qualifier.
	Type string
	// Column is the column a plain column reference names (folded).
	Column string
	// Qualifier is the relation name a plain column reference of the
	// statement's own FROM is qualified by (o in o.id, folded); empty when
	// unqualified or followed into a derived table.
	Qualifier string
	// Function is the function a top-level call names (folded, without a
	// schema).
	Function string
}

// targetsOf describes the result columns of a statement (its leftmost
// SELECT for set operations); nil when a * expands to columns the planner
// does not know.
func targetsOf(node *pg_query.Node) []Target {
	sel := node.GetSelectStmt()
	if sel == nil {
		return nil
	}
	for sel.Larg != nil && sel.Op != pg_query.SetOperation_SETOP_NONE {
		sel = sel.Larg
	}
	if len(sel.ValuesLists) > 0 {
		return nil
	}
	out := make([]Target, 0, len(sel.TargetList))
	for _, t := range sel.TargetList {
		rt := t.GetResTarget()
		if rt == nil {
			return nil
		}
		if cr := rt.Val.GetColumnRef(); cr != nil {
			if f := cr.Fields; len(f) == 0 || f[len(f)-1].GetAStar() != nil {
				return nil
			}
		}
		tg := targetHint(sel, rt.Val, 0)
		tg.Name = outputName(rt)
		out = append(out, tg)
	}
	return out
}

// maxLineageDepth bounds how deep targetHint follows subqueries.
const maxLineageDepth = 8

// targetHint says what an output expression of sel is: a cast, a function
// call, or a column, followed through derived tables and CTEs of sel to
// the column it comes from (SELECT r.nspname FROM (SELECT n.nspname …) r).
func targetHint(sel *pg_query.SelectStmt, val *pg_query.Node, depth int) Target {
	var tg Target
	switch v := val.GetNode().(type) {
	case *pg_query.Node_ColumnRef:
		f := v.ColumnRef.Fields
		if len(f) == 0 || f[len(f)-1].GetString_() == nil {
			return tg
		}
		tg.Column = foldName(stringValue(f[len(f)-1]))
		qualifier := ""
		if len(f) >= 2 {
			qualifier = foldName(stringValue(f[len(f)-2]))
		}
		if depth < maxLineageDepth {
			if inner, rt := derivedColumn(sel, qualifier, tg.Column); rt != nil {
				return targetHint(inner, rt.Val, depth+1)
			}
		}
		if depth == 0 && len(f) == 2 {
			tg.Qualifier = qualifier
		}
	case *pg_query.Node_TypeCast:
		tg.Type = castTypeName(v.TypeCast.TypeName)
	case *pg_query.Node_FuncCall:
		f := v.FuncCall.Funcname
		tg.Function = foldName(stringValue(f[len(f)-1]))
	case *pg_query.Node_SqlvalueFunction:
		tg.Function = sqlValueNames[v.SqlvalueFunction.Op]
	case *pg_query.Node_SubLink:
		if v.SubLink.SubLinkType == pg_query.SubLinkType_EXPR_SUBLINK && depth < maxLineageDepth {
			if inner := leftmostSelect(v.SubLink.Subselect); inner != nil && len(inner.TargetList) == 1 {
				if rt := inner.TargetList[0].GetResTarget(); rt != nil {
					return targetHint(inner, rt.Val, depth+1)
				}
			}
		}
	}
	return tg
}

// outputName is the name a target gives its column.
func outputName(rt *pg_query.ResTarget) string {
	if rt.Name != "" {
		return rt.Name
	}
	if cr := rt.Val.GetColumnRef(); cr != nil && len(cr.Fields) > 0 {
		return stringValue(cr.Fields[len(cr.Fields)-1])
	}
	return ""
}

// derivedColumn finds the target of a derived table or CTE of sel that
// produces column col (of the FROM item named qualifier, or of any when
// qualifier is empty).
func derivedColumn(sel *pg_query.SelectStmt, qualifier, col string) (*pg_query.SelectStmt, *pg_query.ResTarget) {
	var found *pg_query.SelectStmt
	var target *pg_query.ResTarget
	var visit func(n *pg_query.Node)
	lookIn := func(alias string, colnames []*pg_query.Node, sub *pg_query.Node) {
		if found != nil || qualifier != "" && foldName(alias) != qualifier {
			return
		}
		inner := leftmostSelect(sub)
		if inner == nil {
			return
		}
		for i, t := range inner.TargetList {
			rt := t.GetResTarget()
			if rt == nil {
				continue
			}
			name := outputName(rt)
			if i < len(colnames) {
				name = stringValue(colnames[i])
			}
			if foldName(name) == col {
				found, target = inner, rt
				return
			}
		}
	}
	ctes := map[string]*pg_query.CommonTableExpr{}
	if sel.WithClause != nil {
		for _, c := range sel.WithClause.Ctes {
			if cte := c.GetCommonTableExpr(); cte != nil {
				ctes[foldName(cte.Ctename)] = cte
			}
		}
	}
	visit = func(n *pg_query.Node) {
		switch x := n.GetNode().(type) {
		case *pg_query.Node_RangeSubselect:
			if x.RangeSubselect.Alias != nil {
				lookIn(x.RangeSubselect.Alias.Aliasname, x.RangeSubselect.Alias.Colnames, x.RangeSubselect.Subquery)
			}
		case *pg_query.Node_RangeVar:
			rv := x.RangeVar
			if cte, ok := ctes[foldName(rv.Relname)]; ok && rv.Schemaname == "" {
				alias := rv.Relname
				var colnames []*pg_query.Node
				if rv.Alias != nil {
					alias, colnames = rv.Alias.Aliasname, rv.Alias.Colnames
				}
				if len(colnames) == 0 {
					colnames = cte.Aliascolnames
				}
				lookIn(alias, colnames, cte.Ctequery)
			}
		case *pg_query.Node_JoinExpr:
			visit(x.JoinExpr.Larg)
			visit(x.JoinExpr.Rarg)
		}
	}
	for _, n := range sel.FromClause {
		visit(n)
	}
	return found, target
}

// castTypeName is a type name as the gateway looks it up: folded, without
// a pg_catalog qualifier or type modifiers, "[]" per array bound.
func castTypeName(t *pg_query.TypeName) string {
	if t == nil || len(t.Names) == 0 {
		return ""
	}
	name := foldName(stringValue(t.Names[len(t.Names)-1]))
	if len(t.Names) > 1 {
		if q := foldName(stringValue(t.Names[len(t.Names)-2])); q != "pg_catalog" {
			name = q + "." + name
		}
	}
	for range t.ArrayBounds {
		name += "[]"
	}
	return name
}
