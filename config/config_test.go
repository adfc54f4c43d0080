package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "warden.yaml")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	if c.Listen != "127.0.0.1:8080" || c.RateLimits.Admin != (Rate{100, time.Minute}) || c.RateLimits.Service != (Rate{20000, time.Second}) {
		t.Fatalf("defaults changed: %+v", c)
	}
}

func TestLoadFileThenEnv(t *testing.T) {
	path := writeFile(t, `
listen: 0.0.0.0:9000
store: postgres://warden@db/warden
business_timezone: Africa/Nairobi
http:
  max_body_bytes: 2048
  cors_allowed_origins: [https://dash.example.com]
auth:
  key_ttl: 30d
  admin_allowed_cidrs:
    - 10.0.0.0/8
  oidc:
    issuer_url: https://id.example.com/realms/bank
    audience: warden
    role_map:
      compliance-officer: analyst
rate_limits:
  admin: 10/s
`)
	c, err := Load(path, []string{"WARDEN_LISTEN=127.0.0.1:7000", "WARDEN_RATE_LIMITS_SERVICE=5/m", "WARDEN_AUTH_ADMIN_ALLOWED_CIDRS=192.168.0.0/16, 10.1.0.0/16", "OTHER=1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Listen != "127.0.0.1:7000" {
		t.Errorf("env did not override the file: listen %s", c.Listen)
	}
	if c.Store != "postgres://warden@db/warden" || c.HTTP.MaxBodyBytes != 2048 || c.Auth.KeyTTL != Duration(30*24*time.Hour) {
		t.Errorf("file values not applied: %+v", c)
	}
	if c.RateLimits.Admin != (Rate{10, time.Second}) || c.RateLimits.Service != (Rate{5, time.Minute}) || c.RateLimits.Analyst != (Rate{100, time.Minute}) {
		t.Errorf("rates: %+v", c.RateLimits)
	}
	if len(c.Auth.AdminAllowedCIDRs) != 2 || c.Auth.AdminAllowedCIDRs[1] != "10.1.0.0/16" {
		t.Errorf("env list: %v", c.Auth.AdminAllowedCIDRs)
	}
	if c.Auth.OIDC.RoleMap["compliance-officer"] != "analyst" || c.Auth.OIDC.RoleClaim != "roles" {
		t.Errorf("oidc: %+v", c.Auth.OIDC)
	}
	if c.Location().String() != "Africa/Nairobi" {
		t.Errorf("location %v", c.Location())
	}
}

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) does not name a field", err, err)
	}
	return fe.Field
}

func TestFileErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		"rate_limits:\n  admin: lots\n":           "rate_limits.admin",
		"rate_limits:\n  admin: 5/week\n":         "rate_limits.admin",
		"http:\n  read_timeout: soon\n":           "http.read_timeout",
		"http:\n  max_body_bytes: big\n":          "http.max_body_bytes",
		"htpp:\n  read_timeout: 1s\n":             "htpp",
		"auth:\n  oidc:\n    issuer: x\n":         "auth.oidc.issuer",
		"http:\n  cors_allowed_origins: {a: b}\n": "http.cors_allowed_origins",
		"auth:\n  key_ttl: [1, 2]\n":              "auth.key_ttl",
		"- just\n- a list\n":                      "(top level)",
	}
	for body, field := range cases {
		_, err := Load(writeFile(t, body), nil)
		if err == nil {
			t.Errorf("%q: accepted", body)
			continue
		}
		if got := fieldOf(t, err); got != field {
			t.Errorf("%q: field %q, want %q (%v)", body, got, field, err)
		}
	}
	if _, err := Load(writeFile(t, "listen: [unclosed\n"), nil); err == nil || !strings.Contains(err.Error(), "yaml") {
		t.Errorf("syntax error: %v", err)
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml"), nil); err == nil {
		t.Error("missing file accepted")
	}
	if c, err := Load(writeFile(t, ""), nil); err != nil || c.Listen != Default().Listen {
		t.Errorf("empty file: %v", err)
	}
}

func TestEnvErrorsNameTheVariable(t *testing.T) {
	for env, name := range map[string]string{
		"WARDEN_HTTP_MAX_BODY_BYTES=abc":    "WARDEN_HTTP_MAX_BODY_BYTES",
		"WARDEN_AUTH_KEY_TTL=forever":       "WARDEN_AUTH_KEY_TTL",
		"WARDEN_AUTH_OIDC_ROLE_MAP=novalue": "WARDEN_AUTH_OIDC_ROLE_MAP",
		"WARDEN_RATE_LIMITS_ANONYMOUS=0/s":  "WARDEN_RATE_LIMITS_ANONYMOUS",
	} {
		_, err := Load("", []string{env})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, want an error naming %s", env, err, name)
		}
	}
	if EnvName("tls.cert_file") != "WARDEN_TLS_CERT_FILE" {
		t.Error(EnvName("tls.cert_file"))
	}
}

