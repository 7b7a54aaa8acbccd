package planner

import (
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// printSelect prints a SELECT statement exactly as pg_query's deparser
// (postgres_deparse.c, without pretty printing) prints it, without the
// protobuf round trip to C that pg_query.Deparse costs. It reports false for
// anything it does not print exactly as the deparser does: node types it
// does not know, and trees the deparser would reject, print with parts
// missing, or print while ignoring a field. The caller then uses the C
// deparser.
//
// The port follows the C functions one to one (deparseSelectStmt,
// deparseExpr, deparseFuncCall …), including their oddities, so that the
// text is byte for byte the same.
func printSelect(node *pg_query.Node) (sql string, ok bool) {
	sel := node.GetSelectStmt()
	if sel == nil {
		return "", false
	}
	p := printers.Get().(*printer)
	defer func() {
		if r := recover(); r != nil {
			if _, refused := r.(unprintable); !refused && rethrowPrintPanics {
				panic(r)
			}
			sql, ok = "", false
		}
		p.release()
	}()
	p.selectStmt(sel, false)
	return p.finish(), true
}

// rethrowPrintPanics makes printSelect re-panic on a runtime panic instead
// of falling back to the C deparser, so that tests see printer bugs.
var rethrowPrintPanics bool

// unprintable is the panic value that unwinds a print the printer refuses.
type unprintable struct{}

var printers = sync.Pool{New: func() any { return &printer{buf: make([]byte, 0, 2048)} }}

// printer writes the deparser's output directly into one buffer.
//
// The C deparser collects the text in "parts" (meant for pretty printing)
// and joins them at the end: each part loses one trailing blank, a blank is
// put between two parts unless the text so far ends with "(", and a part
// that starts with ")" or ";" gets no blank before it. The printer applies
// that as it goes: partStart is where the current part's text begins, and
// the blank that separates it from the previous part is decided when its
// first byte is written (sepAdded says one was written).
type printer struct {
	buf       []byte
	partStart int
	sepAdded  bool
	// groupFirst: the current part is the first one after a clause keyword,
	// which the deparser merges with the keyword in some cases; the merge
	// only differs from the plain join when the part starts with ")".
	groupFirst bool
	depth      int
}

func (p *printer) release() {
	if cap(p.buf) > 1<<16 {
		return
	}
	p.buf = p.buf[:0]
	p.partStart, p.sepAdded, p.groupFirst, p.depth = 0, false, false, 0
	printers.Put(p)
}

func (p *printer) fail() { panic(unprintable{}) }

// startPart is called before the first byte of a part's text is written.
func (p *printer) startPart(first byte) {
	if p.sepAdded {
		p.buf = p.buf[:len(p.buf)-1]
		p.sepAdded = false
	}
	if first == ')' || first == ';' {
		if p.groupFirst {
			p.fail()
		}
	} else if n := len(p.buf); n > 0 && p.buf[n-1] != '(' {
		p.buf = append(p.buf, ' ')
		p.sepAdded = true
	}
	p.partStart = len(p.buf)
}

// str writes s (a constant of the printer) into the current part.
func (p *printer) str(s string) {
	if len(s) == 0 {
		return
	}
	if len(p.buf) == p.partStart {
		p.startPart(s[0])
	}
	p.buf = append(p.buf, s...)
}

func (p *printer) char(c byte) {
	if len(p.buf) == p.partStart {
		p.startPart(c)
	}
	p.buf = append(p.buf, c)
}

// raw writes a string of the tree as is.
func (p *printer) raw(s string) {
	p.checkString(s)
	p.str(s)
}

// checkString refuses strings the C deparser cannot be given as they are:
// it gets them NUL-terminated, so one holding a NUL byte would print cut
// short, and pg_query.Deparse cannot marshal invalid UTF-8.
func (p *printer) checkString(s string) {
	var high byte
	for i := 0; i < len(s); i++ {
		if s[i] == 0 {
			p.fail()
		}
		high |= s[i]
	}
	if high >= utf8.RuneSelf && !utf8.ValidString(s) {
		p.fail()
	}
}

func (p *printer) number(v int32) {
	if len(p.buf) == p.partStart {
		p.startPart('0')
	}
	p.buf = strconv.AppendInt(p.buf, int64(v), 10)
}

// trimSpace is removeTrailingSpace: it drops one blank at the end of the
// current part.
func (p *printer) trimSpace() {
	if n := len(p.buf); n > p.partStart && p.buf[n-1] == ' ' {
		p.buf = p.buf[:n-1]
	}
}

// boundary ends the current part (deparseAppendPart, and entering or
// leaving a nesting level): the part loses one trailing blank. A part that
// would still end in a blank is refused: the deparser trims such parts once
// more when it merges the parts of a clause, depending on line lengths.
func (p *printer) boundary() {
	n := len(p.buf)
	if n > p.partStart {
		if p.buf[n-1] == ' ' {
			n--
			p.buf = p.buf[:n]
		}
		if n > p.partStart {
			if p.buf[n-1] == ' ' {
				p.fail()
			}
			p.partStart = n
			p.sepAdded = false
		}
	}
	p.groupFirst = false
}

// group is deparseAppendPartGroup: a clause keyword (FROM, WHERE …) in a
// part of its own; kw "" for a group without keyword.
func (p *printer) group(kw string) {
	p.trimSpace()
	p.boundary()
	if kw != "" {
		p.str(kw)
		p.boundary()
		p.groupFirst = true
	}
}

// commaPart is deparseAppendCommaAndPart.
func (p *printer) commaPart() {
	p.char(',')
	p.boundary()
}

func (p *printer) finish() string {
	n := len(p.buf)
	if n > p.partStart {
		if p.buf[n-1] == ' ' {
			n--
			p.buf = p.buf[:n]
		}
		if n > p.partStart && p.buf[n-1] == ' ' {
			p.fail()
		}
	} else if p.sepAdded {
		p.buf = p.buf[:n-1]
	}
	return string(p.buf)
}

// enter guards the recursion depth; the planner's limits keep trees far
// shallower.
func (p *printer) enter() {
	p.depth++
	if p.depth > 10000 {
		p.fail()
	}
}

func (p *printer) leave() { p.depth-- }

// nullNode reports whether n reaches the C deparser as a NULL pointer: no
// node, or an empty list (NIL).
func nullNode(n *pg_query.Node) bool {
	if n == nil || n.Node == nil {
		return true
	}
	l, ok := n.Node.(*pg_query.Node_List)
	return ok && len(l.List.GetItems()) == 0
}

// strVal is the deparser's strVal(): the node must be a String.
func (p *printer) strVal(n *pg_query.Node) string {
	s, ok := n.GetNode().(*pg_query.Node_String_)
	if !ok || s.String_ == nil {
		p.fail()
	}
	return s.String_.Sval
}

// enumValue maps a protobuf enum value the way pg_query's protobuf reader
// does: 0 (unset) becomes the first value (1). Other values outside 1..last
// are refused.
func (p *printer) enumValue(v, last int32) int32 {
	if v == 0 {
		return 1
	}
	if v < 0 || v > last {
		p.fail()
	}
	return v
}

// ident is quote_identifier: quoted unless it is a lower case identifier
// that is not a keyword (unreserved keywords need no quotes).
func (p *printer) ident(s string) {
	safe := len(s) > 0 && (s[0] >= 'a' && s[0] <= 'z' || s[0] == '_')
	quotes, high := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' {
			continue
		}
		safe = false
		switch {
		case c == 0:
			p.fail()
		case c == '"':
			quotes = true
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	if high && !utf8.ValidString(s) {
		p.fail()
	}
	if safe && keywordCategory(s) > kwUnreserved {
		safe = false
	}
	if safe {
		p.str(s)
		return
	}
	p.char('"')
	if quotes {
		for i := 0; i < len(s); i++ {
			if s[i] == '"' {
				p.buf = append(p.buf, '"')
			}
			p.buf = append(p.buf, s[i])
		}
	} else {
		p.buf = append(p.buf, s...)
	}
	p.buf = append(p.buf, '"')
}

// literal is deparseStringLiteral: a quoted string, with the E prefix when
// it holds a backslash; quotes and backslashes are doubled.
func (p *printer) literal(s string) {
	p.checkString(s)
	if strings.IndexByte(s, '\\') >= 0 {
		p.char('E')
		p.buf = append(p.buf, '\'')
	} else {
		p.char('\'')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' || c == '\\' {
			p.buf = append(p.buf, c)
		}
		p.buf = append(p.buf, c)
	}
	p.buf = append(p.buf, '\'')
}

// kwCategory is a keyword category of kwlist.h, in its order.
type kwCategory uint8

const (
	kwNone kwCategory = iota
	kwUnreserved
	kwColName
	kwTypeFuncName
	kwReserved
)

// nameList is "name_list": identifiers separated by ", ".
func (p *printer) nameList(l []*pg_query.Node) {
	for i, n := range l {
		if i > 0 {
			p.str(", ")
		}
		p.ident(p.strVal(n))
	}
}

