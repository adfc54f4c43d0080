package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/internal/pgtest"
)

func TestAPIKeyLifecycleSQLite(t *testing.T) {
	dir := t.TempDir()
	testKeyLifecycle(t, []string{"--data-dir", dir}, func() *auth.Service { return openKeys(t, "", dir) })
}

func TestAPIKeyLifecyclePostgres(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	testKeyLifecycle(t, []string{"--store", dsn, "--data-dir", t.TempDir()}, func() *auth.Service { return openKeys(t, dsn, "") })
}

// testKeyLifecycle creates, lists, rotates and revokes keys through the CLI
// and checks each step both in the CLI's output and by authenticating the
// keys against the same store.
func testKeyLifecycle(t *testing.T, storeArgs []string, open func() *auth.Service) {
	ctx := t.Context()
	apikey := func(args ...string) cliResult {
		t.Helper()
		return runCLI(t, nil, append(append([]string{"apikey"}, args...), storeArgs...)...)
	}

	// Create, as JSON.
	before := time.Now()
	r := apikey("create", "--role", "service", "--name", "core", "--json")
	if r.code != 0 {
		t.Fatalf("create: %s", r)
	}
	if r.stderr != "" {
		t.Errorf("create wrote to stderr: %q", r.stderr)
	}
	created := decodeJSON[createdKey](t, r.stdout)
	raw := decodeJSON[map[string]any](t, r.stdout)
	if _, ok := raw["rotated_from"]; ok {
		t.Errorf("a new key has rotated_from: %s", r.stdout)
	}
	if len(created.ID) != 12 || strings.Trim(created.ID, "0123456789abcdef") != "" {
		t.Errorf("id = %q, want 12 lowercase hex characters", created.ID)
	}
	if !strings.HasPrefix(created.Key, "wdn_"+created.ID+"_") {
		t.Errorf("key = %q, want it to start with wdn_%s_", created.Key, created.ID)
	}
	secretOf(t, created.Key) // well-formed
	if created.Role != "service" || created.Name != "core" {
		t.Errorf("role, name = %q, %q; want service, core", created.Role, created.Name)
	}
	assertAbout(t, "expires_at", created.ExpiresAt, before.Add(90*24*time.Hour), time.Minute)
	key := created.Key

	// The key authenticates against the same store.
	keys := open()
	actor, err := keys.Authenticate(ctx, key)
	if err != nil {
		t.Fatalf("authenticate the created key: %v", err)
	}
	if actor.ID != created.ID || actor.Role != "service" || actor.Name != "core" || actor.Kind != "api_key" {
		t.Errorf("actor = %+v, want api_key %s service core", actor, created.ID)
	}
	if _, err := keys.Authenticate(ctx, "wdn_"+created.ID+"_"+strings.Repeat("A", 43)); err == nil {
		t.Errorf("a key with the right id and a wrong secret authenticated")
	}

	// List, as JSON: the key is there, active, without its secret.
	rows, out := listKeys(t, storeArgs)
	row, ok := rows[created.ID]
	if !ok {
		t.Fatalf("list does not show %s:\n%s", created.ID, out)
	}
	if row.Status != "active" || row.Role != "service" || row.Name != "core" || row.Prefix != "wdn_"+created.ID {
		t.Errorf("listed key = %+v, want active service core with prefix wdn_%s", row, created.ID)
	}
	// The store keeps microseconds; create reports the time before storing.
	if !row.ExpiresAt.Equal(created.ExpiresAt.Truncate(time.Microsecond)) {
		t.Errorf("listed expires_at %s, create said %s", row.ExpiresAt, created.ExpiresAt)
	}
	if row.RevokedAt != nil || row.RotatedTo != "" || row.RotatedFrom != "" {
		t.Errorf("a fresh key shows revocation or rotation: %+v", row)
	}
	if !strings.HasPrefix(row.CreatedBy, "system:cli:") {
		t.Errorf("created_by = %q, want the CLI operator (system:cli:...)", row.CreatedBy)
	}
	assertNoSecret(t, "apikey list --json", out, key)
	if strings.Contains(strings.ToLower(out), `"hash"`) {
		t.Errorf("apikey list --json shows the key hash:\n%s", out)
	}

	// List, as text.
	r = apikey("list")
	if r.code != 0 {
		t.Fatalf("list: %s", r)
	}
	if !strings.HasPrefix(r.stdout, "ID") || !strings.Contains(r.stdout, "STATUS") {
		t.Errorf("list has no header line:\n%s", r.stdout)
	}
	if line := lineWith(r.stdout, created.ID); !strings.Contains(line, "core") || !strings.Contains(line, "service") || !strings.Contains(line, "active") {
		t.Errorf("list line for %s = %q, want core, service, active", created.ID, line)
	}
	assertNoSecret(t, "apikey list", r.stdout, key)

	// Rotate, as JSON: a new key that names its predecessor.
	before = time.Now()
	r = apikey("rotate", created.ID, "--json")
	if r.code != 0 {
		t.Fatalf("rotate: %s", r)
	}
	next := decodeJSON[createdKey](t, r.stdout)
	if next.RotatedFrom != created.ID {
		t.Errorf("rotated_from = %q, want %s", next.RotatedFrom, created.ID)
	}
	if next.ID == created.ID || next.Key == key || !strings.HasPrefix(next.Key, "wdn_"+next.ID+"_") {
		t.Errorf("rotate returned id %s key %s; want a new id and key (old id %s)", next.ID, next.Key, created.ID)
	}
	if next.Role != "service" || next.Name != "core" {
		t.Errorf("successor role, name = %q, %q; want service, core", next.Role, next.Name)
	}
	assertAbout(t, "successor expires_at", next.ExpiresAt, before.Add(90*24*time.Hour), time.Minute)

	rows, out = listKeys(t, storeArgs)
	if old := rows[created.ID]; old.Status != "rotating" || old.RotatedTo != next.ID {
		t.Errorf("old key after rotation = %+v, want status rotating, rotated_to %s", old, next.ID)
	} else {
		// The old key keeps working for the rotation overlap, 7 days by default.
		assertAbout(t, "old key's expiry after rotation", old.ExpiresAt, before.Add(7*24*time.Hour), time.Minute)
	}
	if nk := rows[next.ID]; nk.Status != "active" || nk.RotatedFrom != created.ID {
		t.Errorf("successor = %+v, want active with rotated_from %s", nk, created.ID)
	}
	assertNoSecret(t, "apikey list --json", out, key)
	assertNoSecret(t, "apikey list --json", out, next.Key)
	for _, k := range []string{key, next.Key} {
		if _, err := keys.Authenticate(ctx, k); err != nil {
			t.Errorf("during the rotation overlap, %s... does not authenticate: %v", k[:16], err)
		}
	}

	// Rotating the old key again is refused.
	r = apikey("rotate", created.ID)
	if r.code == 0 || !strings.Contains(r.stderr, "already rotated") {
		t.Errorf("rotating a rotated key: want non-zero exit and 'already rotated', got %s", r)
	}

	// Revoke the old key, as text.
	r = apikey("revoke", created.ID)
	if r.code != 0 {
		t.Fatalf("revoke: %s", r)
	}
	if want := "Revoked " + created.ID + " (core).\n"; r.stdout != want {
		t.Errorf("revoke printed %q, want %q", r.stdout, want)
	}
	rows, _ = listKeys(t, storeArgs)
	if old := rows[created.ID]; old.Status != "revoked" || old.RevokedAt == nil {
		t.Errorf("after revoke: %+v, want status revoked with revoked_at", old)
	} else {
		assertAbout(t, "revoked_at", *old.RevokedAt, time.Now(), time.Minute)
	}
	if _, err := keys.Authenticate(ctx, key); err == nil || !strings.Contains(err.Error(), "revoked") {
		t.Errorf("authenticate a revoked key: want a 'revoked' error, got %v", err)
	}
	if _, err := keys.Authenticate(ctx, next.Key); err != nil {
		t.Errorf("revoking the old key broke its successor: %v", err)
	}

	// Revoking again fails with a message.
	r = apikey("revoke", created.ID)
	if r.code == 0 || !strings.Contains(r.stderr, "already revoked") || !strings.Contains(r.stderr, created.ID) {
		t.Errorf("revoking twice: want non-zero exit and a message naming the key, got %s", r)
	}
	if r.stdout != "" {
		t.Errorf("failed revoke wrote to stdout: %q", r.stdout)
	}

	// Unknown and malformed ids.
	r = apikey("revoke", "0123456789ab")
	if r.code == 0 || !strings.Contains(r.stderr, "not found") {
		t.Errorf("revoking an unknown id: want non-zero exit and 'not found', got %s", r)
	}
	r = apikey("revoke", "nope")
	if r.code == 0 || !strings.Contains(r.stderr, "id") || !strings.Contains(r.stderr, `"nope"`) {
		t.Errorf("revoking a malformed id: want non-zero exit naming the id, got %s", r)
	}

	// Revoke the successor, as JSON, by its visible prefix.
	r = apikey("revoke", "wdn_"+next.ID, "--json")
	if r.code != 0 {
		t.Fatalf("revoke --json by prefix: %s", r)
	}
	rev := decodeJSON[struct {
		ID        string     `json:"id"`
		Status    string     `json:"status"`
		RevokedAt *time.Time `json:"revoked_at"`
	}](t, r.stdout)
	if rev.ID != next.ID || rev.Status != "revoked" || rev.RevokedAt == nil || rev.RevokedAt.IsZero() {
		t.Errorf("revoke --json = %+v, want id %s status revoked with revoked_at", rev, next.ID)
	}
	if _, err := keys.Authenticate(ctx, next.Key); err == nil {
		t.Errorf("the revoked successor still authenticates")
	}

	// Create and rotate, as text, with an explicit lifetime.
	before = time.Now()
	r = apikey("create", "--role", "analyst", "--name", "ops desk", "--expires", "12h")
	if r.code != 0 {
		t.Fatalf("create --expires 12h: %s", r)
	}
	found := apiKeyRE.FindAllString(r.stdout, -1)
	if len(found) != 1 {
		t.Fatalf("text create printed %d keys, want 1:\n%s", len(found), r.stdout)
	}
	human := found[0]
	humanID := human[len("wdn_") : len("wdn_")+12]
	for _, want := range []string{`Created analyst key "ops desk" (id ` + humanID + `)`, "shown only this once", "\n    " + human + "\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("text create output lacks %q:\n%s", want, r.stdout)
		}
	}
	rows, _ = listKeys(t, storeArgs)
	if k, ok := rows[humanID]; !ok || k.Role != "analyst" || k.Status != "active" {
		t.Errorf("list after text create: %+v (found %v), want active analyst", k, ok)
	} else {
		assertAbout(t, "--expires 12h expiry", k.ExpiresAt, before.Add(12*time.Hour), time.Minute)
	}
	if a, err := keys.Authenticate(ctx, human); err != nil || a.Role != "analyst" || a.Name != "ops desk" {
		t.Errorf("authenticate the text-created key: %+v, %v", a, err)
	}

	before = time.Now()
	r = apikey("rotate", humanID)
	if r.code != 0 {
		t.Fatalf("text rotate: %s", r)
	}
	found = apiKeyRE.FindAllString(r.stdout, -1)
	if len(found) != 1 || found[0] == human {
		t.Fatalf("text rotate printed keys %v, want one new key:\n%s", found, r.stdout)
	}
	if !strings.Contains(r.stdout, "It succeeds "+humanID) {
		t.Errorf("text rotate does not name the predecessor %s:\n%s", humanID, r.stdout)
	}
	rows, _ = listKeys(t, storeArgs)
	succ := rows[found[0][len("wdn_"):len("wdn_")+12]]
	// A rotated key keeps its predecessor's lifetime; the old key's 12h is
	// shorter than the 7-day overlap, so it keeps its own expiry.
	assertAbout(t, "successor of a 12h key expires", succ.ExpiresAt, before.Add(12*time.Hour), time.Minute)
	if old := rows[humanID]; old.Status != "rotating" || !old.ExpiresAt.Before(before.Add(13*time.Hour)) {
		t.Errorf("rotated 12h key = %+v, want rotating with its 12h expiry kept", old)
	}
}

