package main

import (
	"github.com/spf13/cobra"
)

func (c *cli) schemaCmd() *cobra.Command {
	var dir string
	var asJSON, refresh bool
	cmd := &cobra.Command{
		Use:   "schema TABLE",
		Short: "Show a table's columns and types",
		Long: `Show the columns and (DuckDB) types of a table, named by id, name or
schema.name. Reads the workspace state after a pull, the server otherwise.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
			if asJSON {
				return printJSON(c.stdout, map[string]any{"table": displayName(t), "id": t.ID, "schema": t.Schema,
					"name": t.Name, "query_mode": t.QueryMode, "columns": t.Columns})
			}
			tw := newTable(c.stdout, "COLUMN", "TYPE")
			for _, col := range t.Columns {
				tw.row(col.Name, col.Type)
			}
			return tw.flush()
		},
	}
	workspaceFlag(cmd, &dir)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	cmd.Flags().BoolVar(&refresh, "refresh", false, "ask the server even when the workspace has been pulled")
	return cmd
}
