package planner

import (
	"fmt"
	"strings"
)

// Table is a relation the principal may read, as the resolver reports it.
type Table struct {
	ID        string // registry id
	Schema    string // PostgreSQL-facing schema ("public")
	Name      string
	QueryMode string // "local", "materialized", "remote"
}

// Resolver answers which tables the principal can read. Lookup is
// case-insensitive on both parts. The planner never passes an empty schema:
// it resolves an unqualified name by calling Lookup once per entry of the
// session's search_path, in order (["public"] by default), and takes the
// first hit.
//
// The resolver is already filtered by grants: a table the principal may not
// read must not be returned, so that it is indistinguishable from a table that
// does not exist.
type Resolver interface {
	Lookup(schema, name string) (Table, bool)
}

// Route says who answers a statement.
type Route string

// Routes.
const (
	RouteSession  Route = "session"  // answered by the gateway from session state; never reaches DuckDB
	RouteCatalog  Route = "catalog"  // reads only catalog relations / compatibility functions
	RouteLocal    Route = "local"    // runs in the principal's DuckDB sandbox
	RouteHybrid   Route = "hybrid"   // reads at least one remote table (fetched, then joined locally)
	RouteSnapshot Route = "snapshot" // materializes a snapshot (not planned yet)
)

// Kind is the statement kind, as recorded in plans and audit rows.
type Kind string

// Statement kinds.
const (
	KindSelect     Kind = "select" // SELECT, VALUES and TABLE
	KindExplain    Kind = "explain"
	KindShow       Kind = "show"
	KindSet        Kind = "set"
	KindReset      Kind = "reset"
	KindBegin      Kind = "begin"
	KindCommit     Kind = "commit"
	KindRollback   Kind = "rollback"
	KindSavepoint  Kind = "savepoint"
	KindRelease    Kind = "release"
	KindPrepare    Kind = "prepare"
	KindExecute    Kind = "execute"
	KindDeallocate Kind = "deallocate"
	KindDiscard    Kind = "discard"
	KindCopy       Kind = "copy"
	KindDeclare    Kind = "declare"
	KindFetch      Kind = "fetch"
	KindClose      Kind = "close"
	// KindEmpty names an empty query in audit rows; PlanQuery returns no
	// plan at all for an empty or comment-only string.
	KindEmpty Kind = "empty"
)

// Plan is the checked, routed and rewritten form of one statement. It is a
// plain value: everything the executor, the wire layer and the audit log need
// is in its fields, and String prints it.
type Plan struct {
	Kind  Kind
	Route Route
	// Tables are the registry tables the statement reads (deduplicated, in
	// order of first reference). PREPARE and DECLARE read nothing
	// themselves: their query's tables are on Session.Inner.
	Tables    []Table
	SQL       string // deparsed, rewritten statement for DuckDB ("" for session-route statements)
	Original  string // the client's text of this statement
	NumParams int    // highest $n referenced

	Explain        *Plan           // for EXPLAIN: the inner plan (its SQL is what DuckDB explains)
	ExplainAnalyze bool            // EXPLAIN ANALYZE: the inner statement is executed
	Session        *SessionCommand // for session statements
	Copy           *CopyCommand    // for COPY ... TO STDOUT; SQL is then the SELECT whose rows are copied out

	// Catalog lists the catalog relations read, as canonical "schema.name"
	// (pg_catalog.pg_class, information_schema.tables).
	Catalog []string
	// Functions lists the distinct functions called (lower case, without a
	// pg_catalog qualifier), table functions included.
	Functions []string
	// Targets describe the result columns of a query as far as its SQL
	// tells (colname.go); nil when a * expands or for other statements.
	Targets []Target
	// Source is the registry table a SELECT reads alone (one relation in
	// its FROM, no set operation): its plain column references (Targets'
	// Column, or every column of a *) are that table's columns, which the
	// gateway reports as each result column's origin. Nil otherwise.
	Source *Table
	// Sources are the registry tables named in the FROM clause of a SELECT
	// (also inside joins) with the name its column references use for
	// each (the alias, else the table name; folded). Result columns that
	// reference them are reported with their origin.
	Sources []Source
	// Constants is the single row of a query made only of literals
	// (SELECT 1), which the gateway answers without the engine; nil
	// otherwise (constant.go).
	Constants []Constant
}

