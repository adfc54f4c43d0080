package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite"
)

// auditFixture is a data directory whose audit log holds the records of n
// keys created through the CLI, each command signing a checkpoint.
type auditFixture struct {
	dir  string
	args []string
	vkey string
}

func newAuditFixture(t *testing.T, n int) *auditFixture {
	t.Helper()
	f := &auditFixture{dir: t.TempDir()}
	f.args = []string{"--data-dir", f.dir}
	for i := range n {
		mustRun(t, nil, append([]string{"apikey", "create", "--role", "service", "--name", fmt.Sprint("k", i)}, f.args...)...)
	}
	out := mustRun(t, nil, append([]string{"audit", "checkpoint", "--json"}, f.args...)...)
	f.vkey = decodeJSON[map[string]any](t, out.stdout)["public_key"].(string)
	return f
}

// sql opens the store file directly, with the append-only triggers dropped:
// what an attacker with file access can do.
func (f *auditFixture) sql(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(f.dir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, tbl := range []string{"audit_entries", "audit_hashes", "audit_checkpoints"} {
		for _, op := range []string{"update", "delete"} {
			f.exec(t, db, fmt.Sprintf("DROP TRIGGER IF EXISTS %s_no_%s", tbl, op))
		}
	}
	return db
}

func (f *auditFixture) exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func (f *auditFixture) verify(t *testing.T, extra ...string) cliResult {
	t.Helper()
	return runCLI(t, nil, append(append([]string{"audit", "verify"}, f.args...), extra...)...)
}

func wantVerifyFailure(t *testing.T, r cliResult, fragment string) {
	t.Helper()
	if r.code != 1 || !strings.Contains(r.stderr, fragment) {
		t.Fatalf("want exit 1 and %q, got %s", fragment, r)
	}
}

func TestAuditVerifyLiveStore(t *testing.T) {
	f := newAuditFixture(t, 4)
	r := f.verify(t)
	if r.code != 0 || !strings.Contains(r.stdout, "OK: 4 entries") {
		t.Fatalf("clean store: %s", r)
	}
	r = f.verify(t, "--json")
	rep := decodeJSON[map[string]any](t, r.stdout)
	if r.code != 0 || rep["ok"] != true || rep["entries"] != float64(4) {
		t.Fatalf("json: %s", r)
	}
}

func TestAuditVerifyCatchesTamperedStore(t *testing.T) {
	cases := []struct {
		name     string
		tamper   func(t *testing.T, f *auditFixture, db *sql.DB)
		extra    func(f *auditFixture) []string
		fragment string
	}{
		{"modified entry", func(t *testing.T, f *auditFixture, db *sql.DB) {
			f.exec(t, db, `UPDATE audit_entries SET data = replace(data, '"role":"service"', '"role":"admin"') WHERE idx = 2`)
		}, nil, "failed at index 2: entry content does not match its recorded leaf hash"},
		{"deleted entry", func(t *testing.T, f *auditFixture, db *sql.DB) {
			f.exec(t, db, `DELETE FROM audit_entries WHERE idx = 1`)
		}, nil, "failed at index 1: entry 1 is missing"},
		{"reordered entries", func(t *testing.T, f *auditFixture, db *sql.DB) {
			f.exec(t, db, `UPDATE audit_entries SET idx = -1 WHERE idx = 1`)
			f.exec(t, db, `UPDATE audit_entries SET idx = 1 WHERE idx = 2`)
			f.exec(t, db, `UPDATE audit_entries SET idx = 2 WHERE idx = -1`)
		}, nil, "failed at index 1: entry at position 1 does not carry index 1"},
		{"truncated log", func(t *testing.T, f *auditFixture, db *sql.DB) {
			f.exec(t, db, `DELETE FROM audit_entries WHERE idx >= 3`)
			f.exec(t, db, `DELETE FROM audit_hashes WHERE idx >= 3`)
		}, nil, "failed at index 3: the log was truncated"},
		{"forged checkpoint", func(t *testing.T, f *auditFixture, db *sql.DB) {
			f.exec(t, db, `UPDATE audit_checkpoints SET note = replace(note, 'warden/audit
4
', 'warden/audit
5
') WHERE size = 4`)
		}, nil, "forged or signed by an untrusted key"},
		{"re-signed checkpoints", func(t *testing.T, f *auditFixture, db *sql.DB) {
			// The attacker alters an entry, replaces the signing key with their
			// own, recomputes the leaf hashes and re-signs.
			f.exec(t, db, `DELETE FROM audit_checkpoints`)
			if err := os.Remove(filepath.Join(f.dir, "audit-signing.key")); err != nil {
				t.Fatal(err)
			}
			mustRun(t, nil, append([]string{"audit", "checkpoint"}, f.args...)...)
		}, func(f *auditFixture) []string { return []string{"--key", f.vkey} }, "forged or signed by an untrusted key"},
		{"damaged interior hash", func(t *testing.T, f *auditFixture, db *sql.DB) {
			// Entry 1 closes the subtree [0,2); its second stored hash is that
			// interior node, which proofs are built from.
			f.exec(t, db, `UPDATE audit_hashes SET hashes = substr(hashes, 1, 32) || zeroblob(32) WHERE idx = 1`)
		}, nil, "stored interior hashes do not match"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newAuditFixture(t, 4)
			c.tamper(t, f, f.sql(t))
			var extra []string
			if c.extra != nil {
				extra = c.extra(f)
			}
			wantVerifyFailure(t, f.verify(t, extra...), c.fragment)
		})
	}
}

