package marketplace

import (
	"context"
	"fmt"

	"github.com/robfig/cron/v3"

	"github.com/keboola/agnes/rbac"
)

// DefaultSchedule is when marketplaces sync when the configuration says
// nothing (marketplace.sync_schedule).
const DefaultSchedule = "@daily"

// pruneSchedule is when unused cache entries are removed.
const pruneSchedule = "@hourly"

var systemActor = rbac.Actor{UserID: "system"}

// StartSchedule starts syncing every marketplace on spec (a cron
// expression or descriptor; "" is DefaultSchedule, "off" disables the
// sync) and pruning caches hourly. stop cancels a sync in progress and
// waits for it.
func (s *Service) StartSchedule(spec string) (stop func(), err error) {
	if spec == "" {
		spec = DefaultSchedule
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := cron.New()
	if spec != "off" {
		if _, err := c.AddFunc(spec, func() { s.scheduledSync(ctx) }); err != nil {
			cancel()
			return nil, fmt.Errorf("marketplace.sync_schedule %q: %w", spec, err)
		}
	}
	if _, err := c.AddFunc(pruneSchedule, s.Prune); err != nil {
		cancel()
		return nil, err
	}
	c.Start()
	return func() {
		cancel()
		<-c.Stop().Done()
	}, nil
}

func (s *Service) scheduledSync(ctx context.Context) {
	defer func() {
		if v := recover(); v != nil {
			s.log.Error("marketplace: scheduled sync panicked", "panic", fmt.Sprint(v))
		}
	}()
	res, err := s.SyncAll(ctx, systemActor)
	if err != nil {
		s.log.Error("marketplace: scheduled sync", "err", err)
		return
	}
	failed := 0
	for _, r := range res {
		if !r.OK {
			failed++
		}
	}
	s.log.Info("marketplace: scheduled sync done", "marketplaces", len(res), "failed", failed)
}
