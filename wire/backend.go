package wire

import (
	"context"
	"net"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/rbac"
)

// Backend is everything the protocol layer needs from the rest of Agnes:
// credentials for authentication and sessions that plan and run statements.
// The wire package never touches DuckDB, the planner or the system store
// directly; server.Gateway implements Backend on top of them.
type Backend interface {
	// SCRAMCredentials returns the principal for a login name (email or user
	// id) and the SCRAM-SHA-256 credentials of each of its active tokens; all
	// share one salt and iteration count. For an unknown or inactive user it
	// returns (nil, nil, nil): the wire then runs a mock exchange with a
	// deterministic fake salt so the answer reveals nothing.
	SCRAMCredentials(ctx context.Context, user string) (*rbac.Principal, []rbac.SCRAMCredential, error)
	// CheckPassword authenticates a cleartext token for a login name. It
	// returns (nil, nil) when the user or token is not valid.
	CheckPassword(ctx context.Context, user, token string) (*rbac.Principal, error)
	// LoginAudit records a login attempt (success or failure) in the audit log.
	LoginAudit(ctx context.Context, user string, p *rbac.Principal, remote net.Addr, method string, ok bool, reason string)
	// NewSession opens a session (one DuckDB connection) for an authenticated
	// principal.
	NewSession(ctx context.Context, p *rbac.Principal, info SessionInfo) (Session, error)
}

// SessionInfo describes the connection a session belongs to.
type SessionInfo struct {
	RemoteAddr net.Addr
	// StartupParams are the parameters from the StartupMessage (user,
	// database, application_name, options, DateStyle, …).
	StartupParams map[string]string
	ProcessID     uint32
	TLS           bool
}

// Session plans and runs statements for one client connection. Methods are
// called from the connection's goroutine only, one at a time, except that a
// context passed to Execute/Next may be cancelled from another goroutine
// (CancelRequest, disconnect, statement_timeout).
type Session interface {
	// Prepare parses query text, splits it into statements and plans each
	// (parse, analyze, authorize, route, rewrite). It executes nothing.
	// paramOIDs are the types the client declared for $1..$n (0 = unspecified).
	// An empty or comment-only query returns no statements. Errors are
	// *pgerr.Error.
	Prepare(ctx context.Context, query string, paramOIDs []uint32) ([]Statement, error)
	// TxStatus is the ReadyForQuery status: 'I' idle, 'T' in a transaction
	// block, 'E' in a failed transaction block.
	TxStatus() byte
	// Fail marks the current transaction block failed after an error (no-op
	// outside a transaction block).
	Fail()
	// Parameter returns a session parameter's current value (server_version,
	// TimeZone, DateStyle, application_name, statement_timeout, …).
	Parameter(name string) (string, bool)
	// StatusParams are the parameters reported to the client in
	// ParameterStatus at startup.
	StatusParams() map[string]string
	// Close releases the session's DuckDB connection.
	Close() error
}

// CursorSession is implemented by sessions with SQL cursors (DECLARE), which
// clients may describe as portals by name.
type CursorSession interface {
	// DescribeCursor returns an open cursor's columns and whether it was
	// declared BINARY; ok is false when there is no such cursor.
	DescribeCursor(name string) (cols []Column, binary, ok bool)
}

// Statement is one planned statement.
type Statement interface {
	// SQL is the client's text of this statement (for logs and errors).
	SQL() string
	// Describe returns the parameter types and result columns without
	// executing anything. Columns is nil for statements that return no rows.
	Describe(ctx context.Context) (*Description, error)
	// Execute runs the statement with bound parameters, already decoded by
	// the wire into Go values (nil, bool, int64, float64, string, []byte,
	// time.Time, duckdb.Interval, *duckdb.UUID, []any for arrays; numeric,
	// time and timetz as their text; text-format parameters of unknown type
	// arrive as string; params.go has the full list). The Result streams;
	// the caller must Close it.
	Execute(ctx context.Context, args []any) (Result, error)
}

// Description is what Describe reports about a statement.
type Description struct {
	// ParamTypes are DuckDB types of $1..$n; nil entries are unknown (sent
	// to the client as text, OID 25, like PostgreSQL for untyped literals).
	ParamTypes []duckdb.TypeInfo
	// ParamOIDs, when non-nil, are PostgreSQL type OIDs that override
	// ParamTypes (declared by the client in Parse).
	ParamOIDs []uint32
	// Columns are the result columns; nil when the statement returns no rows.
	Columns []Column
}

// Column is one result column.
type Column struct {
	Name string
	// Type is the DuckDB type of the column.
	Type duckdb.TypeInfo
	// OID, when non-zero, overrides the PostgreSQL type derived from Type
	// (catalog route columns such as oid, regclass, name).
	OID uint32
	// Origin is the table column the result column is a plain reference
	// to (RowDescription's table OID and attribute number), zero when it
	// is computed.
	Origin Origin
}

// Origin is the table column a result column comes from.
type Origin struct {
	TableOID uint32
	AttNum   int16
}

// OriginResult is implemented by results without described Columns that
// know the origins of their columns.
type OriginResult interface {
	Origins() []Origin
}

// Result is a running statement's output.
type Result interface {
	// Schema is the Arrow schema of the rows; nil for statements without
	// rows (then Next returns nil immediately).
	Schema() *arrow.Schema
	// Columns mirror Describe's columns when known (nil otherwise); when set
	// the wire uses their PostgreSQL types for RowDescription.
	Columns() []Column
	// Next returns the next batch of rows, or nil at the end or on error
	// (then Err tells). A batch stays valid until the next call of Next.
	Next() arrow.RecordBatch
	Err() error
	// Tag is the command tag ("SELECT", "SET", "BEGIN", "SHOW", …) without a
	// row count; the wire appends the count for SELECT-like tags.
	Tag() string
	// ParameterChanges are session parameters changed by this statement
	// that must be echoed to the client in ParameterStatus.
	ParameterChanges() map[string]string
	// Notices are NOTICE/WARNING messages to send before CommandComplete.
	Notices() []string
	// CopyOut, when non-nil, asks the wire to send the rows as COPY data
	// (CopyOutResponse, CopyData…, CopyDone) instead of DataRows.
	CopyOut() *CopyOptions
	// Close stops the statement (if still running) and releases its memory.
	Close() error
}

// BinaryResult is implemented by results whose rows a simple Query sends
// in binary (FETCH from a cursor declared BINARY).
type BinaryResult interface {
	BinaryRows() bool
}

// CopyOptions are the options of COPY (SELECT …) TO STDOUT.
type CopyOptions struct {
	Format    string // "text" or "csv"
	Delimiter string // default tab for text, comma for csv
	Null      string // default \N for text, empty for csv
	Header    bool   // csv only
	Quote     string // csv only, default "
	Escape    string // csv only, default = Quote
	// ForceQuote lists columns to always quote (csv); "*" for all.
	ForceQuote []string
}
