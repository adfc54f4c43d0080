package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"time"

	"github.com/spf13/cobra"

	"gopkg.in/yaml.v3"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/httpapi"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/kyc/tier"
	"github.com/wardenhq/warden/oidc"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
	"github.com/wardenhq/warden/store"
	"github.com/wardenhq/warden/stream"
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

	auditLog, auditKey, err := openAudit(ctx, c, db, log)
	if err != nil {
		return err
	}
	// Records a process staged with changes it committed but did not live
	// to relay are appended first, before this start. A failure is logged,
	// not fatal: the rows stay in the outbox and the checkpoint loop retries.
	if n, err := auditLog.Relay(ctx); err != nil {
		log.Error("audit outbox relay at start failed; retrying with every checkpoint", "err", err)
	} else if n > 0 {
		// Usually a process that stopped between a change and its relay;
		// with replicas, possibly another one's change in flight.
		log.Info("audit outbox: relayed entries waiting at start", "entries", n)
	}
	if err := recordStart(ctx, auditLog, c); err != nil {
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
	profile, err := tier.Builtin(c.KYC.Profile)
	if err != nil {
		return err
	}
	lists := &screening.Service{Screener: screening.NewScreener(), Lists: db, Clearances: db, Audit: auditLog}
	lists.Screener.ListThresholds = c.Screening.ListThresholds()
	if err := lists.Restore(ctx, bundled.Load); err != nil {
		return fmt.Errorf("load lists: %w", err)
	}
	for _, l := range lists.Screener.Lists() {
		log.Info("list in service", "source", l.Source, "version", l.Version, "entities", l.Entities, "sha256", l.ContentSHA256)
	}
	alerts := &cases.Alerts{Store: db, Audit: auditLog, OnRaise: metrics.ObserveAlert}
	customers := &kyc.Service{Store: db, Audit: auditLog, Screening: lists, Documents: db, Owners: db, Alerts: alerts, Profile: profile, RiskPolicy: riskPolicy(c),
		Retention: c.KYC.Retention.D(), ProofOfAddressMaxAge: c.KYC.ProofOfAddressMaxAge.D()}
	book, err := ruleBook(ctx, c, db, auditLog)
	if err != nil {
		return err
	}
	monitor, err := monitoringService(c, db, book, customers, lists, alerts, log)
	if err != nil {
		return err
	}
	defer monitor.Close()
	ctrs, err := ctrService(c, db, auditLog)
	if err != nil {
		return err
	}
	srv, err := httpapi.New(httpapi.Deps{Config: c, Logger: log, Keys: keys, Store: db, Metrics: metrics,
		Audit: auditLog, AuditKey: auditKey, Screening: lists, Alerts: alerts, Customers: customers,
		Monitoring: monitor, Rules: book, Cases: &cases.Cases{Store: db, Alerts: db, Audit: auditLog}, CTRs: ctrs, Version: version})
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

	if c.PprofListen != "" {
		go servePprof(ctx, log, c.PprofListen)
	}
	cpCtx, stopCheckpoints := context.WithCancel(ctx)
	go pruneIdempotency(cpCtx, log, db, c.Idempotency.TTL.D())
	go refreshLists(cpCtx, log, lists, 30*time.Second)
	go runMonitoringJobs(cpCtx, log, book, monitor)
	if c.Reporting.ScheduledClose {
		go runScheduledClose(cpCtx, log, ctrs)
	}
	checkpoints := make(chan struct{})
	go func() { auditLog.RunCheckpoints(cpCtx); close(checkpoints) }()
	// Kafka intake, when configured, decides through the same service.
	var intake *stream.Intake
	intakeDone := make(chan error, 1)
	intakeCtx, stopIntake := context.WithCancel(ctx)
	defer stopIntake()
	if len(c.Kafka.Brokers) > 0 {
		if intake, err = stream.New(c.Kafka, monitor, log, stream.WithMetrics(stream.MetricsFunc(metrics.ObserveKafka))); err != nil {
			ln.Close()
			stopCheckpoints()
			return fmt.Errorf("kafka: %w", err)
		}
		go func() { intakeDone <- intake.Run(intakeCtx) }()
		log.Info("kafka intake running", "brokers", c.Kafka.Brokers, "input_topic", c.Kafka.InputTopic, "output_topic", c.Kafka.OutputTopic)
	}
	err = srv.Serve(ctx, ln)
	if intake != nil {
		// Finish and commit in-flight records before the service closes.
		stopIntake()
		if ierr := <-intakeDone; ierr != nil {
			log.Error("kafka intake stopped with an error", "err", ierr)
		}
		intake.Close()
	}
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

// recordStart appends the start of this process to the audit log with the
// version and a hash of the effective configuration, so that an examiner can
// tell which configuration was in force when.
func recordStart(ctx context.Context, log *audit.Log, c config.Config) error {
	c.Store = store.Describe(c.Store, c.DataDir) // no password in the hash input either
	y, err := yaml.Marshal(c)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(y)
	host, _ := os.Hostname()
	ctx = warden.NewContextWithActor(ctx, warden.Actor{Kind: warden.ActorSystem, ID: "serve@" + host})
	_, err = log.Append(ctx, audit.Record{Action: "system.start", Subject: audit.Subject{Type: "warden", ID: host},
		Change: map[string]string{"version": version, "config_sha256": hex.EncodeToString(sum[:]), "store": c.Store, "listen": c.Listen}})
	if err != nil {
		return fmt.Errorf("audit start: %w", err)
	}
	return nil
}

// refreshLists picks up lists loaded by another process (warden lists load,
// another replica) by polling the store's active versions.
func refreshLists(ctx context.Context, log *slog.Logger, svc *screening.Service, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			changed, err := svc.Refresh(ctx)
			if err != nil {
				log.Warn("refresh lists", "err", err.Error())
			} else if changed {
				for _, l := range svc.Screener.Lists() {
					log.Info("list in service", "source", l.Source, "version", l.Version, "entities", l.Entities)
				}
			}
		}
	}
}

// riskPolicy turns configuration into the KYC risk policy; empty lists keep
// the built-in defaults.
func riskPolicy(c config.Config) kyc.RiskPolicy {
	p := kyc.DefaultRiskPolicy()
	if len(c.KYC.HighRiskCountries) > 0 {
		p.HighRiskCountries = c.KYC.HighRiskCountries
	}
	if len(c.KYC.MonitoredCountries) > 0 {
		p.MonitoredCountries = c.KYC.MonitoredCountries
	}
	if len(c.KYC.HighRiskBusinesses) > 0 {
		p.HighRiskBusinesses = c.KYC.HighRiskBusinesses
	}
	if len(c.KYC.HighRiskProducts) > 0 {
		p.HighRiskProducts = c.KYC.HighRiskProducts
	}
	if len(c.KYC.HighRiskChannels) > 0 {
		p.HighRiskChannels = c.KYC.HighRiskChannels
	}
	p.ReviewEvery = map[string]time.Duration{kyc.RiskHigh: c.KYC.ReviewHigh.D(), kyc.RiskMedium: c.KYC.ReviewMedium.D(), kyc.RiskLow: c.KYC.ReviewLow.D()}
	return p
}

// servePprof serves net/http/pprof on a loopback address (validated with
// the configuration) until ctx ends.
func servePprof(ctx context.Context, log *slog.Logger, addr string) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	log.Warn("profiler listening (unauthenticated, loopback only)", "addr", addr)
	if err := srv.ListenAndServe(); err != nil && ctx.Err() == nil {
		log.Error("profiler stopped", "err", err)
	}
}
