package planner

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// PostgreSQL's numeric without a precision holds any value exactly;
// DuckDB's DECIMAL without one is DECIMAL(18,3), which would round
// '3.14159'::numeric to 3.142. The rewrite gives each unconstrained
// numeric cast a DuckDB type that keeps the value:
//
//   - a number or string literal gets exactly its own precision and scale
//     (3.14159::numeric is DECIMAL(6,5), printed 3.14159);
//   - anything else becomes DECIMAL(38,10), the widest scale that still
//     leaves 28 integer digits.
//
// round(x, n) with a constant n returns a numeric of scale n, as
// PostgreSQL's round(numeric, int) does (round(avg(x)::numeric, 2) prints
// 764.43, not 764.4300000000).

const (
	wideNumericPrecision = 38
	wideNumericScale     = 10
)

// rewriteNumericCast types an unconstrained numeric cast.
func rewriteNumericCast(tc *pg_query.TypeCast) {
	base := baseTypeName(tc.TypeName)
	if base != "numeric" && base != "decimal" || len(tc.TypeName.Typmods) > 0 ||
		len(tc.TypeName.ArrayBounds) > 0 || !typeIsUnqualifiedOrCatalog(tc.TypeName) {
		return
	}
	p, s := wideNumericPrecision, wideNumericScale
	if c := tc.Arg.GetAConst(); c != nil && !c.Isnull {
		text := ""
		switch v := c.Val.(type) {
		case *pg_query.A_Const_Ival:
			text = strconv.FormatInt(int64(v.Ival.Ival), 10)
		case *pg_query.A_Const_Fval:
			text = v.Fval.Fval
		case *pg_query.A_Const_Sval:
			text = strings.TrimSpace(v.Sval.Sval)
		}
		if lp, ls, ok := decimalShape(text); ok {
			p, s = lp, ls
		}
	}
	tc.TypeName = &pg_query.TypeName{
		Names:    typeNameNodes("numeric"),
		Typmods:  []*pg_query.Node{intConst(int64(p)), intConst(int64(s))},
		Typemod:  -1,
		Location: tc.TypeName.Location,
	}
}

// decimalShape is the precision and scale of a plain decimal literal
// ("-12.340" is 5,3), false for anything else (exponents, NaN) or beyond
// DuckDB's 38 digits.
func decimalShape(text string) (int, int, bool) {
	t := strings.TrimLeft(text, "+-")
	if t == "" {
		return 0, 0, false
	}
	intPart, frac, hasPoint := strings.Cut(t, ".")
	if hasPoint && intPart == "" && frac == "" {
		return 0, 0, false
	}
	for _, part := range []string{intPart, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, 0, false
			}
		}
	}
	intDigits := len(strings.TrimLeft(intPart, "0"))
	p := max(intDigits+len(frac), 1)
	if p > wideNumericPrecision {
		return 0, 0, false
	}
	return p, len(frac), true
}

// rewriteRoundScale turns round(x, n) with a constant n into
// CAST(round(x, n) AS numeric(38, max(n, 0))).
func rewriteRoundScale(a *analysis) {
	for _, f := range a.functions {
		if f.name != "round" || !f.isExprCall() || len(f.node.Args) != 2 || f.node.Over != nil {
			continue
		}
		k := f.node.Args[1].GetAConst()
		if k == nil || k.GetIval() == nil {
			continue
		}
		scale := max(int64(k.GetIval().Ival), 0)
		if scale > wideNumericPrecision {
			continue
		}
		call := &pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: f.node}}
		f.wrapper.Node = &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
			Arg: call,
			TypeName: &pg_query.TypeName{
				Names:    typeNameNodes("numeric"),
				Typmods:  []*pg_query.Node{intConst(wideNumericPrecision), intConst(scale)},
				Typemod:  -1,
				Location: -1,
			},
			Location: -1,
		}}
	}
}

// guardDivision makes a / b and a % b fail with "division by zero" when b is
// zero, as in PostgreSQL; DuckDB answers NULL, which would turn an error
// into a silently different result:
// CASE WHEN b = 0 AND a IS NOT NULL THEN error('division by zero') ELSE a / b END.
func guardDivision(n *pg_query.Node) {
	e := n.GetAExpr()
	if e == nil || e.Lexpr == nil || e.Rexpr == nil {
		return
	}
	orig := &pg_query.Node{Node: &pg_query.Node_AExpr{AExpr: e}}
	n.Node = caseExpr(orig, when{
		and(arith("=", e.Rexpr, intConst(0)), isNull(e.Lexpr, true)),
		funcCallNode("error", pg_query.MakeAConstStrNode("division by zero", -1)),
	}).Node
}
