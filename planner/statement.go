package planner

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// planner plans the statements of one query string.
type planner struct {
	opt     *Options
	sql     string         // the whole query string; error positions are relative to it
	version int32          // parse tree version, for deparse
	lookups []lookupRecord // resolver calls made, for the plan cache
}

// PlanQuery parses sql and returns one plan per statement; an empty or
// comment-only string returns an empty slice.
//
// The string is planned as a whole: when any statement is refused, PlanQuery
// returns only the error, so nothing of a string like "SELECT 1; DROP TABLE
// x" runs. Every error is a *pgerr.Error (42601 syntax with Position when the
// parser reports one, 42P01, 42501, 54001, 0A000 …).
func PlanQuery(sql string, opt Options) ([]*Plan, error) {
	if opt.Cache != nil {
		if plans, ok := opt.Cache.get(sql, &opt); ok {
			return plans, nil
		}
	}
	if err := checkInput(sql, &opt); err != nil {
		return nil, err
	}
	stmts, err := parse(sql, &opt)
	if err != nil {
		return nil, err
	}
	p := &planner{opt: &opt, sql: sql}
	plans := make([]*Plan, 0, len(stmts))
	for _, st := range stmts {
		p.version = st.version
		plan, err := p.planNode(st.node, st.original)
		if err != nil {
			return nil, err
		}
		plans = append(plans, plan)
	}
	if opt.Cache != nil {
		opt.Cache.put(sql, &opt, plans, p.lookups)
	}
	return plans, nil
}

// planNode plans one statement (top level, or inside EXPLAIN, PREPARE,
// DECLARE).
func (p *planner) planNode(node *pg_query.Node, original string) (*Plan, error) {
	var plan *Plan
	var err error
	switch x := node.GetNode().(type) {
	case *pg_query.Node_SelectStmt:
		plan, err = p.planQuery(node)
	case *pg_query.Node_ExplainStmt:
		plan, err = p.planExplain(x.ExplainStmt)
	case *pg_query.Node_CopyStmt:
		plan, err = p.planCopy(x.CopyStmt)
	case *pg_query.Node_VariableSetStmt:
		plan, err = p.planSet(x.VariableSetStmt)
	case *pg_query.Node_VariableShowStmt:
		plan, err = p.planShow(x.VariableShowStmt)
	case *pg_query.Node_TransactionStmt:
		plan, err = p.planTransaction(x.TransactionStmt)
	case *pg_query.Node_DiscardStmt:
		plan, err = p.planDiscard(x.DiscardStmt)
	case *pg_query.Node_PrepareStmt:
		plan, err = p.planPrepare(x.PrepareStmt)
	case *pg_query.Node_ExecuteStmt:
		plan, err = p.planExecute(x.ExecuteStmt)
	case *pg_query.Node_DeallocateStmt:
		plan, err = p.planDeallocate(x.DeallocateStmt)
	case *pg_query.Node_DeclareCursorStmt:
		plan, err = p.planDeclare(x.DeclareCursorStmt)
	case *pg_query.Node_FetchStmt:
		plan, err = p.planFetch(x.FetchStmt)
	case *pg_query.Node_ClosePortalStmt:
		plan, err = p.planClose(x.ClosePortalStmt)
	case *pg_query.Node_ListenStmt, *pg_query.Node_UnlistenStmt, *pg_query.Node_NotifyStmt:
		return nil, pgerr.New(pgerr.FeatureNotSupported, "%s is not supported by Agnes", commandTag(node))
	default:
		return nil, refusedStatement(node)
	}
	if err != nil {
		return nil, err
	}
	plan.Original = original
	return plan, nil
}

// planQuery runs the full pipeline for SELECT, VALUES and TABLE: analyze,
// authorize, route, rewrite.
func (p *planner) planQuery(node *pg_query.Node) (*Plan, error) {
	if plan, ok, err := p.planSetConfig(node); ok || err != nil {
		return plan, err
	}
	a, err := analyzeQuery(node, p.opt.maxDepth())
	if err != nil {
		return nil, err
	}
	g, err := p.authorize(a)
	if err != nil {
		return nil, err
	}
	source := singleSource(node, a, g)
	sources := fromSources(node, a, g)
	sql, targets, err := p.rewrite(node, a, g)
	if err != nil {
		return nil, err
	}
	return &Plan{
		Kind:      KindSelect,
		Route:     route(a, g),
		Tables:    g.tables,
		SQL:       sql,
		NumParams: a.maxParam,
		Catalog:   g.catalog,
		Functions: g.functions,
		Targets:   targets,
		Source:    source,
		Sources:   sources,
		Constants: constantRow(node),
	}, nil
}

func (p *planner) planExplain(s *pg_query.ExplainStmt) (*Plan, error) {
	analyze := false
	for _, o := range s.Options {
		d := o.GetDefElem()
		if d == nil {
			return nil, unsupported("EXPLAIN option")
		}
		if d.Defname == "analyze" {
			v, err := defBool(d)
			if err != nil {
				return nil, err
			}
			analyze = v
		}
	}
	original, err := deparse(p.version, s.Query)
	if err != nil {
		return nil, err
	}
	inner, err := p.planNode(s.Query, original)
	if err != nil {
		return nil, err
	}
	if inner.Kind != KindSelect {
		return nil, pgerr.New(pgerr.FeatureNotSupported, "EXPLAIN is supported only for queries")
	}
	return &Plan{
		Kind:           KindExplain,
		Route:          inner.Route,
		Tables:         inner.Tables,
		NumParams:      inner.NumParams,
		Catalog:        inner.Catalog,
		Functions:      inner.Functions,
		Explain:        inner,
		ExplainAnalyze: analyze,
	}, nil
}

