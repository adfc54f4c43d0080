package main

import (
	"errors"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/pgtest"
)

// bootstrapKey returns the one admin key serve printed to stdout.
func bootstrapKey(t *testing.T, stdout string) string {
	t.Helper()
	keys := apiKeyRE.FindAllString(stdout, -1)
	if len(keys) != 1 {
		t.Fatalf("serve printed %d API keys, want exactly 1:\n%s", len(keys), stdout)
	}
	if !strings.Contains(stdout, "first admin API key") || !strings.Contains(stdout, "shown only this once") {
		t.Errorf("the bootstrap message does not explain the key:\n%s", stdout)
	}
	return keys[0]
}

func TestServeSQLite(t *testing.T) {
	dir := t.TempDir()
	srv := startServer(t, nil, "--listen", "127.0.0.1:0", "--data-dir", dir)

	listening, _ := findLog(parseLog(t, srv.stderr.String(), true), "warden listening")
	if listening.str("store") != "sqlite:"+filepath.Join(dir, "warden.db") || listening.str("url") != "http://"+srv.addr {
		t.Errorf("listening line = %v, want store sqlite:%s/warden.db and url http://%s", listening, dir, srv.addr)
	}
	if host, port, err := net.SplitHostPort(srv.addr); err != nil || host != "127.0.0.1" || port == "0" {
		t.Errorf("addr = %q, want 127.0.0.1 and the port the kernel chose", srv.addr)
	}

	admin := bootstrapKey(t, srv.stdout.String())
	who := whoami(t, srv, admin)
	if who["role"] != "admin" || who["kind"] != "api_key" || who["name"] != "bootstrap admin" || who["id"] != admin[4:16] {
		t.Errorf("whoami = %v, want the bootstrap admin key %s", who, admin[4:16])
	}

	if code, body := httpGet(t, srv.url("/healthz"), ""); code != http.StatusOK || body["status"] != "ok" {
		t.Errorf("/healthz = %d %v, want 200 ok", code, body)
	}
	if code, body := httpGet(t, srv.url("/readyz"), ""); code != http.StatusOK || body["store"] != "sqlite" {
		t.Errorf("/readyz = %d %v, want 200 with store sqlite", code, body)
	}
	if code, _ := httpGet(t, srv.url("/v1/whoami"), ""); code != http.StatusUnauthorized {
		t.Errorf("whoami without a key = %d, want 401", code)
	}
	wrong := admin[:len(admin)-1] + "A"
	if wrong == admin {
		wrong = admin[:len(admin)-1] + "B"
	}
	if code, _ := httpGet(t, srv.url("/v1/whoami"), wrong); code != http.StatusUnauthorized {
		t.Errorf("whoami with a wrong secret = %d, want 401", code)
	}

	// A key created with the CLI while the server runs on the same store is
	// accepted at once, and a revocation by another process takes effect
	// within auth.key_cache_ttl (5 s by default).
	r := mustRun(t, nil, "apikey", "create", "--role", "service", "--name", "core", "--json", "--data-dir", dir)
	svc := decodeJSON[createdKey](t, r.stdout)
	if who := whoami(t, srv, svc.Key); who["role"] != "service" || who["id"] != svc.ID || who["name"] != "core" {
		t.Errorf("whoami with the CLI-created key = %v, want service %s", who, svc.ID)
	}
	if code, _ := httpGet(t, srv.url("/v1/apikeys"), svc.Key); code != http.StatusForbidden {
		t.Errorf("a service key listing keys = %d, want 403", code)
	}
	mustRun(t, nil, "apikey", "revoke", svc.ID, "--data-dir", dir)
	revoked := time.Now()
	for {
		code, body := httpGet(t, srv.url("/v1/whoami"), svc.Key)
		if code == http.StatusUnauthorized {
			break
		}
		if time.Since(revoked) > 8*time.Second {
			t.Fatalf("whoami with a key revoked by the CLI = %d %v 8 s later, want 401", code, body)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// The server lists the bootstrap key and the CLI's key.
	code, body := httpGet(t, srv.url("/v1/apikeys"), admin)
	if code != http.StatusOK {
		t.Fatalf("GET /v1/apikeys = %d %v", code, body)
	}
	if list, _ := body["api_keys"].([]any); len(list) != 2 {
		t.Errorf("GET /v1/apikeys lists %d keys, want 2: %v", len(list), body)
	}

	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve returned %d after cancellation, want 0\n%s", code, srv.stderr)
	}
	logs := srv.stderr.String()
	recs := parseLog(t, logs, true)
	if _, ok := findLog(recs, "warden stopped"); !ok {
		t.Errorf("no 'warden stopped' log line:\n%s", logs)
	}
	if n := countLog(recs, "request"); n < 8 {
		t.Errorf("%d access log lines, want one per request (at least 8):\n%s", n, logs)
	}
	assertNoSecret(t, "the server log", logs, admin)
	assertNoSecret(t, "the server log", logs, svc.Key)
	if strings.Count(srv.stdout.String(), admin) != 1 {
		t.Errorf("stdout shows the admin key %d times, want once", strings.Count(srv.stdout.String(), admin))
	}
	if resp, err := http.Get(srv.url("/healthz")); err == nil {
		resp.Body.Close()
		t.Errorf("the server still answers after it stopped")
	}

	// Restart on the same data directory: no new key; the old ones still work.
	srv2 := startServer(t, nil, "--listen", "127.0.0.1:0", "--data-dir", dir)
	if out := srv2.stdout.String(); out != "" {
		t.Errorf("a restart printed to stdout (a new key?):\n%s", out)
	}
	if who := whoami(t, srv2, admin); who["role"] != "admin" {
		t.Errorf("after restart the bootstrap key is %v, want admin", who)
	}
	if code, _ := httpGet(t, srv2.url("/v1/whoami"), svc.Key); code != http.StatusUnauthorized {
		t.Errorf("after restart the revoked key answers %d, want 401", code)
	}
	if code := srv2.stop(t); code != 0 {
		t.Errorf("second serve returned %d, want 0\n%s", code, srv2.stderr)
	}
	rows, _ := listKeys(t, []string{"--data-dir", dir})
	if len(rows) != 2 {
		t.Errorf("after two starts the store has %d keys, want 2 (one bootstrap key)", len(rows))
	}
}

func countLog(recs []logRecord, msg string) int {
	n := 0
	for _, r := range recs {
		if r.str("msg") == msg {
			n++
		}
	}
	return n
}

// TestServeAcceptsKeyCreatedBeforeStart covers the server not running while
// the key is created.
func TestServeAcceptsKeyCreatedBeforeStart(t *testing.T) {
	dir := t.TempDir()
	r := mustRun(t, nil, "apikey", "create", "--role", "auditor", "--name", "auditors", "--json", "--data-dir", dir)
	k := decodeJSON[createdKey](t, r.stdout)

	// The environment's listen address is overridden by the flag.
	srv := startServer(t, []string{"WARDEN_LISTEN=not-an-address"}, "--listen", "127.0.0.1:0", "--data-dir", dir)
	if who := whoami(t, srv, k.Key); who["role"] != "auditor" || who["id"] != k.ID {
		t.Errorf("whoami = %v, want auditor %s", who, k.ID)
	}
	if code := srv.stop(t); code != 0 {
		t.Errorf("serve returned %d, want 0", code)
	}
	assertNoSecret(t, "the server log", srv.stderr.String(), k.Key)
}

func TestServePostgres(t *testing.T) {
	// The test cluster trusts loopback connections, so a password in the DSN
	// is accepted and must never be shown.
	u, err := url.Parse(pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	const password = "pg-Secr3t-in-dsn"
	u.User = url.UserPassword(u.User.Username(), password)
	dsn := u.String()

	srv := startServer(t, nil, "--listen", "127.0.0.1:0", "--store", dsn, "--data-dir", t.TempDir())
	code, body := httpGet(t, srv.url("/readyz"), "")
	if code != http.StatusOK || body["store"] != "postgres" || body["status"] != "ready" {
		t.Errorf("/readyz = %d %v, want 200 ready with store postgres", code, body)
	}
	if v, _ := body["schema_version"].(float64); v < 1 {
		t.Errorf("/readyz schema_version = %v, want >= 1", body["schema_version"])
	}
	admin := bootstrapKey(t, srv.stdout.String())
	if who := whoami(t, srv, admin); who["role"] != "admin" {
		t.Errorf("whoami = %v, want admin", who)
	}

	// The CLI sees the same PostgreSQL store, and its keys work on the server.
	storeArgs := []string{"--store", dsn, "--data-dir", t.TempDir()}
	r := mustRun(t, nil, append([]string{"apikey", "create", "--role", "analyst", "--name", "desk", "--json"}, storeArgs...)...)
	k := decodeJSON[createdKey](t, r.stdout)
	if who := whoami(t, srv, k.Key); who["role"] != "analyst" {
		t.Errorf("whoami with a key created in PostgreSQL by the CLI = %v, want analyst", who)
	}
	rows, _ := listKeys(t, storeArgs)
	if b := rows[admin[4:16]]; b.Name != "bootstrap admin" || b.Role != "admin" || b.Status != "active" {
		t.Errorf("the CLI lists the bootstrap key as %+v, want active admin 'bootstrap admin'", b)
	}

	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve returned %d, want 0\n%s", code, srv.stderr)
	}
	logs := srv.stderr.String()
	listening, _ := findLog(parseLog(t, logs, true), "warden listening")
	if s := listening.str("store"); !strings.HasPrefix(s, "postgres://") || !strings.Contains(s, "xxxxx") {
		t.Errorf("listening line store = %q, want the DSN with its password masked", s)
	}
	if strings.Contains(logs+srv.stdout.String(), password) {
		t.Errorf("serve printed the database password:\n%s", logs)
	}
	assertNoSecret(t, "the server log", logs, admin)
}

func TestServeInvalidConfig(t *testing.T) {
	for _, tc := range []struct {
		name  string
		env   []string
		yaml  string
		args  []string
		field string
	}{
		{name: "file", yaml: "rate_limits:\n  admin: lots\n", field: "rate_limits.admin"},
		{name: "unknown key", yaml: "rate_limit:\n  admin: 5/s\n", field: "rate_limit"},
		{name: "env", env: []string{"WARDEN_HTTP_MAX_BODY_BYTES=abc"}, field: "WARDEN_HTTP_MAX_BODY_BYTES"},
		{name: "env validation", env: []string{"WARDEN_LOG_LEVEL=loud"}, field: "log_level"},
		{name: "listen flag", args: []string{"--listen", ":0"}, field: "listen"},
		{name: "tls", env: []string{"WARDEN_TLS_CERT_FILE=/nonexistent/cert.pem"}, field: "tls"},
		{name: "store", args: []string{"--store", "mysql://db/warden"}, field: "store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			// A later --listen wins, so the listen case overrides this one.
			args := append([]string{"serve", "--data-dir", dir, "--listen", "127.0.0.1:0"}, tc.args...)
			if tc.yaml != "" {
				args = append(args, "--config", writeFile(t, "warden.yaml", tc.yaml))
			}
			r := runCLIWithin(t, 10*time.Second, tc.env, args...)
			if r.code != 2 {
				t.Fatalf("want exit 2, got %s", r)
			}
			if !strings.HasPrefix(r.stderr, "error: ") || !strings.Contains(r.stderr, tc.field) {
				t.Errorf("stderr should be an error naming %s: %q", tc.field, r.stderr)
			}
			if strings.Contains(r.stderr, "warden listening") || r.stdout != "" {
				t.Errorf("serve started despite the invalid configuration: %s", r)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("serve touched the data directory before validating: %v", err)
			}
		})
	}
}

