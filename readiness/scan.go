package readiness

import (
	"context"
	"crypto/x509"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/wardenhq/warden/readiness/probe"
)

// Progress reports one finished probe: done of total, its target and how
// its checks came out.
type Progress struct {
	Done, Total int
	Target      string
	Kind        string
	Took        time.Duration
	Counts      map[Status]int
}

// Scanner runs the probes a targets file describes.
type Scanner struct {
	Catalogue *Catalogue
	// Warden answers the self-check; a warden target errors without it.
	Warden probe.WardenFacts
	// Concurrency bounds the probes running at once (default 32).
	Concurrency int
	// Progress, if set, is called after each probe, from one goroutine at a
	// time.
	Progress func(Progress)
	Log      *slog.Logger
	// Now is the clock certificates, backups and attestations are judged by.
	Now func() time.Time
	// Getenv reads the variables Keycloak passwords are named by.
	Getenv func(string) string
}

// job is one probe against one target.
type job struct {
	name, kind string
	checks     []string // reported as errors if the probe overruns
	timeout    time.Duration
	run        func(ctx context.Context) []probe.Finding
}

// Scan runs every probe concurrently, each bounded by the targets' timeout,
// and returns one result per check per target. A probe that overruns its
// timeout is abandoned and its checks reported as errors, so that a scan
// ends within about one timeout per wave of Concurrency probes.
func (s *Scanner) Scan(ctx context.Context, t *Targets) ([]Result, error) {
	jobs, err := s.jobs(t)
	if err != nil {
		return nil, err
	}
	conc := s.Concurrency
	if conc <= 0 {
		conc = 32
	}
	results := make([][]Result, len(jobs))
	sem := make(chan struct{}, conc)
	var mu sync.Mutex
	done := 0
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				results[i] = s.toResults(j, errorFindings(j.checks, ctx.Err().Error()), 0)
				return
			}
			defer func() { <-sem }()
			start := time.Now()
			timeout := t.timeout
			if j.timeout > 0 {
				timeout = j.timeout
			}
			fs := s.runOne(ctx, j, timeout)
			took := time.Since(start)
			results[i] = s.toResults(j, fs, took)
			mu.Lock()
			defer mu.Unlock()
			done++
			if s.Progress != nil {
				counts := map[Status]int{}
				for _, r := range results[i] {
					counts[r.Status]++
				}
				s.Progress(Progress{Done: done, Total: len(jobs), Target: j.name, Kind: j.kind, Took: took, Counts: counts})
			}
		}()
	}
	wg.Wait()
	var out []Result
	for _, rs := range results {
		out = append(out, rs...)
	}
	return out, nil
}

// runOne runs a probe with its timeout. Probes honour the context on every
// network operation, but a probe is also abandoned (after a short grace)
// if it overruns, so that no single target can hang the scan.
func (s *Scanner) runOne(ctx context.Context, j job, timeout time.Duration) []probe.Finding {
	pctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ch := make(chan []probe.Finding, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				ch <- errorFindings(j.checks, fmt.Sprintf("probe failed: %v", r))
			}
		}()
		ch <- j.run(pctx)
	}()
	select {
	case fs := <-ch:
		return fs
	case <-time.After(timeout + 500*time.Millisecond):
		if s.Log != nil {
			s.Log.Warn("readiness probe overran its timeout", "target", j.name, "kind", j.kind, "timeout", timeout)
		}
		return errorFindings(j.checks, fmt.Sprintf("timed out after %s", timeout))
	}
}

func errorFindings(checks []string, why string) []probe.Finding {
	out := make([]probe.Finding, len(checks))
	for i, c := range checks {
		out[i] = probe.Finding{Check: c, Status: probe.Error, Evidence: why}
	}
	return out
}

