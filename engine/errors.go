package engine

import (
	"context"
	"errors"
	"path"
	"regexp"
	"strings"

	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
)

// TranslateError maps an error from DuckDB (or from the context of a DuckDB
// call) to a *pgerr.Error with a PostgreSQL SQLSTATE. It returns nil for nil
// and a *pgerr.Error unchanged. Messages lose DuckDB's "<Kind> Error:" prefix
// and the "LINE n:" excerpt (it quotes the rewritten statement, not the
// client's), and every absolute path is cut to its base name, so no data file
// location reaches a client.
func TranslateError(err error) error {
	if err == nil {
		return nil
	}
	if pe, ok := pgerr.As(err); ok {
		return pe
	}
	// Context first: an interrupted DuckDB call returns the context's error
	// joined with DuckDB's INTERRUPT error.
	if errors.Is(err, context.Canceled) {
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to statement timeout")
	}
	var de *duckdb.Error
	if errors.As(err, &de) {
		return translateDuckDB(de)
	}
	return translateDriver(err)
}

// translateDriver handles the Go driver's own errors (no DuckDB error type).
func translateDriver(err error) *pgerr.Error {
	msg := sanitizePaths(strings.TrimPrefix(err.Error(), "database/sql/driver: "))
	switch {
	case strings.Contains(msg, "missing context for multi-statement query"):
		return pgerr.New(pgerr.SyntaxError, "cannot insert multiple commands into a prepared statement")
	case msg == "empty query":
		return pgerr.New(pgerr.SyntaxError, "empty query")
	case strings.Contains(msg, "incorrect argument count"):
		return pgerr.New(pgerr.ProtocolViolation, "%s", firstLine(msg))
	case strings.Contains(msg, "could not bind"), strings.Contains(msg, "unsupported data type"),
		strings.Contains(msg, "cannot convert"):
		return pgerr.New(pgerr.InvalidParameterValue, "%s", oneLine(msg))
	case strings.Contains(msg, "closed"):
		return pgerr.New(pgerr.ObjectNotInPrerequisiteState, "%s", firstLine(msg))
	}
	return pgerr.New(pgerr.InternalError, "query engine error: %s", firstLine(msg))
}

// codeRule picks a SQLSTATE for DuckDB messages containing any of match.
type codeRule struct {
	match []string
	code  string
}

// messageRules refine the per-type default; the first match wins.
var messageRules = map[duckdb.ErrorType][]codeRule{
	duckdb.ErrorTypeCatalog: {
		{[]string{"read-only mode"}, pgerr.ReadOnlySQLTransaction},
		{[]string{"Schema with name"}, pgerr.InvalidSchemaName},
		{[]string{"Function with name", "Macro with name", "Macro Function with name"}, pgerr.UndefinedFunction},
		{[]string{"Type with name"}, pgerr.UndefinedObject},
		{[]string{"Catalog with name", "Catalog \""}, pgerr.InvalidCatalogName},
		{[]string{"Table with name", "View with name"}, pgerr.UndefinedTable},
		{[]string{"already exists"}, pgerr.DuplicateObject},
	},
	duckdb.ErrorTypeBinder: {
		{[]string{"Ambiguous reference"}, pgerr.AmbiguousColumn},
		{[]string{"Referenced column", "not found in FROM clause", "does not have a column named", "Column with name"}, pgerr.UndefinedColumn},
		{[]string{"Referenced table"}, pgerr.UndefinedTable},
		{[]string{"Could not choose a best candidate function"}, pgerr.AmbiguousFunction},
		{[]string{"No function matches", "does not support the supplied arguments"}, pgerr.UndefinedFunction},
		{[]string{"GROUP BY clause", "aggregate function"}, pgerr.GroupingError},
		{[]string{"Cannot compare values", "Cannot mix values", "implicit cast", "can't be cast", "Cannot combine types"}, pgerr.DatatypeMismatch},
		{[]string{"Could not determine type of parameter", "parameter"}, pgerr.IndeterminateDatatype},
	},
	duckdb.ErrorTypeConversion: {
		{[]string{"field value out of range"}, pgerr.DatetimeFieldOverflow},
		{[]string{"Malformed JSON"}, pgerr.InvalidTextRepresentation},
		{[]string{"out of range"}, pgerr.NumericValueOutOfRange},
		{[]string{"to DATE", "to TIMESTAMP", "to TIME", "date field", "timestamp field", "time field"}, pgerr.InvalidDatetimeFormat},
		{[]string{"Could not convert", "Could not parse"}, pgerr.InvalidTextRepresentation},
		{[]string{"Unimplemented type for cast"}, pgerr.CannotCoerce},
	},
	duckdb.ErrorTypeInvalidInput: {
		{[]string{"configuration has been locked"}, pgerr.InsufficientPrivilege},
		{[]string{"division by zero"}, pgerr.DivisionByZero},
		{[]string{"Malformed JSON"}, pgerr.InvalidTextRepresentation},
		{[]string{"read-only mode"}, pgerr.ReadOnlySQLTransaction},
		{[]string{"does not exist, but it exists in the", "extension"}, pgerr.FeatureNotSupported},
		{[]string{"regular expression", "regex"}, pgerr.InvalidRegularExpression},
		{[]string{"unicode", "UTF-8", "UTF8"}, pgerr.CharacterNotInRepertoire},
	},
	duckdb.ErrorTypeTransaction: {
		{[]string{"no transaction is active"}, pgerr.NoActiveSQLTransaction},
		{[]string{"within a transaction"}, pgerr.ActiveSQLTransaction},
		{[]string{"transaction is aborted"}, pgerr.InFailedSQLTransaction},
		{[]string{"onflict"}, pgerr.SerializationFailure},
	},
	duckdb.ErrorTypeOutOfMemory: {
		{[]string{"max_temp_directory_size", "temporary directory", "temp_directory"}, pgerr.DiskFull},
	},
}

