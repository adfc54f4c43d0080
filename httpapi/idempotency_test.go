package httpapi

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden"
)

func TestIdempotentCreateReplaysFirstResponse(t *testing.T) {
	e := newEnv(t, nil)
	body := `{"name":"core","role":"service"}`
	first := e.do("POST", "/v1/apikeys", e.admin, body, "Idempotency-Key", "create-core-1")
	if first.status != 201 {
		t.Fatalf("%d %s", first.status, first.body)
	}
	m1 := first.json(t)
	if _, ok := m1["key"].(string); !ok {
		t.Fatal("first response lacks the key")
	}
	second := e.do("POST", "/v1/apikeys", e.admin, body, "Idempotency-Key", "create-core-1")
	if second.status != 201 || second.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replay: %d %v", second.status, second.header)
	}
	m2 := second.json(t)
	if m2["id"] != m1["id"] || m2["created_at"] != m1["created_at"] {
		t.Fatalf("replay differs: %v vs %v", m2, m1)
	}
	// The secret is shown once: the replay withholds it and says so.
	if _, ok := m2["key"]; ok || m2["key_withheld"] == nil {
		t.Fatalf("replay: %v", m2)
	}
	keys, _ := e.keys.List(t.Context())
	if len(keys) != 2 { // the admin and one service key
		t.Fatalf("%d keys after a replay, want 2", len(keys))
	}
	// The idempotency table never holds the secret.
	var stored []byte
	if err := e.db.ReadDB().QueryRow(`SELECT body FROM idempotency_keys WHERE idem_key = 'create-core-1'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stored), m1["key"].(string)) {
		t.Fatal("the secret is stored in idempotency_keys")
	}
}

func TestIdempotencyKeyReuseWithDifferentBody(t *testing.T) {
	e := newEnv(t, nil)
	if r := e.do("POST", "/v1/apikeys", e.admin, `{"name":"a","role":"service"}`, "Idempotency-Key", "k1"); r.status != 201 {
		t.Fatal(r.status)
	}
	e.do("POST", "/v1/apikeys", e.admin, `{"name":"b","role":"service"}`, "Idempotency-Key", "k1").
		wantError(t, 422, warden.EUNPROCESSABLE, "Idempotency-Key")
	// The same key on another endpoint is also a different request.
	k, _, _ := e.keys.Create(t.Context(), createReq("x"))
	e.do("POST", "/v1/apikeys/"+k.ID+"/rotate", e.admin, "", "Idempotency-Key", "k1").
		wantError(t, 422, warden.EUNPROCESSABLE, "Idempotency-Key")
	// Keys are scoped per client: another admin may use the same key.
	other := e.key(warden.RoleAdmin)
	if r := e.do("POST", "/v1/apikeys", other, `{"name":"b","role":"service"}`, "Idempotency-Key", "k1"); r.status != 201 || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("other client: %d %v", r.status, r.header)
	}
}

func TestIdempotencyErrorsAreNotReplayedForever(t *testing.T) {
	e := newEnv(t, nil)
	// A 4xx is the answer to that request and is replayed as such.
	bad := `{"name":"","role":"service"}`
	e.do("POST", "/v1/apikeys", e.admin, bad, "Idempotency-Key", "k2").wantError(t, 400, warden.EINVALID, "name")
	r := e.do("POST", "/v1/apikeys", e.admin, bad, "Idempotency-Key", "k2")
	if r.status != 400 || r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("4xx replay: %d %v", r.status, r.header)
	}
}

func TestIdempotencyInProgressAndBadKeys(t *testing.T) {
	e := newEnv(t, nil)
	actor := "api_key:" + strings.Split(e.admin, "_")[1]
	body := `{"name":"a","role":"service"}`
	// Simulate a first request still running by reserving its key with the same hash.
	first := e.do("POST", "/v1/apikeys", e.admin, body, "Idempotency-Key", "probe")
	if first.status != 201 {
		t.Fatal(first.status)
	}
	var hash []byte
	if err := e.db.ReadDB().QueryRow(`SELECT request_hash FROM idempotency_keys WHERE idem_key = 'probe'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ReserveIdempotencyKey(t.Context(), &warden.IdempotencyRecord{Actor: actor, Key: "running", Method: "POST",
		Path: "/v1/apikeys", RequestHash: hash, CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	r := e.do("POST", "/v1/apikeys", e.admin, body, "Idempotency-Key", "running")
	r.wantError(t, 409, warden.ECONFLICT, "Idempotency-Key")
	if r.header.Get("Retry-After") == "" {
		t.Fatal("in-progress answer lacks Retry-After")
	}
	for _, bad := range []string{strings.Repeat("x", 256), "has space", "ünïcode"} {
		e.do("POST", "/v1/apikeys", e.admin, body, "Idempotency-Key", bad).wantError(t, 400, warden.EINVALID, "Idempotency-Key")
	}
}

func TestIdempotencyConcurrentRetriesCreateOnce(t *testing.T) {
	e := newEnv(t, nil)
	body := `{"name":"race","role":"service"}`
	var wg sync.WaitGroup
	statuses := make([]int, 12)
	for i := range statuses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = e.do("POST", "/v1/apikeys", e.admin, body, "Idempotency-Key", "race-1").status
		}()
	}
	wg.Wait()
	for _, s := range statuses {
		if s != 201 && s != 409 {
			t.Fatalf("statuses %v", statuses)
		}
	}
	keys, _ := e.keys.List(t.Context())
	if len(keys) != 2 {
		t.Fatalf("%d keys after concurrent retries, want 2 (admin + one)", len(keys))
	}
}
