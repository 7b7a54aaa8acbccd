package rbac

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/xdg-go/scram"

	"github.com/keboola/agnes/store"
)

// TokenPrefix starts every personal access token, so secret scanners and
// humans recognise one.
const TokenPrefix = "agnes_pat_"

// scramIterations is the PBKDF2 iteration count of token verifiers (RFC 7677
// minimum). Tokens carry 256 bits of entropy, so more iterations would only
// slow logins down without making a guess any less hopeless.
const scramIterations = 4096

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

const base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// newSecret returns agnes_pat_ followed by 43 base62 characters (256 bits).
func newSecret() string {
	b := make([]byte, 32)
	rand.Read(b)
	n := new(big.Int).SetBytes(b)
	out := make([]byte, 0, 43)
	base := big.NewInt(62)
	mod := new(big.Int)
	for i := 0; i < 43; i++ {
		n.DivMod(n, base, mod)
		out = append(out, base62[mod.Int64()])
	}
	return TokenPrefix + string(out)
}

// HashToken is the stored form of a token for bearer authentication.
func HashToken(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// NewSCRAMCredential computes the SCRAM-SHA-256 verifier of secret with the
// given salt (RFC 5802 §3: StoredKey = H(ClientKey), ServerKey).
func NewSCRAMCredential(secret string, salt []byte, iters int) (SCRAMCredential, error) {
	c, err := scram.SHA256.NewClient("", secret, "")
	if err != nil {
		return SCRAMCredential{}, err
	}
	sc, err := c.GetStoredCredentialsWithError(scram.KeyFactors{Salt: string(salt), Iters: iters})
	if err != nil {
		return SCRAMCredential{}, err
	}
	return SCRAMCredential{Salt: salt, Iters: iters, StoredKey: sc.StoredKey, ServerKey: sc.ServerKey}, nil
}

// String renders the verifier in PostgreSQL's pg_authid format.
func (c SCRAMCredential) String() string {
	enc := base64.StdEncoding.EncodeToString
	return fmt.Sprintf("SCRAM-SHA-256$%d:%s$%s:%s", c.Iters, enc(c.Salt), enc(c.StoredKey), enc(c.ServerKey))
}

// ParseSCRAMCredential parses the pg_authid verifier format.
func ParseSCRAMCredential(s string) (SCRAMCredential, error) {
	var c SCRAMCredential
	rest, ok := strings.CutPrefix(s, "SCRAM-SHA-256$")
	if !ok {
		return c, fmt.Errorf("not a SCRAM-SHA-256 verifier")
	}
	params, keys, ok := strings.Cut(rest, "$")
	if !ok {
		return c, fmt.Errorf("malformed verifier")
	}
	iters, salt, ok1 := strings.Cut(params, ":")
	stored, server, ok2 := strings.Cut(keys, ":")
	if !ok1 || !ok2 {
		return c, fmt.Errorf("malformed verifier")
	}
	var err error
	if c.Iters, err = strconv.Atoi(iters); err != nil {
		return c, err
	}
	dec := base64.StdEncoding.DecodeString
	if c.Salt, err = dec(salt); err != nil {
		return c, err
	}
	if c.StoredKey, err = dec(stored); err != nil {
		return c, err
	}
	if c.ServerKey, err = dec(server); err != nil {
		return c, err
	}
	return c, nil
}

// CreateToken mints a token for a user and returns it with its secret; the
// secret is not stored and cannot be shown again. expiresAt nil = never.
func (s *Service) CreateToken(ctx context.Context, actor Actor, user, name string, expiresAt *time.Time) (*Token, string, error) {
	u, err := s.User(ctx, user)
	if err != nil {
		return nil, "", err
	}
	if !u.Active {
		return nil, "", fmt.Errorf("%w: user %s is deactivated", ErrInvalid, u.Email)
	}
	secret := newSecret()
	cred, err := NewSCRAMCredential(secret, u.salt, scramIterations)
	if err != nil {
		return nil, "", err
	}
	t := &Token{ID: newID("tok_"), UserID: u.ID, UserEmail: u.Email, Name: strings.TrimSpace(name),
		Prefix: secret[:len(TokenPrefix)+6], CreatedAt: time.Now().UTC(), ExpiresAt: expiresAt}
	if t.Name == "" {
		t.Name = "token"
	}
	err = s.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "token.create", Target: t.ID, Detail: map[string]any{"user_id": u.ID, "name": t.Name}},
		func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `INSERT INTO personal_access_tokens
				(id, user_id, name, token_hash, prefix, scram_verifier, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
				t.ID, t.UserID, t.Name, HashToken(secret), t.Prefix, cred.String(), t.CreatedAt, expiresAt)
			return err
		})
	if err != nil {
		return nil, "", err
	}
	return t, secret, nil
}

const tokenCols = `t.id, t.user_id, u.email, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func scanToken(row interface{ Scan(...any) error }) (*Token, error) {
	var t Token
	var exp, used, rev sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.UserEmail, &t.Name, &t.Prefix, &t.CreatedAt, &exp, &used, &rev); err != nil {
		return nil, err
	}
	t.CreatedAt = t.CreatedAt.UTC()
	opt := func(n sql.NullTime) *time.Time {
		if !n.Valid {
			return nil
		}
		v := n.Time.UTC()
		return &v
	}
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = opt(exp), opt(used), opt(rev)
	return &t, nil
}

