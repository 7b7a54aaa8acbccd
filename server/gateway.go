package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"time"

	"github.com/keboola/agnes/engine"
	"github.com/keboola/agnes/pgcompat"
	"github.com/keboola/agnes/planner"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
	"github.com/keboola/agnes/wire"
)

// ServerVersion is what PostgreSQL clients see as server_version: a
// PostgreSQL 16 version string that names Agnes (drivers parse the leading
// number).
func ServerVersion() string { return "16.4 (Agnes " + Version + ")" }

// gateway implements wire.Backend on top of rbac, the registry, the planner
// and the engine's sandbox pool.
type gateway struct {
	app    *App
	pool   *engine.Pool
	plans  *planner.PlanCache  // shared: plans re-check every lookup on a hit
	native *engine.NativeCache // nil when native copies are off
}

// GatewayOptions adjust the wire listener.
type GatewayOptions struct {
	SelfSignedTLS bool // generate a CA and certificate into <data_dir>/state/tls
}

func (a *App) tlsConfig() (*tls.Config, error) {
	switch {
	case a.Cfg.PG.TLSCert != "":
		cert, err := tls.LoadX509KeyPair(a.Cfg.PG.TLSCert, a.Cfg.PG.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("pg.tls_cert/pg.tls_key: %w", err)
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	case a.GatewayOptions.SelfSignedTLS:
		cfg, ca, err := wire.SelfSignedTLS(filepath.Join(a.DataDir, "state", "tls"))
		if err != nil {
			return nil, fmt.Errorf("self-signed TLS: %w", err)
		}
		a.tlsCA = ca
		return cfg, nil
	}
	return nil, nil
}

func (a *App) startGateway(ctx context.Context, errc chan<- error) (*wire.Server, net.Addr, error) {
	tlsCfg, err := a.tlsConfig()
	if err != nil {
		return nil, nil, err
	}
	secret, err := a.Secret(ctx, "scram_mock_salt", 32)
	if err != nil {
		return nil, nil, err
	}
	tempDir := a.Cfg.Engine.TempDir
	if tempDir == "" {
		tempDir = filepath.Join(a.DataDir, "tmp")
	}
	engineCfg := engine.Config{
		MemoryLimit:    a.Cfg.Engine.MemoryLimit.DuckDB(),
		Threads:        a.Cfg.Engine.Threads,
		TempDir:        tempDir,
		MaxTempDirSize: a.Cfg.Engine.MaxTempDirectorySize.DuckDB(),
		CatalogSQL:     a.catalogSQL(),
	}
	gw := &gateway{app: a, plans: planner.NewPlanCache(0), pool: engine.NewPool(engineCfg)}
	if max := int64(a.Cfg.Engine.NativeCacheMaxTableSize); max > 0 {
		nc, err := engine.OpenNativeCache(filepath.Join(a.DataDir, "cache", "native"), max, engineCfg, a.Logger)
		if err != nil {
			return nil, nil, err
		}
		gw.native = nc
		a.setNativeCache(nc)
		a.closers = append(a.closers, func() error { nc.Close(); return nil })
		if err := a.syncNativeCache(ctx); err != nil {
			a.Logger.Warn("native cache not synced", "err", err)
		}
	}
	a.RBAC.OnChange(gw.pool.Invalidate)
	srv := wire.NewServer(wire.Config{
		Listen:                  a.Cfg.PG.Listen,
		TLSConfig:               tlsCfg,
		AllowCleartextLoopback:  a.Cfg.PG.AllowCleartextLoopback,
		MaxMessageSize:          int(a.Cfg.PG.MaxMessageSize),
		Database:                a.Cfg.PG.Database,
		ServerVersion:           ServerVersion(),
		StatementTimeoutDefault: time.Duration(a.Cfg.PG.StatementTimeout),
		Logger:                  a.Logger,
		MockSaltSecret:          secret,
	}, gw)
	l, err := net.Listen("tcp", a.Cfg.PG.Listen)
	if err != nil {
		return nil, nil, fmt.Errorf("pg.listen %s: %w", a.Cfg.PG.Listen, err)
	}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, net.ErrClosed) {
			errc <- fmt.Errorf("postgres wire: %w", err)
		}
	}()
	a.closers = append(a.closers, gw.pool.Close)
	return srv, l.Addr(), nil
}