// toResults attaches the catalogue's description of each check.
func (s *Scanner) toResults(j job, fs []probe.Finding, took time.Duration) []Result {
	out := make([]Result, 0, len(fs))
	for _, f := range fs {
		r := Result{CheckID: f.Check, Target: j.name, Kind: j.kind, Status: Status(f.Status), Evidence: f.Evidence, DurationMS: took.Milliseconds()}
		if ch, ok := s.Catalogue.Check(f.Check); ok {
			r.Title, r.Phase, r.Severity = ch.Title, ch.Phase, ch.Severity
			if r.Status != StatusPass {
				r.Remediation = ch.Remediation
			}
		} else if s.Log != nil {
			s.Log.Error("readiness probe reported a check the catalogue lacks", "check", f.Check)
		}
		out = append(out, r)
	}
	return out
}

func (s *Scanner) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// tlsOptions builds a target's TLS options; CA bundles are read once.
type caCache map[string]*x509.CertPool

func (s *Scanner) tlsOptions(t *Targets, cas caCache, field, serverName, bundle string) (probe.TLSOptions, error) {
	if bundle == "" {
		bundle = t.CABundle
	}
	opts := probe.TLSOptions{ServerName: serverName, Now: s.now()}
	if bundle == "" {
		return opts, nil
	}
	path := t.path(bundle)
	pool, ok := cas[path]
	if !ok {
		var err error
		if pool, err = probe.LoadCABundle(path); err != nil {
			return opts, fmt.Errorf("%s.ca_bundle: %w", field, err)
		}
		cas[path] = pool
	}
	opts.Roots, opts.RootsName = pool, bundle
	return opts, nil
}

// byAddress adapts a probe that needs only the endpoint's address.
func byAddress(fn func(context.Context, string, probe.TLSOptions) []probe.Finding) func(context.Context, Endpoint, probe.TLSOptions) []probe.Finding {
	return func(ctx context.Context, e Endpoint, o probe.TLSOptions) []probe.Finding {
		return fn(ctx, e.Address, o)
	}
}