// lineWith returns the first line of s that contains sub.
func lineWith(s, sub string) string {
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			return line
		}
	}
	return ""
}

func TestAPIKeyCreateUsageErrors(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	for _, tc := range []struct {
		name  string
		args  []string
		wants []string
	}{
		{"bogus expiry", []string{"--role", "service", "--name", "core", "--expires", "bogus"}, []string{"expires", `"bogus"`}},
		{"negative expiry", []string{"--role", "service", "--name", "core", "--expires", "-5h"}, []string{"expires", "negative"}},
		{"too short", []string{"--role", "service", "--name", "core", "--expires", "30m"}, []string{"between 1h and 366d"}},
		{"too long", []string{"--role", "service", "--name", "core", "--expires", "400d"}, []string{"between 1h and 366d"}},
		{"bogus role", []string{"--role", "bogus", "--name", "core"}, []string{"role", `"bogus"`, "admin, analyst, auditor, service"}},
		{"missing name", []string{"--role", "service"}, []string{"--name"}},
		{"missing role", []string{"--name", "core"}, []string{"--role"}},
		{"empty name", []string{"--role", "service", "--name", "  "}, []string{"name", "required"}},
		{"unknown flag", []string{"--role", "service", "--name", "core", "--colour", "red"}, []string{"--colour"}},
		{"argument", []string{"--role", "service", "--name", "core", "extra"}, []string{"extra"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runCLI(t, nil, append([]string{"apikey", "create", "--data-dir", dir}, tc.args...)...)
			if tc.name == "argument" {
				// Surplus arguments are rejected; cobra reports them with exit 1.
				if r.code == 0 {
					t.Fatalf("want a non-zero exit, got %s", r)
				}
			} else if r.code != 2 {
				t.Fatalf("want exit 2, got %s", r)
			}
			for _, want := range tc.wants {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr lacks %q: %q", want, r.stderr)
				}
			}
			if !strings.HasPrefix(r.stderr, "error: ") || strings.Count(r.stderr, "\n") != 1 {
				t.Errorf("want one 'error: ' line on stderr, got %q", r.stderr)
			}
			if r.stdout != "" || apiKeyRE.MatchString(r.stderr) {
				t.Errorf("a rejected create printed output or a key: %s", r)
			}
		})
	}
	// Nothing was created: the store was never even opened.
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("rejected creates touched the data directory: %v", err)
	}

	// --json errors are a JSON document naming the field.
	r := runCLI(t, nil, "apikey", "create", "--json", "--data-dir", dir, "--role", "service", "--name", "core", "--expires", "bogus")
	if r.code != 2 || r.stdout != "" {
		t.Fatalf("want exit 2 and no stdout, got %s", r)
	}
	e := decodeCLIError(t, r.stderr)
	if e.Error.Code != "invalid" || e.Error.Field != "expires" || !strings.Contains(e.Error.Message, "bogus") {
		t.Errorf("JSON error = %+v, want invalid, field expires, a message naming the value", e.Error)
	}
}

