package rbac

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/keboola/agnes/store"
)

// Grant is one row of resource_grants.
type Grant struct {
	ID           string    `json:"id"`
	GroupID      string    `json:"group_id"`
	GroupName    string    `json:"group_name"`
	ResourceType string    `json:"resource_type"`
	ResourceID   string    `json:"resource_id"`
	CreatedAt    time.Time `json:"created_at"`
}

// CreateGrant gives a group access to a resource.
func (s *Service) CreateGrant(ctx context.Context, actor Actor, group, resourceType, resourceID string) (*Grant, error) {
	resourceType = strings.TrimSpace(resourceType)
	resourceID = strings.TrimSpace(resourceID)
	if err := s.validateResource(resourceType, resourceID); err != nil {
		return nil, err
	}
	g, err := s.Group(ctx, group)
	if err != nil {
		return nil, err
	}
	gr := &Grant{ID: newID("gr_"), GroupID: g.ID, GroupName: g.Name, ResourceType: resourceType, ResourceID: resourceID, CreatedAt: time.Now().UTC()}
	err = s.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "grant.create", Target: gr.ID,
		Detail: map[string]any{"group_id": g.ID, "resource_type": resourceType, "resource_id": resourceID}},
		func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM resource_grants WHERE group_id = ? AND resource_type = ? AND resource_id = ?",
				g.ID, resourceType, resourceID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("%w: %s already has %s %s", ErrConflict, g.Name, resourceType, resourceID)
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO resource_grants (id, group_id, resource_type, resource_id, created_at) VALUES (?, ?, ?, ?, ?)",
				gr.ID, gr.GroupID, gr.ResourceType, gr.ResourceID, gr.CreatedAt)
			return err
		})
	if err != nil {
		return nil, err
	}
	return gr, nil
}

// GrantFilter narrows Grants; empty fields match everything.
type GrantFilter struct {
	Group        string // id or name
	ResourceType string
}

// Grants lists grants.
func (s *Service) Grants(ctx context.Context, f GrantFilter) ([]*Grant, error) {
	q := `SELECT r.id, r.group_id, g.name, r.resource_type, r.resource_id, r.created_at
	      FROM resource_grants r JOIN user_groups g ON g.id = r.group_id WHERE true`
	var args []any
	if f.Group != "" {
		g, err := s.Group(ctx, f.Group)
		if err != nil {
			return nil, err
		}
		q += " AND r.group_id = ?"
		args = append(args, g.ID)
	}
	if f.ResourceType != "" {
		q += " AND r.resource_type = ?"
		args = append(args, f.ResourceType)
	}
	rows, err := s.st.DB.QueryContext(ctx, q+" ORDER BY g.name, r.resource_type, r.resource_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Grant{}
	for rows.Next() {
		var g Grant
		if err := rows.Scan(&g.ID, &g.GroupID, &g.GroupName, &g.ResourceType, &g.ResourceID, &g.CreatedAt); err != nil {
			return nil, err
		}
		g.CreatedAt = g.CreatedAt.UTC()
		out = append(out, &g)
	}
	return out, rows.Err()
}

// DeleteGrant removes a grant by id.
func (s *Service) DeleteGrant(ctx context.Context, actor Actor, id string) error {
	var gr Grant
	err := s.st.DB.QueryRowContext(ctx, "SELECT id, group_id, resource_type, resource_id FROM resource_grants WHERE id = ?", id).
		Scan(&gr.ID, &gr.GroupID, &gr.ResourceType, &gr.ResourceID)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: grant %s", ErrNotFound, id)
	}
	if err != nil {
		return err
	}
	return s.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "grant.delete", Target: id,
		Detail: map[string]any{"group_id": gr.GroupID, "resource_type": gr.ResourceType, "resource_id": gr.ResourceID}},
		func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "DELETE FROM resource_grants WHERE id = ?", id)
			return err
		})
}
