package planner

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// Compat names the PostgreSQL compatibility objects the sandbox serves (the
// gateway fills it from package pgcompat). With it, the rewrite step sends
// overridden functions, reg* casts and session value functions to those
// objects; catalog relations go through Options.CatalogRewrite, and one it
// does not list is refused instead of reaching DuckDB's own pg_catalog.
type Compat struct {
	// Functions maps a folded PostgreSQL function name to the name its
	// calls are rewritten to ("pgcompat.format_type", "json_object").
	Functions map[string]string
	// SessionFunctions maps CURRENT_USER, SESSION_USER, USER,
	// CURRENT_ROLE, CURRENT_CATALOG and CURRENT_SCHEMA (folded) to the
	// function serving each.
	SessionFunctions map[string]string
	// Casts maps a reg* type (folded: regclass, regtype …) to the
	// functions converting a value to it.
	Casts map[string]CastFunctions
	// ConstOID, when set, resolves a reg* cast of a constant to an OID at
	// plan time ('pg_class'::regclass); ok false leaves it to Casts.
	ConstOID func(typ, name string) (oid uint32, ok bool)
}

// CastFunctions convert a value (an OID or a name) to a reg* type: OID
// gives the object's OID, for comparisons and joins; Name gives its name
// as PostgreSQL prints the type, for display. Names gives the names of
// an array's elements (proargtypes::regtype[]).
type CastFunctions struct {
	OID, Name, Names string
}

// typeRenames are PostgreSQL types DuckDB lacks, and the DuckDB type that
// holds their values in the compatibility catalog.
var typeRenames = map[string][]string{
	"name":         {"varchar"},
	"pg_node_tree": {"varchar"},
	"aclitem":      {"varchar"},
	"cstring":      {"varchar"},
	"xid":          {"bigint"},
	"xid8":         {"bigint"},
	"cid":          {"bigint"},
	"jsonb":        {"json"},
	"int2vector":   {"smallint", "[]"},
	"oidvector":    {"oid", "[]"},
}

// textTypes are the types a reg* value is cast to when it is shown as a
// name (x::regclass::text).
var textTypes = setOf("text", "varchar", "name", "bpchar", "char")

