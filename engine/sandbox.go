package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// catalogFile is the name of a sandbox's catalog database; DuckDB names the
// catalog after the file, so current_database() answers "agnes".
const catalogFile = "agnes.duckdb"

// TableFile is one readable table: it becomes view "Schema"."Name" over the parquet file at Path.
// Schema "public" maps to DuckDB's "main" schema (PostgreSQL clients see main as public);
// any other schema name is created as a DuckDB schema. Native, when set,
// is the table's copy in DuckDB's format (NativeCache): the sandbox
// attaches it read-only and the view reads it instead of the parquet file.
type TableFile struct{ Schema, Name, Path, Native string }

// Sandbox is one DuckDB instance holding views over exactly the tables of one
// grant set, with file access limited to those tables' parquet files and the
// configuration locked. It is shared by every session with that grant set;
// each session gets its own Conn.
type Sandbox struct {
	dir   string // removed when the last reference goes
	db    *database
	views int

	mu     sync.Mutex
	refs   int  // 1 for the owner until Close, +1 per open Conn and open result
	closed bool // the owner called Close: no new Conns
	broken bool // DuckDB reported a fatal error: the instance is unusable
}

// view is a validated TableFile in DuckDB terms.
type view struct {
	schema, name, path, native string
}

// attachment is a native copy a sandbox attaches before it is sealed.
type attachment struct{ alias, path string }

// NewSandbox builds a sandbox holding a view for each table. A table whose
// file cannot be read is left out (and logged) rather than failing the whole
// sandbox: its queries then fail as for any relation that does not exist.
// Invalid input (relative or glob paths, duplicate names) is an error.
func NewSandbox(cfg Config, tables []TableFile) (*Sandbox, error) {
	views, err := planViews(tables)
	if err != nil {
		return nil, err
	}
	parent := cfg.TempDir
	if parent == "" {
		parent = os.TempDir()
	}
	if err := os.MkdirAll(parent, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox temp dir: %w", err)
	}
	dir, err := os.MkdirTemp(parent, "sandbox-")
	if err != nil {
		return nil, fmt.Errorf("sandbox temp dir: %w", err)
	}
	built := false
	defer func() {
		if !built {
			os.RemoveAll(dir)
		}
	}()
	spillDir := filepath.Join(dir, "spill")
	if err := os.Mkdir(spillDir, 0o700); err != nil {
		return nil, fmt.Errorf("sandbox spill dir: %w", err)
	}
	catalogPath := filepath.Join(dir, catalogFile)
	granted, attached, err := buildCatalog(catalogPath, views, cfg.CatalogSQL)
	if err != nil {
		return nil, err
	}
	db, err := openLocked(catalogPath, cfg, spillDir, granted, attached)
	if err != nil {
		return nil, err
	}
	built = true
	return &Sandbox{dir: dir, db: db, views: len(granted), refs: 1}, nil
}

// planViews validates tables and maps them to DuckDB schemas.
func planViews(tables []TableFile) ([]view, error) {
	views := make([]view, 0, len(tables))
	seen := make(map[string]bool, len(tables))
	for _, t := range tables {
		schema := t.Schema
		if schema == "" || schema == "public" {
			schema = "main"
		}
		if t.Name == "" {
			return nil, fmt.Errorf("table file %q: empty table name", t.Path)
		}
		if !filepath.IsAbs(t.Path) {
			return nil, fmt.Errorf("table %s.%s: path %q is not absolute", t.Schema, t.Name, t.Path)
		}
		// read_parquet expands glob characters: a path with them could name
		// more files than the grant.
		if strings.ContainsAny(t.Path, "*?[") || strings.Contains(t.Path, "\x00") {
			return nil, fmt.Errorf("table %s.%s: path %q contains glob characters", t.Schema, t.Name, t.Path)
		}
		native := ""
		if t.Native != "" {
			if !filepath.IsAbs(t.Native) || strings.Contains(t.Native, "\x00") {
				return nil, fmt.Errorf("table %s.%s: native copy %q is not an absolute path", t.Schema, t.Name, t.Native)
			}
			native = filepath.Clean(t.Native)
		}
		// DuckDB resolves names case-insensitively.
		key := strings.ToLower(schema) + "\x00" + strings.ToLower(t.Name)
		if seen[key] {
			return nil, fmt.Errorf("table %s.%s: listed twice", t.Schema, t.Name)
		}
		seen[key] = true
		views = append(views, view{schema: schema, name: t.Name, path: filepath.Clean(t.Path), native: native})
	}
	return views, nil
}

