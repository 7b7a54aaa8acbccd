package planner

import (
	"strconv"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// expandFormat rewrites format(fmt, args…) with a constant fmt into the
// concatenation PostgreSQL's format() would produce: %s is the argument as
// text (NULL as nothing), %I quote_ident, %L quote_nullable, %% a percent
// sign, %n$… the n-th argument. DuckDB's own format() takes {}
// placeholders and would print %s as it is.
func expandFormat(f *functionRef, c *Compat) error {
	call := f.node
	if len(call.Args) == 0 {
		return pgerr.New(pgerr.UndefinedFunction, "function format() does not exist")
	}
	fc := call.Args[0].GetAConst()
	if fc == nil || fc.GetSval() == nil || call.AggStar || call.FuncVariadic || call.Over != nil {
		return pgerr.New(pgerr.FeatureNotSupported, "format() is supported by Agnes only with a constant format string")
	}
	unsupported := func(why string) error {
		return pgerr.New(pgerr.FeatureNotSupported, "format(): %s is not supported by Agnes", why)
	}
	fmtText := fc.GetSval().Sval
	args := call.Args[1:]
	var parts []*pg_query.Node
	var lit []byte
	flush := func() {
		if len(lit) > 0 {
			parts = append(parts, pg_query.MakeAConstStrNode(string(lit), -1))
			lit = lit[:0]
		}
	}
	next := 0
	for i := 0; i < len(fmtText); i++ {
		ch := fmtText[i]
		if ch != '%' {
			lit = append(lit, ch)
			continue
		}
		i++
		if i >= len(fmtText) {
			return pgerr.New(pgerr.InvalidParameterValue, "unterminated format() type specifier")
		}
		if fmtText[i] == '%' {
			lit = append(lit, '%')
			continue
		}
		// Optional argument position n$.
		j := i
		for j < len(fmtText) && fmtText[j] >= '0' && fmtText[j] <= '9' {
			j++
		}
		argIdx := next
		if j < len(fmtText) && fmtText[j] == '$' && j > i {
			n, err := strconv.Atoi(fmtText[i:j])
			if err != nil || n < 1 {
				return pgerr.New(pgerr.InvalidParameterValue, "format specifies argument 0, but arguments are numbered from 1")
			}
			argIdx = n - 1
			i = j + 1
		} else if j > i || fmtText[i] == '-' || fmtText[i] == '*' {
			return unsupported("a width in a format specifier")
		}
		if i >= len(fmtText) {
			return pgerr.New(pgerr.InvalidParameterValue, "unterminated format() type specifier")
		}
		if argIdx >= len(args) {
			return pgerr.New(pgerr.InvalidParameterValue, "too few arguments for format()")
		}
		next = argIdx + 1
		arg := args[argIdx]
		var piece *pg_query.Node
		switch fmtText[i] {
		case 's':
			piece = castNode(arg, "varchar")
		case 'I':
			if c == nil {
				return unsupported("%I")
			}
			piece = funcCallNode(c.Functions["quote_ident"], arg)
		case 'L':
			if c == nil {
				return unsupported("%L")
			}
			piece = funcCallNode(c.Functions["quote_nullable"], arg)
		default:
			return pgerr.New(pgerr.InvalidParameterValue, "unrecognized format() type specifier %q", string(fmtText[i])).
				WithHint("For a single \"%%\" use \"%%%%\".")
		}
		flush()
		parts = append(parts, piece)
	}
	flush()
	if len(parts) == 0 {
		parts = append(parts, pg_query.MakeAConstStrNode("", -1))
	}
	call.Funcname = []*pg_query.Node{pg_query.MakeStrNode("concat")}
	call.Args = parts
	return nil
}

func castNode(arg *pg_query.Node, typ string) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_TypeCast{TypeCast: &pg_query.TypeCast{
		Arg:      arg,
		TypeName: &pg_query.TypeName{Names: typeNameNodes(typ), Typemod: -1, Location: -1},
		Location: -1,
	}}}
}

// typeNameNodes names a type the way the parser does: the types with SQL
// standard names (varchar, int4 …) qualified by pg_catalog, which makes
// the deparser print their standard name unquoted.
func typeNameNodes(typ string) []*pg_query.Node {
	if standardTypeNames[typ] {
		return []*pg_query.Node{pg_query.MakeStrNode("pg_catalog"), pg_query.MakeStrNode(typ)}
	}
	return []*pg_query.Node{pg_query.MakeStrNode(typ)}
}
