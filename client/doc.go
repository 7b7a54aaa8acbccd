// Package client is the Go client of the Agnes HTTP API, used by the agnes
// CLI (admin commands, pull and query).
//
// # Flow
//
// New(server, token) returns a Client bound to one server and one personal
// access token. Each endpoint has a typed method (Me, CreateUser, Tokens,
// RegisterTable, Rebuild, …); they all go through Do, which encodes the
// request as JSON, sends "Authorization: Bearer <token>", and decodes a 2xx
// answer. Stream is the same without decoding. The analyst side adds
// Manifest (conditional on an ETag: notModified on 304), DownloadTable
// (resumable with Range and If-Range; only paths on the same server, so the
// token never goes elsewhere) and Connection (where the gateway listens).
//
// # Errors
//
// Exactly two error types describe what went wrong on the way:
//
//   - *APIError: the server answered with a non-2xx status. Status, Code
//     (the "error" field: unauthorized, forbidden, not_found, conflict, …)
//     and Message (written for people) come from the server's
//     {"error", "message"} body. Error() reads
//     "<message> (HTTP 403 forbidden)".
//   - *UnreachableError: no answer came back (connection refused, DNS,
//     TLS, timeout). Error() reads
//     "cannot reach http://…: connection refused — is `agnes serve` running?".
//
// Anything else is a local problem (an unencodable body, an answer that is
// not the expected JSON) and says so.
//
// # Invariants
//
// The client never logs or prints the token; it sends it only in the
// Authorization header. Go's HTTP client drops that header when a redirect
// leaves the host, so a token is not handed to another server.
//
// # Debugging
//
// Point the client at the server's /healthz with Health to check
// reachability without a token, then Me to check the token. The server logs
// one line per request with the status and the user.
package client
