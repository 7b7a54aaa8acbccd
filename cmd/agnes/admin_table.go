package main

import (
	"fmt"
	"strconv"

	"github.com/keboola/agnes/client"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// tableFlags are the registry fields an admin sets, shared by register and
// update.
type tableFlags struct {
	schema, description, sourceType, queryMode string
	bucket, sourceTable, sourceQuery, schedule string
	serverOnly                                 bool
}

func (f *tableFlags) add(fs *pflag.FlagSet) {
	fs.StringVar(&f.sourceType, "source-type", "", "where the data comes from: local, csv, keboola, bigquery, jira, …")
	fs.StringVar(&f.queryMode, "query-mode", "", "local (default), remote or materialized")
	fs.StringVar(&f.bucket, "bucket", "", "source bucket / dataset / schema")
	fs.StringVar(&f.sourceTable, "source-table", "", "table name in the source")
	fs.StringVar(&f.sourceQuery, "source-query", "", "query that produces a materialized table")
	fs.StringVar(&f.description, "description", "", "what the table holds")
	fs.StringVar(&f.schema, "schema", "", "PostgreSQL schema the table appears in (default public)")
	fs.StringVar(&f.schedule, "sync-schedule", "", "cron schedule of the sync")
	fs.BoolVar(&f.serverOnly, "server-only", false, "queryable on the server but never downloaded by agnes pull")
}

// patch holds only the flags given on the command line, so update changes
// exactly what was asked.
func (f *tableFlags) patch(fs *pflag.FlagSet) (client.TablePatch, int) {
	var p client.TablePatch
	n := 0
	str := func(flag string, v string, dst **string) {
		if fs.Changed(flag) {
			*dst = &v
			n++
		}
	}
	str("source-type", f.sourceType, &p.SourceType)
	str("query-mode", f.queryMode, &p.QueryMode)
	str("bucket", f.bucket, &p.Bucket)
	str("source-table", f.sourceTable, &p.SourceTable)
	str("source-query", f.sourceQuery, &p.SourceQuery)
	str("description", f.description, &p.Description)
	str("schema", f.schema, &p.Schema)
	str("sync-schedule", f.schedule, &p.SyncSchedule)
	if fs.Changed("server-only") {
		v := f.serverOnly
		p.ServerOnly = &v
		n++
	}
	return p, n
}

func (c *cli) adminTableCmd() *cobra.Command {
	list := &cobra.Command{
		Use:   "list",
		Short: "List registered tables",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			tables, err := api.Tables(cmd.Context())
			if err != nil {
				return err
			}
			return c.emit(tables, func() error {
				t := newTable(c.stdout, "ID", "SCHEMA", "MODE", "SOURCE", "ROWS", "SIZE", "STATUS")
				for _, tb := range tables {
					t.row(tb.ID, tb.Schema, tb.QueryMode, tb.SourceType, strconv.FormatInt(tb.RowCount, 10), humanBytes(tb.SizeBytes), tb.Status)
				}
				return t.flush()
			})
		},
	}

	var reg tableFlags
	register := &cobra.Command{
		Use:   "register NAME --source-type T",
		Short: "Register a table in the registry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			t, err := api.RegisterTable(cmd.Context(), client.TableRegistration{
				Name: args[0], Schema: reg.schema, Description: reg.description, SourceType: reg.sourceType,
				QueryMode: reg.queryMode, ServerOnly: reg.serverOnly, Bucket: reg.bucket, SourceTable: reg.sourceTable,
				SourceQuery: reg.sourceQuery, SyncSchedule: reg.schedule,
			})
			if err != nil {
				return err
			}
			return c.emit(t, func() error {
				fmt.Fprintf(c.stdout, "Registered table %s.%s (%s, %s). Next: agnes admin grant create GROUP table %s\n",
					t.Schema, t.ID, t.SourceType, t.QueryMode, t.ID)
				return nil
			})
		},
	}
	reg.add(register.Flags())
	register.MarkFlagRequired("source-type")

	var upd tableFlags
	update := &cobra.Command{
		Use:   "update ID",
		Short: "Change a registered table; only the flags given are changed",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			p, n := upd.patch(cmd.Flags())
			if n == 0 {
				return usagef("nothing to update: give at least one of --description, --schema, --source-type, --query-mode, --bucket, --source-table, --source-query, --sync-schedule, --server-only")
			}
			api, err := c.client()
			if err != nil {
				return err
			}
			t, err := api.UpdateTable(cmd.Context(), args[0], p)
			if err != nil {
				return err
			}
			return c.emit(t, func() error {
				fmt.Fprintf(c.stdout, "Updated table %s.\n", t.ID)
				return nil
			})
		},
	}
	upd.add(update.Flags())

	del := &cobra.Command{
		Use:   "delete ID",
		Short: "Remove a table from the registry, with its grants",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			api, err := c.client()
			if err != nil {
				return err
			}
			if err := api.DeleteTable(cmd.Context(), args[0]); err != nil {
				return err
			}
			return c.emit(map[string]any{"deleted": true, "id": args[0]}, func() error {
				fmt.Fprintf(c.stdout, "Deleted table %s and its grants.\n", args[0])
				return nil
			})
		},
	}
	return group("table", "Manage the table registry", list, register, update, del)
}
