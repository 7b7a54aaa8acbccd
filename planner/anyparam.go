package planner

import pg_query "github.com/pganalyze/pg_query_go/v6"

// x = ANY ($1) is how node-postgres and others pass a list of values
// (WHERE id = ANY ($1) with an array parameter). PostgreSQL types $1 as an
// array of x's type; DuckDB plans = ANY over a subquery that unnests the
// array and cannot prepare it while the parameter has no type ("UNNEST
// not supported here"). list_contains($1, x) lets DuckDB type $1 from x.
// The two differ only in NULLs: x = ANY gives NULL where no element
// matches and some element is NULL, list_contains gives false. A WHERE or
// HAVING clause keeps a row only when its condition is true, and in a
// chain of ANDs a NULL conjunct and a false one both make the condition
// not true, so the rewrite is exact there and is made only there.

// anyParamConjuncts rewrites x = ANY ($n) among the top-level AND
// conjuncts of a WHERE or HAVING clause.
func anyParamConjuncts(n *pg_query.Node) {
	if n == nil {
		return
	}
	if b := n.GetBoolExpr(); b != nil {
		if b.Boolop == pg_query.BoolExprType_AND_EXPR {
			for _, arg := range b.Args {
				anyParamConjuncts(arg)
			}
		}
		return
	}
	e := n.GetAExpr()
	if e == nil || e.Kind != pg_query.A_Expr_Kind_AEXPR_OP_ANY || len(e.Name) != 1 ||
		stringValue(e.Name[0]) != "=" || e.Rexpr.GetParamRef() == nil || e.Lexpr == nil {
		return
	}
	n.Node = funcCallNode("list_contains", e.Rexpr, e.Lexpr).Node
}