// anyName is "any_name": identifiers joined by dots.
func (p *printer) anyName(l []*pg_query.Node) {
	if len(l) == 0 {
		p.fail()
	}
	for i, n := range l {
		if i > 0 {
			p.char('.')
		}
		p.ident(p.strVal(n))
	}
}

// selectStmt is deparseSelectStmt; setop is the SELECT_SETOP context (an
// arm of UNION, INTERSECT or EXCEPT).
func (p *printer) selectStmt(s *pg_query.SelectStmt, setop bool) {
	if s == nil {
		p.fail()
	}
	p.enter()
	op := p.enumValue(int32(s.Op), 4)
	needParens := setop && (len(s.SortClause) > 0 || s.LimitOffset != nil || s.LimitCount != nil ||
		len(s.LockingClause) > 0 || s.WithClause != nil || op != int32(pg_query.SetOperation_SETOP_NONE))
	if needParens {
		p.boundary()
		p.char('(')
	}
	nest := needParens || !setop
	if nest {
		p.boundary()
	}
	if s.WithClause != nil {
		p.withClause(s.WithClause)
		p.char(' ')
	}
	if s.IntoClause != nil {
		p.fail()
	}
	if op == int32(pg_query.SetOperation_SETOP_NONE) {
		if s.All || s.Larg != nil || s.Rarg != nil {
			p.fail()
		}
		if len(s.ValuesLists) > 0 {
			p.valuesLists(s)
		} else {
			p.simpleSelect(s)
		}
	} else {
		if len(s.ValuesLists) > 0 || len(s.TargetList) > 0 || len(s.DistinctClause) > 0 || len(s.FromClause) > 0 ||
			s.WhereClause != nil || len(s.GroupClause) > 0 || s.GroupDistinct || s.HavingClause != nil ||
			len(s.WindowClause) > 0 {
			p.fail()
		}
		p.selectStmt(s.Larg, true)
		switch {
		case op == int32(pg_query.SetOperation_SETOP_UNION) && s.All:
			p.group("UNION ALL")
		case op == int32(pg_query.SetOperation_SETOP_UNION):
			p.group("UNION")
		case op == int32(pg_query.SetOperation_SETOP_INTERSECT) && s.All:
			p.group("INTERSECT ALL")
		case op == int32(pg_query.SetOperation_SETOP_INTERSECT):
			p.group("INTERSECT")
		case s.All:
			p.group("EXCEPT ALL")
		default:
			p.group("EXCEPT")
		}
		p.boundary()
		p.selectStmt(s.Rarg, true)
		p.char(' ')
	}

	if len(s.SortClause) > 0 {
		p.group("ORDER BY")
		for i, n := range s.SortClause {
			if i > 0 {
				p.commaPart()
			}
			p.sortBy(n)
		}
		p.char(' ')
	}
	p.limit(s)
	if !nullNode(s.LimitOffset) {
		p.group("OFFSET")
		p.expr(s.LimitOffset, true)
		p.char(' ')
	} else if s.LimitOffset != nil {
		p.fail()
	}
	if len(s.LockingClause) > 0 {
		for i, n := range s.LockingClause {
			if i > 0 {
				p.char(' ')
			}
			p.lockingClause(n)
		}
		p.char(' ')
	}
	p.trimSpace()
	if nest {
		p.boundary()
	}
	if needParens {
		p.char(')')
	}
	p.leave()
}

func (p *printer) valuesLists(s *pg_query.SelectStmt) {
	if len(s.TargetList) > 0 || len(s.DistinctClause) > 0 || len(s.FromClause) > 0 || s.WhereClause != nil ||
		len(s.GroupClause) > 0 || s.GroupDistinct || s.HavingClause != nil || len(s.WindowClause) > 0 {
		p.fail()
	}
	p.group("VALUES")
	for i, n := range s.ValuesLists {
		l, ok := n.GetNode().(*pg_query.Node_List)
		if !ok || l.List == nil {
			p.fail()
		}
		if i > 0 {
			p.commaPart()
		}
		p.char('(')
		p.exprList(l.List.Items)
		p.char(')')
	}
	p.char(' ')
}

func (p *printer) simpleSelect(s *pg_query.SelectStmt) {
	p.group("SELECT")
	if len(s.TargetList) > 0 {
		if len(s.DistinctClause) > 0 {
			p.str("DISTINCT ")
			if !nullNode(s.DistinctClause[0]) {
				p.str("ON (")
				p.exprList(s.DistinctClause)
				p.str(") ")
			} else if len(s.DistinctClause) > 1 {
				p.fail()
			}
			p.boundary()
		}
		for i, n := range s.TargetList {
			if i > 0 {
				p.commaPart()
			}
			p.resTarget(n)
		}
		p.char(' ')
	} else if len(s.DistinctClause) > 0 {
		p.fail()
	}
	if len(s.FromClause) > 0 {
		p.group("FROM")
		for i, n := range s.FromClause {
			if i > 0 {
				p.commaPart()
			}
			p.tableRef(n)
		}
		p.char(' ')
	}
	if s.WhereClause != nil {
		p.group("WHERE")
		p.expr(s.WhereClause, true)
		p.char(' ')
	}
	if len(s.GroupClause) > 0 {
		p.group("GROUP BY")
		if s.GroupDistinct {
			p.str("DISTINCT ")
		}
		p.groupByList(s.GroupClause)
		p.char(' ')
	} else if s.GroupDistinct {
		p.fail()
	}
	if s.HavingClause != nil {
		p.group("HAVING")
		p.expr(s.HavingClause, true)
		p.char(' ')
	}
	if len(s.WindowClause) > 0 {
		p.group("WINDOW")
		for i, n := range s.WindowClause {
			w := n.GetWindowDef()
			if w == nil || w.Name == "" {
				p.fail()
			}
			if i > 0 {
				p.str(", ")
			}
			p.raw(w.Name)
			p.str(" AS ")
			p.windowDef(w)
		}
		p.char(' ')
	}
}

func (p *printer) resTarget(n *pg_query.Node) {
	r := n.GetResTarget()
	if r == nil || nullNode(r.Val) || len(r.Indirection) > 0 {
		p.fail()
	}
	p.expr(r.Val, true)
	if r.Name != "" {
		p.str(" AS ")
		p.ident(r.Name)
	}
}

// limit prints LIMIT, or FETCH FIRST … WITH TIES.
func (p *printer) limit(s *pg_query.SelectStmt) {
	opt := p.enumValue(int32(s.LimitOption), 3)
	if nullNode(s.LimitCount) {
		if s.LimitCount != nil || opt == int32(pg_query.LimitOption_LIMIT_OPTION_WITH_TIES) {
			p.fail()
		}
		return
	}
	ties := opt == int32(pg_query.LimitOption_LIMIT_OPTION_WITH_TIES)
	switch {
	case opt == int32(pg_query.LimitOption_LIMIT_OPTION_COUNT):
		p.group("LIMIT")
	case ties:
		p.str("FETCH FIRST ")
	default:
		p.fail()
	}
	if c := s.LimitCount.GetAConst(); c != nil && c.Isnull {
		if c.Val != nil {
			p.fail()
		}
		p.str("ALL")
	} else if ties {
		p.cexpr(s.LimitCount)
	} else {
		p.expr(s.LimitCount, false)
	}
	p.char(' ')
	if ties {
		p.str("ROWS WITH TIES ")
	}
}

func (p *printer) lockingClause(n *pg_query.Node) {
	l := n.GetLockingClause()
	if l == nil {
		p.fail()
	}
	switch p.enumValue(int32(l.Strength), 5) {
	case int32(pg_query.LockClauseStrength_LCS_FORKEYSHARE):
		p.group("FOR KEY SHARE")
	case int32(pg_query.LockClauseStrength_LCS_FORSHARE):
		p.group("FOR SHARE")
	case int32(pg_query.LockClauseStrength_LCS_FORNOKEYUPDATE):
		p.group("FOR NO KEY UPDATE")
	case int32(pg_query.LockClauseStrength_LCS_FORUPDATE):
		p.group("FOR UPDATE")
	default:
		p.fail()
	}
	if len(l.LockedRels) > 0 {
		p.str("OF ")
		for i, r := range l.LockedRels {
			if i > 0 {
				p.str(", ")
			}
			rv := r.GetRangeVar()
			if rv == nil {
				p.fail()
			}
			p.rangeVar(rv)
		}
		p.char(' ')
	}
	switch p.enumValue(int32(l.WaitPolicy), 3) {
	case int32(pg_query.LockWaitPolicy_LockWaitError):
		p.str("NOWAIT")
	case int32(pg_query.LockWaitPolicy_LockWaitSkip):
		p.str("SKIP LOCKED")
	}
	p.trimSpace()
}

