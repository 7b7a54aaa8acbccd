package planner

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/keboola/agnes/pgerr"
)

// analysis is the semantic state of one query statement: every relation
// reference and the name it binds to, every function call, the CTEs, the
// parameters, and the nodes the rewrite step will touch. It holds pointers
// into the parse tree; authorize reads it, rewrite mutates the tree through
// it.
type analysis struct {
	relations []*relationRef
	functions []*functionRef
	ctes      []*cteDef
	maxParam  int
	// sessionValues is set when the statement uses CURRENT_USER,
	// CURRENT_SCHEMA and the like, which the catalog route answers.
	sessionValues bool

	// Nodes the rewrite step adjusts for DuckDB.
	columnRefs []*pg_query.ColumnRef // with three or more name parts
	operators  []*pg_query.A_Expr    // OPERATOR(pg_catalog.op)
	collations []*pg_query.Node      // x COLLATE pg_catalog."default"
	typeNames  []*pg_query.TypeName  // pg_catalog.typename
	// Indirections ((expr).field, (expr)[i]); the rewrite parenthesizes the
	// expressions the deparser would print without the parentheses the
	// grammar needs.
	indirections []*pg_query.A_Indirection

	// Nodes the PostgreSQL compatibility pass (compat.go) replaces; they
	// are the wrapper nodes, so that a replacement takes effect wherever
	// the tree points at them.
	typeCasts   []*pg_query.Node // TypeCast
	valueFuncs  []*pg_query.Node // SQLValueFunction
	regexOps    []*pg_query.Node // A_Expr with ~, !~, ~*, !~*
	comparisons []*pg_query.A_Expr
	// selects are every SELECT of the statement, outermost first; their
	// unnamed targets get PostgreSQL's column names (colname.go).
	selects []*pg_query.SelectStmt
	// valuesRanges are VALUES lists in FROM without column names.
	valuesRanges []*pg_query.RangeSubselect
	// rangeFuncs are the functions in FROM (RangeFunction wrappers).
	rangeFuncs []*pg_query.Node
	// anyExprs are x = ANY (array) comparisons (A_Expr wrappers).
	anyExprs []*pg_query.Node
	// systemColumns are alias.xmin and the like (ColumnRef wrappers).
	systemColumns []*pg_query.Node
	// divisions are a / b and a % b (A_Expr wrappers).
	divisions []*pg_query.Node
	// jsonPaths are x #> path and x #>> path (A_Expr wrappers).
	jsonPaths []*pg_query.Node
}

// cteDef is one common table expression of a WITH clause.
type cteDef struct {
	node *pg_query.CommonTableExpr
	name string // as written
}

// relationRef is one relation in FROM (a RangeVar).
type relationRef struct {
	node *pg_query.RangeVar
	// cte is the CTE the name binds to, nil when it names a table or a
	// catalog relation.
	cte *cteDef
}

// functionRef is one function call.
type functionRef struct {
	node    *pg_query.FuncCall
	wrapper *pg_query.Node // the Node holding node, when the call is an expression
	schema  string         // folded qualifier, "" when unqualified
	name    string         // folded name
	parts   int            // number of name parts as written
	inFrom  bool           // called as a table function in FROM
}

// scope is the chain of CTE names visible at a point of the statement,
// innermost first.
type scope struct {
	parent *scope
	ctes   []*cteDef
}

// lookup finds the CTE an unqualified relation name binds to. DuckDB
// compares identifiers case-insensitively whether quoted or not, so the
// planner does too.
func (s *scope) lookup(name string) *cteDef {
	folded := foldName(name)
	for ; s != nil; s = s.parent {
		for i := len(s.ctes) - 1; i >= 0; i-- {
			if foldName(s.ctes[i].name) == folded {
				return s.ctes[i]
			}
		}
	}
	return nil
}

// analyzer walks a query tree once. Nodes it knows to matter (SELECT with
// its WITH scope, relations, functions, parameters) get their own handling;
// every other node must be of a type on queryNodes and is walked field by
// field through protobuf reflection, so no field of any node is ever
// skipped, and a node type the planner has not reviewed is refused.
type analyzer struct {
	a        *analysis
	maxDepth int
}

// analyzeQuery analyses a SELECT-like statement tree.
func analyzeQuery(node *pg_query.Node, maxDepth int) (*analysis, error) {
	z := &analyzer{a: &analysis{}, maxDepth: maxDepth}
	if err := z.node(node, nil, 0); err != nil {
		return nil, err
	}
	return z.a, nil
}

