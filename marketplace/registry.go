package marketplace

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// Marketplace is one registered upstream repository (a marketplace_registry
// row). TokenEnv is the name of an environment variable of the server that
// holds a token for a private repository; the secret itself is never stored.
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
	// Plugins and Refused count the plugins of the last good sync that are
	// served and refused.
	Plugins int `json:"plugins"`
	Refused int `json:"refused"`
}

// Plugin is one plugin found by the last good sync of a marketplace (a
// marketplace_plugins row).
type Plugin struct {
	// ID is the grant resource id, "<slug>/<name>".
	ID          string `json:"id"`
	Marketplace string `json:"marketplace"`
	// Name is the plugin's name in the upstream marketplace.json.
	Name string `json:"name"`
	// PrefixedName is the directory the plugin is served under,
	// "<slug>-<name>".
	PrefixedName string          `json:"prefixed_name"`
	Version      string          `json:"version"`
	Description  string          `json:"description"`
	Author       string          `json:"author"`
	SourcePath   string          `json:"source_path"`
	Raw          json.RawMessage `json:"raw,omitempty"`
	// Refused is why the plugin is not served ("" when it is).
	Refused   string    `json:"refused"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Registration is what an admin gives to register an upstream.
type Registration struct {
	Slug        string `json:"slug"`
	URL         string `json:"url"`
	Name        string `json:"name"`
	Branch      string `json:"branch"`
	Ref         string `json:"ref"`
	TokenEnv    string `json:"token_env"`
	Description string `json:"description"`
}

var (
	// slugRe matches the marketplace half of a plugin grant id (see the rbac
	// resource type "plugin").
	slugRe       = regexp.MustCompile(`^[a-z0-9][a-z0-9_\-]{0,63}$`)
	pluginNameRe = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}$`)
	envNameRe    = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
	shaRe        = regexp.MustCompile(`^[0-9a-f]{40}$`)
)

// reservedSlugs would collide with the cache directories next to the
// clones in <data_dir>/marketplaces.
var reservedSlugs = map[string]bool{"git-cache": true, "zip-cache": true}

// validate normalises r and checks every field, naming the one that is
// wrong and what is expected instead.
func (r *Registration) validate() error {
	r.Slug = strings.TrimSpace(r.Slug)
	r.URL = strings.TrimSpace(r.URL)
	r.Name = strings.TrimSpace(r.Name)
	r.Branch = strings.TrimSpace(r.Branch)
	r.Ref = strings.TrimSpace(r.Ref)
	r.TokenEnv = strings.TrimSpace(r.TokenEnv)
	r.Description = strings.TrimSpace(r.Description)
	if !slugRe.MatchString(r.Slug) {
		return fmt.Errorf("%w: slug %q must be 1-64 lowercase letters, digits, '-' or '_', starting with a letter or digit", rbac.ErrInvalid, r.Slug)
	}
	if reservedSlugs[r.Slug] {
		return fmt.Errorf("%w: slug %q is reserved (its directory holds a cache); choose another", rbac.ErrInvalid, r.Slug)
	}
	if err := checkURL(r.URL); err != nil {
		return err
	}
	if r.Branch != "" && r.Ref != "" {
		return fmt.Errorf("%w: give a branch or a pinned ref, not both", rbac.ErrInvalid)
	}
	if r.Branch != "" && !validRefName(r.Branch) {
		return fmt.Errorf("%w: branch %q is not a valid git branch name", rbac.ErrInvalid, r.Branch)
	}
	if r.Ref != "" && !shaRe.MatchString(r.Ref) && !validRefName(r.Ref) {
		return fmt.Errorf("%w: ref %q must be a tag name or a full 40-character lowercase commit SHA", rbac.ErrInvalid, r.Ref)
	}
	if r.TokenEnv != "" && !envNameRe.MatchString(r.TokenEnv) {
		return fmt.Errorf("%w: token_env %q must be the name of an environment variable (letters, digits, '_'), not the token itself", rbac.ErrInvalid, r.TokenEnv)
	}
	if r.TokenEnv != "" && strings.HasPrefix(r.URL, "file:") {
		return fmt.Errorf("%w: token_env only applies to http(s) URLs", rbac.ErrInvalid)
	}
	if r.Name == "" {
		r.Name = r.Slug
	}
	return nil
}

