package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// listsCopySDN copies the bundled SDN set and applies edit to sdn.csv.
func listsCopySDN(t *testing.T, edit func(string) string) string {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join("..", "..", "screening", "bundled", "data", "ofac-sdn-2021")
	for _, f := range []string{"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			t.Fatal(err)
		}
		if f == "sdn.csv" {
			b = []byte(edit(string(b)))
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestListsLoadAndStatus(t *testing.T) {
	data := t.TempDir()
	args := []string{"--data-dir", data}
	r := mustRun(t, nil, append([]string{"lists", "status", "--json"}, args...)...)
	st := decodeJSON[map[string]any](t, r.stdout)
	if lists, _ := st["lists"].([]any); len(lists) != 3 {
		t.Fatalf("bundled lists not in service: %s", r)
	}
	// A new SDN version with one entry renamed.
	renamed := listsCopySDN(t, func(s string) string {
		return strings.Replace(s, `306,"BANCO NACIONAL DE CUBA"`, `306,"BANCO NACIONAL DE CUBA S.A."`, 1)
	})
	r = mustRun(t, nil, append([]string{"lists", "load", renamed, "--json"}, args...)...)
	if !strings.Contains(r.stdout, `"changed": 1`) || !strings.Contains(r.stdout, `"added": 0`) || !strings.Contains(r.stdout, `"source": "ofac-sdn"`) ||
		!strings.Contains(r.stdout, `"rescreen": {`) {
		t.Fatalf("load: %s", r)
	}
	r = mustRun(t, nil, append([]string{"lists", "status", "--json"}, args...)...)
	if strings.Contains(r.stdout, `"content_sha256": "23ae27f67525`) {
		t.Fatalf("the old SDN version is still in service: %s", r)
	}
	before := r.stdout
	// A broken file is rejected with file and line; nothing changes.
	broken := listsCopySDN(t, func(s string) string { return s + "99999,\"UNTERMINATED,-0- \n" })
	r = runCLI(t, nil, append([]string{"lists", "load", broken}, args...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "sdn.csv:") {
		t.Fatalf("broken list: %s", r)
	}
	if after := mustRun(t, nil, append([]string{"lists", "status", "--json"}, args...)...).stdout; after != before {
		t.Fatalf("a rejected list changed what is in service:\n%s\n%s", before, after)
	}
	// The load is in the audit log.
	bundle := filepath.Join(t.TempDir(), "b.jsonl")
	mustRun(t, nil, append([]string{"audit", "export", "--out", bundle}, args...)...)
	b, _ := os.ReadFile(bundle)
	if strings.Count(string(b), `"action":"list.load"`) != 4 {
		t.Fatalf("want 4 list.load entries (3 bundled + 1):\n%s", b)
	}
	if r := runCLI(t, nil, append([]string{"lists", "load", t.TempDir()}, args...)...); r.code == 0 {
		t.Fatalf("empty folder accepted: %s", r)
	}
	if r := runCLI(t, nil, append([]string{"lists", "load", "--format", "nope", renamed}, args...)...); r.code == 0 {
		t.Fatalf("unknown format accepted: %s", r)
	}
}
