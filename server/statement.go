package server

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/memory"
	"github.com/duckdb/duckdb-go/v2"

	"github.com/keboola/agnes/pgerr"
	"github.com/keboola/agnes/planner"
	"github.com/keboola/agnes/wire"
)

// statement is one planned statement of a session.
type statement struct {
	s    *session
	plan *planner.Plan
	// paramOIDs are the parameter types the client declared in Parse.
	paramOIDs []uint32
	// sql, when set, is plan.SQL with the parameters DuckDB could not
	// type cast (paramtypes.go); Describe sets it, Execute runs it.
	sql string
	// constant is a constant query's row, built at its first Describe or
	// Execute and shared by later executions of the statement.
	constant *memResult
}

func (st *statement) SQL() string { return st.plan.Original }

func textColumn(name string) wire.Column {
	ti, _ := duckdb.NewTypeInfo(duckdb.TYPE_VARCHAR)
	return wire.Column{Name: name, Type: ti}
}

func (st *statement) Describe(ctx context.Context) (*wire.Description, error) {
	p := st.plan
	switch {
	case p.Explain != nil:
		return &wire.Description{Columns: []wire.Column{textColumn("QUERY PLAN")}}, nil
	case p.Session != nil:
		switch p.Session.Verb {
		case "show":
			return &wire.Description{Columns: []wire.Column{textColumn(p.Session.Name)}}, nil
		case "show_all":
			return &wire.Description{Columns: []wire.Column{textColumn("name"), textColumn("setting"), textColumn("description")}}, nil
		case "set_config":
			return &wire.Description{Columns: []wire.Column{textColumn(setConfigColumn(p))}}, nil
		case "fetch":
			return st.s.describeFetch(p.Session)
		case "execute":
			if inner := st.s.prepared[strings.ToLower(p.Session.Name)]; inner != nil {
				return (&statement{s: st.s, plan: inner}).Describe(ctx)
			}
			return nil, pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", p.Session.Name)
		}
		return &wire.Description{}, nil
	case p.SQL == "":
		return &wire.Description{}, nil
	case p.Constants != nil:
		c, err := st.constantRow()
		if err != nil {
			return nil, err
		}
		return &wire.Description{Columns: c.cols}, nil
	}
	if err := st.s.readyConn(ctx); err != nil {
		return nil, err
	}
	params, cols, err := st.describeTyped(ctx)
	if err != nil {
		return nil, err
	}
	d := &wire.Description{ParamTypes: params}
	if p.Copy != nil {
		return d, nil // COPY answers with CopyOutResponse, not RowDescription
	}
	if cols != nil {
		d.Columns = describedColumns(p, cols)
	}
	if cols != nil && hasSources(p) {
		names := make([]string, len(d.Columns))
		for i, c := range d.Columns {
			names[i] = c.Name
		}
		if origins := st.s.columnOrigins(p, names); origins != nil {
			for i := range d.Columns {
				d.Columns[i].Origin = origins[i]
			}
		}
	}
	return d, nil
}

func (st *statement) Execute(ctx context.Context, args []any) (wire.Result, error) {
	s := st.s
	p := st.plan
	start := time.Now()
	if s.failed && !(p.Session != nil && (p.Session.Verb == "commit" || p.Session.Verb == "rollback" || p.Session.Verb == "rollback_to")) {
		return nil, errAborted
	}
	var res wire.Result
	var err error
	switch {
	case p.Session != nil:
		res, err = st.session(ctx, args)
	case p.Explain != nil:
		res, err = st.explain(ctx)
	case p.Constants != nil:
		var c *memResult
		if c, err = st.constantRow(); err == nil {
			c.rec.Retain() // released by this result's Close
			res = &memResult{cmdResult: c.cmdResult, schema: c.schema, rec: c.rec, cols: c.cols}
		}
	default:
		res, err = st.query(ctx, st.runSQL(), args)
	}
	if err != nil {
		outcome := "error"
		if pe, ok := pgerr.As(err); ok && (pe.Code == pgerr.InsufficientPrivilege || pe.Code == pgerr.UndefinedTable) {
			outcome = "denied"
		}
		s.audit(p.Original, p, outcome, err, 0, time.Since(start))
		return nil, err
	}
	if rr, ok := res.(*rowsResult); ok {
		rr.done = func(rows int64, err error) {
			outcome := "ok"
			if err != nil {
				outcome = "error"
			}
			s.audit(p.Original, p, outcome, err, rows, time.Since(start))
		}
	} else if p.Constants != nil {
		s.audit(p.Original, p, "ok", nil, 1, time.Since(start))
	} else if p.Session == nil || p.Session.Verb != "show" {
		s.audit(p.Original, p, "ok", nil, 0, time.Since(start))
	}
	return res, nil
}

