package rbac

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/keboola/agnes/store"
)

// User is one row of users.
type User struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Name      string    `json:"name"`
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
	salt      []byte
}

// NormalizeEmail lower-cases and trims an email and checks its form.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	if e == "" {
		return "", fmt.Errorf("%w: email is empty", ErrInvalid)
	}
	addr, err := mail.ParseAddress(e)
	if err != nil || addr.Address != e {
		// mail.ParseAddress rejects bare "admin@localhost"-style names only
		// when malformed; accept local@host without a dot in host.
		if !strings.Contains(e, "@") || strings.ContainsAny(e, " \t\r\n<>,;\"") || strings.HasPrefix(e, "@") || strings.HasSuffix(e, "@") {
			return "", fmt.Errorf("%w: %q is not an email address", ErrInvalid, email)
		}
	}
	return e, nil
}

// CreateUser adds an active user. Every user is implicitly in Everyone.
func (s *Service) CreateUser(ctx context.Context, actor Actor, email, name string) (*User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	u := &User{ID: newID("u_"), Email: e, Name: strings.TrimSpace(name), Active: true, CreatedAt: time.Now().UTC(), salt: salt}
	err = s.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "user.create", Target: u.ID, Detail: map[string]any{"email": e}},
		func(tx *sql.Tx) error {
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE email = ?", e).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("%w: user %s", ErrConflict, e)
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO users (id, email, name, active, scram_salt, created_at) VALUES (?, ?, ?, true, ?, ?)",
				u.ID, u.Email, u.Name, u.salt, u.CreatedAt)
			return err
		})
	if err != nil {
		return nil, err
	}
	return u, nil
}

const userCols = "id, email, name, active, created_at, scram_salt"

func scanUser(row interface{ Scan(...any) error }) (*User, error) {
	var u User
	if err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Active, &u.CreatedAt, &u.salt); err != nil {
		return nil, err
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return &u, nil
}

// User returns a user by id or email (case-insensitive).
func (s *Service) User(ctx context.Context, idOrEmail string) (*User, error) {
	key := strings.TrimSpace(idOrEmail)
	u, err := scanUser(s.st.DB.QueryRowContext(ctx,
		"SELECT "+userCols+" FROM users WHERE id = ? OR email = lower(?)", key, key))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: user %s", ErrNotFound, idOrEmail)
	}
	return u, err
}

// Users lists all users, ordered by email.
func (s *Service) Users(ctx context.Context) ([]*User, error) {
	rows, err := s.st.DB.QueryContext(ctx, "SELECT "+userCols+" FROM users ORDER BY email")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// DeactivateUser marks a user inactive: none of their tokens authenticate
// any more. The last active admin cannot be deactivated.
func (s *Service) DeactivateUser(ctx context.Context, actor Actor, idOrEmail string) (*User, error) {
	u, err := s.User(ctx, idOrEmail)
	if err != nil {
		return nil, err
	}
	err = s.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "user.deactivate", Target: u.ID, Detail: map[string]any{"email": u.Email}},
		func(tx *sql.Tx) error {
			if err := checkNotLastAdmin(ctx, tx, u.ID); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "UPDATE users SET active = false, deactivated_at = current_timestamp WHERE id = ?", u.ID)
			return err
		})
	if err != nil {
		return nil, err
	}
	u.Active = false
	return u, nil
}

// checkNotLastAdmin fails when userID is the only active member of Admin.
func checkNotLastAdmin(ctx context.Context, tx *sql.Tx, userID string) error {
	var others, self int
	err := tx.QueryRowContext(ctx, `
		SELECT count(*) FILTER (WHERE m.user_id <> ?), count(*) FILTER (WHERE m.user_id = ?)
		FROM user_group_members m JOIN users u ON u.id = m.user_id
		WHERE m.group_id = ? AND u.active`, userID, userID, AdminGroupID).Scan(&others, &self)
	if err != nil {
		return err
	}
	if self > 0 && others == 0 {
		return fmt.Errorf("%w: cannot remove or deactivate the last active admin", ErrLastAdmin)
	}
	return nil
}

// Principal resolves an active user into a Principal with its groups.
func (s *Service) Principal(ctx context.Context, userID string) (*Principal, error) {
	u, err := s.User(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !u.Active {
		return nil, fmt.Errorf("%w: user %s is deactivated", ErrUnauthorized, u.Email)
	}
	snap, err := s.snapshot(ctx)
	if err != nil {
		return nil, err
	}
	return snap.principal(u), nil
}
