package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/keboola/agnes/client"
)

func (c *cli) describeCmd() *cobra.Command {
	var dir string
	var rows int
	var asJSON, refresh bool
	cmd := &cobra.Command{
		Use:   "describe TABLE",
		Short: "Show a table's schema and its first rows",
		Long: `Show what a table is (mode, rows, size, description), its columns and
its first -n rows. The rows come from the local copy when the table has
been pulled, from the server's gateway otherwise (remote and server-only
tables, or before the first pull).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if rows < 0 {
				return usagef("-n must be 0 or more")
			}
			ws, err := openWorkspace(dir)
			if err != nil {
				return err
			}
			v, err := c.loadCatalog(cmd.Context(), ws, refresh)
			if err != nil {
				return err
			}
			t, err := v.find(args[0])
			if err != nil {
				return err
			}
			format := formatTable
			if asJSON {
				format = formatJSON
			}
			var sample bytes.Buffer
			if rows > 0 {
				if err := c.sampleRows(cmd.Context(), ws, v.pulled(t.ID), t, rows, format, &sample); err != nil {
					return err
				}
			}
			if asJSON {
				rowsJSON := json.RawMessage("[]")
				if sample.Len() > 0 {
					rowsJSON = sample.Bytes()
				}
				return printJSON(c.stdout, map[string]any{"table": displayName(t), "id": t.ID, "schema": t.Schema, "name": t.Name,
					"description": t.Description, "query_mode": t.QueryMode, "rows": t.Rows, "size_bytes": t.SizeBytes,
					"updated_at": t.UpdatedAt, "pulled": v.pulled(t.ID), "columns": t.Columns, "sample": rowsJSON})
			}
			where := "not pulled"
			if v.pulled(t.ID) {
				where = "pulled"
			}
			fmt.Fprintf(c.stdout, "%s — %s, %d rows, %s, updated %s, %s\n", displayName(t), t.QueryMode, t.Rows,
				humanBytes(t.SizeBytes), when(&t.UpdatedAt, "never"), where)
			if t.Description != "" {
				fmt.Fprintln(c.stdout, t.Description)
			}
			fmt.Fprintln(c.stdout)
			tw := newTable(c.stdout, "COLUMN", "TYPE")
			for _, col := range t.Columns {
				tw.row(col.Name, col.Type)
			}
			if err := tw.flush(); err != nil {
				return err
			}
			if sample.Len() > 0 {
				fmt.Fprintln(c.stdout)
				c.stdout.Write(sample.Bytes())
			}
			return nil
		},
	}
	workspaceFlag(cmd, &dir)
	cmd.Flags().IntVarP(&rows, "rows", "n", 5, "how many rows to show")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of text")
	cmd.Flags().BoolVar(&refresh, "refresh", false, "ask the server even when the workspace has been pulled")
	return cmd
}

// sampleRows writes the first n rows of a table: from local.duckdb when
// the table is pulled, through the gateway otherwise.
func (c *cli) sampleRows(ctx context.Context, ws *workspace, pulled bool, t client.ManifestTable, n int, format string, w *bytes.Buffer) error {
	q := &queryRun{cli: c, out: w, format: format, limit: n, explicitLimit: true}
	if pulled {
		schema := t.Schema
		if schema == "" || schema == "public" {
			schema = "main"
		}
		q.sql = fmt.Sprintf("SELECT * FROM %s.%s LIMIT %d", sqlIdent(schema), sqlIdent(t.Name), n)
		return q.local(ctx, ws)
	}
	schema := t.Schema
	if schema == "" {
		schema = "public"
	}
	q.sql = fmt.Sprintf("SELECT * FROM %s.%s LIMIT %d", sqlIdent(schema), sqlIdent(t.Name), n)
	if err := q.remote(ctx); err != nil {
		return fmt.Errorf("rows of %s from the server: %w", displayName(t), err)
	}
	return nil
}