func (st *statement) query(ctx context.Context, sql string, args []any) (wire.Result, error) {
	if err := st.s.readyConn(ctx); err != nil {
		return nil, err
	}
	var cols []wire.Column
	if st.plan.Copy == nil && needsDescribedColumns(st.plan) {
		// Catalog columns are described with PostgreSQL's types (oid,
		// name …), in the simple protocol too: describe before running.
		_, ecols, err := st.s.conn.Describe(ctx, sql)
		if err != nil {
			return nil, err
		}
		cols = describedColumns(st.plan, ecols)
	}
	rr, err := st.s.conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	res := &rowsResult{reader: rr, tag: "SELECT", cols: cols}
	if st.plan.Copy == nil && hasSources(st.plan) {
		names := make([]string, rr.Schema().NumFields())
		for i, f := range rr.Schema().Fields() {
			names[i] = f.Name
		}
		if origins := st.s.columnOrigins(st.plan, names); origins != nil {
			res.origins = origins
			for i := range res.cols {
				res.cols[i].Origin = origins[i]
			}
		}
	}
	if c := st.plan.Copy; c != nil {
		res.copy = &wire.CopyOptions{Format: c.Format, Delimiter: c.Delimiter, Null: c.Null, Header: c.Header,
			Quote: c.Quote, Escape: c.Escape, ForceQuote: c.ForceQuote}
		res.tag = "COPY"
	}
	return res, nil
}

func (st *statement) explain(ctx context.Context) (wire.Result, error) {
	inner := st.plan.Explain
	lines := strings.Split(strings.TrimRight(st.plan.String(), "\n"), "\n")
	if inner.SQL != "" {
		if err := st.s.readyConn(ctx); err != nil {
			return nil, err
		}
		rr, err := st.s.conn.Query(ctx, "EXPLAIN "+inner.SQL)
		if err != nil {
			return nil, err
		}
		defer rr.Release()
		lines = append(lines, "DuckDB plan:")
		for rr.Next() {
			rec := rr.RecordBatch()
			col := rec.Column(int(rec.NumCols()) - 1)
			for i := 0; i < col.Len(); i++ {
				if sa, ok := col.(interface{ Value(int) string }); ok {
					// The value points into DuckDB's result memory, which
					// the next batch reuses: copy it.
					text := strings.Clone(sa.Value(i))
					lines = append(lines, strings.Split(strings.TrimRight(text, "\n"), "\n")...)
				}
			}
		}
		if err := rr.Err(); err != nil {
			return nil, err
		}
	}
	return textResult("EXPLAIN", []string{"QUERY PLAN"}, rowsOf(lines)), nil
}

func rowsOf(lines []string) [][]string {
	out := make([][]string, len(lines))
	for i, l := range lines {
		out[i] = []string{l}
	}
	return out
}