// SessionCommand is a statement the gateway answers from its per-session
// state (route "session").
type SessionCommand struct {
	// Verb is one of: set, set_config (SELECT set_config(…): a SET that
	// answers with one row), reset, reset_all, show, show_all, begin, commit,
	// rollback, savepoint, release, rollback_to, set_transaction,
	// set_session_characteristics, discard_all, discard (Name = plans, temp,
	// sequences), prepare, execute, deallocate, deallocate_all, declare,
	// fetch, move, close, close_all.
	Verb string
	// Name is the parameter (canonical PostgreSQL spelling: "DateStyle",
	// "TimeZone", "application_name"), savepoint, prepared statement or
	// cursor name.
	Name string
	// Value is the value of SET as text ("ISO, MDY", "a, public").
	Value     string
	Local     bool   // SET LOCAL
	ReadOnly  *bool  // transaction access mode when given
	Isolation string // "read committed", "serializable", … when given
	// Deferrable is the DEFERRABLE transaction mode when given.
	Deferrable *bool
	Chain      bool // COMMIT/ROLLBACK AND CHAIN

	// Inner is the planned statement of PREPARE and DECLARE.
	Inner *Plan
	// ParamTypes are the declared parameter types of PREPARE, as written
	// ("int4", "text[]", "numeric(10,2)").
	ParamTypes []string
	// Params are the EXECUTE arguments in text form (a string literal's
	// value, a number as written); ParamNull marks NULL arguments.
	Params    []string
	ParamNull []bool

	// Cursor options (DECLARE).
	Hold, Scroll, Binary bool
	// FETCH/MOVE: Direction is "forward", "backward", "absolute" or
	// "relative"; Count is the row count or position; All is FETCH ALL.
	Direction string
	Count     int64
	All       bool
}

// CopyCommand carries the options of COPY ... TO STDOUT, with PostgreSQL's
// defaults filled in for the chosen format.
type CopyCommand struct {
	Format     string // "text" or "csv"
	Header     bool
	Delimiter  string
	Null       string
	Quote      string // csv only
	Escape     string // csv only
	ForceQuote []string
	// ForceQuoteAll is FORCE_QUOTE *.
	ForceQuoteAll bool
}

// Options configure one PlanQuery call.
type Options struct {
	Resolver Resolver
	// SearchPath is the session's search_path, e.g. ["public"]. "$user" and
	// pg_catalog entries are ignored for table lookups. Empty means
	// ["public"].
	SearchPath []string
	// MaxLength is the longest query string accepted, in bytes; 0 means
	// DefaultMaxLength.
	MaxLength int
	// MaxDepth is the deepest parse tree accepted (protobuf message
	// nesting); 0 means DefaultMaxDepth. See limits.go before raising it.
	MaxDepth int
	// MaxStatements is the most statements one query string may hold; 0
	// means DefaultMaxStatements.
	MaxStatements int
	// Database, when set, is the only catalog name accepted in
	// three-part names (agnes.public.orders); when empty any is accepted and
	// dropped.
	Database string
	// CatalogRewrite maps a catalog relation, as canonical lower-case
	// "schema.name" (pg_catalog.pg_class), to the name the sandbox serves it
	// under ("pgcompat.pg_class" or "gw.pgcompat.pg_class"). Relations not in
	// the map keep their canonical name.
	CatalogRewrite map[string]string
	// Compat, when set, sends PostgreSQL functions, reg* casts and session
	// value functions DuckDB lacks to the compatibility objects it names,
	// and refuses catalog relations CatalogRewrite does not list (rather
	// than letting DuckDB's own pg_catalog answer). Nil plans for DuckDB's
	// own catalog.
	Compat *Compat
	// SandboxName gives the DuckDB schema and name a readable table is
	// served under. Nil means DefaultSandboxName.
	SandboxName func(Table) (schema, name string)
	// Cache, when set, reuses the plans of query strings planned before
	// (see PlanCache); nil plans every string from scratch.
	Cache *PlanCache
}

// DefaultSandboxName serves a table under its PostgreSQL-facing name, with
// schema "public" mapped to DuckDB's "main".
func DefaultSandboxName(t Table) (schema, name string) {
	schema = t.Schema
	if schema == "" || strings.EqualFold(schema, "public") {
		schema = "main"
	}
	return schema, t.Name
}