func (g *gateway) SCRAMCredentials(ctx context.Context, user string) (*rbac.Principal, []rbac.SCRAMCredential, error) {
	return g.app.RBAC.SCRAMCredentials(ctx, user)
}

func (g *gateway) CheckPassword(ctx context.Context, user, token string) (*rbac.Principal, error) {
	p, err := g.app.RBAC.CheckPassword(ctx, user, token)
	if errors.Is(err, rbac.ErrUnauthorized) {
		return nil, nil
	}
	return p, err
}

func (g *gateway) LoginAudit(ctx context.Context, user string, p *rbac.Principal, remote net.Addr, method string, ok bool, reason string) {
	e := store.AuditEntry{Action: "pg.login", Target: user, Outcome: "ok",
		Detail: map[string]any{"method": method, "remote": addrString(remote)}}
	if p != nil {
		e.UserID = p.UserID
		if p.TokenID != "" {
			e.Detail["token_id"] = p.TokenID
			g.app.RBAC.TokenUsed(ctx, p.TokenID)
		}
	}
	if !ok {
		e.Outcome = "denied"
		e.Detail["reason"] = reason
	}
	g.app.Auditor.Record(e)
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

func (g *gateway) NewSession(ctx context.Context, p *rbac.Principal, info wire.SessionInfo) (wire.Session, error) {
	s := newSession(g, p, info)
	if err := s.ensureConn(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// sandboxKey identifies the readable-table set of a principal at the
// current registry and grant versions.
func (g *gateway) sandboxKey(tables []engine.TableFile) string {
	var b strings.Builder
	for _, t := range tables {
		b.WriteString(t.Schema)
		b.WriteByte('.')
		b.WriteString(t.Name)
		b.WriteByte('=')
		b.WriteString(t.Path)
		if t.Native != "" {
			// a native copy that became ready gives new sessions a sandbox
			// reading it; running ones keep theirs
			b.WriteByte('|')
			b.WriteString(t.Native)
		}
		b.WriteByte(';')
	}
	return b.String()
}

// visible builds the planner's resolver and the sandbox's table files for a
// principal from the current registry and grants.
func (g *gateway) visible(ctx context.Context, p *rbac.Principal) (*resolver, []engine.TableFile, error) {
	tables, err := g.app.Registry.Visible(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	r := &resolver{byKey: map[string]planner.Table{}, columns: map[string][]string{}}
	var files []engine.TableFile
	for _, t := range tables {
		if t.QueryMode == "remote" || t.Location == "" || (t.Status != "" && t.Status != "ok") {
			continue // remote tables are served by the hybrid route (not yet); broken ones by nobody
		}
		pt := planner.Table{ID: t.ID, Schema: t.Schema, Name: t.Name, QueryMode: t.QueryMode}
		r.byKey[strings.ToLower(t.Schema)+"."+strings.ToLower(t.Name)] = pt
		for _, c := range t.Columns {
			r.columns[t.ID] = append(r.columns[t.ID], c.Name)
		}
		r.compatTables = append(r.compatTables, pgcompat.Table{Schema: pgSchema(t.Schema), Name: t.Name,
			Description: t.Description, Rows: t.RowCount, Bytes: t.SizeBytes})
		files = append(files, engine.TableFile{Schema: t.Schema, Name: t.Name, Path: t.Location,
			Native: g.native.File(t.Location, t.MD5, t.SizeBytes)})
	}
	return r, files, nil
}

// resolver answers the planner's lookups from the principal's visible set.
type resolver struct {
	byKey      map[string]planner.Table
	searchPath []string
	// compatTables are the readable tables' registry facts for the
	// compatibility catalog (descriptions, sizes).
	compatTables []pgcompat.Table
	// columns are each readable table's column names in order (by table
	// ID): a result column's origin is its position there.
	columns map[string][]string
}

// pgSchema is a registry schema as PostgreSQL clients see it.
func pgSchema(s string) string {
	if s == "" {
		return "public"
	}
	return s
}

func (r *resolver) Lookup(schema, name string) (planner.Table, bool) {
	name = strings.ToLower(name)
	if schema != "" {
		t, ok := r.byKey[strings.ToLower(schema)+"."+name]
		return t, ok
	}
	path := r.searchPath
	if len(path) == 0 {
		path = []string{"public"}
	}
	for _, s := range path {
		if t, ok := r.byKey[strings.ToLower(s)+"."+name]; ok {
			return t, true
		}
	}
	return planner.Table{}, false
}
