package server

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

	"github.com/keboola/agnes/catalog"
	"github.com/keboola/agnes/config"
	"github.com/keboola/agnes/connectors"
	"github.com/keboola/agnes/engine"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// Version is the Agnes release, set at build time with -ldflags.
var Version = "0.1.0-dev"

// Options change how an App starts.
type Options struct {
	NoDemo bool // do not generate demo data on first start
	Logger *slog.Logger
}

// App is one running Agnes instance: configuration, system store, RBAC,
// registry and audit log, shared by the HTTP and wire servers.
type App struct {
	Cfg      config.Config
	DataDir  string // absolute
	Store    *store.Store
	RBAC     *rbac.Service
	Registry *catalog.Registry
	Auditor  *store.Auditor
	Logger   *slog.Logger

	// Bootstrap reports what the first start created (zero after that).
	Bootstrap BootstrapResult

	// GatewayOptions adjust the wire listener; set before Run.
	GatewayOptions GatewayOptions

	tlsCA     string // CA certificate path when self-signed TLS is on
	nativeMu  sync.Mutex
	native    *engine.NativeCache
	closers   []func() error
	rebuildMu sync.Mutex
	prints    map[string]connectors.FileFingerprint
}

// Paths inside the data directory.
func (a *App) StatePath(name string) string { return filepath.Join(a.DataDir, "state", name) }

// Open prepares the data directory, the system store (migrating it), the
// demo data on first start, the registry and the bootstrap admin.
func Open(ctx context.Context, cfg config.Config, opt Options) (*App, error) {
	logger := opt.Logger
	if logger == nil {
		logger = slog.Default()
	}
	dataDir, err := filepath.Abs(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data_dir %q: %w", cfg.DataDir, err)
	}
	if err := os.MkdirAll(filepath.Join(dataDir, "state"), 0o700); err != nil {
		return nil, fmt.Errorf("data_dir %s: %w", dataDir, err)
	}
	a := &App{Cfg: cfg, DataDir: dataDir, Logger: logger}
	storePath := a.StatePath("system.duckdb")
	_, statErr := os.Stat(storePath)
	firstStart := errors.Is(statErr, os.ErrNotExist)
	if firstStart && !opt.NoDemo {
		// Generated before the store exists: a start-up killed half-way sees
		// no store next time and finishes the (idempotent) generation.
		logger.Info("first start: generating demo data", "dir", filepath.Join(dataDir, "extracts", "demo"))
		if err := connectors.GenerateDemo(ctx, dataDir); err != nil {
			return nil, fmt.Errorf("demo data: %w", err)
		}
	}
	st, err := store.Open(ctx, storePath)
	if err != nil {
		return nil, err
	}
	a.Store = st
	if a.RBAC, err = rbac.New(ctx, st); err != nil {
		st.Close()
		return nil, err
	}
	a.Registry = catalog.NewRegistry(st, a.RBAC)
	a.Auditor = store.NewAuditor(st, logger)
	if _, err := a.Rebuild(ctx, rbac.Actor{UserID: "system"}); err != nil {
		a.Close()
		return nil, err
	}
	if a.Bootstrap, err = a.bootstrap(ctx); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// Rebuild scans the extracts and syncs the registry. Broken extracts are
// logged and marked; they never stop the others.
func (a *App) Rebuild(ctx context.Context, actor rbac.Actor) (catalog.SyncResult, error) {
	a.rebuildMu.Lock()
	defer a.rebuildMu.Unlock()
	extracts, err := connectors.ScanExtractsWith(ctx, a.DataDir, a.prints)
	if err != nil {
		return catalog.SyncResult{}, fmt.Errorf("scan extracts: %w", err)
	}
	var scans []catalog.SourceScan
	for _, ex := range extracts {
		if ex.Err != nil {
			a.Logger.Warn("extract is broken", "source", ex.Source, "err", ex.Err)
		}
		for _, sk := range ex.Skipped {
			a.Logger.Warn("extract table skipped", "source", ex.Source, "table", sk.TableName, "reason", sk.Reason)
		}
		for _, t := range ex.Tables {
			if t.Status != "" && t.Status != connectors.StatusOK {
				a.Logger.Warn("table in extract is broken", "source", ex.Source, "table", t.ID, "status", t.Status)
			}
		}
		scans = append(scans, catalog.SourceScan{Source: ex.Source, Tables: ex.Tables, Err: ex.Err})
	}
	a.prints = connectors.Fingerprints(extracts)
	res, err := a.Registry.SyncExtracts(ctx, actor.UserID, scans)
	if err != nil {
		return res, fmt.Errorf("sync registry: %w", err)
	}
	if len(res.Added)+len(res.Updated)+len(res.Removed) > 0 {
		a.Logger.Info("registry synced", "added", len(res.Added), "updated", len(res.Updated), "removed", len(res.Removed), "broken", len(res.Broken))
		if err := a.syncNativeCache(ctx); err != nil {
			a.Logger.Warn("native cache not synced", "err", err)
		}
	}
	return res, nil
}

func (a *App) setNativeCache(nc *engine.NativeCache) {
	a.nativeMu.Lock()
	a.native = nc
	a.nativeMu.Unlock()
}

// syncNativeCache drops the native copies no registered table uses and
// schedules copies of the local tables that have none yet.
func (a *App) syncNativeCache(ctx context.Context) error {
	a.nativeMu.Lock()
	nc := a.native
	a.nativeMu.Unlock()
	if nc == nil {
		return nil
	}
	tables, err := a.Registry.List(ctx)
	if err != nil {
		return err
	}
	keep := make(map[string]bool, len(tables))
	for _, t := range tables {
		keep[t.MD5] = true
	}
	nc.Prune(keep)
	for _, t := range tables {
		if t.QueryMode != "remote" && t.Location != "" && (t.Status == "" || t.Status == "ok") {
			nc.File(t.Location, t.MD5, t.SizeBytes)
		}
	}
	return nil
}

// Secret returns a random instance secret by name, creating it once.
func (a *App) Secret(ctx context.Context, name string, size int) ([]byte, error) {
	var v []byte
	err := a.Store.Tx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT value FROM instance_secrets WHERE name = ?", name).Scan(&v)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		v = make([]byte, size)
		rand.Read(v)
		_, err = tx.ExecContext(ctx, "INSERT INTO instance_secrets VALUES (?, ?)", name, v)
		return err
	})
	return v, err
}

// Close flushes the audit log and closes the store.
func (a *App) Close() error {
	for _, c := range a.closers {
		c()
	}
	if a.Auditor != nil {
		a.Auditor.Close()
	}
	if a.Store != nil {
		return a.Store.Close()
	}
	return nil
}
