// Package config loads Warden's configuration: defaults, then a YAML file,
// then WARDEN_* environment variables, then command-line flags. Every invalid
// value stops start-up with a message that names the field.
package config

import (
	"fmt"
	"math/big"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc/tier"
	"github.com/wardenhq/warden/screening"
)

// Config is Warden's whole configuration. The yaml tags are the file's keys;
// the environment variable for a key is WARDEN_ followed by its dotted path in
// upper case with dots as underscores (tls.cert_file: WARDEN_TLS_CERT_FILE).
type Config struct {
	Listen   string `yaml:"listen"`
	DataDir  string `yaml:"data_dir"`
	Store    string `yaml:"store"`
	LogLevel string `yaml:"log_level"`
	// PprofListen serves Go's profiler (net/http/pprof) on a loopback
	// address for diagnosing performance; empty (the default) turns it off.
	PprofListen      string `yaml:"pprof_listen"`
	BusinessTimezone string `yaml:"business_timezone"`

	TLS         TLS         `yaml:"tls"`
	HTTP        HTTP        `yaml:"http"`
	Auth        Auth        `yaml:"auth"`
	RateLimits  RateLimits  `yaml:"rate_limits"`
	Idempotency Idempotency `yaml:"idempotency"`
	Audit       Audit       `yaml:"audit"`
	Screening   Screening   `yaml:"screening"`
	KYC         KYC         `yaml:"kyc"`
	Monitoring  Monitoring  `yaml:"monitoring"`
	Kafka       Kafka       `yaml:"kafka"`
	Reporting   Reporting   `yaml:"reporting"`
}

// KYC configures customer due diligence.
type KYC struct {
	// Profile names the built-in tier profile: ke-mobile-money or us-bank.
	Profile string `yaml:"profile"`
	// Risk policy. Empty lists keep the defaults in kyc.DefaultRiskPolicy
	// (FATF lists of October 2025); set them as FATF updates its lists.
	HighRiskCountries  []string `yaml:"high_risk_countries"`
	MonitoredCountries []string `yaml:"monitored_countries"`
	HighRiskBusinesses []string `yaml:"high_risk_businesses"`
	HighRiskProducts   []string `yaml:"high_risk_products"`
	HighRiskChannels   []string `yaml:"high_risk_channels"`
	ReviewHigh         Duration `yaml:"review_high"`
	ReviewMedium       Duration `yaml:"review_medium"`
	ReviewLow          Duration `yaml:"review_low"`
	// ProofOfAddressMaxAge is how old a proof of address may be.
	ProofOfAddressMaxAge Duration `yaml:"proof_of_address_max_age"`
	// Retention is how long customer records are kept after the last
	// activity or the end of the relationship before they may be erased
	// (BSA, 31 CFR 1010.430(d): five years).
	Retention Duration `yaml:"retention"`
}

// Screening configures name screening.
type Screening struct {
	// Thresholds sets a list's own reporting threshold (0.5 to 1) by list
	// source, e.g. {ofac-sdn: "0.85", own-pep: "0.9"}; others use the default.
	Thresholds map[string]string `yaml:"thresholds"`
}

// ListThresholds returns the validated per-list thresholds.
func (s Screening) ListThresholds() map[string]float64 {
	out := map[string]float64{}
	for k, v := range s.Thresholds {
		if f, ok := parseThreshold(v); ok {
			out[k] = f
		}
	}
	return out
}

// parseThreshold reads a screening threshold: a number from 0.5 to 1.
func parseThreshold(v string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	return f, err == nil && f >= 0.5 && f <= 1
}

// Audit configures the tamper-evident audit log.
type Audit struct {
	// Origin names this log in its signed checkpoints; give every deployment
	// its own, e.g. bank.example/warden-prod.
	Origin string `yaml:"origin"`
	// SigningKeyFile holds the Ed25519 checkpoint signing key (note private key
	// format). Empty means audit-signing.key in data_dir, created on first
	// start. Replicas sharing a store must share the key.
	SigningKeyFile string `yaml:"signing_key_file"`
	// TrustedKeys are the public keys of earlier signing keys, so that
	// checkpoints signed before a key rotation still verify.
	TrustedKeys        []string `yaml:"trusted_keys"`
	CheckpointEvery    int64    `yaml:"checkpoint_every"`
	CheckpointInterval Duration `yaml:"checkpoint_interval"`
	// Retention is how long entries are kept before they may be archived and
	// pruned: 7 years (2,557 days) by default.
	Retention Duration `yaml:"retention"`
}