// compatRewrite adjusts the checked tree for what DuckDB lacks, before the
// general rewrite deparses it. top is the statement's node; targets are its
// result columns; catalogOnly is true when it reads catalog relations only.
func (p *planner) compatRewrite(node *pg_query.Node, a *analysis, catalogOnly bool) error {
	c := p.opt.Compat
	for _, e := range a.regexOps {
		rewriteRegexOp(e)
	}
	// Which reg* casts show a name: top-level targets and casts on to a
	// text type. The others compare or join, and give the OID.
	showName := map[*pg_query.TypeCast]bool{}
	topCalls := map[*pg_query.ResTarget]bool{}
	if sel := leftmostSelect(node); sel != nil {
		for _, t := range sel.TargetList {
			if rt := t.GetResTarget(); rt != nil {
				if tc := rt.Val.GetTypeCast(); tc != nil {
					showName[tc] = true
				}
				if fc := rt.Val.GetFuncCall(); fc != nil {
					topCalls[rt] = true
				}
			}
		}
	}
	for _, n := range a.typeCasts {
		tc := n.GetTypeCast()
		if inner := tc.Arg.GetTypeCast(); inner != nil && textTypes[baseTypeName(tc.TypeName)] {
			showName[inner] = true
		}
	}
	for _, n := range a.typeCasts {
		tc := n.GetTypeCast()
		if tc == nil {
			continue
		}
		if err := rewriteLiteral(tc); err != nil {
			return err
		}
		rewriteNumericCast(tc)
		base := baseTypeName(tc.TypeName)
		if c != nil && len(tc.TypeName.ArrayBounds) == 1 {
			if cast, ok := c.Casts[base]; ok && cast.Names != "" {
				// An array of reg* values is shown (::text[], a result
				// column), not joined on: it becomes the names.
				n.Node = funcCallNode(cast.Names, tc.Arg).Node
				continue
			}
		}
		if c != nil && len(tc.TypeName.ArrayBounds) == 0 {
			if cast, ok := c.Casts[base]; ok {
				if k := tc.Arg.GetAConst(); k != nil && k.GetSval() != nil && !showName[tc] && c.ConstOID != nil {
					if oid, ok := c.ConstOID(base, k.GetSval().Sval); ok {
						n.Node = pg_query.MakeAConstIntNode(int64(oid), -1).Node
						continue
					}
				}
				fn := cast.OID
				if showName[tc] {
					fn = cast.Name
				}
				n.Node = funcCallNode(fn, tc.Arg).Node
				continue
			}
		}
		if to, ok := typeRenames[base]; ok && typeIsUnqualifiedOrCatalog(tc.TypeName) {
			tc.TypeName.Names = typeNameNodes(to[0])
			if len(to) > 1 {
				tc.TypeName.ArrayBounds = append(tc.TypeName.ArrayBounds, pg_query.MakeIntNode(-1))
			}
		}
	}
	// x = ANY ('{a,b}'): the untyped literal is an array of x's type in
	// PostgreSQL, text to DuckDB.
	for _, n := range a.anyExprs {
		if e := n.GetAExpr(); e != nil {
			arrayComparand(&e.Rexpr, e.Lexpr)
		}
	}
	if catalogOnly {
		for _, e := range a.comparisons {
			arrayComparand(&e.Lexpr, e.Rexpr)
			arrayComparand(&e.Rexpr, e.Lexpr)
		}
		// x = ANY (array): DuckDB plans it as a subquery, which it cannot
		// join on (LEFT JOIN … ON a.attnum = ANY (ix.indkey)).
		for _, n := range a.anyExprs {
			rewriteAnyArray(n)
		}
	}
	// WHERE x = ANY ($1): DuckDB cannot type the parameter (anyparam.go).
	for _, s := range a.selects {
		anyParamConjuncts(s.WhereClause)
		anyParamConjuncts(s.HavingClause)
	}
	for _, n := range a.anyExprs {
		anyParamExact(n)
	}
	for _, f := range a.functions {
		if f.name == "format" && f.schema != "information_schema" {
			if err := expandFormat(f, c); err != nil {
				return err
			}
		}
	}
	for _, n := range a.divisions {
		guardDivision(n)
	}
	if err := rewriteTemplateFunctions(a); err != nil {
		return err
	}
	rewriteRoundScale(a)
	rewriteJSONSetCalls(a)
	rewriteSeriesCalls(a)
	if err := rewriteEncodeCalls(a); err != nil {
		return err
	}
	if err := rewriteJSONPaths(a); err != nil {
		return err
	}
	if err := rewriteRegexpMatch(a); err != nil {
		return err
	}
	if c == nil {
		return nil
	}
	for _, n := range a.valueFuncs {
		if fn, ok := c.SessionFunctions[sqlValueNames[n.GetSqlvalueFunction().GetOp()]]; ok {
			n.Node = funcCallNode(fn).Node
		}
	}
	for _, f := range a.functions {
		if f.node.Funcformat == pg_query.CoercionForm_COERCE_SQL_SYNTAX || f.parts > 2 {
			continue
		}
		if f.name == "set_config" {
			return pgerr.New(pgerr.FeatureNotSupported,
				"set_config() is supported only as a statement of its own: SELECT set_config(name, value, is_local)")
		}
		if to, ok := c.Functions[f.name]; ok {
			f.node.Funcname = nameNodes(to)
		}
	}
	// to_regclass() and friends shown as a result column print the name,
	// as the reg* type's output function does.
	for rt := range topCalls {
		fc := rt.Val.GetFuncCall()
		if fc == nil {
			continue // rewritten into another expression (to_char)
		}
		name := foldName(stringValue(fc.Funcname[len(fc.Funcname)-1]))
		if rest, ok := strings.CutPrefix(name, "to_"); ok {
			if cast, ok := c.Casts[rest]; ok {
				rt.Val = funcCallNode(cast.Name, rt.Val)
			}
		}
	}
	return nil
}

// rewriteRegexOp turns PostgreSQL's regular expression operators into
// regexp_matches: DuckDB's ~ means a full match, PostgreSQL's a match
// anywhere.
func rewriteRegexOp(n *pg_query.Node) {
	e := n.GetAExpr()
	op := stringValue(e.Name[len(e.Name)-1])
	args := []*pg_query.Node{e.Lexpr, e.Rexpr}
	if strings.HasSuffix(op, "*") {
		args = append(args, pg_query.MakeAConstStrNode("i", -1))
	}
	call := funcCallNode("regexp_matches", args...)
	call.GetFuncCall().Location = e.Location
	if strings.HasPrefix(op, "!") {
		n.Node = pg_query.MakeBoolExprNode(pg_query.BoolExprType_NOT_EXPR, []*pg_query.Node{call}, e.Location).Node
		return
	}
	n.Node = call.Node
}

