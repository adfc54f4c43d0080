// Package httpapi is Warden's HTTP transport: routing, authentication and
// authorisation by role, rate limits, idempotency, security headers, metrics
// and the JSON error format. Handlers translate HTTP to domain calls and back;
// they hold no business logic.
package httpapi

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/screening"
)

// Store is what the HTTP layer needs from storage directly.
type Store interface {
	warden.IdempotencyStore
	Ping(ctx context.Context) error
	MigrationStatus(ctx context.Context) (applied, latest int, err error)
	Dialect() string
	// AuditOutboxStatus is how many audit records wait to be relayed into
	// the log, and since when (metrics).
	AuditOutboxStatus(ctx context.Context) (n int64, oldest time.Time, err error)
}

// Deps are the pieces a Server is built from.
type Deps struct {
	Config  config.Config
	Logger  *slog.Logger
	Keys    *auth.Service
	Store   Store
	Metrics *Metrics
	// Audit is the audit log and AuditKey its current public key.
	Audit    *audit.Log
	AuditKey string
	// Screening screens names against the lists in service.
	Screening *screening.Service
	// Customers keeps customers.
	Customers *kyc.Service
	// Alerts raises and reads alerts.
	Alerts *cases.Alerts
	// Cases runs the case and SAR workflow; CTRs closes business days.
	Cases *cases.Cases
	CTRs  *ctr.Service
	// Monitoring decides on transactions; Rules keeps its rules.
	Monitoring *monitoring.Service
	Rules      *monitoring.RuleBook
	Version    string
	// Now defaults to time.Now; tests move it.
	Now func() time.Time
}

// Server serves the API.
type Server struct {
	cfg        config.Config
	log        *slog.Logger
	keys       *auth.Service
	store      Store
	metrics    *Metrics
	audit      *audit.Log
	auditKey   string
	screening  *screening.Service
	customers  *kyc.Service
	alerts     *cases.Alerts
	monitoring *monitoring.Service
	cases      *cases.Cases
	ctrs       *ctr.Service
	rules      *monitoring.RuleBook
	version    string
	now        func() time.Time
	mux        *http.ServeMux
	routes     []Route
	limiter    *rateLimiter
	proxies    []netip.Prefix
	adminNet   []netip.Prefix
	origins    map[string]bool
	handler    http.Handler
}

// New builds a server and registers every route.
func New(d Deps) (*Server, error) {
	if d.Logger == nil || d.Keys == nil || d.Store == nil || d.Metrics == nil || d.Audit == nil || d.Screening == nil || d.Customers == nil || d.Alerts == nil || d.Monitoring == nil || d.Rules == nil || d.Cases == nil || d.CTRs == nil {
		return nil, errors.New("httpapi: Logger, Keys, Store, Metrics, Audit, Screening, Customers, Alerts, Monitoring, Rules, Cases and CTRs are required")
	}
	s := &Server{
		cfg: d.Config, log: d.Logger, keys: d.Keys, store: d.Store, metrics: d.Metrics, audit: d.Audit, auditKey: d.AuditKey, screening: d.Screening, customers: d.Customers, alerts: d.Alerts, monitoring: d.Monitoring, rules: d.Rules, cases: d.Cases, ctrs: d.CTRs,
		version: d.Version, now: d.Now, mux: http.NewServeMux(), origins: map[string]bool{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if s.proxies, err = parsePrefixes(d.Config.HTTP.TrustedProxies); err != nil {
		return nil, fmt.Errorf("http.trusted_proxies: %w", err)
	}
	if s.adminNet, err = parsePrefixes(d.Config.Auth.AdminAllowedCIDRs); err != nil {
		return nil, fmt.Errorf("auth.admin_allowed_cidrs: %w", err)
	}
	for _, o := range d.Config.HTTP.CORSAllowedOrigins {
		s.origins[normalizeOrigin(o)] = true
	}
	if err := d.Metrics.registerOnce(newAlertCollector(d.Alerts.Store)); err != nil {
		return nil, fmt.Errorf("register alert metrics: %w", err)
	}
	if err := d.Metrics.registerOnce(newDeadlineCollector(d.Cases)); err != nil {
		return nil, fmt.Errorf("register deadline metrics: %w", err)
	}
	if err := d.Metrics.registerOnce(decisionCollector(d.Monitoring)); err != nil {
		return nil, fmt.Errorf("register decision metrics: %w", err)
	}
	if err := d.Metrics.registerOnce(newOutboxCollector(d.Store, s.now)); err != nil {
		return nil, fmt.Errorf("register audit outbox metrics: %w", err)
	}
	s.limiter = newRateLimiter(s.now)
	s.registerRoutes()
	s.handler = s.recoverPanics(s.withRequestID(s.securityHeaders(s.accessLog(s.cors(s.limitBody(s.mux))))))
	return s, nil
}

// Handler returns the whole middleware chain and router.
func (s *Server) Handler() http.Handler { return s.handler }

// Routes lists the registered routes.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

// TLSConfig is the only TLS configuration Warden serves with: TLS 1.2 or
// newer, forward-secret AEAD suites only.
func TLSConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		CipherSuites: []uint16{ // TLS 1.2; TLS 1.3 suites are all strong and not configurable
			tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
			tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
			tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
			tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
		},
		CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384},
	}
}

// Serve answers on ln until ctx is cancelled, then stops accepting and lets
// in-flight requests finish within the shutdown timeout. With TLS configured
// it serves HTTPS only.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: min(s.cfg.HTTP.ReadTimeout.D(), 10*time.Second),
		ReadTimeout:       s.cfg.HTTP.ReadTimeout.D(),
		WriteTimeout:      s.cfg.HTTP.WriteTimeout.D(),
		IdleTimeout:       s.cfg.HTTP.IdleTimeout.D(),
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	if s.cfg.TLS.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(s.cfg.TLS.CertFile, s.cfg.TLS.KeyFile)
		if err != nil {
			return fmt.Errorf("load TLS certificate: %w", err)
		}
		srv.TLSConfig = TLSConfig()
		srv.TLSConfig.Certificates = []tls.Certificate{cert}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing in-flight requests", "timeout", s.cfg.HTTP.ShutdownTimeout.D().String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.HTTP.ShutdownTimeout.D())
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("graceful shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

func parsePrefixes(ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range ss {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			a, err2 := netip.ParseAddr(s)
			if err2 != nil {
				return nil, fmt.Errorf("%q is not a CIDR", s)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

func containsAddr(ps []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
