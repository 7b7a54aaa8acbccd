// Package httpapi is Agnes's HTTP side: health, the caller's identity, and
// the admin API over users, personal access tokens, groups, grants and the
// table registry. Later capabilities (manifest, parquet download,
// marketplace) add their routes to the same Server.
//
// # Flow of a request
//
//	Handler()
//	  recoverPanics   a panic becomes a generic 500; the stack goes to the log
//	  logRequests     one slog line per request: method, path, status,
//	                  duration, user (never headers, query strings or bodies)
//	  route           Go 1.22 ServeMux patterns ("POST /api/admin/users");
//	                  unknown paths → 404, wrong methods → 405 with Allow,
//	                  both in the JSON error shape
//	  authenticate    (HandleAuthed, HandleAdmin) Authorization: Bearer <PAT>
//	                  → rbac.AuthenticateToken → *rbac.Principal, or 401 with
//	                  WWW-Authenticate: Bearer realm="agnes"
//	  requireAdmin    (HandleAdmin) members of Admin only, else 403 (audited)
//	  handler         DecodeJSON → rbac / catalog call → WriteJSON
//
// Handlers are thin: validation and the audit row of every mutation live in
// rbac and catalog, inside the same transaction as the change. What is not
// already audited there (sync requests, refused admin calls) goes through
// store.Auditor.
//
// # Invariants
//
//   - Every response body is JSON. Errors are always
//     {"error": code, "message": text}; the codes are the Code* constants
//     and map from the rbac sentinel errors in StatusOf (not found 404,
//     conflict / system_group / last_admin 409, invalid 400).
//   - A 500 never carries internals: the real error is logged, the client
//     gets "internal server error".
//   - Request bodies are at most MaxBodyBytes (413 beyond), must be one JSON
//     value, and may not contain unknown fields (400), so a typo in a field
//     name is an error rather than a silently ignored setting.
//   - Any bad token answers the same 401, whatever was wrong with it
//     (unknown, revoked, expired, user deactivated); self-service token
//     revocation answers 404 for another user's token id.
//   - Token secrets appear in exactly one response (token creation) and
//     never in a log line; responses are Cache-Control: no-store.
//
// # Analyst endpoints
//
// GET /api/manifest lists Registry.Visible for the caller (so grants and
// registry changes show on the next call) with a download url for tables
// whose parquet may leave the server (local or materialized, not
// server-only, with a file). Its ETag is a hash of the body; If-None-Match
// answers 304. GET /api/tables/{id}/data checks, in order: id shape (404,
// before any file system access), registry (404), grant (403), distribution
// (403 for remote and server-only tables, admins included), then serves the
// file with http.ServeContent (Range, If-Range, If-None-Match against the
// md5 ETag; the SHA-256 as an RFC 9530 Repr-Digest) through the connection's ReadFrom, which is sendfile on Linux;
// every attempt is audited as data.download. GET /api/connection tells a
// client where the PostgreSQL gateway listens (Deps.PGListen, PGDatabase).
//
// # Debugging
//
// Start from the "http request" log line of the call: its status and user
// say whether authentication (401), authorisation (403) or the handler
// failed. A 500 has a matching "http handler failed" line with the
// underlying error. Every mutation has a row in audit_log (action such as
// user.create, token.revoke, table.update) naming the acting user.
package httpapi