// session executes a statement the gateway answers itself.
func (st *statement) session(ctx context.Context, args []any) (wire.Result, error) {
	s := st.s
	c := st.plan.Session
	changes := map[string]string{}
	var notices []string
	switch c.Verb {
	case "set":
		changed, err := s.setParam(c.Name, c.Value, c.Local)
		if err != nil {
			return nil, err
		}
		if changed {
			name := strings.ToLower(c.Name)
			changes[reportName(name)] = s.params[name]
		}
		return &cmdResult{tag: "SET", changes: changes}, nil
	case "reset":
		name := strings.ToLower(c.Name)
		spec, ok := paramSpecs[name]
		if !ok {
			return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", c.Name)
		}
		if spec.readOnly {
			return nil, pgerr.New(pgerr.CantChangeRuntimeParam, "parameter %q cannot be changed", name)
		}
		def := s.sessionDefault(name)
		if s.params[name] != def && spec.reported {
			changes[reportName(name)] = def
		}
		s.params[name] = def
		s.syncTransactionIsolation()
		return &cmdResult{tag: "RESET", changes: changes}, nil
	case "reset_all", "discard_all":
		before := s.StatusParams()
		s.resetParams()
		for k, v := range s.StatusParams() {
			if before[k] != v {
				changes[k] = v
			}
		}
		tag := "RESET"
		if c.Verb == "discard_all" {
			if s.inTx {
				return nil, pgerr.New(pgerr.ActiveSQLTransaction, "DISCARD ALL cannot run inside a transaction block")
			}
			s.prepared = map[string]*planner.Plan{}
			s.closeCursors(true)
			tag = "DISCARD ALL"
		}
		return &cmdResult{tag: tag, changes: changes}, nil
	case "show":
		name := strings.ToLower(c.Name)
		v, ok := s.params[name]
		if !ok {
			return nil, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", c.Name)
		}
		return textResult("SHOW", []string{c.Name}, [][]string{{v}}), nil
	case "show_all":
		names := make([]string, 0, len(s.params))
		for n := range s.params {
			names = append(names, n)
		}
		sort.Strings(names)
		rows := make([][]string, len(names))
		for i, n := range names {
			rows[i] = []string{reportName(n), s.params[n], ""}
		}
		return textResult("SHOW", []string{"name", "setting", "description"}, rows), nil
	case "begin":
		if s.inTx {
			notices = append(notices, "there is already a transaction in progress")
		}
		// READ WRITE is accepted too: writes are refused statement by statement.
		s.inTx = true
		if c.Isolation != "" {
			if _, err := s.setParam("transaction_isolation", c.Isolation, true); err != nil {
				return nil, err
			}
		}
		return &cmdResult{tag: "BEGIN", notices: notices}, nil
	case "commit", "rollback":
		tag := strings.ToUpper(c.Verb)
		if !s.inTx {
			notices = append(notices, "there is no transaction in progress")
		}
		if s.failed {
			tag = "ROLLBACK"
		}
		changes = s.endTx()
		return &cmdResult{tag: tag, changes: changes, notices: notices}, nil
	case "savepoint", "release", "rollback_to":
		if !s.inTx {
			return nil, pgerr.New(pgerr.NoActiveSQLTransaction, "%s can only be used in transaction blocks", strings.ToUpper(strings.ReplaceAll(c.Verb, "_", " ")))
		}
		tags := map[string]string{"savepoint": "SAVEPOINT", "release": "RELEASE", "rollback_to": "ROLLBACK"}
		if c.Verb == "rollback_to" {
			s.failed = false
		}
		return &cmdResult{tag: tags[c.Verb]}, nil
	case "set_transaction", "set_session_characteristics":
		if c.Isolation != "" {
			name := "transaction_isolation"
			if c.Verb == "set_session_characteristics" {
				name = "default_transaction_isolation"
			}
			if _, err := s.setParam(name, c.Isolation, false); err != nil {
				return nil, err
			}
		}
		return &cmdResult{tag: "SET"}, nil
	case "prepare":
		name := strings.ToLower(c.Name)
		if _, dup := s.prepared[name]; dup {
			return nil, pgerr.New(pgerr.DuplicatePreparedStatement, "prepared statement %q already exists", c.Name)
		}
		if c.Inner == nil {
			return nil, pgerr.New(pgerr.SyntaxError, "PREPARE needs a statement")
		}
		s.prepared[name] = c.Inner
		return &cmdResult{tag: "PREPARE"}, nil
	case "execute":
		inner := s.prepared[strings.ToLower(c.Name)]
		if inner == nil {
			return nil, pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", c.Name)
		}
		execArgs := make([]any, len(c.Params))
		for i, v := range c.Params {
			if i < len(c.ParamNull) && c.ParamNull[i] {
				continue
			}
			execArgs[i] = v
		}
		return (&statement{s: s, plan: inner}).Execute(ctx, execArgs)
	case "deallocate":
		name := strings.ToLower(c.Name)
		if _, ok := s.prepared[name]; !ok {
			return nil, pgerr.New(pgerr.InvalidSQLStatementName, "prepared statement %q does not exist", c.Name)
		}
		delete(s.prepared, name)
		return &cmdResult{tag: "DEALLOCATE"}, nil
	case "discard":
		if strings.EqualFold(c.Name, "plans") || strings.EqualFold(c.Name, "all") {
			s.prepared = map[string]*planner.Plan{}
		}
		return &cmdResult{tag: "DISCARD " + strings.ToUpper(c.Name)}, nil
	case "deallocate_all":
		s.prepared = map[string]*planner.Plan{}
		return &cmdResult{tag: "DEALLOCATE ALL"}, nil
	case "set_config":
		changed, err := s.setParam(c.Name, c.Value, c.Local)
		if err != nil {
			return nil, err
		}
		name := strings.ToLower(c.Name)
		if changed {
			changes[reportName(name)] = s.params[name]
		}
		value := s.params[name]
		if c.Local && !s.inTx {
			// No effect outside a transaction block, but PostgreSQL still
			// answers with the value as it would have been set.
			value, _ = paramSpecs[name].check(c.Value)
		}
		res := textResult("SELECT", []string{setConfigColumn(st.plan)}, [][]string{{value}})
		res.changes = changes
		return res, nil
	case "declare":
		return s.declareCursor(ctx, c)
	case "fetch", "move":
		return s.fetchCursor(c)
	case "close", "close_all":
		return s.closeCursor(c)
	}
	return nil, pgerr.New(pgerr.FeatureNotSupported, "%s is not supported", c.Verb)
}

