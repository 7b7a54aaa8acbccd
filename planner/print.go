package planner

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
)

// printSelect prints a SELECT statement as pg_query's deparser
// (postgres_deparse.c, without pretty printing) prints it, without the
// protobuf round trip to C that pg_query.Deparse costs, and so that the
// text parses back to node: where the deparser's text would parse to
// another tree, or not at all, it adds the parentheses or quotes that text
// lacks (see leftEdge and name). It reports false for node types it does
// not know, and for trees the deparser would reject, print with parts
// missing or while ignoring a field, and trees no text expresses (the
// parser never builds them). The caller then uses the C deparser.
//
// The port follows the C functions one to one (deparseSelectStmt,
// deparseExpr, deparseFuncCall …), including their oddities, so that the
// text is byte for byte the deparser's wherever that is right.
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
	p.quotedIdent(s, quotes)
}

// quoted prints s as a quoted identifier.
func (p *printer) quoted(s string) {
	quotes := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 0:
			p.fail()
		case '"':
			quotes = true
		}
	}
	if !utf8.ValidString(s) {
		p.fail()
	}
	p.quotedIdent(s, quotes)
}

// quotedIdent writes "s", with its quotes doubled when it has any.
func (p *printer) quotedIdent(s string, quotes bool) {
	if s == "" {
		p.fail() // "" does not parse
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

// namePlace is where the grammar takes a name the deparser prints without
// quote_identifier; it decides which keywords the name may be.
type namePlace uint8

const (
	placeColID     namePlace = iota // ColId: unreserved and column name keywords
	placeParamName                  // type_function_name: unreserved and type or function name keywords
	placeColLabel                   // ColLabel, after a dot: any keyword
)

// name prints a name the deparser prints as it is (window names, argument
// names …). As it is, a name in upper case or with other characters than
// an identifier's, or a keyword the place does not take, reads back as
// another name or not at all; such a name is quoted. Any other name is
// printed as the deparser prints it.
func (p *printer) name(s string, place namePlace) {
	if !plainIdentifier(s) {
		p.quoted(s)
		return
	}
	switch keywordCategory(s) {
	case kwColName:
		if place == placeParamName {
			p.quoted(s)
			return
		}
	case kwTypeFuncName:
		if place == placeColID {
			p.quoted(s)
			return
		}
	case kwReserved:
		if place != placeColLabel {
			p.quoted(s)
			return
		}
	}
	p.raw(s)
}

// plainIdentifier reports whether the lexer reads s, unquoted, as the
// identifier s (or as the keyword s): it starts with a lower case letter,
// an underscore or a non-ASCII byte, and goes on with those, digits and
// dollar signs.
func plainIdentifier(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' || s[0] == '$' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= utf8.RuneSelf) {
			return false
		}
	}
	return true
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
	if len(l) == 0 {
		p.fail()
	}
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
		if len(l.List.Items) == 0 {
			p.fail() // VALUES () does not parse
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
			p.name(w.Name, placeColID)
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
	if c := r.Val.GetColumnRef(); c != nil && len(c.Fields) == 1 && c.Fields[0].GetAStar() != nil {
		if r.Name != "" {
			p.fail() // * AS x does not parse
		}
		p.char('*')
		return
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
		// The parser makes OFFSET alone a COUNT limit.
		want := int32(pg_query.LimitOption_LIMIT_OPTION_DEFAULT)
		if !nullNode(s.LimitOffset) {
			want = int32(pg_query.LimitOption_LIMIT_OPTION_COUNT)
		}
		if s.LimitCount != nil || opt != want {
			p.fail()
		}
		return
	}
	ties := opt == int32(pg_query.LimitOption_LIMIT_OPTION_WITH_TIES)
	if ties && len(s.SortClause) == 0 {
		p.fail() // the parser refuses WITH TIES without ORDER BY
	}
	switch {
	case opt == int32(pg_query.LimitOption_LIMIT_OPTION_COUNT):
		p.group("LIMIT")
	case ties:
		p.str("FETCH FIRST ")
	default:
		p.fail()
	}
	if c := s.LimitCount.GetAConst(); c != nil && c.Isnull {
		if c.Val != nil || ties {
			p.fail() // FETCH FIRST ALL does not parse
		}
		p.str("ALL")
	} else if ties {
		// c_expr; cexpr prints x IN (…) and x IS NORMALIZED as they are.
		if p.cexprForm(s.LimitCount) || negativeConst(s.LimitCount.GetAConst()) {
			p.cexpr(s.LimitCount)
		} else {
			p.char('(')
			p.expr(s.LimitCount, true)
			p.char(')')
		}
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
			if rv == nil || !rv.Inh || rv.Alias != nil {
				p.fail() // OF takes names only
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
		// Without TO and DEFAULT, the parser fills in true and false.
		if cc.CycleMarkColumn == "" || cc.CyclePathColumn == "" || cc.CycleMarkValue == nil || cc.CycleMarkDefault == nil {
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
		if negativeConst(x.AConst) {
			p.fail() // a signed number is no AexprConst
		}
		p.aConst(x.AConst)
	case *pg_query.Node_TypeCast:
		p.constCast(x.TypeCast)
	default:
		p.fail()
	}
}

// constCast prints a typed constant as AexprConst has it, the type name in
// front of the string: the grammar takes CYCLE … TO int '1', where the
// deparser prints '1'::int.
func (p *printer) constCast(t *pg_query.TypeCast) {
	if p.constCastForm(t) {
		p.typeCast(t, false)
		return
	}
	c, tn := t.Arg.GetAConst(), t.TypeName
	if c == nil || c.Isnull || c.GetSval() == nil || tn == nil || tn.Setof || tn.PctType || len(tn.ArrayBounds) > 0 ||
		len(tn.Typmods) > 0 && len(tn.Names) == 2 && tn.Names[0].GetString_().GetSval() == "pg_catalog" &&
			tn.Names[1].GetString_().GetSval() == "interval" { // interval '1' day: the fields come last
		p.fail()
	}
	p.typeName(tn)
	p.char(' ')
	p.aConst(c)
}

func (p *printer) groupByList(l []*pg_query.Node) {
	for i, n := range l {
		if i > 0 {
			p.commaPart()
		}
		if g := n.GetGroupingSet(); g != nil {
			p.groupingSet(g)
		} else if f := n.GetFuncCall(); f != nil && len(f.Funcname) == 1 &&
			(f.Funcname[0].GetString_().GetSval() == "cube" || f.Funcname[0].GetString_().GetSval() == "rollup") {
			// Bare, cube(a) is the grouping set CUBE (a).
			p.char('(')
			p.expr(n, true)
			p.char(')')
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
		if len(g.Content) == 0 {
			p.fail() // ROLLUP () does not parse, nor do CUBE () and GROUPING SETS ()
		}
		p.str("ROLLUP (")
		p.exprList(g.Content)
		p.char(')')
	case int32(pg_query.GroupingSetKind_GROUPING_SET_CUBE):
		if len(g.Content) == 0 {
			p.fail()
		}
		p.str("CUBE (")
		p.exprList(g.Content)
		p.char(')')
	case int32(pg_query.GroupingSetKind_GROUPING_SET_SETS):
		if len(g.Content) == 0 {
			p.fail()
		}
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
		if r.Schemaname == "" {
			p.fail() // cat.tab reads back as a schema
		}
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
		if r.Alias != nil && len(r.Alias.Colnames) > 0 {
			p.fail() // f() AS a(b) (c int) does not parse
		}
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
		if p.syntaxForm(x.FuncCall) != "" {
			p.fail() // x AT TIME ZONE z is no function in FROM
		}
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
		if c.Colname == "" || c.TypeName == nil {
			p.fail() // a column definition has both
		}
		p.ident(c.Colname)
		p.char(' ')
		p.typeName(c.TypeName)
		p.char(' ')
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
	// ON with USING, NATURAL with either, and an outer join with neither
	// do not parse.
	if j.Quals != nil && len(j.UsingClause) > 0 || j.IsNatural && (j.Quals != nil || len(j.UsingClause) > 0) ||
		!j.IsNatural && j.Quals == nil && len(j.UsingClause) == 0 &&
			p.enumValue(int32(j.Jointype), 9) != int32(pg_query.JoinType_JOIN_INNER) {
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
			p.name(a.Aliasname, placeColID)
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
		if x.CollateClause.Arg == nil {
			p.fail() // only a column definition has a COLLATE of its own
		}
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
		if len(x.GroupingFunc.Args) == 0 {
			p.fail()
		}
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

// bexpr is deparseBExpr ("b_expr"), with parentheses around what is not a
// b_expr (the deparser prints NOT, x = ANY (…), a COLLATE "C" || b … as
// they are).
func (p *printer) bexpr(n *pg_query.Node) {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_AExpr:
		switch p.enumValue(int32(x.AExpr.Kind), 14) {
		case int32(pg_query.A_Expr_Kind_AEXPR_OP), int32(pg_query.A_Expr_Kind_AEXPR_DISTINCT),
			int32(pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT):
			if !p.bexprOperands(x.AExpr, false) {
				break
			}
			p.enter()
			p.aExpr(x.AExpr, false)
			p.leave()
			return
		}
	case *pg_query.Node_BoolExpr:
	default:
		if p.bexprClean(n, false) {
			p.cexpr(n)
			return
		}
	}
	p.char('(')
	p.expr(n, true)
	p.char(')')
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

// columnRef prints a column reference: names, the last of them possibly *.
// A lone * is a select list item of its own (resTarget); anywhere else it
// does not parse.
func (p *printer) columnRef(c *pg_query.ColumnRef) {
	if len(c.Fields) == 0 {
		p.fail()
	}
	for i, n := range c.Fields {
		if i > 0 {
			p.char('.')
		}
		switch x := n.GetNode().(type) {
		case *pg_query.Node_AStar:
			if i == 0 || i < len(c.Fields)-1 {
				p.fail()
			}
			p.char('*')
		case *pg_query.Node_String_:
			p.ident(x.String_.GetSval())
		default:
			p.fail() // a subscript is an A_Indirection's
		}
	}
}

// indirection is "opt_indirection": .field, .* and [subscripts].
func (p *printer) indirection(l []*pg_query.Node) {
	for i, n := range l {
		switch x := n.GetNode().(type) {
		case *pg_query.Node_String_:
			p.char('.')
			p.ident(x.String_.GetSval())
		case *pg_query.Node_AStar:
			if i < len(l)-1 {
				p.fail() // .* must come last
			}
			p.str(".*")
		case *pg_query.Node_AIndices:
			ind := x.AIndices
			if !ind.IsSlice && (ind.Uidx == nil || ind.Lidx != nil) {
				p.fail() // a[] does not parse
			}
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
// around an argument makes the parentheses appear). The grammar takes a
// subscript or field after a column, a parameter, a subquery or a
// parenthesized expression only, so the printer puts anything else in
// parentheses too.
func (p *printer) aIndirection(a *pg_query.A_Indirection) {
	if nullNode(a.Arg) {
		p.fail()
	}
	var parens bool
	switch x := a.Arg.Node.(type) {
	case *pg_query.Node_AIndirection, *pg_query.Node_FuncCall, *pg_query.Node_AExpr, *pg_query.Node_TypeCast,
		*pg_query.Node_RowExpr, *pg_query.Node_AArrayExpr:
		parens = true
	case *pg_query.Node_ColumnRef:
		if len(a.Indirection) == 0 {
			p.fail() // linitial() of an empty list: the deparser refuses it
		}
		// t.*[1] does not parse: * must come last.
		f := x.ColumnRef.Fields
		parens = a.Indirection[0].GetAIndices() == nil || len(f) > 0 && f[len(f)-1].GetAStar() != nil
	case *pg_query.Node_ParamRef:
	case *pg_query.Node_SubLink:
		parens = len(a.Indirection) > 0 && p.enumValue(int32(x.SubLink.SubLinkType), 8) != int32(pg_query.SubLinkType_EXPR_SUBLINK)
	case *pg_query.Node_JsonFuncExpr:
		p.fail()
	default:
		parens = len(a.Indirection) > 0
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
		if v.Ival == nil || v.Ival.Ival == math.MinInt32 {
			p.fail() // -2147483648 reads back as a float constant
		}
		p.number(v.Ival.Ival)
	case *pg_query.A_Const_Fval:
		if v.Fval == nil || !floatLiteral(v.Fval.Fval) {
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

// floatLiteral reports whether s, printed as it is, reads back as the
// float constant s: a number, possibly with a minus sign (which the parser
// folds into the constant), that is not an integer the parser takes as an
// int4 constant.
func floatLiteral(s string) bool {
	u := strings.TrimPrefix(s, "-")
	if len(u) > 2 && u[0] == '0' && strings.IndexByte("xXoObB", u[1]) >= 0 {
		// Go's syntax for these, underscores included, is PostgreSQL's.
		v, err := strconv.ParseInt(u, 0, 64)
		if err != nil {
			return errors.Is(err, strconv.ErrRange)
		}
		return v > math.MaxInt32
	}
	i := digits(u, 0)
	integer := i == len(u)
	if i < len(u) && u[i] == '.' {
		i = digits(u, i+1)
		if i == 1 {
			return false // "." alone
		}
	}
	if i > 0 && i < len(u) && (u[i] == 'e' || u[i] == 'E') {
		j := i + 1
		if j < len(u) && (u[j] == '+' || u[j] == '-') {
			j++
		}
		if k := digits(u, j); k > j {
			i = k
		}
	}
	if i == 0 || i != len(u) {
		return false
	}
	if integer {
		v, err := strconv.ParseInt(strings.ReplaceAll(u, "_", ""), 10, 64)
		return err != nil || v > math.MaxInt32
	}
	return true
}

// digits skips the decimal digits of s from i on, with single underscores
// between them, and returns where they end.
func digits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		if i+1 < len(s) && s[i] == '_' && s[i+1] >= '0' && s[i+1] <= '9' {
			i++
		}
	}
	return i
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

// paramRef prints $n. The deparser prints $0 as ?, which does not parse.
func (p *printer) paramRef(r *pg_query.ParamRef) {
	if r.Number < 0 {
		p.fail()
	}
	p.char('$')
	p.buf = strconv.AppendInt(p.buf, int64(r.Number), 10)
}

func (p *printer) caseExpr(c *pg_query.CaseExpr) {
	if len(c.Args) == 0 {
		p.fail() // CASE END does not parse
	}
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
		p.operand(s.Testexpr, p.breaksBefore(s.Testexpr, true, p.subqueryOpPrec(s.OperName)), true)
		p.char(' ')
		p.subqueryOp(s.OperName)
		p.str(" ALL (")
	case int32(pg_query.SubLinkType_ANY_SUBLINK):
		op := precLike // IN
		if len(s.OperName) > 0 {
			op = p.subqueryOpPrec(s.OperName)
		}
		p.operand(s.Testexpr, p.breaksBefore(s.Testexpr, true, op), true)
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

// Parentheses the deparser leaves out.
//
// The deparser puts an operand in parentheses for some node types only, and
// its text then sometimes reads back as another tree: (a OR b) IN (…)
// prints as a OR b IN (…), x AT TIME ZONE (a + b) as x AT TIME ZONE a + b,
// (a LIKE b) LIKE c as a syntax error. The printer adds the parentheses
// where gram.y's precedences would bind the operand differently, and only
// there: the deparser's text stays as it is wherever it is right.
//
// Whether an operand's text holds together next to an operator depends on
// the operators on its edges that are still open: in a + b the + is open on
// the right, so a + b IN (…) reads as a + (b IN (…)) if IN binds tighter
// than + (it does not), and NOT a IN (…) as NOT (a IN (…)) as IN binds
// tighter than NOT. leftEdge and rightEdge give the loosest open operator on
// each edge of an expression's text. They follow the deparser's text:
// parentheses the printer adds deeper inside are not counted, as they only
// appear where that text is wrong anyway and one more pair is harmless
// there.

// prec is a precedence level of gram.y, loosest first.
type prec uint8

const (
	precOr prec = iota + 1
	precAnd
	precNot     // right-associative
	precIs      // IS, ISNULL, NOTNULL; non-associative
	precCmp     // < > = <= >= <>; non-associative
	precLike    // BETWEEN IN LIKE ILIKE SIMILAR (and NOT before them); non-associative
	precOp      // any other operator, OPERATOR(…), and prefix operators but + and -
	precAdd     // + -
	precMul     // * / %
	precExp     // ^
	precAt      // AT TIME ZONE, AT LOCAL
	precCollate // COLLATE
	precUminus  // prefix + and -; right-associative
	precCast    // ::
	precClosed  // no operator open on that edge
)

// endsBefore reports whether an expression whose right edge is edge is read
// as a whole when an operator of level op follows it: the parser then
// reduces it rather than shifting the operator into it.
func endsBefore(edge, op prec) bool {
	return edge > op || edge == op && leftAssociative(op)
}

// startsAfter reports whether an expression whose left edge is edge is read
// as a whole as the right operand of an operator of level op.
func startsAfter(edge, op prec) bool {
	return edge > op || edge == op && (op == precNot || op == precUminus)
}

func leftAssociative(l prec) bool {
	switch l {
	case precNot, precIs, precCmp, precLike, precUminus:
		return false
	}
	return true
}

// opPrec is the level of a binary operator printed by qualOp.
func (p *printer) opPrec(l []*pg_query.Node) prec {
	if len(l) != 1 {
		return precOp
	}
	switch l[0].GetString_().GetSval() {
	case "+", "-":
		return precAdd
	case "*", "/", "%":
		return precMul
	case "^":
		return precExp
	case "<", ">", "=", "<=", ">=", "<>":
		return precCmp
	}
	return precOp
}

// subqueryOpPrec is the level of an operator printed by subqueryOp.
func (p *printer) subqueryOpPrec(l []*pg_query.Node) prec {
	if len(l) == 1 {
		switch l[0].GetString_().GetSval() {
		case "~~", "!~~", "~~*", "!~~*":
			return precLike
		}
	}
	return p.opPrec(l)
}

// prefixPrec is the level of a prefix operator: gram.y gives + and - the
// level of unary minus, and the others (also + and - written as
// OPERATOR(…)) that of operators.
func (p *printer) prefixPrec(a *pg_query.A_Expr) prec {
	if len(a.Name) == 1 && !p.prefixOperatorSyntax(a) {
		switch a.Name[0].GetString_().GetSval() {
		case "+", "-":
			return precUminus
		}
	}
	return precOp
}

// prefixOperatorSyntax reports whether the prefix operator of a is printed
// as OPERATOR(…), where the deparser prints it bare: operators the grammar
// has no bare prefix form for (* a is a syntax error), and - before a
// number, which the parser folds into a negative constant.
func (p *printer) prefixOperatorSyntax(a *pg_query.A_Expr) bool {
	if len(a.Name) != 1 {
		return false
	}
	switch a.Name[0].GetString_().GetSval() {
	case "*", "/", "%", "^", "<", ">", "=", "<=", ">=", "<>":
		return true
	case "-":
		// Parentheses do not stop that: -(1) is -1.
		if c := unwrapped(a.Rexpr).GetAConst(); c != nil && !c.Isnull {
			switch c.Val.(type) {
			case *pg_query.A_Const_Ival, *pg_query.A_Const_Fval:
				return true
			}
		}
	}
	return false
}

// breaksBefore reports whether n's text, printed in context aexpr, would
// not hold together followed by an operator of level op.
func (p *printer) breaksBefore(n *pg_query.Node, aexpr bool, op prec) bool {
	if _, ok := n.GetNode().(*pg_query.Node_ColumnRef); ok { // the usual operand
		return false
	}
	return !endsBefore(p.rightEdge(n, aexpr), op)
}

// breaksAfter reports whether n's text would not hold together as the
// right operand of an operator of level op.
func (p *printer) breaksAfter(n *pg_query.Node, aexpr bool, op prec) bool {
	switch n.GetNode().(type) {
	case *pg_query.Node_ColumnRef, *pg_query.Node_AConst: // the usual operands
		return false
	}
	return !startsAfter(p.leftEdge(n, aexpr), op)
}

// leftEdge is the loosest operator open on the left edge of n's text, as
// expr(n, aexpr) prints it.
func (p *printer) leftEdge(n *pg_query.Node, aexpr bool) prec {
	edge := precClosed
	for {
		var op prec
		var next *pg_query.Node
		switch x := n.GetNode().(type) {
		case *pg_query.Node_TypeCast:
			op = precCast
			if !p.castParens(x.TypeCast) {
				next, aexpr = x.TypeCast.Arg, false
			}
		case *pg_query.Node_CollateClause:
			if x.CollateClause.Arg == nil {
				return edge
			}
			op = precCollate
			if x.CollateClause.Arg.GetAExpr() == nil {
				next, aexpr = x.CollateClause.Arg, true
			}
		case *pg_query.Node_AExpr:
			a := x.AExpr
			switch p.enumValue(int32(a.Kind), 14) {
			case int32(pg_query.A_Expr_Kind_AEXPR_OP):
				if nullNode(a.Lexpr) {
					return edge
				}
				op = p.opPrec(a.Name)
				if !needsParensAsBExpr(a.Lexpr) {
					next = a.Lexpr
				}
			case int32(pg_query.A_Expr_Kind_AEXPR_OP_ANY), int32(pg_query.A_Expr_Kind_AEXPR_OP_ALL):
				op, next = p.subqueryOpPrec(a.Name), a.Lexpr
			case int32(pg_query.A_Expr_Kind_AEXPR_DISTINCT):
				op = precIs
				if !needsParensAsBExpr(a.Lexpr) {
					next = a.Lexpr
				}
			case int32(pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT):
				op, next = precIs, a.Lexpr
			case int32(pg_query.A_Expr_Kind_AEXPR_NULLIF):
				return edge
			default: // IN, LIKE, ILIKE, SIMILAR, BETWEEN
				op, next = precLike, a.Lexpr
			}
			aexpr = true
		case *pg_query.Node_BoolExpr:
			b := x.BoolExpr
			switch p.enumValue(int32(b.Boolop), 3) {
			case int32(pg_query.BoolExprType_NOT_EXPR):
				return edge
			case int32(pg_query.BoolExprType_AND_EXPR):
				op = precAnd
			default:
				op = precOr
			}
			if len(b.Args) > 0 && !p.isAndOr(b.Args[0]) {
				next, aexpr = b.Args[0], true
			}
		case *pg_query.Node_NullTest:
			op, next, aexpr = precIs, x.NullTest.Arg, true
		case *pg_query.Node_BooleanTest:
			op = precIs
			if x.BooleanTest.Arg.GetBoolExpr() == nil {
				next, aexpr = x.BooleanTest.Arg, true
			}
		case *pg_query.Node_SubLink:
			s := x.SubLink
			switch p.enumValue(int32(s.SubLinkType), 8) {
			case int32(pg_query.SubLinkType_ALL_SUBLINK):
				op = p.subqueryOpPrec(s.OperName)
			case int32(pg_query.SubLinkType_ANY_SUBLINK):
				op = precLike
				if len(s.OperName) > 0 {
					op = p.subqueryOpPrec(s.OperName)
				}
			default:
				return edge
			}
			next, aexpr = s.Testexpr, true
		case *pg_query.Node_AIndirection:
			if next = bareIndirectionArg(x.AIndirection); next == nil {
				return edge
			}
			n, aexpr = next, false
			continue
		case *pg_query.Node_FuncCall:
			f := x.FuncCall
			switch p.syntaxForm(f) {
			case "timezone":
				if !aexpr {
					return edge
				}
				op = precAt
				if arg := f.Args[len(f.Args)-1]; arg.GetAExpr() == nil {
					next = arg
				}
			case "is_normalized":
				op, next = precIs, f.Args[0]
			default:
				return edge
			}
			aexpr = true
		default:
			return edge
		}
		edge = min(edge, op)
		if next == nil {
			return edge
		}
		n = next
	}
}

// rightEdge is the loosest operator open on the right edge of n's text, as
// expr(n, aexpr) prints it.
func (p *printer) rightEdge(n *pg_query.Node, aexpr bool) prec {
	edge := precClosed
	for n != nil {
		var op prec
		op, n, aexpr = p.rightStep(n, aexpr)
		edge = min(edge, op)
	}
	return edge
}

// escapeTaken reports whether n's text, followed by ESCAPE, would take it
// as its own: a LIKE or SIMILAR TO without ESCAPE is open on its right
// edge. (ESCAPE is no operator: nothing else can take it.)
func (p *printer) escapeTaken(n *pg_query.Node, aexpr bool) bool {
	for n != nil {
		if a := n.GetAExpr(); a != nil {
			switch p.enumValue(int32(a.Kind), 14) {
			case int32(pg_query.A_Expr_Kind_AEXPR_LIKE), int32(pg_query.A_Expr_Kind_AEXPR_ILIKE):
				return true
			case int32(pg_query.A_Expr_Kind_AEXPR_SIMILAR):
				if len(a.Rexpr.GetFuncCall().GetArgs()) < 2 {
					return true
				}
			}
		}
		_, n, aexpr = p.rightStep(n, aexpr)
	}
	return false
}

// rightStep is the operator open on the right edge of n's text (precClosed
// for none), and the operand printed at that edge without parentheses, with
// its context (nil when there is none).
func (p *printer) rightStep(n *pg_query.Node, aexpr bool) (prec, *pg_query.Node, bool) {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_AConst:
		if negativeConst(x.AConst) {
			return precUminus, nil, false
		}
	case *pg_query.Node_AExpr:
		a := x.AExpr
		switch p.enumValue(int32(a.Kind), 14) {
		case int32(pg_query.A_Expr_Kind_AEXPR_OP):
			op := p.opPrec(a.Name)
			if nullNode(a.Lexpr) {
				op = p.prefixPrec(a)
			}
			if needsParensAsBExpr(a.Rexpr) {
				return op, nil, false
			}
			return op, a.Rexpr, true
		case int32(pg_query.A_Expr_Kind_AEXPR_DISTINCT):
			if needsParensAsBExpr(a.Rexpr) {
				return precIs, nil, false
			}
			return precIs, a.Rexpr, true
		case int32(pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT):
			return precIs, a.Rexpr, true
		case int32(pg_query.A_Expr_Kind_AEXPR_LIKE), int32(pg_query.A_Expr_Kind_AEXPR_ILIKE):
			return precLike, a.Rexpr, true
		case int32(pg_query.A_Expr_Kind_AEXPR_SIMILAR):
			if args := a.Rexpr.GetFuncCall().GetArgs(); len(args) > 0 {
				return precLike, args[len(args)-1], true
			}
			return precLike, nil, false
		case int32(pg_query.A_Expr_Kind_AEXPR_BETWEEN), int32(pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN),
			int32(pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM), int32(pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM):
			if items := a.Rexpr.GetList().GetItems(); len(items) > 0 {
				return precLike, items[len(items)-1], true
			}
			return precLike, nil, false
		}
		// OP_ANY, OP_ALL, NULLIF and IN end in a parenthesis.
	case *pg_query.Node_BoolExpr:
		b := x.BoolExpr
		op := precOr
		switch p.enumValue(int32(b.Boolop), 3) {
		case int32(pg_query.BoolExprType_NOT_EXPR):
			op = precNot
		case int32(pg_query.BoolExprType_AND_EXPR):
			op = precAnd
		}
		if len(b.Args) == 0 || p.isAndOr(b.Args[len(b.Args)-1]) {
			return op, nil, false
		}
		return op, b.Args[len(b.Args)-1], true
	case *pg_query.Node_AIndirection:
		if arg := bareIndirectionArg(x.AIndirection); arg != nil {
			return precClosed, arg, false
		}
	case *pg_query.Node_FuncCall:
		if f := x.FuncCall; aexpr && len(f.Args) == 2 && p.syntaxForm(f) == "timezone" {
			return precAt, f.Args[0], true
		}
	}
	return precClosed, nil, false
}

// bareIndirectionArg is the argument of an A_Indirection without a path
// that aIndirection prints without parentheses (in context false), which
// then has the edges of its argument; nil for any other A_Indirection.
func bareIndirectionArg(a *pg_query.A_Indirection) *pg_query.Node {
	if len(a.Indirection) > 0 || nullNode(a.Arg) {
		return nil
	}
	switch a.Arg.Node.(type) {
	case *pg_query.Node_AIndirection, *pg_query.Node_FuncCall, *pg_query.Node_AExpr, *pg_query.Node_TypeCast,
		*pg_query.Node_RowExpr, *pg_query.Node_AArrayExpr, *pg_query.Node_ColumnRef:
		return nil
	}
	return a.Arg
}

// unwrapped is n without the indirections without a path around it, which
// print nothing of their own but, for some arguments, parentheses.
func unwrapped(n *pg_query.Node) *pg_query.Node {
	for {
		ind := n.GetAIndirection()
		if ind == nil || len(ind.Indirection) > 0 || nullNode(ind.Arg) {
			return n
		}
		n = ind.Arg
	}
}

// negativeConst reports whether c prints with a minus sign, which the
// parser reads as a prefix minus (folded into the constant).
func negativeConst(c *pg_query.A_Const) bool {
	if c == nil || c.Isnull {
		return false
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		return v.Ival.GetIval() < 0
	case *pg_query.A_Const_Fval:
		return strings.HasPrefix(v.Fval.GetFval(), "-")
	}
	return false
}

// syntaxForm is the name of the pg_catalog function f when the deparser
// prints it in a SQL syntax that is not a c_expr (x AT TIME ZONE z,
// x IS NORMALIZED, (a, b) OVERLAPS (c, d)); "" otherwise.
func (p *printer) syntaxForm(f *pg_query.FuncCall) string {
	if len(f.Funcname) != 2 || f.Funcname[0].GetString_().GetSval() != "pg_catalog" ||
		p.enumValue(int32(f.Funcformat), 4) != int32(pg_query.CoercionForm_COERCE_SQL_SYNTAX) {
		return ""
	}
	switch name := f.Funcname[1].GetString_().GetSval(); {
	case name == "timezone" && len(f.Args) > 0 && len(f.Args) <= 2,
		name == "is_normalized" && len(f.Args) > 0 && len(f.Args) <= 2,
		name == "overlaps" && len(f.Args) == 4:
		return name
	}
	return ""
}

// bexprClean reports whether n's text, as expr(n, aexpr) prints it, is a
// b_expr: it has none of the operators only a_expr has (AND, OR, NOT,
// IS NULL, LIKE, IN, BETWEEN, COLLATE, AT TIME ZONE, = ANY …) outside
// parentheses. The lower bound of BETWEEN and the operands of POSITION must
// be.
func (p *printer) bexprClean(n *pg_query.Node, aexpr bool) bool {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_TypeCast:
		return p.castParens(x.TypeCast) || p.bexprClean(x.TypeCast.Arg, false)
	case *pg_query.Node_AExpr:
		switch p.enumValue(int32(x.AExpr.Kind), 14) {
		case int32(pg_query.A_Expr_Kind_AEXPR_OP), int32(pg_query.A_Expr_Kind_AEXPR_DISTINCT),
			int32(pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT):
			return p.bexprOperands(x.AExpr, true)
		case int32(pg_query.A_Expr_Kind_AEXPR_NULLIF):
			return true
		}
		return false
	case *pg_query.Node_CollateClause, *pg_query.Node_BoolExpr, *pg_query.Node_NullTest,
		*pg_query.Node_BooleanTest, *pg_query.Node_SetToDefault:
		return false
	case *pg_query.Node_SubLink:
		return !p.quantifiedSubLink(x.SubLink)
	case *pg_query.Node_AIndirection:
		if arg := bareIndirectionArg(x.AIndirection); arg != nil {
			return p.bexprClean(arg, false)
		}
	case *pg_query.Node_FuncCall:
		switch p.syntaxForm(x.FuncCall) {
		case "timezone":
			return !aexpr
		case "is_normalized", "overlaps":
			return false
		}
	}
	return true
}

// bexprOperands reports whether the operands of an A_Expr of the b_expr
// kinds (operators, IS [NOT] DISTINCT FROM), printed in context aexpr, are
// b_exprs.
func (p *printer) bexprOperands(a *pg_query.A_Expr, aexpr bool) bool {
	paren := p.enumValue(int32(a.Kind), 14) != int32(pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT)
	return (nullNode(a.Lexpr) || paren && needsParensAsBExpr(a.Lexpr) || p.bexprClean(a.Lexpr, aexpr)) &&
		(paren && needsParensAsBExpr(a.Rexpr) || p.bexprClean(a.Rexpr, aexpr))
}

// quantifiedSubLink reports whether s prints as x op ANY|ALL (…) or
// x IN (…), an a_expr, not a c_expr.
func (p *printer) quantifiedSubLink(s *pg_query.SubLink) bool {
	switch p.enumValue(int32(s.SubLinkType), 8) {
	case int32(pg_query.SubLinkType_ALL_SUBLINK), int32(pg_query.SubLinkType_ANY_SUBLINK):
		return true
	}
	return false
}

// cexprForm reports whether n's text, as expr(n, false) prints it, is a
// c_expr: a name, constant, call, or something in parentheses or brackets.
func (p *printer) cexprForm(n *pg_query.Node) bool {
	switch x := n.GetNode().(type) {
	case *pg_query.Node_ColumnRef, *pg_query.Node_ParamRef, *pg_query.Node_CaseExpr, *pg_query.Node_AArrayExpr,
		*pg_query.Node_RowExpr, *pg_query.Node_GroupingFunc, *pg_query.Node_SqlvalueFunction, *pg_query.Node_MinMaxExpr,
		*pg_query.Node_CoalesceExpr:
		return true
	case *pg_query.Node_AIndirection:
		if arg := bareIndirectionArg(x.AIndirection); arg != nil {
			return p.cexprForm(arg)
		}
		return true
	case *pg_query.Node_AConst:
		return !negativeConst(x.AConst)
	case *pg_query.Node_SubLink:
		return !p.quantifiedSubLink(x.SubLink)
	case *pg_query.Node_FuncCall:
		form := p.syntaxForm(x.FuncCall)
		return form != "is_normalized" && form != "overlaps"
	case *pg_query.Node_AExpr:
		return p.enumValue(int32(x.AExpr.Kind), 14) == int32(pg_query.A_Expr_Kind_AEXPR_NULLIF)
	case *pg_query.Node_TypeCast:
		return p.constCastForm(x.TypeCast)
	}
	return false
}

// cexprArg prints n where the grammar wants a c_expr and the deparser
// prints an a_expr, in parentheses unless it is a c_expr.
func (p *printer) cexprArg(n *pg_query.Node) {
	if p.cexprForm(n) {
		p.expr(n, false)
		return
	}
	p.char('(')
	p.expr(n, true)
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
// Operands get the parentheses the deparser gives them, and those their
// text needs to hold together next to the operator (see leftEdge).
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
			op := p.opPrec(a.Name)
			p.operand(a.Lexpr, needL || p.breaksBefore(a.Lexpr, aexpr, op), aexpr)
			p.char(' ')
			p.qualOp(a.Name)
			p.char(' ')
			p.operand(a.Rexpr, needR || p.breaksAfter(a.Rexpr, aexpr, op), aexpr)
			return
		} else if a.Lexpr != nil {
			p.fail()
		}
		if p.prefixOperatorSyntax(a) {
			p.operatorSyntax(a.Name)
		} else {
			p.qualOp(a.Name)
		}
		p.char(' ')
		p.operand(a.Rexpr, needR || p.breaksAfter(a.Rexpr, aexpr, p.prefixPrec(a)), aexpr)
	case int32(pg_query.A_Expr_Kind_AEXPR_OP_ANY), int32(pg_query.A_Expr_Kind_AEXPR_OP_ALL):
		p.operand(a.Lexpr, p.breaksBefore(a.Lexpr, aexpr, p.subqueryOpPrec(a.Name)), aexpr)
		p.char(' ')
		p.subqueryOp(a.Name)
		if kind == int32(pg_query.A_Expr_Kind_AEXPR_OP_ANY) {
			p.str(" ANY(")
		} else {
			p.str(" ALL(")
		}
		if p.subquery(a.Rexpr) {
			p.fail() // x = ANY((SELECT …)) is a SubLink
		}
		p.expr(a.Rexpr, aexpr)
		p.char(')')
	case int32(pg_query.A_Expr_Kind_AEXPR_DISTINCT):
		p.requireName(a.Name, "=")
		p.operand(a.Lexpr, needL || p.breaksBefore(a.Lexpr, aexpr, precIs), aexpr)
		p.str(" IS DISTINCT FROM ")
		p.operand(a.Rexpr, needR || p.breaksAfter(a.Rexpr, aexpr, precIs), aexpr)
	case int32(pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT):
		p.requireName(a.Name, "=")
		p.operand(a.Lexpr, p.breaksBefore(a.Lexpr, aexpr, precIs), aexpr)
		p.str(" IS NOT DISTINCT FROM ")
		p.operand(a.Rexpr, p.breaksAfter(a.Rexpr, aexpr, precIs), aexpr)
	case int32(pg_query.A_Expr_Kind_AEXPR_NULLIF):
		p.requireName(a.Name, "=")
		p.str("NULLIF(")
		p.expr(a.Lexpr, aexpr)
		p.str(", ")
		p.expr(a.Rexpr, aexpr)
		p.char(')')
	case int32(pg_query.A_Expr_Kind_AEXPR_IN):
		p.operand(a.Lexpr, p.breaksBefore(a.Lexpr, aexpr, precLike), aexpr)
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
		case *pg_query.Node_List:
			if items := x.List.GetItems(); len(items) == 1 && p.subquery(items[0]) {
				p.fail() // x IN ((SELECT …)) is a SubLink
			}
			p.exprList(x.List.GetItems())
		default:
			p.fail()
		}
		p.char(')')
	case int32(pg_query.A_Expr_Kind_AEXPR_LIKE), int32(pg_query.A_Expr_Kind_AEXPR_ILIKE):
		p.operand(a.Lexpr, p.breaksBefore(a.Lexpr, aexpr, precLike), aexpr)
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
		p.operand(a.Rexpr, p.breaksAfter(a.Rexpr, aexpr, precLike), aexpr)
	case int32(pg_query.A_Expr_Kind_AEXPR_SIMILAR):
		p.operand(a.Lexpr, p.breaksBefore(a.Lexpr, aexpr, precLike), aexpr)
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
		if f == nil || len(f.Args) < 1 || len(f.Args) > 2 || !p.isCatalogFunc(f, "similar_to_escape") || hasCallExtras(f) ||
			p.enumValue(int32(f.Funcformat), 4) != int32(pg_query.CoercionForm_COERCE_EXPLICIT_CALL) {
			p.fail()
		}
		escape := len(f.Args) == 2
		p.operand(f.Args[0], p.breaksAfter(f.Args[0], aexpr, precLike) || escape && p.escapeTaken(f.Args[0], aexpr), aexpr)
		if escape {
			p.str(" ESCAPE ")
			p.operand(f.Args[1], p.breaksAfter(f.Args[1], aexpr, precLike), aexpr)
		}
	default: // the BETWEEN kinds: the name is the SQL
		l := a.Rexpr.GetList()
		if l == nil || len(l.Items) != 2 {
			p.fail()
		}
		name := p.oneName(a.Name)
		if betweenNames[kind] != name {
			p.fail()
		}
		p.operand(a.Lexpr, p.breaksBefore(a.Lexpr, aexpr, precLike), aexpr)
		p.char(' ')
		p.raw(name)
		p.char(' ')
		// The lower bound is a b_expr: BETWEEN a AND b AND c is ambiguous
		// otherwise.
		p.operand(l.Items[0], !p.bexprClean(l.Items[0], aexpr), aexpr)
		p.str(" AND ")
		p.operand(l.Items[1], p.breaksAfter(l.Items[1], aexpr, precLike), aexpr)
	}
}

// betweenNames are the names of the BETWEEN kinds of A_Expr, which the
// deparser prints.
var betweenNames = map[int32]string{
	int32(pg_query.A_Expr_Kind_AEXPR_BETWEEN):         "BETWEEN",
	int32(pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN):     "NOT BETWEEN",
	int32(pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM):     "BETWEEN SYMMETRIC",
	int32(pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM): "NOT BETWEEN SYMMETRIC",
}

// subquery reports whether n prints as a parenthesized SELECT, which the
// grammar reads as the subquery of x IN (…) or x = ANY (…) when it is all
// there is in the parentheses.
func (p *printer) subquery(n *pg_query.Node) bool {
	s := unwrapped(n).GetSubLink()
	return s != nil && p.enumValue(int32(s.SubLinkType), 8) == int32(pg_query.SubLinkType_EXPR_SUBLINK)
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

// isOp reports whether s is an operator the lexer reads back as s: made of
// operator characters, without a comment start, and not ending in + or -
// unless it has one of the characters that allow that. An empty name is
// refused: the deparser would print nothing for it. The parser makes no
// other names; != and => it reads as other tokens.
func (p *printer) isOp(s string) bool {
	if s == "" {
		p.fail()
	}
	special := false
	var prev byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '~', '!', '@', '#', '^', '&', '|', '`', '?', '%':
			special = true
		case '+', '<', '>', '=', '/':
		case '-':
			if prev == '-' {
				return false // a comment
			}
		case '*':
			if prev == '/' {
				return false // a comment
			}
		default:
			return false
		}
		prev = c
	}
	if len(s) > 1 && (prev == '+' || prev == '-') && !special {
		return false
	}
	return len(s) != 2 || s != "!=" && s != "=>"
}

// qualOp is "qual_Op": an operator, OPERATOR(schema.op) when qualified.
func (p *printer) qualOp(l []*pg_query.Node) {
	if len(l) == 1 {
		s := p.strVal(l[0])
		if !p.isOp(s) {
			p.fail() // OPERATOR(x) does not parse
		}
		p.raw(s)
		return
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
		}
	}
	p.qualOp(l)
}

// operatorSyntax is OPERATOR(any_operator).
func (p *printer) operatorSyntax(l []*pg_query.Node) {
	p.str("OPERATOR(")
	switch len(l) {
	case 1:
	case 2:
		p.ident(p.strVal(l[0]))
		p.char('.')
	default:
		p.fail()
	}
	s := p.strVal(l[len(l)-1])
	if !p.isOp(s) {
		p.fail()
	}
	p.raw(s)
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
		arg := b.Args[0]
		p.operand(arg, p.isAndOr(arg) || arg.GetAIndirection() != nil && p.breaksAfter(arg, true, precNot), true)
		return
	}
	if len(b.Args) < 2 {
		p.fail() // a AND without a second operand is a
	}
	level := precOr
	if op == int32(pg_query.BoolExprType_AND_EXPR) {
		level = precAnd
	}
	for i, n := range b.Args {
		if i > 0 {
			if level == precAnd {
				p.boundary()
				p.str("AND ")
			} else {
				p.str(" OR ")
			}
		}
		// Only AND and OR bind less tightly than AND, and the deparser
		// parenthesizes them, unless an indirection without a path holds
		// one (it prints what it holds as it is).
		p.operand(n, p.isAndOr(n) || n.GetAIndirection() != nil &&
			(i > 0 && p.breaksAfter(n, true, level) || i < len(b.Args)-1 && p.breaksBefore(n, true, level)), true)
	}
}

func (p *printer) collateClause(c *pg_query.CollateClause) {
	if c.Arg != nil {
		parens := c.Arg.GetAExpr() != nil || p.breaksBefore(c.Arg, true, precCollate)
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
	p.operand(n.Arg, p.breaksBefore(n.Arg, true, precIs), true)
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
	p.operand(b.Arg, b.Arg.GetBoolExpr() != nil || p.breaksBefore(b.Arg, true, precIs), true)
	p.str(booleanTests[p.enumValue(int32(b.Booltesttype), 6)])
}

var sqlValueFunctions = [...]string{"", "current_date", "current_time", "current_time", "current_timestamp",
	"current_timestamp", "localtime", "localtime", "localtimestamp", "localtimestamp", "current_role",
	"current_user", "user", "session_user", "current_catalog", "current_schema"}

func (p *printer) sqlValueFunction(s *pg_query.SQLValueFunction) {
	op := p.enumValue(int32(s.Op), 15)
	// Only the _N forms (CURRENT_TIME(2) …) have a precision, and they
	// must: each form reads back as itself only so.
	switch pg_query.SQLValueFunctionOp(op) {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N,
		pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME_N, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		if s.Typmod < 0 {
			p.fail()
		}
	default:
		if s.Typmod != -1 {
			p.fail()
		}
	}
	p.str(sqlValueFunctions[op])
	if s.Typmod != -1 {
		p.char('(')
		p.number(s.Typmod)
		p.char(')')
	}
}

func (p *printer) coalesceExpr(c *pg_query.CoalesceExpr) {
	if len(c.Args) == 0 {
		p.fail() // COALESCE() does not parse, nor GREATEST() or LEAST()
	}
	p.str("COALESCE(")
	p.exprList(c.Args)
	p.char(')')
}

func (p *printer) minMaxExpr(m *pg_query.MinMaxExpr) {
	if len(m.Args) == 0 {
		p.fail()
	}
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
		if len(r.Args) < 2 {
			p.fail() // (a) is a, () nothing: the parser makes no such row
		}
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
	if c := t.Arg.GetAConst(); c != nil {
		_, isString := c.Val.(*pg_query.A_Const_Sval)
		isString = isString && !c.Isnull
		if len(tn.Names) == 2 && p.strVal(tn.Names[0]) == "pg_catalog" {
			switch name := p.strVal(tn.Names[1]); {
			case name == "bpchar" && len(tn.Typmods) == 0:
				if !isString {
					p.fail() // char 1 does not parse: a type name takes a string
				}
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
		if len(tn.Names) == 1 && p.strVal(tn.Names[0]) == "point" && c.Location > tn.Location {
			if !isString {
				p.fail()
			}
			p.plainTypeName(tn)
			p.str(" point ")
			p.aConst(c)
			return
		}
	}
	p.operand(t.Arg, p.castParens(t) || p.breaksBefore(t.Arg, false, precCast), false)
	p.str("::")
	p.typeName(tn)
}

// castParens reports whether the deparser puts a cast's argument in
// parentheses: the a_expr node types, and numbers with a sign or a decimal
// point.
func (p *printer) castParens(t *pg_query.TypeCast) bool {
	if needsParensAsBExpr(t.Arg) {
		return true
	}
	if c := t.Arg.GetAConst(); c != nil && !c.Isnull {
		switch v := c.Val.(type) {
		case *pg_query.A_Const_Fval:
			return true
		case *pg_query.A_Const_Ival:
			return v.Ival.GetIval() < 0
		}
	}
	return false
}

// constCastForm reports whether typeCast prints t as a constant with a
// type name in front (char 'x', point '(1,2)') or as true or false.
func (p *printer) constCastForm(t *pg_query.TypeCast) bool {
	c, tn := t.Arg.GetAConst(), t.TypeName
	if c == nil || tn == nil {
		return false
	}
	names := func(i int) string { return tn.Names[i].GetString_().GetSval() }
	switch {
	case len(tn.Names) == 2 && names(0) == "pg_catalog" && names(1) == "bpchar":
		return len(tn.Typmods) == 0
	case len(tn.Names) == 2 && names(0) == "pg_catalog" && names(1) == "bool":
		v := c.GetSval().GetSval()
		return !c.Isnull && (v == "t" || v == "f")
	case len(tn.Names) == 1 && names(0) == "point":
		return c.Location > tn.Location
	}
	return false
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
		name := p.strVal(t.Names[1])
		// The SQL names take no modifiers, or one unsigned integer; the
		// parser makes no others.
		switch name {
		case "bool", "int2", "int4", "int8", "float4", "float8":
			if len(t.Typmods) > 0 {
				p.fail()
			}
		case "bpchar", "varchar", "time", "timestamp", "timetz", "timestamptz":
			if len(t.Typmods) > 1 || len(t.Typmods) == 1 && p.intTypmod(t.Typmods[0]) < 0 {
				p.fail()
			}
		}
		switch name {
		case "bpchar":
			// Without a length, char is char(1), and bpchar is unlimited.
			if len(t.Typmods) == 0 {
				p.str("pg_catalog.bpchar")
			} else {
				p.str("char")
			}
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
		case "float4":
			// Not pg_catalog.real: real reads back as float4.
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
			if name == "" {
				p.fail()
			}
			p.str("pg_catalog.")
			p.name(name, placeColLabel)
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
		if !ok || i.Integer == nil || i.Integer.Ival < -1 {
			p.fail()
		}
		p.char('[')
		if i.Integer.Ival != -1 {
			p.number(i.Integer.Ival)
		}
		p.char(']')
	}
	if t.PctType {
		p.fail() // x::t%type reads back as (x::t) % type
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
	intervalFullRange:                    "",
}

// intervalFullRange is INTERVAL_FULL_RANGE, an interval without fields.
const intervalFullRange = 0x7FFF

// intervalTypmods prints the fields and precision of an interval type, as
// the parser makes them: fields alone but the full range, which is no
// modifier at all, or a precision after the full range or fields that end
// in seconds.
func (p *printer) intervalTypmods(l []*pg_query.Node) {
	if len(l) > 2 {
		p.fail()
	}
	mask := p.intTypmod(l[0])
	fields, ok := intervalFields[mask]
	if !ok {
		p.fail()
	}
	if len(l) == 1 {
		if mask == intervalFullRange {
			p.fail()
		}
		p.str(fields)
		return
	}
	precision := p.intTypmod(l[1])
	if precision < 0 || precision == 0xFFFF /* INTERVAL_FULL_PRECISION */ || mask != intervalFullRange && mask&ivSecond == 0 {
		p.fail()
	}
	p.str(fields)
	p.char('(')
	p.number(precision)
	p.char(')')
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
	if p.enumValue(int32(f.Funcformat), 4) != int32(pg_query.CoercionForm_COERCE_EXPLICIT_CALL) {
		p.fail() // f(x) reads back as a plain call
	}
	for i, n := range f.Funcname {
		if i > 0 {
			p.char('.')
		}
		p.ident(p.strVal(n))
	}
	p.char('(')
	if (f.AggDistinct || f.FuncVariadic) && f.AggWithinGroup {
		p.fail() // the parser refuses them with WITHIN GROUP
	}
	if f.AggDistinct {
		if f.FuncVariadic || len(f.Args) == 0 && !f.AggStar {
			p.fail() // f(DISTINCT VARIADIC a) does not parse
		}
		p.str("DISTINCT ")
	}
	if f.AggStar {
		// f(*) takes no DISTINCT, VARIADIC or ORDER BY.
		if len(f.Args) > 0 || f.AggDistinct || f.FuncVariadic || len(f.AggOrder) > 0 && !f.AggWithinGroup {
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
				p.name(na.Name, placeParamName)
				p.str(" := ")
				p.expr(na.Arg, true)
			} else {
				p.expr(n, true)
			}
		}
	}
	p.char(' ')
	if len(f.AggOrder) > 0 && !f.AggWithinGroup {
		if len(f.Args) == 0 {
			p.fail() // f(ORDER BY x) does not parse
		}
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
			if w.Refname != "" || len(w.PartitionClause) > 0 || len(w.OrderClause) > 0 || w.FrameOptions != frameDefaults ||
				w.StartOffset != nil || w.EndOffset != nil {
				p.fail()
			}
			p.name(w.Name, placeColID)
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
	format := p.enumValue(int32(f.Funcformat), 4)
	// The deparser prints OVERLAY(…) also for a plain call of
	// pg_catalog.overlay, which then reads back as the SQL syntax form.
	if name == "overlay" && len(args) == 4 && format == int32(pg_query.CoercionForm_COERCE_SQL_SYNTAX) {
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
	if format != int32(pg_query.CoercionForm_COERCE_SQL_SYNTAX) {
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
		if c := args[0].GetAConst(); c == nil || c.Isnull || c.GetSval() == nil {
			p.fail() // the field is read back as a string whatever it was
		}
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
		p.operand(e, e.GetAExpr() != nil || p.breaksBefore(e, true, precAt), true)
		if len(args) == 1 {
			p.str(" AT LOCAL")
		} else {
			p.str(" AT TIME ZONE ")
			p.operand(args[0], p.breaksAfter(args[0], true, precAt), true)
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
		p.operand(args[0], p.breaksBefore(args[0], true, precIs), true)
		p.str(" IS ")
		if len(args) == 2 {
			p.form(args[1])
		}
		p.str(" NORMALIZED ")
	case name == "xmlexists" && len(args) == 2:
		p.noCallExtras(f)
		p.str("xmlexists (")
		p.cexprArg(args[0])
		p.str(" PASSING ")
		p.cexprArg(args[1])
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
	switch n.GetAConst().GetSval().GetSval() {
	case "NFC", "NFD", "NFKC", "NFKD":
		p.value(n.GetAConst())
	default:
		p.fail() // the parser makes no other
	}
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

// frameOffset prints the offset of a frame bound. A column named unbounded
// is quoted: unbounded PRECEDING is UNBOUNDED PRECEDING.
func (p *printer) frameOffset(n *pg_query.Node) {
	if c := n.GetColumnRef(); c != nil && len(c.Fields) == 1 && c.Fields[0].GetString_().GetSval() == "unbounded" {
		p.quoted("unbounded")
		return
	}
	p.expr(n, true)
}

func (p *printer) windowDef(w *pg_query.WindowDef) {
	opts := w.FrameOptions
	if opts&(frameStartOffsetPreceding|frameStartOffsetFollowing) == 0 && w.StartOffset != nil ||
		opts&(frameEndOffsetPreceding|frameEndOffsetFollowing) == 0 && w.EndOffset != nil {
		p.fail()
	}
	if opts&frameNonDefault == 0 && opts != frameDefaults {
		p.fail() // frame options the deparser would ignore
	}
	if w.Refname == "" && len(w.PartitionClause) == 0 && len(w.OrderClause) == 0 && opts&frameNonDefault == 0 {
		p.str("()")
		return
	}
	p.char('(')
	p.boundary()
	if w.Refname != "" {
		switch w.Refname {
		case "partition", "range", "rows", "groups":
			// (rows …) starts a frame clause, not a reference to the
			// window rows.
			p.quoted(w.Refname)
		default:
			p.ident(w.Refname)
		}
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
			p.frameOffset(w.StartOffset)
			p.str(" PRECEDING ")
		case opts&frameStartOffsetFollowing != 0:
			p.frameOffset(w.StartOffset)
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
				p.frameOffset(w.EndOffset)
				p.str(" PRECEDING ")
			case opts&frameEndOffsetFollowing != 0:
				p.frameOffset(w.EndOffset)
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