func TestAuditExportAndVerifyOffline(t *testing.T) {
	f := newAuditFixture(t, 3)
	bundle := filepath.Join(t.TempDir(), "audit.jsonl")
	r := mustRun(t, nil, append([]string{"audit", "export", "--out", bundle, "--json"}, f.args...)...)
	if out := decodeJSON[map[string]any](t, r.stdout); out["size"] != float64(3) {
		t.Fatalf("export: %s", r)
	}
	cp := filepath.Join(t.TempDir(), "trusted.cp")
	mustRun(t, nil, append([]string{"audit", "checkpoint", "--out", cp}, f.args...)...)

	// Offline: no data directory, no database, only the file and the key.
	r = runCLI(t, nil, "audit", "verify", bundle, "--key", f.vkey, "--trusted-checkpoint", cp)
	if r.code != 0 || !strings.Contains(r.stdout, "OK: 3 entries") {
		t.Fatalf("offline verify: %s", r)
	}
	if _, err := os.Stat(filepath.Join(t.TempDir(), "warden-data")); err == nil {
		t.Fatal("offline verification created a data directory")
	}
	// The same bundle with an entry altered names the index.
	b, _ := os.ReadFile(bundle)
	lines := strings.Split(string(b), "\n")
	for i, l := range lines {
		if strings.Contains(l, `"index":1,"entry"`) {
			lines[i] = strings.Replace(l, `"name":"k1"`, `"name":"kX"`, 1)
		}
	}
	tampered := filepath.Join(t.TempDir(), "tampered.jsonl")
	os.WriteFile(tampered, []byte(strings.Join(lines, "\n")), 0o600)
	wantVerifyFailure(t, runCLI(t, nil, "audit", "verify", tampered, "--key", f.vkey), "failed at index 1")

	// A fork: the history is rewritten (with the real key) after the trusted
	// checkpoint was saved.
	db := f.sql(t)
	f.exec(t, db, `DELETE FROM audit_entries`)
	f.exec(t, db, `DELETE FROM audit_hashes`)
	f.exec(t, db, `DELETE FROM audit_checkpoints`)
	for i := range 5 {
		mustRun(t, nil, append([]string{"apikey", "create", "--role", "auditor", "--name", fmt.Sprint("other", i)}, f.args...)...)
	}
	r = f.verify(t, "--trusted-checkpoint", cp)
	wantVerifyFailure(t, r, "forked from the trusted checkpoint at size 3")

	// Missing and malformed inputs are usage errors, not verification passes.
	if r := runCLI(t, nil, "audit", "verify", filepath.Join(t.TempDir(), "none.jsonl")); r.code != 2 {
		t.Fatalf("missing bundle: %s", r)
	}
	garbage := filepath.Join(t.TempDir(), "g.jsonl")
	os.WriteFile(garbage, []byte("hello\n"), 0o600)
	wantVerifyFailure(t, runCLI(t, nil, "audit", "verify", garbage), "not a warden-audit-bundle/1 bundle")
	var rep map[string]any
	r = runCLI(t, nil, "audit", "verify", garbage, "--json")
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || rep["ok"] != false || r.code != 1 {
		t.Fatalf("json failure report: %s", r)
	}
}

func TestServeRecordsItsStartInTheAuditLog(t *testing.T) {
	dir := t.TempDir()
	s := startServer(t, nil, "--listen", "127.0.0.1:0", "--data-dir", dir)
	if code := s.stop(t); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
	bundle := filepath.Join(t.TempDir(), "b.jsonl")
	mustRun(t, nil, "audit", "export", "--out", bundle, "--data-dir", dir)
	b, err := os.ReadFile(bundle)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if !strings.Contains(text, `"action":"system.start"`) || !strings.Contains(text, `"config_sha256":"`) || !strings.Contains(text, `"action":"apikey.bootstrap"`) {
		t.Fatalf("bundle lacks the start or bootstrap entries:\n%s", text)
	}
	// serve signed a last checkpoint on the way out: everything is covered.
	r := runCLI(t, nil, "audit", "verify", bundle)
	if r.code != 0 || strings.Contains(r.stderr, "not yet covered") {
		t.Fatalf("%s", r)
	}
}