func (p *printer) withClause(w *pg_query.WithClause) {
	p.group("WITH")
	if w.Recursive {
		p.str("RECURSIVE ")
	}
	if len(w.Ctes) == 0 {
		p.fail()
	}
	for i, n := range w.Ctes {
		if i > 0 {
			p.str(", ")
		}
		p.cte(n.GetCommonTableExpr())
	}
	p.trimSpace()
}

func (p *printer) cte(c *pg_query.CommonTableExpr) {
	if c == nil || c.Ctename == "" {
		p.fail()
	}
	p.ident(c.Ctename)
	if len(c.Aliascolnames) > 0 {
		p.char('(')
		p.nameList(c.Aliascolnames)
		p.char(')')
	}
	p.char(' ')
	p.str("AS ")
	switch p.enumValue(int32(c.Ctematerialized), 3) {
	case int32(pg_query.CTEMaterialize_CTEMaterializeAlways):
		p.str("MATERIALIZED ")
	case int32(pg_query.CTEMaterialize_CTEMaterializeNever):
		p.str("NOT MATERIALIZED ")
	}
	p.char('(')
	sel := c.Ctequery.GetSelectStmt()
	if sel == nil {
		p.fail() // INSERT, UPDATE, DELETE, MERGE
	}
	p.selectStmt(sel, false)
	p.char(')')
	if sc := c.SearchClause; sc != nil {
		if sc.SearchSeqColumn == "" {
			p.fail()
		}
		p.str(" SEARCH ")
		if sc.SearchBreadthFirst {
			p.str("BREADTH ")
		} else {
			p.str("DEPTH ")
		}
		p.str("FIRST BY ")
		p.nameList(sc.SearchColList)
		p.str(" SET ")
		p.ident(sc.SearchSeqColumn)
	}
	if cc := c.CycleClause; cc != nil {
		if cc.CycleMarkColumn == "" || cc.CyclePathColumn == "" {
			p.fail()
		}
		p.str(" CYCLE ")
		p.nameList(cc.CycleColList)
		p.str(" SET ")
		p.ident(cc.CycleMarkColumn)
		if cc.CycleMarkValue != nil {
			p.str(" TO ")
			p.aexprConst(cc.CycleMarkValue)
		}
		if cc.CycleMarkDefault != nil {
			p.str(" DEFAULT ")
			p.aexprConst(cc.CycleMarkDefault)
		}
		p.str(" USING ")
		p.ident(cc.CyclePathColumn)
	}
}

// aexprConst is "AexprConst": a constant, possibly with a cast.
func (p *printer) aexprConst(n *pg_query.Node) {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_AConst:
		p.aConst(x.AConst)
	case *pg_query.Node_TypeCast:
		p.typeCast(x.TypeCast, false)
	default:
		p.fail()
	}
}

func (p *printer) groupByList(l []*pg_query.Node) {
	for i, n := range l {
		if i > 0 {
			p.commaPart()
		}
		if g := n.GetGroupingSet(); g != nil {
			p.groupingSet(g)
		} else {
			p.expr(n, true)
		}
	}
}

func (p *printer) groupingSet(g *pg_query.GroupingSet) {
	switch p.enumValue(int32(g.Kind), 5) {
	case int32(pg_query.GroupingSetKind_GROUPING_SET_EMPTY):
		if len(g.Content) > 0 {
			p.fail()
		}
		p.str("()")
	case int32(pg_query.GroupingSetKind_GROUPING_SET_ROLLUP):
		p.str("ROLLUP (")
		p.exprList(g.Content)
		p.char(')')
	case int32(pg_query.GroupingSetKind_GROUPING_SET_CUBE):
		p.str("CUBE (")
		p.exprList(g.Content)
		p.char(')')
	case int32(pg_query.GroupingSetKind_GROUPING_SET_SETS):
		p.str("GROUPING SETS (")
		p.enter()
		p.groupByList(g.Content)
		p.leave()
		p.char(')')
	default:
		p.fail()
	}
}

// sortBy is deparseSortBy.
func (p *printer) sortBy(n *pg_query.Node) {
	s := n.GetSortBy()
	if s == nil {
		p.fail()
	}
	p.expr(s.Node, true)
	p.char(' ')
	dir := p.enumValue(int32(s.SortbyDir), 4)
	switch dir {
	case int32(pg_query.SortByDir_SORTBY_ASC):
		p.str("ASC ")
	case int32(pg_query.SortByDir_SORTBY_DESC):
		p.str("DESC ")
	case int32(pg_query.SortByDir_SORTBY_USING):
		p.str("USING ")
		p.qualOp(s.UseOp)
	}
	if len(s.UseOp) > 0 && dir != int32(pg_query.SortByDir_SORTBY_USING) {
		p.fail()
	}
	switch p.enumValue(int32(s.SortbyNulls), 3) {
	case int32(pg_query.SortByNulls_SORTBY_NULLS_FIRST):
		p.str("NULLS FIRST ")
	case int32(pg_query.SortByNulls_SORTBY_NULLS_LAST):
		p.str("NULLS LAST ")
	}
	p.trimSpace()
}

// optSortClause is deparseOptSortClause outside a SELECT's own ORDER BY
// (aggregates and window definitions).
func (p *printer) optSortClause(l []*pg_query.Node) {
	if len(l) == 0 {
		return
	}
	p.str("ORDER BY ")
	for i, n := range l {
		if i > 0 {
			p.str(", ")
		}
		p.sortBy(n)
	}
	p.char(' ')
}

// tableRef is deparseTableRef: one item of FROM.
func (p *printer) tableRef(n *pg_query.Node) {
	p.enter()
	switch x := n.GetNode().(type) {
	case *pg_query.Node_RangeVar:
		p.rangeVar(x.RangeVar)
	case *pg_query.Node_RangeFunction:
		p.rangeFunction(x.RangeFunction)
	case *pg_query.Node_RangeSubselect:
		p.rangeSubselect(x.RangeSubselect)
	case *pg_query.Node_JoinExpr:
		p.joinExpr(x.JoinExpr)
	default:
		p.fail() // TABLESAMPLE, XMLTABLE, JSON_TABLE
	}
	p.leave()
}

func (p *printer) rangeVar(r *pg_query.RangeVar) {
	if r == nil || r.Relname == "" {
		p.fail()
	}
	p.checkString(r.Relpersistence) // not printed, but marshalled
	if !r.Inh {
		p.str("ONLY ")
	}
	if r.Catalogname != "" {
		p.ident(r.Catalogname)
		p.char('.')
	}
	if r.Schemaname != "" {
		p.ident(r.Schemaname)
		p.char('.')
	}
	p.ident(r.Relname)
	p.char(' ')
	if r.Alias != nil {
		p.alias(r.Alias)
		p.char(' ')
	}
	p.trimSpace()
}

func (p *printer) alias(a *pg_query.Alias) {
	if a.Aliasname == "" {
		p.fail()
	}
	p.ident(a.Aliasname)
	if len(a.Colnames) > 0 {
		p.char('(')
		p.nameList(a.Colnames)
		p.char(')')
	}
}

func (p *printer) rangeSubselect(r *pg_query.RangeSubselect) {
	if r.Lateral {
		p.str("LATERAL ")
	}
	p.char('(')
	p.selectStmt(r.Subquery.GetSelectStmt(), false)
	p.char(')')
	if r.Alias != nil {
		p.char(' ')
		p.alias(r.Alias)
	}
}

func (p *printer) rangeFunction(r *pg_query.RangeFunction) {
	if r.Lateral {
		p.str("LATERAL ")
	}
	if len(r.Functions) == 0 {
		p.fail()
	}
	if r.IsRowsfrom {
		p.str("ROWS FROM ")
		p.char('(')
		for i, n := range r.Functions {
			fn, coldefs := p.rangeFunctionItem(n)
			if i > 0 {
				p.str(", ")
			}
			p.funcExprWindowless(fn)
			p.char(' ')
			if len(coldefs) > 0 {
				p.str("AS (")
				p.columnDefs(coldefs)
				p.char(')')
			}
		}
		p.char(')')
	} else {
		fn, coldefs := p.rangeFunctionItem(r.Functions[0])
		if len(r.Functions) > 1 || len(coldefs) > 0 {
			p.fail()
		}
		p.funcExprWindowless(fn)
	}
	p.char(' ')
	if r.Ordinality {
		p.str("WITH ORDINALITY ")
	}
	if r.Alias != nil {
		p.alias(r.Alias)
		p.char(' ')
	}
	if len(r.Coldeflist) > 0 {
		if r.Alias == nil {
			p.str("AS ")
		}
		p.char('(')
		p.columnDefs(r.Coldeflist)
		p.char(')')
	}
	p.trimSpace()
}

