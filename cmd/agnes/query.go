package main

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/duckdb/duckdb-go/v2"
	"github.com/spf13/cobra"
)

// defaultQueryLimit caps rows printed to standard output unless --limit
// says otherwise: a stray SELECT * must not flood a terminal or an agent's
// context. Results written to --output are not capped by default.
const defaultQueryLimit = 1000

// errNoMoreRows ends a row iterator.
var errNoMoreRows = errors.New("no more rows")

func (c *cli) queryCmd() *cobra.Command {
	var (
		dir, format, output string
		limit               int
		remote              bool
	)
	cmd := &cobra.Command{
		Use:   `query "SQL"`,
		Short: "Run SQL on the pulled tables (DuckDB), or on the server with --remote",
		Long: `Run one SQL statement and print its result.

By default it runs locally, in DuckDB over .agnes/local.duckdb (the views
agnes pull builds; DuckDB's SQL dialect), offline and fast. With --remote it
runs on the server's PostgreSQL gateway as you, with your grants: that is
how remote (BigQuery) and server-only tables are queried.

"-" as the SQL reads it from standard input. Standard output shows at most
1000 rows unless --limit says otherwise (0: all); --output writes every row
to a file. --format parquet needs --output.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			query := args[0]
			if query == "-" {
				b, err := io.ReadAll(c.stdin)
				if err != nil {
					return fmt.Errorf("read SQL from standard input: %w", err)
				}
				query = string(b)
			}
			query = strings.TrimSpace(query)
			if query == "" {
				return usagef("no SQL given")
			}
			switch format {
			case formatTable, formatCSV, formatJSON:
			case formatParquet:
				if output == "" {
					return usagef("--format parquet writes a file: add --output FILE")
				}
			default:
				return usagef("unknown --format %q: use table, csv, json or parquet", format)
			}
			if limit < 0 {
				limit = 0
				if output == "" {
					limit = defaultQueryLimit
				}
			}
			q := &queryRun{cli: c, out: c.stdout, sql: query, format: format, output: output, limit: limit,
				explicitLimit: cmd.Flags().Changed("limit")}
			if remote {
				return q.remote(cmd.Context())
			}
			ws, err := openWorkspace(dir)
			if err != nil {
				return err
			}
			return q.local(cmd.Context(), ws)
		},
	}
	workspaceFlag(cmd, &dir)
	f := cmd.Flags()
	f.StringVarP(&format, "format", "f", formatTable, "output format: table, csv, json or parquet")
	f.StringVarP(&output, "output", "o", "", "write the result to this file instead of standard output")
	f.IntVar(&limit, "limit", -1, "at most this many rows (default 1000 on standard output, all with --output; 0 = all)")
	f.BoolVar(&remote, "remote", false, "run on the server's gateway (PostgreSQL dialect, your grants) instead of locally")
	return cmd
}

// queryRun is one `agnes query`.
type queryRun struct {
	cli           *cli
	out           io.Writer // where text results go without --output
	sql           string
	format        string
	output        string
	limit         int // 0: all
	explicitLimit bool
}

func (q *queryRun) local(ctx context.Context, ws *workspace) error {
	db, err := ws.openLocalDB()
	if err != nil {
		return err
	}
	defer db.Close()
	if q.format == formatParquet {
		return q.writeFile(func(tmp string) error {
			inner := strings.TrimRight(q.sql, "; \t\r\n")
			if q.limit > 0 {
				inner = fmt.Sprintf("SELECT * FROM (%s) LIMIT %d", inner, q.limit)
			}
			_, err := db.ExecContext(ctx, "COPY ("+inner+") TO "+sqlString(tmp)+" (FORMAT parquet, COMPRESSION zstd)")
			return err
		})
	}
	columns, next, closeRows, err := localRows(ctx, db, q.sql)
	if err != nil {
		return err
	}
	defer closeRows()
	_, err = q.writeText(columns, next)
	return err
}

func (q *queryRun) remote(ctx context.Context) error {
	api, err := q.cli.client()
	if err != nil {
		return err
	}
	conn, err := connectGateway(ctx, api)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	res, err := remoteRows(ctx, conn, q.sql)
	if err != nil {
		return err
	}
	var truncated bool
	if q.format == formatParquet {
		err = q.writeFile(func(tmp string) (err error) {
			truncated, err = remoteToParquet(ctx, res, q.limit, tmp)
			return err
		})
	} else {
		truncated, err = q.writeText(res.columns(), res.next)
	}
	if err == nil && !truncated {
		// Reads what follows the rows: the statement's own end, later
		// statements. Rows beyond --limit are left unread instead; closing
		// the connection drops them.
		err = res.close()
	}
	return err
}

// writeText writes rows in a text format to standard output or --output;
// truncated reports rows left unread beyond the limit.
func (q *queryRun) writeText(columns []string, next func() ([]any, error)) (truncated bool, err error) {
	write := func(w io.Writer) error {
		rw, err := newRowWriter(q.format, w)
		if err != nil {
			return err
		}
		if err := rw.begin(columns); err != nil {
			return err
		}
		for n := 0; ; n++ {
			row, err := next()
			if errors.Is(err, errNoMoreRows) {
				break
			}
			if err != nil {
				return err
			}
			if q.limit > 0 && n == q.limit {
				truncated = true
				break
			}
			if err := rw.row(row); err != nil {
				return err
			}
		}
		return rw.end()
	}
	if q.output == "" {
		err = write(q.out)
	} else {
		err = q.writeFile(func(tmp string) error {
			f, err := os.Create(tmp)
			if err != nil {
				return err
			}
			if err := write(f); err != nil {
				f.Close()
				return err
			}
			return f.Close()
		})
	}
	if err == nil && truncated && !q.explicitLimit {
		fmt.Fprintf(q.cli.stderr, "(only the first %d rows are shown: add --limit N, --limit 0 for all, or --output FILE)\n", q.limit)
	}
	return truncated, err
}

// writeFile produces --output through a temporary file in the same
// directory, renamed into place only when complete.
func (q *queryRun) writeFile(produce func(tmp string) error) error {
	abs, err := filepath.Abs(q.output)
	if err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", q.output, err)
	}
	tmp := f.Name()
	f.Close()
	os.Remove(tmp) // DuckDB's COPY creates the file itself
	defer os.Remove(tmp)
	if err := produce(tmp); err != nil {
		return err
	}
	if err := os.Rename(tmp, abs); err != nil {
		return fmt.Errorf("write %s: %w", q.output, err)
	}
	return nil
}

// remoteToParquet writes a remote result to a parquet file: the text
// values go into a VARCHAR staging table of an in-memory DuckDB, and COPY
// casts each column to the DuckDB type of its PostgreSQL type.
func remoteToParquet(ctx context.Context, res *remoteResult, limit int, path string) (truncated bool, err error) {
	if len(res.fields) == 0 {
		return false, errors.New("the statement returned no rows to write")
	}
	db, err := sql.Open("duckdb", "?autoinstall_known_extensions=false&autoload_known_extensions=false")
	if err != nil {
		return false, err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return false, err
	}
	defer conn.Close()
	var cols, casts []string
	for i, f := range res.fields {
		staged := fmt.Sprintf("c%d", i)
		cols = append(cols, staged+" VARCHAR")
		expr := "CAST(" + staged + " AS " + duckDBTypeOf(f) + ")"
		switch duckDBTypeOf(f) {
		case "BLOB":
			expr = "unhex(substr(" + staged + ", 3))" // PostgreSQL's hex format: \x0a1b…
		case "BOOLEAN":
			expr = "(" + staged + " IN ('t', 'true'))"
		}
		casts = append(casts, expr+" AS "+sqlIdent(f.Name))
	}
	if _, err := conn.ExecContext(ctx, "CREATE TABLE staging ("+strings.Join(cols, ", ")+")"); err != nil {
		return false, err
	}
	err = conn.Raw(func(dc any) error {
		app, err := duckdb.NewAppenderFromConn(dc.(driver.Conn), "", "staging")
		if err != nil {
			return err
		}
		vals := make([]driver.Value, len(res.fields))
		for n := 0; ; n++ {
			if limit > 0 && n == limit {
				truncated = true
				break
			}
			row, err := res.next()
			if errors.Is(err, errNoMoreRows) {
				break
			}
			if err != nil {
				app.Close()
				return err
			}
			for i, v := range row {
				if v == nil {
					vals[i] = nil
				} else {
					vals[i] = cellText(v)
				}
			}
			if err := app.AppendRow(vals...); err != nil {
				app.Close()
				return err
			}
		}
		return app.Close()
	})
	if err != nil {
		return truncated, err
	}
	_, err = conn.ExecContext(ctx, "COPY (SELECT "+strings.Join(casts, ", ")+" FROM staging) TO "+sqlString(path)+" (FORMAT parquet, COMPRESSION zstd)")
	return truncated, err
}
