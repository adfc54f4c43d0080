package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAuditHoldAndArchiveCLI(t *testing.T) {
	f := newAuditFixture(t, 3)
	// A one-second retention so that entries a few seconds old may go.
	env := []string{"WARDEN_AUDIT_RETENTION=1s"}
	tomorrow := time.Now().UTC().Add(24 * time.Hour).Format(time.DateOnly)
	out := filepath.Join(t.TempDir(), "archive.jsonl")

	mustRun(t, env, append([]string{"audit", "hold", "set", "--reason", "subpoena 42"}, f.args...)...)
	// Setting the hold is an audited change, and the command signs a
	// checkpoint that covers it.
	var entries, signed int64
	db, err := sql.Open("sqlite", filepath.Join(f.dir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.QueryRow(`SELECT (SELECT COUNT(*) FROM audit_entries), (SELECT MAX(size) FROM audit_checkpoints)`).Scan(&entries, &signed); err != nil || signed != entries {
		t.Fatalf("after hold set: %d entries, newest checkpoint %d (%v)", entries, signed, err)
	}
	r := runCLI(t, env, append([]string{"audit", "hold", "status", "--json"}, f.args...)...)
	if st := decodeJSON[map[string]any](t, r.stdout); st["active"] != true {
		t.Fatalf("status: %s", r)
	}
	// Within retention: refused even without a hold, naming the date.
	r = runCLI(t, nil, append([]string{"audit", "archive", "--before", tomorrow, "--out", out}, f.args...)...)
	if r.code == 0 || !strings.Contains(r.stderr, "legal hold") {
		t.Fatalf("archive under hold: %s", r)
	}
	mustRun(t, env, append([]string{"audit", "hold", "release", "--reason", "case closed"}, f.args...)...)
	r = runCLI(t, nil, append([]string{"audit", "archive", "--before", tomorrow, "--out", out}, f.args...)...)
	if r.code == 0 || !strings.Contains(r.stderr, "retention period") {
		t.Fatalf("archive inside the default retention: %s", r)
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("a refused archive left a file")
	}
	if r := runCLI(t, env, append([]string{"audit", "archive", "--before", tomorrow, "--out", out}, f.args...)...); r.code == 0 {
		t.Fatalf("archive of the future: %s", r)
	}
	// Hold set + release appended 2 entries: 5 in all, all older than cut.
	time.Sleep(1100 * time.Millisecond)
	cut := time.Now().UTC()
	time.Sleep(1100 * time.Millisecond)
	r = mustRun(t, env, append([]string{"audit", "archive", "--before", cut.Format(time.RFC3339Nano), "--out", out, "--json"}, f.args...)...)
	ar := decodeJSON[map[string]any](t, r.stdout)
	if ar["entries"] != float64(5) || ar["before_index"] != float64(5) {
		t.Fatalf("archive: %s", r)
	}
	// The archive verifies offline; the pruned store verifies on its own.
	if r := runCLI(t, nil, "audit", "verify", out, "--key", f.vkey); r.code != 0 || !strings.Contains(r.stdout, "OK: 5 entries") {
		t.Fatalf("archive verify: %s", r)
	}
	if r := f.verify(t); r.code != 0 || !strings.Contains(r.stdout, "from index 5") {
		t.Fatalf("pruned store verify: %s", r)
	}
	// Bad input.
	for _, args := range [][]string{
		{"audit", "archive", "--before", "yesterday", "--out", out},
		{"audit", "archive", "--out", out},
		{"audit", "hold", "set"},
	} {
		if r := runCLI(t, nil, append(args, f.args...)...); r.code != 2 {
			t.Errorf("%v: %s", args, r)
		}
	}
	if r := runCLI(t, nil, append([]string{"audit", "hold", "set", "--reason", "x"}, f.args...)...); r.code == 0 || !strings.Contains(r.stderr, "reason") {
		t.Errorf("short reason: %s", r)
	}
}
