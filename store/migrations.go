package store

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are applied in order; migrations[i] upgrades version i to
// version i+1. Each runs in one transaction together with the version bump,
// so a crash leaves the store at a whole version. Never edit a released
// migration: append a new one.
var migrations = []string{
	// 1: the foundation schema.
	`
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE users (
	id             VARCHAR PRIMARY KEY,
	email          VARCHAR NOT NULL UNIQUE,
	name           VARCHAR NOT NULL DEFAULT '',
	active         BOOLEAN NOT NULL DEFAULT true,
	scram_salt     BLOB NOT NULL,
	created_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
	deactivated_at TIMESTAMPTZ
);
CREATE TABLE personal_access_tokens (
	id             VARCHAR PRIMARY KEY,
	user_id        VARCHAR NOT NULL,
	name           VARCHAR NOT NULL DEFAULT '',
	token_hash     VARCHAR NOT NULL UNIQUE,
	prefix         VARCHAR NOT NULL,
	scram_verifier VARCHAR NOT NULL,
	created_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
	expires_at     TIMESTAMPTZ,
	last_used_at   TIMESTAMPTZ,
	revoked_at     TIMESTAMPTZ
);
CREATE TABLE user_groups (
	id          VARCHAR PRIMARY KEY,
	name        VARCHAR NOT NULL UNIQUE,
	description VARCHAR NOT NULL DEFAULT '',
	is_system   BOOLEAN NOT NULL DEFAULT false,
	created_at  TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
);
CREATE TABLE user_group_members (
	user_id  VARCHAR NOT NULL,
	group_id VARCHAR NOT NULL,
	source   VARCHAR NOT NULL CHECK (source IN ('admin', 'google_sync', 'system_seed')),
	added_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
	PRIMARY KEY (user_id, group_id)
);
CREATE TABLE resource_grants (
	id            VARCHAR PRIMARY KEY,
	group_id      VARCHAR NOT NULL,
	resource_type VARCHAR NOT NULL,
	resource_id   VARCHAR NOT NULL,
	created_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
	UNIQUE (group_id, resource_type, resource_id)
);
CREATE TABLE table_registry (
	id            VARCHAR PRIMARY KEY,
	name          VARCHAR NOT NULL,
	schema_name   VARCHAR NOT NULL DEFAULT 'public',
	description   VARCHAR NOT NULL DEFAULT '',
	source_type   VARCHAR NOT NULL DEFAULT 'local',
	query_mode    VARCHAR NOT NULL DEFAULT 'local' CHECK (query_mode IN ('local', 'remote', 'materialized')),
	server_only   BOOLEAN NOT NULL DEFAULT false,
	bucket        VARCHAR NOT NULL DEFAULT '',
	source_table  VARCHAR NOT NULL DEFAULT '',
	source_query  VARCHAR NOT NULL DEFAULT '',
	location      VARCHAR NOT NULL DEFAULT '',
	columns       JSON,
	row_count     BIGINT NOT NULL DEFAULT 0,
	size_bytes    BIGINT NOT NULL DEFAULT 0,
	md5           VARCHAR NOT NULL DEFAULT '',
	sync_schedule VARCHAR NOT NULL DEFAULT '',
	status        VARCHAR NOT NULL DEFAULT 'ok',
	origin        VARCHAR NOT NULL DEFAULT 'admin',
	registered_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
	updated_at    TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
	CHECK (NOT (server_only AND query_mode = 'remote'))
);
CREATE SEQUENCE audit_log_id;
CREATE TABLE audit_log (
	id      BIGINT PRIMARY KEY DEFAULT nextval('audit_log_id'),
	ts      TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
	user_id VARCHAR NOT NULL DEFAULT '',
	action  VARCHAR NOT NULL,
	target  VARCHAR NOT NULL DEFAULT '',
	detail  JSON,
	outcome VARCHAR NOT NULL
);
CREATE TABLE instance_secrets (
	name  VARCHAR PRIMARY KEY,
	value BLOB NOT NULL
);
`,
	// 2: a history of registry syncs, for operators.
	`
CREATE SEQUENCE sync_history_id;
CREATE TABLE sync_history (
	id          BIGINT PRIMARY KEY DEFAULT nextval('sync_history_id'),
	started_at  TIMESTAMPTZ NOT NULL,
	finished_at TIMESTAMPTZ NOT NULL,
	actor       VARCHAR NOT NULL DEFAULT '',
	added       INTEGER NOT NULL DEFAULT 0,
	updated     INTEGER NOT NULL DEFAULT 0,
	removed     INTEGER NOT NULL DEFAULT 0,
	broken      JSON,
	outcome     VARCHAR NOT NULL
);
`,
	// 3: the Claude Code plugin marketplace: registered upstream git
	// repositories and the plugins their last good sync found. token_env is
	// the name of an environment variable, never the secret; refused holds
	// the reason a plugin is not served ('' when it is).
	`
CREATE TABLE marketplace_registry (
	id              VARCHAR PRIMARY KEY,
	name            VARCHAR NOT NULL DEFAULT '',
	url             VARCHAR NOT NULL,
	branch          VARCHAR NOT NULL DEFAULT '',
	ref             VARCHAR NOT NULL DEFAULT '',
	token_env       VARCHAR NOT NULL DEFAULT '',
	description     VARCHAR NOT NULL DEFAULT '',
	registered_by   VARCHAR NOT NULL DEFAULT '',
	registered_at   TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
	last_attempt_at TIMESTAMPTZ,
	last_synced_at  TIMESTAMPTZ,
	last_commit_sha VARCHAR NOT NULL DEFAULT '',
	last_error      VARCHAR NOT NULL DEFAULT '',
	CHECK (branch = '' OR ref = '')
);
CREATE TABLE marketplace_plugins (
	marketplace_id VARCHAR NOT NULL,
	name           VARCHAR NOT NULL,
	version        VARCHAR NOT NULL DEFAULT '',
	description    VARCHAR NOT NULL DEFAULT '',
	author         VARCHAR NOT NULL DEFAULT '',
	source_path    VARCHAR NOT NULL DEFAULT '',
	raw            JSON,
	refused        VARCHAR NOT NULL DEFAULT '',
	updated_at     TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
	PRIMARY KEY (marketplace_id, name)
);
`,
	// 4: the SHA-256 of a table's file next to its MD5: downloads are
	// verified against it. Rows from before are filled in by the next scan.
	`
ALTER TABLE table_registry ADD COLUMN sha256 VARCHAR DEFAULT '';
`,
}

// LatestVersion is the schema version this binary migrates to.
func LatestVersion() int { return len(migrations) }

func (s *Store) migrate(ctx context.Context) error {
	return s.migrateTo(ctx, LatestVersion())
}

// migrateTo migrates up to version target (tests use it to build old stores).
func (s *Store) migrateTo(ctx context.Context, target int) error {
	var current int
	var exists bool
	if err := s.DB.QueryRowContext(ctx,
		"SELECT count(*) > 0 FROM duckdb_tables() WHERE table_name = 'schema_version' AND schema_name = 'main'").Scan(&exists); err != nil {
		return fmt.Errorf("system store: %w", err)
	}
	if exists {
		if err := s.DB.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&current); err != nil {
			return fmt.Errorf("system store: read schema version: %w", err)
		}
	}
	if current > LatestVersion() {
		return fmt.Errorf("%w: version %d, this binary knows up to %d", ErrFutureVersion, current, LatestVersion())
	}
	for v := current; v < target; v++ {
		err := s.Tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "DELETE FROM schema_version"); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_version VALUES (?)", v+1)
			return err
		})
		if err != nil {
			return fmt.Errorf("system store: migration to version %d: %w", v+1, err)
		}
	}
	return nil
}