// TestAPIKeyPostgresPasswordNeverPrinted uses a DSN with a password (the test
// cluster trusts loopback, so any password connects) and checks no command
// prints it.
func TestAPIKeyPostgresPasswordNeverPrinted(t *testing.T) {
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	const password = "pw-Secr3t-never-printed"
	u.User = url.UserPassword(u.User.Username(), password)
	dsn := u.String()
	storeArgs := []string{"--store", dsn, "--data-dir", t.TempDir()}

	var outputs []cliResult
	for _, args := range [][]string{
		{"migrate"}, {"migrate", "--json"}, {"config", "check"}, {"config", "check", "--json"},
		{"apikey", "create", "--role", "auditor", "--name", "audit", "--json"}, {"apikey", "list"},
	} {
		outputs = append(outputs, mustRun(t, nil, append(args, storeArgs...)...))
	}
	for _, r := range outputs {
		if strings.Contains(r.stdout+r.stderr, password) {
			t.Errorf("output contains the database password:\n%s", r)
		}
	}
	if !strings.Contains(outputs[0].stdout, "xxxxx") {
		t.Errorf("migrate does not show the redacted store: %q", outputs[0].stdout)
	}
	created := decodeJSON[createdKey](t, outputs[4].stdout)
	if a, err := openKeys(t, dsn, "").Authenticate(t.Context(), created.Key); err != nil || a.Role != "auditor" {
		t.Errorf("authenticate the key created in PostgreSQL: %+v, %v", a, err)
	}
}
