package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/keboola/agnes/client"
)

// credentials is what `agnes login` stores.
type credentials struct {
	Server string `json:"server"`
	Token  string `json:"token"`
}

const loginHint = "run `agnes login --server URL --token PAT` or set AGNES_SERVER and AGNES_TOKEN"

// credentialsPath is credentials.json in $AGNES_CONFIG_DIR, or in the agnes
// directory of the user's configuration directory.
func credentialsPath() (string, error) {
	if dir := os.Getenv("AGNES_CONFIG_DIR"); dir != "" {
		return filepath.Join(dir, "credentials.json"), nil
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("cannot find a configuration directory (%v): set AGNES_CONFIG_DIR", err)
	}
	return filepath.Join(dir, "agnes", "credentials.json"), nil
}

// loadCredentials reads the stored login; a missing file is no login, not
// an error.
func loadCredentials() (credentials, error) {
	var c credentials
	path, err := credentialsPath()
	if err != nil {
		return c, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read credentials: %w", err)
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("credentials file %s is damaged (%v): run `agnes login` again", path, err)
	}
	return c, nil
}

// saveCredentials writes the login atomically (temporary file, fsync,
// rename), readable by the owner only: the file holds a secret.
func saveCredentials(c credentials) (string, error) {
	path, err := credentialsPath()
	if err != nil {
		return "", err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("save credentials: %w", err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".credentials-*.json")
	if err != nil {
		return "", fmt.Errorf("save credentials: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return "", fmt.Errorf("save credentials: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return "", fmt.Errorf("save credentials: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return "", fmt.Errorf("save credentials: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("save credentials: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("save credentials: %w", err)
	}
	// Make the rename itself durable.
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
	return path, nil
}

// resolve returns the server and token to use: flags, then environment,
// then the stored login, each field on its own.
func (c *cli) resolve() (credentials, error) {
	cred := credentials{Server: c.server, Token: c.token}
	if cred.Server == "" {
		cred.Server = os.Getenv("AGNES_SERVER")
	}
	if cred.Token == "" {
		cred.Token = os.Getenv("AGNES_TOKEN")
	}
	if cred.Server == "" || cred.Token == "" {
		stored, err := loadCredentials()
		if err != nil {
			return cred, err
		}
		if cred.Server == "" {
			cred.Server = stored.Server
		}
		if cred.Token == "" {
			cred.Token = stored.Token
		}
	}
	cred.Server = strings.TrimSpace(cred.Server)
	cred.Token = strings.TrimSpace(cred.Token)
	if cred.Server == "" || cred.Token == "" {
		return cred, errors.New("not logged in: " + loginHint)
	}
	return cred, nil
}

// client returns an API client with the resolved credentials.
func (c *cli) client() (*client.Client, error) {
	cred, err := c.resolve()
	if err != nil {
		return nil, err
	}
	return client.New(cred.Server, cred.Token), nil
}