// rangeFunctionItem splits one element of RangeFunction.functions, the
// two-item list of a function call and its column definitions.
func (p *printer) rangeFunctionItem(n *pg_query.Node) (*pg_query.Node, []*pg_query.Node) {
	l := n.GetList()
	if l == nil || len(l.Items) != 2 {
		p.fail()
	}
	second := l.Items[1]
	if nullNode(second) {
		return l.Items[0], nil
	}
	defs := second.GetList()
	if defs == nil {
		p.fail()
	}
	return l.Items[0], defs.Items
}

// funcExprWindowless is "func_expr_windowless": a function in FROM.
func (p *printer) funcExprWindowless(n *pg_query.Node) {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_FuncCall:
		p.funcCall(x.FuncCall, false)
	case *pg_query.Node_SqlvalueFunction:
		p.sqlValueFunction(x.SqlvalueFunction)
	case *pg_query.Node_TypeCast:
		p.typeCast(x.TypeCast, true)
	case *pg_query.Node_CoalesceExpr:
		p.coalesceExpr(x.CoalesceExpr)
	case *pg_query.Node_MinMaxExpr:
		p.minMaxExpr(x.MinMaxExpr)
	default:
		p.fail()
	}
}

func (p *printer) columnDefs(l []*pg_query.Node) {
	for i, n := range l {
		if i > 0 {
			p.str(", ")
		}
		c := n.GetColumnDef()
		if c == nil || c.StorageName != "" || c.RawDefault != nil || c.CookedDefault != nil || c.Compression != "" ||
			c.IdentitySequence != nil || len(c.Fdwoptions) > 0 || len(c.Constraints) > 0 {
			p.fail()
		}
		p.checkString(c.Storage) // not printed, but marshalled
		p.checkString(c.Identity)
		p.checkString(c.Generated)
		if c.Colname != "" {
			p.ident(c.Colname)
			p.char(' ')
		}
		if c.TypeName != nil {
			p.typeName(c.TypeName)
			p.char(' ')
		}
		if c.CollClause != nil {
			p.collateClause(c.CollClause)
		}
		p.trimSpace()
	}
}

func (p *printer) joinExpr(j *pg_query.JoinExpr) {
	if nullNode(j.Larg) || nullNode(j.Rarg) {
		p.fail()
	}
	needAliasParens := j.Alias != nil
	r := j.Rarg.GetJoinExpr()
	needRargParens := r != nil && r.Alias == nil
	if needAliasParens {
		p.char('(')
	}
	p.tableRef(j.Larg)
	p.boundary()
	if j.IsNatural {
		p.str("NATURAL ")
	}
	switch p.enumValue(int32(j.Jointype), 9) {
	case int32(pg_query.JoinType_JOIN_INNER):
		if !j.IsNatural && j.Quals == nil && len(j.UsingClause) == 0 {
			p.str("CROSS ")
		}
	case int32(pg_query.JoinType_JOIN_LEFT):
		p.str("LEFT ")
	case int32(pg_query.JoinType_JOIN_FULL):
		p.str("FULL ")
	case int32(pg_query.JoinType_JOIN_RIGHT):
		p.str("RIGHT ")
	default:
		p.fail()
	}
	p.str("JOIN ")
	if needRargParens {
		p.char('(')
	}
	p.tableRef(j.Rarg)
	if needRargParens {
		p.char(')')
	}
	p.char(' ')
	if j.Quals != nil {
		p.str("ON ")
		p.expr(j.Quals, true)
		p.char(' ')
	}
	if len(j.UsingClause) > 0 {
		p.str("USING (")
		p.nameList(j.UsingClause)
		p.str(") ")
		if a := j.JoinUsingAlias; a != nil {
			if a.Aliasname == "" || len(a.Colnames) > 0 {
				p.fail()
			}
			p.str("AS ")
			p.raw(a.Aliasname)
		}
	} else if j.JoinUsingAlias != nil {
		p.fail()
	}
	if needAliasParens {
		p.str(") ")
		p.alias(j.Alias)
	}
	p.trimSpace()
}

// expr is deparseExpr ("a_expr"); aexpr is false where the deparser passes
// the NONE context, which only matters to AT TIME ZONE.
func (p *printer) expr(n *pg_query.Node, aexpr bool) {
	p.enter()
	switch x := n.GetNode().(type) {
	case *pg_query.Node_ColumnRef, *pg_query.Node_AConst, *pg_query.Node_ParamRef, *pg_query.Node_AIndirection,
		*pg_query.Node_CaseExpr, *pg_query.Node_SubLink, *pg_query.Node_AArrayExpr, *pg_query.Node_RowExpr,
		*pg_query.Node_GroupingFunc:
		p.cexpr(n)
	case *pg_query.Node_TypeCast:
		p.typeCast(x.TypeCast, false)
	case *pg_query.Node_CollateClause:
		p.collateClause(x.CollateClause)
	case *pg_query.Node_AExpr:
		p.aExpr(x.AExpr, true)
	case *pg_query.Node_BoolExpr:
		p.boolExpr(x.BoolExpr)
	case *pg_query.Node_NullTest:
		p.nullTest(x.NullTest)
	case *pg_query.Node_BooleanTest:
		p.booleanTest(x.BooleanTest)
	case *pg_query.Node_SetToDefault:
		p.str("DEFAULT")
	case *pg_query.Node_FuncCall:
		p.funcCall(x.FuncCall, aexpr)
	case *pg_query.Node_SqlvalueFunction:
		p.sqlValueFunction(x.SqlvalueFunction)
	case *pg_query.Node_MinMaxExpr:
		p.minMaxExpr(x.MinMaxExpr)
	case *pg_query.Node_CoalesceExpr:
		p.coalesceExpr(x.CoalesceExpr)
	default:
		// NULL prints nothing in C; JSON and XML nodes are not ported.
		p.fail()
	}
	p.leave()
}

// cexpr is deparseCExpr ("c_expr"): other expressions in parentheses.
func (p *printer) cexpr(n *pg_query.Node) {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_ColumnRef:
		p.columnRef(x.ColumnRef)
	case *pg_query.Node_AConst:
		p.aConst(x.AConst)
	case *pg_query.Node_ParamRef:
		p.paramRef(x.ParamRef)
	case *pg_query.Node_AIndirection:
		p.aIndirection(x.AIndirection)
	case *pg_query.Node_CaseExpr:
		p.caseExpr(x.CaseExpr)
	case *pg_query.Node_SubLink:
		p.subLink(x.SubLink)
	case *pg_query.Node_AArrayExpr:
		p.str("ARRAY[")
		p.exprList(x.AArrayExpr.Elements)
		p.char(']')
	case *pg_query.Node_RowExpr:
		p.rowExpr(x.RowExpr)
	case *pg_query.Node_GroupingFunc:
		p.str("GROUPING(")
		p.exprList(x.GroupingFunc.Args)
		p.char(')')
	case *pg_query.Node_FuncCall:
		p.funcCall(x.FuncCall, false)
	case *pg_query.Node_SqlvalueFunction:
		p.sqlValueFunction(x.SqlvalueFunction)
	case *pg_query.Node_MinMaxExpr:
		p.minMaxExpr(x.MinMaxExpr)
	case *pg_query.Node_CoalesceExpr:
		p.coalesceExpr(x.CoalesceExpr)
	case nil:
		p.fail()
	default:
		p.char('(')
		p.expr(n, true)
		p.char(')')
	}
}

// bexpr is deparseBExpr ("b_expr").
func (p *printer) bexpr(n *pg_query.Node) {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_AExpr:
		switch p.enumValue(int32(x.AExpr.Kind), 14) {
		case int32(pg_query.A_Expr_Kind_AEXPR_OP), int32(pg_query.A_Expr_Kind_AEXPR_DISTINCT),
			int32(pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT):
			p.enter()
			p.aExpr(x.AExpr, false)
			p.leave()
			return
		}
	case *pg_query.Node_BoolExpr:
		if p.enumValue(int32(x.BoolExpr.Boolop), 3) == int32(pg_query.BoolExprType_NOT_EXPR) {
			p.enter()
			p.boolExpr(x.BoolExpr)
			p.leave()
			return
		}
	}
	p.cexpr(n)
}

// exprList is "expr_list".
func (p *printer) exprList(l []*pg_query.Node) {
	for i, n := range l {
		if i > 0 {
			p.str(", ")
		}
		p.expr(n, true)
	}
}

func (p *printer) columnRef(c *pg_query.ColumnRef) {
	if len(c.Fields) == 0 {
		p.fail()
	}
	switch x := c.Fields[0].GetNode().(type) {
	case *pg_query.Node_AStar:
		p.char('*')
	case *pg_query.Node_String_:
		p.ident(x.String_.GetSval())
	default:
		p.fail()
	}
	p.indirection(c.Fields[1:])
}

