package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wardenhq/warden/config"
)

// checkedConfig is the --json output of config check, whose config object
// uses the file's keys (data_dir, rate_limits.admin, ...).
type checkedConfig struct {
	Valid  bool       `json:"valid"`
	Config fileConfig `json:"config"`
}

// fileConfig decodes JSON with the configuration file's keys: JSON is YAML,
// so the yaml tags and value types of config.Config apply.
type fileConfig struct{ config.Config }

func (f *fileConfig) UnmarshalJSON(b []byte) error { return yaml.Unmarshal(b, &f.Config) }

func TestConfigCheckDefaults(t *testing.T) {
	dir := t.TempDir()
	r := mustRun(t, nil, "config", "check", "--data-dir", dir)
	if !strings.HasPrefix(r.stdout, "Configuration is valid.\n") {
		t.Errorf("config check text output does not start with the verdict:\n%s", r.stdout)
	}
	for _, want := range []string{"listen: 127.0.0.1:8080", "data_dir: " + dir, "store: sqlite:" + filepath.Join(dir, "warden.db"), "key_ttl: 90d", "admin: 100/m", "service: 20000/s"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("config check output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r.stderr != "" {
		t.Errorf("config check wrote to stderr: %q", r.stderr)
	}

	r = mustRun(t, nil, "config", "check", "--json", "--data-dir", dir)
	got := decodeJSON[checkedConfig](t, r.stdout)
	if !got.Valid {
		t.Errorf("valid = false for the defaults:\n%s", r.stdout)
	}
	want := config.Default()
	c := got.Config
	if c.Listen != want.Listen || c.DataDir != dir || c.LogLevel != "info" || c.HTTP.MaxBodyBytes != want.HTTP.MaxBodyBytes ||
		c.Auth.KeyTTL != want.Auth.KeyTTL || c.RateLimits != want.RateLimits || c.Idempotency != want.Idempotency {
		t.Errorf("config check --json shows %+v, want the defaults with data_dir %s", c, dir)
	}
	if c.Store != "sqlite:"+filepath.Join(dir, "warden.db") {
		t.Errorf("store = %q, want the SQLite file in the data directory", c.Store)
	}
}

func TestConfigCheckFileErrors(t *testing.T) {
	for _, tc := range []struct {
		name, yaml, field string
		wants             []string
	}{
		{"invalid rate", "rate_limits:\n  admin: lots\n", "rate_limits.admin", []string{`"lots"`}},
		{"unknown top-level key", "listen: 127.0.0.1:1\nlisten_addr: 127.0.0.1:2\n", "listen_addr", []string{"unknown setting", "line 2"}},
		{"unknown nested key", "http:\n  max_body_byte: 2048\n", "http.max_body_byte", []string{"unknown setting"}},
		{"not a number", "http:\n  max_body_bytes: big\n", "http.max_body_bytes", []string{`"big"`}},
		{"out of range", "http:\n  max_body_bytes: 10\n", "http.max_body_bytes", []string{"between 1024 and 67108864"}},
		{"bad duration", "auth:\n  key_ttl: forever\n", "auth.key_ttl", []string{"forever"}},
		{"bad log level", "log_level: loud\n", "log_level", []string{`"loud"`}},
		{"bad list item", "http:\n  trusted_proxies: [10.0.0.0/8, nonsense]\n", "http.trusted_proxies[1]", []string{`"nonsense"`}},
		{"listen without host", "listen: \":8080\"\n", "listen", []string{"no host"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "warden.yaml", tc.yaml)
			r := runCLI(t, nil, "config", "check", "--config", path, "--data-dir", t.TempDir())
			if r.code != 2 {
				t.Fatalf("want exit 2, got %s", r)
			}
			if r.stdout != "" {
				t.Errorf("an invalid configuration printed to stdout: %q", r.stdout)
			}
			for _, want := range append([]string{tc.field + ":"}, tc.wants...) {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q: %q", want, r.stderr)
				}
			}

			r = runCLI(t, nil, "config", "check", "--json", "--config", path, "--data-dir", t.TempDir())
			if r.code != 2 || r.stdout != "" {
				t.Fatalf("--json: want exit 2 and no stdout, got %s", r)
			}
			e := decodeCLIError(t, r.stderr)
			if e.Error.Code != "invalid" || e.Error.Field != tc.field {
				t.Errorf("--json error = %+v, want code invalid, field %s", e.Error, tc.field)
			}
		})
	}

	// The file's own problems name the file.
	path := writeFile(t, "broken.yaml", "rate_limits:\n  admin: lots\n")
	if r := runCLI(t, nil, "config", "check", "--config", path); r.code != 2 || !strings.Contains(r.stderr, path) {
		t.Errorf("want exit 2 and the file named, got %s", r)
	}
	missing := filepath.Join(t.TempDir(), "nope.yaml")
	if r := runCLI(t, nil, "config", "check", "--config", missing); r.code != 2 || !strings.Contains(r.stderr, missing) {
		t.Errorf("a missing config file: want exit 2 naming it, got %s", r)
	}
	if r := runCLI(t, nil, "config", "check", "--config", writeFile(t, "bad.yaml", "listen: [unclosed\n")); r.code != 2 || !strings.HasPrefix(r.stderr, "error: ") {
		t.Errorf("malformed YAML: want exit 2 and an error, got %s", r)
	}
}

