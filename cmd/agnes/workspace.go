package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/keboola/agnes/client"
)

// A workspace is a directory an analyst (or an agent) works in. Everything
// agnes keeps there lives under .agnes/:
//
//	.agnes/state.json              what the last pull saw and fetched
//	.agnes/data/<table>.parquet    one file per pulled table
//	.agnes/data/<table>.parquet.part (+ .md5)  an unfinished download
//	.agnes/local.duckdb            one view per pulled table, rebuilt by pull
//	.agnes/lock                    held while a pull runs
type workspace struct {
	root string // absolute
}

const workspaceDirName = ".agnes"

// workspaceFlag adds --workspace to a command.
func workspaceFlag(cmd *cobra.Command, dir *string) {
	cmd.Flags().StringVar(dir, "workspace", ".", "workspace directory (its .agnes/ folder holds the pulled data)")
}

func openWorkspace(dir string) (*workspace, error) {
	if dir == "" {
		dir = "."
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("workspace %s: %w", dir, err)
	}
	return &workspace{root: abs}, nil
}

func (w *workspace) dir() string       { return filepath.Join(w.root, workspaceDirName) }
func (w *workspace) dataDir() string   { return filepath.Join(w.dir(), "data") }
func (w *workspace) dbPath() string    { return filepath.Join(w.dir(), "local.duckdb") }
func (w *workspace) statePath() string { return filepath.Join(w.dir(), "state.json") }
func (w *workspace) lockPath() string  { return filepath.Join(w.dir(), "lock") }

func (w *workspace) parquetPath(id string) string {
	return filepath.Join(w.dataDir(), id+".parquet")
}

// partPath is where a download is written until its md5 checks out; its
// .md5 companion names the version it belongs to, so that a resume never
// continues bytes of another version of the table.
func (w *workspace) partPath(id string) string { return w.parquetPath(id) + ".part" }

// tableIDPattern is the server's id shape. Ids name files here, so a
// manifest entry with any other id is ignored rather than trusted.
var tableIDPattern = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)

// workspaceState is .agnes/state.json.
type workspaceState struct {
	// Server is the server the manifest came from; a pull from another
	// server does not reuse its ETag.
	Server   string    `json:"server"`
	LastPull time.Time `json:"last_pull"`
	// ManifestETag and Manifest are the last manifest the server sent:
	// the catalog shown offline, and what a 304 answer stands for.
	ManifestETag string                 `json:"manifest_etag,omitempty"`
	Manifest     []client.ManifestTable `json:"manifest"`
	// Tables are the pulled tables, by id: the md5 of the file in
	// data/<id>.parquet.
	Tables map[string]localTable `json:"tables"`
	// Views is a fingerprint of the views local.duckdb was last built
	// with; a pull rebuilds the file when it differs.
	Views string `json:"views,omitempty"`
}

// localTable is one pulled table.
type localTable struct {
	MD5       string    `json:"md5"`
	SizeBytes int64     `json:"size_bytes"`
	PulledAt  time.Time `json:"pulled_at"`
}

// loadState reads state.json. A workspace never pulled has none (ok is
// false, no error).
func (w *workspace) loadState() (st *workspaceState, ok bool, err error) {
	st = &workspaceState{Tables: map[string]localTable{}}
	b, err := os.ReadFile(w.statePath())
	if errors.Is(err, fs.ErrNotExist) {
		return st, false, nil
	}
	if err != nil {
		return st, false, fmt.Errorf("read workspace state: %w", err)
	}
	if err := json.Unmarshal(b, st); err != nil {
		return &workspaceState{Tables: map[string]localTable{}}, false,
			fmt.Errorf("workspace state %s is damaged (%v)", w.statePath(), err)
	}
	if st.Tables == nil {
		st.Tables = map[string]localTable{}
	}
	return st, true, nil
}

// saveState writes state.json atomically.
func (w *workspace) saveState(st *workspaceState) error {
	b, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(w.statePath(), append(b, '\n'), 0o644)
}

// manifestEntry finds a table of the state's manifest by id, by name, or
// by schema.name (case-insensitive, the way DuckDB and PostgreSQL resolve
// unquoted names).
func findTable(tables []client.ManifestTable, ref string) (client.ManifestTable, bool) {
	ref = strings.ToLower(strings.TrimSpace(ref))
	for _, t := range tables {
		if t.ID == ref || strings.ToLower(t.Name) == ref || strings.ToLower(t.Schema+"."+t.Name) == ref {
			return t, true
		}
	}
	return client.ManifestTable{}, false
}

// displayName is how a table is written in SQL: the bare name in the
// default schema, schema.name elsewhere.
func displayName(t client.ManifestTable) string {
	if t.Schema == "" || t.Schema == "public" {
		return t.Name
	}
	return t.Schema + "." + t.Name
}

// viewSpec is one view of local.duckdb.
type viewSpec struct {
	Schema, Name, Description, Path string
}

// viewSpecs are the views local.duckdb should hold: one per pulled table
// in the manifest, named as on the server (PostgreSQL's public schema is
// DuckDB's main).
func (w *workspace) viewSpecs(manifest []client.ManifestTable, pulled map[string]localTable) []viewSpec {
	var out []viewSpec
	for _, t := range manifest {
		if _, ok := pulled[t.ID]; !ok {
			continue
		}
		schema := t.Schema
		if schema == "" || schema == "public" {
			schema = "main"
		}
		name := t.Name
		if name == "" {
			name = t.ID
		}
		out = append(out, viewSpec{Schema: schema, Name: name, Description: t.Description, Path: w.parquetPath(t.ID)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Schema != out[j].Schema {
			return out[i].Schema < out[j].Schema
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// fingerprint identifies a set of views (and the files behind them).
func fingerprint(views []viewSpec, pulled map[string]localTable) string {
	h := sha256.New()
	for _, v := range views {
		fmt.Fprintf(h, "%q %q %q %q\n", v.Schema, v.Name, v.Description, v.Path)
	}
	ids := make([]string, 0, len(pulled))
	for id := range pulled {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		fmt.Fprintf(h, "%s=%s\n", id, pulled[id].MD5)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// writeFileAtomic writes a file through a temporary file in the same
// directory, fsync and rename, so a reader sees the old content or the new
// one, whole.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, fs.ErrInvalid) {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
