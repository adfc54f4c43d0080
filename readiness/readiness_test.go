package readiness

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
)

func TestCatalogue(t *testing.T) {
	c, err := LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Items) != 70 {
		t.Fatalf("%d items, want 70", len(c.Items))
	}
	ranges := map[string][2]int{"tls": {1, 11}, "ha": {12, 24}, "dr": {25, 39}, "security": {40, 54}, "compliance": {55, 70}}
	fwCount := map[string]int{}
	attested := 0
	for _, it := range c.Items {
		r := ranges[it.Phase]
		if it.N < r[0] || it.N > r[1] {
			t.Errorf("item %d in phase %s, want %d-%d", it.N, it.Phase, r[0], r[1])
		}
		for fw, refs := range it.Frameworks {
			if len(refs) == 0 {
				t.Errorf("item %d maps to %s with no reference", it.N, fw)
			}
			fwCount[fw]++
		}
		if it.Attestation {
			attested++
		}
	}
	for _, fw := range Frameworks {
		if fwCount[fw] < 5 {
			t.Errorf("framework %s maps only %d items", fw, fwCount[fw])
		}
	}
	if attested == 0 || attested == 70 {
		t.Errorf("%d attestation items", attested)
	}
	if it, ok := c.Item("RD-030"); !ok || it.N != 30 || !it.Attestation {
		t.Errorf("Item(RD-030) = %+v %v", it, ok)
	}
	if _, ok := c.Item("71"); ok {
		t.Error("item 71 found")
	}
	// Every check a probe can report is in the catalogue, with a phase.
	for _, id := range []string{"tls.protocol", "postgres.ssl", "postgres.tls_required", "redis.auth", "kafka.tls", "kafka.authentication", "http.rate_limit", "keycloak.totp_required", "k8s.pdb", "backup.encrypted", "warden.api_key_age"} {
		if ch, ok := c.Check(id); !ok || ch.Phase == "" {
			t.Errorf("check %s: %+v %v", id, ch, ok)
		}
	}
}