// refusedStatement is the error for a statement kind Agnes does not run.
func refusedStatement(node *pg_query.Node) *pgerr.Error {
	return pgerr.New(pgerr.InsufficientPrivilege, "%s is not allowed: Agnes serves read-only queries", commandTag(node)).
		WithHint("Agnes runs SELECT, VALUES, TABLE, EXPLAIN, COPY ... TO STDOUT and session commands (SET, SHOW, BEGIN, PREPARE …).")
}

// commandTags name statement node types whose name does not spell the
// command.
var commandTags = map[string]string{
	"CreateStmt":         "CREATE TABLE",
	"CreateTableAsStmt":  "CREATE TABLE AS",
	"ViewStmt":           "CREATE VIEW",
	"IndexStmt":          "CREATE INDEX",
	"RuleStmt":           "CREATE RULE",
	"CreateTrigStmt":     "CREATE TRIGGER",
	"CreateFunctionStmt": "CREATE FUNCTION",
	"CreateSeqStmt":      "CREATE SEQUENCE",
	"DefineStmt":         "CREATE",
	"DoStmt":             "DO",
	"CallStmt":           "CALL",
	"LoadStmt":           "LOAD",
	"CheckPointStmt":     "CHECKPOINT",
	"ConstraintsSetStmt": "SET CONSTRAINTS",
	"RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW",
	"CopyStmt":           "COPY",
}

// commandTag names a statement for error messages ("INSERT", "ALTER TABLE").
func commandTag(node *pg_query.Node) string {
	fd := node.ProtoReflect().WhichOneof(nodeOneof)
	if fd == nil {
		return "statement"
	}
	name := string(fd.Message().Name())
	switch x := node.GetNode().(type) {
	case *pg_query.Node_GrantStmt:
		if !x.GrantStmt.IsGrant {
			return "REVOKE"
		}
	case *pg_query.Node_VacuumStmt:
		if !x.VacuumStmt.IsVacuumcmd {
			return "ANALYZE"
		}
	case *pg_query.Node_DropStmt:
		return "DROP"
	}
	if tag, ok := commandTags[name]; ok {
		return tag
	}
	// AlterTableStmt → ALTER TABLE, CreateExtensionStmt → CREATE EXTENSION.
	name = strings.TrimSuffix(name, "Stmt")
	var words []string
	start := 0
	for i := 1; i < len(name); i++ {
		if name[i] >= 'A' && name[i] <= 'Z' && name[i-1] >= 'a' && name[i-1] <= 'z' {
			words = append(words, name[start:i])
			start = i
		}
	}
	words = append(words, name[start:])
	return strings.ToUpper(strings.Join(words, " "))
}

// defBool reads a Boolean option the way PostgreSQL's defGetBoolean does:
// no value means true.
func defBool(d *pg_query.DefElem) (bool, error) {
	if d.Arg == nil {
		return true, nil
	}
	var text string
	switch {
	case d.Arg.GetBoolean() != nil:
		return d.Arg.GetBoolean().Boolval, nil
	case d.Arg.GetInteger() != nil:
		text = "0"
		if d.Arg.GetInteger().Ival != 0 {
			text = "1"
		}
	case d.Arg.GetString_() != nil:
		text = d.Arg.GetString_().Sval
	default:
		return false, pgerr.New(pgerr.SyntaxError, "%s requires a Boolean value", d.Defname)
	}
	v, ok := parseBool(text)
	if !ok {
		return false, pgerr.New(pgerr.SyntaxError, "%s requires a Boolean value", d.Defname)
	}
	return v, nil
}

// singleSource is the table a SELECT reads when its FROM is exactly one
// registry table (not a join, subquery, CTE or catalog relation).
func singleSource(node *pg_query.Node, a *analysis, g *grant) *Table {
	sel := node.GetSelectStmt()
	if sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE || len(sel.FromClause) != 1 {
		return nil
	}
	rv := sel.FromClause[0].GetRangeVar()
	if rv == nil {
		return nil
	}
	for i, r := range a.relations {
		if r.node == rv && g.bindings[i].kind == bindTable {
			t := g.bindings[i].table
			return &t
		}
	}
	return nil
}

// fromSources lists the registry tables in a SELECT's FROM clause, joins
// included, with their correlation names.
func fromSources(node *pg_query.Node, a *analysis, g *grant) []Source {
	sel := node.GetSelectStmt()
	if sel == nil || sel.Op != pg_query.SetOperation_SETOP_NONE {
		return nil
	}
	bound := map[*pg_query.RangeVar]Table{}
	for i, r := range a.relations {
		if g.bindings[i].kind == bindTable {
			bound[r.node] = g.bindings[i].table
		}
	}
	var out []Source
	var visit func(n *pg_query.Node)
	visit = func(n *pg_query.Node) {
		switch {
		case n.GetRangeVar() != nil:
			rv := n.GetRangeVar()
			t, ok := bound[rv]
			if !ok {
				return
			}
			name := rv.Relname
			if rv.Alias != nil {
				name = rv.Alias.Aliasname
			}
			out = append(out, Source{Name: foldName(name), Table: t})
		case n.GetJoinExpr() != nil:
			if j := n.GetJoinExpr(); j.Alias == nil {
				visit(j.Larg)
				visit(j.Rarg)
			}
		}
	}
	for _, f := range sel.FromClause {
		visit(f)
	}
	return out
}
