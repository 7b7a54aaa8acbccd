package engine

import (
	"strings"

	bindings "github.com/duckdb/duckdb-go-bindings"
	"github.com/duckdb/duckdb-go/v2"
)

// The engine talks to DuckDB's C API directly, which reports errors as
// "<Kind> Error: message" strings (and, for results, a separate error type).
// They become *duckdb.Error values, the same type duckdb-go returns, so that
// TranslateError has one input whichever layer failed.

// errorKinds maps DuckDB's message prefixes to error types.
var errorKinds = map[string]duckdb.ErrorType{
	"Invalid Error":                duckdb.ErrorTypeInvalid,
	"Out of Range Error":           duckdb.ErrorTypeOutOfRange,
	"Conversion Error":             duckdb.ErrorTypeConversion,
	"Error":                        duckdb.ErrorTypeUnknownType,
	"Decimal Error":                duckdb.ErrorTypeDecimal,
	"Mismatch Type Error":          duckdb.ErrorTypeMismatchType,
	"Divide by Zero Error":         duckdb.ErrorTypeDivideByZero,
	"Object Size Error":            duckdb.ErrorTypeObjectSize,
	"Invalid type Error":           duckdb.ErrorTypeInvalidType,
	"Serialization Error":          duckdb.ErrorTypeSerialization,
	"TransactionContext Error":     duckdb.ErrorTypeTransaction,
	"Not implemented Error":        duckdb.ErrorTypeNotImplemented,
	"Expression Error":             duckdb.ErrorTypeExpression,
	"Catalog Error":                duckdb.ErrorTypeCatalog,
	"Parser Error":                 duckdb.ErrorTypeParser,
	"Planner Error":                duckdb.ErrorTypePlanner,
	"Scheduler Error":              duckdb.ErrorTypeScheduler,
	"Executor Error":               duckdb.ErrorTypeExecutor,
	"Constraint Error":             duckdb.ErrorTypeConstraint,
	"Index Error":                  duckdb.ErrorTypeIndex,
	"Stat Error":                   duckdb.ErrorTypeStat,
	"Connection Error":             duckdb.ErrorTypeConnection,
	"Syntax Error":                 duckdb.ErrorTypeSyntax,
	"Settings Error":               duckdb.ErrorTypeSettings,
	"Binder Error":                 duckdb.ErrorTypeBinder,
	"Network Error":                duckdb.ErrorTypeNetwork,
	"Optimizer Error":              duckdb.ErrorTypeOptimizer,
	"NullPointer Error":            duckdb.ErrorTypeNullPointer,
	"IO Error":                     duckdb.ErrorTypeIO,
	"INTERRUPT Error":              duckdb.ErrorTypeInterrupt,
	"FATAL Error":                  duckdb.ErrorTypeFatal,
	"INTERNAL Error":               duckdb.ErrorTypeInternal,
	"Invalid Input Error":          duckdb.ErrorTypeInvalidInput,
	"Out of Memory Error":          duckdb.ErrorTypeOutOfMemory,
	"Permission Error":             duckdb.ErrorTypePermission,
	"Parameter Not Resolved Error": duckdb.ErrorTypeParameterNotResolved,
	"Parameter Not Allowed Error":  duckdb.ErrorTypeParameterNotAllowed,
	"Dependency Error":             duckdb.ErrorTypeDependency,
	"HTTP Error":                   duckdb.ErrorTypeHTTP,
	"Missing Extension Error":      duckdb.ErrorTypeMissingExtension,
	"Extension Autoloading Error":  duckdb.ErrorTypeAutoLoad,
	"Sequence Error":               duckdb.ErrorTypeSequence,
	"Invalid Configuration Error":  duckdb.ErrorTypeInvalidConfiguration,
}

// duckdbError types a DuckDB error message by its prefix.
func duckdbError(msg string) *duckdb.Error {
	kind := duckdb.ErrorTypeInvalid
	if prefix, _, ok := strings.Cut(msg, ": "); ok {
		if k, ok := errorKinds[prefix]; ok {
			kind = k
		}
	}
	return &duckdb.Error{Type: kind, Msg: msg}
}

// resultError is the error of a failed result, typed by DuckDB itself.
func resultError(res *bindings.Result) *duckdb.Error {
	msg := bindings.ResultError(res)
	switch t := bindings.ResultErrorType(res); t {
	case bindings.ErrorTypeInvalid:
		return duckdbError(msg)
	case bindings.ErrorTypeDecimal:
		// duckdb-go's ErrorTypeDecimal is not DuckDB's value for it.
		return &duckdb.Error{Type: duckdb.ErrorTypeDecimal, Msg: msg}
	default:
		return &duckdb.Error{Type: duckdb.ErrorType(t), Msg: msg}
	}
}

// errorDataError consumes an error data handle: nil when it holds no error.
func errorDataError(ed bindings.ErrorData) error {
	defer bindings.DestroyErrorData(&ed)
	if !bindings.ErrorDataHasError(ed) {
		return nil
	}
	return &duckdb.Error{Type: duckdb.ErrorType(bindings.ErrorDataErrorType(ed)), Msg: bindings.ErrorDataMessage(ed)}
}
