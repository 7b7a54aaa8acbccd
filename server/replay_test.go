package server

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// A client capture (planner/testdata/clients/*.sql) is a sequence of steps, each a
// statement as one client sent it, in order, per session.
type captureStep struct {
	file     string
	line     int
	session  string
	simple   bool     // simple Query protocol; else Parse/Bind/Execute
	execute  bool     // the extended-protocol statement was executed, not only parsed
	params   []string // the first set of bound parameters
	sql      string
	wantErr  string // SQLSTATE the capture shows PostgreSQL answering with
	stepDesc string
}

var (
	captureParam = regexp.MustCompile(`\$(\d+) = '((?:[^']|'')*)'`)
	captureError = regexp.MustCompile(`^-- ERROR ([0-9A-Z]{5})`)
)

// readCapture parses one capture file.
func readCapture(t *testing.T, path string) []captureStep {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var steps []captureStep
	session := "1"
	var cur *captureStep
	var sqlLines []string
	lines := strings.Split(string(b), "\n")
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if cur == nil {
			switch {
			case strings.HasPrefix(trimmed, "-- ===== session "):
				session = strings.TrimPrefix(trimmed, "-- ===== session ")
			case strings.HasPrefix(trimmed, "-- simple") || strings.HasPrefix(trimmed, "-- parse") ||
				strings.HasPrefix(trimmed, "-- [parse") || strings.HasPrefix(trimmed, "-- bind"):
				cur = &captureStep{file: filepath.Base(path), line: i + 1, session: session, stepDesc: trimmed,
					simple: strings.HasPrefix(trimmed, "-- simple")}
				cur.execute = strings.Contains(trimmed, "execute")
				if p := strings.Index(trimmed, "params:"); p >= 0 {
					first, _, _ := strings.Cut(trimmed[p:], " | ")
					for _, m := range captureParam.FindAllStringSubmatch(first, -1) {
						cur.params = append(cur.params, strings.ReplaceAll(m[2], "''", "'"))
					}
				}
			case captureError.MatchString(trimmed) && len(steps) > 0:
				steps[len(steps)-1].wantErr = captureError.FindStringSubmatch(trimmed)[1]
			}
			continue
		}
		sqlLines = append(sqlLines, line)
		if strings.HasSuffix(trimmed, ";") {
			cur.sql = strings.TrimSpace(strings.Join(sqlLines, "\n"))
			steps = append(steps, *cur)
			cur, sqlLines = nil, nil
		}
	}
	return steps
}

// stepResult is what one replayed step returned.
type stepResult struct {
	err   error
	names []string
	oids  []uint32
	rows  int
	// leaked is a returned value naming the table the analyst may not read.
	leaked string
}

func (r *stepResult) inspect(values [][]byte) {
	for _, v := range values {
		if r.leaked == "" && strings.Contains(string(v), "salaries") {
			r.leaked = string(v)
		}
	}
}

func (r stepResult) shape() string {
	parts := make([]string, len(r.names))
	for i := range r.names {
		parts[i] = fmt.Sprintf("%s:%d", r.names[i], r.oids[i])
	}
	return strings.Join(parts, ", ")
}

// replayer runs capture steps against one server, one connection per
// captured session.
type replayer struct {
	dsn      string
	ordersID string // the orders table's OID, replacing the capture's 16386
	conns    map[string]*pgconn.PgConn
}

func (r *replayer) close() {
	for _, c := range r.conns {
		c.Close(context.Background())
	}
}

func (r *replayer) conn(ctx context.Context, session string) (*pgconn.PgConn, error) {
	if c := r.conns[session]; c != nil {
		return c, nil
	}
	c, err := pgconn.Connect(ctx, r.dsn)
	if err != nil {
		return nil, err
	}
	r.conns[session] = c
	return c, nil
}