func TestValidateNamesTheField(t *testing.T) {
	cert := writeFile(t, "not really a cert")
	cases := []struct {
		mutate func(*Config)
		field  string
	}{
		{func(c *Config) { c.Listen = "8080" }, "listen"},
		{func(c *Config) { c.Listen = ":8080" }, "listen"},
		{func(c *Config) { c.DataDir = " " }, "data_dir"},
		{func(c *Config) { c.Store = "mysql://x" }, "store"},
		{func(c *Config) { c.LogLevel = "loud" }, "log_level"},
		{func(c *Config) { c.BusinessTimezone = "Mars/Olympus" }, "business_timezone"},
		{func(c *Config) { c.TLS.CertFile = cert }, "tls"},
		{func(c *Config) { c.TLS.CertFile, c.TLS.KeyFile = cert, "/nonexistent/key.pem" }, "tls.key_file"},
		{func(c *Config) { c.HTTP.MaxBodyBytes = 10 }, "http.max_body_bytes"},
		{func(c *Config) { c.HTTP.ReadTimeout = 0 }, "http.read_timeout"},
		{func(c *Config) { c.HTTP.CORSAllowedOrigins = []string{"*"} }, "http.cors_allowed_origins[0]"},
		{func(c *Config) { c.HTTP.CORSAllowedOrigins = []string{"https://ok.example", "ftp://x"} }, "http.cors_allowed_origins[1]"},
		{func(c *Config) { c.HTTP.TrustedProxies = []string{"10.0.0.0/33"} }, "http.trusted_proxies[0]"},
		{func(c *Config) { c.Auth.KeyTTL = Duration(time.Minute) }, "auth.key_ttl"},
		{func(c *Config) { c.Auth.RotationOverlap = Duration(100 * 24 * time.Hour) }, "auth.rotation_overlap"},
		{func(c *Config) { c.Auth.AdminAllowedCIDRs = []string{"nope"} }, "auth.admin_allowed_cidrs[0]"},
		{func(c *Config) { c.Auth.OIDC.IssuerURL = "not a url" }, "auth.oidc.issuer_url"},
		{func(c *Config) { c.Auth.OIDC.IssuerURL = "https://id.example" }, "auth.oidc.audience"},
		{func(c *Config) {
			c.Auth.OIDC = OIDC{IssuerURL: "https://id.example", Audience: "w", RoleClaim: "roles", RoleMap: map[string]string{"x": "root"}}
		}, "auth.oidc.role_map.x"},
		{func(c *Config) { c.RateLimits.Service = Rate{} }, "rate_limits.service"},
		{func(c *Config) { c.Idempotency.TTL = Duration(time.Second) }, "idempotency.ttl"},
		{func(c *Config) { c.Audit.Origin = "two\nlines" }, "audit.origin"},
		{func(c *Config) { c.Audit.TrustedKeys = []string{"not-a-key"} }, "audit.trusted_keys[0]"},
		{func(c *Config) { c.Audit.CheckpointEvery = 0 }, "audit.checkpoint_every"},
		{func(c *Config) { c.Audit.CheckpointInterval = Duration(time.Millisecond) }, "audit.checkpoint_interval"},
		{func(c *Config) { c.Audit.Retention = 0 }, "audit.retention"},
		{func(c *Config) { c.Screening.Thresholds = map[string]string{"ofac-sdn": "high"} }, "screening.thresholds.ofac-sdn"},
		{func(c *Config) { c.Screening.Thresholds = map[string]string{"un": "0.2"} }, "screening.thresholds.un"},
		{func(c *Config) { c.KYC.Profile = "eu-bank" }, "kyc.profile"},
		{func(c *Config) { c.KYC.HighRiskCountries = []string{"KP", "Iran"} }, "kyc.high_risk_countries[1]"},
		{func(c *Config) { c.KYC.ReviewLow = Duration(time.Hour) }, "kyc.review_low"},
	}
	for i, tc := range cases {
		c := Default()
		tc.mutate(&c)
		err := c.Validate()
		if err == nil {
			t.Errorf("case %d (%s): accepted", i, tc.field)
			continue
		}
		if got := fieldOf(t, err); got != tc.field {
			t.Errorf("case %d: field %q, want %q (%v)", i, got, tc.field, err)
		}
	}
}

func TestRateAndDurationText(t *testing.T) {
	var r Rate
	if err := r.UnmarshalText([]byte("100/m")); err != nil || r.PerSecond() != 100.0/60 {
		t.Fatalf("%v %v", r, err)
	}
	if b, _ := r.MarshalText(); string(b) != "100/m" {
		t.Fatalf("marshal %s", b)
	}
	for _, bad := range []string{"", "100", "-1/s", "x/s", "5/d"} {
		if err := new(Rate).UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("rate %q accepted", bad)
		}
	}
	var d Duration
	if err := d.UnmarshalText([]byte("90d")); err != nil || d.D() != 90*24*time.Hour {
		t.Fatalf("%v %v", d, err)
	}
	if b, _ := d.MarshalText(); string(b) != "90d" {
		t.Fatalf("marshal %s", b)
	}
	for _, bad := range []string{"", "d", "-5d", "1.5d", "-1s", "soon"} {
		if err := new(Duration).UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("duration %q accepted", bad)
		}
	}
}

func TestExampleConfigIsValidAndMatchesDefaults(t *testing.T) {
	c, err := Load("../docs/warden.example.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	d := Default()
	if c.Listen != d.Listen || c.RateLimits != d.RateLimits || c.Auth.KeyTTL != d.Auth.KeyTTL ||
		c.HTTP.ReadTimeout != d.HTTP.ReadTimeout || c.HTTP.MaxBodyBytes != d.HTTP.MaxBodyBytes || c.Idempotency != d.Idempotency ||
		c.Audit.Retention != d.Audit.Retention || c.Audit.CheckpointEvery != d.Audit.CheckpointEvery || c.Audit.Origin != d.Audit.Origin {
		t.Fatalf("docs/warden.example.yaml drifted from the defaults:\n%+v\n%+v", c, d)
	}
}
