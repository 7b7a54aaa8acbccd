package server

import (
	"context"

	"github.com/keboola/agnes/httpapi"
	"github.com/keboola/agnes/marketplace"
)

// mountMarketplace opens the Claude Code plugin marketplace, adds its routes
// (/marketplace.zip, /marketplace.git/, /marketplace/info and the admin API)
// to api, and starts its sync schedule. stop ends the schedule.
func (a *App) mountMarketplace(api *httpapi.Server) (stop func(), err error) {
	svc, err := marketplace.New(context.Background(), marketplace.Options{
		Store:   a.Store,
		RBAC:    a.RBAC,
		Auditor: a.Auditor,
		DataDir: a.DataDir,
		Logger:  a.Logger,
	})
	if err != nil {
		return nil, err
	}
	svc.Mount(api)
	return svc.StartSchedule(a.Cfg.Marketplace.SyncSchedule)
}
