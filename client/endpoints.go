package client

import (
	"context"
	"net/url"
)

// call sends a request and decodes the answer into a new T.
func call[T any](ctx context.Context, c *Client, method, path string, in any) (*T, error) {
	var out T
	if err := c.Do(ctx, method, path, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// list sends a GET and decodes a JSON array; never nil on success.
func list[T any](ctx context.Context, c *Client, path string) ([]T, error) {
	out := []T{}
	if err := c.Do(ctx, "GET", path, nil, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// esc escapes one path segment ({user}, {group}, {id}).
func esc(s string) string { return url.PathEscape(s) }

// Health calls GET /healthz (no token needed).
func (c *Client) Health(ctx context.Context) (*Health, error) {
	return call[Health](ctx, c, "GET", "/healthz", nil)
}

// Me calls GET /api/me.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	return call[Me](ctx, c, "GET", "/api/me", nil)
}

// CreateUser calls POST /api/admin/users.
func (c *Client) CreateUser(ctx context.Context, email, name string) (*User, error) {
	return call[User](ctx, c, "POST", "/api/admin/users", map[string]string{"email": email, "name": name})
}

// Users calls GET /api/admin/users.
func (c *Client) Users(ctx context.Context) ([]User, error) {
	return list[User](ctx, c, "/api/admin/users")
}

// DeactivateUser calls POST /api/admin/users/{user}/deactivate.
func (c *Client) DeactivateUser(ctx context.Context, user string) (*User, error) {
	return call[User](ctx, c, "POST", "/api/admin/users/"+esc(user)+"/deactivate", nil)
}

// CreateToken calls POST /api/admin/tokens. expiresIn is "90d", "24h",
// "never" or "" (the server default, 90 days).
func (c *Client) CreateToken(ctx context.Context, user, name, expiresIn string) (*CreatedToken, error) {
	body := map[string]string{"user": user}
	if name != "" {
		body["name"] = name
	}
	if expiresIn != "" {
		body["expires_in"] = expiresIn
	}
	return call[CreatedToken](ctx, c, "POST", "/api/admin/tokens", body)
}

// Tokens calls GET /api/admin/tokens, of one user when user is non-empty.
func (c *Client) Tokens(ctx context.Context, user string) ([]Token, error) {
	path := "/api/admin/tokens"
	if user != "" {
		path += "?" + url.Values{"user": {user}}.Encode()
	}
	return list[Token](ctx, c, path)
}

// RevokeToken calls DELETE /api/admin/tokens/{id}.
func (c *Client) RevokeToken(ctx context.Context, id string) (*Token, error) {
	return call[Token](ctx, c, "DELETE", "/api/admin/tokens/"+esc(id), nil)
}

// MyTokens calls GET /api/tokens: the caller's own tokens.
func (c *Client) MyTokens(ctx context.Context) ([]Token, error) {
	return list[Token](ctx, c, "/api/tokens")
}

// RevokeMyToken calls DELETE /api/tokens/{id}: revoke one of the caller's
// own tokens.
func (c *Client) RevokeMyToken(ctx context.Context, id string) (*Token, error) {
	return call[Token](ctx, c, "DELETE", "/api/tokens/"+esc(id), nil)
}

// CreateGroup calls POST /api/admin/groups.
func (c *Client) CreateGroup(ctx context.Context, name, description string) (*Group, error) {
	return call[Group](ctx, c, "POST", "/api/admin/groups", map[string]string{"name": name, "description": description})
}

// Groups calls GET /api/admin/groups.
func (c *Client) Groups(ctx context.Context) ([]Group, error) {
	return list[Group](ctx, c, "/api/admin/groups")
}

// DeleteGroup calls DELETE /api/admin/groups/{group} (name or id).
func (c *Client) DeleteGroup(ctx context.Context, group string) error {
	return c.Do(ctx, "DELETE", "/api/admin/groups/"+esc(group), nil, nil)
}

// Members calls GET /api/admin/groups/{group}/members.
func (c *Client) Members(ctx context.Context, group string) ([]Member, error) {
	return list[Member](ctx, c, "/api/admin/groups/"+esc(group)+"/members")
}

// AddMember calls POST /api/admin/groups/{group}/members.
func (c *Client) AddMember(ctx context.Context, group, user string) (*Member, error) {
	return call[Member](ctx, c, "POST", "/api/admin/groups/"+esc(group)+"/members", map[string]string{"user": user})
}

// RemoveMember calls DELETE /api/admin/groups/{group}/members/{user}.
func (c *Client) RemoveMember(ctx context.Context, group, user string) error {
	return c.Do(ctx, "DELETE", "/api/admin/groups/"+esc(group)+"/members/"+esc(user), nil, nil)
}

// CreateGrant calls POST /api/admin/grants.
func (c *Client) CreateGrant(ctx context.Context, group, resourceType, resourceID string) (*Grant, error) {
	return call[Grant](ctx, c, "POST", "/api/admin/grants",
		map[string]string{"group": group, "resource_type": resourceType, "resource_id": resourceID})
}

// Grants calls GET /api/admin/grants.
func (c *Client) Grants(ctx context.Context, f GrantFilter) ([]Grant, error) {
	q := url.Values{}
	if f.Group != "" {
		q.Set("group", f.Group)
	}
	if f.ResourceType != "" {
		q.Set("type", f.ResourceType)
	}
	path := "/api/admin/grants"
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return list[Grant](ctx, c, path)
}

// DeleteGrant calls DELETE /api/admin/grants/{id}.
func (c *Client) DeleteGrant(ctx context.Context, id string) error {
	return c.Do(ctx, "DELETE", "/api/admin/grants/"+esc(id), nil, nil)
}

// ResourceTypes calls GET /api/admin/resource-types.
func (c *Client) ResourceTypes(ctx context.Context) ([]ResourceType, error) {
	return list[ResourceType](ctx, c, "/api/admin/resource-types")
}

// Tables calls GET /api/admin/tables.
func (c *Client) Tables(ctx context.Context) ([]Table, error) {
	return list[Table](ctx, c, "/api/admin/tables")
}

// Table calls GET /api/admin/tables/{id}.
func (c *Client) Table(ctx context.Context, id string) (*Table, error) {
	return call[Table](ctx, c, "GET", "/api/admin/tables/"+esc(id), nil)
}

// RegisterTable calls POST /api/admin/tables.
func (c *Client) RegisterTable(ctx context.Context, reg TableRegistration) (*Table, error) {
	return call[Table](ctx, c, "POST", "/api/admin/tables", reg)
}

// UpdateTable calls PATCH /api/admin/tables/{id}.
func (c *Client) UpdateTable(ctx context.Context, id string, p TablePatch) (*Table, error) {
	return call[Table](ctx, c, "PATCH", "/api/admin/tables/"+esc(id), p)
}

// DeleteTable calls DELETE /api/admin/tables/{id}.
func (c *Client) DeleteTable(ctx context.Context, id string) error {
	return c.Do(ctx, "DELETE", "/api/admin/tables/"+esc(id), nil, nil)
}

// Rebuild calls POST /api/sync/rebuild.
func (c *Client) Rebuild(ctx context.Context) (*SyncResult, error) {
	return call[SyncResult](ctx, c, "POST", "/api/sync/rebuild", nil)
}
