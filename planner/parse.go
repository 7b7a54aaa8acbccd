package planner

import (
	"errors"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/pganalyze/pg_query_go/v6/parser"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/keboola/agnes/pgerr"
)

// statement is one statement of a query string, as the parser split it.
type statement struct {
	node     *pg_query.Node
	original string // the client's text of the statement, trimmed
	version  int32  // parse tree version, needed to deparse
}

// parse parses a whole query string with PostgreSQL's grammar and splits it
// into statements. Empty and comment-only strings give no statements.
func parse(sql string, opt *Options) ([]statement, error) {
	tree, err := pg_query.Parse(sql)
	if err != nil {
		return nil, parseError(err)
	}
	if max := opt.maxStatements(); len(tree.Stmts) > max {
		return nil, pgerr.New(pgerr.ProgramLimitExceeded,
			"query string holds %d statements, more than the limit of %d", len(tree.Stmts), max).
			WithHint("Send the statements in several query strings.")
	}
	stmts := make([]statement, 0, len(tree.Stmts))
	for _, raw := range tree.Stmts {
		stmts = append(stmts, statement{
			node:     raw.Stmt,
			original: statementText(sql, raw),
			version:  tree.Version,
		})
	}
	return stmts, nil
}

func statementText(sql string, raw *pg_query.RawStmt) string {
	start := int(raw.StmtLocation)
	end := len(sql)
	if raw.StmtLen > 0 {
		end = start + int(raw.StmtLen)
	}
	if start < 0 || start > end || end > len(sql) {
		return ""
	}
	return strings.TrimSpace(sql[start:end])
}

// parseError turns a pg_query failure into the PostgreSQL error a client
// expects. The parser reports a 1-based character position, which is what
// ErrorResponse's P field carries.
func parseError(err error) error {
	var pe *parser.Error
	if errors.As(err, &pe) {
		msg := pe.Message
		switch {
		case strings.Contains(msg, "memory exhausted"), strings.Contains(msg, "stack depth limit exceeded"):
			return tooComplex()
		case strings.Contains(msg, "invalid byte sequence"):
			return pgerr.New(pgerr.CharacterNotInRepertoire, "%s", msg)
		case strings.HasPrefix(msg, "invalid Unicode"):
			e := pgerr.New(pgerr.UntranslatableCharacter, "%s", msg)
			e.Position = int32(pe.Cursorpos)
			return e
		}
		e := pgerr.New(pgerr.SyntaxError, "%s", msg)
		e.Position = int32(pe.Cursorpos)
		return e
	}
	// The Go side refuses to decode trees nested past its recursion limit.
	if strings.Contains(err.Error(), "recursion") {
		return tooComplex()
	}
	return pgerr.New(pgerr.SyntaxError, "statement could not be parsed: %v", err)
}

// charPosition converts a byte offset of the parse tree (0-based) into the
// 1-based character position PostgreSQL reports; 0 when unknown.
func charPosition(sql string, offset int32) int32 {
	if offset < 0 || int(offset) > len(sql) {
		return 0
	}
	return int32(utf8.RuneCountInString(sql[:offset])) + 1
}

// nodeOneof is the oneof of pg_query.Node that holds the concrete node.
var nodeOneof = (&pg_query.Node{}).ProtoReflect().Descriptor().Oneofs().ByName("node")

// nodeType is the oneof field number of a node's concrete type (SelectStmt,
// VariableSetStmt …); 0 for an empty node.
func nodeType(n *pg_query.Node) protoreflect.FieldNumber {
	fd := n.ProtoReflect().WhichOneof(nodeOneof)
	if fd == nil {
		return 0
	}
	return fd.Number()
}

// checkPrinted, when set (by the tests), is given every statement the Go
// printer printed, to compare with the C deparser.
var checkPrinted func(node *pg_query.Node, printed string)

