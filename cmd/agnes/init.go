package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// pullHookCommand is the SessionStart hook: refresh the data when an agent
// session starts, never blocking the session when the server is away.
const pullHookCommand = "agnes pull --quiet || true"

// Markers of the section agnes init owns in CLAUDE.md. Everything between
// them is replaced on every run; everything outside is the user's.
const (
	claudeBeginMarker = "<!-- agnes:begin -->"
	claudeEndMarker   = "<!-- agnes:end -->"
)

const claudeSection = claudeBeginMarker + `
<!-- Written by ` + "`agnes init`" + `; running it again replaces this section. -->
## Data access with Agnes

This workspace reads data through Agnes. A SessionStart hook runs
` + "`agnes pull`" + `, which keeps ` + "`.agnes/`" + ` in line with the tables you may read
(` + "`.agnes/data/<table>.parquet`" + ` and one view per table in ` + "`.agnes/local.duckdb`" + `).

Discovery protocol, in this order:
1. ` + "`agnes catalog`" + ` lists the tables you can read: query mode, rows, size, description.
2. ` + "`agnes schema <table>`" + ` shows columns and types; read it before writing SQL.
3. ` + "`agnes describe <table> -n 5`" + ` shows a few real rows, to see what values look like.
4. ` + "`agnes query \"SELECT …\"`" + ` runs DuckDB SQL over the pulled tables, locally and offline.

Rules:
- Never ` + "`SELECT *`" + ` blindly: name the columns you need, filter, aggregate, and use
  LIMIT. Standard output shows at most 1000 rows; ` + "`--output FILE`" + ` takes all.
- Tables with query mode ` + "`remote`" + ` (and server-only tables) are not in the
  workspace: query them with ` + "`agnes query --remote \"…\"`" + ` (PostgreSQL dialect, runs
  on the server under your grants) or work from a snapshot of them.
- ` + "`--format csv`" + ` or ` + "`--format json`" + ` give machine-readable results; ` + "`--format parquet --output FILE`" + ` a file.
- ` + "`agnes pull`" + ` refreshes the data; ` + "`agnes disk-info`" + ` shows what it takes on disk.
` + claudeEndMarker + "\n"

func (c *cli) initCmd() *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Set a workspace up for Claude Code: pull hook and CLAUDE.md section",
		Long: `Prepare a workspace for Claude Code:

  .claude/settings.json  a SessionStart hook "` + pullHookCommand + `", merged into
                         an existing file (other keys and hooks are kept)
  CLAUDE.md              a section between ` + claudeBeginMarker + ` and ` + claudeEndMarker + `
                         telling an agent how to discover and query the data;
                         the rest of the file is kept

Running it again changes nothing, or brings both up to date.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := openWorkspace(dir)
			if err != nil {
				return err
			}
			settings := filepath.Join(ws.root, ".claude", "settings.json")
			changedSettings, err := installPullHook(settings)
			if err != nil {
				return err
			}
			claude := filepath.Join(ws.root, "CLAUDE.md")
			changedClaude, err := installClaudeSection(claude)
			if err != nil {
				return err
			}
			for _, f := range []struct {
				path    string
				changed bool
				what    string
			}{{settings, changedSettings, "SessionStart hook: " + pullHookCommand}, {claude, changedClaude, "Agnes section"}} {
				state := "up to date"
				if f.changed {
					state = "written"
				}
				fmt.Fprintf(c.stdout, "%s: %s (%s)\n", f.path, state, f.what)
			}
			return nil
		},
	}
	workspaceFlag(cmd, &dir)
	return cmd
}

// installPullHook makes settings.json run pullHookCommand at SessionStart.
// The file is read as generic JSON and only hooks.SessionStart is touched:
// an existing agnes pull hook is updated in place, otherwise one is
// appended. Other keys survive (JSON objects come back with sorted keys).
// It reports whether the file changed.
func installPullHook(path string) (bool, error) {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	settings := map[string]any{}
	if len(bytes.TrimSpace(old)) > 0 {
		if err := json.Unmarshal(old, &settings); err != nil {
			return false, fmt.Errorf("%s is not valid JSON (%v): fix it or move it away, then run agnes init again", path, err)
		}
	}
	hooks := map[string]any{}
	if v, ok := settings["hooks"]; ok {
		if hooks, ok = v.(map[string]any); !ok {
			return false, fmt.Errorf("%s: \"hooks\" is not an object; fix it by hand", path)
		}
	}
	var groups []any
	if v, ok := hooks["SessionStart"]; ok {
		if groups, ok = v.([]any); !ok {
			return false, fmt.Errorf("%s: \"hooks.SessionStart\" is not an array; fix it by hand", path)
		}
	}
	found := false
	for _, g := range groups {
		group, _ := g.(map[string]any)
		list, _ := group["hooks"].([]any)
		for _, h := range list {
			hook, _ := h.(map[string]any)
			if cmd, _ := hook["command"].(string); hook != nil && strings.HasPrefix(strings.TrimSpace(cmd), "agnes pull") {
				hook["type"], hook["command"] = "command", pullHookCommand
				found = true
			}
		}
	}
	if !found {
		groups = append(groups, map[string]any{"hooks": []any{map[string]any{"type": "command", "command": pullHookCommand}}})
	}
	hooks["SessionStart"] = groups
	settings["hooks"] = hooks

	out, err := json.MarshalIndent(settings, "", "  ")
	if err != nil {
		return false, err
	}
	out = append(out, '\n')
	if bytes.Equal(out, old) {
		return false, nil
	}
	return true, writeFileAtomic(path, out, fileMode(path, 0o644))
}

// installClaudeSection puts claudeSection into CLAUDE.md: in place of the
// previous one between the markers, or appended. It reports whether the
// file changed.
func installClaudeSection(path string) (bool, error) {
	raw, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	old := string(raw)
	var updated string
	begin := strings.Index(old, claudeBeginMarker)
	switch {
	case begin >= 0:
		rel := strings.Index(old[begin:], claudeEndMarker)
		if rel < 0 {
			return false, fmt.Errorf("%s has %s without %s: fix the markers by hand", path, claudeBeginMarker, claudeEndMarker)
		}
		end := begin + rel + len(claudeEndMarker)
		if end < len(old) && old[end] == '\n' {
			end++
		}
		updated = old[:begin] + claudeSection + old[end:]
	case strings.TrimSpace(old) == "":
		updated = claudeSection
	default:
		updated = strings.TrimRight(old, "\n") + "\n\n" + claudeSection
	}
	if updated == old {
		return false, nil
	}
	return true, writeFileAtomic(path, []byte(updated), fileMode(path, 0o644))
}

// fileMode is the permission bits of an existing file, or def.
func fileMode(path string, def os.FileMode) os.FileMode {
	if fi, err := os.Stat(path); err == nil {
		return fi.Mode().Perm()
	}
	return def
}
