package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// generate_series in a select list is a set-returning call in PostgreSQL
// (SELECT generate_series(1, 3) gives three rows); DuckDB's scalar
// generate_series returns one list. The call is unnested, and cast back to
// integer when PostgreSQL would return integer.
func rewriteSeriesCalls(a *analysis) {
	for _, f := range a.functions {
		if f.name != "generate_series" || !f.isExprCall() || len(f.node.Args) < 2 || len(f.node.Args) > 3 {
			continue
		}
		call := &pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: f.node}}
		out := funcCallNode("unnest", call)
		if integerArguments(f.node.Args) {
			out = castNode(out, "int4")
		}
		f.wrapper.Node = out.Node
	}
}

// encode(bytea, format) and decode(text, format), PostgreSQL's
// binary-to-text conversions, for the formats DuckDB has: hex (lower case,
// as PostgreSQL prints it) and base64. DuckDB's own encode/decode are
// UTF-8 conversions with one argument, which stay as they are.
func rewriteEncodeCalls(a *analysis) error {
	for _, f := range a.functions {
		if f.name != "encode" && f.name != "decode" || !f.isExprCall() || len(f.node.Args) != 2 {
			continue
		}
		fc := f.node.Args[1].GetAConst()
		if fc == nil || fc.GetSval() == nil {
			return pgerr.New(pgerr.FeatureNotSupported, "%s() is supported by Agnes only with a constant format", f.name)
		}
		x := f.node.Args[0]
		var out *pg_query.Node
		switch format := foldName(fc.GetSval().Sval); {
		case f.name == "encode" && format == "hex":
			out = funcCallNode("lower", funcCallNode("hex", castNode(x, "bytea")))
		case f.name == "encode" && format == "base64":
			out = funcCallNode("to_base64", castNode(x, "bytea"))
		case f.name == "decode" && format == "hex":
			out = funcCallNode("unhex", castNode(x, "text"))
		case f.name == "decode" && format == "base64":
			out = funcCallNode("from_base64", castNode(x, "text"))
		case format == "escape" || format == "base64url" || format == "hex" || format == "base64":
			return pgerr.New(pgerr.FeatureNotSupported, "%s() with format %q is not supported by Agnes (hex and base64 are)", f.name, format)
		default:
			return pgerr.New(pgerr.InvalidParameterValue, "unrecognized encoding: %q", fc.GetSval().Sval)
		}
		f.wrapper.Node = out.Node
	}
	return nil
}
