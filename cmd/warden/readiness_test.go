package main

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/servertest"
)

type readinessItem struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

type readinessReport struct {
	ScanID  string `json:"scan_id"`
	Overall struct {
		Percent  float64 `json:"percent"`
		Assessed int     `json:"assessed"`
	} `json:"overall"`
	Frameworks []struct {
		Framework string  `json:"framework"`
		Percent   float64 `json:"percent"`
	} `json:"frameworks"`
	Items   []readinessItem `json:"items"`
	Results []struct {
		CheckID string `json:"check_id"`
		Target  string `json:"target"`
		Status  string `json:"status"`
	} `json:"results"`
	Trend []struct {
		ScanID string `json:"scan_id"`
	} `json:"trend"`
}

func (r readinessReport) item(n int) string { return r.Items[n-1].Status }

func (r readinessReport) result(target, check string) string {
	for _, x := range r.Results {
		if x.Target == target && x.CheckID == check {
			return x.Status
		}
	}
	return ""
}

func TestReadinessScanCLI(t *testing.T) {
	redis := servertest.StartRedis(t, servertest.RedisOptions{})
	nginx := servertest.StartNginx(t, servertest.NginxOptions{Server: `location / { return 200 "ok\n"; }`})
	backups := t.TempDir()
	if err := os.WriteFile(filepath.Join(backups, "pg.dump"), []byte("PGDMP\x01"), 0o644); err != nil {
		t.Fatal(err)
	}
	targets := writeFile(t, "targets.yaml", fmt.Sprintf(`name: cli-test
timeout: 3s
redis: [{name: cache, address: %q}]
http: [{name: web, url: "http://%s/"}]
backups: [{name: pg-backups, path: %q, schedule: 24h}]
warden: {}
`, redis, nginx, backups))
	store := []string{"--data-dir", t.TempDir()}

	r := mustRun(t, nil, append([]string{"readiness", "scan", "--targets", targets}, store...)...)
	for _, s := range []string{"scanning 4 targets", "[4/4]", "... done in"} {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("progress lacks %q:\n%s", s, r.stderr)
		}
	}
	if !strings.Contains(r.stdout, "Readiness of cli-test") || !strings.Contains(r.stdout, "RD-050") {
		t.Errorf("table report:\n%s", r.stdout)
	}

	mustRun(t, nil, append([]string{"readiness", "attest", "RD-030", "--by", "Jane Doe (CTO)", "--evidence", "https://wiki.bank/dr-2026q4"}, store...)...)

	r = mustRun(t, nil, append([]string{"readiness", "scan", "--targets", targets, "--json"}, store...)...)
	if r.stderr != "" {
		t.Errorf("--json scan wrote to stderr:\n%s", r.stderr)
	}
	rep := decodeJSON[readinessReport](t, r.stdout)
	if len(rep.Items) != 70 || rep.ScanID == "" || len(rep.Trend) != 1 {
		t.Fatalf("report: %d items, scan id %q, trend %d (want 1 earlier scan)", len(rep.Items), rep.ScanID, len(rep.Trend))
	}
	for _, c := range []struct {
		n    int
		want string
	}{{50, "fail"}, {40, "fail"}, {26, "fail"}, {25, "pass"}, {30, "pass"}, {29, "fail"}, {55, "pass"}, {57, "fail"}, {54, "pass"}, {1, "skipped"}} {
		if got := rep.item(c.n); got != c.want {
			t.Errorf("item %d = %s, want %s", c.n, got, c.want)
		}
	}
	if rep.result("warden", "warden.audit_verifies") != "pass" || rep.result("cache", "redis.auth") != "fail" {
		t.Errorf("results: %+v", rep.Results)
	}
	if len(rep.Frameworks) != 5 {
		t.Errorf("frameworks: %+v", rep.Frameworks)
	}

	r = runCLI(t, nil, append([]string{"readiness", "scan", "--targets", targets, "--fail-under", "99", "--format", "junit"}, store...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "under --fail-under 99.0%") || !strings.Contains(r.stdout, "<testsuites") {
		t.Errorf("fail-under: %s", r)
	}

	r = mustRun(t, nil, append([]string{"readiness", "history", "--json"}, store...)...)
	hist := decodeJSON[struct {
		Scans []struct {
			ID      string  `json:"id"`
			Overall float64 `json:"overall"`
		} `json:"scans"`
	}](t, r.stdout)
	if len(hist.Scans) != 3 || hist.Scans[1].ID != rep.ScanID {
		t.Errorf("history: %+v, want 3 scans with %s second newest", hist.Scans, rep.ScanID)
	}
	r = mustRun(t, nil, append([]string{"readiness", "generate-compliance-report", rep.ScanID, "--format", "markdown"}, store...)...)
	if !strings.Contains(r.stdout, "# Production readiness: cli-test") || !strings.Contains(r.stdout, "| GLBA |") {
		t.Errorf("report:\n%s", r.stdout)
	}
	out := filepath.Join(t.TempDir(), "r.sarif")
	mustRun(t, nil, append([]string{"readiness", "report", "--format", "sarif", "--out", out}, store...)...)
	if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), `"version": "2.1.0"`) {
		t.Errorf("sarif file: %v %.200s", err, b)
	}
	r = mustRun(t, nil, append([]string{"readiness", "attestations", "--json"}, store...)...)
	if !strings.Contains(r.stdout, `"id": "RD-030"`) || !strings.Contains(r.stdout, "Jane Doe (CTO)") {
		t.Errorf("attestations:\n%s", r.stdout)
	}
	// The attestation is in the audit log, which still verifies.
	mustRun(t, nil, append([]string{"audit", "verify"}, store...)...)
}