func TestConfigCheckEnvironment(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, "warden.yaml", "listen: 127.0.0.1:7000\nlog_level: debug\nrate_limits:\n  admin: 5/s\n")

	// The environment overrides the file, and flags override the environment.
	env := []string{
		"WARDEN_CONFIG=" + file,
		"WARDEN_LISTEN=127.0.0.1:9999",
		"WARDEN_DATA_DIR=/env/data",
		"WARDEN_AUTH_KEY_TTL=30d",
		"WARDEN_HTTP_TRUSTED_PROXIES=10.0.0.0/8, 192.168.0.0/16",
		"UNRELATED=1",
	}
	r := mustRun(t, env, "config", "check", "--json", "--data-dir", dir)
	c := decodeJSON[checkedConfig](t, r.stdout).Config
	if c.Listen != "127.0.0.1:9999" {
		t.Errorf("listen = %q, want the environment's 127.0.0.1:9999", c.Listen)
	}
	if c.LogLevel != "debug" || c.RateLimits.Admin != (config.Rate{Count: 5, Per: time.Second}) {
		t.Errorf("log_level %q, rate_limits.admin %+v: want the file's (named by WARDEN_CONFIG) debug and 5/s", c.LogLevel, c.RateLimits.Admin)
	}
	if c.DataDir != dir {
		t.Errorf("data_dir = %q, want the flag's %q over WARDEN_DATA_DIR", c.DataDir, dir)
	}
	if c.Auth.KeyTTL.D() != 30*24*time.Hour {
		t.Errorf("auth.key_ttl = %s, want 30d from WARDEN_AUTH_KEY_TTL", c.Auth.KeyTTL.D())
	}
	if len(c.HTTP.TrustedProxies) != 2 || c.HTTP.TrustedProxies[1] != "192.168.0.0/16" {
		t.Errorf("http.trusted_proxies = %q, want the two CIDRs from the environment", c.HTTP.TrustedProxies)
	}
	if !strings.Contains(r.stdout, "127.0.0.1:9999") {
		t.Errorf("the environment's listen address is not in the output:\n%s", r.stdout)
	}
	// --config wins over WARDEN_CONFIG.
	other := writeFile(t, "other.yaml", "log_level: warn\n")
	r = mustRun(t, env, "config", "check", "--json", "--config", other, "--data-dir", dir)
	if c := decodeJSON[checkedConfig](t, r.stdout).Config; c.LogLevel != "warn" {
		t.Errorf("log_level = %q, want warn from --config", c.LogLevel)
	}
	// Text output shows the override too.
	r = mustRun(t, []string{"WARDEN_LISTEN=127.0.0.1:9999"}, "config", "check", "--data-dir", dir)
	if !strings.Contains(r.stdout, "listen: 127.0.0.1:9999\n") {
		t.Errorf("text output lacks the overridden listen address:\n%s", r.stdout)
	}
}

func TestConfigCheckEnvironmentErrors(t *testing.T) {
	for _, tc := range []struct {
		env, name, field string
	}{
		{"WARDEN_HTTP_MAX_BODY_BYTES=abc", "WARDEN_HTTP_MAX_BODY_BYTES", "http.max_body_bytes"},
		{"WARDEN_RATE_LIMITS_SERVICE=fast", "WARDEN_RATE_LIMITS_SERVICE", "rate_limits.service"},
		{"WARDEN_AUTH_ROTATION_OVERLAP=soon", "WARDEN_AUTH_ROTATION_OVERLAP", "auth.rotation_overlap"},
		{"WARDEN_AUTH_OIDC_ROLE_MAP=noequals", "WARDEN_AUTH_OIDC_ROLE_MAP", "auth.oidc.role_map"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, []string{tc.env}, "config", "check", "--data-dir", t.TempDir())
			if r.code != 2 || r.stdout != "" {
				t.Fatalf("want exit 2 and no stdout, got %s", r)
			}
			if !strings.Contains(r.stderr, tc.name) || !strings.Contains(r.stderr, tc.field) {
				t.Errorf("stderr should name %s and %s: %q", tc.name, tc.field, r.stderr)
			}
			r = runCLI(t, []string{tc.env}, "config", "check", "--json", "--data-dir", t.TempDir())
			if r.code != 2 || r.stdout != "" {
				t.Fatalf("--json: want exit 2 and no stdout, got %s", r)
			}
			if e := decodeCLIError(t, r.stderr); e.Error.Code != "invalid" || e.Error.Field != tc.field {
				t.Errorf("--json error = %+v, want code invalid, field %s", e.Error, tc.field)
			}
		})
	}
	// A value that parses but is out of range is caught by validation.
	r := runCLI(t, []string{"WARDEN_HTTP_MAX_BODY_BYTES=10"}, "config", "check", "--data-dir", t.TempDir())
	if r.code != 2 || !strings.Contains(r.stderr, "http.max_body_bytes") {
		t.Errorf("out-of-range environment value: want exit 2 naming http.max_body_bytes, got %s", r)
	}
}