// checkURL accepts https, http and file URLs without credentials: a token
// in a URL would be stored and shown, which token_env exists to avoid.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return fmt.Errorf("%w: url %q is not a URL; expected https://host/owner/repo.git or file:///path/to/repo", rbac.ErrInvalid, raw)
	}
	switch u.Scheme {
	case "https", "http":
		if u.Host == "" {
			return fmt.Errorf("%w: url %q has no host", rbac.ErrInvalid, raw)
		}
	case "file":
		if u.Path == "" || !strings.HasPrefix(u.Path, "/") {
			return fmt.Errorf("%w: url %q must be file:///absolute/path", rbac.ErrInvalid, raw)
		}
	default:
		return fmt.Errorf("%w: url scheme %q is not supported; use https, http or file", rbac.ErrInvalid, u.Scheme)
	}
	if u.User != nil {
		return fmt.Errorf("%w: url must not contain credentials; put the token in an environment variable of the server and pass its name as token_env", rbac.ErrInvalid)
	}
	return nil
}

func validRefName(name string) bool {
	if strings.HasPrefix(name, "-") || strings.HasPrefix(name, "refs/") {
		return false
	}
	return plumbing.ReferenceName("refs/heads/"+name).Validate() == nil
}

// Registry is CRUD over marketplace_registry and marketplace_plugins.
type Registry struct {
	st *store.Store
}

const registryColumns = `r.id, r.name, r.url, r.branch, r.ref, r.token_env, r.description, r.registered_by, r.registered_at,
	r.last_attempt_at, r.last_synced_at, r.last_commit_sha, r.last_error,
	(SELECT count(*) FROM marketplace_plugins p WHERE p.marketplace_id = r.id AND p.refused = ''),
	(SELECT count(*) FROM marketplace_plugins p WHERE p.marketplace_id = r.id AND p.refused <> '')`

func scanMarketplace(row interface{ Scan(...any) error }) (*Marketplace, error) {
	var m Marketplace
	var attempt, synced sql.NullTime
	if err := row.Scan(&m.Slug, &m.Name, &m.URL, &m.Branch, &m.Ref, &m.TokenEnv, &m.Description, &m.RegisteredBy, &m.RegisteredAt,
		&attempt, &synced, &m.LastCommitSHA, &m.LastError, &m.Plugins, &m.Refused); err != nil {
		return nil, err
	}
	m.RegisteredAt = m.RegisteredAt.UTC()
	if attempt.Valid {
		t := attempt.Time.UTC()
		m.LastAttemptAt = &t
	}
	if synced.Valid {
		t := synced.Time.UTC()
		m.LastSyncedAt = &t
	}
	return &m, nil
}

// Add registers an upstream. It does not fetch it: Sync does.
func (g *Registry) Add(ctx context.Context, actor rbac.Actor, r Registration) (*Marketplace, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	err := g.st.Tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM marketplace_registry WHERE id = ?", r.Slug).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: marketplace %s", rbac.ErrConflict, r.Slug)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO marketplace_registry
			(id, name, url, branch, ref, token_env, description, registered_by, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.Slug, r.Name, r.URL, r.Branch, r.Ref, r.TokenEnv, r.Description, actor.UserID, now); err != nil {
			return err
		}
		return store.WriteAudit(ctx, tx, store.AuditEntry{UserID: actor.UserID, Action: "marketplace.add", Target: r.Slug, Outcome: "ok",
			Detail: map[string]any{"url": r.URL, "branch": r.Branch, "ref": r.Ref, "token_env": r.TokenEnv}})
	})
	if err != nil {
		return nil, err
	}
	return g.Get(ctx, r.Slug)
}

// Get returns one marketplace.
func (g *Registry) Get(ctx context.Context, slug string) (*Marketplace, error) {
	m, err := scanMarketplace(g.st.DB.QueryRowContext(ctx, "SELECT "+registryColumns+" FROM marketplace_registry r WHERE r.id = ?", slug))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: marketplace %s", rbac.ErrNotFound, slug)
	}
	return m, err
}

// List returns every marketplace, by slug.
func (g *Registry) List(ctx context.Context) ([]*Marketplace, error) {
	rows, err := g.st.DB.QueryContext(ctx, "SELECT "+registryColumns+" FROM marketplace_registry r ORDER BY r.id")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Marketplace{}
	for rows.Next() {
		m, err := scanMarketplace(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// remove deletes a marketplace and its plugin rows.
func (g *Registry) remove(ctx context.Context, actor rbac.Actor, slug string) error {
	return g.st.Tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "DELETE FROM marketplace_registry WHERE id = ?", slug)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: marketplace %s", rbac.ErrNotFound, slug)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM marketplace_plugins WHERE marketplace_id = ?", slug); err != nil {
			return err
		}
		return store.WriteAudit(ctx, tx, store.AuditEntry{UserID: actor.UserID, Action: "marketplace.remove", Target: slug, Outcome: "ok"})
	})
}

