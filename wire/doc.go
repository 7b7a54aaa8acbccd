// Package wire is Agnes's PostgreSQL protocol server: psql, pgx, JDBC,
// lib/pq and BI tools connect to it as to PostgreSQL 16. It owns the
// protocol state machine; the message codecs are pgx's pgproto3. Everything
// about SQL — planning, authorization, DuckDB — is behind the Backend and
// Session interfaces (backend.go), which server.Gateway implements.
//
// # Connection lifecycle
//
// One goroutine per connection (conn.go), from accept to close:
//
//  1. accept (server.go). A connection takes one of Config.MaxStartups
//     startup slots; without one it gets 53300 "sorry, too many clients
//     already" (a CancelRequest is still honoured). The slot is held until
//     ReadyForQuery, and the whole phase must finish within
//     Config.AuthTimeout.
//  2. TLS (startup.go, tls.go). SSLRequest is answered 'S' and followed by
//     the handshake when Config.TLSConfig is set, else 'N'; GSSENCRequest
//     always 'N'. Startup packets are read unbuffered, so bytes sent before
//     the handshake are never taken as encrypted. SelfSignedTLS makes a CA
//     and a localhost certificate for verify-full.
//  3. startup (startup.go). Protocol 3.0 and 3.2 (3.2 gets 32-byte cancel
//     keys); a newer 3.x or unknown _pq_ options get
//     NegotiateProtocolVersion. The packet is at most 10,000 bytes and
//     must name a user.
//  4. authentication (auth.go, scram.go). The user is an email or user id,
//     the password a personal access token. SCRAM-SHA-256 always (and
//     SCRAM-SHA-256-PLUS with tls-server-end-point binding on TLS);
//     cleartext only with Config.AllowCleartextLoopback from a loopback
//     address; never MD5. All of a user's tokens share one salt, so one
//     server-first-message serves them all and the client proof is checked
//     against each (the matching one becomes Principal.TokenID). Unknown
//     users get a full exchange with a deterministic fake salt
//     (HMAC(MockSaltSecret, user)); every failure is the same FATAL 28P01.
//     Too many failures per address or per user name are refused with 53300
//     for a while (golang.org/x/time/rate); Backend.LoginAudit sees every
//     attempt.
//  5. parameters. The database must be Config.Database (else 3D000). The
//     Backend opens the Session; its StatusParams go out as ParameterStatus
//     (with PostgreSQL defaults for what it leaves out), then
//     BackendKeyData and ReadyForQuery.
//  6. command loop (conn.go), until Terminate, EOF, a FATAL error or
//     Shutdown (FATAL 57P01 to idle sessions; running statements finish or
//     are cancelled when the Shutdown context ends).
//
// # Simple and extended protocol
//
// simple.go: a Query message may hold many statements; Session.Prepare
// splits them, each runs with its own RowDescription, DataRows and
// CommandComplete, the first error ends the message, and empty or
// comment-only text answers EmptyQueryResponse.
//
// extended.go: Parse → prepared statement (one statement only, else
// 42601); Bind decodes parameters (params.go) by their declared or
// described types and fixes the result formats; Describe answers from
// Statement.Describe and never executes; Execute runs a portal, at most
// MaxRows rows at a time (PortalSuspended keeps the Result open for the
// next Execute). After an error everything up to Sync is skipped. At Sync
// with the session idle ('I') all portals close; inside a transaction
// block they survive (pgjdbc setFetchSize), until COMMIT or ROLLBACK.
// Output is buffered and written at Sync, Flush (postgres.js waits on
// Flush), while streaming, and at once after an extended-protocol error
// (the Flush that follows it is skipped with the rest until Sync).
//
// # Results
//
// execute.go and encode.go: a Result's Arrow record batches are encoded
// column by column straight into DataRow bytes in one reusable buffer
// (columns*.go have one renderer per Arrow type; format.go and
// binaryformat.go the exact PostgreSQL text and binary forms). The buffer
// is written at 64 KiB and before waiting for the next batch, so memory
// per connection is bounded whatever the result size. types.go is the one
// table from DuckDB types to PostgreSQL OIDs; Describe (duckdb.TypeInfo)
// and results (Arrow fields) both go through it. RowDescription follows
// the statement's description when there is one and the encoders convert
// to it, which matters when Arrow loses a type: sessions should set
// arrow_lossless_conversion = true, without which DuckDB exports UUID and
// JSON as plain strings, BIT as BLOB and TIMETZ as TIME (offset lost).
// copy.go sends COPY (…) TO STDOUT in text or CSV format.
//
// # Cancellation
//
// cancel.go: each session has a random key; a CancelRequest carrying it
// (compared in constant time) cancels the context of the running
// statement, which duckdb-go turns into an interrupt, and the client gets
// 57014 with the session still usable. statement_timeout (the session's
// parameter, else Config.StatementTimeoutDefault) cancels the same context
// with its own message, and so does a client that hangs up mid-statement
// (polled with POLLRDHUP once a second) or a failed write. A suspended
// portal keeps its context; the timeout applies to each Execute.
//
// # Errors
//
// errors.go: *pgerr.Error becomes an ErrorResponse with its code, message,
// detail, hint and position; any other error is logged and sent as XX000
// without its text. Text from the client (query, text parameters) must be
// valid UTF-8 without NUL (22021). A panic in a connection goroutine is
// recovered, logged with its stack, answered with FATAL XX000, and closes
// only that connection.
//
// # Debugging
//
// Logs carry session (a random id), remote and user. Start from the
// client's SQLSTATE: 08P01 is a protocol problem (look at the message
// sequence: pgproto3.Frontend.Trace in a test, or the client's own
// tracing), 28P01/53300 authentication (LoginAudit has the reason), XX000
// an internal error (the log has it, searchable by session id). For a
// result that decodes wrongly compare Describe's RowDescription with the
// Arrow schema of the Result (TestDescribeAgreesWithArrow); for a value
// printed differently from PostgreSQL, format.go. protocol_test.go drives
// the server message by message with pgproto3 and is the quickest place to
// reproduce a protocol bug.
package wire