// SigningKeyPath returns the configured key file or the default in data_dir.
func (c *Config) SigningKeyPath() string {
	if c.Audit.SigningKeyFile != "" {
		return c.Audit.SigningKeyFile
	}
	return filepath.Join(c.DataDir, "audit-signing.key")
}

// TLS enables HTTPS when both files are set.
type TLS struct {
	CertFile string `yaml:"cert_file"`
	KeyFile  string `yaml:"key_file"`
}

// HTTP tunes the server.
type HTTP struct {
	MaxBodyBytes    int64    `yaml:"max_body_bytes"`
	ReadTimeout     Duration `yaml:"read_timeout"`
	WriteTimeout    Duration `yaml:"write_timeout"`
	IdleTimeout     Duration `yaml:"idle_timeout"`
	ShutdownTimeout Duration `yaml:"shutdown_timeout"`
	// CORSAllowedOrigins lists origins allowed to call the API from a browser;
	// empty denies every cross-origin request.
	CORSAllowedOrigins []string `yaml:"cors_allowed_origins"`
	// TrustedProxies lists CIDRs of reverse proxies whose X-Forwarded-For is
	// believed when finding the client address.
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// Auth configures API keys, OIDC and admin access.
type Auth struct {
	KeyTTL          Duration `yaml:"key_ttl"`
	RotationOverlap Duration `yaml:"rotation_overlap"`
	// KeyCacheTTL keeps looked-up API keys in memory: a key revoked on
	// another replica keeps working this long there. 0s disables.
	KeyCacheTTL Duration `yaml:"key_cache_ttl"`
	// AdminAllowedCIDRs limits admin requests to these networks; empty allows any.
	AdminAllowedCIDRs []string `yaml:"admin_allowed_cidrs"`
	OIDC              OIDC     `yaml:"oidc"`
}

// OIDC enables bearer tokens from an OpenID Connect issuer such as Keycloak.
type OIDC struct {
	IssuerURL string            `yaml:"issuer_url"`
	Audience  string            `yaml:"audience"`
	RoleClaim string            `yaml:"role_claim"`
	RoleMap   map[string]string `yaml:"role_map"`
}

// RateLimits are token buckets per client, by role; Anonymous applies per IP
// to requests without valid credentials.
type RateLimits struct {
	Admin     Rate `yaml:"admin"`
	Analyst   Rate `yaml:"analyst"`
	Auditor   Rate `yaml:"auditor"`
	Service   Rate `yaml:"service"`
	Anonymous Rate `yaml:"anonymous"`
}

// For returns the limit of a role.
func (r RateLimits) For(role warden.Role) Rate {
	switch role {
	case warden.RoleAdmin:
		return r.Admin
	case warden.RoleAnalyst:
		return r.Analyst
	case warden.RoleAuditor:
		return r.Auditor
	case warden.RoleService:
		return r.Service
	}
	return r.Anonymous
}

// Idempotency configures how long Idempotency-Key records are kept.
type Idempotency struct {
	TTL Duration `yaml:"ttl"`
}

// Default returns the configuration used when nothing is set.
func Default() Config {
	return Config{
		Listen:           "127.0.0.1:8080",
		DataDir:          "./warden-data",
		LogLevel:         "info",
		BusinessTimezone: "UTC",
		HTTP: HTTP{
			MaxBodyBytes:    1 << 20,
			ReadTimeout:     Duration(15 * time.Second),
			WriteTimeout:    Duration(30 * time.Second),
			IdleTimeout:     Duration(120 * time.Second),
			ShutdownTimeout: Duration(30 * time.Second),
		},
		Auth: Auth{
			KeyTTL:          Duration(90 * 24 * time.Hour),
			RotationOverlap: Duration(7 * 24 * time.Hour),
			KeyCacheTTL:     Duration(5 * time.Second),
			OIDC:            OIDC{RoleClaim: "roles"},
		},
		RateLimits: RateLimits{
			// 100 a minute for people is the production checklist's figure;
			// the core system needs far more.
			Admin:     Rate{Count: 100, Per: time.Minute},
			Analyst:   Rate{Count: 100, Per: time.Minute},
			Auditor:   Rate{Count: 100, Per: time.Minute},
			Service:   Rate{Count: 20000, Per: time.Second},
			Anonymous: Rate{Count: 60, Per: time.Minute},
		},
		Idempotency: Idempotency{TTL: Duration(24 * time.Hour)},
		Audit: Audit{
			Origin:             "warden/audit",
			CheckpointEvery:    1000,
			CheckpointInterval: Duration(10 * time.Second),
			Retention:          Duration(2557 * 24 * time.Hour),
		},
		KYC: KYC{Profile: "ke-mobile-money", ReviewHigh: Duration(365 * 24 * time.Hour),
			ReviewMedium: Duration(2 * 365 * 24 * time.Hour), ReviewLow: Duration(3 * 365 * 24 * time.Hour),
			ProofOfAddressMaxAge: Duration(90 * 24 * time.Hour), Retention: Duration(1827 * 24 * time.Hour)},
		Monitoring: Monitoring{BuiltinRules: true, WindowKeys: 500000, History: Duration(35 * 24 * time.Hour)},
		Kafka:      Kafka{InputTopic: "warden.transactions", OutputTopic: "warden.decisions", Group: "warden"},
		Reporting: Reporting{BusinessDayCutoff: "00:00", ScheduledClose: true,
			GoAML: GoAML{LocalCurrency: "KES", CashThresholdUSD: "15000.00", Timezone: "Africa/Nairobi", PhonePrefix: "254"}},
	}
}

// FieldError is an invalid configuration value.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return fmt.Sprintf("config: %s: %s", e.Field, e.Message) }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Load builds the configuration from defaults, the YAML file at path (if not
// empty) and the environment.
func Load(path string, environ []string) (Config, error) {
	c := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return c, fmt.Errorf("config: read %s: %w", path, err)
		}
		if err := applyYAML(&c, data); err != nil {
			return c, fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := applyEnv(&c, environ); err != nil {
		return c, err
	}
	return c, nil
}

// Location returns the business-day time zone.
func (c *Config) Location() *time.Location {
	loc, err := time.LoadLocation(c.BusinessTimezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// Validate checks every field and returns the first problem.
func (c *Config) Validate() error {
	if host, port, err := net.SplitHostPort(c.Listen); err != nil || port == "" {
		return fieldErr("listen", "%q is not host:port", c.Listen)
	} else if host == "" {
		// An empty host listens on every interface; say so explicitly instead.
		return fieldErr("listen", "%q has no host: use 127.0.0.1:PORT, or 0.0.0.0:PORT to listen on every interface", c.Listen)
	}
	if strings.TrimSpace(c.DataDir) == "" {
		return fieldErr("data_dir", "must not be empty")
	}
	if c.Store != "" && !strings.HasPrefix(c.Store, "sqlite:") && !strings.HasPrefix(c.Store, "postgres://") && !strings.HasPrefix(c.Store, "postgresql://") {
		return fieldErr("store", "unsupported DSN: want empty (SQLite in data_dir), sqlite:PATH or postgres://...")
	}
	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.LogLevel) {
		return fieldErr("log_level", "%q is not one of debug, info, warn, error", c.LogLevel)
	}
	if _, err := time.LoadLocation(c.BusinessTimezone); err != nil || c.BusinessTimezone == "" {
		return fieldErr("business_timezone", "%q is not an IANA time zone such as Africa/Nairobi", c.BusinessTimezone)
	}
	if (c.TLS.CertFile == "") != (c.TLS.KeyFile == "") {
		return fieldErr("tls", "set both cert_file and key_file, or neither")
	}
	for field, f := range map[string]string{"tls.cert_file": c.TLS.CertFile, "tls.key_file": c.TLS.KeyFile} {
		if f == "" {
			continue
		}
		if _, err := os.Stat(f); err != nil {
			return fieldErr(field, "cannot read %s: %v", f, err)
		}
	}
	if err := c.HTTP.validate(); err != nil {
		return err
	}
	if err := c.Auth.validate(); err != nil {
		return err
	}
	for _, r := range []struct {
		field string
		rate  Rate
	}{{"admin", c.RateLimits.Admin}, {"analyst", c.RateLimits.Analyst}, {"auditor", c.RateLimits.Auditor},
		{"service", c.RateLimits.Service}, {"anonymous", c.RateLimits.Anonymous}} {
		if r.rate.Count <= 0 || r.rate.Per <= 0 {
			return fieldErr("rate_limits."+r.field, "must be a positive rate such as 100/m")
		}
	}
	if c.Idempotency.TTL < Duration(time.Minute) {
		return fieldErr("idempotency.ttl", "must be at least 1m")
	}
	if err := c.Audit.validate(); err != nil {
		return err
	}
	if _, err := tier.Builtin(c.KYC.Profile); err != nil {
		return fieldErr("kyc.profile", "%q is not a built-in tier profile (%s)", c.KYC.Profile, strings.Join(tier.BuiltinNames(), ", "))
	}
	for field, list := range map[string][]string{"kyc.high_risk_countries": c.KYC.HighRiskCountries, "kyc.monitored_countries": c.KYC.MonitoredCountries} {
		for i, cc := range list {
			if !screening.ValidCountryCode(cc) {
				return fieldErr(fmt.Sprintf("%s[%d]", field, i), "%q is not an ISO 3166-1 alpha-2 code", cc)
			}
		}
	}
	for field, d := range map[string]Duration{"kyc.review_high": c.KYC.ReviewHigh, "kyc.review_medium": c.KYC.ReviewMedium, "kyc.review_low": c.KYC.ReviewLow} {
		if d < Duration(24*time.Hour) || d > Duration(10*366*24*time.Hour) {
			return fieldErr(field, "must be between 1d and 10 years")
		}
	}
	if d := c.KYC.ProofOfAddressMaxAge; d < Duration(24*time.Hour) || d > Duration(366*24*time.Hour) {
		return fieldErr("kyc.proof_of_address_max_age", "must be between 1d and 366d")
	}
	if d := c.KYC.Retention; d < Duration(365*24*time.Hour) || d > Duration(30*366*24*time.Hour) {
		return fieldErr("kyc.retention", "must be between 365d and 30 years")
	}
	if c.PprofListen != "" {
		host, _, err := net.SplitHostPort(c.PprofListen)
		if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
			return fieldErr("pprof_listen", "must be a loopback address such as 127.0.0.1:6060: the profiler is unauthenticated")
		}
	}
	if _, err := time.Parse("15:04", c.Reporting.BusinessDayCutoff); err != nil {
		return fieldErr("reporting.business_day_cutoff", "must be a time of day HH:MM such as 17:00")
	}
	for i, h := range c.Reporting.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			return fieldErr(fmt.Sprintf("reporting.holidays[%d]", i), "%q is not a date YYYY-MM-DD", h)
		}
	}
	for cur, rate := range c.Reporting.USDRates {
		r, ok := new(big.Rat).SetString(rate)
		if len(cur) != 3 || strings.ToUpper(cur) != cur || !ok || r.Sign() <= 0 {
			return fieldErr("reporting.usd_rates."+cur, "must map an ISO 4217 code to a positive decimal such as \"0.0077\"")
		}
	}
	if c.Monitoring.WindowKeys < 1000 || c.Monitoring.WindowKeys > 100_000_000 {
		return fieldErr("monitoring.window_keys", "must be between 1000 and 100000000")
	}
	if d := c.Monitoring.History; d < Duration(24*time.Hour) || d > Duration(400*24*time.Hour) {
		return fieldErr("monitoring.history", "must be between 1d and 400d")
	}
	if len(c.Kafka.Brokers) > 0 {
		for i, b := range c.Kafka.Brokers {
			if _, _, err := net.SplitHostPort(b); err != nil {
				return fieldErr(fmt.Sprintf("kafka.brokers[%d]", i), "%q is not host:port", b)
			}
		}
		for field, v := range map[string]string{"kafka.input_topic": c.Kafka.InputTopic, "kafka.output_topic": c.Kafka.OutputTopic, "kafka.group": c.Kafka.Group} {
			if v == "" || len(v) > 249 {
				return fieldErr(field, "is required when kafka.brokers is set (1 to 249 characters)")
			}
		}
		if c.Kafka.InputTopic == c.Kafka.OutputTopic {
			return fieldErr("kafka.output_topic", "must differ from kafka.input_topic")
		}
		switch c.Kafka.SASLMechanism {
		case "":
		case "PLAIN":
			if !c.Kafka.TLS {
				return fieldErr("kafka.sasl_mechanism", "PLAIN sends the password in clear: set kafka.tls")
			}
			fallthrough
		case "SCRAM-SHA-256", "SCRAM-SHA-512":
			if c.Kafka.Username == "" || c.Kafka.PasswordFile == "" {
				return fieldErr("kafka.username", "SASL needs kafka.username and kafka.password_file")
			}
		default:
			return fieldErr("kafka.sasl_mechanism", "must be SCRAM-SHA-256, SCRAM-SHA-512 or PLAIN")
		}
	}
	for k, v := range c.Screening.Thresholds {
		if _, ok := parseThreshold(v); !ok {
			return fieldErr("screening.thresholds."+k, "%q is not a threshold between 0.5 and 1", v)
		}
	}
	return nil
}

