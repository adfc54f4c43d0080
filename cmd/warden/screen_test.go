package main

import (
	"strings"
	"testing"
)

func TestScreenCLI(t *testing.T) {
	r := mustRun(t, nil, "screen", "Banco Nacionall de Cuba", "--json")
	res := decodeJSON[map[string]any](t, r.stdout)
	hits, _ := res["hits"].([]any)
	if len(hits) == 0 || hits[0].(map[string]any)["entry_id"] != "306" {
		t.Fatalf("%s", r)
	}
	if lv, _ := res["list_versions"].([]any); len(lv) != 3 {
		t.Fatalf("list versions: %s", r)
	}
	r = mustRun(t, nil, "screen", "Kim Jong Un", "--dob", "1984", "--country", "KP")
	if !strings.Contains(r.stdout, "20157") || !strings.Contains(r.stdout, "date_of_birth:agree") || !strings.Contains(r.stderr, "loading sanctions lists") {
		t.Fatalf("%s", r)
	}
	if r := mustRun(t, nil, "screen", "Emily Johnson"); !strings.Contains(r.stdout, "No hits") {
		t.Fatalf("%s", r)
	}
	for _, args := range [][]string{
		{"screen"},
		{"screen", "x", "--country", "Kenya"},
		{"screen", "x", "--dob", "yesterday"},
		{"screen", "x", "--threshold", "2"},
		{"screen", "x", "--list", "nope"},
	} {
		if r := runCLI(t, nil, args...); r.code != 2 {
			t.Errorf("%v: %s", args, r)
		}
	}
}