func TestCatalogueValidation(t *testing.T) {
	for name, doc := range map[string]string{
		"unknown check":     "phases: [{id: tls, title: T, first: 1, last: 1}]\nchecks: []\nitems: [{n: 1, phase: tls, severity: high, title: x, remediation: r, checks: [nope], frameworks: {GLBA: [a]}}]",
		"unknown framework": "phases: [{id: tls, title: T, first: 1, last: 1}]\nchecks: []\nitems: [{n: 1, phase: tls, severity: high, title: x, remediation: r, attestation: true, frameworks: {HIPAA: [a]}}]",
		"both":              "phases: [{id: tls, title: T, first: 1, last: 1}]\nchecks: [{id: a, title: A, severity: low, remediation: r}]\nitems: [{n: 1, phase: tls, severity: high, title: x, remediation: r, attestation: true, checks: [a], frameworks: {GLBA: [a]}}]",
		"wrong phase range": "phases: [{id: tls, title: T, first: 2, last: 3}]\nchecks: []\nitems: [{n: 1, phase: tls, severity: high, title: x, remediation: r, attestation: true, frameworks: {GLBA: [a]}}]",
	} {
		if _, err := ParseCatalogue([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestParseTargetsErrorsNameTheField(t *testing.T) {
	cases := map[string]string{
		"postgres:\n  - name: pg\n    adress: 127.0.0.1:5432\n":                                          "adress",
		"postgres:\n  - name: pg\n    address: nohostport\n":                                             "postgres[0].address",
		"redis:\n  - name: a\n    address: h:1\nkafka:\n  - name: a\n    address: h:2\n":                 ".name",
		"http:\n  - name: web\n    url: ftp://x\n":                                                       "http[0].url",
		"http:\n  - name: web\n    url: https://x\n    rate_limit: {requests: 0, per: 1s}\n":             "http[0].rate_limit.requests",
		"backups:\n  - name: b\n    path: /x\n    schedule: often\n":                                     "backups[0].schedule",
		"keycloak:\n  - name: kc\n    url: https://kc\n    realm: r\n    username: u\n":                  "keycloak[0].password_env",
		"timeout: forever\nwarden: {}\n":                                                                 "timeout",
		"name: empty\n":                                                                                  "targets",
		"postgres: [\n":                                                                                  "targets",
		"redis:\n  - name: r\n    address: h:1\n    user: app\n":                                         "redis[0].user",
		"postgres:\n  - name: pg\n    address: h:1\n    database: \"" + strings.Repeat("d", 64) + "\"\n": "postgres[0].database",
	}
	for doc, field := range cases {
		_, err := ParseTargets([]byte(doc))
		var we *warden.Error
		if !errorsAs(err, &we) || we.Code != warden.EINVALID || !strings.Contains(we.Field, field) {
			t.Errorf("%q: error %v, want EINVALID naming field %s", doc, err, field)
		}
	}
}

func TestExampleTargetsFileLoads(t *testing.T) {
	tg, err := LoadTargets(filepath.Join("..", "docs", "readiness-targets.example.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if tg.Count() < 10 || len(tg.Postgres) == 0 || tg.Kubernetes == nil || tg.Warden == nil || len(tg.Keycloak) == 0 {
		t.Fatalf("example targets file is missing kinds: %+v", tg)
	}
}

func sampleResults() []Result {
	return []Result{
		{CheckID: "tls.protocol", Kind: "postgres", Target: "pg", Status: StatusPass},
		{CheckID: "postgres.ssl", Kind: "postgres", Target: "pg", Status: StatusPass},
		{CheckID: "tls.chain", Kind: "postgres", Target: "pg", Status: StatusFail, Evidence: "self-signed"},
		{CheckID: "redis.auth", Kind: "redis", Target: "cache", Status: StatusFail, Evidence: "answered PING"},
		{CheckID: "http.hsts", Kind: "http", Target: "web", Status: StatusWarn, Evidence: "short max-age"},
		{CheckID: "backup.fresh", Kind: "backup", Target: "b", Status: StatusError, Evidence: "no such file"},
	}
}

func TestEvaluateScores(t *testing.T) {
	c, _ := LoadCatalogue()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	atts := []Attestation{
		{Item: 30, By: "cto", Evidence: "https://wiki/dr-2026q3", AttestedAt: now.Add(-10 * 24 * time.Hour)},                         // quarterly drill, fresh
		{Item: 29, By: "dba", Evidence: "https://wiki/restore", AttestedAt: now.Add(-400 * 24 * time.Hour)},                          // lapsed (a year)
		{Item: 62, By: "ciso", Evidence: "https://wiki/review", AttestedAt: now.Add(-time.Hour), ExpiresAt: now.Add(24 * time.Hour)}, // expiring soon
	}
	r := Evaluate(c, sampleResults(), atts, now)
	item := func(n int) ItemResult { return r.Items[n-1] }
	if it := item(6); it.Status != StatusFail || !strings.Contains(it.Evidence, "self-signed") {
		t.Errorf("item 6 (PostgreSQL TLS) = %s %q, want fail from tls.chain@postgres", it.Status, it.Evidence)
	}
	if it := item(1); it.Status != StatusSkipped {
		t.Errorf("item 1 (ingress TLS) = %s, want skipped: no http target ran tls.protocol", it.Status)
	}
	if it := item(50); it.Status != StatusFail {
		t.Errorf("item 50 = %s", it.Status)
	}
	if it := item(40); it.Status != StatusWarn {
		t.Errorf("item 40 = %s", it.Status)
	}
	if it := item(25); it.Status != StatusError {
		t.Errorf("item 25 = %s", it.Status)
	}
	if it := item(30); it.Status != StatusPass || it.Attestation == nil {
		t.Errorf("item 30 = %s %v", it.Status, it.Attestation)
	}
	if it := item(29); it.Status != StatusFail || !strings.Contains(it.Evidence, "lapsed") {
		t.Errorf("item 29 = %s %q", it.Status, it.Evidence)
	}
	if it := item(62); it.Status != StatusWarn {
		t.Errorf("item 62 = %s", it.Status)
	}
	// A quarterly failover test attested 100 days ago has lapsed (valid_for 92d).
	r2 := Evaluate(c, nil, []Attestation{{Item: 18, By: "dba", Evidence: "https://wiki/failover", AttestedAt: now.Add(-100 * 24 * time.Hour)}}, now)
	if it := r2.Items[17]; it.Status != StatusFail || !strings.Contains(it.Evidence, "lapsed") {
		t.Errorf("item 18 attested 100 days ago = %s %q, want lapsed", it.Status, it.Evidence)
	}
	if it := item(17); it.Status != StatusFail || !strings.Contains(it.Evidence, "not attested") {
		t.Errorf("item 17 = %s %q", it.Status, it.Evidence)
	}
	// Hand-computed: assessed = automated items 6 (crit, fail), 25 (crit, error),
	// 40 (high, warn), 50 (crit, fail) + all attestation items.
	var got, max float64
	for _, it := range r.Items {
		if it.Status == StatusSkipped {
			continue
		}
		max += it.Severity.Weight()
		got += it.Severity.Weight() * it.Status.value()
	}
	if want := float64(int(1000*got/max+0.5)) / 10; r.Overall.Percent != want {
		t.Errorf("overall %.1f, want %.1f", r.Overall.Percent, want)
	}
	if r.Overall.Pass != 1 || r.Overall.Warn != 2 || r.Overall.Error != 1 {
		t.Errorf("overall counts %+v", r.Overall)
	}
	var tls PhaseScore
	for _, p := range r.Phases {
		if p.Phase == "tls" {
			tls = p
		}
	}
	if tls.Assessed != 2 || tls.Percent != 0 || tls.Skipped != 9 {
		t.Errorf("TLS phase %+v, want 2 assessed (items 3 and 6, failing on tls.chain), 9 not configured", tls)
	}
	for _, f := range r.Frameworks {
		if f.Total == 0 {
			t.Errorf("framework %s covers no items", f.Framework)
		}
	}
}

func TestRenderFormats(t *testing.T) {
	c, _ := LoadCatalogue()
	r := Evaluate(c, sampleResults(), nil, time.Now())
	r.Name = "fineract-prod"
	r.Trend = []TrendPoint{{ScanID: "x", At: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Overall: 12.5}}
	out := map[string]string{}
	for _, f := range Formats {
		var b bytes.Buffer
		if err := Render(&b, r, c, f); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[f] = b.String()
	}
	if err := Render(&bytes.Buffer{}, r, c, "pdf"); warden.ErrorCode(err) != warden.EINVALID {
		t.Errorf("unknown format: %v", err)
	}
	var back Report
	if err := json.Unmarshal([]byte(out["json"]), &back); err != nil || len(back.Items) != 70 || back.Overall != r.Overall {
		t.Errorf("json round trip: %v", err)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Rules []struct{ ID string } `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID string `json:"ruleId"`
				Level  string `json:"level"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out["sarif"]), &sarif); err != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 {
		t.Fatalf("sarif: %v %+v", err, sarif)
	}
	if n := len(sarif.Runs[0].Results); n != 4 {
		t.Errorf("sarif has %d results, want the 4 non-passing check results", n)
	}
	if len(sarif.Runs[0].Tool.Driver.Rules) != len(c.Checks) {
		t.Errorf("sarif rules %d, want %d", len(sarif.Runs[0].Tool.Driver.Rules), len(c.Checks))
	}
	var junit struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Suites   []struct {
			Name string `xml:"name,attr"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out["junit"]), &junit); err != nil || junit.Tests != 70 || len(junit.Suites) != 5 {
		t.Fatalf("junit: %v %+v", err, junit)
	}
	if junit.Failures != r.Overall.Fail || junit.Errors != r.Overall.Error {
		t.Errorf("junit failures %d errors %d, want %d %d", junit.Failures, junit.Errors, r.Overall.Fail, r.Overall.Error)
	}
	if xmllint, err := exec.LookPath("xmllint"); err == nil {
		cmd := exec.Command(xmllint, "--noout", "-")
		cmd.Stdin = strings.NewReader(out["junit"])
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("xmllint rejects the JUnit report: %v\n%s", err, b)
		}
	} else {
		t.Fatal("xmllint missing (Debian libxml2-utils; scripts/test.sh installs it)")
	}
	for _, s := range []string{"<!doctype html>", "RD-006", "self-signed", "GLBA", "Trend:"} {
		if !strings.Contains(out["html"], s) {
			t.Errorf("html lacks %q", s)
		}
	}
	if strings.Contains(out["html"], "<script") {
		t.Error("html report has a script")
	}
	for _, s := range []string{"| RD-050 | fail | critical |", "| PCI-DSS |", "Trend: 2026-10-01 12.5%"} {
		if !strings.Contains(out["markdown"], s) {
			t.Errorf("markdown lacks %q:\n%s", s, out["markdown"])
		}
	}
	for _, s := range []string{"Readiness of fineract-prod", "RD-050", "FAIL", "BSA/AML"} {
		if !strings.Contains(out["table"], s) {
			t.Errorf("table lacks %q", s)
		}
	}
}
