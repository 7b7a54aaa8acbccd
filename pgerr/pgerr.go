// Package pgerr holds the PostgreSQL SQLSTATE codes Agnes uses and the error
// type that carries them from the planner, the engine and the auth layer to the
// wire, where it becomes an ErrorResponse.
//
// Every user-facing SQL error in Agnes is a *pgerr.Error. Anything else that
// reaches the wire is reported as XX000 (internal_error) with a generic message
// so that internal details (paths, table names of other principals) never leak.
package pgerr

import (
	"errors"
	"fmt"
)

// SQLSTATE codes (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	SuccessfulCompletion          = "00000"
	Warning                       = "01000"
	ConnectionException           = "08000"
	ConnectionFailure             = "08006"
	ProtocolViolation             = "08P01"
	FeatureNotSupported           = "0A000"
	InvalidTransactionState       = "25000"
	ActiveSQLTransaction          = "25001"
	ReadOnlySQLTransaction        = "25006"
	InFailedSQLTransaction        = "25P02"
	InvalidAuthorizationSpec      = "28000"
	InvalidPassword               = "28P01"
	InvalidCatalogName            = "3D000"
	InvalidCursorName             = "34000"
	InvalidSQLStatementName       = "26000"
	DataException                 = "22000"
	DivisionByZero                = "22012"
	InvalidTextRepresentation     = "22P02"
	InvalidBinaryRepresentation   = "22P03"
	NumericValueOutOfRange        = "22003"
	InvalidDatetimeFormat         = "22007"
	DatetimeFieldOverflow         = "22008"
	CharacterNotInRepertoire      = "22021"
	UntranslatableCharacter       = "22P05"
	InvalidParameterValue         = "22023"
	StringDataRightTruncation     = "22001"
	NullValueNotAllowed           = "22004"
	InvalidEscapeSequence         = "22025"
	SyntaxErrorOrAccessRule       = "42000"
	SyntaxError                   = "42601"
	InsufficientPrivilege         = "42501"
	UndefinedColumn               = "42703"
	UndefinedFunction             = "42883"
	UndefinedTable                = "42P01"
	UndefinedObject               = "42704"
	UndefinedParameter            = "42P02"
	DuplicateObject               = "42710"
	DuplicateTable                = "42P07"
	DuplicatePreparedStatement    = "42P05"
	DuplicateCursor               = "42P03"
	AmbiguousColumn               = "42702"
	AmbiguousFunction             = "42725"
	DatatypeMismatch              = "42804"
	GroupingError                 = "42803"
	WrongObjectType               = "42809"
	InvalidColumnReference        = "42P10"
	IndeterminateDatatype         = "42P18"
	CannotCoerce                  = "42846"
	InvalidName                   = "42602"
	NameTooLong                   = "42622"
	ProgramLimitExceeded          = "54000"
	StatementTooComplex           = "54001"
	TooManyColumns                = "54011"
	InsufficientResources         = "53000"
	OutOfMemory                   = "53200"
	DiskFull                      = "53100"
	ConfigurationLimitExceeded    = "53400"
	TooManyConnections            = "53300"
	QueryCanceled                 = "57014"
	AdminShutdown                 = "57P01"
	CannotConnectNow              = "57P03"
	ObjectNotInPrerequisiteState  = "55000"
	InternalError                 = "XX000"
	InvalidPreparedStatementDef   = "42P14"
	InvalidCursorState            = "24000"
	CardinalityViolation          = "21000"
	InvalidRegularExpression      = "2201B"
	InvalidArgumentForLogarithm   = "2201E"
	ZeroLengthCharacterString     = "2200F"
	IntervalFieldOverflow         = "22015"
	InvalidTimeZoneDisplacement   = "22009"
	ArraySubscriptError           = "2202E"
	ObjectInUse                   = "55006"
	FDWError                      = "HV000"
	TooManyArguments              = "54023"
	InvalidSchemaName             = "3F000"
	InvalidTransactionTermination = "2D000"
	CantChangeRuntimeParam        = "55P02"
)

// Error is a PostgreSQL error: a SQLSTATE code with message, detail and hint.
type Error struct {
	Severity string // ERROR (default), FATAL
	Code     string
	Message  string
	Detail   string
	Hint     string
	Position int32 // 1-based character position in the statement, 0 if unknown
}

func (e *Error) Error() string {
	return e.Code + ": " + e.Message
}

// New returns an ERROR with code and a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Severity: "ERROR", Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithHint returns e with its hint set.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// WithDetail returns e with its detail set.
func (e *Error) WithDetail(format string, args ...any) *Error {
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// Fatal returns a FATAL error (the connection closes after it is sent).
func Fatal(code, format string, args ...any) *Error {
	e := New(code, format, args...)
	e.Severity = "FATAL"
	return e
}

// As returns err as *Error when it is (or wraps) one.
func As(err error) (*Error, bool) {
	var pe *Error
	if errors.As(err, &pe) {
		return pe, true
	}
	return nil, false
}

// UndefinedRelation is the one error for a relation that does not exist and a
// relation the caller may not read: the two are indistinguishable on purpose,
// so probing reveals no table names.
func UndefinedRelation(name string) *Error {
	return New(UndefinedTable, "relation %q does not exist or is not granted to you", name).
		WithHint("List the tables you can read with \\dt or SELECT * FROM information_schema.tables; ask an Agnes admin to grant access to a table you need.")
}

// SQLSTATE codes the engine maps DuckDB errors to.
const (
	IOError                      = "58030"
	SerializationFailure         = "40001"
	NoActiveSQLTransaction       = "25P01"
	IntegrityConstraintViolation = "23000"
)

// SQLSTATE codes the planner reports.
const (
	DuplicateAlias = "42712"
)

// SQLSTATE codes of SQL cursors.
const (
	InvalidCursorDefinition = "42P11"
)
