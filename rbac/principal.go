package rbac

import (
	"slices"
	"sort"
	"strings"
)

// Principal is an authenticated user as the rest of Agnes sees it: who they
// are and which groups they belong to (Everyone included). It is a plain value,
// resolved once at login (HTTP request or wire connection).
type Principal struct {
	UserID string
	Email  string
	Name   string
	// GroupIDs are the ids of every group the user is a member of, including
	// the implicit Everyone group, sorted.
	GroupIDs []string
	// GroupNames are the names of the same groups, in the same order.
	GroupNames []string
	// IsAdmin is true for members of the Admin group.
	IsAdmin bool
	// TokenID is the personal access token that authenticated this principal
	// ("" when not authenticated by a token).
	TokenID string
}

// InGroup reports whether the principal is a member of the group id.
func (p *Principal) InGroup(groupID string) bool {
	return slices.Contains(p.GroupIDs, groupID)
}

// GroupSetKey is a stable string identifying the principal's group set; two
// principals with the same key can read exactly the same resources.
func (p *Principal) GroupSetKey() string {
	ids := slices.Clone(p.GroupIDs)
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

// SCRAMCredential is the SCRAM-SHA-256 verifier of one personal access token
// (RFC 5802 / RFC 7677). All tokens of one user share the user's salt and
// iteration count, so the server can send one server-first-message and then
// check the client proof against every active token of that user.
type SCRAMCredential struct {
	TokenID   string
	Salt      []byte
	Iters     int
	StoredKey []byte
	ServerKey []byte
}