// String prints the plan on a few indented lines, the way EXPLAIN shows it.
func (p *Plan) String() string {
	var b strings.Builder
	p.write(&b, "")
	return strings.TrimSuffix(b.String(), "\n")
}

func (p *Plan) write(b *strings.Builder, indent string) {
	line := func(format string, args ...any) {
		b.WriteString(indent)
		fmt.Fprintf(b, format, args...)
		b.WriteByte('\n')
	}
	line("Agnes %s (route: %s)", p.Kind, p.Route)
	if len(p.Tables) > 0 {
		parts := make([]string, len(p.Tables))
		for i, t := range p.Tables {
			parts[i] = fmt.Sprintf("%s.%s [id %s, %s]", t.Schema, t.Name, t.ID, t.QueryMode)
		}
		line("  tables: %s", strings.Join(parts, ", "))
	}
	if len(p.Catalog) > 0 {
		line("  catalog: %s", strings.Join(p.Catalog, ", "))
	}
	if len(p.Functions) > 0 {
		line("  functions: %s", strings.Join(p.Functions, ", "))
	}
	if p.NumParams > 0 {
		line("  parameters: %d", p.NumParams)
	}
	if s := p.Session; s != nil {
		line("  session: %s", s.describe())
		if s.Inner != nil {
			s.Inner.write(b, indent+"  ")
		}
	}
	if c := p.Copy; c != nil {
		line("  copy: %s", c.describe())
	}
	if p.SQL != "" {
		line("  sql: %s", p.SQL)
	}
	if p.Explain != nil {
		if p.ExplainAnalyze {
			line("  analyze: true")
		}
		p.Explain.write(b, indent+"  ")
	}
}

func (s *SessionCommand) describe() string {
	parts := []string{s.Verb}
	if s.Name != "" {
		parts = append(parts, "name="+s.Name)
	}
	if s.Verb == "set" {
		parts = append(parts, fmt.Sprintf("value=%q", s.Value))
	}
	if s.Local {
		parts = append(parts, "local")
	}
	if s.Isolation != "" {
		parts = append(parts, "isolation="+s.Isolation)
	}
	if s.ReadOnly != nil {
		parts = append(parts, fmt.Sprintf("read_only=%t", *s.ReadOnly))
	}
	if s.Deferrable != nil {
		parts = append(parts, fmt.Sprintf("deferrable=%t", *s.Deferrable))
	}
	if s.Chain {
		parts = append(parts, "chain")
	}
	if len(s.ParamTypes) > 0 {
		parts = append(parts, "types=("+strings.Join(s.ParamTypes, ", ")+")")
	}
	if s.Verb == "execute" {
		vals := make([]string, len(s.Params))
		for i, v := range s.Params {
			if i < len(s.ParamNull) && s.ParamNull[i] {
				vals[i] = "NULL"
			} else {
				vals[i] = fmt.Sprintf("%q", v)
			}
		}
		parts = append(parts, "params=("+strings.Join(vals, ", ")+")")
	}
	if s.Hold {
		parts = append(parts, "hold")
	}
	if s.Scroll {
		parts = append(parts, "scroll")
	}
	if s.Binary {
		parts = append(parts, "binary")
	}
	if s.Direction != "" {
		if s.All {
			parts = append(parts, s.Direction+" all")
		} else {
			parts = append(parts, fmt.Sprintf("%s %d", s.Direction, s.Count))
		}
	}
	return strings.Join(parts, " ")
}

func (c *CopyCommand) describe() string {
	parts := []string{"format=" + c.Format}
	if c.Header {
		parts = append(parts, "header")
	}
	parts = append(parts, fmt.Sprintf("delimiter=%q", c.Delimiter), fmt.Sprintf("null=%q", c.Null))
	if c.Format == "csv" {
		parts = append(parts, fmt.Sprintf("quote=%q", c.Quote), fmt.Sprintf("escape=%q", c.Escape))
	}
	if c.ForceQuoteAll {
		parts = append(parts, "force_quote=*")
	} else if len(c.ForceQuote) > 0 {
		parts = append(parts, "force_quote=("+strings.Join(c.ForceQuote, ", ")+")")
	}
	return strings.Join(parts, " ")
}

// Source is a registry table in a SELECT's FROM clause and the name it is
// referred to by.
type Source struct {
	Name  string
	Table Table
}
