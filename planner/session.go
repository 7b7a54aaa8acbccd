package planner

import (
	"math"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// Session statements are answered by the gateway from its per-session state
// and never reach DuckDB: SET/SHOW/RESET of client parameters, transaction
// control, SQL-level PREPARE/EXECUTE/DEALLOCATE, cursors and DISCARD. DuckDB
// gives several of them other meanings (SHOW x is DESCRIBE x; SET names
// engine settings), so none is passed through.

// clientParameters are the parameters a client may SET, by folded name, with
// PostgreSQL's canonical spelling (the one ParameterStatus reports).
var clientParameters = canonicalNames(
	"application_name", "bytea_output", "client_encoding", "client_min_messages", "DateStyle",
	"default_transaction_deferrable", "default_transaction_isolation",
	"default_transaction_read_only", "escape_string_warning", "extra_float_digits", "geqo",
	"idle_in_transaction_session_timeout", "idle_session_timeout", "IntervalStyle", "jit",
	"lc_messages", "lc_monetary", "lc_numeric", "lc_time", "lock_timeout",
	"max_parallel_workers_per_gather", "row_security", "search_path", "standard_conforming_strings",
	"statement_timeout", "synchronous_commit", "TimeZone", "timezone_abbreviations",
	"transaction_deferrable", "transaction_isolation", "transaction_read_only", "work_mem",
	"xmloption",
)

// reportedParameters may be shown but not set.
var reportedParameters = canonicalNames(
	"block_size", "data_checksums", "in_hot_standby", "integer_datetimes", "is_superuser",
	"lc_collate", "lc_ctype", "max_connections", "max_function_args", "max_identifier_length",
	"max_index_keys", "scram_iterations", "server_encoding", "server_version", "server_version_num",
	"session_authorization",
)

// listParameters take a list of values; search_path's elements are
// identifiers and quoted as such.
var listParameters = setOf("datestyle", "search_path", "timezone_abbreviations")

func canonicalNames(names ...string) map[string]string {
	m := make(map[string]string, len(names))
	for _, n := range names {
		m[foldName(n)] = n
	}
	return m
}

// isCustomParameter reports whether name is a placeholder parameter
// ("myapp.user_id"), which PostgreSQL lets any client set.
func isCustomParameter(name string) bool {
	return strings.Contains(name, ".")
}

// settableParameter returns the canonical name of a parameter a client may
// SET or RESET.
func settableParameter(name string) (string, error) {
	folded := foldName(name)
	if canonical, ok := clientParameters[folded]; ok {
		return canonical, nil
	}
	if isCustomParameter(folded) {
		return folded, nil
	}
	return "", pgerr.New(pgerr.InsufficientPrivilege, "permission denied to set parameter %q", name).
		WithHint("Only client session parameters (application_name, DateStyle, TimeZone, search_path, statement_timeout …) can be set; engine settings are fixed by the server.")
}

// showableParameter returns the canonical name of a parameter a client may
// SHOW or read with current_setting().
func showableParameter(name string) (string, error) {
	folded := foldName(name)
	if canonical, ok := clientParameters[folded]; ok {
		return canonical, nil
	}
	if canonical, ok := reportedParameters[folded]; ok {
		return canonical, nil
	}
	if isCustomParameter(folded) {
		return folded, nil
	}
	return "", pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
}

func sessionPlan(kind Kind, cmd *SessionCommand) *Plan {
	return &Plan{Kind: kind, Route: RouteSession, Session: cmd}
}

func (p *planner) planSet(s *pg_query.VariableSetStmt) (*Plan, error) {
	switch s.Kind {
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		return sessionPlan(KindReset, &SessionCommand{Verb: "reset_all"}), nil
	case pg_query.VariableSetKind_VAR_RESET, pg_query.VariableSetKind_VAR_SET_DEFAULT:
		name, err := settableParameter(s.Name)
		if err != nil {
			return nil, err
		}
		kind := KindReset
		if s.Kind == pg_query.VariableSetKind_VAR_SET_DEFAULT {
			kind = KindSet
		}
		return sessionPlan(kind, &SessionCommand{Verb: "reset", Name: name, Local: s.IsLocal}), nil
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		return p.planSetMulti(s)
	case pg_query.VariableSetKind_VAR_SET_VALUE:
	default:
		return nil, unsupported("SET ... FROM CURRENT")
	}
	name, err := settableParameter(s.Name)
	if err != nil {
		return nil, err
	}
	value, err := setValue(name, s.Args)
	if err != nil {
		return nil, err
	}
	if name == "standard_conforming_strings" {
		on, ok := parseBool(value)
		if !ok {
			return nil, pgerr.New(pgerr.InvalidParameterValue,
				"parameter \"standard_conforming_strings\" requires a Boolean value")
		}
		if !on {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "standard_conforming_strings = off is not supported")
		}
		value = "on"
	}
	return sessionPlan(KindSet, &SessionCommand{Verb: "set", Name: name, Value: value, Local: s.IsLocal}), nil
}

