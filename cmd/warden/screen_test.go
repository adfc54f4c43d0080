package main

import (
	"strings"
	"testing"
)

func TestScreenCLI(t *testing.T) {
	dd := []string{"--data-dir", t.TempDir()}
	r := mustRun(t, nil, append([]string{"screen", "Banco Nacionall de Cuba", "--json"}, dd...)...)
	res := decodeJSON[map[string]any](t, r.stdout)
	hits, _ := res["hits"].([]any)
	if len(hits) == 0 || hits[0].(map[string]any)["entry_id"] != "306" {
		t.Fatalf("%s", r)
	}
	if lv, _ := res["list_versions"].([]any); len(lv) != 3 {
		t.Fatalf("list versions: %s", r)
	}
	r = mustRun(t, nil, append([]string{"screen", "Kim Jong Un", "--dob", "1984", "--country", "KP"}, dd...)...)
	if !strings.Contains(r.stdout, "20157") || !strings.Contains(r.stdout, "date_of_birth:agree") || !strings.Contains(r.stderr, "loading sanctions lists") {
		t.Fatalf("%s", r)
	}
	if r := mustRun(t, nil, append([]string{"screen", "Emily Johnson"}, dd...)...); !strings.Contains(r.stdout, "No hits") {
		t.Fatalf("%s", r)
	}
	for _, args := range [][]string{
		{"screen"},
		{"screen", "x", "--country", "Kenya"},
		{"screen", "x", "--dob", "yesterday"},
		{"screen", "x", "--threshold", "2"},
		{"screen", "x", "--list", "nope"},
	} {
		if r := runCLI(t, nil, append(args, dd...)...); r.code != 2 {
			t.Errorf("%v: %s", args, r)
		}
	}
}