// Tokens lists tokens, of one user when user is non-empty.
func (s *Service) Tokens(ctx context.Context, user string) ([]*Token, error) {
	q := "SELECT " + tokenCols + " FROM personal_access_tokens t JOIN users u ON u.id = t.user_id"
	var args []any
	if user != "" {
		u, err := s.User(ctx, user)
		if err != nil {
			return nil, err
		}
		q += " WHERE t.user_id = ?"
		args = append(args, u.ID)
	}
	rows, err := s.st.DB.QueryContext(ctx, q+" ORDER BY t.created_at, t.id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken revokes a token by id; revoking twice is not an error.
func (s *Service) RevokeToken(ctx context.Context, actor Actor, id string) (*Token, error) {
	t, err := scanToken(s.st.DB.QueryRowContext(ctx, "SELECT "+tokenCols+" FROM personal_access_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: token %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, err
	}
	if t.RevokedAt != nil {
		return t, nil
	}
	now := time.Now().UTC()
	err = s.mutate(ctx, store.AuditEntry{UserID: actor.UserID, Action: "token.revoke", Target: id, Detail: map[string]any{"user_id": t.UserID}},
		func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE personal_access_tokens SET revoked_at = ? WHERE id = ?", now, id)
			return err
		})
	if err != nil {
		return nil, err
	}
	t.RevokedAt = &now
	return t, nil
}

// activeTokenRow is what authentication needs of a token.
type activeTokenRow struct {
	id, userID, hash, verifier string
	lastUsed                   sql.NullTime
}

const activeTokenQuery = `
	SELECT t.id, t.user_id, t.token_hash, t.scram_verifier, t.last_used_at
	FROM personal_access_tokens t JOIN users u ON u.id = t.user_id
	WHERE u.active AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > current_timestamp)`

// AuthenticateToken resolves a bearer token into a principal. Expired,
// revoked, malformed tokens and tokens of inactive users all fail with
// ErrUnauthorized.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (*Principal, error) {
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 200 {
		return nil, ErrUnauthorized
	}
	hash := HashToken(secret)
	var r activeTokenRow
	err := s.st.DB.QueryRowContext(ctx, activeTokenQuery+" AND t.token_hash = ?", hash).
		Scan(&r.id, &r.userID, &r.hash, &r.verifier, &r.lastUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(r.hash), []byte(hash)) != 1 {
		return nil, ErrUnauthorized
	}
	return s.tokenPrincipal(ctx, r)
}

func (s *Service) tokenPrincipal(ctx context.Context, r activeTokenRow) (*Principal, error) {
	p, err := s.Principal(ctx, r.userID)
	if err != nil {
		return nil, ErrUnauthorized
	}
	p.TokenID = r.id
	s.touchToken(ctx, r)
	return p, nil
}

// touchToken records last use at most once a minute per token, so
// authentication does not write to the store on every request.
func (s *Service) touchToken(ctx context.Context, r activeTokenRow) {
	if r.lastUsed.Valid && time.Since(r.lastUsed.Time) < time.Minute {
		return
	}
	s.st.DB.ExecContext(ctx, "UPDATE personal_access_tokens SET last_used_at = current_timestamp WHERE id = ?", r.id)
}

// loginUser finds an active user by email or id for wire logins.
func (s *Service) loginUser(ctx context.Context, login string) (*User, error) {
	u, err := s.User(ctx, login)
	if err != nil || !u.Active {
		return nil, ErrUnauthorized
	}
	return u, nil
}

// CheckPassword authenticates a login name (email or user id) with a token
// presented as a cleartext password.
func (s *Service) CheckPassword(ctx context.Context, login, secret string) (*Principal, error) {
	u, err := s.loginUser(ctx, login)
	if err != nil {
		return nil, err
	}
	hash := HashToken(secret)
	rows, err := s.st.DB.QueryContext(ctx, activeTokenQuery+" AND t.user_id = ?", u.ID)
	if err != nil {
		return nil, err
	}
	var match *activeTokenRow
	for rows.Next() {
		var r activeTokenRow
		if err := rows.Scan(&r.id, &r.userID, &r.hash, &r.verifier, &r.lastUsed); err != nil {
			rows.Close()
			return nil, err
		}
		// Compare against every token in constant time; no early exit.
		if subtle.ConstantTimeCompare([]byte(r.hash), []byte(hash)) == 1 {
			rr := r
			match = &rr
		}
	}
	rows.Close()
	if match == nil {
		return nil, ErrUnauthorized
	}
	return s.tokenPrincipal(ctx, *match)
}

// SCRAMCredentials returns the principal for a login and the SCRAM
// credentials of each active token; (nil, nil, nil) for an unknown or
// inactive user.
func (s *Service) SCRAMCredentials(ctx context.Context, login string) (*Principal, []SCRAMCredential, error) {
	u, err := s.loginUser(ctx, login)
	if err != nil {
		return nil, nil, nil
	}
	rows, err := s.st.DB.QueryContext(ctx, activeTokenQuery+" AND t.user_id = ?", u.ID)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var creds []SCRAMCredential
	for rows.Next() {
		var r activeTokenRow
		if err := rows.Scan(&r.id, &r.userID, &r.hash, &r.verifier, &r.lastUsed); err != nil {
			return nil, nil, err
		}
		c, err := ParseSCRAMCredential(r.verifier)
		if err != nil {
			continue
		}
		c.TokenID = r.id
		creds = append(creds, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	p, err := s.Principal(ctx, u.ID)
	if err != nil {
		return nil, nil, nil
	}
	return p, creds, nil
}

// TokenUsed records that a token authenticated a wire connection.
func (s *Service) TokenUsed(ctx context.Context, tokenID string) {
	s.st.DB.ExecContext(ctx, "UPDATE personal_access_tokens SET last_used_at = current_timestamp WHERE id = ? AND (last_used_at IS NULL OR last_used_at < current_timestamp - INTERVAL 1 MINUTE)", tokenID)
}
