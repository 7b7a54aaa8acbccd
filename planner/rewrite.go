package planner

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// rewrite turns the checked tree into the SQL DuckDB runs, then verifies it.
// DuckDB never sees the client's text, only this deparsed tree, which defuses
// differences between the two parsers (whitespace DuckDB accepts and
// PostgreSQL does not, identifier truncation, statements DuckDB reads
// differently).
//
// The rewrites:
//   - every CTE gets a generated name (and each reference an alias with the
//     name the client used), so a name the planner bound to a CTE can only
//     ever reach that CTE, whatever DuckDB's scoping rules;
//   - a table becomes its sandbox name, always schema-qualified, so DuckDB
//     can only bind it to that table;
//   - a catalog relation becomes its canonical schema-qualified name, or the
//     Options.CatalogRewrite target;
//   - pg_catalog.f(), OPERATOR(pg_catalog.op), pg_catalog.type and COLLATE
//     pg_catalog."default" lose the qualifier DuckDB does not understand;
//   - unnamed result columns get PostgreSQL's names (colname.go);
//   - PostgreSQL-only syntax gets DuckDB's equivalent, and with
//     Options.Compat overridden functions, reg* casts and CURRENT_USER &
//     co. go to the compatibility objects (compat.go, literals.go,
//     format.go);
//   - (expr).field and (expr)[i] keep parentheses the deparser would drop.
func (p *planner) rewrite(node *pg_query.Node, a *analysis, g *grant) (string, []Target, error) {
	nameTargets(a)
	targets := targetsOf(node)
	for i, c := range a.ctes {
		c.node.Ctename = cteName(i)
	}
	type renamed struct{ schema, name, alias string }
	qualified := map[[2]string]renamed{} // (folded schema, folded name) as written → new names
	// Correlation names of catalog relations and of everything else, for
	// the catalog's system columns (n.xmin).
	catalogNames, otherNames := map[string]bool{}, map[string]bool{}
	for i, r := range a.relations {
		rv := r.node
		written, writtenSchema := rv.Relname, rv.Schemaname
		corr := written
		if rv.Alias != nil {
			corr = rv.Alias.Aliasname
		}
		if g.bindings[i].kind == bindCatalog {
			catalogNames[foldName(corr)] = true
		} else {
			otherNames[foldName(corr)] = true
		}
		switch b := g.bindings[i]; b.kind {
		case bindCTE:
			rv.Relname = r.cte.node.Ctename
		case bindTable:
			schema, name := p.sandboxName(b.table)
			rv.Catalogname, rv.Schemaname, rv.Relname = "", schema, name
		case bindCatalog:
			target := b.catalog
			if t, ok := p.opt.CatalogRewrite[b.catalog]; ok && t != "" {
				target = t
			}
			parts := strings.Split(target, ".")
			rv.Catalogname, rv.Schemaname = "", ""
			rv.Relname = parts[len(parts)-1]
			if len(parts) >= 2 {
				rv.Schemaname = parts[len(parts)-2]
			}
			if len(parts) >= 3 {
				rv.Catalogname = parts[len(parts)-3]
			}
		}
		alias := ""
		if rv.Alias == nil && rv.Relname != written {
			// Keep the correlation name the client's column references use.
			rv.Alias = &pg_query.Alias{Aliasname: written}
			alias = written
		}
		if writtenSchema != "" {
			qualified[[2]string{foldName(writtenSchema), foldName(written)}] = renamed{rv.Schemaname, rv.Relname, alias}
		}
	}
	if p.opt.Compat != nil {
		rewriteXidAge(a)
	}
	rewriteSystemColumns(a, catalogNames, otherNames)
	// schema.table.column references follow their relation.
	for _, c := range a.columnRefs {
		n := len(c.Fields)
		if n < 3 || n > 4 || c.Fields[n-3].GetString_() == nil || c.Fields[n-2].GetString_() == nil {
			continue
		}
		key := [2]string{foldName(stringValue(c.Fields[n-3])), foldName(stringValue(c.Fields[n-2]))}
		r, ok := qualified[key]
		if !ok {
			continue
		}
		if r.alias != "" {
			c.Fields = []*pg_query.Node{pg_query.MakeStrNode(r.alias), c.Fields[n-1]}
		} else {
			c.Fields = []*pg_query.Node{pg_query.MakeStrNode(r.schema), pg_query.MakeStrNode(r.name), c.Fields[n-1]}
		}
	}
	for _, f := range a.functions {
		if f.parts == 2 && f.schema == "pg_catalog" &&
			f.node.Funcformat != pg_query.CoercionForm_COERCE_SQL_SYNTAX && !syntaxFunctions[f.name] {
			f.node.Funcname = f.node.Funcname[1:]
		}
	}
	for _, e := range a.operators {
		e.Name = e.Name[1:]
	}
	if err := p.compatRewrite(node, a, len(g.tables) == 0 && len(g.catalog) > 0); err != nil {
		return "", nil, err
	}
	rewriteRangeFunctions(a)
	for _, t := range a.typeNames {
		// (A type the compatibility pass renamed has one name part left.)
		if len(t.Names) == 2 && !standardTypeNames[foldName(stringValue(t.Names[1]))] {
			t.Names = t.Names[1:]
		}
	}
	// The deparser parenthesizes an indirection's argument only for some
	// node types; nesting the argument in an indirection without a path
	// makes it print "(arg)" and re-parse to the same tree.
	for _, ind := range a.indirections {
		if !printsOwnParens(ind.Arg) {
			ind.Arg = &pg_query.Node{Node: &pg_query.Node_AIndirection{AIndirection: &pg_query.A_Indirection{Arg: ind.Arg}}}
		}
	}
	// Innermost first, so nested COLLATE clauses unwrap completely.
	for i := len(a.collations) - 1; i >= 0; i-- {
		n := a.collations[i]
		if arg := n.GetCollateClause().GetArg(); arg != nil {
			n.Node = arg.Node
		}
	}
	wrapValues(node)
	sql, err := deparse(p.version, node)
	if err != nil {
		return "", nil, err
	}
	if err := verifyDeparsed(sql, nodeType(node)); err != nil {
		return "", nil, err
	}
	return sql, targets, nil
}

// standardTypeNames are the pg_catalog types the deparser prints by their
// SQL-standard names (pg_catalog.int8 as bigint, pg_catalog.interval with
// its fields); their qualifier must stay for that. Other pg_catalog types
// would be printed qualified, which DuckDB does not understand.
var standardTypeNames = setOf("bpchar", "varchar", "numeric", "bool", "int2", "int4", "int8",
	"float4", "float8", "time", "timetz", "timestamp", "timestamptz", "interval")

// syntaxFunctions are functions the deparser prints as SQL syntax only while
// they keep their pg_catalog qualifier (x SIMILAR TO y).
var syntaxFunctions = setOf("similar_to_escape")

// cteName is the generated name of the i-th CTE of a statement. The prefix
// keeps it apart from any table name the sandbox holds.
func cteName(i int) string {
	return "__agnes_cte" + strconv.Itoa(i+1)
}

func (p *planner) sandboxName(t Table) (string, string) {
	if p.opt.SandboxName != nil {
		return p.opt.SandboxName(t)
	}
	return DefaultSandboxName(t)
}
