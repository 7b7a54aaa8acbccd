package main

import (
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/keboola/agnes/config"
	"github.com/keboola/agnes/server"
)

// newServeCmd returns `agnes serve`.
func newServeCmd() *cobra.Command {
	var (
		configPath, dataDir, httpListen, pgListen string
		noDemo, selfSigned                        bool
		logLevel                                  string
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Agnes server (HTTP API and PostgreSQL wire)",
		Long: `Run the Agnes server. With no configuration it uses the embedded defaults:
data in ./agnes-data (created with demo data on first start), HTTP on
127.0.0.1:8000 and PostgreSQL wire on 127.0.0.1:5433.

Configuration comes from --config (instance.yaml), then AGNES_<SECTION>_<KEY>
environment variables, then these flags.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if v := buildVersion(); v != "dev" {
				server.Version = v
			}
			cfg, err := config.Load(configPath, os.Environ())
			if err != nil {
				return err
			}
			for key, val := range map[string]string{"data_dir": dataDir, "http.listen": httpListen, "pg.listen": pgListen} {
				if val == "" {
					continue
				}
				if err := config.Set(&cfg, key, val); err != nil {
					return err
				}
			}
			if err := cfg.Validate(); err != nil {
				return err
			}
			var level slog.Level
			if err := level.UnmarshalText([]byte(logLevel)); err != nil {
				return fmt.Errorf("--log-level %q: use debug, info, warn or error", logLevel)
			}
			logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			app, err := server.Open(ctx, cfg, server.Options{NoDemo: noDemo, Logger: logger})
			if err != nil {
				return err
			}
			defer app.Close()
			app.GatewayOptions.SelfSignedTLS = selfSigned
			return app.Run(ctx, cmd.OutOrStdout(), nil)
		},
	}
	f := cmd.Flags()
	f.StringVar(&configPath, "config", "", "path to instance.yaml (optional)")
	f.StringVar(&dataDir, "data-dir", "", "data directory (default ./agnes-data)")
	f.StringVar(&httpListen, "http-listen", "", "HTTP listen address (default 127.0.0.1:8000)")
	f.StringVar(&pgListen, "pg-listen", "", "PostgreSQL wire listen address (default 127.0.0.1:5433)")
	f.BoolVar(&noDemo, "no-demo", false, "do not generate demo data on first start")
	f.BoolVar(&selfSigned, "pg-tls-self-signed", false, "generate a self-signed CA and certificate into <data_dir>/state/tls and offer TLS")
	f.StringVar(&logLevel, "log-level", "info", "log level: debug, info, warn, error")
	return cmd
}
