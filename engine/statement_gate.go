package engine

import (
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
)

// The sandbox's file allow-list cannot tell reading from writing: a granted
// parquet file (and the sandbox's catalog) may be written by COPY … TO
// (USE_TMP_FILE false), also inside EXPLAIN ANALYZE. So the engine itself
// refuses every statement kind that is not needed to run queries, whatever
// the planner let through.

// allowedStatements are the statement kinds a Conn runs. Writes can only
// reach TEMP objects: the catalog is read-only.
var allowedStatements = map[duckdb.StmtType]bool{
	duckdb.STATEMENT_TYPE_SELECT:       true,
	duckdb.STATEMENT_TYPE_EXPLAIN:      true, // only over a query: see checkExplain
	duckdb.STATEMENT_TYPE_INSERT:       true,
	duckdb.STATEMENT_TYPE_UPDATE:       true,
	duckdb.STATEMENT_TYPE_DELETE:       true,
	duckdb.STATEMENT_TYPE_CREATE:       true,
	duckdb.STATEMENT_TYPE_DROP:         true,
	duckdb.STATEMENT_TYPE_ALTER:        true,
	duckdb.STATEMENT_TYPE_TRANSACTION:  true,
	duckdb.STATEMENT_TYPE_SET:          true, // only search_path/schema are not locked
	duckdb.STATEMENT_TYPE_VARIABLE_SET: true,
	duckdb.STATEMENT_TYPE_CALL:         true, // same as SELECT * FROM f()
	duckdb.STATEMENT_TYPE_RELATION:     true,
}

// statementNames name refused kinds in errors.
var statementNames = map[duckdb.StmtType]string{
	duckdb.STATEMENT_TYPE_COPY:         "COPY",
	duckdb.STATEMENT_TYPE_EXPORT:       "EXPORT",
	duckdb.STATEMENT_TYPE_ATTACH:       "ATTACH",
	duckdb.STATEMENT_TYPE_DETACH:       "DETACH",
	duckdb.STATEMENT_TYPE_LOAD:         "INSTALL/LOAD",
	duckdb.STATEMENT_TYPE_PRAGMA:       "PRAGMA",
	duckdb.STATEMENT_TYPE_PREPARE:      "PREPARE",
	duckdb.STATEMENT_TYPE_EXECUTE:      "EXECUTE",
	duckdb.STATEMENT_TYPE_VACUUM:       "VACUUM/ANALYZE",
	duckdb.STATEMENT_TYPE_ANALYZE:      "ANALYZE",
	duckdb.STATEMENT_TYPE_EXTENSION:    "extension",
	duckdb.STATEMENT_TYPE_LOGICAL_PLAN: "logical plan",
	duckdb.STATEMENT_TYPE_MULTI:        "multi-statement",
	duckdb.STATEMENT_TYPE_CREATE_FUNC:  "CREATE FUNCTION",
}

// queryKeywords start statements that can only be queries (SELECT, or a
// WITH … INSERT/UPDATE/DELETE, all allowed).
var queryKeywords = map[string]bool{"SELECT": true, "WITH": true, "FROM": true, "VALUES": true, "TABLE": true, "(": true}

// checkStatement refuses a prepared statement whose kind is not allowed;
// sql is its text.
func checkStatement(kind duckdb.StmtType, sql string) error {
	if !allowedStatements[kind] {
		msg := "statements of this kind are not allowed"
		if name, ok := statementNames[kind]; ok {
			msg = name + " statements are not allowed"
		}
		return pgerr.New(pgerr.InsufficientPrivilege, "%s", msg).
			WithHint("Agnes runs queries over the tables granted to you; it does not read or write files or change the engine.")
	}
	if kind == duckdb.STATEMENT_TYPE_EXPLAIN {
		return checkExplain(sql)
	}
	return nil
}

// checkExplain allows EXPLAIN [ANALYZE] [(options)] only over a query:
// EXPLAIN ANALYZE executes its statement.
func checkExplain(sql string) error {
	sc := sqlScanner{s: sql}
	sc.next() // EXPLAIN
	tok := sc.next()
	if tok == "ANALYZE" || tok == "ANALYSE" {
		tok = sc.next()
	}
	if tok == "(" {
		// Either a parenthesized query or an options list.
		save := sc.pos
		if queryKeywords[sc.next()] {
			return nil
		}
		sc.pos = save
		if !sc.skipGroup() {
			tok = ""
		} else {
			tok = sc.next()
		}
	}
	if queryKeywords[tok] {
		return nil
	}
	return pgerr.New(pgerr.InsufficientPrivilege, "EXPLAIN is allowed only for queries")
}

// sqlScanner reads the leading tokens of a statement: upper-cased words and
// single punctuation characters, skipping blanks and comments.
type sqlScanner struct {
	s   string
	pos int
}

func (sc *sqlScanner) skipBlank() {
	for sc.pos < len(sc.s) {
		rest := sc.s[sc.pos:]
		switch {
		case rest[0] == ' ' || rest[0] == '\t' || rest[0] == '\n' || rest[0] == '\r' || rest[0] == '\f':
			sc.pos++
		case strings.HasPrefix(rest, "--"):
			if i := strings.IndexByte(rest, '\n'); i >= 0 {
				sc.pos += i + 1
			} else {
				sc.pos = len(sc.s)
			}
		case strings.HasPrefix(rest, "/*"):
			if i := strings.Index(rest[2:], "*/"); i >= 0 {
				sc.pos += i + 4
			} else {
				sc.pos = len(sc.s)
			}
		default:
			return
		}
	}
}

// next returns the next token, "" at the end.
func (sc *sqlScanner) next() string {
	sc.skipBlank()
	if sc.pos >= len(sc.s) {
		return ""
	}
	start := sc.pos
	for sc.pos < len(sc.s) && isWordByte(sc.s[sc.pos]) {
		sc.pos++
	}
	if sc.pos == start {
		sc.pos++
	}
	return strings.ToUpper(sc.s[start:sc.pos])
}

// skipGroup skips past the ')' matching an already consumed '(' (quotes are
// not expected in EXPLAIN options); false when unbalanced.
func (sc *sqlScanner) skipGroup() bool {
	depth := 1
	for sc.pos < len(sc.s) {
		switch sc.s[sc.pos] {
		case '(':
			depth++
		case ')':
			depth--
		}
		sc.pos++
		if depth == 0 {
			return true
		}
	}
	return false
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}
