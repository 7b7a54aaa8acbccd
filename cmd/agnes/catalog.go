package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/keboola/agnes/client"
)

// catalogView is the manifest catalog, schema and describe work from.
type catalogView struct {
	tables []client.ManifestTable
	state  *workspaceState // nil when the workspace was never pulled
}

// loadCatalog reads the catalog from the workspace state when the
// workspace has been pulled (offline, instant), and from the server
// otherwise or with refresh.
func (c *cli) loadCatalog(ctx context.Context, ws *workspace, refresh bool) (*catalogView, error) {
	st, ok, err := ws.loadState()
	if err != nil {
		return nil, fmt.Errorf("%w: run `agnes pull` to rebuild it", err)
	}
	v := &catalogView{}
	if ok {
		v.state = st
		if !refresh {
			v.tables = st.Manifest
			return v, nil
		}
	}
	api, err := c.client()
	if err != nil {
		return nil, err
	}
	m, _, err := api.Manifest(ctx, "")
	if err != nil {
		return nil, err
	}
	v.tables = m.Tables
	return v, nil
}

// pulled reports whether a table has a local copy.
func (v *catalogView) pulled(id string) bool {
	if v.state == nil {
		return false
	}
	_, ok := v.state.Tables[id]
	return ok
}

// find resolves a table reference or says what to do.
func (v *catalogView) find(ref string) (client.ManifestTable, error) {
	t, ok := findTable(v.tables, ref)
	if !ok {
		return t, fmt.Errorf("no table %q among the tables you can read: run `agnes catalog` to list them", ref)
	}
	return t, nil
}

// catalogEntry is one table of `agnes catalog --json`.
type catalogEntry struct {
	client.ManifestTable
	Pulled bool `json:"pulled"`
}

func (c *cli) catalogCmd() *cobra.Command {
	var dir string
	var asJSON, refresh bool
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "List the tables you can read, local and remote",
		Long: `List the tables you can read: query mode (local, materialized, remote),
rows, size, last update, whether the workspace has a copy, and the
description. It reads the workspace state after a pull (offline), the
server otherwise or with --refresh.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := openWorkspace(dir)
			if err != nil {
				return err
			}
			v, err := c.loadCatalog(cmd.Context(), ws, refresh)
			if err != nil {
				return err
			}
			if asJSON {
				out := make([]catalogEntry, 0, len(v.tables))
				for _, t := range v.tables {
					out = append(out, catalogEntry{ManifestTable: t, Pulled: v.pulled(t.ID)})
				}
				return printJSON(c.stdout, out)
			}
			tw := newTable(c.stdout, "TABLE", "MODE", "ROWS", "SIZE", "UPDATED", "LOCAL", "DESCRIPTION")
			for _, t := range v.tables {
				local := yesNo(v.pulled(t.ID))
				switch {
				case t.QueryMode == "remote":
					local = "remote"
				case t.ServerOnly:
					local = "server-only"
				}
				tw.row(displayName(t), t.QueryMode, strconv.FormatInt(t.Rows, 10), humanBytes(t.SizeBytes),
					when(&t.UpdatedAt, "-"), local, shorten(t.Description, 70))
			}
			return tw.flush()
		},
	}
	workspaceFlag(cmd, &dir)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	cmd.Flags().BoolVar(&refresh, "refresh", false, "ask the server even when the workspace has been pulled")
	return cmd
}

// shorten cuts s to n runes on one line.
func shorten(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