// setValue renders SET's arguments the way PostgreSQL stores them: one value,
// or for list parameters the elements joined with ", ".
func setValue(name string, args []*pg_query.Node) (string, error) {
	folded := foldName(name)
	if len(args) > 1 && !listParameters[folded] {
		return "", pgerr.New(pgerr.SyntaxError, "SET %s takes only one argument", name)
	}
	parts := make([]string, 0, len(args))
	for _, arg := range args {
		if tc := arg.GetTypeCast(); tc != nil {
			arg = tc.Arg // SET TIME ZONE INTERVAL '...': keep the literal
		}
		c := arg.GetAConst()
		if c == nil {
			return "", pgerr.New(pgerr.SyntaxError, "SET %s: value must be a literal", name)
		}
		v, isString, null := constText(c)
		if null {
			return "", pgerr.New(pgerr.SyntaxError, "SET %s: value must not be NULL", name)
		}
		if folded == "search_path" && isString && !isPlainIdentifier(v) && v != "$user" {
			v = quoteIdentifier(v)
		}
		if folded == "search_path" && v == "$user" {
			v = `"$user"`
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, ", "), nil
}

// constText is the text of a constant: a string's value, a number as
// written.
func constText(c *pg_query.A_Const) (text string, isString, null bool) {
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Sval:
		return v.Sval.Sval, true, false
	case *pg_query.A_Const_Ival:
		return strconv.FormatInt(int64(v.Ival.Ival), 10), false, false
	case *pg_query.A_Const_Fval:
		return v.Fval.Fval, false, false
	case *pg_query.A_Const_Boolval:
		if v.Boolval.Boolval {
			return "true", false, false
		}
		return "false", false, false
	case *pg_query.A_Const_Bsval:
		return v.Bsval.Bsval, true, false
	}
	if c.Isnull {
		return "", false, true
	}
	// An integer constant 0 carries an empty Ival.
	return "0", false, false
}

// ParseSearchPath turns a search_path value as SET stores it
// (`"$user", public, "My Schema"`) into the list Options.SearchPath takes:
// quoted names keep their case, unquoted ones are lower-cased.
func ParseSearchPath(value string) []string {
	var out []string
	for _, part := range splitSearchPath(value) {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
		case len(part) >= 2 && part[0] == '"' && part[len(part)-1] == '"':
			out = append(out, strings.ReplaceAll(part[1:len(part)-1], `""`, `"`))
		default:
			out = append(out, strings.ToLower(part))
		}
	}
	return out
}

