package client

import (
	"context"
	"time"
)

// Marketplace is a registered upstream plugin marketplace (GET
// /api/admin/marketplaces). TokenEnv names an environment variable of the
// server; the token itself is never sent or stored.
type Marketplace struct {
	Slug          string     `json:"slug"`
	Name          string     `json:"name"`
	URL           string     `json:"url"`
	Branch        string     `json:"branch"`
	Ref           string     `json:"ref"`
	TokenEnv      string     `json:"token_env"`
	Description   string     `json:"description"`
	RegisteredBy  string     `json:"registered_by"`
	RegisteredAt  time.Time  `json:"registered_at"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
	LastSyncedAt  *time.Time `json:"last_synced_at"`
	LastCommitSHA string     `json:"last_commit_sha"`
	LastError     string     `json:"last_error"`
	Plugins       int        `json:"plugins"`
	Refused       int        `json:"refused"`
}

// MarketplaceRegistration is the body of POST /api/admin/marketplaces. Give
// Branch or Ref (a tag or a 40-character commit SHA), not both; neither
// follows the upstream's default branch.
type MarketplaceRegistration struct {
	Slug        string `json:"slug"`
	URL         string `json:"url"`
	Name        string `json:"name,omitempty"`
	Branch      string `json:"branch,omitempty"`
	Ref         string `json:"ref,omitempty"`
	TokenEnv    string `json:"token_env,omitempty"`
	Description string `json:"description,omitempty"`
}

// MarketplacePlugin is a plugin found by a marketplace's last good sync.
// Refused is why it is not served ("" when it is); ID is what to grant.
type MarketplacePlugin struct {
	ID           string    `json:"id"`
	Marketplace  string    `json:"marketplace"`
	Name         string    `json:"name"`
	PrefixedName string    `json:"prefixed_name"`
	Version      string    `json:"version"`
	Description  string    `json:"description"`
	Author       string    `json:"author"`
	SourcePath   string    `json:"source_path"`
	Refused      string    `json:"refused"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// MarketplaceSyncResult is the outcome of syncing one marketplace. OK false
// means the sync failed (Error says why) and the previous content is still
// served.
type MarketplaceSyncResult struct {
	Marketplace string               `json:"marketplace"`
	OK          bool                 `json:"ok"`
	Commit      string               `json:"commit,omitempty"`
	Plugins     []string             `json:"plugins"`
	Refused     []MarketplaceRefusal `json:"refused"`
	Warnings    []string             `json:"warnings"`
	Error       string               `json:"error,omitempty"`
}

// MarketplaceRefusal is a plugin a sync did not accept, and why.
type MarketplaceRefusal struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// MarketplaceRemoval is the answer to DELETE /api/admin/marketplaces/{slug}.
type MarketplaceRemoval struct {
	Removed       bool   `json:"removed"`
	Slug          string `json:"slug"`
	GrantsRemoved int    `json:"grants_removed"`
}

// MarketplaceInfo is GET /marketplace/info: what the caller is served.
type MarketplaceInfo struct {
	UserID          string                  `json:"user_id"`
	Email           string                  `json:"email"`
	Groups          []string                `json:"groups"`
	MarketplaceName string                  `json:"marketplace_name"`
	ETag            string                  `json:"etag"`
	PluginCount     int                     `json:"plugin_count"`
	Plugins         []MarketplaceInfoPlugin `json:"plugins"`
	ZipURL          string                  `json:"zip_url"`
	GitURL          string                  `json:"git_url"`
}

// MarketplaceInfoPlugin is one plugin the caller is served.
type MarketplaceInfoPlugin struct {
	Name         string `json:"name"`
	PrefixedName string `json:"prefixed_name"`
	Marketplace  string `json:"marketplace"`
	Version      string `json:"version"`
	Description  string `json:"description"`
}

// Marketplaces calls GET /api/admin/marketplaces.
func (c *Client) Marketplaces(ctx context.Context) ([]Marketplace, error) {
	return list[Marketplace](ctx, c, "/api/admin/marketplaces")
}

// AddMarketplace calls POST /api/admin/marketplaces.
func (c *Client) AddMarketplace(ctx context.Context, r MarketplaceRegistration) (*Marketplace, error) {
	return call[Marketplace](ctx, c, "POST", "/api/admin/marketplaces", r)
}

// RemoveMarketplace calls DELETE /api/admin/marketplaces/{slug}.
func (c *Client) RemoveMarketplace(ctx context.Context, slug string) (*MarketplaceRemoval, error) {
	return call[MarketplaceRemoval](ctx, c, "DELETE", "/api/admin/marketplaces/"+esc(slug), nil)
}

// SyncMarketplaces syncs one marketplace (POST
// /api/admin/marketplaces/{slug}/sync) or, with slug "", all of them (POST
// /api/admin/marketplaces/sync), and waits for the outcome.
func (c *Client) SyncMarketplaces(ctx context.Context, slug string) ([]MarketplaceSyncResult, error) {
	if slug == "" {
		out := []MarketplaceSyncResult{}
		if err := c.Do(ctx, "POST", "/api/admin/marketplaces/sync", nil, &out); err != nil {
			return nil, err
		}
		return out, nil
	}
	res, err := call[MarketplaceSyncResult](ctx, c, "POST", "/api/admin/marketplaces/"+esc(slug)+"/sync", nil)
	if err != nil {
		return nil, err
	}
	return []MarketplaceSyncResult{*res}, nil
}

// MarketplacePlugins lists the plugins of one marketplace (GET
// /api/admin/marketplaces/{slug}/plugins) or, with slug "", of all (GET
// /api/admin/marketplace-plugins).
func (c *Client) MarketplacePlugins(ctx context.Context, slug string) ([]MarketplacePlugin, error) {
	if slug == "" {
		return list[MarketplacePlugin](ctx, c, "/api/admin/marketplace-plugins")
	}
	return list[MarketplacePlugin](ctx, c, "/api/admin/marketplaces/"+esc(slug)+"/plugins")
}

// MarketplaceInfo calls GET /marketplace/info.
func (c *Client) MarketplaceInfo(ctx context.Context) (*MarketplaceInfo, error) {
	return call[MarketplaceInfo](ctx, c, "GET", "/marketplace/info", nil)
}
