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

// Group is one row of user_groups.
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
	Source string `json:"source"` // admin, google_sync, system_seed, implicit
	Active bool   `json:"active"`
}

// CreateGroup adds a custom group.
func (s *Service) CreateGroup(ctx context.Context, actor Actor, name, description string) (*Group, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 128 || strings.ContainsAny(name, "\x00\n\r") {
		return nil, fmt.Errorf("%w: group name must be 1–128 characters on one line", ErrInvalid)
	}
	g := &Group{ID: newID("g_"), Name: name, Description: description, CreatedAt: time.Now().UTC()}
	err := s.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "group.create", Target: g.ID, Detail: map[string]any{"name": name}},
		func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM user_groups WHERE lower(name) = lower(?)", name).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("%w: group %q", ErrConflict, name)
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO user_groups (id, name, description, is_system, created_at) VALUES (?, ?, ?, false, ?)",
				g.ID, g.Name, g.Description, g.CreatedAt)
			return err
		})
	if err != nil {
		return nil, err
	}
	return g, nil
}

const groupQuery = `
	SELECT g.id, g.name, g.description, g.is_system, g.created_at,
	       CASE WHEN g.id = 'everyone' THEN (SELECT count(*) FROM users WHERE active)
	            ELSE (SELECT count(*) FROM user_group_members m WHERE m.group_id = g.id) END,
	       (SELECT count(*) FROM resource_grants r WHERE r.group_id = g.id)
	FROM user_groups g`

func scanGroup(row interface{ Scan(...any) error }) (*Group, error) {
	var g Group
	err := row.Scan(&g.ID, &g.Name, &g.Description, &g.IsSystem, &g.CreatedAt, &g.MemberCount, &g.GrantCount)
	g.CreatedAt = g.CreatedAt.UTC()
	return &g, err
}

// Group returns a group by id or name (case-insensitive).
func (s *Service) Group(ctx context.Context, idOrName string) (*Group, error) {
	g, err := scanGroup(s.st.DB.QueryRowContext(ctx, groupQuery+" WHERE g.id = ? OR lower(g.name) = lower(?)", idOrName, idOrName))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: group %s", ErrNotFound, idOrName)
	}
	return g, err
}

// Groups lists all groups by name.
func (s *Service) Groups(ctx context.Context) ([]*Group, error) {
	rows, err := s.st.DB.QueryContext(ctx, groupQuery+" ORDER BY g.is_system DESC, lower(g.name)")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Group
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// DeleteGroup removes a custom group with its memberships and grants.
func (s *Service) DeleteGroup(ctx context.Context, actor Actor, idOrName string) error {
	g, err := s.Group(ctx, idOrName)
	if err != nil {
		return err
	}
	if g.IsSystem {
		return fmt.Errorf("%w: %s is a system group and cannot be deleted", ErrSystemGroup, g.Name)
	}
	return s.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "group.delete", Target: g.ID, Detail: map[string]any{"name": g.Name}},
		func(tx *sql.Tx) error {
			for _, q := range []string{
				"DELETE FROM resource_grants WHERE group_id = ?",
				"DELETE FROM user_group_members WHERE group_id = ?",
				"DELETE FROM user_groups WHERE id = ?",
			} {
				if _, err := tx.ExecContext(ctx, q, g.ID); err != nil {
					return err
				}
			}
			return nil
		})
}

// Members lists a group's members. Everyone lists every user (membership is
// implicit).
func (s *Service) Members(ctx context.Context, idOrName string) ([]Member, error) {
	g, err := s.Group(ctx, idOrName)
	if err != nil {
		return nil, err
	}
	q := `SELECT u.id, u.email, u.name, m.source, u.active FROM user_group_members m JOIN users u ON u.id = m.user_id WHERE m.group_id = ? ORDER BY u.email`
	if g.ID == EveryoneGroupID {
		q = `SELECT u.id, u.email, u.name, 'implicit', u.active FROM users u WHERE ? <> '' ORDER BY u.email`
	}
	rows, err := s.st.DB.QueryContext(ctx, q, g.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Member{}
	for rows.Next() {
		var m Member
		if err := rows.Scan(&m.UserID, &m.Email, &m.Name, &m.Source, &m.Active); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// AddMember puts a user in a group (source admin).
func (s *Service) AddMember(ctx context.Context, actor Actor, group, user string) error {
	return s.addMember(ctx, actor, group, user, "admin")
}

func (s *Service) addMember(ctx context.Context, actor Actor, group, user, source string) error {
	g, err := s.Group(ctx, group)
	if err != nil {
		return err
	}
	u, err := s.User(ctx, user)
	if err != nil {
		return err
	}
	if g.ID == EveryoneGroupID {
		return fmt.Errorf("%w: every user is already a member of Everyone", ErrConflict)
	}
	return s.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "group.member.add", Target: g.ID, Detail: map[string]any{"user_id": u.ID, "email": u.Email}},
		func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM user_group_members WHERE user_id = ? AND group_id = ?", u.ID, g.ID).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("%w: %s is already a member of %s", ErrConflict, u.Email, g.Name)
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO user_group_members (user_id, group_id, source) VALUES (?, ?, ?)", u.ID, g.ID, source)
			return err
		})
}

// RemoveMember takes a user out of a group. The last active admin cannot be
// removed from Admin.
func (s *Service) RemoveMember(ctx context.Context, actor Actor, group, user string) error {
	g, err := s.Group(ctx, group)
	if err != nil {
		return err
	}
	u, err := s.User(ctx, user)
	if err != nil {
		return err
	}
	if g.ID == EveryoneGroupID {
		return fmt.Errorf("%w: membership of Everyone is implicit and cannot be removed", ErrSystemGroup)
	}
	return s.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "group.member.remove", Target: g.ID, Detail: map[string]any{"user_id": u.ID, "email": u.Email}},
		func(tx *sql.Tx) error {
			if g.ID == AdminGroupID {
				if err := checkNotLastAdmin(ctx, tx, u.ID); err != nil {
					return err
				}
			}
			res, err := tx.ExecContext(ctx, "DELETE FROM user_group_members WHERE user_id = ? AND group_id = ?", u.ID, g.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("%w: %s is not a member of %s", ErrNotFound, u.Email, g.Name)
			}
			return nil
		})
}
