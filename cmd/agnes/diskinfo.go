package main

import (
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
)

// diskUsage is `agnes disk-info --json`.
type diskUsage struct {
	Workspace    string       `json:"workspace"`
	Tables       []tableUsage `json:"tables"`
	TablesBytes  int64        `json:"tables_bytes"`
	DuckDBBytes  int64        `json:"duckdb_bytes"`
	PartialBytes int64        `json:"partial_bytes"` // unfinished downloads
	TotalBytes   int64        `json:"total_bytes"`
}

type tableUsage struct {
	ID    string `json:"id"`
	Bytes int64  `json:"bytes"`
}

// measureDisk adds up the files under .agnes/.
func measureDisk(ws *workspace) (*diskUsage, error) {
	u := &diskUsage{Workspace: ws.dir(), Tables: []tableUsage{}}
	entries, err := os.ReadDir(ws.dataDir())
	if err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		name := e.Name()
		switch {
		case strings.HasSuffix(name, ".parquet"):
			u.Tables = append(u.Tables, tableUsage{ID: strings.TrimSuffix(name, ".parquet"), Bytes: fi.Size()})
			u.TablesBytes += fi.Size()
		default:
			u.PartialBytes += fi.Size()
		}
	}
	sort.Slice(u.Tables, func(i, j int) bool {
		if u.Tables[i].Bytes != u.Tables[j].Bytes {
			return u.Tables[i].Bytes > u.Tables[j].Bytes
		}
		return u.Tables[i].ID < u.Tables[j].ID
	})
	for _, p := range []string{ws.dbPath(), ws.dbPath() + ".wal"} {
		if n := fileSize(p); n > 0 {
			u.DuckDBBytes += n
		}
	}
	u.TotalBytes = u.TablesBytes + u.DuckDBBytes + u.PartialBytes
	if n := fileSize(ws.statePath()); n > 0 {
		u.TotalBytes += n
	}
	return u, nil
}

func (c *cli) diskInfoCmd() *cobra.Command {
	var dir string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "disk-info",
		Short: "Show how much disk the workspace's pulled data takes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ws, err := openWorkspace(dir)
			if err != nil {
				return err
			}
			u, err := measureDisk(ws)
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(c.stdout, u)
			}
			tw := newTable(c.stdout, "TABLE", "SIZE", "BYTES")
			for _, t := range u.Tables {
				tw.row(t.ID, humanBytes(t.Bytes), strconv.FormatInt(t.Bytes, 10))
			}
			tw.row("(local.duckdb)", humanBytes(u.DuckDBBytes), strconv.FormatInt(u.DuckDBBytes, 10))
			if u.PartialBytes > 0 {
				tw.row("(unfinished downloads)", humanBytes(u.PartialBytes), strconv.FormatInt(u.PartialBytes, 10))
			}
			tw.row("TOTAL", humanBytes(u.TotalBytes), strconv.FormatInt(u.TotalBytes, 10))
			return tw.flush()
		},
	}
	workspaceFlag(cmd, &dir)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return cmd
}
