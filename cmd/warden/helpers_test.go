package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/internal/testutil"
	"github.com/wardenhq/warden/store"
)

// apiKeyRE matches a whole Warden API key: prefix, 12 hex id, 43 base64url.
var apiKeyRE = regexp.MustCompile(`wdn_[0-9a-f]{12}_[A-Za-z0-9_-]{43}`)

// cliResult is what one in-process CLI invocation produced.
type cliResult struct {
	code           int
	stdout, stderr string
}

func (r cliResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// runCLI runs the CLI in-process with exactly the given environment (nil
// means none), so that the host's WARDEN_* variables cannot leak in.
func runCLI(t *testing.T, environ []string, args ...string) cliResult {
	t.Helper()
	return runCLIWithin(t, time.Minute, environ, args...)
}

// runCLIWithin is runCLI with a deadline, for commands that should return at
// once but would block (such as serve) if they wrongly succeeded.
func runCLIWithin(t *testing.T, timeout time.Duration, environ []string, args ...string) cliResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, strings.NewReader(""), &stdout, &stderr, environ)
	return cliResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// mustRun is runCLI that fails the test unless the command exits 0.
func mustRun(t *testing.T, environ []string, args ...string) cliResult {
	t.Helper()
	r := runCLI(t, environ, args...)
	if r.code != 0 {
		t.Fatalf("warden %s: want exit 0, got %s", strings.Join(args, " "), r)
	}
	return r
}

// decodeJSON decodes one JSON document strictly: trailing data fails.
func decodeJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	dec := json.NewDecoder(strings.NewReader(s))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode JSON %T: %v\n%s", v, err, s)
	}
	if dec.More() {
		t.Fatalf("decode JSON %T: trailing data after the document:\n%s", v, s)
	}
	return v
}

// cliError is the --json error document written to standard error.
type cliError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
	} `json:"error"`
}

// decodeCLIError decodes a --json error strictly: no other keys allowed.
func decodeCLIError(t *testing.T, s string) cliError {
	t.Helper()
	var e cliError
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		t.Fatalf("stderr is not a JSON error document: %v\n%s", err, s)
	}
	if dec.More() {
		t.Fatalf("trailing data after the JSON error document:\n%s", s)
	}
	if e.Error.Code == "" || e.Error.Message == "" {
		t.Fatalf("JSON error lacks code or message: %s", s)
	}
	return e
}

// createdKey is the --json output of apikey create and rotate.
type createdKey struct {
	ID          string    `json:"id"`
	Key         string    `json:"key"`
	Role        string    `json:"role"`
	Name        string    `json:"name"`
	ExpiresAt   time.Time `json:"expires_at"`
	RotatedFrom string    `json:"rotated_from"`
}

// listedKey is one row of apikey list --json.
type listedKey struct {
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Role        string     `json:"role"`
	Prefix      string     `json:"prefix"`
	Status      string     `json:"status"`
	CreatedAt   time.Time  `json:"created_at"`
	ExpiresAt   time.Time  `json:"expires_at"`
	RevokedAt   *time.Time `json:"revoked_at"`
	RotatedFrom string     `json:"rotated_from"`
	RotatedTo   string     `json:"rotated_to"`
	CreatedBy   string     `json:"created_by"`
}

// listKeys runs apikey list --json and returns the rows and the raw output.
func listKeys(t *testing.T, storeArgs []string) (map[string]listedKey, string) {
	t.Helper()
	r := mustRun(t, nil, append([]string{"apikey", "list", "--json"}, storeArgs...)...)
	doc := decodeJSON[struct {
		APIKeys []listedKey `json:"api_keys"`
	}](t, r.stdout)
	if doc.APIKeys == nil {
		t.Fatalf("apikey list --json has no api_keys array:\n%s", r.stdout)
	}
	rows := map[string]listedKey{}
	for _, k := range doc.APIKeys {
		if _, dup := rows[k.ID]; dup {
			t.Fatalf("key %s listed twice:\n%s", k.ID, r.stdout)
		}
		rows[k.ID] = k
	}
	return rows, r.stdout
}

// secretOf returns the secret part of a key (after wdn_ID_).
func secretOf(t *testing.T, key string) string {
	t.Helper()
	if !apiKeyRE.MatchString(key) || apiKeyRE.FindString(key) != key {
		t.Fatalf("%q is not a well-formed Warden API key", key)
	}
	return key[len("wdn_")+12+1:]
}

// assertNoSecret fails if out contains the key or its secret part.
func assertNoSecret(t *testing.T, what, out, key string) {
	t.Helper()
	if strings.Contains(out, key) {
		t.Errorf("%s contains the API key %s:\n%s", what, key, out)
	} else if s := secretOf(t, key); strings.Contains(out, s) {
		t.Errorf("%s contains the secret part of the API key:\n%s", what, out)
	}
}

