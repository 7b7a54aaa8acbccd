package planner

import (
	"math"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// bindingKind says what a relation reference names.
type bindingKind uint8

const (
	bindCTE     bindingKind = iota + 1 // a CTE in scope
	bindTable                          // a registry table the principal may read
	bindCatalog                        // a pg_catalog / information_schema relation
)

// binding is what one relation reference resolved to.
type binding struct {
	kind    bindingKind
	table   Table  // bindTable
	catalog string // bindCatalog: canonical "schema.name"
}

// grant is the outcome of authorization: how every relation of the
// analysis binds, and the summaries a plan records.
type grant struct {
	bindings     []binding // aligned with analysis.relations
	tables       []Table   // deduplicated by ID, in order of first reference
	catalog      []string  // canonical catalog relations read, deduplicated
	functions    []string  // distinct functions called
	catalogCalls bool      // some function answers from the catalog or session
}

// authorize checks every relation and function of a statement. Each
// relation must be a CTE in scope, a table the resolver returns, or a
// catalog relation; each function must be allowed where it is called. When
// several things are refused, the error names the first in the text.
func (p *planner) authorize(a *analysis) (*grant, error) {
	g := &grant{bindings: make([]binding, len(a.relations)), catalogCalls: a.sessionValues}
	var first *pgerr.Error
	firstAt := int32(math.MaxInt32)
	refuse := func(at int32, err *pgerr.Error) {
		if first == nil || at < firstAt {
			first, firstAt = err, at
		}
	}
	seenTable := map[string]bool{}
	seenCatalog := map[string]bool{}
	for i, r := range a.relations {
		b, err := p.bind(r)
		if err != nil {
			refuse(r.node.Location, err)
			continue
		}
		g.bindings[i] = b
		switch b.kind {
		case bindTable:
			key := b.table.ID
			if key == "" {
				key = foldName(b.table.Schema) + "." + foldName(b.table.Name)
			}
			if !seenTable[key] {
				seenTable[key] = true
				g.tables = append(g.tables, b.table)
			}
		case bindCatalog:
			if !seenCatalog[b.catalog] {
				seenCatalog[b.catalog] = true
				g.catalog = append(g.catalog, b.catalog)
			}
		}
	}
	seenFunc := map[string]bool{}
	for _, f := range a.functions {
		if err := checkFunction(f); err != nil {
			refuse(f.node.Location, err)
			continue
		}
		if !seenFunc[f.name] {
			seenFunc[f.name] = true
			g.functions = append(g.functions, f.name)
		}
		if functionPolicies[f.name].catalog {
			g.catalogCalls = true
		}
	}
	if first != nil {
		if first.Position == 0 {
			first.Position = charPosition(p.sql, firstAt)
		}
		return nil, first
	}
	return g, nil
}

func (p *planner) searchPath() []string {
	if len(p.opt.SearchPath) == 0 {
		return []string{"public"}
	}
	return p.opt.SearchPath
}

// bind resolves one relation reference.
func (p *planner) bind(r *relationRef) (binding, *pgerr.Error) {
	if r.cte != nil {
		return binding{kind: bindCTE}, nil
	}
	rv := r.node
	schema, name := foldName(rv.Schemaname), foldName(rv.Relname)
	display := rv.Relname
	if rv.Schemaname != "" {
		display = rv.Schemaname + "." + display
	}
	if rv.Catalogname != "" {
		display = rv.Catalogname + "." + display
		if db := p.opt.Database; db != "" && foldName(rv.Catalogname) != foldName(db) {
			return binding{}, pgerr.New(pgerr.FeatureNotSupported,
				"cross-database references are not implemented: %s", display)
		}
	}
	if schema == "" {
		if c := catalogRelation("", name); c != "" {
			return p.catalogBinding(c, display)
		}
		for _, s := range p.searchPath() {
			switch fs := foldName(s); fs {
			case "", "$user", "pg_catalog":
				continue
			case "information_schema":
				if c := catalogRelation(fs, name); c != "" {
					return p.catalogBinding(c, display)
				}
				continue
			}
			if t, ok := p.lookup(s, rv.Relname); ok {
				return binding{kind: bindTable, table: t}, nil
			}
		}
		return binding{}, pgerr.UndefinedRelation(display)
	}
	if schema == "pg_catalog" || schema == "information_schema" {
		if c := catalogRelation(schema, name); c != "" {
			return p.catalogBinding(c, display)
		}
		return binding{}, pgerr.UndefinedRelation(display)
	}
	if t, ok := p.lookup(rv.Schemaname, rv.Relname); ok {
		return binding{kind: bindTable, table: t}, nil
	}
	return binding{}, pgerr.UndefinedRelation(display)
}

// catalogBinding binds a catalog relation. With Options.Compat, a relation
// the compatibility catalog does not serve is refused: DuckDB's own
// pg_catalog would answer it with DuckDB's view of the world.
func (p *planner) catalogBinding(canonical, display string) (binding, *pgerr.Error) {
	if p.opt.Compat != nil {
		if _, ok := p.opt.CatalogRewrite[canonical]; !ok {
			return binding{}, pgerr.New(pgerr.FeatureNotSupported, "catalog relation %s is not available in Agnes", display)
		}
	}
	return binding{kind: bindCatalog, catalog: canonical}, nil
}

func (p *planner) lookup(schema, name string) (Table, bool) {
	var t Table
	ok := false
	if p.opt.Resolver != nil {
		t, ok = p.opt.Resolver.Lookup(schema, name)
		ok = ok && t.Name != ""
	}
	if !ok {
		t = Table{}
	}
	if p.opt.Cache != nil {
		p.lookups = append(p.lookups, lookupRecord{schema: schema, name: name, table: t, found: ok})
	}
	return t, ok
}

// checkFunction applies the allow-list (functions.go) to one call.
func checkFunction(f *functionRef) *pgerr.Error {
	pol, known := functionPolicies[f.name]
	display := f.name
	if f.schema != "" {
		display = f.schema + "." + f.name
	}
	undefined := func() *pgerr.Error {
		return pgerr.New(pgerr.UndefinedFunction, "function %s() does not exist or is not available in Agnes", display).
			WithHint("Agnes allows PostgreSQL and DuckDB functions that compute values from their arguments.")
	}
	denied := func() *pgerr.Error {
		return pgerr.New(pgerr.InsufficientPrivilege, "function %s() is not allowed: it %s", f.name, pol.reason)
	}
	if f.parts > 2 || f.name == "" {
		return undefined()
	}
	if f.schema != "" && f.schema != "pg_catalog" &&
		!(f.schema == "information_schema" && f.name == "_pg_expandarray") {
		// DuckDB reads a.f() as a method call f(a) or a call in schema a;
		// neither is a PostgreSQL call the planner could check.
		if known && pol.reason != "" {
			return denied()
		}
		return undefined()
	}
	// A scalar function in FROM yields one row (PostgreSQL); the rewrite
	// turns it into a one-row subquery DuckDB accepts.
	if f.inFrom && pol.from || !f.inFrom && pol.expr || f.inFrom && pol.expr && !pol.aggregate {
		if check := argumentChecks[f.name]; check != nil {
			return check(f.node)
		}
		return nil
	}
	switch {
	case pol.reason != "":
		return denied()
	case f.inFrom && pol.expr:
		return pgerr.New(pgerr.GroupingError, "aggregate functions are not allowed in functions in FROM")
	case !f.inFrom && pol.from:
		return pgerr.New(pgerr.InsufficientPrivilege, "function %s() may only be called in FROM", f.name)
	}
	return undefined()
}

// argumentChecks restrict functions that are safe only for some
// arguments: current_setting and set_config reach DuckDB's engine settings
// unless the parameter is a client session parameter named by a constant.
var argumentChecks = map[string]func(*pg_query.FuncCall) *pgerr.Error{
	"current_setting": func(f *pg_query.FuncCall) *pgerr.Error {
		name, ok := constantArgument(f, 0)
		if ok {
			if _, err := showableParameter(name); err == nil {
				return nil
			}
		}
		return pgerr.New(pgerr.InsufficientPrivilege,
			"current_setting(%s) is not allowed: only session parameters named by a constant can be read", quoteArg(name, ok))
	},
	"set_config": func(f *pg_query.FuncCall) *pgerr.Error {
		name, ok := constantArgument(f, 0)
		if ok {
			if _, err := settableParameter(name); err == nil {
				return nil
			}
		}
		return pgerr.New(pgerr.InsufficientPrivilege,
			"set_config(%s, ...) is not allowed: only client session parameters named by a constant can be set", quoteArg(name, ok))
	},
}

// constantArgument returns argument i when it is a string constant
// (possibly cast).
func constantArgument(f *pg_query.FuncCall, i int) (string, bool) {
	if i >= len(f.Args) {
		return "", false
	}
	n := f.Args[i]
	if tc := n.GetTypeCast(); tc != nil {
		n = tc.Arg
	}
	c := n.GetAConst()
	if c == nil || c.GetSval() == nil {
		return "", false
	}
	return c.GetSval().Sval, true
}

func quoteArg(s string, ok bool) string {
	if !ok {
		return "..."
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}
