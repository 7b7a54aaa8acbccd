package server

import (
	"context"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/keboola/agnes/engine"
	"github.com/keboola/agnes/pgerr"
	"github.com/keboola/agnes/planner"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
	"github.com/keboola/agnes/wire"
)

var sessionSeq atomic.Int64

// session is one client connection's state: its parameters, transaction
// block, SQL-level prepared statements and DuckDB connection.
type session struct {
	g    *gateway
	p    *rbac.Principal
	info wire.SessionInfo
	id   int64

	params map[string]string
	// local holds the values SET LOCAL replaced, restored at transaction end.
	local map[string]string

	inTx, failed bool

	conn     *engine.Conn
	connKey  string
	res      *resolver
	resVer   [2]int64
	prepared map[string]*planner.Plan
	// syncedParams are the parameters the DuckDB connection's
	// compatibility variables hold (compat.go).
	syncedParams map[string]string
	cursors      map[string]*cursor
	// startupParams are the parameter values the client set at connection
	// start (startup packet and its options), checked: RESET returns to
	// them.
	startupParams map[string]string
}

func newSession(g *gateway, p *rbac.Principal, info wire.SessionInfo) *session {
	s := &session{g: g, p: p, info: info, id: sessionSeq.Add(1), params: map[string]string{}, local: map[string]string{},
		prepared: map[string]*planner.Plan{}, cursors: map[string]*cursor{}, startupParams: map[string]string{}}
	// Settings from the options parameter (-c name=value) come first so
	// that a parameter named directly in the startup packet wins, as in
	// PostgreSQL.
	startup := startupOptionSettings(info.StartupParams["options"])
	for k, v := range info.StartupParams {
		startup = append(startup, [2]string{k, v})
	}
	for _, kv := range startup {
		k, v := kv[0], kv[1]
		name := strings.ToLower(k)
		spec, ok := paramSpecs[name]
		if !ok || spec.readOnly || spec.check == nil {
			continue
		}
		if nv, err := spec.check(v); err == nil {
			s.startupParams[name] = nv
		}
	}
	s.resetParams()
	s.syncTransactionIsolation()
	return s
}

// sessionDefault is the value RESET gives a parameter: the one the client
// set at connection start, else the server default (as in PostgreSQL).
func (s *session) sessionDefault(name string) string {
	if v, ok := s.startupParams[name]; ok {
		return v
	}
	return paramSpecs[name].def
}

func (s *session) resetParams() {
	for name := range paramSpecs {
		s.params[name] = s.sessionDefault(name)
	}
	s.params["server_version"] = ServerVersion()
	s.params["session_authorization"] = s.p.Email
	if s.info.TLS {
		s.params["ssl"] = "on"
	}
}

// ensureConn (re)acquires the DuckDB connection when the principal's
// readable set changed since it was opened, so newly granted tables appear
// and revoked ones vanish from the sandbox without reconnecting.
func (s *session) ensureConn(ctx context.Context) error {
	ver := [2]int64{s.g.app.Registry.Version(), s.g.app.RBAC.Version()}
	if s.res != nil && s.conn != nil && ver == s.resVer {
		return nil
	}
	// A principal's groups can change too: resolve it again.
	if s.res != nil {
		p, err := s.g.app.RBAC.Principal(ctx, s.p.UserID)
		if err != nil {
			return pgerr.Fatal(pgerr.InvalidAuthorizationSpec, "your account is no longer active")
		}
		p.TokenID = s.p.TokenID
		s.p = p
	}
	res, files, err := s.g.visible(ctx, s.p)
	if err != nil {
		return err
	}
	res.searchPath = s.searchPath()
	key := s.g.sandboxKey(files)
	if s.conn == nil || key != s.connKey {
		conn, err := s.g.pool.Conn(ctx, key, files)
		if err != nil {
			return err
		}
		if s.conn != nil {
			s.closeCursors(true)
			s.conn.Close()
		}
		s.conn, s.connKey = conn, key
	}
	s.res, s.resVer = res, ver
	// New connection or new registry facts: hand everything over again.
	return s.syncCompat(ctx, true)
}

// readyConn makes the DuckDB connection current and ready for a statement:
// the parameters synced to the compatibility catalog.
func (s *session) readyConn(ctx context.Context) error {
	if err := s.ensureConn(ctx); err != nil {
		return err
	}
	return s.syncCompat(ctx, false)
}

// searchPath is the session's search_path as schema names.
func (s *session) searchPath() []string {
	return planner.ParseSearchPath(s.params["search_path"])
}

