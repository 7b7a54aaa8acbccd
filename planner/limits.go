package planner

import (
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// Limits that keep hostile input from crashing the process. pg_query parses
// in C, on the calling thread's stack, and neither its protobuf output nor its
// deparser checks stack depth: a deep enough tree segfaults the whole server
// (measured numbers are in doc.go). Go's protobuf decoder refuses trees nested
// deeper than 10,000 messages, which catches some of it with an error, but the
// C side crashes first for long operator chains and the deparser crashes on
// trees that decode fine. Hence three guards:
//
//  1. before parsing, a cheap scan bounds the depth of the tree the C parser
//     could build (maxEstimatedNesting);
//  2. after parsing, the analyzer refuses trees nested deeper than MaxDepth
//     messages, which keeps deparse (and the analyzer's own recursion) far
//     from the crash;
//  3. Go's protobuf recursion limit, reported as the same 54001 error.
const (
	// DefaultMaxLength is the longest query string accepted (bytes).
	DefaultMaxLength = 1 << 20
	// DefaultMaxDepth is the deepest parse tree accepted, counted in
	// protobuf messages from the statement node down. One level of a binary
	// operator chain is two messages (Node, A_Expr); one level of scalar
	// subquery nesting is about six. The deparser crashed at about 8,900 on
	// an 8 MiB thread stack.
	DefaultMaxDepth = 2000
	// DefaultMaxStatements is the most statements one query string may hold.
	DefaultMaxStatements = 1000
	// maxEstimatedNesting bounds the pre-parse estimate of expression
	// nesting. The C parser crashed at about 23,800 levels on an 8 MiB
	// thread stack.
	maxEstimatedNesting = 4000
)

func (o *Options) maxLength() int {
	if o.MaxLength > 0 {
		return o.MaxLength
	}
	return DefaultMaxLength
}

func (o *Options) maxDepth() int {
	if o.MaxDepth > 0 {
		return o.MaxDepth
	}
	return DefaultMaxDepth
}

func (o *Options) maxStatements() int {
	if o.MaxStatements > 0 {
		return o.MaxStatements
	}
	return DefaultMaxStatements
}

// checkInput refuses input that must never reach the C parser: too long, not
// UTF-8, containing NUL (pg_query takes a C string, so a NUL would silently
// cut the statement short), or nested deeper than the parser survives.
func checkInput(sql string, opt *Options) error {
	if max := opt.maxLength(); len(sql) > max {
		return pgerr.New(pgerr.ProgramLimitExceeded,
			"query string is %d bytes, longer than the limit of %d bytes", len(sql), max).
			WithHint("Split the work into smaller statements.")
	}
	if !utf8.ValidString(sql) {
		return pgerr.New(pgerr.CharacterNotInRepertoire, `invalid byte sequence for encoding "UTF8"`)
	}
	if i := strings.IndexByte(sql, 0); i >= 0 {
		return pgerr.New(pgerr.CharacterNotInRepertoire, `invalid byte sequence for encoding "UTF8": 0x00`)
	}
	if roughNesting(sql) <= maxEstimatedNesting {
		return nil
	}
	depth, err := scannedNesting(sql)
	if err != nil {
		return err
	}
	if depth > maxEstimatedNesting {
		return tooComplex()
	}
	return nil
}

func tooComplex() *pgerr.Error {
	return pgerr.New(pgerr.StatementTooComplex, "statement is too complex: expressions or subqueries are nested too deeply").
		WithHint("Simplify the statement, for example by splitting long operator chains or deep nesting into several steps.")
}

// roughNesting is an upper bound of how deep the parser's tree can be, counted
// without lexing: every operator character, opening bracket and keyword that
// can add a tree level counts once, wherever it stands (also inside string
// literals and comments, which only makes the bound looser). Trees deepen only
// through such tokens, so when the count is small the input is safe; when it
// is large, scannedNesting looks closer.
func roughNesting(sql string) int {
	n := 0
	for i := 0; i < len(sql); i++ {
		c := sql[i]
		switch {
		case strings.IndexByte("([+-*/%^<>=~!@#&|?:", c) >= 0:
			n++
		case isIdentStart(c) && (i == 0 || !isIdentCont(sql[i-1])):
			j := i + 1
			for j < len(sql) && isIdentCont(sql[j]) {
				j++
			}
			if j-i <= 9 && nestingKeywords[strings.ToLower(sql[i:j])] {
				n++
			}
			i = j - 1
		}
	}
	return n
}

// nestingKeywords are keywords that can add a level to the tree without an
// operator character or a bracket (left-deep chains, prefix operators, CASE).
var nestingKeywords = map[string]bool{
	"not": true, "is": true, "isnull": true, "notnull": true, "case": true,
	"join": true, "union": true, "intersect": true, "except": true,
	"collate": true, "at": true, "like": true, "ilike": true, "similar": true,
	"between": true, "in": true, "overlaps": true, "and": true, "or": true,
	"array": true, "row": true, "exists": true, "any": true, "all": true,
	"some": true, "escape": true, "distinct": true, "json": true,
}

// PostgreSQL's identifier character classes (scan.l ident_start/ident_cont).
func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

func isIdentCont(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '$'
}

// scannedNesting estimates the deepest expression nesting with PostgreSQL's
// own lexer (no tree is built, so it cannot overflow). Within one bracket
// level, a run of operators builds a left-deep chain one level per operator;
// a comma, AND/OR (which the parser flattens into one list) or a CASE arm
// ends the run. JOIN and set operations chain for the whole level. Brackets
// and CASE...END open a level on top of the chain that encloses them.
func scannedNesting(sql string) (int, error) {
	res, err := pg_query.Scan(sql)
	if err != nil {
		// The lexer failed (an unterminated literal …): the parser will
		// report the same error with its position.
		return 0, nil
	}
	type frame struct{ base, chain, joins int }
	stack := []frame{{}}
	deepest := 0
	for _, tok := range res.Tokens {
		top := &stack[len(stack)-1]
		switch tok.Token {
		case pg_query.Token_ASCII_40, pg_query.Token_ASCII_91, pg_query.Token_CASE: // ( [ CASE
			stack = append(stack, frame{base: top.base + top.chain + top.joins + 1})
		case pg_query.Token_ASCII_41, pg_query.Token_ASCII_93, pg_query.Token_END_P: // ) ] END
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
		case pg_query.Token_ASCII_59: // ;
			stack = append(stack[:0], frame{})
		case pg_query.Token_ASCII_44, pg_query.Token_AND, pg_query.Token_OR,
			pg_query.Token_WHEN, pg_query.Token_THEN, pg_query.Token_ELSE:
			top.chain = 0
		case pg_query.Token_JOIN, pg_query.Token_UNION, pg_query.Token_INTERSECT, pg_query.Token_EXCEPT:
			top.joins++
		case pg_query.Token_Op, pg_query.Token_TYPECAST, pg_query.Token_LESS_EQUALS,
			pg_query.Token_GREATER_EQUALS, pg_query.Token_NOT_EQUALS, pg_query.Token_EQUALS_GREATER,
			pg_query.Token_ASCII_37, pg_query.Token_ASCII_42, pg_query.Token_ASCII_43,
			pg_query.Token_ASCII_45, pg_query.Token_ASCII_47, pg_query.Token_ASCII_58,
			pg_query.Token_ASCII_60, pg_query.Token_ASCII_61, pg_query.Token_ASCII_62,
			pg_query.Token_ASCII_63, pg_query.Token_ASCII_94,
			pg_query.Token_NOT, pg_query.Token_IS, pg_query.Token_ISNULL, pg_query.Token_NOTNULL,
			pg_query.Token_COLLATE, pg_query.Token_AT, pg_query.Token_LIKE, pg_query.Token_ILIKE,
			pg_query.Token_SIMILAR, pg_query.Token_BETWEEN, pg_query.Token_IN_P,
			pg_query.Token_OVERLAPS, pg_query.Token_ESCAPE:
			top.chain++
		}
		top = &stack[len(stack)-1]
		if d := top.base + top.chain + top.joins; d > deepest {
			deepest = d
		}
	}
	return deepest, nil
}
