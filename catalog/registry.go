package catalog

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// Registry is the table registry in the system store.
type Registry struct {
	st      *store.Store
	rbac    *rbac.Service
	version atomic.Int64
	cache   atomic.Pointer[[]*Table]
}

// NewRegistry returns the registry over the store.
func NewRegistry(st *store.Store, r *rbac.Service) *Registry {
	return &Registry{st: st, rbac: r}
}

// Version increases after every registry change.
func (r *Registry) Version() int64 { return r.version.Load() }

func (r *Registry) changed() {
	r.cache.Store(nil)
	r.version.Add(1)
}

var (
	idRe     = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	schemaRe = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
)

// NormalizeID turns a display name into a registry id: trimmed, lower-case,
// spaces to underscores; it must then match [a-z_][a-z0-9_]*.
func NormalizeID(name string) (string, error) {
	id := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(name)), " ", "_")
	if !idRe.MatchString(id) {
		return "", fmt.Errorf("%w: table id %q must match [a-z_][a-z0-9_]* (at most 63 characters)", rbac.ErrInvalid, id)
	}
	return id, nil
}

const tableCols = `id, name, schema_name, description, source_type, query_mode, server_only, bucket, source_table,
	source_query, location, columns, row_count, size_bytes, md5, sha256, sync_schedule, status, registered_at, updated_at`

// tableSelect is tableCols with the JSON column read as text (the driver
// would otherwise hand back parsed JSON).
// sha256 was added by a later migration, without NOT NULL (DuckDB cannot
// add a column with a constraint).
var tableSelect = strings.NewReplacer("columns,", "columns::VARCHAR,", "sha256,", "coalesce(sha256, '') AS sha256,").Replace(tableCols)

func scanTable(row interface{ Scan(...any) error }) (*Table, error) {
	var t Table
	var cols sql.NullString
	if err := row.Scan(&t.ID, &t.Name, &t.Schema, &t.Description, &t.SourceType, &t.QueryMode, &t.ServerOnly, &t.Bucket,
		&t.SourceTable, &t.SourceQuery, &t.Location, &cols, &t.RowCount, &t.SizeBytes, &t.MD5, &t.SHA256, &t.SyncSchedule, &t.Status,
		&t.RegisteredAt, &t.UpdatedAt); err != nil {
		return nil, err
	}
	t.Columns = []Column{}
	if cols.Valid && cols.String != "" {
		if err := json.Unmarshal([]byte(cols.String), &t.Columns); err != nil {
			return nil, fmt.Errorf("table %s: columns: %w", t.ID, err)
		}
	}
	t.RegisteredAt, t.UpdatedAt = t.RegisteredAt.UTC(), t.UpdatedAt.UTC()
	return &t, nil
}

// List returns every registered table ordered by schema and name. The
// result is cached until the next change; callers must not modify it.
func (r *Registry) List(ctx context.Context) ([]*Table, error) {
	if c := r.cache.Load(); c != nil {
		return *c, nil
	}
	v := r.version.Load()
	rows, err := r.st.DB.QueryContext(ctx, "SELECT "+tableSelect+" FROM table_registry ORDER BY schema_name, name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Table{}
	for rows.Next() {
		t, err := scanTable(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if r.version.Load() == v {
		r.cache.CompareAndSwap(nil, &out)
	}
	return out, nil
}

// Get returns one table by id.
func (r *Registry) Get(ctx context.Context, id string) (*Table, error) {
	t, err := scanTable(r.st.DB.QueryRowContext(ctx, "SELECT "+tableSelect+" FROM table_registry WHERE id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: table %s", rbac.ErrNotFound, id)
	}
	return t, err
}

// Visible returns the tables the principal may read.
func (r *Registry) Visible(ctx context.Context, p *rbac.Principal) ([]*Table, error) {
	all, err := r.List(ctx)
	if err != nil {
		return nil, err
	}
	ids, everything, err := r.rbac.Granted(ctx, p, rbac.ResourceTable)
	if err != nil {
		return nil, err
	}
	var out []*Table
	for _, t := range all {
		if everything || ids[t.ID] {
			out = append(out, t)
		}
	}
	return out, nil
}

func validate(t *Table) error {
	if t.QueryMode == "" {
		t.QueryMode = ModeLocal
	}
	switch t.QueryMode {
	case ModeLocal, ModeRemote, ModeMaterialized:
	default:
		return fmt.Errorf("%w: query_mode %q must be local, remote or materialized", rbac.ErrInvalid, t.QueryMode)
	}
	if t.ServerOnly && t.QueryMode == ModeRemote {
		return fmt.Errorf("%w: server_only cannot be combined with query_mode remote (remote tables are never downloaded anyway)", rbac.ErrInvalid)
	}
	if t.Schema == "" {
		t.Schema = "public"
	}
	t.Schema = strings.ToLower(t.Schema)
	if !schemaRe.MatchString(t.Schema) || t.Schema == "pg_catalog" || t.Schema == "information_schema" || strings.HasPrefix(t.Schema, "pg_") {
		return fmt.Errorf("%w: schema %q is not allowed", rbac.ErrInvalid, t.Schema)
	}
	if t.SourceType == "" {
		t.SourceType = "local"
	}
	if t.Status == "" {
		t.Status = "ok"
	}
	if t.Columns == nil {
		t.Columns = []Column{}
	}
	return nil
}

func columnsJSON(c []Column) string {
	b, _ := json.Marshal(c)
	return string(b)
}

// Register adds a registry row (admin registration).
func (r *Registry) Register(ctx context.Context, actor rbac.Actor, t Table) (*Table, error) {
	id, err := NormalizeID(t.Name)
	if err != nil {
		return nil, err
	}
	t.ID, t.Name = id, id
	if err := validate(&t); err != nil {
		return nil, err
	}
	now := time.Now().UTC()
	t.RegisteredAt, t.UpdatedAt = now, now
	err = r.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "table.register", Target: id,
		Detail: map[string]any{"source_type": t.SourceType, "query_mode": t.QueryMode}}, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM table_registry WHERE id = ? OR (lower(schema_name) = ? AND lower(name) = ?)",
			id, t.Schema, strings.ToLower(t.Name)).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("%w: table %s", rbac.ErrConflict, id)
		}
		return insertTable(ctx, tx, &t, "admin")
	})
	if err != nil {
		return nil, err
	}
	return r.Get(ctx, id)
}

