package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/keboola/agnes/rbac"
)

// BootstrapResult says what bootstrap created.
type BootstrapResult struct {
	AdminEmail   string
	TokenPath    string
	TokenCreated bool
}

// bootstrap makes sure an administrator can log in: it creates the
// configured admin user (if absent), puts it in Admin, and — when
// state/admin.token is missing — mints a token and writes it there (0600).
// Every step is idempotent, so a start-up killed at any point finishes the
// job on the next start; deleting admin.token and restarting rotates the
// bootstrap token.
func (a *App) bootstrap(ctx context.Context) (BootstrapResult, error) {
	res := BootstrapResult{AdminEmail: a.Cfg.Instance.AdminEmail, TokenPath: a.StatePath("admin.token")}
	sys := rbac.Actor{UserID: "system"}
	u, err := a.RBAC.User(ctx, a.Cfg.Instance.AdminEmail)
	if errors.Is(err, rbac.ErrNotFound) {
		u, err = a.RBAC.CreateUser(ctx, sys, a.Cfg.Instance.AdminEmail, "Administrator")
	}
	if err != nil {
		return res, fmt.Errorf("bootstrap admin: %w", err)
	}
	members, err := a.RBAC.Members(ctx, rbac.AdminGroupID)
	if err != nil {
		return res, err
	}
	inAdmin := false
	for _, m := range members {
		inAdmin = inAdmin || m.UserID == u.ID
	}
	if !inAdmin {
		if err := a.RBAC.AddMember(ctx, sys, rbac.AdminGroupID, u.ID); err != nil && !errors.Is(err, rbac.ErrConflict) {
			return res, fmt.Errorf("bootstrap admin: %w", err)
		}
	}
	if _, err := os.Stat(res.TokenPath); err == nil {
		return res, nil
	}
	// A bootstrap token whose file never got written is useless: revoke it.
	tokens, err := a.RBAC.Tokens(ctx, u.ID)
	if err != nil {
		return res, err
	}
	for _, t := range tokens {
		if t.Name == "bootstrap" && t.RevokedAt == nil {
			if _, err := a.RBAC.RevokeToken(ctx, sys, t.ID); err != nil {
				return res, err
			}
		}
	}
	_, secret, err := a.RBAC.CreateToken(ctx, sys, u.ID, "bootstrap", nil)
	if err != nil {
		return res, fmt.Errorf("bootstrap token: %w", err)
	}
	if err := WriteFileAtomic(res.TokenPath, []byte(secret+"\n"), 0o600); err != nil {
		return res, fmt.Errorf("bootstrap token: %w", err)
	}
	res.TokenCreated = true
	return res, nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory, fsyncs it, renames it into place and fsyncs the directory.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