func (r *replayer) run(ctx context.Context, s captureStep) stepResult {
	c, err := r.conn(ctx, s.file+"/"+s.session)
	if err != nil {
		return stepResult{err: err}
	}
	sql := strings.ReplaceAll(s.sql, "16386", r.ordersID)
	var res stepResult
	collect := func(fields []pgconn.FieldDescription) {
		if res.names != nil || len(fields) == 0 {
			return
		}
		for _, f := range fields {
			res.names = append(res.names, f.Name)
			res.oids = append(res.oids, f.DataTypeOID)
		}
	}
	switch {
	case s.simple:
		mrr := c.Exec(ctx, sql)
		for mrr.NextResult() {
			rr := mrr.ResultReader()
			collect(rr.FieldDescriptions())
			for rr.NextRow() {
				res.rows++
				res.inspect(rr.Values())
			}
			if _, err := rr.Close(); err != nil && res.err == nil {
				res.err = err
			}
		}
		if err := mrr.Close(); err != nil && res.err == nil {
			res.err = err
		}
	case !s.execute:
		sd, err := c.Prepare(ctx, "", sql, nil)
		res.err = err
		if err == nil {
			collect(sd.Fields)
		}
	default:
		params := make([][]byte, len(s.params))
		for i, p := range s.params {
			params[i] = []byte(strings.ReplaceAll(p, "16386", r.ordersID))
		}
		rr := c.ExecParams(ctx, sql, params, nil, nil, nil)
		collect(rr.FieldDescriptions())
		for rr.NextRow() {
			res.rows++
			res.inspect(rr.Values())
		}
		_, res.err = rr.Close()
	}
	return res
}

func replaySteps(t *testing.T) []captureStep {
	files, err := filepath.Glob("../planner/testdata/clients/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no client captures: %v", err)
	}
	tools, err := filepath.Glob("../planner/testdata/tools/*.sql")
	if err != nil || len(tools) == 0 {
		t.Fatalf("no tool introspection statements: %v", err)
	}
	files = append(files, tools...)
	sort.Strings(files)
	var steps []captureStep
	for _, f := range files {
		steps = append(steps, readCapture(t, f)...)
	}
	if len(steps) < 80 {
		t.Fatalf("read only %d steps from the captures", len(steps))
	}
	return steps
}

// knownShapeDifferences are steps whose result shape differs from
// PostgreSQL's for a reason outside the compatibility catalog.
var knownShapeDifferences = map[string]string{
	// EXTRACT returns numeric since PostgreSQL 14; DuckDB returns double
	// for epoch (same value, no trailing zeros).
	"datagrip.sql:24": "extract(epoch) is double",
	// Transaction ids are stored as bigint: the compatibility catalog has
	// no transactions (xid columns are sent as int8).
	"datagrip.sql:53": "system column xmin is int8",
	"datagrip.sql:89": "system column xmin is int8",
	// The reference server is PostgreSQL 15; Agnes presents 16, whose
	// pg_database has daticurules.
	"dbeaver.sql:28": "pg_database has PostgreSQL 16's columns",
	// reg* columns hold OIDs and are sent as oid, so that clients joining
	// them on oid columns (typreceive = pg_proc.oid) read numbers.
	"dbeaver.sql:46": "pg_type's regproc columns are sent as oid",
	// The name and "char" types exist only as wire types of catalog
	// columns; through UNION, CASE or an array they are text.
	"metabase.sql:22": "name through UNION is text",
	"npgsql.sql:10":   `"char" through CASE is text`,
	"pgcli.sql:12":    "elements of name[] are text",
	"pgcli.sql:49":    "elements of name[] are text",
}

// skipInReplay are steps that cannot be replayed one by one: the capture
// shows them cancelled by the client while they ran.
func skipInReplay(s captureStep) bool {
	return s.wantErr == "57014"
}