func TestReadinessUsageErrors(t *testing.T) {
	store := []string{"--data-dir", t.TempDir()}
	bad := writeFile(t, "t.yaml", "postgres:\n  - name: pg\n    adress: 127.0.0.1:5432\n")
	cases := []struct {
		args  []string
		field string
	}{
		{[]string{"readiness", "scan", "--targets", bad}, "adress"},
		{[]string{"readiness", "scan", "--targets", bad, "--format", "pdf"}, "format"},
		{[]string{"readiness", "attest", "6", "--by", "x", "--evidence", "https://e"}, "item"},
		{[]string{"readiness", "attest", "99", "--by", "x", "--evidence", "https://e"}, "item"},
		{[]string{"readiness", "attest", "30", "--by", "x", "--evidence", "not a url"}, "evidence"},
		{[]string{"readiness", "attest", "30", "--by", "x", "--evidence", "https://e", "--expires", "2001-01-01"}, "expires"},
	}
	for _, c := range cases {
		r := runCLI(t, nil, append(append(c.args, "--json"), store...)...)
		if r.code != 2 {
			t.Errorf("%v: %s, want exit 2", c.args, r)
			continue
		}
		if e := decodeCLIError(t, r.stderr); !strings.Contains(e.Error.Field, c.field) {
			t.Errorf("%v: error %+v does not name field %s", c.args, e.Error, c.field)
		}
	}
	if r := runCLI(t, nil, append([]string{"readiness", "scan"}, store...)...); r.code != 2 {
		t.Errorf("scan without --targets: %s", r)
	}
}

func TestReadinessCheckTLS(t *testing.T) {
	ca := servertest.NewCA(t)
	cert := ca.Issue(t, time.Now().Add(3*24*time.Hour), "127.0.0.1")
	l, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert.TLS}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) { _ = c.(*tls.Conn).Handshake(); c.Close() }(c)
		}
	}()
	r := runCLI(t, nil, "readiness", "check-tls-status", l.Addr().String(), "--ca", ca.File)
	if r.code != 1 || !strings.Contains(r.stdout, "FAIL  tls.expiry") || !strings.Contains(r.stdout, "PASS  tls.chain") {
		t.Errorf("check-tls of a certificate expiring in 3 days: %s", r)
	}
	r = runCLI(t, nil, "readiness", "catalogue", "--json")
	doc := decodeJSON[struct {
		Items []struct{ N int } `json:"items"`
	}](t, r.stdout)
	if r.code != 0 || len(doc.Items) != 70 {
		t.Errorf("catalogue: %d items, exit %d", len(doc.Items), r.code)
	}
}