// deparse turns one (rewritten) statement back into SQL text: a SELECT with
// the Go printer, which prints what pg_query.Deparse prints without its
// protobuf round trip, anything else (or a SELECT the printer declines)
// with pg_query's C deparser.
func deparse(version int32, node *pg_query.Node) (string, error) {
	if sql, ok := printSelect(node); ok {
		if checkPrinted != nil {
			checkPrinted(node, sql)
		}
		return sql, nil
	}
	out, err := pg_query.Deparse(&pg_query.ParseResult{
		Version: version,
		Stmts:   []*pg_query.RawStmt{{Stmt: node}},
	})
	if err != nil {
		return "", pgerr.New(pgerr.FeatureNotSupported, "statement cannot be executed by the gateway: %v", err)
	}
	return out, nil
}

// selectStmtField is the Node field of a SELECT.
var selectStmtField = nodeType(&pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{}}})

// verifyDeparsed re-parses the SQL that DuckDB will run and checks that it is
// exactly one statement of the same type as the one that was checked.
//
// A SELECT without a leading WITH is checked with the parser's statement
// splitter (the full grammar, without building a tree) and its first
// keyword: one statement that starts with SELECT or VALUES, possibly
// parenthesized, is a SELECT. Anything else is re-parsed and the type read
// from the top of the protobuf tree instead of decoding all of it.
func verifyDeparsed(sql string, want protoreflect.FieldNumber) error {
	fail := func(why string) error {
		// Fail closed with a clear answer: the printer produced something
		// that parses differently, so the statement is not run.
		return pgerr.New(pgerr.FeatureNotSupported, "statement uses syntax the gateway cannot rewrite safely").
			WithDetail("rewritten statement failed verification: %s", why)
	}
	if want == selectStmtField {
		switch leadingKeyword(sql) {
		case "select", "values":
			stmts, err := pg_query.SplitWithParser(sql, true)
			switch {
			case err != nil:
				return fail("it does not parse: " + err.Error())
			case len(stmts) != 1:
				return fail("it is not exactly one statement")
			}
			return nil
		case "with":
			// WITH … may end in INSERT, UPDATE or DELETE: read the tree.
		default:
			return fail("its statement type changed")
		}
	}
	pb, err := parser.ParseToProtobuf(sql)
	if err != nil {
		return fail("it does not parse: " + err.Error())
	}
	var stmts [][]byte
	if err := protoFields(pb, func(num protowire.Number, val []byte) {
		if num == 2 { // ParseResult.stmts
			stmts = append(stmts, val)
		}
	}); err != nil {
		return fail(err.Error())
	}
	if len(stmts) != 1 {
		return fail("it is not exactly one statement")
	}
	var node []byte
	if err := protoFields(stmts[0], func(num protowire.Number, val []byte) {
		if num == 1 { // RawStmt.stmt
			node = val
		}
	}); err != nil {
		return fail(err.Error())
	}
	var got protowire.Number
	if err := protoFields(node, func(num protowire.Number, _ []byte) { got = num }); err != nil {
		return fail(err.Error())
	}
	if got != want {
		return fail("its statement type changed")
	}
	return nil
}

// leadingKeyword is the first word of sql, lower case, after blanks and
// opening parentheses ("" when it does not start with a letter).
func leadingKeyword(sql string) string {
	i := 0
	for i < len(sql) && (sql[i] == ' ' || sql[i] == '\t' || sql[i] == '\n' || sql[i] == '\r' || sql[i] == '(') {
		i++
	}
	j := i
	for j < len(sql) && (sql[j] >= 'a' && sql[j] <= 'z' || sql[j] >= 'A' && sql[j] <= 'Z') {
		j++
	}
	if j < len(sql) && (sql[j] == '_' || sql[j] >= '0' && sql[j] <= '9' || sql[j] >= 0x80 || sql[j] == '$') {
		return "" // an identifier such as select_x, not a keyword
	}
	return strings.ToLower(sql[i:j])
}

// protoFields calls fn for each length-delimited field of one protobuf
// message; other wire types are skipped.
func protoFields(b []byte, fn func(protowire.Number, []byte)) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		if typ == protowire.BytesType {
			val, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return protowire.ParseError(m)
			}
			fn(num, val)
			b = b[m:]
			continue
		}
		m := protowire.ConsumeFieldValue(num, typ, b)
		if m < 0 {
			return protowire.ParseError(m)
		}
		b = b[m:]
	}
	return nil
}