// splitSearchPath splits at commas outside double quotes.
func splitSearchPath(value string) []string {
	var parts []string
	start, quoted := 0, false
	for i := 0; i < len(value); i++ {
		switch value[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				parts = append(parts, value[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, value[start:])
}

func quoteIdentifier(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// parseBool accepts PostgreSQL's Boolean spellings.
func parseBool(s string) (value, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "on", "true", "yes", "1", "t", "y":
		return true, true
	case "off", "false", "no", "0", "f", "n":
		return false, true
	}
	return false, false
}

// planSetMulti handles SET TRANSACTION and SET SESSION CHARACTERISTICS AS
// TRANSACTION.
func (p *planner) planSetMulti(s *pg_query.VariableSetStmt) (*Plan, error) {
	cmd := &SessionCommand{Local: s.IsLocal}
	switch s.Name {
	case "TRANSACTION":
		cmd.Verb = "set_transaction"
	case "SESSION CHARACTERISTICS":
		cmd.Verb = "set_session_characteristics"
	default:
		return nil, unsupported("SET " + s.Name)
	}
	if err := transactionModes(cmd, s.Args); err != nil {
		return nil, err
	}
	return sessionPlan(KindSet, cmd), nil
}

// transactionModes reads ISOLATION LEVEL, READ ONLY/WRITE and
// [NOT] DEFERRABLE. READ WRITE is accepted: every write is refused anyway.
func transactionModes(cmd *SessionCommand, options []*pg_query.Node) error {
	for _, o := range options {
		d := o.GetDefElem()
		if d == nil {
			return unsupported("transaction option")
		}
		c := d.Arg.GetAConst()
		if c == nil {
			return unsupported("transaction option " + d.Defname)
		}
		text, _, _ := constText(c)
		switch d.Defname {
		case "transaction_isolation":
			cmd.Isolation = text
		case "transaction_read_only":
			ro := text != "0"
			cmd.ReadOnly = &ro
		case "transaction_deferrable":
			def := text != "0"
			cmd.Deferrable = &def
		default:
			return unsupported("transaction option " + d.Defname)
		}
	}
	return nil
}

func (p *planner) planShow(s *pg_query.VariableShowStmt) (*Plan, error) {
	if foldName(s.Name) == "all" {
		return sessionPlan(KindShow, &SessionCommand{Verb: "show_all"}), nil
	}
	name, err := showableParameter(s.Name)
	if err != nil {
		return nil, err
	}
	return sessionPlan(KindShow, &SessionCommand{Verb: "show", Name: name}), nil
}

func (p *planner) planTransaction(s *pg_query.TransactionStmt) (*Plan, error) {
	switch s.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		cmd := &SessionCommand{Verb: "begin"}
		if err := transactionModes(cmd, s.Options); err != nil {
			return nil, err
		}
		return sessionPlan(KindBegin, cmd), nil
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		return sessionPlan(KindCommit, &SessionCommand{Verb: "commit", Chain: s.Chain}), nil
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		return sessionPlan(KindRollback, &SessionCommand{Verb: "rollback", Chain: s.Chain}), nil
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		return sessionPlan(KindSavepoint, &SessionCommand{Verb: "savepoint", Name: s.SavepointName}), nil
	case pg_query.TransactionStmtKind_TRANS_STMT_RELEASE:
		return sessionPlan(KindRelease, &SessionCommand{Verb: "release", Name: s.SavepointName}), nil
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		return sessionPlan(KindRollback, &SessionCommand{Verb: "rollback_to", Name: s.SavepointName}), nil
	}
	return nil, unsupported("two-phase commit")
}

func (p *planner) planDiscard(s *pg_query.DiscardStmt) (*Plan, error) {
	switch s.Target {
	case pg_query.DiscardMode_DISCARD_ALL:
		return sessionPlan(KindDiscard, &SessionCommand{Verb: "discard_all"}), nil
	case pg_query.DiscardMode_DISCARD_PLANS:
		return sessionPlan(KindDiscard, &SessionCommand{Verb: "discard", Name: "plans"}), nil
	case pg_query.DiscardMode_DISCARD_SEQUENCES:
		return sessionPlan(KindDiscard, &SessionCommand{Verb: "discard", Name: "sequences"}), nil
	case pg_query.DiscardMode_DISCARD_TEMP:
		return sessionPlan(KindDiscard, &SessionCommand{Verb: "discard", Name: "temp"}), nil
	}
	return nil, unsupported("DISCARD")
}

// innerQuery plans the statement of PREPARE or DECLARE; it must be a query.
func (p *planner) innerQuery(node *pg_query.Node, what string) (*Plan, error) {
	original, err := deparse(p.version, node)
	if err != nil {
		return nil, err
	}
	inner, err := p.planNode(node, original)
	if err != nil {
		return nil, err
	}
	if inner.Kind != KindSelect {
		return nil, pgerr.New(pgerr.InsufficientPrivilege, "%s is allowed only for queries", what)
	}
	return inner, nil
}

func (p *planner) planPrepare(s *pg_query.PrepareStmt) (*Plan, error) {
	inner, err := p.innerQuery(s.Query, "PREPARE")
	if err != nil {
		return nil, err
	}
	types := make([]string, 0, len(s.Argtypes))
	for _, n := range s.Argtypes {
		t := n.GetTypeName()
		if t == nil {
			return nil, unsupported("PREPARE parameter type")
		}
		types = append(types, typeNameText(t))
	}
	if len(types) > inner.NumParams {
		inner.NumParams = len(types)
	}
	return sessionPlan(KindPrepare, &SessionCommand{Verb: "prepare", Name: s.Name, Inner: inner, ParamTypes: types}), nil
}

// typeNameText renders a type name as written ("int4", "text[]",
// "numeric(10,2)"), without a pg_catalog qualifier.
func typeNameText(t *pg_query.TypeName) string {
	names := make([]string, 0, len(t.Names))
	for i, n := range t.Names {
		s := stringValue(n)
		if i == 0 && len(t.Names) > 1 && s == "pg_catalog" {
			continue
		}
		names = append(names, s)
	}
	out := strings.Join(names, ".")
	if len(t.Typmods) > 0 {
		mods := make([]string, 0, len(t.Typmods))
		for _, m := range t.Typmods {
			if c := m.GetAConst(); c != nil {
				text, _, _ := constText(c)
				mods = append(mods, text)
			}
		}
		out += "(" + strings.Join(mods, ",") + ")"
	}
	for range t.ArrayBounds {
		out += "[]"
	}
	return out
}

func (p *planner) planExecute(s *pg_query.ExecuteStmt) (*Plan, error) {
	cmd := &SessionCommand{Verb: "execute", Name: s.Name}
	for _, n := range s.Params {
		if tc := n.GetTypeCast(); tc != nil {
			n = tc.Arg
		}
		c := n.GetAConst()
		if c == nil {
			return nil, pgerr.New(pgerr.FeatureNotSupported, "EXECUTE parameters must be constants").
				WithHint("Pass values, not expressions or subqueries, to EXECUTE.")
		}
		text, _, null := constText(c)
		cmd.Params = append(cmd.Params, text)
		cmd.ParamNull = append(cmd.ParamNull, null)
	}
	return sessionPlan(KindExecute, cmd), nil
}

func (p *planner) planDeallocate(s *pg_query.DeallocateStmt) (*Plan, error) {
	if s.Isall || s.Name == "" {
		return sessionPlan(KindDeallocate, &SessionCommand{Verb: "deallocate_all"}), nil
	}
	return sessionPlan(KindDeallocate, &SessionCommand{Verb: "deallocate", Name: s.Name}), nil
}

// Cursor option bits of DeclareCursorStmt (PostgreSQL's CURSOR_OPT_*).
const (
	cursorBinary = 0x0001
	cursorScroll = 0x0002
	cursorHold   = 0x0020
)

func (p *planner) planDeclare(s *pg_query.DeclareCursorStmt) (*Plan, error) {
	inner, err := p.innerQuery(s.Query, "DECLARE CURSOR")
	if err != nil {
		return nil, err
	}
	return sessionPlan(KindDeclare, &SessionCommand{
		Verb:   "declare",
		Name:   s.Portalname,
		Inner:  inner,
		Hold:   s.Options&cursorHold != 0,
		Scroll: s.Options&cursorScroll != 0,
		Binary: s.Options&cursorBinary != 0,
	}), nil
}

func (p *planner) planFetch(s *pg_query.FetchStmt) (*Plan, error) {
	cmd := &SessionCommand{Verb: "fetch", Name: s.Portalname, Count: s.HowMany}
	if s.Ismove {
		cmd.Verb = "move"
	}
	switch s.Direction {
	case pg_query.FetchDirection_FETCH_FORWARD:
		cmd.Direction = "forward"
	case pg_query.FetchDirection_FETCH_BACKWARD:
		cmd.Direction = "backward"
	case pg_query.FetchDirection_FETCH_ABSOLUTE:
		cmd.Direction = "absolute"
	case pg_query.FetchDirection_FETCH_RELATIVE:
		cmd.Direction = "relative"
	default:
		return nil, unsupported("FETCH direction")
	}
	if s.HowMany == math.MaxInt64 {
		cmd.All, cmd.Count = true, 0
	}
	return sessionPlan(KindFetch, cmd), nil
}

func (p *planner) planClose(s *pg_query.ClosePortalStmt) (*Plan, error) {
	if s.Portalname == "" {
		return sessionPlan(KindClose, &SessionCommand{Verb: "close_all"}), nil
	}
	return sessionPlan(KindClose, &SessionCommand{Verb: "close", Name: s.Portalname}), nil
}

// planSetConfig plans SELECT set_config(name, value, is_local) with
// constant arguments, PostgreSQL's function form of SET, as a session
// command that answers with the new value (ok false for any other
// statement). set_config anywhere else is refused by the rewrite step.
func (p *planner) planSetConfig(node *pg_query.Node) (*Plan, bool, error) {
	sel := node.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 || len(sel.FromClause) > 0 || sel.WhereClause != nil ||
		sel.WithClause != nil || sel.Op != pg_query.SetOperation_SETOP_NONE || len(sel.ValuesLists) > 0 ||
		sel.LimitCount != nil || len(sel.GroupClause) > 0 || sel.HavingClause != nil {
		return nil, false, nil
	}
	rt := sel.TargetList[0].GetResTarget()
	f := rt.GetVal().GetFuncCall()
	if f == nil || len(f.Args) != 3 || f.Over != nil || f.AggStar || f.AggDistinct {
		return nil, false, nil
	}
	n := len(f.Funcname)
	if foldName(stringValue(f.Funcname[n-1])) != "set_config" ||
		n > 2 || n == 2 && foldName(stringValue(f.Funcname[0])) != "pg_catalog" {
		return nil, false, nil
	}
	name, ok1 := constantArgument(f, 0)
	value, ok2 := constantArgument(f, 1)
	local, ok3 := boolArgument(f.Args[2])
	if !ok1 || !ok2 || !ok3 {
		return nil, false, nil
	}
	canonical, err := settableParameter(name)
	if err != nil {
		return nil, true, argumentChecks["set_config"](f)
	}
	column := rt.Name
	if column == "" {
		column = "set_config"
	}
	plan := sessionPlan(KindSelect, &SessionCommand{Verb: "set_config", Name: canonical, Value: value, Local: local})
	plan.Targets = []Target{{Name: column, Type: "text"}}
	return plan, true, nil
}

// boolArgument reads a constant Boolean argument (true, 'on', 1 …).
func boolArgument(n *pg_query.Node) (bool, bool) {
	if tc := n.GetTypeCast(); tc != nil {
		n = tc.Arg
	}
	c := n.GetAConst()
	if c == nil || c.Isnull {
		return false, false
	}
	text, _, _ := constText(c)
	return parseBool(text)
}