// indirection is "opt_indirection": .field, .* and [subscripts].
func (p *printer) indirection(l []*pg_query.Node) {
	for _, n := range l {
		switch x := n.GetNode().(type) {
		case *pg_query.Node_String_:
			p.char('.')
			p.ident(x.String_.GetSval())
		case *pg_query.Node_AStar:
			p.str(".*")
		case *pg_query.Node_AIndices:
			ind := x.AIndices
			p.char('[')
			if ind.Lidx != nil {
				p.expr(ind.Lidx, true)
			}
			if ind.IsSlice {
				p.char(':')
			}
			if ind.Uidx != nil {
				p.expr(ind.Uidx, true)
			}
			p.char(']')
		default:
			p.fail()
		}
	}
}

// aIndirection prints arg with its indirection; the deparser puts arg in
// parentheses only for some node types (an A_Indirection without path
// around an argument makes the parentheses appear).
func (p *printer) aIndirection(a *pg_query.A_Indirection) {
	if nullNode(a.Arg) {
		p.fail()
	}
	var parens bool
	switch a.Arg.Node.(type) {
	case *pg_query.Node_AIndirection, *pg_query.Node_FuncCall, *pg_query.Node_AExpr, *pg_query.Node_TypeCast,
		*pg_query.Node_RowExpr, *pg_query.Node_AArrayExpr:
		parens = true
	case *pg_query.Node_ColumnRef:
		if len(a.Indirection) == 0 {
			p.fail() // linitial() of an empty list: the deparser refuses it
		}
		parens = a.Indirection[0].GetAIndices() == nil
	case *pg_query.Node_JsonFuncExpr:
		p.fail()
	}
	if parens {
		p.char('(')
	}
	p.expr(a.Arg, parens)
	if parens {
		p.char(')')
	}
	p.indirection(a.Indirection)
}

func (p *printer) aConst(c *pg_query.A_Const) {
	if c == nil {
		p.fail()
	}
	if c.Isnull {
		if c.Val != nil {
			p.fail()
		}
		p.str("NULL")
		return
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		if v.Ival == nil {
			p.fail()
		}
		p.number(v.Ival.Ival)
	case *pg_query.A_Const_Fval:
		if v.Fval == nil || v.Fval.Fval == "" {
			p.fail()
		}
		p.raw(v.Fval.Fval)
	case *pg_query.A_Const_Boolval:
		if v.Boolval == nil {
			p.fail()
		}
		p.boolean(v.Boolval.Boolval)
	case *pg_query.A_Const_Sval:
		if v.Sval == nil {
			p.fail()
		}
		p.literal(v.Sval.Sval)
	case *pg_query.A_Const_Bsval:
		if v.Bsval == nil {
			p.fail()
		}
		p.bitString(v.Bsval.Bsval)
	default:
		p.fail()
	}
}

func (p *printer) boolean(b bool) {
	if b {
		p.str("true")
	} else {
		p.str("false")
	}
}

// bitString prints b'…' or x'…' (the value keeps the letter in front).
func (p *printer) bitString(s string) {
	if len(s) == 0 || s[0] != 'b' && s[0] != 'x' {
		p.fail()
	}
	p.char(s[0])
	p.literal(s[1:])
}

// value is deparseValue outside the constant context, where a string
// prints as is (NORMALIZE's form argument).
func (p *printer) value(c *pg_query.A_Const) {
	if c.Isnull {
		p.fail()
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Sval:
		if v.Sval == nil {
			p.fail()
		}
		p.raw(v.Sval.Sval)
	default:
		p.aConst(c)
	}
}

func (p *printer) paramRef(r *pg_query.ParamRef) {
	if r.Number == 0 {
		p.char('?')
		return
	}
	p.char('$')
	p.buf = strconv.AppendInt(p.buf, int64(r.Number), 10)
}

func (p *printer) caseExpr(c *pg_query.CaseExpr) {
	p.str("CASE ")
	if c.Arg != nil {
		p.expr(c.Arg, true)
		p.char(' ')
	}
	p.boundary()
	for _, n := range c.Args {
		w := n.GetCaseWhen()
		if w == nil {
			p.fail()
		}
		p.group("WHEN")
		p.expr(w.Expr, true)
		p.str(" THEN ")
		p.expr(w.Result, true)
	}
	if c.Defresult != nil {
		p.group("ELSE")
		p.expr(c.Defresult, true)
	}
	p.char(' ')
	p.boundary()
	p.str("END")
}

func (p *printer) subLink(s *pg_query.SubLink) {
	sel := s.Subselect.GetSelectStmt()
	if sel == nil {
		p.fail()
	}
	switch p.enumValue(int32(s.SubLinkType), 8) {
	case int32(pg_query.SubLinkType_EXISTS_SUBLINK):
		if s.Testexpr != nil || len(s.OperName) > 0 {
			p.fail()
		}
		p.str("EXISTS (")
	case int32(pg_query.SubLinkType_ALL_SUBLINK):
		p.expr(s.Testexpr, true)
		p.char(' ')
		p.subqueryOp(s.OperName)
		p.str(" ALL (")
	case int32(pg_query.SubLinkType_ANY_SUBLINK):
		p.expr(s.Testexpr, true)
		if len(s.OperName) > 0 {
			p.char(' ')
			p.subqueryOp(s.OperName)
			p.str(" ANY ")
		} else {
			p.str(" IN ")
		}
		p.char('(')
	case int32(pg_query.SubLinkType_EXPR_SUBLINK):
		if s.Testexpr != nil || len(s.OperName) > 0 {
			p.fail()
		}
		p.char('(')
	case int32(pg_query.SubLinkType_ARRAY_SUBLINK):
		if s.Testexpr != nil || len(s.OperName) > 0 {
			p.fail()
		}
		p.str("ARRAY(")
	default:
		p.fail() // not in raw parse trees
	}
	p.selectStmt(sel, false)
	p.char(')')
}

// needsParensAsBExpr: these nodes need parentheses where the grammar wants
// a b_expr.
func needsParensAsBExpr(n *pg_query.Node) bool {
	switch n.GetNode().(type) {
	case *pg_query.Node_BoolExpr, *pg_query.Node_BooleanTest, *pg_query.Node_NullTest, *pg_query.Node_AExpr:
		return true
	}
	return false
}

// aExpr is deparseAExpr; aexpr is the context it passes on to its operands.
func (p *printer) aExpr(a *pg_query.A_Expr, aexpr bool) {
	if nullNode(a.Rexpr) {
		p.fail()
	}
	needL := needsParensAsBExpr(a.Lexpr)
	needR := needsParensAsBExpr(a.Rexpr)
	kind := p.enumValue(int32(a.Kind), 14)
	switch kind {
	case int32(pg_query.A_Expr_Kind_AEXPR_OP):
		if !nullNode(a.Lexpr) {
			p.operand(a.Lexpr, needL, aexpr)
			p.char(' ')
		} else if a.Lexpr != nil {
			p.fail()
		}
		p.qualOp(a.Name)
		p.char(' ')
		p.operand(a.Rexpr, needR, aexpr)
	case int32(pg_query.A_Expr_Kind_AEXPR_OP_ANY), int32(pg_query.A_Expr_Kind_AEXPR_OP_ALL):
		p.expr(a.Lexpr, aexpr)
		p.char(' ')
		p.subqueryOp(a.Name)
		if kind == int32(pg_query.A_Expr_Kind_AEXPR_OP_ANY) {
			p.str(" ANY(")
		} else {
			p.str(" ALL(")
		}
		p.expr(a.Rexpr, aexpr)
		p.char(')')
	case int32(pg_query.A_Expr_Kind_AEXPR_DISTINCT):
		p.requireName(a.Name, "=")
		p.operand(a.Lexpr, needL, aexpr)
		p.str(" IS DISTINCT FROM ")
		p.operand(a.Rexpr, needR, aexpr)
	case int32(pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT):
		p.requireName(a.Name, "=")
		p.expr(a.Lexpr, aexpr)
		p.str(" IS NOT DISTINCT FROM ")
		p.expr(a.Rexpr, aexpr)
	case int32(pg_query.A_Expr_Kind_AEXPR_NULLIF):
		p.requireName(a.Name, "=")
		p.str("NULLIF(")
		p.expr(a.Lexpr, aexpr)
		p.str(", ")
		p.expr(a.Rexpr, aexpr)
		p.char(')')
	case int32(pg_query.A_Expr_Kind_AEXPR_IN):
		p.expr(a.Lexpr, aexpr)
		p.char(' ')
		switch p.oneName(a.Name) {
		case "=":
			p.str("IN ")
		case "<>":
			p.str("NOT IN ")
		default:
			p.fail()
		}
		p.char('(')
		switch x := a.Rexpr.Node.(type) {
		case *pg_query.Node_SubLink:
			p.subLink(x.SubLink)
		case *pg_query.Node_List:
			p.exprList(x.List.GetItems())
		default:
			p.fail()
		}
		p.char(')')
	case int32(pg_query.A_Expr_Kind_AEXPR_LIKE), int32(pg_query.A_Expr_Kind_AEXPR_ILIKE):
		p.expr(a.Lexpr, aexpr)
		p.char(' ')
		switch name := p.oneName(a.Name); {
		case kind == int32(pg_query.A_Expr_Kind_AEXPR_LIKE) && name == "~~":
			p.str("LIKE ")
		case kind == int32(pg_query.A_Expr_Kind_AEXPR_LIKE) && name == "!~~":
			p.str("NOT LIKE ")
		case kind == int32(pg_query.A_Expr_Kind_AEXPR_ILIKE) && name == "~~*":
			p.str("ILIKE ")
		case kind == int32(pg_query.A_Expr_Kind_AEXPR_ILIKE) && name == "!~~*":
			p.str("NOT ILIKE ")
		default:
			p.fail()
		}
		p.expr(a.Rexpr, aexpr)
	case int32(pg_query.A_Expr_Kind_AEXPR_SIMILAR):
		p.expr(a.Lexpr, aexpr)
		p.char(' ')
		switch p.oneName(a.Name) {
		case "~":
			p.str("SIMILAR TO ")
		case "!~":
			p.str("NOT SIMILAR TO ")
		default:
			p.fail()
		}
		f := a.Rexpr.GetFuncCall()
		if f == nil || len(f.Args) < 1 || len(f.Args) > 2 || !p.isCatalogFunc(f, "similar_to_escape") || hasCallExtras(f) {
			p.fail()
		}
		p.expr(f.Args[0], aexpr)
		if len(f.Args) == 2 {
			p.str(" ESCAPE ")
			p.expr(f.Args[1], aexpr)
		}
	default: // the BETWEEN kinds: the name is the SQL
		l := a.Rexpr.GetList()
		if l == nil {
			p.fail()
		}
		p.expr(a.Lexpr, aexpr)
		p.char(' ')
		p.raw(p.oneName(a.Name))
		p.char(' ')
		for i, n := range l.Items {
			if i > 0 {
				p.str(" AND ")
			}
			p.expr(n, aexpr)
		}
	}
}