// node walks one Node wrapper. Depth is counted the way the protobuf
// encoding nests (a wrapper and its concrete message are two levels), and
// every walker gets the depth of the parent message.
func (z *analyzer) node(n *pg_query.Node, sc *scope, parent int) error {
	if n == nil {
		return nil
	}
	depth := parent + 2 // the wrapper, then the concrete message
	if depth > z.maxDepth {
		return tooComplex()
	}
	switch x := n.Node.(type) {
	case nil:
		return nil
	case *pg_query.Node_AConst, *pg_query.Node_String_, *pg_query.Node_Integer,
		*pg_query.Node_Float, *pg_query.Node_Boolean, *pg_query.Node_BitString,
		*pg_query.Node_AStar:
		return nil
	case *pg_query.Node_SelectStmt:
		return z.selectStmt(x.SelectStmt, sc, depth)
	case *pg_query.Node_RangeVar:
		return z.rangeVar(x.RangeVar, sc, depth)
	case *pg_query.Node_FuncCall:
		return z.funcCallIn(n, x.FuncCall, sc, depth)
	case *pg_query.Node_RangeFunction:
		z.a.rangeFuncs = append(z.a.rangeFuncs, n)
		return z.rangeFunction(x.RangeFunction, sc, depth)
	case *pg_query.Node_ColumnRef:
		if len(x.ColumnRef.Fields) >= 3 {
			z.a.columnRefs = append(z.a.columnRefs, x.ColumnRef)
		}
		if f := x.ColumnRef.Fields; len(f) == 2 && f[0].GetString_() != nil && f[1].GetString_() != nil &&
			systemColumns[foldName(stringValue(f[1]))] != nil {
			z.a.systemColumns = append(z.a.systemColumns, n)
		}
	case *pg_query.Node_ParamRef:
		num := int(x.ParamRef.Number)
		if num < 1 || num > 65535 {
			return pgerr.New(pgerr.UndefinedParameter, "there is no parameter $%d", num)
		}
		if num > z.a.maxParam {
			z.a.maxParam = num
		}
		return nil
	case *pg_query.Node_TypeCast:
		z.a.typeCasts = append(z.a.typeCasts, n)
	case *pg_query.Node_RangeSubselect:
		if sel := x.RangeSubselect.Subquery.GetSelectStmt(); sel != nil && len(sel.ValuesLists) > 0 &&
			(x.RangeSubselect.Alias == nil || len(x.RangeSubselect.Alias.Colnames) == 0) {
			z.a.valuesRanges = append(z.a.valuesRanges, x.RangeSubselect)
		}
	case *pg_query.Node_AExpr:
		if e := x.AExpr; (e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY || e.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ALL) &&
			len(e.Name) == 1 && e.Rexpr.GetSubLink() == nil {
			z.a.anyExprs = append(z.a.anyExprs, n)
		}
		if e := x.AExpr; e.Kind == pg_query.A_Expr_Kind_AEXPR_OP && len(e.Name) > 0 && e.Lexpr != nil {
			switch stringValue(e.Name[len(e.Name)-1]) {
			case "~", "!~", "~*", "!~*":
				z.a.regexOps = append(z.a.regexOps, n)
			case "=", "<>", "!=":
				z.a.comparisons = append(z.a.comparisons, e)
			case "/", "%":
				if len(e.Name) == 1 && e.Rexpr != nil {
					z.a.divisions = append(z.a.divisions, n)
				}
			case "#>", "#>>":
				if len(e.Name) == 1 && e.Rexpr != nil {
					z.a.jsonPaths = append(z.a.jsonPaths, n)
				}
			}
		}
		if e := x.AExpr; len(e.Name) > 1 {
			// OPERATOR(pg_catalog.op) is plain op in DuckDB; other schemas
			// hold no operators Agnes serves.
			if len(e.Name) != 2 || foldName(stringValue(e.Name[0])) != "pg_catalog" {
				return unsupported("OPERATOR() with a schema other than pg_catalog")
			}
			z.a.operators = append(z.a.operators, e)
		}
	case *pg_query.Node_AIndirection:
		// All of them: a rewrite may turn a call that prints its own
		// parentheses into an expression that does not (rewrite.go).
		z.a.indirections = append(z.a.indirections, x.AIndirection)
	case *pg_query.Node_SqlvalueFunction:
		if x.SqlvalueFunction.Op >= pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE {
			z.a.sessionValues = true
			z.a.valueFuncs = append(z.a.valueFuncs, n)
		}
	case *pg_query.Node_CollateClause:
		if isDefaultCollation(x.CollateClause.Collname) {
			z.a.collations = append(z.a.collations, n)
		}
	case *pg_query.Node_WithClause, *pg_query.Node_CommonTableExpr:
		// Only reachable through SelectStmt, which handles them itself.
		return unsupported("WITH in this position")
	}
	return z.message(n.ProtoReflect().Get(n.ProtoReflect().WhichOneof(nodeOneof)).Message(), sc, parent+1)
}