// typeCodes is the SQLSTATE for each DuckDB error type when no message rule
// matches; types not listed are internal errors (XX000).
var typeCodes = map[duckdb.ErrorType]string{
	duckdb.ErrorTypeParser:               pgerr.SyntaxError,
	duckdb.ErrorTypeSyntax:               pgerr.SyntaxError,
	duckdb.ErrorTypeCatalog:              pgerr.UndefinedObject,
	duckdb.ErrorTypeBinder:               pgerr.SyntaxErrorOrAccessRule,
	duckdb.ErrorTypeConversion:           pgerr.DataException,
	duckdb.ErrorTypeOutOfRange:           pgerr.NumericValueOutOfRange,
	duckdb.ErrorTypeDecimal:              pgerr.NumericValueOutOfRange,
	duckdb.ErrorTypeDivideByZero:         pgerr.DivisionByZero,
	duckdb.ErrorTypeMismatchType:         pgerr.DatatypeMismatch,
	duckdb.ErrorTypeInvalidType:          pgerr.DatatypeMismatch,
	duckdb.ErrorTypeInvalidInput:         pgerr.InvalidParameterValue,
	duckdb.ErrorTypeInvalidConfiguration: pgerr.InvalidParameterValue,
	duckdb.ErrorTypeSettings:             pgerr.InvalidParameterValue,
	duckdb.ErrorTypeParameterNotResolved: pgerr.IndeterminateDatatype,
	duckdb.ErrorTypeParameterNotAllowed:  pgerr.FeatureNotSupported,
	duckdb.ErrorTypeNotImplemented:       pgerr.FeatureNotSupported,
	duckdb.ErrorTypeMissingExtension:     pgerr.FeatureNotSupported,
	duckdb.ErrorTypeAutoLoad:             pgerr.FeatureNotSupported,
	duckdb.ErrorTypeHTTP:                 pgerr.FeatureNotSupported,
	duckdb.ErrorTypeNetwork:              pgerr.FeatureNotSupported,
	duckdb.ErrorTypePermission:           pgerr.InsufficientPrivilege,
	duckdb.ErrorTypeInterrupt:            pgerr.QueryCanceled,
	duckdb.ErrorTypeOutOfMemory:          pgerr.OutOfMemory,
	duckdb.ErrorTypeIO:                   pgerr.IOError,
	duckdb.ErrorTypeTransaction:          pgerr.InvalidTransactionState,
	duckdb.ErrorTypeConstraint:           pgerr.IntegrityConstraintViolation,
	duckdb.ErrorTypeDependency:           pgerr.ObjectNotInPrerequisiteState,
	duckdb.ErrorTypeSequence:             pgerr.ObjectNotInPrerequisiteState,
	duckdb.ErrorTypeObjectSize:           pgerr.ProgramLimitExceeded,
	duckdb.ErrorTypeConnection:           pgerr.ConnectionException,
}

// Hints for errors whose DuckDB advice does not apply in a sandbox.
const (
	hintSandboxFiles = "Queries can read only the tables granted to you; files, other databases and extensions are not reachable."
	hintSandboxSet   = "Engine settings are fixed for every session; PostgreSQL session parameters are handled by the gateway."
	hintMemory       = "The query needs more memory than a session may use: select fewer columns or rows, or aggregate before sorting or joining."
)

