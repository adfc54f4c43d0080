package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestCrashKeepsAcknowledgedAuditEntries kills the server with SIGKILL in
// the middle of a stream of audited writes and checks, after the crash,
// that every write the server acknowledged has its audit entry, that the
// live store and an exported bundle verify, and that the server starts
// again on the same data. An entry is acknowledged only once committed:
// POST /v1/apikeys answers 201 after the apikey.create entry's group
// commit, so a 201 the client saw must survive a crash of the process.
func TestCrashKeepsAcknowledgedAuditEntries(t *testing.T) {
	const (
		writers  = 16
		wantAcks = 1000            // kill after this many acknowledgements,
		maxLoad  = 2 * time.Second // or after this long, whichever is first
	)
	dir := t.TempDir()
	child := crashStart(t, dir, "WARDEN_RATE_LIMITS_ADMIN=1000000/s",
		"WARDEN_AUDIT_CHECKPOINT_INTERVAL=1s", "WARDEN_AUDIT_CHECKPOINT_EVERY=50")

	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: writers}}
	defer client.CloseIdleConnections()
	var (
		mu          sync.Mutex
		acked       = map[string]bool{}
		acks        atomic.Int64
		killed      atomic.Bool
		interrupted atomic.Int64 // requests cut off by the kill
		wg          sync.WaitGroup
	)
	for w := range writers {
		wg.Go(func() {
			for i := 0; ; i++ {
				id, err := crashCreateKey(client, child.url("/v1/apikeys"), child.admin, fmt.Sprintf("crash-%d-%d", w, i))
				if err != nil {
					if killed.Load() {
						interrupted.Add(1)
					} else {
						t.Errorf("writer %d before the kill: %v", w, err)
					}
					return
				}
				mu.Lock()
				acked[id] = true
				mu.Unlock()
				acks.Add(1)
			}
		})
	}
	deadline := time.Now().Add(maxLoad)
	for acks.Load() < wantAcks && time.Now().Before(deadline) && !t.Failed() {
		time.Sleep(5 * time.Millisecond)
	}
	killed.Store(true)
	child.kill(t)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("killed the server after %d acknowledged key creations; %d requests were in flight", len(acked), interrupted.Load())
	if len(acked) < 50 {
		t.Fatalf("only %d key creations were acknowledged before the kill: too few to show anything\n--- stderr:\n%s", len(acked), child.stderr)
	}
	if interrupted.Load() == 0 {
		t.Fatalf("no request was in flight when the server was killed: the kill was not mid-stream")
	}

	// The live store verifies: entries against signed checkpoints, and every
	// stored tree hash against the entries.
	if r := runCLI(t, nil, "audit", "verify", "--data-dir", dir); r.code != 0 || !strings.HasPrefix(r.stdout, "OK: ") {
		t.Fatalf("audit verify on the crashed store: %s", r)
	}
	// Every acknowledged creation has its audit entry.
	bundle := filepath.Join(t.TempDir(), "audit.jsonl")
	mustRun(t, nil, "audit", "export", "--out", bundle, "--data-dir", dir)
	created := crashAuditSubjects(t, bundle, "apikey.create")
	var missing []string
	for id := range acked {
		if !created[id] {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("%d of %d acknowledged key creations have no apikey.create audit entry after the crash, e.g. %v",
			len(missing), len(acked), missing[:min(5, len(missing))])
	}
	// The exported bundle verifies offline with the log's public key, with
	// every entry covered by a checkpoint (export signs one first).
	cp := decodeJSON[map[string]any](t, mustRun(t, nil, "audit", "checkpoint", "--json", "--data-dir", dir).stdout)
	vkey, _ := cp["public_key"].(string)
	if r := runCLI(t, nil, "audit", "verify", bundle, "--key", vkey); r.code != 0 || strings.Contains(r.stderr, "not yet covered") {
		t.Fatalf("offline verify of the bundle exported after the crash: %s", r)
	}
	// The keys themselves were committed before their entries.
	rows, _ := listKeys(t, []string{"--data-dir", dir})
	for id := range acked {
		if _, ok := rows[id]; !ok {
			t.Fatalf("acknowledged key %s is missing from the store after the crash", id)
		}
	}

	// The server starts again on the crashed data and still knows its admin.
	srv := startServer(t, nil, "--listen", "127.0.0.1:0", "--data-dir", dir)
	if who := whoami(t, srv, child.admin); who["role"] != "admin" {
		t.Errorf("after the crash whoami = %v, want admin", who)
	}
	if code := srv.stop(t); code != 0 {
		t.Errorf("serve after the crash exited %d\n%s", code, srv.stderr)
	}
	if r := runCLI(t, nil, "audit", "verify", "--data-dir", dir); r.code != 0 {
		t.Fatalf("audit verify after the restart: %s", r)
	}
}