func (s *session) Prepare(ctx context.Context, query string, paramOIDs []uint32) ([]wire.Statement, error) {
	if err := s.ensureConn(ctx); err != nil {
		return nil, err
	}
	s.res.searchPath = s.searchPath()
	plans, err := planner.PlanQuery(query, planner.Options{
		Resolver:       s.res,
		SearchPath:     s.res.searchPath,
		Database:       s.g.app.Cfg.PG.Database,
		Cache:          s.g.plans,
		CatalogRewrite: compatRelations,
		Compat:         compatPlanner,
	})
	if err != nil {
		s.audit(query, nil, "denied", err, 0, 0)
		return nil, err
	}
	out := make([]wire.Statement, len(plans))
	for i, p := range plans {
		out[i] = &statement{s: s, plan: p, paramOIDs: paramOIDs}
	}
	return out, nil
}

func (s *session) TxStatus() byte {
	switch {
	case s.failed:
		return 'E'
	case s.inTx:
		return 'T'
	}
	return 'I'
}

func (s *session) Fail() {
	if s.inTx {
		s.failed = true
	}
}

func (s *session) Parameter(name string) (string, bool) {
	v, ok := s.params[strings.ToLower(name)]
	return v, ok
}

func (s *session) StatusParams() map[string]string {
	out := map[string]string{}
	for name, spec := range paramSpecs {
		if spec.reported {
			out[reportName(name)] = s.params[name]
		}
	}
	return out
}

func (s *session) Close() error {
	s.closeCursors(true)
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
	}
	return nil
}

// setParam changes a parameter and reports whether its value changed.
func (s *session) setParam(name, value string, isLocal bool) (changed bool, err error) {
	name = strings.ToLower(name)
	spec, ok := paramSpecs[name]
	if !ok {
		return false, pgerr.New(pgerr.UndefinedObject, "unrecognized configuration parameter %q", name)
	}
	if spec.readOnly {
		return false, pgerr.New(pgerr.CantChangeRuntimeParam, "parameter %q cannot be changed", name)
	}
	nv, err := spec.check(value)
	if err != nil {
		return false, err
	}
	if name == "transaction_isolation" {
		// The level belongs to the current transaction block: outside one
		// setting it has no lasting effect, inside one it lasts until the
		// block ends (SET TRANSACTION, BEGIN ISOLATION LEVEL).
		isLocal = true
	}
	if isLocal {
		if !s.inTx {
			// PostgreSQL: SET LOCAL outside a transaction has no effect.
			return false, nil
		}
		if _, saved := s.local[name]; !saved {
			s.local[name] = s.params[name]
		}
	}
	old := s.params[name]
	s.params[name] = nv
	s.syncTransactionIsolation()
	return old != nv && spec.reported, nil
}

// syncTransactionIsolation makes transaction_isolation, outside a
// transaction block, the level the next transaction will take, as
// PostgreSQL shows it: pgjdbc's setTransactionIsolation sends SET SESSION
// CHARACTERISTICS and getTransactionIsolation reads SHOW TRANSACTION
// ISOLATION LEVEL.
func (s *session) syncTransactionIsolation() {
	if !s.inTx {
		s.params["transaction_isolation"] = s.params["default_transaction_isolation"]
	}
}

// endTx closes the transaction block and restores SET LOCAL values.
func (s *session) endTx() map[string]string {
	changes := map[string]string{}
	for name, v := range s.local {
		if s.params[name] != v && paramSpecs[name].reported {
			changes[reportName(name)] = v
		}
		s.params[name] = v
	}
	s.local = map[string]string{}
	s.inTx, s.failed = false, false
	s.syncTransactionIsolation()
	s.closeCursors(false)
	return changes
}

func (s *session) audit(query string, p *planner.Plan, outcome string, err error, rows int64, dur time.Duration) {
	detail := map[string]any{"session": s.id, "duration_ms": dur.Milliseconds(), "rows": rows}
	target := ""
	if p != nil {
		detail["kind"] = string(p.Kind)
		detail["route"] = string(p.Route)
		var ids []string
		for _, t := range p.Tables {
			ids = append(ids, t.ID)
		}
		sort.Strings(ids)
		detail["tables"] = ids
		target = strings.Join(ids, ",")
	}
	if err != nil {
		detail["error"] = err.Error()
		if pe, ok := pgerr.As(err); ok {
			detail["sqlstate"] = pe.Code
		}
	}
	if len(query) > 2000 {
		query = query[:2000] + "…"
	}
	detail["sql"] = query
	s.g.app.Auditor.Record(store.AuditEntry{UserID: s.p.UserID, Action: "pg.query", Target: target, Detail: detail, Outcome: outcome})
}

var errAborted = pgerr.New(pgerr.InFailedSQLTransaction, "current transaction is aborted, commands ignored until end of transaction block")