func TestServeListenFailure(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	r := runCLIWithin(t, 10*time.Second, nil, "serve", "--listen", ln.Addr().String(), "--data-dir", t.TempDir())
	if r.code != 1 || !strings.Contains(r.stderr, "listen on "+ln.Addr().String()) {
		t.Errorf("serve on a busy port: want exit 1 and 'listen on %s', got %s", ln.Addr(), r)
	}
	if strings.Contains(r.stderr, "warden listening") {
		t.Errorf("serve logged that it listens on a busy port:\n%s", r.stderr)
	}
}

// TestServeSignals runs the real binary (this test binary acting as warden)
// and stops it with a signal, as an init system or Ctrl-C would.
func TestServeSignals(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			cmd := wardenCommand(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
			stdout, stderr := &syncBuffer{}, &syncBuffer{}
			cmd.Stdout, cmd.Stderr = stdout, stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			exited := false
			t.Cleanup(func() {
				if !exited {
					_ = cmd.Process.Kill()
					<-done
				}
			})

			var addr string
			deadline := time.After(30 * time.Second)
			for addr == "" {
				if rec, ok := findLog(parseLog(t, stderr.String(), false), "warden listening"); ok {
					addr = rec.str("addr")
					break
				}
				select {
				case err := <-done:
					exited = true
					t.Fatalf("the child exited before listening: %v\n--- stdout:\n%s--- stderr:\n%s", err, stdout, stderr)
				case <-deadline:
					t.Fatalf("the child did not log 'warden listening' within 30s\n--- stdout:\n%s--- stderr:\n%s", stdout, stderr)
				case <-time.After(10 * time.Millisecond):
				}
			}
			srv := &testServer{addr: addr}
			// The key is printed before the listening line, but stdout and
			// stderr are separate pipes copied independently.
			waitFor(t, "the bootstrap key on stdout", func() bool { return apiKeyRE.MatchString(stdout.String()) })
			admin := bootstrapKey(t, stdout.String())
			if who := whoami(t, srv, admin); who["role"] != "admin" {
				t.Errorf("whoami = %v, want admin", who)
			}
			if code, _ := httpGet(t, srv.url("/healthz"), ""); code != http.StatusOK {
				t.Errorf("/healthz = %d, want 200", code)
			}

			if err := cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				exited = true
				var ee *exec.ExitError
				if err != nil && !errors.As(err, &ee) {
					t.Fatalf("wait: %v", err)
				}
				if code := cmd.ProcessState.ExitCode(); code != 0 {
					t.Errorf("after %s the child exited %d (%v), want 0\n--- stderr:\n%s", sig, code, err, stderr)
				}
			case <-time.After(15 * time.Second):
				t.Fatalf("the child did not exit within 15s of %s\n--- stderr:\n%s", sig, stderr)
			}
			logs := stderr.String()
			recs := parseLog(t, logs, true)
			for _, msg := range []string{"shutting down: finishing in-flight requests", "warden stopped"} {
				if _, ok := findLog(recs, msg); !ok {
					t.Errorf("the child did not log %q:\n%s", msg, logs)
				}
			}
			assertNoSecret(t, "the child's log", logs, admin)
			// The child ran warden's main, not the tests.
			if out := stdout.String(); strings.Contains(out, "PASS") || strings.Contains(out, "FAIL") || strings.Contains(out, "=== RUN") {
				t.Errorf("the child ran the test framework:\n%s", out)
			}
		})
	}
}

// TestMainExitCodes checks that the real binary turns run's result into its
// exit status and reads its arguments from os.Args.
func TestMainExitCodes(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		code int
		out  string
	}{
		{[]string{"version"}, 0, "warden "},
		{[]string{"apikey", "create", "--role", "bogus", "--name", "x", "--data-dir", dir}, 2, ""},
		{[]string{"apikey", "revoke", "0123456789ab", "--data-dir", dir}, 1, ""},
	} {
		cmd := wardenCommand(t, tc.args...)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if code := cmd.ProcessState.ExitCode(); code != tc.code || !strings.HasPrefix(stdout.String(), tc.out) {
			t.Errorf("warden %v: exit %d, stdout %q, stderr %q; want exit %d and stdout starting %q",
				tc.args, code, stdout.String(), stderr.String(), tc.code, tc.out)
		}
		if tc.code != 0 && !strings.HasPrefix(stderr.String(), "error: ") {
			t.Errorf("warden %v: stderr %q, want an error", tc.args, stderr.String())
		}
	}
}

// waitFor polls cond for up to 10 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