// rewriteLiteral turns PostgreSQL's text forms of arrays ('{1,2}'::int[])
// and bytea ('\x0102'::bytea) into forms DuckDB reads the same way.
func rewriteLiteral(tc *pg_query.TypeCast) error {
	c := tc.Arg.GetAConst()
	if c == nil || c.Isnull || c.GetSval() == nil {
		return nil
	}
	v := c.GetSval().Sval
	switch {
	case len(tc.TypeName.ArrayBounds) > 0:
		arr, dims, err := parseArrayLiteral(v)
		if err != nil {
			return err
		}
		tc.Arg = arr
		for len(tc.TypeName.ArrayBounds) < dims {
			tc.TypeName.ArrayBounds = append(tc.TypeName.ArrayBounds, pg_query.MakeIntNode(-1))
		}
	case baseTypeName(tc.TypeName) == "bytea":
		b, err := parseBytea(v)
		if err != nil {
			return err
		}
		c.Val = &pg_query.A_Const_Sval{Sval: &pg_query.String{Sval: duckBlobText(b)}}
	}
	return nil
}

// arrayComparand replaces an untyped '{…}' literal compared with a
// non-constant by an ARRAY of its elements: in the catalog, such a literal
// is an array (pol.polroles = '{0}'), which DuckDB cannot cast from text.
func arrayComparand(side **pg_query.Node, other *pg_query.Node) {
	c := (*side).GetAConst()
	if c == nil || c.GetSval() == nil || other.GetAConst() != nil {
		return
	}
	v := c.GetSval().Sval
	if !strings.HasPrefix(v, "{") || !strings.HasSuffix(v, "}") {
		return
	}
	if arr, _, err := parseArrayLiteral(v); err == nil {
		*side = arr
	}
}

// baseTypeName is a type's folded name without qualifier or array bounds.
func baseTypeName(t *pg_query.TypeName) string {
	if t == nil || len(t.Names) == 0 {
		return ""
	}
	return foldName(stringValue(t.Names[len(t.Names)-1]))
}

func typeIsUnqualifiedOrCatalog(t *pg_query.TypeName) bool {
	return len(t.Names) == 1 || len(t.Names) == 2 && foldName(stringValue(t.Names[0])) == "pg_catalog"
}

func leftmostSelect(node *pg_query.Node) *pg_query.SelectStmt {
	sel := node.GetSelectStmt()
	for sel != nil && sel.Larg != nil && sel.Op != pg_query.SetOperation_SETOP_NONE {
		sel = sel.Larg
	}
	return sel
}

// nameNodes splits a dotted function name into name parts.
func nameNodes(dotted string) []*pg_query.Node {
	parts := strings.Split(dotted, ".")
	out := make([]*pg_query.Node, len(parts))
	for i, p := range parts {
		out[i] = pg_query.MakeStrNode(p)
	}
	return out
}

func funcCallNode(dotted string, args ...*pg_query.Node) *pg_query.Node {
	return &pg_query.Node{Node: &pg_query.Node_FuncCall{FuncCall: &pg_query.FuncCall{
		Funcname:   nameNodes(dotted),
		Args:       args,
		Funcformat: pg_query.CoercionForm_COERCE_EXPLICIT_CALL,
		Location:   -1,
	}}}
}

// rewriteAnyArray turns x = ANY (array) into list_contains(array, x) and
// x <> ALL (array) into NOT list_contains(array, x).
func rewriteAnyArray(n *pg_query.Node) {
	e := n.GetAExpr()
	op := stringValue(e.Name[0])
	switch {
	case e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY && op == "=":
		n.Node = funcCallNode("list_contains", e.Rexpr, e.Lexpr).Node
	case e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL && (op == "<>" || op == "!="):
		n.Node = pg_query.MakeBoolExprNode(pg_query.BoolExprType_NOT_EXPR,
			[]*pg_query.Node{funcCallNode("list_contains", e.Rexpr, e.Lexpr)}, e.Location).Node
	}
}