// operand prints an operator's operand, in parentheses when parens.
func (p *printer) operand(n *pg_query.Node, parens, aexpr bool) {
	if parens {
		p.char('(')
	}
	p.expr(n, aexpr)
	if parens {
		p.char(')')
	}
}

// oneName is the operator of an A_Expr kind that has exactly one.
func (p *printer) oneName(l []*pg_query.Node) string {
	if len(l) != 1 {
		p.fail()
	}
	return p.strVal(l[0])
}

func (p *printer) requireName(l []*pg_query.Node, name string) {
	if p.oneName(l) != name {
		p.fail()
	}
}

// isOp reports whether s consists of operator characters only. An empty
// name is refused: the deparser would print nothing for it.
func (p *printer) isOp(s string) bool {
	if s == "" {
		p.fail()
	}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '~', '!', '@', '#', '^', '&', '|', '`', '?', '+', '-', '*', '/', '%', '<', '>', '=':
		default:
			return false
		}
	}
	return true
}

// qualOp is "qual_Op": an operator, OPERATOR(schema.op) when qualified.
func (p *printer) qualOp(l []*pg_query.Node) {
	if len(l) == 1 {
		if s := p.strVal(l[0]); p.isOp(s) {
			p.raw(s)
			return
		}
	}
	p.operatorSyntax(l)
}

// subqueryOp is "subquery_Op": qual_Op, or LIKE and ILIKE by name.
func (p *printer) subqueryOp(l []*pg_query.Node) {
	if len(l) == 1 {
		switch s := p.strVal(l[0]); s {
		case "~~":
			p.str("LIKE")
			return
		case "!~~":
			p.str("NOT LIKE")
			return
		case "~~*":
			p.str("ILIKE")
			return
		case "!~~*":
			p.str("NOT ILIKE")
			return
		default:
			if p.isOp(s) {
				p.raw(s)
				return
			}
		}
	}
	p.operatorSyntax(l)
}

// operatorSyntax is OPERATOR(any_operator).
func (p *printer) operatorSyntax(l []*pg_query.Node) {
	p.str("OPERATOR(")
	switch len(l) {
	case 1:
		p.raw(p.strVal(l[0]))
	case 2:
		p.ident(p.strVal(l[0]))
		p.char('.')
		p.raw(p.strVal(l[1]))
	default:
		p.fail()
	}
	p.char(')')
}

// isAndOr reports whether n is an AND or OR, which the deparser puts in
// parentheses inside another boolean expression.
func (p *printer) isAndOr(n *pg_query.Node) bool {
	b := n.GetBoolExpr()
	return b != nil && p.enumValue(int32(b.Boolop), 3) != int32(pg_query.BoolExprType_NOT_EXPR)
}

func (p *printer) boolExpr(b *pg_query.BoolExpr) {
	op := p.enumValue(int32(b.Boolop), 3)
	if op == int32(pg_query.BoolExprType_NOT_EXPR) {
		if len(b.Args) != 1 {
			p.fail()
		}
		p.str("NOT ")
		p.operand(b.Args[0], p.isAndOr(b.Args[0]), true)
		return
	}
	if len(b.Args) == 0 {
		p.fail()
	}
	for i, n := range b.Args {
		if i > 0 {
			if op == int32(pg_query.BoolExprType_AND_EXPR) {
				p.boundary()
				p.str("AND ")
			} else {
				p.str(" OR ")
			}
		}
		p.operand(n, p.isAndOr(n), true)
	}
}

func (p *printer) collateClause(c *pg_query.CollateClause) {
	if c.Arg != nil {
		parens := c.Arg.GetAExpr() != nil
		p.operand(c.Arg, parens, true)
		p.char(' ')
	}
	p.str("COLLATE ")
	p.anyName(c.Collname)
}

func (p *printer) nullTest(n *pg_query.NullTest) {
	if n.Argisrow {
		p.fail()
	}
	p.expr(n.Arg, true)
	if p.enumValue(int32(n.Nulltesttype), 2) == int32(pg_query.NullTestType_IS_NULL) {
		p.str(" IS NULL")
	} else {
		p.str(" IS NOT NULL")
	}
}

var booleanTests = [...]string{"", " IS TRUE", " IS NOT TRUE", " IS FALSE", " IS NOT FALSE", " IS UNKNOWN", " IS NOT UNKNOWN"}

func (p *printer) booleanTest(b *pg_query.BooleanTest) {
	if nullNode(b.Arg) {
		p.fail()
	}
	p.operand(b.Arg, b.Arg.GetBoolExpr() != nil, true)
	p.str(booleanTests[p.enumValue(int32(b.Booltesttype), 6)])
}

var sqlValueFunctions = [...]string{"", "current_date", "current_time", "current_time", "current_timestamp",
	"current_timestamp", "localtime", "localtime", "localtimestamp", "localtimestamp", "current_role",
	"current_user", "user", "session_user", "current_catalog", "current_schema"}

func (p *printer) sqlValueFunction(s *pg_query.SQLValueFunction) {
	p.str(sqlValueFunctions[p.enumValue(int32(s.Op), 15)])
	if s.Typmod != -1 {
		p.char('(')
		p.number(s.Typmod)
		p.char(')')
	}
}

func (p *printer) coalesceExpr(c *pg_query.CoalesceExpr) {
	p.str("COALESCE(")
	p.exprList(c.Args)
	p.char(')')
}

func (p *printer) minMaxExpr(m *pg_query.MinMaxExpr) {
	if p.enumValue(int32(m.Op), 2) == int32(pg_query.MinMaxOp_IS_GREATEST) {
		p.str("GREATEST(")
	} else {
		p.str("LEAST(")
	}
	p.exprList(m.Args)
	p.char(')')
}

func (p *printer) rowExpr(r *pg_query.RowExpr) {
	if len(r.Colnames) > 0 {
		p.fail()
	}
	switch p.enumValue(int32(r.RowFormat), 4) {
	case int32(pg_query.CoercionForm_COERCE_EXPLICIT_CALL):
		p.str("ROW")
	case int32(pg_query.CoercionForm_COERCE_IMPLICIT_CAST):
	default:
		p.fail()
	}
	p.char('(')
	p.exprList(r.Args)
	p.char(')')
}