// assertAbout fails unless got is want within tolerance.
func assertAbout(t *testing.T, what string, got, want time.Time, tolerance time.Duration) {
	t.Helper()
	if d := got.Sub(want); d < -tolerance || d > tolerance {
		t.Errorf("%s = %s, want about %s (off by %s)", what, got.Format(time.RFC3339), want.Format(time.RFC3339), d)
	}
}

// openKeys opens the store the CLI uses, directly, and returns a key service
// on it; the store is closed when the test ends.
func openKeys(t *testing.T, dsn, dataDir string) *auth.Service {
	t.Helper()
	db, err := store.Open(t.Context(), dsn, dataDir)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return &auth.Service{Store: db}
}

// writeFile writes a file in a fresh temporary directory and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// syncBuffer captures concurrent output.
type syncBuffer = testutil.SyncBuffer

// logRecord is one JSON log line.
type logRecord map[string]any

func (r logRecord) str(key string) string { s, _ := r[key].(string); return s }

// parseLog parses the complete lines of a JSON log. With strict, a line that
// is not a JSON object fails the test; otherwise it is skipped.
func parseLog(t *testing.T, s string, strict bool) []logRecord {
	t.Helper()
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[:i+1]
	} else {
		s = ""
	}
	var out []logRecord
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var r logRecord
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			if strict {
				t.Errorf("log line is not JSON: %v\n%s", err, line)
			}
			continue
		}
		out = append(out, r)
	}
	return out
}

// findLog returns the first record with the message.
func findLog(recs []logRecord, msg string) (logRecord, bool) {
	for _, r := range recs {
		if r.str("msg") == msg {
			return r, true
		}
	}
	return nil, false
}

// testServer is `warden serve` running in-process.
type testServer struct {
	addr           string
	stdout, stderr *syncBuffer
	cancel         context.CancelFunc
	done           chan int
	exited         bool
	code           int
}

// startServer runs `warden serve ARGS...` in a goroutine and waits until it
// logs that it listens. The server is stopped when the test ends.
func startServer(t *testing.T, environ []string, args ...string) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &testServer{stdout: &syncBuffer{}, stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- run(ctx, append([]string{"serve"}, args...), strings.NewReader(""), s.stdout, s.stderr, environ)
	}()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.After(30 * time.Second)
	for {
		if rec, ok := findLog(parseLog(t, s.stderr.String(), false), "warden listening"); ok {
			s.addr = rec.str("addr")
			if s.addr == "" {
				t.Fatalf("listening log line has no addr: %v", rec)
			}
			return s
		}
		select {
		case code := <-s.done:
			s.exited, s.code = true, code
			t.Fatalf("serve exited %d before listening\n--- stdout:\n%s--- stderr:\n%s", code, s.stdout, s.stderr)
		case <-deadline:
			t.Fatalf("serve did not log 'warden listening' within 30s\n--- stderr:\n%s", s.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// stop cancels the server's context and returns its exit code; it fails the
// test if run does not return within 10 seconds.
func (s *testServer) stop(t *testing.T) int {
	t.Helper()
	if s.exited {
		return s.code
	}
	s.cancel()
	select {
	case s.code = <-s.done:
		s.exited = true
	case <-time.After(10 * time.Second):
		t.Errorf("serve did not return within 10s of cancellation")
		return -1
	}
	return s.code
}

func (s *testServer) url(path string) string { return "http://" + s.addr + path }

// httpGet requests url with an optional API key and decodes a JSON body.
func httpGet(t *testing.T, url, key string) (int, map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("GET %s: %d with a body that is not a JSON object: %v\n%s", url, resp.StatusCode, err, body)
	}
	return resp.StatusCode, v
}

// whoami asks the server who key is and fails unless it answers 200.
func whoami(t *testing.T, s *testServer, key string) map[string]any {
	t.Helper()
	code, body := httpGet(t, s.url("/v1/whoami"), key)
	if code != http.StatusOK {
		t.Fatalf("GET /v1/whoami: want 200, got %d %v", code, body)
	}
	return body
}

// childEnv is the test process's environment without WARDEN_* variables,
// plus WARDEN_TEST_RUN_MAIN=1 so that the test binary acts as warden.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WARDEN_") {
			env = append(env, kv)
		}
	}
	return append(env, "WARDEN_TEST_RUN_MAIN=1")
}

// wardenCommand returns the test binary set up to run as `warden ARGS...`;
// it is killed if still running when the test's context ends.
func wardenCommand(t *testing.T, args ...string) *exec.Cmd {
	t.Helper()
	if os.Getenv("WARDEN_TEST_RUN_MAIN") == "1" {
		// TestMain did not hand over to main: fail instead of recursing.
		t.Fatalf("running tests in a child meant to run warden; TestMain must call main() when WARDEN_TEST_RUN_MAIN=1")
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], args...)
	cmd.Env = childEnv()
	cmd.WaitDelay = 5 * time.Second
	return cmd
}
