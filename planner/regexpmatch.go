package planner

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// regexp_match(string, pattern [, flags]) returns the first match's
// capture groups as text[] (the whole match when the pattern has none),
// NULL when nothing matches. DuckDB has no such function; with a constant
// pattern the groups are known, and the call becomes
//
//	CASE WHEN regexp_matches(s, p[, flags]) THEN
//	     [regexp_extract(s, p, 1[, flags]), …] END
//
// PostgreSQL's flags are the letters DuckDB's regexp functions take for
// case (i, c), newline (n, s, p, w handled as in RE2's options they map
// to) and g is refused, as it is by PostgreSQL's regexp_match.

// rewriteRegexpMatch rewrites regexp_match calls with a constant pattern.
func rewriteRegexpMatch(a *analysis) error {
	for _, f := range a.functions {
		if f.name != "regexp_match" || !f.isExprCall() {
			continue
		}
		args := f.node.Args
		if len(args) < 2 || len(args) > 3 {
			continue
		}
		pc := args[1].GetAConst()
		if pc == nil || pc.GetSval() == nil {
			return pgerr.New(pgerr.FeatureNotSupported, "regexp_match() is supported by Agnes only with a constant pattern")
		}
		var flags *pg_query.Node
		if len(args) == 3 {
			fc := args[2].GetAConst()
			if fc == nil || fc.GetSval() == nil {
				return pgerr.New(pgerr.FeatureNotSupported, "regexp_match() is supported by Agnes only with constant flags")
			}
			fl := fc.GetSval().Sval
			if strings.Contains(fl, "g") {
				return pgerr.New(pgerr.InvalidParameterValue, `regexp_match() does not support the "global" option`).
					WithHint("Use the regexp_matches function instead.")
			}
			if strings.Trim(fl, "ic") != "" {
				return pgerr.New(pgerr.FeatureNotSupported, "regexp_match(): flags %q are not supported by Agnes (only i and c)", fl)
			}
			flags = args[2]
		}
		groups := captureGroups(pc.GetSval().Sval)
		withFlags := func(xs ...*pg_query.Node) []*pg_query.Node {
			if flags != nil {
				xs = append(xs, flags)
			}
			return xs
		}
		var elems []*pg_query.Node
		if groups == 0 {
			elems = append(elems, funcCallNode("regexp_extract", withFlags(args[0], args[1], intConst(0))...))
		}
		for g := 1; g <= groups; g++ {
			elems = append(elems, funcCallNode("regexp_extract", withFlags(args[0], args[1], intConst(int64(g)))...))
		}
		list := &pg_query.Node{Node: &pg_query.Node_AArrayExpr{AArrayExpr: &pg_query.A_ArrayExpr{Elements: elems, Location: -1}}}
		f.wrapper.Node = caseExpr(nil, when{funcCallNode("regexp_matches", withFlags(args[0], args[1])...), list}).Node
	}
	return nil
}

// captureGroups counts the capturing groups of a regular expression:
// opening parentheses that are not escaped, not in a bracket expression
// and not followed by ? (non-capturing and look-around groups).
func captureGroups(re string) int {
	n := 0
	inClass := false
	for i := 0; i < len(re); i++ {
		switch c := re[i]; {
		case c == '\\':
			i++
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			if i+1 < len(re) && re[i+1] == ']' {
				i++
			}
		case c == '(' && !(i+1 < len(re) && re[i+1] == '?'):
			n++
		}
	}
	return n
}
