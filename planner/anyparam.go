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

// anyParamExact rewrites x = ANY ($n) and x <> ALL ($n) anywhere else
// (select list, under OR or NOT) into a CASE with PostgreSQL's three-valued
// result, which also lets DuckDB type $n from x:
//
//	CASE WHEN x IS NOT NULL AND list_contains($n, x) THEN true
//	     WHEN $n IS NULL THEN NULL WHEN len($n) = 0 THEN false
//	     WHEN x IS NULL THEN NULL
//	     WHEN list_count($n) < len($n) THEN NULL ELSE false END
//
// DuckDB types a parameter from its first use, so list_contains comes
// first. (x <> ALL is the negation of x = ANY in three-valued logic.)
func anyParamExact(n *pg_query.Node) {
	e := n.GetAExpr()
	if e == nil || e.Lexpr == nil || e.Rexpr.GetParamRef() == nil || len(e.Name) != 1 {
		return
	}
	op := stringValue(e.Name[0])
	negate := false
	switch {
	case e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY && op == "=":
	case e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL && (op == "<>" || op == "!="):
		negate = true
	default:
		return
	}
	arr, x := e.Rexpr, e.Lexpr
	length := funcCallNode("len", arr)
	n.Node = caseExpr(boolConst(negate),
		when{and(isNull(x, true), funcCallNode("list_contains", arr, x)), boolConst(!negate)},
		when{isNull(arr, false), nullConst()},
		when{arith("=", length, intConst(0)), boolConst(negate)},
		when{isNull(x, false), nullConst()},
		when{arith("<", funcCallNode("list_count", arr), length), nullConst()},
	).Node
}