// TestClientReplay runs every statement real clients sent to PostgreSQL
// (planner/testdata/clients) against the gateway as the analyst. Each must succeed
// unless the capture shows PostgreSQL refusing it too; the steps PostgreSQL
// refused for permissions name salaries, which the analyst may not read.
// With a local PostgreSQL, the result shapes (column names and types) are
// compared with PostgreSQL's for the same schema.
func TestClientReplay(t *testing.T) {
	ts, token := startBIServer(t)
	ctx := context.Background()
	ordersOID := queryOne(t, ts.dsn("bi_user@example.com", token),
		"SELECT c.oid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relname = 'orders'")
	agnes := &replayer{dsn: ts.dsn("bi_user@example.com", token), ordersID: ordersOID, conns: map[string]*pgconn.PgConn{}}
	defer agnes.close()

	steps := replaySteps(t)
	results := make([]stepResult, len(steps))
	for i, s := range steps {
		if skipInReplay(s) {
			continue
		}
		res := agnes.run(ctx, s)
		results[i] = res
		var pe *pgconn.PgError
		errors.As(res.err, &pe)
		if res.leaked != "" {
			t.Errorf("%s:%d returned %q, naming a table the analyst may not read\n%s", s.file, s.line, res.leaked, s.sql)
		}
		switch {
		case s.wantErr == "" && res.err != nil:
			t.Errorf("%s:%d (%s) failed: %v\n%s", s.file, s.line, s.stepDesc, res.err, s.sql)
		case s.wantErr != "" && res.err == nil:
			t.Errorf("%s:%d succeeded, PostgreSQL answered %s\n%s", s.file, s.line, s.wantErr, s.sql)
		case s.wantErr == "42501" && (pe == nil || pe.Code != "42P01" && pe.Code != "42501" || !strings.Contains(s.sql, "salaries")):
			t.Errorf("%s:%d: permission step got %v\n%s", s.file, s.line, res.err, s.sql)
		}
	}

	t.Run("shapes match PostgreSQL", func(t *testing.T) {
		pg := startReferencePostgres(t)
		pgOrders := queryOne(t, pg.dsn, "SELECT 'public.orders'::regclass::oid")
		ref := &replayer{dsn: pg.dsn, ordersID: pgOrders, conns: map[string]*pgconn.PgConn{}}
		defer ref.close()
		compared, refListed := 0, 0
		for i, s := range steps {
			if skipInReplay(s) || s.wantErr != "" || results[i].err != nil {
				continue
			}
			want := ref.run(ctx, s)
			if want.leaked != "" {
				refListed++
			}
			if want.err != nil {
				t.Errorf("%s:%d fails on PostgreSQL: %v", s.file, s.line, want.err)
				continue
			}
			if want.names == nil {
				continue
			}
			compared++
			if _, known := knownShapeDifferences[fmt.Sprintf("%s:%d", s.file, s.line)]; known {
				continue
			}
			if got := results[i].shape(); got != want.shape() {
				t.Errorf("%s:%d result shape\n agnes    %s\n postgres %s\n%s", s.file, s.line, got, want.shape(), s.sql)
			}
		}
		// PostgreSQL lists salaries to its superuser: the leak check above
		// does look at the values the same steps return.
		if refListed < 5 {
			t.Errorf("only %d steps list salaries on PostgreSQL", refListed)
		}
		if compared < 40 {
			t.Errorf("compared only %d result shapes", compared)
		}
		t.Logf("replayed %d steps, compared %d result shapes with PostgreSQL", len(steps), compared)
	})
}

// queryOne returns the single value of a one-row, one-column query.
func queryOne(t *testing.T, dsn, sql string) string {
	t.Helper()
	ctx := context.Background()
	c, err := pgconn.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close(ctx)
	res := c.ExecParams(ctx, sql, nil, nil, nil, nil).Read()
	if res.Err != nil || len(res.Rows) != 1 || len(res.Rows[0]) != 1 {
		t.Fatalf("%s: %v (%d rows)", sql, res.Err, len(res.Rows))
	}
	return string(res.Rows[0][0])
}
