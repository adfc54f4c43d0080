package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestReportCompliance(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, nil, "apikey", "create", "--role", "service", "--name", "core", "--data-dir", dir) // something in the audit log
	today := time.Now().UTC().Format(time.DateOnly)
	out := filepath.Join(dir, "report.html")
	r := mustRun(t, nil, "report", "compliance", "--from", "2026-01-01", "--to", today, "--out", out, "--data-dir", dir)
	if !strings.Contains(r.stdout, "Audit log: verified") {
		t.Fatalf("stdout %s", r.stdout)
	}
	page, err := os.ReadFile(out)
	if err != nil || !strings.Contains(string(page), "Compliance report") || !strings.Contains(string(page), "ofac-sdn") {
		t.Fatalf("page %v\n%.400s", err, page)
	}
	js := decodeJSON[struct {
		Audit struct {
			OK bool `json:"ok"`
		} `json:"audit"`
		Lists []any `json:"lists"`
	}](t, mustRun(t, nil, "report", "compliance", "--from", "2026-01-01", "--to", today, "--json", "--data-dir", dir).stdout)
	if !js.Audit.OK || len(js.Lists) == 0 {
		t.Fatalf("json %+v", js)
	}
	if r := runCLI(t, nil, "report", "compliance", "--from", today, "--to", "2026-01-01", "--data-dir", dir); r.code != 2 {
		t.Fatalf("reversed period: exit %d", r.code)
	}
	if r := runCLI(t, nil, "report", "compliance", "--from", "2026-01-01", "--to", today, "--format", "pdf", "--data-dir", dir); r.code != 2 {
		t.Fatalf("bad format: exit %d", r.code)
	}
}