// typeCast is deparseTypeCast; funcExpr is the FUNC_EXPR context (a cast
// in FROM), which prints CAST(… AS …).
func (p *printer) typeCast(t *pg_query.TypeCast, funcExpr bool) {
	if nullNode(t.Arg) || t.TypeName == nil {
		p.fail()
	}
	tn := t.TypeName
	if funcExpr {
		p.str("CAST(")
		p.expr(t.Arg, true)
		p.str(" AS ")
		p.typeName(tn)
		p.char(')')
		return
	}
	parens := needsParensAsBExpr(t.Arg)
	if c := t.Arg.GetAConst(); c != nil {
		if len(tn.Names) == 2 && p.strVal(tn.Names[0]) == "pg_catalog" {
			name := p.strVal(tn.Names[1])
			_, isString := c.Val.(*pg_query.A_Const_Sval)
			isString = isString && !c.Isnull
			switch {
			case name == "bpchar" && len(tn.Typmods) == 0:
				p.plainTypeName(tn)
				p.str("char ")
				p.aConst(c)
				return
			case name == "bool" && isString:
				switch c.GetSval().GetSval() {
				case "t":
					p.plainTypeName(tn)
					p.str("true")
					return
				case "f":
					p.plainTypeName(tn)
					p.str("false")
					return
				}
			}
		}
		if !c.Isnull {
			switch v := c.Val.(type) {
			case *pg_query.A_Const_Fval:
				parens = true
			case *pg_query.A_Const_Ival:
				if v.Ival.GetIval() < 0 {
					parens = true
				}
			}
		}
		if len(tn.Names) == 1 && p.strVal(tn.Names[0]) == "point" && c.Location > tn.Location {
			p.plainTypeName(tn)
			p.str(" point ")
			p.aConst(c)
			return
		}
	}
	p.operand(t.Arg, parens, false)
	p.str("::")
	p.typeName(tn)
}

// plainTypeName refuses a type name whose modifiers a special form of
// deparseTypeCast would drop.
func (p *printer) plainTypeName(t *pg_query.TypeName) {
	if t.Setof || t.PctType || len(t.Typmods) > 0 || len(t.ArrayBounds) > 0 {
		p.fail()
	}
}

// typeName is deparseTypeName: pg_catalog types by their SQL names.
func (p *printer) typeName(t *pg_query.TypeName) {
	if t.Setof {
		p.str("SETOF ")
	}
	skipTypmods := false
	if len(t.Names) == 2 && p.strVal(t.Names[0]) == "pg_catalog" {
		switch name := p.strVal(t.Names[1]); name {
		case "bpchar":
			p.str("char")
		case "varchar":
			p.str("varchar")
		case "numeric":
			p.str("numeric")
		case "bool":
			p.str("boolean")
		case "int2":
			p.str("smallint")
		case "int4":
			p.str("int")
		case "int8":
			p.str("bigint")
		case "real", "float4":
			p.str("real")
		case "float8":
			p.str("double precision")
		case "time":
			p.str("time")
		case "timestamp":
			p.str("timestamp")
		case "timetz", "timestamptz":
			if name == "timetz" {
				p.str("time ")
			} else {
				p.str("timestamp ")
			}
			if len(t.Typmods) > 0 {
				p.char('(')
				for i, m := range t.Typmods {
					if i > 0 {
						p.str(", ")
					}
					p.number(p.intTypmod(m))
				}
				p.str(") ")
			}
			p.str("with time zone")
			skipTypmods = true
		case "interval":
			p.str("interval")
			if len(t.Typmods) > 0 {
				p.intervalTypmods(t.Typmods)
				skipTypmods = true
			}
		default:
			p.str("pg_catalog.")
			p.raw(name)
		}
	} else {
		p.anyName(t.Names)
	}
	if len(t.Typmods) > 0 && !skipTypmods {
		p.char('(')
		for i, m := range t.Typmods {
			if i > 0 {
				p.str(", ")
			}
			switch x := m.GetNode().(type) {
			case *pg_query.Node_AConst:
				p.aConst(x.AConst)
			case *pg_query.Node_ParamRef:
				p.paramRef(x.ParamRef)
			case *pg_query.Node_ColumnRef:
				p.columnRef(x.ColumnRef)
			default:
				p.fail()
			}
		}
		p.char(')')
	}
	for _, b := range t.ArrayBounds {
		i, ok := b.GetNode().(*pg_query.Node_Integer)
		if !ok || i.Integer == nil {
			p.fail()
		}
		p.char('[')
		if i.Integer.Ival != -1 {
			p.number(i.Integer.Ival)
		}
		p.char(']')
	}
	if t.PctType {
		p.str("%type")
	}
}

// intTypmod is a type modifier the deparser reads as an integer constant.
func (p *printer) intTypmod(n *pg_query.Node) int32 {
	c := n.GetAConst()
	if c == nil || c.Isnull {
		p.fail()
	}
	v, ok := c.Val.(*pg_query.A_Const_Ival)
	if !ok || v.Ival == nil {
		p.fail()
	}
	return v.Ival.Ival
}

// Interval field masks (1 << YEAR …) of utils/datetime.h.
const (
	ivMonth  = 1 << 1
	ivYear   = 1 << 2
	ivDay    = 1 << 3
	ivHour   = 1 << 10
	ivMinute = 1 << 11
	ivSecond = 1 << 12
)

var intervalFields = map[int32]string{
	ivYear: " year", ivMonth: " month", ivDay: " day", ivHour: " hour", ivMinute: " minute", ivSecond: " second",
	ivYear | ivMonth:                     " year to month",
	ivDay | ivHour:                       " day to hour",
	ivDay | ivHour | ivMinute:            " day to minute",
	ivDay | ivHour | ivMinute | ivSecond: " day to second",
	ivHour | ivMinute:                    " hour to minute",
	ivHour | ivMinute | ivSecond:         " hour to second",
	ivMinute | ivSecond:                  " minute to second",
	0x7FFF /* INTERVAL_FULL_RANGE */ :    "",
}

func (p *printer) intervalTypmods(l []*pg_query.Node) {
	if len(l) > 2 {
		p.fail()
	}
	fields, ok := intervalFields[p.intTypmod(l[0])]
	if !ok {
		p.fail()
	}
	p.str(fields)
	if len(l) == 2 {
		if precision := p.intTypmod(l[1]); precision != 0xFFFF { // INTERVAL_FULL_PRECISION
			p.char('(')
			p.number(precision)
			p.char(')')
		}
	}
}

// hasCallExtras reports whether f has any of the parts the SQL-syntax
// forms of deparseFuncCall ignore.
func hasCallExtras(f *pg_query.FuncCall) bool {
	return len(f.AggOrder) > 0 || f.AggFilter != nil || f.Over != nil || f.AggWithinGroup || f.AggStar ||
		f.AggDistinct || f.FuncVariadic
}

// isCatalogFunc reports whether f is pg_catalog.name.
func (p *printer) isCatalogFunc(f *pg_query.FuncCall, name string) bool {
	return len(f.Funcname) == 2 && p.strVal(f.Funcname[0]) == "pg_catalog" && p.strVal(f.Funcname[1]) == name
}

// funcCall is deparseFuncCall; aexpr is the a_expr context, which AT TIME
// ZONE needs to go without parentheses.
func (p *printer) funcCall(f *pg_query.FuncCall, aexpr bool) {
	if len(f.Funcname) == 0 {
		p.fail()
	}
	if len(f.Funcname) == 2 && p.strVal(f.Funcname[0]) == "pg_catalog" &&
		p.sqlSyntaxCall(p.strVal(f.Funcname[1]), f, aexpr) {
		return
	}
	for i, n := range f.Funcname {
		if i > 0 {
			p.char('.')
		}
		p.ident(p.strVal(n))
	}
	p.char('(')
	if f.AggDistinct {
		p.str("DISTINCT ")
	}
	if f.AggStar {
		if len(f.Args) > 0 {
			p.fail()
		}
		p.char('*')
	} else {
		if f.FuncVariadic && len(f.Args) == 0 {
			p.fail()
		}
		for i, n := range f.Args {
			if i > 0 {
				p.str(", ")
			}
			if f.FuncVariadic && i == len(f.Args)-1 {
				p.str("VARIADIC ")
			}
			if na := n.GetNamedArgExpr(); na != nil {
				if na.Name == "" {
					p.fail()
				}
				p.raw(na.Name)
				p.str(" := ")
				p.expr(na.Arg, true)
			} else {
				p.expr(n, true)
			}
		}
	}
	p.char(' ')
	if len(f.AggOrder) > 0 && !f.AggWithinGroup {
		p.optSortClause(f.AggOrder)
	}
	p.trimSpace()
	p.str(") ")
	if f.AggWithinGroup {
		if len(f.AggOrder) == 0 {
			p.fail()
		}
		p.str("WITHIN GROUP (")
		p.optSortClause(f.AggOrder)
		p.trimSpace()
		p.str(") ")
	}
	if f.AggFilter != nil {
		p.str("FILTER (WHERE ")
		p.expr(f.AggFilter, true)
		p.str(") ")
	}
	if w := f.Over; w != nil {
		p.str("OVER ")
		if w.Name != "" {
			if w.Refname != "" || len(w.PartitionClause) > 0 || len(w.OrderClause) > 0 || w.FrameOptions&frameNonDefault != 0 ||
				w.StartOffset != nil || w.EndOffset != nil {
				p.fail()
			}
			p.raw(w.Name)
		} else {
			p.windowDef(w)
		}
	}
	p.trimSpace()
}