// message walks any message that is not a pg_query.Node wrapper (those go
// through node).
func (z *analyzer) message(m protoreflect.Message, sc *scope, parent int) error {
	if n, ok := m.Interface().(*pg_query.Node); ok {
		return z.node(n, sc, parent)
	}
	depth := parent + 1
	if depth > z.maxDepth {
		return tooComplex()
	}
	switch x := m.Interface().(type) {
	case *pg_query.SelectStmt:
		return z.selectStmt(x, sc, depth)
	case *pg_query.RangeVar:
		return z.rangeVar(x, sc, depth)
	case *pg_query.TypeName:
		if x.PctType {
			return unsupported("%TYPE")
		}
		for _, mod := range x.Typmods {
			// PostgreSQL rejects anything else later; the deparser would
			// print it wrongly.
			if mod.GetAConst() == nil {
				return pgerr.New(pgerr.SyntaxError, "type modifiers must be simple constants")
			}
		}
		if len(x.Names) == 2 && foldName(stringValue(x.Names[0])) == "pg_catalog" {
			z.a.typeNames = append(z.a.typeNames, x)
		}
	}
	name := m.Descriptor().Name()
	if !queryNodes[name] {
		if what, ok := refusedNodes[name]; ok {
			return pgerr.New(pgerr.InsufficientPrivilege, "%s is not allowed: Agnes serves read-only queries", what)
		}
		if what, ok := unsupportedNodes[name]; ok {
			return unsupported(what)
		}
		return unsupported(string(name))
	}
	return z.fields(m, sc, depth, nil)
}

// fields walks every message-typed field of m except those skip names.
func (z *analyzer) fields(m protoreflect.Message, sc *scope, depth int, skip map[protoreflect.Name]bool) error {
	var err error
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		if fd.Kind() != protoreflect.MessageKind || skip[fd.Name()] {
			return true
		}
		if fd.IsList() {
			l := v.List()
			for i := 0; i < l.Len() && err == nil; i++ {
				err = z.message(l.Get(i).Message(), sc, depth)
			}
		} else {
			err = z.message(v.Message(), sc, depth)
		}
		return err == nil
	})
	return err
}

var selectHandled = map[protoreflect.Name]bool{"with_clause": true, "into_clause": true, "locking_clause": true}

func (z *analyzer) selectStmt(s *pg_query.SelectStmt, sc *scope, depth int) error {
	z.a.selects = append(z.a.selects, s)
	if s.IntoClause != nil {
		return pgerr.New(pgerr.InsufficientPrivilege, "SELECT ... INTO is not allowed: Agnes serves read-only queries").
			WithHint("Use a plain SELECT.")
	}
	if len(s.LockingClause) > 0 {
		return pgerr.New(pgerr.InsufficientPrivilege, "SELECT ... FOR UPDATE/SHARE is not allowed: Agnes serves read-only queries")
	}
	if s.WithClause != nil {
		var err error
		if sc, err = z.withClause(s.WithClause, sc, depth); err != nil {
			return err
		}
	}
	return z.fields(s.ProtoReflect(), sc, depth, selectHandled)
}

var cteHandled = map[protoreflect.Name]bool{"ctequery": true, "search_clause": true, "cycle_clause": true}

