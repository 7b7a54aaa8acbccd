package planner

import pg_query "github.com/pganalyze/pg_query_go/v6"

// Builders for the expression nodes the compatibility rewrites produce.

func intConst(v int64) *pg_query.Node { return pg_query.MakeAConstIntNode(v, -1) }

func nullConst() *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{Isnull: true}}}
}

func boolConst(b bool) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_AConst{AConst: &pg_query.A_Const{
		Val: &pg_query.A_Const_Boolval{Boolval: &pg_query.Boolean{Boolval: b}}}}}
}

// arith is the binary operator expression l op r.
func arith(op string, l, r *pg_query.Node) *pg_query.Node {
	return pg_query.MakeAExprNode(pg_query.A_Expr_Kind_AEXPR_OP, []*pg_query.Node{pg_query.MakeStrNode(op)}, l, r, -1)
}

// isNull is x IS NULL, or x IS NOT NULL when not is true.
func isNull(x *pg_query.Node, not bool) *pg_query.Node {
	t := pg_query.NullTestType_IS_NULL
	if not {
		t = pg_query.NullTestType_IS_NOT_NULL
	}
	return &pg_query.Node{Node: &pg_query.Node_NullTest{NullTest: &pg_query.NullTest{Arg: x, Nulltesttype: t, Location: -1}}}
}

func and(args ...*pg_query.Node) *pg_query.Node {
	return pg_query.MakeBoolExprNode(pg_query.BoolExprType_AND_EXPR, args, -1)
}

// when is one WHEN cond THEN result arm of caseExpr.
type when struct{ cond, result *pg_query.Node }

// caseExpr is CASE WHEN … THEN … [ELSE otherwise] END (otherwise may be nil).
func caseExpr(otherwise *pg_query.Node, arms ...when) *pg_query.Node {
	args := make([]*pg_query.Node, len(arms))
	for i, a := range arms {
		args[i] = &pg_query.Node{Node: &pg_query.Node_CaseWhen{CaseWhen: &pg_query.CaseWhen{Expr: a.cond, Result: a.result}}}
	}
	return &pg_query.Node{Node: &pg_query.Node_CaseExpr{CaseExpr: &pg_query.CaseExpr{Args: args, Defresult: otherwise, Location: -1}}}
}

// isExprCall reports whether f is a call of a PostgreSQL function (no
// schema, or pg_catalog) in an expression whose node a rewrite may replace.
func (f *functionRef) isExprCall() bool {
	return !f.inFrom && f.wrapper != nil && (f.schema == "" || f.schema == "pg_catalog")
}
