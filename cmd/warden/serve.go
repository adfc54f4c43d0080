package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/httpapi"
	"github.com/wardenhq/warden/oidc"
	"github.com/wardenhq/warden/store"
)

func (a *app) serveCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the Warden server",
		Long: `Run the Warden server. With no configuration it uses SQLite under ./warden-data
and listens on 127.0.0.1:8080. Migrations are applied on start. On the first
start with an empty store it creates an admin API key and prints it once.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.loadConfig(cmd)
			if err != nil {
				return err
			}
			return a.serve(cmd.Context(), c)
		},
	}
	cmd.Flags().String("listen", "", "address to listen on (env WARDEN_LISTEN, default 127.0.0.1:8080)")
	return cmd
}

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level)) // validated with the configuration
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

func (a *app) serve(ctx context.Context, c config.Config) error {
	log := newLogger(a.stderr, c.LogLevel)
	metrics := httpapi.NewMetrics(version)

	db, err := a.openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetObserver(metrics.ObserveStore)

	auditLog, auditKey, err := openAudit(ctx, c, db)
	if err != nil {
		return err
	}
	keys := keyService(c, db, auditLog)
	if c.Auth.OIDC.IssuerURL != "" {
		v, err := oidc.New(ctx, oidc.Config{IssuerURL: c.Auth.OIDC.IssuerURL, Audience: c.Auth.OIDC.Audience,
			RoleClaim: c.Auth.OIDC.RoleClaim, RoleMap: c.Auth.OIDC.RoleMap})
		if err != nil {
			return fmt.Errorf("auth.oidc: %w", err)
		}
		keys.Tokens = v
	}
	srv, err := httpapi.New(httpapi.Deps{Config: c, Logger: log, Keys: keys, Store: db, Metrics: metrics,
		Audit: auditLog, AuditKey: auditKey, Version: version})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", c.Listen, err)
	}
	scheme := "http"
	if c.TLS.CertFile != "" {
		scheme = "https"
	}
	k, secret, created, err := keys.Bootstrap(ctx)
	if err != nil {
		ln.Close()
		return fmt.Errorf("bootstrap admin key: %w", err)
	}
	if created {
		// Printed to standard output once, never to the log.
		fmt.Fprintf(a.stdout, `
Warden created the first admin API key (id %s, expires %s).
It is shown only this once; store it in your secret manager now:

    %s

Try: export WARDEN_KEY=<the key above>
     curl -H "Authorization: Bearer $WARDEN_KEY" %s://%s/v1/whoami

`, k.ID, k.ExpiresAt.Format(time.DateOnly), secret, scheme, ln.Addr())
	}

	log.Info("warden listening", "addr", ln.Addr().String(), "url", scheme+"://"+ln.Addr().String(),
		"store", store.Describe(c.Store, c.DataDir), "version", version)

	cpCtx, stopCheckpoints := context.WithCancel(ctx)
	go pruneIdempotency(cpCtx, log, db, c.Idempotency.TTL.D())
	checkpoints := make(chan struct{})
	go func() { auditLog.RunCheckpoints(cpCtx); close(checkpoints) }()
	err = srv.Serve(ctx, ln)
	stopCheckpoints()
	<-checkpoints // a last checkpoint covers everything served
	log.Info("warden stopped")
	return err
}

type idempotencyPruner interface {
	PruneIdempotencyKeys(ctx context.Context, before time.Time) (int64, error)
}

// pruneIdempotency deletes idempotency records older than ttl, hourly. Every
// replica may run it: the delete is idempotent.
func pruneIdempotency(ctx context.Context, log *slog.Logger, db idempotencyPruner, ttl time.Duration) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := db.PruneIdempotencyKeys(ctx, time.Now().Add(-ttl))
			if err != nil {
				log.Warn("prune idempotency keys", "err", err.Error())
			} else if n > 0 {
				log.Info("pruned idempotency keys", "count", n)
			}
		}
	}
}