func insertTable(ctx context.Context, tx *sql.Tx, t *Table, origin string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO table_registry (`+tableCols+`, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, t.Name, t.Schema, t.Description, t.SourceType, t.QueryMode, t.ServerOnly, t.Bucket, t.SourceTable, t.SourceQuery,
		t.Location, columnsJSON(t.Columns), t.RowCount, t.SizeBytes, t.MD5, t.SHA256, t.SyncSchedule, t.Status, t.RegisteredAt, t.UpdatedAt, origin)
	return err
}

// Patch is a partial update of a registry row; nil fields are unchanged.
type Patch struct {
	Description  *string `json:"description"`
	Schema       *string `json:"schema"`
	SourceType   *string `json:"source_type"`
	QueryMode    *string `json:"query_mode"`
	ServerOnly   *bool   `json:"server_only"`
	Bucket       *string `json:"bucket"`
	SourceTable  *string `json:"source_table"`
	SourceQuery  *string `json:"source_query"`
	SyncSchedule *string `json:"sync_schedule"`
}

// Update applies a patch; the id never changes.
func (r *Registry) Update(ctx context.Context, actor rbac.Actor, id string, p Patch) (*Table, error) {
	t, err := r.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	var changed []string
	set := func(name string, dst *string, v *string) {
		if v != nil {
			*dst = *v
			changed = append(changed, name)
		}
	}
	set("description", &t.Description, p.Description)
	set("schema", &t.Schema, p.Schema)
	set("source_type", &t.SourceType, p.SourceType)
	set("query_mode", &t.QueryMode, p.QueryMode)
	set("bucket", &t.Bucket, p.Bucket)
	set("source_table", &t.SourceTable, p.SourceTable)
	set("source_query", &t.SourceQuery, p.SourceQuery)
	set("sync_schedule", &t.SyncSchedule, p.SyncSchedule)
	if p.ServerOnly != nil {
		t.ServerOnly = *p.ServerOnly
		changed = append(changed, "server_only")
	}
	if err := validate(t); err != nil {
		return nil, err
	}
	t.UpdatedAt = time.Now().UTC()
	err = r.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "table.update", Target: id, Detail: map[string]any{"fields": changed}},
		func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `UPDATE table_registry SET schema_name = ?, description = ?, source_type = ?, query_mode = ?,
				server_only = ?, bucket = ?, source_table = ?, source_query = ?, sync_schedule = ?, updated_at = ? WHERE id = ?`,
				t.Schema, t.Description, t.SourceType, t.QueryMode, t.ServerOnly, t.Bucket, t.SourceTable, t.SourceQuery, t.SyncSchedule, t.UpdatedAt, id)
			return err
		})
	if err != nil {
		return nil, err
	}
	return r.Get(ctx, id)
}

// Delete removes a registry row and every grant on it.
func (r *Registry) Delete(ctx context.Context, actor rbac.Actor, id string) error {
	if _, err := r.Get(ctx, id); err != nil {
		return err
	}
	err := r.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "table.delete", Target: id}, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM resource_grants WHERE resource_type = 'table' AND resource_id = ?", id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "DELETE FROM table_registry WHERE id = ?", id)
		return err
	})
	if err == nil {
		r.rbac.Invalidate()
	}
	return err
}

func (r *Registry) mutate(ctx context.Context, audit store.AuditEntry, fn func(tx *sql.Tx) error) error {
	err := r.st.Tx(ctx, func(tx *sql.Tx) error {
		if err := fn(tx); err != nil {
			return err
		}
		if audit.Outcome == "" {
			audit.Outcome = "ok"
		}
		return store.WriteAudit(ctx, tx, audit)
	})
	if err == nil {
		r.changed()
	}
	return err
}