func (a *Audit) validate() error {
	if a.Origin == "" || strings.ContainsAny(a.Origin, "\n\r") || len(a.Origin) > 200 {
		return fieldErr("audit.origin", "must be one line of at most 200 characters")
	}
	for i, k := range a.TrustedKeys {
		if _, err := note.NewVerifier(k); err != nil {
			return fieldErr(fmt.Sprintf("audit.trusted_keys[%d]", i), "not a public key in note format (name+hash+key): %v", err)
		}
	}
	if a.CheckpointEvery < 1 || a.CheckpointEvery > 1_000_000 {
		return fieldErr("audit.checkpoint_every", "must be between 1 and 1000000")
	}
	if a.CheckpointInterval < Duration(time.Second) || a.CheckpointInterval > Duration(24*time.Hour) {
		return fieldErr("audit.checkpoint_interval", "must be between 1s and 24h")
	}
	// Any positive retention is accepted: shortening it is an explicit,
	// visible operator decision (config check prints it, and the readiness
	// scanner flags anything under seven years).
	if a.Retention < Duration(time.Second) {
		return fieldErr("audit.retention", "must be a positive duration (the default is 2557d, seven years)")
	}
	return nil
}

func (h *HTTP) validate() error {
	if h.MaxBodyBytes < 1024 || h.MaxBodyBytes > 64<<20 {
		return fieldErr("http.max_body_bytes", "must be between 1024 and 67108864, got %d", h.MaxBodyBytes)
	}
	for field, d := range map[string]Duration{"http.read_timeout": h.ReadTimeout, "http.write_timeout": h.WriteTimeout,
		"http.idle_timeout": h.IdleTimeout, "http.shutdown_timeout": h.ShutdownTimeout} {
		if d <= 0 {
			return fieldErr(field, "must be a positive duration")
		}
	}
	for i, o := range h.CORSAllowedOrigins {
		u, err := url.Parse(o)
		if o == "*" {
			return fieldErr(fmt.Sprintf("http.cors_allowed_origins[%d]", i), "wildcard origins are not allowed: list each origin")
		}
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			return fieldErr(fmt.Sprintf("http.cors_allowed_origins[%d]", i), "%q is not an origin such as https://dashboard.example.com", o)
		}
	}
	return validCIDRs("http.trusted_proxies", h.TrustedProxies)
}