// sqlSyntaxCall prints the calls of pg_catalog functions that the deparser
// prints in their SQL syntax (SUBSTRING(x FROM y), x AT TIME ZONE z …);
// false when f is an ordinary call.
func (p *printer) sqlSyntaxCall(name string, f *pg_query.FuncCall, aexpr bool) bool {
	args := f.Args
	if name == "overlay" && len(args) == 4 {
		p.noCallExtras(f)
		p.str("OVERLAY(")
		p.expr(args[0], true)
		p.str(" PLACING ")
		p.expr(args[1], true)
		p.str(" FROM ")
		p.expr(args[2], true)
		p.str(" FOR ")
		p.expr(args[3], true)
		p.char(')')
		return true
	}
	if p.enumValue(int32(f.Funcformat), 4) != int32(pg_query.CoercionForm_COERCE_SQL_SYNTAX) {
		return false
	}
	switch {
	case name == "substring":
		if len(args) != 2 && len(args) != 3 {
			p.fail()
		}
		p.noCallExtras(f)
		p.str("SUBSTRING(")
		p.expr(args[0], true)
		p.str(" FROM ")
		p.expr(args[1], true)
		if len(args) == 3 {
			p.str(" FOR ")
			p.expr(args[2], true)
		}
		p.char(')')
	case name == "position" && len(args) == 2:
		p.noCallExtras(f)
		p.str("POSITION(")
		p.bexpr(args[1])
		p.str(" IN ")
		p.bexpr(args[0])
		p.char(')')
	case name == "overlay" && len(args) == 3:
		p.noCallExtras(f)
		p.str("overlay(")
		p.expr(args[0], true)
		p.str(" placing ")
		p.expr(args[1], true)
		p.str(" from ")
		p.expr(args[2], true)
		p.char(')')
	case name == "pg_collation_for" && len(args) == 1:
		p.noCallExtras(f)
		p.str("collation for (")
		p.expr(args[0], true)
		p.char(')')
	case name == "extract" && len(args) == 2:
		p.noCallExtras(f)
		p.str("extract (")
		p.expr(args[0], true)
		p.str(" FROM ")
		p.expr(args[1], true)
		p.char(')')
	case name == "overlaps" && len(args) == 4:
		p.noCallExtras(f)
		p.char('(')
		p.expr(args[0], true)
		p.str(", ")
		p.expr(args[1], true)
		p.str(") ")
		p.str("overlaps ")
		p.char('(')
		p.expr(args[2], true)
		p.str(", ")
		p.expr(args[3], true)
		p.str(") ")
	case name == "ltrim" || name == "btrim" || name == "rtrim":
		if len(args) != 1 && len(args) != 2 {
			p.fail()
		}
		p.noCallExtras(f)
		p.str("TRIM (")
		switch name {
		case "ltrim":
			p.str("LEADING ")
		case "btrim":
			p.str("BOTH ")
		default:
			p.str("TRAILING ")
		}
		if len(args) == 2 {
			p.expr(args[1], true)
		}
		p.str(" FROM ")
		p.expr(args[0], true)
		p.char(')')
	case name == "timezone" && len(args) > 0 && len(args) <= 2:
		p.noCallExtras(f)
		e := args[len(args)-1]
		if !aexpr {
			p.char('(')
		}
		if nullNode(e) {
			p.fail()
		}
		p.operand(e, e.GetAExpr() != nil, true)
		if len(args) == 1 {
			p.str(" AT LOCAL")
		} else {
			p.str(" AT TIME ZONE ")
			p.expr(args[0], true)
		}
		if !aexpr {
			p.char(')')
		}
	case name == "normalize":
		if len(args) != 1 && len(args) != 2 {
			p.fail()
		}
		p.noCallExtras(f)
		p.str("normalize (")
		p.expr(args[0], true)
		if len(args) == 2 {
			p.str(", ")
			p.form(args[1])
		}
		p.char(')')
	case name == "is_normalized":
		if len(args) != 1 && len(args) != 2 {
			p.fail()
		}
		p.noCallExtras(f)
		p.expr(args[0], true)
		p.str(" IS ")
		if len(args) == 2 {
			p.form(args[1])
		}
		p.str(" NORMALIZED ")
	case name == "xmlexists" && len(args) == 2:
		p.noCallExtras(f)
		p.str("xmlexists (")
		p.expr(args[0], false)
		p.str(" PASSING ")
		p.expr(args[1], false)
		p.char(')')
	case name == "system_user":
		if len(args) > 0 {
			p.fail()
		}
		p.noCallExtras(f)
		p.str("SYSTEM_USER")
	default:
		return false
	}
	return true
}

func (p *printer) noCallExtras(f *pg_query.FuncCall) {
	if hasCallExtras(f) {
		p.fail()
	}
}

// form is the normal form argument of NORMALIZE and IS NORMALIZED.
func (p *printer) form(n *pg_query.Node) {
	c := n.GetAConst()
	if c == nil {
		p.fail()
	}
	p.value(c)
}

// Frame options of nodes/parsenodes.h.
const (
	frameNonDefault             = 0x00001
	frameRange                  = 0x00002
	frameRows                   = 0x00004
	frameGroups                 = 0x00008
	frameBetween                = 0x00010
	frameStartUnboundedPreceing = 0x00020
	frameEndUnboundedPreceding  = 0x00040
	frameStartUnboundedFollow   = 0x00080
	frameEndUnboundedFollowing  = 0x00100
	frameStartCurrentRow        = 0x00200
	frameEndCurrentRow          = 0x00400
	frameStartOffsetPreceding   = 0x00800
	frameEndOffsetPreceding     = 0x01000
	frameStartOffsetFollowing   = 0x02000
	frameEndOffsetFollowing     = 0x04000
	frameExcludeCurrentRow      = 0x08000
	frameExcludeGroup           = 0x10000
	frameExcludeTies            = 0x20000
	// frameDefaults is what the parser sets without a frame clause.
	frameDefaults = frameRange | frameStartUnboundedPreceing | frameEndCurrentRow
)

func (p *printer) windowDef(w *pg_query.WindowDef) {
	opts := w.FrameOptions
	if opts&(frameStartOffsetPreceding|frameStartOffsetFollowing) == 0 && w.StartOffset != nil ||
		opts&(frameEndOffsetPreceding|frameEndOffsetFollowing) == 0 && w.EndOffset != nil {
		p.fail()
	}
	if opts&frameNonDefault == 0 && opts != 0 && opts != frameDefaults {
		p.fail() // frame options the deparser would ignore
	}
	if w.Refname == "" && len(w.PartitionClause) == 0 && len(w.OrderClause) == 0 && opts&frameNonDefault == 0 {
		p.str("()")
		return
	}
	p.char('(')
	p.boundary()
	if w.Refname != "" {
		p.ident(w.Refname)
		p.char(' ')
	}
	if len(w.PartitionClause) > 0 {
		p.str("PARTITION BY ")
		p.exprList(w.PartitionClause)
		p.char(' ')
	}
	p.trimSpace()
	p.boundary()
	p.optSortClause(w.OrderClause)
	if opts&frameNonDefault != 0 {
		p.group("")
		switch {
		case opts&frameRange != 0:
			p.str("RANGE ")
		case opts&frameRows != 0:
			p.str("ROWS ")
		case opts&frameGroups != 0:
			p.str("GROUPS ")
		default:
			p.fail()
		}
		if opts&frameBetween != 0 {
			p.str("BETWEEN ")
		}
		switch {
		case opts&frameStartUnboundedPreceing != 0:
			p.str("UNBOUNDED PRECEDING ")
		case opts&frameStartUnboundedFollow != 0:
			p.fail()
		case opts&frameStartCurrentRow != 0:
			p.str("CURRENT ROW ")
		case opts&frameStartOffsetPreceding != 0:
			p.expr(w.StartOffset, true)
			p.str(" PRECEDING ")
		case opts&frameStartOffsetFollowing != 0:
			p.expr(w.StartOffset, true)
			p.str(" FOLLOWING ")
		default:
			p.fail()
		}
		if opts&frameBetween != 0 {
			p.str("AND ")
			switch {
			case opts&frameEndUnboundedPreceding != 0:
				p.fail()
			case opts&frameEndUnboundedFollowing != 0:
				p.str("UNBOUNDED FOLLOWING ")
			case opts&frameEndCurrentRow != 0:
				p.str("CURRENT ROW ")
			case opts&frameEndOffsetPreceding != 0:
				p.expr(w.EndOffset, true)
				p.str(" PRECEDING ")
			case opts&frameEndOffsetFollowing != 0:
				p.expr(w.EndOffset, true)
				p.str(" FOLLOWING ")
			default:
				p.fail()
			}
		}
		switch {
		case opts&frameExcludeCurrentRow != 0:
			p.str("EXCLUDE CURRENT ROW ")
		case opts&frameExcludeGroup != 0:
			p.str("EXCLUDE GROUP ")
		case opts&frameExcludeTies != 0:
			p.str("EXCLUDE TIES ")
		}
	}
	p.trimSpace()
	p.boundary()
	p.char(')')
}