// crashChild is `warden serve` running as a child process (this test binary
// acting as warden), so that it can be killed outright.
type crashChild struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan error
	addr, admin    string
	exited         bool
}

func (c *crashChild) url(path string) string { return "http://" + c.addr + path }

// crashStart starts the child on dir with extra environment variables and
// waits until it listens and has printed its bootstrap admin key. The child
// is killed and waited for when the test ends, whatever happens.
func crashStart(t *testing.T, dir string, env ...string) *crashChild {
	t.Helper()
	cmd := wardenCommand(t, "serve", "--listen", "127.0.0.1:0", "--data-dir", dir)
	cmd.Env = append(cmd.Env, env...)
	c := &crashChild{cmd: cmd, stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = c.stdout, c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.done <- cmd.Wait() }()
	t.Cleanup(func() {
		if !c.exited {
			_ = cmd.Process.Kill()
			<-c.done
			c.exited = true
		}
	})
	deadline := time.After(15 * time.Second)
	for c.addr == "" || !apiKeyRE.MatchString(c.stdout.String()) {
		if rec, ok := findLog(parseLog(t, c.stderr.String(), false), "warden listening"); ok {
			c.addr = rec.str("addr")
		}
		select {
		case err := <-c.done:
			c.exited = true
			t.Fatalf("the server exited before listening: %v\n--- stdout:\n%s--- stderr:\n%s", err, c.stdout, c.stderr)
		case <-deadline:
			t.Fatalf("the server did not listen and print its key within 15s\n--- stdout:\n%s--- stderr:\n%s", c.stdout, c.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
	c.admin = bootstrapKey(t, c.stdout.String())
	return c
}

// kill sends SIGKILL and waits until the child is gone.
func (c *crashChild) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	select {
	case <-c.done:
		c.exited = true
	case <-time.After(10 * time.Second):
		t.Fatal("the server did not die within 10s of SIGKILL")
	}
	if ws, ok := c.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the server ended with %v, not by SIGKILL (did it exit on its own?)\n--- stderr:\n%s", c.cmd.ProcessState, c.stderr)
	}
}

// crashCreateKey creates a service key and returns its id once the server
// acknowledged it with 201 and the key document. Any other outcome is an
// error: the creation is then not acknowledged.
func crashCreateKey(client *http.Client, url, admin, name string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	body := fmt.Sprintf(`{"name":%q,"role":"service"}`, name)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("POST /v1/apikeys: %d %s", resp.StatusCode, b)
	}
	var k struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	if err := json.Unmarshal(b, &k); err != nil || k.ID == "" || !apiKeyRE.MatchString(k.Key) {
		return "", fmt.Errorf("POST /v1/apikeys: 201 with an unexpected body (%v): %s", err, b)
	}
	return k.ID, nil
}

// crashAuditSubjects reads an exported bundle and returns the subject ids of
// its entries with the given action.
func crashAuditSubjects(t *testing.T, bundle, action string) map[string]bool {
	t.Helper()
	f, err := os.Open(bundle)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string]bool{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var line struct {
			Type  string `json:"type"`
			Entry struct {
				Action  string `json:"action"`
				Subject struct {
					Type string `json:"type"`
					ID   string `json:"id"`
				} `json:"subject"`
			} `json:"entry"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("bundle line is not JSON: %v\n%s", err, sc.Bytes())
		}
		if line.Type == "entry" && line.Entry.Action == action {
			if line.Entry.Subject.Type != "api_key" || out[line.Entry.Subject.ID] {
				t.Fatalf("unexpected or repeated %s entry: %s", action, sc.Bytes())
			}
			out[line.Entry.Subject.ID] = true
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	return out
}