// withClause defines the CTEs of one WITH and returns the scope the
// statement body sees. A CTE body sees the CTEs defined before it and, under
// WITH RECURSIVE, itself; never later ones. That is DuckDB's rule (it binds a
// forward reference to a table even under RECURSIVE, unlike PostgreSQL).
// Rewrite renames every CTE, so a reference the planner binds to a CTE can
// only ever reach that CTE.
func (z *analyzer) withClause(w *pg_query.WithClause, sc *scope, depth int) (*scope, error) {
	defs := make([]*cteDef, 0, len(w.Ctes))
	seen := map[string]bool{}
	for _, n := range w.Ctes {
		cte := n.GetCommonTableExpr()
		if cte == nil {
			return nil, unsupported("WITH item")
		}
		folded := foldName(cte.Ctename)
		if seen[folded] {
			return nil, pgerr.New(pgerr.DuplicateAlias, "WITH query name %q specified more than once", cte.Ctename)
		}
		seen[folded] = true
		defs = append(defs, &cteDef{node: cte, name: cte.Ctename})
	}
	for i, def := range defs {
		cte := def.node
		if cte.SearchClause != nil || cte.CycleClause != nil {
			return nil, unsupported("WITH ... SEARCH/CYCLE")
		}
		if cte.Ctequery.GetSelectStmt() == nil {
			return nil, pgerr.New(pgerr.InsufficientPrivilege,
				"data-modifying statements in WITH are not allowed: Agnes serves read-only queries")
		}
		visible := defs[:i]
		if w.Recursive {
			visible = defs[:i+1]
		}
		// SelectStmt → WithClause → ctes Node → CommonTableExpr.
		body := &scope{parent: sc, ctes: visible}
		if err := z.node(cte.Ctequery, body, depth+3); err != nil {
			return nil, err
		}
		if err := z.fields(cte.ProtoReflect(), sc, depth+3, cteHandled); err != nil {
			return nil, err
		}
	}
	z.a.ctes = append(z.a.ctes, defs...)
	return &scope{parent: sc, ctes: defs}, nil
}

func (z *analyzer) rangeVar(rv *pg_query.RangeVar, sc *scope, depth int) error {
	ref := &relationRef{node: rv}
	if rv.Catalogname == "" && rv.Schemaname == "" {
		ref.cte = sc.lookup(rv.Relname)
	}
	z.a.relations = append(z.a.relations, ref)
	return z.fields(rv.ProtoReflect(), sc, depth, nil)
}

// funcCallIn analyses a call in an expression, remembering its wrapper node
// so a rewrite can replace the call by another expression.
func (z *analyzer) funcCallIn(wrapper *pg_query.Node, f *pg_query.FuncCall, sc *scope, depth int) error {
	return z.funcCallWrapped(wrapper, f, false, sc, depth)
}

func (z *analyzer) funcCall(f *pg_query.FuncCall, inFrom bool, sc *scope, depth int) error {
	return z.funcCallWrapped(nil, f, inFrom, sc, depth)
}

func (z *analyzer) funcCallWrapped(wrapper *pg_query.Node, f *pg_query.FuncCall, inFrom bool, sc *scope, depth int) error {
	ref := &functionRef{node: f, wrapper: wrapper, inFrom: inFrom, parts: len(f.Funcname)}
	if n := len(f.Funcname); n > 0 {
		ref.name = foldName(stringValue(f.Funcname[n-1]))
		if n > 1 {
			ref.schema = foldName(stringValue(f.Funcname[n-2]))
		}
	}
	z.a.functions = append(z.a.functions, ref)
	return z.fields(f.ProtoReflect(), sc, depth, nil)
}

var rangeFunctionHandled = map[protoreflect.Name]bool{"functions": true}

// rangeFunction is a function call in FROM. Only plain function calls may
// stand there (the grammar also admits CAST, COALESCE, CURRENT_DATE …).
func (z *analyzer) rangeFunction(rf *pg_query.RangeFunction, sc *scope, depth int) error {
	if rf.IsRowsfrom {
		return unsupported("ROWS FROM")
	}
	for _, item := range rf.Functions {
		list := item.GetList()
		if list == nil || len(list.Items) == 0 {
			return unsupported("FROM item")
		}
		f := list.Items[0].GetFuncCall()
		if f == nil {
			return pgerr.New(pgerr.InsufficientPrivilege, "only table functions may appear as a function in FROM")
		}
		// RangeFunction → functions Node → List → items Node → FuncCall.
		if err := z.funcCall(f, true, sc, depth+4); err != nil {
			return err
		}
		for _, rest := range list.Items[1:] {
			if err := z.node(rest, sc, depth+2); err != nil {
				return err
			}
		}
	}
	return z.fields(rf.ProtoReflect(), sc, depth, rangeFunctionHandled)
}

// printsOwnParens reports whether the deparser prints arg in a form that can
// carry an indirection ((f(x)).a, $1[1], col[1]) on its own.
func printsOwnParens(arg *pg_query.Node) bool {
	switch arg.GetNode().(type) {
	case *pg_query.Node_AIndirection, *pg_query.Node_FuncCall, *pg_query.Node_AExpr,
		*pg_query.Node_TypeCast, *pg_query.Node_RowExpr, *pg_query.Node_AArrayExpr,
		*pg_query.Node_ColumnRef, *pg_query.Node_ParamRef:
		return true
	}
	return false
}