func (a *Auth) validate() error {
	if a.KeyTTL < Duration(time.Hour) || a.KeyTTL > Duration(366*24*time.Hour) {
		return fieldErr("auth.key_ttl", "must be between 1h and 366d")
	}
	if a.RotationOverlap < 0 || a.RotationOverlap > Duration(90*24*time.Hour) {
		return fieldErr("auth.rotation_overlap", "must be between 0 and 90d")
	}
	if err := validCIDRs("auth.admin_allowed_cidrs", a.AdminAllowedCIDRs); err != nil {
		return err
	}
	o := a.OIDC
	if o.IssuerURL == "" {
		return nil
	}
	if u, err := url.Parse(o.IssuerURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fieldErr("auth.oidc.issuer_url", "%q is not an https URL", o.IssuerURL)
	}
	if o.Audience == "" {
		return fieldErr("auth.oidc.audience", "required when issuer_url is set (the client id tokens are issued for)")
	}
	if o.RoleClaim == "" {
		return fieldErr("auth.oidc.role_claim", "required when issuer_url is set")
	}
	for k, v := range o.RoleMap {
		if _, err := warden.ParseRole(v); err != nil {
			return fieldErr("auth.oidc.role_map."+k, "%q is not a role (admin, analyst, auditor, service)", v)
		}
	}
	return nil
}

func validCIDRs(field string, cidrs []string) error {
	for i, s := range cidrs {
		if _, err := netip.ParsePrefix(s); err != nil {
			if _, err2 := netip.ParseAddr(s); err2 != nil {
				return fieldErr(fmt.Sprintf("%s[%d]", field, i), "%q is not a CIDR such as 10.0.0.0/8", s)
			}
		}
	}
	return nil
}
