// Package rbac answers who a caller is and what they may use.
//
// Model ("direct table grant" era of the reference system): users belong to
// groups; groups receive grants (group, resource_type, resource_id); a user
// may use a resource when one of their groups holds a grant for it. Two
// groups are seeded and cannot be deleted: Admin (members may do everything
// with god-mode resource types such as tables) and Everyone (every user is an
// implicit member, so a grant to Everyone reaches all users). Resource types
// are a small registry (table, plugin, …); for plugins Admin is an ordinary
// group so admins curate their own marketplace view.
//
// Flow: a bearer token or wire login resolves to a *Principal (user + group
// ids) once per request or connection; every access decision then calls
// Service.Can(principal, type, id), which answers from an in-memory snapshot
// of groups, memberships and grants. The snapshot is dropped after every
// mutation, and Version() increases, so caches keyed on it (sandboxes,
// manifests) see grant changes immediately.
//
// Tokens: a personal access token is "agnes_pat_" + 43 base62 characters
// (256 bits), shown once. The store keeps its SHA-256 (bearer auth, compared
// in constant time) and a SCRAM-SHA-256 verifier (RFC 5802/7677) computed with
// the user's salt, so the wire protocol can run SCRAM without the secret. All
// tokens of a user share that salt: the server sends one server-first-message
// and checks the client proof against each token's StoredKey. Expired or
// revoked tokens, and tokens of deactivated users, never authenticate.
//
// Invariants: deny on any doubt (unknown type, nil principal, store error);
// every mutation writes its audit_log row in the same transaction; the last
// active admin cannot be removed or deactivated.
package rbac