func unsupported(what string) *pgerr.Error {
	return pgerr.New(pgerr.FeatureNotSupported, "%s is not supported by Agnes", what)
}

func isDefaultCollation(names []*pg_query.Node) bool {
	switch len(names) {
	case 1:
		return foldName(stringValue(names[0])) == "default"
	case 2:
		return foldName(stringValue(names[0])) == "pg_catalog" && foldName(stringValue(names[1])) == "default"
	}
	return false
}

// stringValue is the value of a String node ("" for any other node).
func stringValue(n *pg_query.Node) string {
	return n.GetString_().GetSval()
}

// foldName lower-cases ASCII letters only, the way DuckDB compares
// identifiers; other characters stay as they are.
func foldName(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; c >= 'A' && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// queryNodes are the node types a query tree may contain besides those the
// analyzer handles itself. Anything else is refused: a node type nobody has
// reviewed does not reach DuckDB.
var queryNodes = messageNames(
	&pg_query.Node{}, &pg_query.List{}, &pg_query.String{}, &pg_query.Integer{},
	&pg_query.Float{}, &pg_query.Boolean{}, &pg_query.BitString{},
	&pg_query.A_Const{}, &pg_query.A_Star{}, &pg_query.A_Indices{}, &pg_query.A_Indirection{},
	&pg_query.A_ArrayExpr{}, &pg_query.A_Expr{}, &pg_query.Alias{}, &pg_query.BoolExpr{},
	&pg_query.BooleanTest{}, &pg_query.CaseExpr{}, &pg_query.CaseWhen{}, &pg_query.CoalesceExpr{},
	&pg_query.CollateClause{}, &pg_query.ColumnDef{}, &pg_query.ColumnRef{},
	&pg_query.GroupingFunc{}, &pg_query.GroupingSet{}, &pg_query.JoinExpr{}, &pg_query.MinMaxExpr{},
	&pg_query.NamedArgExpr{}, &pg_query.NullTest{}, &pg_query.ParamRef{},
	&pg_query.RangeSubselect{}, &pg_query.RangeTableSample{}, &pg_query.ResTarget{},
	&pg_query.RowExpr{}, &pg_query.SortBy{}, &pg_query.SQLValueFunction{}, &pg_query.SubLink{},
	&pg_query.TypeCast{}, &pg_query.TypeName{}, &pg_query.WindowDef{},
	// Handled by the analyzer, listed so the generic walk accepts them when
	// reached as plain message fields.
	&pg_query.FuncCall{}, &pg_query.RangeFunction{},
)

// refusedNodes name node types that mean a write or a lock, for a clearer
// error than "not supported".
var refusedNodes = map[protoreflect.Name]string{
	"IntoClause":       "SELECT ... INTO",
	"LockingClause":    "SELECT ... FOR UPDATE/SHARE",
	"MultiAssignRef":   "UPDATE",
	"OnConflictClause": "INSERT ... ON CONFLICT",
	"SetToDefault":     "DEFAULT",
	"CurrentOfExpr":    "WHERE CURRENT OF",
}

// unsupportedNodes name PostgreSQL constructs DuckDB lacks, for errors.
var unsupportedNodes = map[protoreflect.Name]string{
	"XmlExpr":                   "XML functions",
	"XmlSerialize":              "XMLSERIALIZE",
	"RangeTableFunc":            "XMLTABLE",
	"JsonTable":                 "JSON_TABLE",
	"JsonFuncExpr":              "JSON_QUERY/JSON_VALUE/JSON_EXISTS",
	"JsonObjectConstructor":     "JSON_OBJECT",
	"JsonArrayConstructor":      "JSON_ARRAY",
	"JsonArrayQueryConstructor": "JSON_ARRAY",
	"JsonObjectAgg":             "JSON_OBJECTAGG",
	"JsonArrayAgg":              "JSON_ARRAYAGG",
	"JsonParseExpr":             "JSON()",
	"JsonScalarExpr":            "JSON_SCALAR",
	"JsonSerializeExpr":         "JSON_SERIALIZE",
	"JsonIsPredicate":           "IS JSON",
	"MergeSupportFunc":          "MERGE_ACTION()",
}

func messageNames(msgs ...proto.Message) map[protoreflect.Name]bool {
	out := make(map[protoreflect.Name]bool, len(msgs))
	for _, m := range msgs {
		out[m.ProtoReflect().Descriptor().Name()] = true
	}
	return out
}