// Plugins lists the plugins of one marketplace, or of all when slug is "".
func (g *Registry) Plugins(ctx context.Context, slug string) ([]*Plugin, error) {
	if slug != "" {
		if _, err := g.Get(ctx, slug); err != nil {
			return nil, err
		}
	}
	rows, err := g.st.DB.QueryContext(ctx, `SELECT marketplace_id, name, version, description, author, source_path, coalesce(raw::VARCHAR, ''), refused, updated_at
		FROM marketplace_plugins WHERE ? = '' OR marketplace_id = ? ORDER BY marketplace_id, name`, slug, slug)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Plugin{}
	for rows.Next() {
		var p Plugin
		var raw string
		if err := rows.Scan(&p.Marketplace, &p.Name, &p.Version, &p.Description, &p.Author, &p.SourcePath, &raw, &p.Refused, &p.UpdatedAt); err != nil {
			return nil, err
		}
		p.ID = p.Marketplace + "/" + p.Name
		p.PrefixedName = p.Marketplace + "-" + p.Name
		if raw != "" {
			p.Raw = json.RawMessage(raw)
		}
		p.UpdatedAt = p.UpdatedAt.UTC()
		out = append(out, &p)
	}
	return out, rows.Err()
}

// recordFailure stores a failed sync attempt; the plugins of the last good
// sync stay as they are.
func (g *Registry) recordFailure(ctx context.Context, actor rbac.Actor, slug string, at time.Time, msg string) error {
	return g.st.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "UPDATE marketplace_registry SET last_attempt_at = ?, last_error = ? WHERE id = ?", at, msg, slug); err != nil {
			return err
		}
		return store.WriteAudit(ctx, tx, store.AuditEntry{UserID: actor.UserID, Action: "marketplace.sync", Target: slug, Outcome: "error",
			Detail: map[string]any{"error": msg}})
	})
}

// recordSuccess replaces the plugin rows of a marketplace with what a sync
// found and stores the commit, in one transaction.
func (g *Registry) recordSuccess(ctx context.Context, actor rbac.Actor, slug string, at time.Time, commit, warning string, plugins []*Plugin) error {
	return g.st.Tx(ctx, func(tx *sql.Tx) error {
		keep := map[string]bool{}
		for _, p := range plugins {
			keep[p.Name] = true
			var raw any
			if len(p.Raw) > 0 {
				raw = string(p.Raw)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO marketplace_plugins
				(marketplace_id, name, version, description, author, source_path, raw, refused, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (marketplace_id, name) DO UPDATE SET version = excluded.version, description = excluded.description,
				author = excluded.author, source_path = excluded.source_path, raw = excluded.raw, refused = excluded.refused,
				updated_at = excluded.updated_at`,
				slug, p.Name, p.Version, p.Description, p.Author, p.SourcePath, raw, p.Refused, at); err != nil {
				return fmt.Errorf("store plugin %s: %w", p.Name, err)
			}
		}
		rows, err := tx.QueryContext(ctx, "SELECT name FROM marketplace_plugins WHERE marketplace_id = ?", slug)
		if err != nil {
			return err
		}
		var gone []string
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				rows.Close()
				return err
			}
			if !keep[name] {
				gone = append(gone, name)
			}
		}
		rows.Close()
		for _, name := range gone {
			if _, err := tx.ExecContext(ctx, "DELETE FROM marketplace_plugins WHERE marketplace_id = ? AND name = ?", slug, name); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE marketplace_registry SET last_attempt_at = ?, last_synced_at = ?, last_commit_sha = ?, last_error = ?
			WHERE id = ?`, at, at, commit, warning, slug); err != nil {
			return err
		}
		refused := 0
		for _, p := range plugins {
			if p.Refused != "" {
				refused++
			}
		}
		return store.WriteAudit(ctx, tx, store.AuditEntry{UserID: actor.UserID, Action: "marketplace.sync", Target: slug, Outcome: "ok",
			Detail: map[string]any{"commit": commit, "plugins": len(plugins) - refused, "refused": refused, "removed": len(gone)}})
	})
}