// rowsResult streams a DuckDB result.
type rowsResult struct {
	reader array.RecordReader
	cols   []wire.Column // described columns with PostgreSQL types; nil: from the Arrow schema
	// origins are the table columns the result columns come from (nil
	// when unknown), for RowDescription when cols is nil.
	origins []wire.Origin
	tag     string
	copy    *wire.CopyOptions
	rows    int64
	err     error
	done    func(rows int64, err error)
	closed  bool
}

func (r *rowsResult) Schema() *arrow.Schema               { return r.reader.Schema() }
func (r *rowsResult) Columns() []wire.Column              { return r.cols }
func (r *rowsResult) Origins() []wire.Origin              { return r.origins }
func (r *rowsResult) Tag() string                         { return r.tag }
func (r *rowsResult) ParameterChanges() map[string]string { return nil }
func (r *rowsResult) Notices() []string                   { return nil }
func (r *rowsResult) CopyOut() *wire.CopyOptions          { return r.copy }

func (r *rowsResult) Next() arrow.RecordBatch {
	if r.closed || !r.reader.Next() {
		return nil
	}
	rec := r.reader.RecordBatch()
	r.rows += rec.NumRows()
	return rec
}

func (r *rowsResult) Err() error {
	if r.err == nil {
		r.err = r.reader.Err()
	}
	return r.err
}

func (r *rowsResult) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.Err()
	r.reader.Release()
	if r.done != nil {
		r.done(r.rows, err)
	}
	return nil
}

// cmdResult is a command without rows.
type cmdResult struct {
	tag     string
	changes map[string]string
	notices []string
}

func (c *cmdResult) Schema() *arrow.Schema               { return nil }
func (c *cmdResult) Columns() []wire.Column              { return nil }
func (c *cmdResult) Next() arrow.RecordBatch             { return nil }
func (c *cmdResult) Err() error                          { return nil }
func (c *cmdResult) Tag() string                         { return c.tag }
func (c *cmdResult) ParameterChanges() map[string]string { return c.changes }
func (c *cmdResult) Notices() []string                   { return c.notices }
func (c *cmdResult) CopyOut() *wire.CopyOptions          { return nil }
func (c *cmdResult) Close() error                        { return nil }

// memResult is a small in-memory text result (SHOW, EXPLAIN).
type memResult struct {
	cmdResult
	schema *arrow.Schema
	rec    arrow.RecordBatch
	sent   bool
	cols   []wire.Column
}

func textResult(tag string, names []string, rows [][]string) *memResult {
	fields := make([]arrow.Field, len(names))
	cols := make([]wire.Column, len(names))
	for i, n := range names {
		fields[i] = arrow.Field{Name: n, Type: arrow.BinaryTypes.String, Nullable: true}
		cols[i] = textColumn(n)
	}
	schema := arrow.NewSchema(fields, nil)
	b := array.NewRecordBuilder(memory.DefaultAllocator, schema)
	defer b.Release()
	for _, row := range rows {
		for i, v := range row {
			b.Field(i).(*array.StringBuilder).Append(v)
		}
	}
	return &memResult{cmdResult: cmdResult{tag: tag}, schema: schema, rec: b.NewRecordBatch(), cols: cols}
}

func (m *memResult) Schema() *arrow.Schema  { return m.schema }
func (m *memResult) Columns() []wire.Column { return m.cols }
func (m *memResult) Next() arrow.RecordBatch {
	if m.sent {
		return nil
	}
	m.sent = true
	return m.rec
}
func (m *memResult) Close() error {
	if m.rec != nil {
		m.rec.Release()
		m.rec = nil
	}
	return nil
}

// setConfigColumn is the result column of SELECT set_config(…).
func setConfigColumn(p *planner.Plan) string {
	if len(p.Targets) == 1 && p.Targets[0].Name != "" {
		return p.Targets[0].Name
	}
	return "set_config"
}
