package marketplace

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/keboola/agnes/httpapi"
	"github.com/keboola/agnes/rbac"
	"github.com/keboola/agnes/store"
)

// Options configure a Service.
type Options struct {
	Store *store.Store
	RBAC  *rbac.Service
	// Auditor records downloads; nil logs them only.
	Auditor *store.Auditor
	// DataDir is the instance data directory; the service owns
	// <DataDir>/marketplaces.
	DataDir string
	Logger  *slog.Logger
	// GitBinary serves the git channel; "" looks "git" up on PATH. Without
	// one the git channel answers 503 and everything else works.
	GitBinary string
}

// Service is the marketplace: registry, sync, and the three channels.
type Service struct {
	reg      *Registry
	rbac     *rbac.Service
	throttle *httpapi.AuthThrottle // failed git Basic authentications per address
	auditor  *store.Auditor
	log      *slog.Logger
	root     string // <data_dir>/marketplaces
	gitBin   string

	syncMu sync.Mutex // one sync or removal at a time
	locks  cloneLocks
	cat    atomic.Pointer[pluginCatalog]
	gen    atomic.Uint64

	viewMu sync.Mutex
	views  map[string]*view

	zips *zipCache
	git  *gitCache
}

// maxCachedViews bounds the view cache (one entry per group set).
const maxCachedViews = 1024

// New opens the marketplace service and loads what the last good syncs
// found from the clones on disk (no network).
func New(ctx context.Context, opt Options) (*Service, error) {
	if opt.Store == nil || opt.RBAC == nil || opt.DataDir == "" {
		return nil, errors.New("marketplace: Store, RBAC and DataDir are required")
	}
	log := opt.Logger
	if log == nil {
		log = slog.Default()
	}
	root := filepath.Join(opt.DataDir, "marketplaces")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("marketplace: %w", err)
	}
	gitBin := opt.GitBinary
	if gitBin == "" {
		if p, err := exec.LookPath("git"); err == nil {
			gitBin = p
		} else {
			log.Warn("marketplace: no git binary on PATH; the git channel (/marketplace.git/) answers 503")
		}
	}
	s := &Service{
		reg: &Registry{st: opt.Store}, rbac: opt.RBAC, throttle: httpapi.NewAuthThrottle(0), auditor: opt.Auditor, log: log, root: root, gitBin: gitBin,
		views: map[string]*view{},
		zips:  &zipCache{dir: filepath.Join(root, "zip-cache")},
		git:   &gitCache{root: filepath.Join(root, "git-cache"), gitBin: gitBin, log: log},
	}
	s.cat.Store(&pluginCatalog{markets: map[string]*marketplaceSnapshot{}})
	if err := s.load(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Registry returns the marketplace registry.
func (s *Service) Registry() *Registry { return s.reg }

func (s *Service) cloneDir(slug string) string { return filepath.Join(s.root, slug) }

// load rebuilds the in-memory catalog from each marketplace's recorded
// commit. A clone that is missing or unreadable is logged; its plugins are
// served again after its next sync.
func (s *Service) load(ctx context.Context) error {
	markets, err := s.reg.List(ctx)
	if err != nil {
		return fmt.Errorf("marketplace: %w", err)
	}
	for _, m := range markets {
		if m.LastCommitSHA == "" {
			continue
		}
		st := openObjects(s.cloneDir(m.Slug))
		in, err := inspect(st, m.Slug, plumbing.NewHash(m.LastCommitSHA))
		st.Close()
		if err != nil {
			s.log.Warn("marketplace: cannot load the last synced commit; sync it again", "marketplace", m.Slug, "err", err)
			continue
		}
		s.publish(m.Slug, in.snapshot)
	}
	return nil
}

// publish makes snap what slug serves (nil: nothing) and drops cached views.
func (s *Service) publish(slug string, snap *marketplaceSnapshot) {
	gen := s.gen.Add(1)
	s.cat.Store(s.cat.Load().with(slug, snap, gen))
	s.viewMu.Lock()
	s.views = map[string]*view{}
	s.viewMu.Unlock()
}

// viewFor returns the view of a principal's grants. Views are cached by
// group set, RBAC version and catalog generation; the RBAC version is read
// before the grants, so a grant change made before this call is never
// answered from a view cached before it.
func (s *Service) viewFor(ctx context.Context, p *rbac.Principal) (*view, error) {
	ver := s.rbac.Version()
	cat := s.cat.Load()
	key := p.GroupSetKey() + "|" + strconv.FormatInt(ver, 10) + "|" + strconv.FormatUint(cat.gen, 10)
	s.viewMu.Lock()
	v := s.views[key]
	s.viewMu.Unlock()
	if v != nil {
		return v, nil
	}
	granted, _, err := s.rbac.Granted(ctx, p, rbac.ResourcePlugin)
	if err != nil {
		return nil, err
	}
	v = newView(cat, granted)
	s.viewMu.Lock()
	if len(s.views) >= maxCachedViews {
		s.views = map[string]*view{}
	}
	s.views[key] = v
	s.viewMu.Unlock()
	return v, nil
}

// sourcesFor returns an opener of the clones a view reads.
func (s *Service) sourcesFor(v *view) func() *objectSources {
	return func() *objectSources { return openSources(&s.locks, s.cloneDir, v.slugs()) }
}

// installClone moves a fresh clone into place, replacing a stale one once
// no download reads it.
func (s *Service) installClone(slug string) func(fresh string) error {
	return func(fresh string) error {
		dir := s.cloneDir(slug)
		l := s.locks.get(slug)
		l.Lock()
		old := ""
		if _, err := os.Stat(dir); err == nil {
			old = dir + ".old-" + randomSuffix()
			if err := os.Rename(dir, old); err != nil {
				l.Unlock()
				return err
			}
		}
		err := os.Rename(fresh, dir)
		l.Unlock()
		if old != "" {
			os.RemoveAll(old)
		}
		return err
	}
}

// Remove unregisters a marketplace: its plugins stop being served at once,
// its plugin grants are deleted and its clone is removed. It returns how
// many grants were deleted.
func (s *Service) Remove(ctx context.Context, actor rbac.Actor, slug string) (int, error) {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if err := s.reg.remove(ctx, actor, slug); err != nil {
		return 0, err
	}
	s.publish(slug, nil)
	grants, err := s.rbac.Grants(ctx, rbac.GrantFilter{ResourceType: rbac.ResourcePlugin})
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, g := range grants {
		if strings.HasPrefix(g.ResourceID, slug+"/") {
			if err := s.rbac.DeleteGrant(ctx, actor, g.ID); err != nil && !errors.Is(err, rbac.ErrNotFound) {
				return removed, err
			}
			removed++
		}
	}
	l := s.locks.get(slug)
	l.Lock()
	err = os.RemoveAll(s.cloneDir(slug))
	l.Unlock()
	if err != nil {
		return removed, fmt.Errorf("remove clone of %s: %w", slug, err)
	}
	return removed, nil
}

// audit records a download through the Auditor, or the log without one.
func (s *Service) audit(e store.AuditEntry) {
	if s.auditor != nil {
		s.auditor.Record(e)
		return
	}
	s.log.Info("audit", "action", e.Action, "user", e.UserID, "target", e.Target, "outcome", e.Outcome)
}

func (s *Service) internalError(w http.ResponseWriter, r *http.Request, what string, err error) {
	s.log.ErrorContext(r.Context(), what, "path", r.URL.Path, "err", err)
	httpapi.WriteError(w, http.StatusInternalServerError, httpapi.CodeInternal, "internal server error")
}
