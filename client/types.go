package client

import "time"

// The types below mirror the JSON the server sends. They are declared here
// rather than imported from the server packages so the client carries no
// server dependencies; the client tests run against the real server, which
// keeps the two in step.

// Health is GET /healthz.
type Health struct {
	Status  string `json:"status"`
	Version string `json:"version"`
}

// GroupRef names a group.
type GroupRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Me is GET /api/me: the user a token belongs to.
type Me struct {
	UserID  string     `json:"user_id"`
	Email   string     `json:"email"`
	Name    string     `json:"name"`
	Groups  []GroupRef `json:"groups"`
	IsAdmin bool       `json:"is_admin"`
	TokenID string     `json:"token_id,omitempty"`
}

// User is a user account.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// Token is a personal access token's metadata (never the secret).
type Token struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	UserEmail  string     `json:"user_email,omitempty"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Status is "active", "revoked" or "expired" as of now.
func (t Token) Status(now time.Time) string {
	switch {
	case t.RevokedAt != nil:
		return "revoked"
	case t.ExpiresAt != nil && !t.ExpiresAt.After(now):
		return "expired"
	}
	return "active"
}

// CreatedToken is the answer to token creation, the one time the secret
// (Token) is shown.
type CreatedToken struct {
	ID        string     `json:"id"`
	Token     string     `json:"token"`
	ExpiresAt *time.Time `json:"expires_at"`
	UserID    string     `json:"user_id"`
	UserEmail string     `json:"user_email"`
	Name      string     `json:"name"`
	Prefix    string     `json:"prefix"`
	CreatedAt time.Time  `json:"created_at"`
}

// Group is a user group.
type Group struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	IsSystem    bool      `json:"is_system"`
	CreatedAt   time.Time `json:"created_at"`
	MemberCount int       `json:"member_count"`
	GrantCount  int       `json:"grant_count"`
}

// Member is a user's membership in a group.
type Member struct {
	UserID string `json:"user_id"`
	Email  string `json:"email"`
	Name   string `json:"name"`
	Source string `json:"source"`
	Active bool   `json:"active"`
}

// Grant gives a group access to a resource.
type Grant struct {
	ID           string    `json:"id"`
	GroupID      string    `json:"group_id"`
	GroupName    string    `json:"group_name"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	CreatedAt    time.Time `json:"created_at"`
}

// GrantFilter narrows Grants; empty fields match everything.
type GrantFilter struct {
	Group        string
	ResourceType string
}

// ResourceType is a kind of thing that can be granted.
type ResourceType struct {
	Key         string `json:"key"`
	Description string `json:"description"`
	IDFormat    string `json:"id_format"`
	AdminAll    bool   `json:"admin_all"`
}

// Column is one column of a registered table.
type Column struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// Table is a row of the table registry.
type Table struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Schema       string    `json:"schema"`
	Description  string    `json:"description"`
	SourceType   string    `json:"source_type"`
	QueryMode    string    `json:"query_mode"`
	ServerOnly   bool      `json:"server_only"`
	Bucket       string    `json:"bucket,omitempty"`
	SourceTable  string    `json:"source_table,omitempty"`
	SourceQuery  string    `json:"source_query,omitempty"`
	Location     string    `json:"location,omitempty"`
	Columns      []Column  `json:"columns"`
	RowCount     int64     `json:"rows"`
	SizeBytes    int64     `json:"size_bytes"`
	MD5          string    `json:"md5,omitempty"`
	SHA256       string    `json:"sha256,omitempty"`
	SyncSchedule string    `json:"sync_schedule,omitempty"`
	Status       string    `json:"status"`
	RegisteredAt time.Time `json:"registered_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// TableRegistration is the body of table registration.
type TableRegistration struct {
	Name         string `json:"name"`
	Schema       string `json:"schema,omitempty"`
	Description  string `json:"description,omitempty"`
	SourceType   string `json:"source_type,omitempty"`
	QueryMode    string `json:"query_mode,omitempty"`
	ServerOnly   bool   `json:"server_only,omitempty"`
	Bucket       string `json:"bucket,omitempty"`
	SourceTable  string `json:"source_table,omitempty"`
	SourceQuery  string `json:"source_query,omitempty"`
	SyncSchedule string `json:"sync_schedule,omitempty"`
}

// TablePatch is a partial update of a table; nil fields are not sent and
// stay unchanged.
type TablePatch struct {
	Description  *string `json:"description,omitempty"`
	Schema       *string `json:"schema,omitempty"`
	SourceType   *string `json:"source_type,omitempty"`
	QueryMode    *string `json:"query_mode,omitempty"`
	ServerOnly   *bool   `json:"server_only,omitempty"`
	Bucket       *string `json:"bucket,omitempty"`
	SourceTable  *string `json:"source_table,omitempty"`
	SourceQuery  *string `json:"source_query,omitempty"`
	SyncSchedule *string `json:"sync_schedule,omitempty"`
}

// SyncResult summarises a registry rebuild.
type SyncResult struct {
	Added   []string `json:"added"`
	Updated []string `json:"updated"`
	Removed []string `json:"removed"`
	Broken  []string `json:"broken"`
}