// translateDuckDB maps one DuckDB error.
func translateDuckDB(de *duckdb.Error) *pgerr.Error {
	if de.Type == duckdb.ErrorTypeInterrupt {
		return pgerr.New(pgerr.QueryCanceled, "canceling statement due to user request")
	}
	message, detail := splitMessage(de.Msg)
	code, ok := typeCodes[de.Type]
	if !ok {
		code = pgerr.InternalError
	}
	for _, r := range messageRules[de.Type] {
		if containsAny(message, r.match) {
			code = r.code
			break
		}
	}

	// A missing relation reads the same as everywhere else in Agnes, so that
	// a table left out of the sandbox is indistinguishable from one never
	// granted.
	if code == pgerr.UndefinedTable {
		if m := missingTable.FindStringSubmatch(message); m != nil {
			return pgerr.UndefinedRelation(m[1])
		}
	}

	if m := deniedFile.FindStringSubmatch(message); m != nil {
		message = "permission denied to access " + m[1] + " " + m[2]
	}
	e := pgerr.New(code, "%s", message)
	switch {
	case code == pgerr.InsufficientPrivilege && strings.Contains(message, "configuration has been locked"):
		e.Hint = hintSandboxSet
	case code == pgerr.InsufficientPrivilege, code == pgerr.FeatureNotSupported && containsAny(message, []string{"xtension"}):
		e.Hint = hintSandboxFiles
	case code == pgerr.OutOfMemory, code == pgerr.DiskFull:
		e.Hint = hintMemory
	case detail != "":
		e.Hint = detail // "Did you mean …", "Candidate bindings: …"
	}
	return e
}

// deniedFile matches DuckDB's refusal to touch a path outside allowed_paths.
var deniedFile = regexp.MustCompile(`^Cannot access (file|directory) ("[^"]*") - file system operations are disabled`)

// missingTable captures the relation name of DuckDB's "Table with name X does
// not exist" (X quoted when it is qualified).
var missingTable = regexp.MustCompile(`(?:Table|View) with name "?([^"!\s]+)"? does not exist`)

// splitMessage turns "Binder Error: first line\nmore\n\nLINE 1: …" into the
// first line without the kind prefix and the lines after it (without the
// statement excerpt), both with absolute paths cut to base names.
func splitMessage(msg string) (message, detail string) {
	if i := strings.Index(msg, "\n\nLINE "); i >= 0 {
		msg = msg[:i]
	} else if strings.HasPrefix(msg, "LINE ") {
		msg = ""
	}
	if prefix, rest, ok := strings.Cut(msg, ": "); ok && isKindPrefix(prefix) {
		msg = rest
	}
	msg = sanitizePaths(strings.TrimSpace(msg))
	message, detail, _ = strings.Cut(msg, "\n")
	// DuckDB's own remedies (SET threads, INSTALL …) cannot be followed in a
	// sandbox; keep only short advice such as "Did you mean".
	if strings.Contains(detail, "SET ") || strings.Contains(detail, "INSTALL ") || len(detail) > 300 {
		detail = ""
	}
	return message, strings.TrimSpace(detail)
}

// isKindPrefix reports whether s looks like DuckDB's "<Kind> Error" prefix.
func isKindPrefix(s string) bool {
	return strings.HasSuffix(s, "Error") && len(s) < 40 && !strings.ContainsAny(s, "\"'\n")
}

// quotedPath matches a quoted absolute path or URL, spaces included.
var quotedPath = regexp.MustCompile(`"((?:[A-Za-z][A-Za-z0-9+.-]*:)?/[^"]*)"|'((?:[A-Za-z][A-Za-z0-9+.-]*:)?/[^']*)'`)

// barePath matches an unquoted absolute path or URL with at least one
// directory ("/a/b.parquet", "file:///a/b", "http://h/x") that starts a word;
// "a / b" arithmetic and relative "a/b" are not matched.
var barePath = regexp.MustCompile(`(^|[\s(\[=,])((?:[A-Za-z][A-Za-z0-9+.-]*:)?/+(?:[^\s"'/]+/+)+[^\s"'/]*)`)

// sanitizePaths replaces every absolute path in s with its base name.
func sanitizePaths(s string) string {
	s = quotedPath.ReplaceAllStringFunc(s, func(m string) string {
		q := m[:1]
		return q + baseName(m[1:len(m)-1]) + q
	})
	return barePath.ReplaceAllStringFunc(s, func(m string) string {
		sub := barePath.FindStringSubmatch(m)
		return sub[1] + baseName(sub[2])
	})
}

// baseName is the last element of a path or URL.
func baseName(p string) string {
	base := path.Base(strings.TrimRight(p, "/"))
	if base == "." || base == "/" || strings.HasSuffix(base, ":") {
		return "?"
	}
	return base
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