// buildCatalog writes the catalog database: a schema per non-main schema and
// a view per table, then cfg.CatalogSQL. It returns the files of the views
// it created, which become the sandbox's allowed_paths, and the native
// copies the views read, which the sandbox attaches under the same names.
func buildCatalog(path string, views []view, catalogSQL []string) ([]string, []attachment, error) {
	db, err := openDatabase(path, map[string]string{
		"autoload_known_extensions":    "false",
		"autoinstall_known_extensions": "false",
	})
	if err != nil {
		return nil, nil, fmt.Errorf("create sandbox catalog: %w", err)
	}
	defer db.close()
	conn, err := db.connect()
	if err != nil {
		return nil, nil, fmt.Errorf("connect sandbox catalog: %w", err)
	}
	defer db.disconnect(&conn)
	run := func(q string) error { return execTrusted(conn, q) }

	schemas := map[string]bool{"main": true}
	granted := make([]string, 0, len(views))
	var attached []attachment
	for i, v := range views {
		if !schemas[strings.ToLower(v.schema)] {
			if err := run("CREATE SCHEMA IF NOT EXISTS " + quoteIdent(v.schema)); err != nil {
				return nil, nil, fmt.Errorf("create schema %q: %w", v.schema, err)
			}
			schemas[strings.ToLower(v.schema)] = true
		}
		create := "CREATE VIEW " + quoteIdent(v.schema) + "." + quoteIdent(v.name) + " AS SELECT * FROM "
		if v.native != "" {
			a := attachment{alias: fmt.Sprintf("agnes_native_%d", i), path: v.native}
			err := run("ATTACH " + quoteLiteral(a.path) + " AS " + quoteIdent(a.alias) + " (READ_ONLY)")
			if err == nil {
				if err = run(create + quoteIdent(a.alias) + ".t"); err == nil {
					attached = append(attached, a)
					granted = append(granted, a.path, a.path+".wal")
					continue
				}
				run("DETACH " + quoteIdent(a.alias))
			}
			slog.Warn("engine: native copy of a table not used; the view reads parquet",
				"schema", v.schema, "table", v.name, "native", v.native, "err", err)
		}
		if err := run(create + "read_parquet(" + quoteLiteral(v.path) + ")"); err != nil {
			slog.Warn("engine: table left out of sandbox: its data file cannot be read",
				"schema", v.schema, "table", v.name, "path", v.path, "err", err)
			continue
		}
		granted = append(granted, v.path)
	}
	for _, q := range catalogSQL {
		if err := run(q); err != nil {
			return nil, nil, fmt.Errorf("sandbox catalog SQL %.60q: %w", q, err)
		}
	}
	// Make the file self-contained so the read-only open needs no WAL replay.
	if err := run("CHECKPOINT"); err != nil {
		return nil, nil, fmt.Errorf("checkpoint sandbox catalog: %w", err)
	}
	return granted, attached, nil
}

// openLocked opens the catalog read-only with cfg's limits and seals it.
func openLocked(catalogPath string, cfg Config, spillDir string, allowedPaths []string, attached []attachment) (*database, error) {
	opts, err := cfg.openOptions(spillDir)
	if err != nil {
		return nil, err
	}
	db, err := openDatabase(catalogPath, opts)
	if err != nil {
		return nil, fmt.Errorf("open sandbox: %w", err)
	}
	conn, err := db.connect()
	if err != nil {
		db.close()
		return nil, fmt.Errorf("connect sandbox: %w", err)
	}
	defer db.disconnect(&conn)
	for _, a := range attached {
		if err := execTrusted(conn, "ATTACH "+quoteLiteral(a.path)+" AS "+quoteIdent(a.alias)+" (READ_ONLY)"); err != nil {
			db.close()
			return nil, fmt.Errorf("attach native copy %s: %w", a.path, err)
		}
	}
	for _, q := range lockStatements(allowedPaths) {
		if err := execTrusted(conn, q); err != nil {
			db.close()
			return nil, fmt.Errorf("seal sandbox (%s): %w", strings.SplitN(q, " =", 2)[0], err)
		}
	}
	return db, nil
}

// Tables returns how many table views the sandbox holds (tables whose file
// could not be read are not counted).
func (s *Sandbox) Tables() int { return s.views }

// Conn opens a new DuckDB connection of this sandbox. Close it when the
// session ends; the sandbox stays alive until its last Conn is closed.
func (s *Sandbox) Conn(ctx context.Context) (*Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, TranslateError(err)
	}
	s.mu.Lock()
	if s.closed || s.broken || s.refs == 0 {
		s.mu.Unlock()
		return nil, errSandboxClosed
	}
	s.refs++
	s.mu.Unlock()

	handle, err := s.db.connect()
	if err != nil {
		s.release()
		return nil, fmt.Errorf("sandbox connection: %w", err)
	}
	return newConn(s, handle), nil
}

// errSandboxClosed is returned by Sandbox.Conn after Close; the pool treats it
// as "build a new one".
var errSandboxClosed = errors.New("engine: sandbox is closed")

// Close releases the owner's reference: no new Conns can be opened, and the
// DuckDB instance and its directory go when the last open Conn is closed.
func (s *Sandbox) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	return s.release()
}

// retain adds a reference for a result that outlives its statement call.
func (s *Sandbox) retain() {
	s.mu.Lock()
	s.refs++
	s.mu.Unlock()
}

// release drops one reference and destroys the sandbox with the last one.
func (s *Sandbox) release() error {
	s.mu.Lock()
	s.refs--
	last := s.refs == 0
	s.mu.Unlock()
	if !last {
		return nil
	}
	s.db.close()
	return os.RemoveAll(s.dir)
}

// markBroken records that DuckDB invalidated this instance; the pool then
// replaces it. Open Conns keep failing until their sessions close them.
func (s *Sandbox) markBroken() {
	s.mu.Lock()
	s.broken = true
	s.mu.Unlock()
}

// usable reports whether new Conns can be opened.
func (s *Sandbox) usable() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return !s.closed && !s.broken
}

// idle reports whether only the owner holds the sandbox.
func (s *Sandbox) idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.refs <= 1
}
