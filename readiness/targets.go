package readiness

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wardenhq/warden"
)

// Targets describes a deployment to scan (the --targets YAML file).
type Targets struct {
	Name string `yaml:"name"`
	// Timeout bounds each probe (default 5s).
	Timeout string `yaml:"timeout"`
	// CABundle is the PEM bundle chains are verified against, unless a target
	// names its own; the system roots when empty.
	CABundle      string            `yaml:"ca_bundle"`
	Postgres      []Endpoint        `yaml:"postgres"`
	MySQL         []Endpoint        `yaml:"mysql"`
	Redis         []Endpoint        `yaml:"redis"`
	Kafka         []Endpoint        `yaml:"kafka"`
	Zeebe         []Endpoint        `yaml:"zeebe"`
	TLS           []Endpoint        `yaml:"tls"`
	Elasticsearch []URLTarget       `yaml:"elasticsearch"`
	HTTP          []HTTPTarget      `yaml:"http"`
	Keycloak      []KeycloakTarget  `yaml:"keycloak"`
	Kubernetes    *KubernetesTarget `yaml:"kubernetes"`
	Backups       []BackupTarget    `yaml:"backups"`
	Warden        *WardenTarget     `yaml:"warden"`

	timeout time.Duration
	dir     string
}

// Endpoint is a host:port service.
type Endpoint struct {
	Name       string `yaml:"name"`
	Address    string `yaml:"address"`
	ServerName string `yaml:"server_name"`
	CABundle   string `yaml:"ca_bundle"`
	// User and Database (PostgreSQL only) are the role and database the
	// plaintext startup names, so that the check exercises the pg_hba.conf
	// lines of the application's own role; no password is ever sent.
	User     string `yaml:"user"`
	Database string `yaml:"database"`
}

// URLTarget is a service reached by URL.
type URLTarget struct {
	Name       string `yaml:"name"`
	URL        string `yaml:"url"`
	ServerName string `yaml:"server_name"`
	CABundle   string `yaml:"ca_bundle"`
}

// HTTPTarget is an HTTP endpoint whose headers, CORS and rate limit are
// checked.
type HTTPTarget struct {
	URLTarget `yaml:",inline"`
	// CORSOrigin is the foreign origin sent to test CORS.
	CORSOrigin string `yaml:"cors_origin"`
	// RateLimit is the endpoint's configured limit; the burst test runs only
	// when it is set.
	RateLimit *RateLimit `yaml:"rate_limit"`
}

// RateLimit is requests per period.
type RateLimit struct {
	Requests int    `yaml:"requests"`
	Per      string `yaml:"per"`
}

// KeycloakTarget is a Keycloak server and the realm to check.
type KeycloakTarget struct {
	URLTarget  `yaml:",inline"`
	Realm      string `yaml:"realm"`
	AdminRealm string `yaml:"admin_realm"`
	ClientID   string `yaml:"client_id"`
	Username   string `yaml:"username"`
	// PasswordEnv names the environment variable holding the admin password;
	// the file never holds the secret itself.
	PasswordEnv string `yaml:"password_env"`
}

// KubernetesTarget is a folder of manifests.
type KubernetesTarget struct {
	Manifests   string   `yaml:"manifests"`
	HAWorkloads []string `yaml:"ha_workloads"`
	MinReplicas int      `yaml:"min_replicas"`
}

// BackupTarget is a backup location on a file system.
type BackupTarget struct {
	Name     string `yaml:"name"`
	Path     string `yaml:"path"`
	Pattern  string `yaml:"pattern"`
	Schedule string `yaml:"schedule"`
}

// WardenTarget asks for the self-check of the Warden store the CLI opens
// (--data-dir/--store/--config).
type WardenTarget struct {
	Name       string `yaml:"name"`
	MaxListAge string `yaml:"max_list_age"`
	MaxKeyAge  string `yaml:"max_key_age"`
}

var namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$`)

// unknownField pulls the field name out of yaml.v3's strict-decoding error.
var unknownField = regexp.MustCompile(`line (\d+): field (\S+) not found in type readiness\.(\w+)`)

// LoadTargets reads and validates a targets file. Relative paths in it are
// relative to the file's directory.
func LoadTargets(path string) (*Targets, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, warden.FieldErrorf(warden.EINVALID, "targets", "read targets file: %v", err)
	}
	t, err := ParseTargets(b)
	if err != nil {
		return nil, err
	}
	t.dir = filepath.Dir(path)
	return t, nil
}

// ParseTargets parses and validates a targets document; unknown fields are
// errors that name the field, so that a typo cannot silently skip a check.
func ParseTargets(b []byte) (*Targets, error) {
	var t Targets
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&t); err != nil && !errors.Is(err, io.EOF) {
		if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
			return nil, warden.FieldErrorf(warden.EINVALID, m[2], "unknown field %q on line %s (in %s)", m[2], m[1], strings.ToLower(m[3]))
		}
		return nil, warden.FieldErrorf(warden.EINVALID, "targets", "targets file is not valid YAML: %v", err)
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	return &t, nil
}

func (t *Targets) validate() error {
	t.timeout = 5 * time.Second
	if t.Timeout != "" {
		d, err := warden.ParseDuration(t.Timeout)
		if err != nil || d <= 0 || d > 5*time.Minute {
			return warden.FieldErrorf(warden.EINVALID, "timeout", "timeout %q: want a duration between 1ms and 5m", t.Timeout)
		}
		t.timeout = d
	}
	seen := map[string]string{}
	name := func(field, n string) error {
		if !namePattern.MatchString(n) {
			return warden.FieldErrorf(warden.EINVALID, field+".name", "name %q: want 1-63 letters, digits, '.', '_' or '-'", n)
		}
		if prev, dup := seen[n]; dup {
			return warden.FieldErrorf(warden.EINVALID, field+".name", "name %q already used by %s", n, prev)
		}
		seen[n] = field
		return nil
	}
	for kind, eps := range map[string][]Endpoint{"postgres": t.Postgres, "mysql": t.MySQL, "redis": t.Redis, "kafka": t.Kafka, "zeebe": t.Zeebe, "tls": t.TLS} {
		for i, e := range eps {
			f := fmt.Sprintf("%s[%d]", kind, i)
			if err := name(f, e.Name); err != nil {
				return err
			}
			if _, port, err := net.SplitHostPort(e.Address); err != nil || port == "" {
				return warden.FieldErrorf(warden.EINVALID, f+".address", "address %q: want host:port", e.Address)
			}
			for field, v := range map[string]string{"user": e.User, "database": e.Database} {
				switch {
				case v == "":
				case kind != "postgres":
					return warden.FieldErrorf(warden.EINVALID, f+"."+field, "%s applies to postgres targets only", field)
				case len(v) > 63 || strings.ContainsAny(v, "\x00\r\n"):
					return warden.FieldErrorf(warden.EINVALID, f+"."+field, "%s %q: want a PostgreSQL name of at most 63 bytes", field, v)
				}
			}
		}
	}
	checkURL := func(f string, u URLTarget) error {
		if err := name(f, u.Name); err != nil {
			return err
		}
		p, err := url.Parse(u.URL)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return warden.FieldErrorf(warden.EINVALID, f+".url", "url %q: want an http:// or https:// URL", u.URL)
		}
		return nil
	}
	for i, e := range t.Elasticsearch {
		if err := checkURL(fmt.Sprintf("elasticsearch[%d]", i), e); err != nil {
			return err
		}
	}
	for i, h := range t.HTTP {
		f := fmt.Sprintf("http[%d]", i)
		if err := checkURL(f, h.URLTarget); err != nil {
			return err
		}
		if rl := h.RateLimit; rl != nil {
			d, err := warden.ParseDuration(rl.Per)
			if rl.Requests < 1 || rl.Requests > 200 {
				return warden.FieldErrorf(warden.EINVALID, f+".rate_limit.requests", "requests %d: want 1 to 200 (the probe sends a burst of three times this)", rl.Requests)
			}
			if err != nil || d <= 0 {
				return warden.FieldErrorf(warden.EINVALID, f+".rate_limit.per", "per %q: want a duration such as 1s or 1m", rl.Per)
			}
		}
	}
	for i, k := range t.Keycloak {
		f := fmt.Sprintf("keycloak[%d]", i)
		if err := checkURL(f, k.URLTarget); err != nil {
			return err
		}
		for field, v := range map[string]string{"realm": k.Realm, "username": k.Username, "password_env": k.PasswordEnv} {
			if v == "" {
				return warden.FieldErrorf(warden.EINVALID, f+"."+field, "%s is required", field)
			}
		}
	}
	if k := t.Kubernetes; k != nil {
		if k.Manifests == "" {
			return warden.FieldErrorf(warden.EINVALID, "kubernetes.manifests", "manifests (a folder of YAML manifests) is required")
		}
		if k.MinReplicas < 0 {
			return warden.FieldErrorf(warden.EINVALID, "kubernetes.min_replicas", "min_replicas must not be negative")
		}
		seen["kubernetes"] = "kubernetes"
	}
	for i, b := range t.Backups {
		f := fmt.Sprintf("backups[%d]", i)
		if err := name(f, b.Name); err != nil {
			return err
		}
		if b.Path == "" {
			return warden.FieldErrorf(warden.EINVALID, f+".path", "path is required")
		}
		if d, err := warden.ParseDuration(b.Schedule); err != nil || d <= 0 {
			return warden.FieldErrorf(warden.EINVALID, f+".schedule", "schedule %q: want how often a backup is taken, such as 24h or 1d", b.Schedule)
		}
		if _, err := filepath.Match(b.Pattern, ""); err != nil {
			return warden.FieldErrorf(warden.EINVALID, f+".pattern", "pattern %q: %v", b.Pattern, err)
		}
	}
	if w := t.Warden; w != nil {
		if w.Name == "" {
			w.Name = "warden"
		}
		if err := name("warden", w.Name); err != nil {
			return err
		}
		for field, v := range map[string]string{"max_list_age": w.MaxListAge, "max_key_age": w.MaxKeyAge} {
			if v == "" {
				continue
			}
			if d, err := warden.ParseDuration(v); err != nil || d <= 0 {
				return warden.FieldErrorf(warden.EINVALID, "warden."+field, "%s %q: want a duration such as 24h or 90d", field, v)
			}
		}
	}
	if len(seen) == 0 {
		return warden.FieldErrorf(warden.EINVALID, "targets", "the targets file names no targets")
	}
	return nil
}

// Count is the number of probes a scan runs.
func (t *Targets) Count() int {
	n := len(t.Postgres) + len(t.MySQL) + len(t.Redis) + len(t.Kafka) + len(t.Zeebe) + len(t.TLS) +
		len(t.Elasticsearch) + len(t.HTTP) + len(t.Keycloak) + len(t.Backups)
	if t.Kubernetes != nil {
		n++
	}
	if t.Warden != nil {
		n++
	}
	return n
}

// ProbeTimeout is the per-probe timeout.
func (t *Targets) ProbeTimeout() time.Duration { return t.timeout }

// path resolves a path from the file relative to its directory.
func (t *Targets) path(p string) string {
	if p == "" || filepath.IsAbs(p) || t.dir == "" {
		return p
	}
	return filepath.Join(t.dir, p)
}

func mustDuration(s string, def time.Duration) time.Duration {
	if s == "" {
		return def
	}
	d, err := warden.ParseDuration(s)
	if err != nil {
		return def
	}
	return d
}