func (s *Scanner) jobs(t *Targets) ([]job, error) {
	cas := caCache{}
	var jobs []job
	withTLS := func(extra ...string) []string { return append(slices.Clone(extra), probe.TLSChecks...) }
	endpoints := []struct {
		kind   string
		eps    []Endpoint
		checks []string
		fn     func(context.Context, Endpoint, probe.TLSOptions) []probe.Finding
	}{
		{"postgres", t.Postgres, withTLS(probe.CheckPostgresSSL, probe.CheckPostgresTLSRequired), func(ctx context.Context, e Endpoint, o probe.TLSOptions) []probe.Finding {
			return probe.PostgresAs(ctx, e.Address, e.User, e.Database, o)
		}},
		{"mysql", t.MySQL, withTLS(probe.CheckMySQLSSL), byAddress(probe.MySQL)},
		{"redis", t.Redis, withTLS(probe.CheckRedisTLS, probe.CheckRedisAuth), byAddress(probe.Redis)},
		{"kafka", t.Kafka, withTLS(probe.CheckKafkaTLS, probe.CheckKafkaAuth), byAddress(probe.Kafka)},
		{"zeebe", t.Zeebe, withTLS(probe.CheckZeebeTLS), byAddress(probe.Zeebe)},
		{"tls", t.TLS, withTLS(), byAddress(probe.TLSEndpoint)},
	}
	for _, group := range endpoints {
		for i, e := range group.eps {
			opts, err := s.tlsOptions(t, cas, fmt.Sprintf("%s[%d]", group.kind, i), e.ServerName, e.CABundle)
			if err != nil {
				return nil, err
			}
			fn, e := group.fn, e
			jobs = append(jobs, job{name: e.Name, kind: group.kind, checks: group.checks,
				run: func(ctx context.Context) []probe.Finding { return fn(ctx, e, opts) }})
		}
	}
	for i, e := range t.Elasticsearch {
		opts, err := s.tlsOptions(t, cas, fmt.Sprintf("elasticsearch[%d]", i), e.ServerName, e.CABundle)
		if err != nil {
			return nil, err
		}
		u := e.URL
		jobs = append(jobs, job{name: e.Name, kind: "elasticsearch", checks: withTLS(probe.CheckESHTTPS, probe.CheckESAnonymous),
			run: func(ctx context.Context) []probe.Finding { return probe.Elasticsearch(ctx, u, opts) }})
	}
	for i, h := range t.HTTP {
		opts, err := s.tlsOptions(t, cas, fmt.Sprintf("http[%d]", i), h.ServerName, h.CABundle)
		if err != nil {
			return nil, err
		}
		ho := probe.HTTPOptions{TLS: opts, Origin: h.CORSOrigin}
		checks := withTLS(probe.CheckHSTS, probe.CheckCSP, probe.CheckFrameOptions, probe.CheckContentTypeOptions, probe.CheckCORS)
		if h.RateLimit != nil {
			ho.RateLimit, ho.Per = h.RateLimit.Requests, mustDuration(h.RateLimit.Per, time.Second)
			checks = append(checks, probe.CheckRateLimit)
		}
		u := h.URL
		jobs = append(jobs, job{name: h.Name, kind: "http", checks: checks,
			run: func(ctx context.Context) []probe.Finding { return probe.HTTP(ctx, u, ho) }})
	}
	for i, k := range t.Keycloak {
		opts, err := s.tlsOptions(t, cas, fmt.Sprintf("keycloak[%d]", i), k.ServerName, k.CABundle)
		if err != nil {
			return nil, err
		}
		getenv := s.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		ko := probe.KeycloakOptions{TLS: opts, Realm: k.Realm, AdminRealm: k.AdminRealm, ClientID: k.ClientID, Username: k.Username, Password: getenv(k.PasswordEnv)}
		if ko.AdminRealm == "" {
			ko.AdminRealm = "master"
		}
		if ko.ClientID == "" {
			ko.ClientID = "admin-cli"
		}
		u := k.URL
		jobs = append(jobs, job{name: k.Name, kind: "keycloak", checks: withTLS("keycloak.otp_policy", "keycloak.totp_required",
			"keycloak.password_policy", "keycloak.sso_idle_timeout", "keycloak.sso_max_lifespan", "keycloak.brute_force"),
			run: func(ctx context.Context) []probe.Finding { return probe.Keycloak(ctx, u, ko) }})
	}
	if k := t.Kubernetes; k != nil {
		dir, ko := t.path(k.Manifests), probe.KubernetesOptions{HAWorkloads: k.HAWorkloads, MinReplicas: k.MinReplicas}
		jobs = append(jobs, job{name: "kubernetes", kind: "kubernetes", checks: probe.KubernetesChecks,
			run: func(context.Context) []probe.Finding { return probe.Kubernetes(dir, ko) }})
	}
	for _, b := range t.Backups {
		dir, bo := t.path(b.Path), probe.BackupOptions{Pattern: b.Pattern, Schedule: mustDuration(b.Schedule, 24*time.Hour), Now: s.now()}
		jobs = append(jobs, job{name: b.Name, kind: "backup", checks: []string{probe.CheckBackupFresh, probe.CheckBackupEncrypted},
			run: func(context.Context) []probe.Finding { return probe.Backup(dir, bo) }})
	}
	if w := t.Warden; w != nil {
		listAge, keyAge, facts, now := mustDuration(w.MaxListAge, 24*time.Hour), mustDuration(w.MaxKeyAge, 90*24*time.Hour), s.Warden, s.now()
		// Verifying the whole audit log takes longer than a network probe.
		jobs = append(jobs, job{name: w.Name, kind: "warden", checks: probe.WardenChecks, timeout: max(t.timeout, 10*time.Minute),
			run: func(ctx context.Context) []probe.Finding {
				if facts == nil {
					return errorFindings(probe.WardenChecks, "no Warden store to check")
				}
				return probe.Warden(ctx, facts, now, listAge, keyAge)
			}})
	}
	return jobs, nil
}
