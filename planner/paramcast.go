package planner

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/keboola/agnes/pgerr"
)

// CastParams gives parameters a type DuckDB could not infer. PostgreSQL
// types every parameter when it prepares a statement: as the client
// declared it in Parse, else from its context, else as text (SELECT $1,
// $1 IS NULL, coalesce($1, $2)). DuckDB leaves such parameters untyped,
// and then reports no result columns until values are bound, so the
// statement could not be described. sql is a statement the planner
// produced (Plan.SQL); types maps a parameter number to the DuckDB type it
// is cast to ("VARCHAR", "TIMESTAMPTZ", "INTEGER[]"). Every occurrence of
// such a $n becomes ($n::type); other text is kept byte for byte. The
// parameters are found with PostgreSQL's scanner, so a $1 inside a string
// literal, a quoted identifier or a comment is never touched.
func CastParams(sql string, types map[int]string) (string, error) {
	if len(types) == 0 {
		return sql, nil
	}
	return replaceParams(sql, func(num int, param string) (string, bool) {
		typ, ok := types[num]
		return "(" + param + "::" + typ + ")", ok
	})
}

// NullParams replaces each parameter $n that types lists by a NULL of that
// type (CAST(NULL AS type); an untyped NULL for ""), for describing a statement DuckDB can only
// type once values are bound (a table function whose arguments are
// parameters). The result is described, never run.
func NullParams(sql string, types map[int]string) (string, error) {
	return replaceParams(sql, func(num int, _ string) (string, bool) {
		typ, ok := types[num]
		if typ == "" {
			return "NULL", ok
		}
		return "CAST(NULL AS " + typ + ")", ok
	})
}

// replaceParams rewrites the parameters of sql with repl (keeping those it
// declines), found with PostgreSQL's scanner so that text in strings,
// quoted identifiers and comments is never touched.
func replaceParams(sql string, repl func(num int, param string) (string, bool)) (string, error) {
	scan, err := pg_query.Scan(sql)
	if err != nil {
		return "", pgerr.New(pgerr.InternalError, "typing parameters: %v", err)
	}
	var b strings.Builder
	last := 0
	for _, tok := range scan.Tokens {
		if tok.Token != pg_query.Token_PARAM {
			continue
		}
		start, end := int(tok.Start), int(tok.End)
		if start < last || end > len(sql) || start >= end {
			return "", pgerr.New(pgerr.InternalError, "typing parameters: token at %d..%d out of order", start, end)
		}
		num, err := strconv.Atoi(strings.TrimPrefix(sql[start:end], "$"))
		if err != nil {
			return "", pgerr.New(pgerr.InternalError, "typing parameters: %q is not a parameter", sql[start:end])
		}
		text, ok := repl(num, sql[start:end])
		if !ok {
			continue
		}
		b.WriteString(sql[last:start])
		b.WriteString(text)
		last = end
	}
	b.WriteString(sql[last:])
	return b.String(), nil
}
