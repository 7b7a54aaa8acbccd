package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/keboola/agnes/httpapi"
)

// Listeners are the bound sockets of a running server (useful with :0).
type Listeners struct {
	HTTP net.Addr
	PG   net.Addr
}

// Run serves HTTP and the PostgreSQL wire until ctx is cancelled, then shuts
// down gracefully. ready (optional) receives the bound addresses once both
// listeners accept connections. It prints how to connect to out.
func (a *App) Run(ctx context.Context, out io.Writer, ready func(Listeners)) error {
	errc := make(chan error, 2)
	gw, pgAddr, err := a.startGateway(ctx, errc)
	if err != nil {
		return err
	}
	api := httpapi.New(httpapi.Deps{
		RBAC:     a.RBAC,
		Registry: a.Registry,
		Auditor:  a.Auditor,
		Rebuild:  a.Rebuild,
		Logger:   a.Logger,
		Version:  Version,
		// The bound address, so clients learn the real port even with :0.
		PGListen:   pgAddr.String(),
		PGDatabase: a.Cfg.PG.Database,
	})
	stopMarketplace, err := a.mountMarketplace(api)
	if err != nil {
		gw.Shutdown(ctx)
		return fmt.Errorf("marketplace: %w", err)
	}
	defer stopMarketplace()
	hl, err := net.Listen("tcp", a.Cfg.HTTP.Listen)
	if err != nil {
		gw.Shutdown(ctx)
		return fmt.Errorf("http.listen %s: %w", a.Cfg.HTTP.Listen, err)
	}
	hs := &http.Server{Handler: api.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := hs.Serve(hl); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("http: %w", err)
		}
	}()

	l := Listeners{HTTP: hl.Addr(), PG: pgAddr}
	a.printConnectInfo(out, l)
	if ready != nil {
		ready(l)
	}

	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	gw.Shutdown(shutCtx)
	hs.Shutdown(shutCtx)
	return err
}

func (a *App) printConnectInfo(out io.Writer, l Listeners) {
	user := url.QueryEscape(a.Cfg.Instance.AdminEmail)
	fmt.Fprintf(out, "Agnes %s is running (data in %s)\n", Version, a.DataDir)
	fmt.Fprintf(out, "  HTTP API:    http://%s   (try: curl http://%s/healthz)\n", l.HTTP, l.HTTP)
	fmt.Fprintf(out, "  PostgreSQL:  psql \"postgres://%s@%s/%s\"\n", user, l.PG, a.Cfg.PG.Database)
	fmt.Fprintf(out, "  Password:    the admin token in %s\n", a.Bootstrap.TokenPath)
	if a.Bootstrap.TokenCreated {
		fmt.Fprintf(out, "               (created now for %s; keep it secret, it is shown nowhere else)\n", a.Bootstrap.AdminEmail)
	}
	fmt.Fprintf(out, "  Admin CLI:   agnes login --server http://%s --token \"$(cat %s)\"\n", l.HTTP, a.Bootstrap.TokenPath)
}
