package server

import (
	"context"
	"maps"
	"strings"

	"github.com/keboola/agnes/engine"
	"github.com/keboola/agnes/pgcompat"
	"github.com/keboola/agnes/planner"
	"github.com/keboola/agnes/wire"
)

// The PostgreSQL compatibility catalog (package pgcompat) is wired in
// three places: its SQL builds schema pgcompat in every sandbox
// (engine.Config.CatalogSQL), the planner rewrites catalog relations,
// functions and reg* casts to it (plannerCompat), and each session hands
// its own values (user, backend PID, parameters, registry descriptions) to
// its DuckDB connection as variables (syncCompat), because the sandbox is
// shared by every principal with the same grants.

// catalogSQL is the compatibility catalog for the gateway's sandboxes.
func (a *App) catalogSQL() []string {
	return pgcompat.SQL(pgcompat.Options{Database: a.Cfg.PG.Database, ServerVersion: ServerVersion()})
}

// compatRelations and compatPlanner are the planner's view of the
// compatibility catalog; they never change.
var (
	compatRelations = pgcompat.Relations()
	compatPlanner   = func() *planner.Compat {
		c := &planner.Compat{
			Functions:        pgcompat.Functions(),
			SessionFunctions: pgcompat.SessionFunctions(),
			Casts:            map[string]planner.CastFunctions{},
			ConstOID:         pgcompat.ConstOID,
		}
		for t, m := range pgcompat.Casts() {
			c.Casts[t] = planner.CastFunctions{OID: m.OID, Name: m.Name, Names: m.Names}
		}
		return c
	}()
)

// duckSearchPath puts the compatibility schema on the DuckDB connection's
// search path after main, so that a function the planner left unqualified
// finds PostgreSQL's version before DuckDB's built-in one.
const duckSearchPath = `SET search_path = 'main,` + pgcompat.Schema + `'`

// syncCompat brings the DuckDB connection's compatibility variables up to
// date: everything after a new connection or registry change (full), only
// the parameters after SET and friends.
func (s *session) syncCompat(ctx context.Context, full bool) error {
	if !full && maps.Equal(s.params, s.syncedParams) {
		return nil
	}
	// SET VARIABLE runs on the session's primary DuckDB connection, which
	// ends a result it streams: cursors read theirs to the end first.
	if err := s.detachCursors(); err != nil {
		return err
	}
	var stmts []string
	if full {
		stmts = append([]string{duckSearchPath}, pgcompat.SessionSQL(pgcompat.Session{
			User:       s.p.Email,
			BackendPID: s.info.ProcessID,
			Settings:   s.reportedSettings(),
			Tables:     s.res.compatTables,
		})...)
	} else {
		stmts = []string{pgcompat.SettingsSQL(s.reportedSettings())}
	}
	for _, q := range stmts {
		if err := s.conn.Exec(ctx, q); err != nil {
			return err
		}
	}
	s.syncedParams = maps.Clone(s.params)
	return nil
}

// reportedSettings are the session parameters under their PostgreSQL
// names, as current_setting() and pg_settings show them.
func (s *session) reportedSettings() map[string]string {
	out := make(map[string]string, len(s.params))
	for name, v := range s.params {
		out[reportName(name)] = v
	}
	return out
}

// columnOIDs gives the PostgreSQL types of a plan's result columns where
// they differ from what their DuckDB types map to: catalog columns of type
// oid, name or "char", reg* casts shown as names, name-valued functions.
// It returns nil when no column needs one.
func columnOIDs(p *planner.Plan, names []string) []uint32 {
	var out []uint32
	set := func(i int, oid uint32) {
		if oid == 0 {
			return
		}
		if out == nil {
			out = make([]uint32, len(names))
		}
		out[i] = oid
	}
	targets := p.Targets
	if len(targets) != len(names) {
		targets = nil
	}
	for i, name := range names {
		if targets == nil {
			if oid, ok := pgcompat.ColumnOID(p.Catalog, name); ok {
				set(i, oid)
			}
			continue
		}
		t := targets[i]
		switch {
		case t.Type != "":
			set(i, castOID(t.Type))
		case t.Function != "":
			if rt, ok := pgcompat.ResultType(t.Function); ok {
				set(i, castOID(rt))
			}
		case t.Column != "":
			if oid, ok := pgcompat.ColumnOID(p.Catalog, t.Column); ok {
				set(i, oid)
			}
		}
	}
	return out
}

// overridableTypes are the types a result column may be described as
// although DuckDB holds it as something else: the value's form is the
// same (an integer OID, a name as text).
var overridableTypes = map[string]bool{
	"oid": true, "name": true, "char": true, "\"char\"": true, "xid": true, "cid": true,
	"regclass": true, "regtype": true, "regproc": true, "regprocedure": true, "regnamespace": true,
	"regrole": true, "name[]": true, "oid[]": true, "varchar": true, "character varying": true,
}

func castOID(typ string) uint32 {
	if !overridableTypes[strings.ToLower(typ)] {
		return 0
	}
	oid, _ := pgcompat.TypeOID(typ)
	return oid
}

// describedColumns turns engine columns into wire columns with the plan's
// type overrides.
func describedColumns(p *planner.Plan, cols []engine.Column) []wire.Column {
	out := make([]wire.Column, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		out[i] = wire.Column{Name: c.Name, Type: c.Type}
		names[i] = c.Name
	}
	if oids := columnOIDs(p, names); oids != nil {
		for i := range out {
			out[i].OID = oids[i]
		}
	}
	return out
}

// needsDescribedColumns reports whether an executed result must carry
// described columns (with type overrides) rather than its Arrow schema's
// types.
func needsDescribedColumns(p *planner.Plan) bool {
	if len(p.Catalog) > 0 {
		return true
	}
	for _, t := range p.Targets {
		if t.Type != "" && castOID(t.Type) != 0 {
			return true
		}
		if t.Function != "" {
			if rt, ok := pgcompat.ResultType(t.Function); ok && castOID(rt) != 0 {
				return true
			}
		}
	}
	return false
}