func TestConfigCheckRedactsStorePassword(t *testing.T) {
	const secret = "S3cr3t-Passw0rd"
	dsns := []string{
		"postgres://warden:" + secret + "@db.example.com:5432/warden?sslmode=require",
		"postgresql://warden@db.example.com/warden?sslmode=require&password=" + secret,
	}
	for _, dsn := range dsns {
		for _, src := range []struct {
			name string
			env  []string
			args []string
		}{
			{"flag", nil, []string{"--store", dsn}},
			{"env", []string{"WARDEN_STORE=" + dsn}, nil},
			{"file", nil, []string{"--config", writeFile(t, "warden.yaml", "store: '"+dsn+"'\n")}},
		} {
			for _, jsonOut := range []bool{false, true} {
				args := append([]string{"config", "check", "--data-dir", t.TempDir()}, src.args...)
				if jsonOut {
					args = append(args, "--json")
				}
				r := runCLI(t, src.env, args...)
				if r.code != 0 {
					t.Fatalf("%s %v: %s", src.name, args, r)
				}
				if strings.Contains(r.stdout+r.stderr, secret) {
					t.Errorf("config check (store from %s, json %v) prints the password:\n%s", src.name, jsonOut, r.stdout)
				}
				if !strings.Contains(r.stdout, "xxxxx") || !strings.Contains(r.stdout, "db.example.com") {
					t.Errorf("config check (store from %s, json %v) should show the DSN with the password masked:\n%s", src.name, jsonOut, r.stdout)
				}
				if jsonOut {
					if c := decodeJSON[checkedConfig](t, r.stdout).Config; !strings.HasPrefix(c.Store, "postgres") || !strings.Contains(c.Store, "db.example.com") {
						t.Errorf("store = %q, want the redacted DSN", c.Store)
					}
				}
			}
		}
	}

	// Nor is it printed when the configuration is invalid.
	for _, tc := range []struct {
		env   []string
		field string
	}{
		{[]string{"WARDEN_STORE=" + dsns[0], "WARDEN_LOG_LEVEL=loud"}, "log_level"},
		{[]string{"WARDEN_STORE=mysql://warden:" + secret + "@db.example.com/warden"}, "store"},
	} {
		for _, jsonOut := range []string{"--json=false", "--json"} {
			r := runCLI(t, tc.env, "config", "check", jsonOut, "--data-dir", t.TempDir())
			if r.code != 2 || !strings.Contains(r.stderr, tc.field) {
				t.Errorf("want exit 2 naming %s, got %s", tc.field, r)
			}
			if strings.Contains(r.stdout+r.stderr, secret) {
				t.Errorf("an invalid configuration's error prints the password:\n%s", r)
			}
		}
	}
}

func TestConfigCheckJSONUsesFileKeys(t *testing.T) {
	r := mustRun(t, nil, "config", "check", "--json", "--data-dir", t.TempDir())
	for _, want := range []string{`"data_dir"`, `"rate_limits"`, `"admin": "100/m"`, `"key_ttl": "90d"`, `"checkpoint_every": 1000`} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("config check --json lacks %s:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, `"DataDir"`) {
		t.Error("config check --json shows Go field names")
	}
}

func TestConfigCheckJSONErrorNamesTheVariable(t *testing.T) {
	r := runCLI(t, []string{"WARDEN_HTTP_MAX_BODY_BYTES=abc"}, "config", "check", "--json", "--data-dir", t.TempDir())
	e := decodeCLIError(t, r.stderr)
	if r.code != 2 || e.Error.Field != "http.max_body_bytes" || !strings.Contains(e.Error.Message, "WARDEN_HTTP_MAX_BODY_BYTES") {
		t.Fatalf("%s", r)
	}
}
