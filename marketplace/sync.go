package marketplace

import (
	"context"
	"fmt"
	"time"

	"github.com/keboola/agnes/rbac"
)

// syncTimeout bounds one marketplace's fetch and inspection.
const syncTimeout = 10 * time.Minute

// SyncResult is the outcome of syncing one marketplace.
type SyncResult struct {
	Marketplace string `json:"marketplace"`
	OK          bool   `json:"ok"`
	Commit      string `json:"commit,omitempty"`
	// Plugins are the names of the plugins now served.
	Plugins []string `json:"plugins"`
	// Refused are plugins the sync found but will not serve, with why.
	Refused []RefusedPlugin `json:"refused"`
	// Warnings are marketplace.json entries that are not plugins at all.
	Warnings []string `json:"warnings"`
	// Error is why the sync failed (secrets redacted); the previous content
	// is still served.
	Error string `json:"error,omitempty"`
}

// RefusedPlugin is a plugin a sync did not accept.
type RefusedPlugin struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// Sync fetches one marketplace and replaces what it serves. A failed sync
// is recorded on the marketplace and returned in the result; the error is
// only for an unknown slug or a store failure.
func (s *Service) Sync(ctx context.Context, actor rbac.Actor, slug string) (SyncResult, error) {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	m, err := s.reg.Get(ctx, slug)
	if err != nil {
		return SyncResult{}, err
	}
	return s.syncOne(ctx, actor, m)
}

// SyncAll syncs every marketplace in turn; one failing never stops the
// others. Afterwards unused cache entries are pruned.
func (s *Service) SyncAll(ctx context.Context, actor rbac.Actor) ([]SyncResult, error) {
	markets, err := s.reg.List(ctx)
	if err != nil {
		return nil, err
	}
	out := []SyncResult{}
	for _, m := range markets {
		s.syncMu.Lock()
		res, err := s.syncOne(ctx, actor, m)
		s.syncMu.Unlock()
		if err != nil {
			return out, err
		}
		out = append(out, res)
	}
	s.Prune()
	return out, nil
}

func (s *Service) syncOne(ctx context.Context, actor rbac.Actor, m *Marketplace) (SyncResult, error) {
	res := SyncResult{Marketplace: m.Slug, Plugins: []string{}, Refused: []RefusedPlugin{}, Warnings: []string{}}
	at := time.Now().UTC()
	token, err := upstreamToken(m)
	fail := func(err error) (SyncResult, error) {
		res.Error = redact(err.Error(), token)
		s.log.Warn("marketplace sync failed", "marketplace", m.Slug, "err", res.Error)
		if err := s.reg.recordFailure(ctx, actor, m.Slug, at, res.Error); err != nil {
			return res, fmt.Errorf("record sync failure of %s: %w", m.Slug, err)
		}
		return res, nil
	}
	if err != nil {
		return fail(err)
	}
	fctx, cancel := context.WithTimeout(ctx, syncTimeout)
	defer cancel()
	commit, err := fetchUpstream(fctx, s.cloneDir(m.Slug), m, token, s.installClone(m.Slug))
	if err != nil {
		return fail(err)
	}
	st := openObjects(s.cloneDir(m.Slug))
	in, err := inspect(st, m.Slug, commit)
	st.Close()
	if err != nil {
		return fail(err)
	}
	warning := redact(in.refusedSummary(), token)
	if err := s.reg.recordSuccess(ctx, actor, m.Slug, at, commit.String(), warning, in.plugins); err != nil {
		return res, fmt.Errorf("record sync of %s: %w", m.Slug, err)
	}
	s.publish(m.Slug, in.snapshot)

	res.OK = true
	res.Commit = commit.String()
	for _, p := range in.plugins {
		if p.Refused != "" {
			res.Refused = append(res.Refused, RefusedPlugin{Name: p.Name, Reason: p.Refused})
		} else {
			res.Plugins = append(res.Plugins, p.Name)
		}
	}
	res.Warnings = append(res.Warnings, in.warnings...)
	s.log.Info("marketplace synced", "marketplace", m.Slug, "commit", res.Commit[:12], "plugins", len(res.Plugins), "refused", len(res.Refused))
	return res, nil
}
