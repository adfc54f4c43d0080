package httpapi

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/config"
)

func TestAPIKeyLifecycleOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("POST", "/v1/apikeys", e.admin, `{"name":"fineract","role":"service","expires_in":"30d"}`)
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	created := r.json(t)
	id, key := created["id"].(string), created["key"].(string)
	if created["role"] != "service" || created["status"] != "active" || !strings.HasPrefix(key, "wdn_"+id+"_") {
		t.Fatalf("created %v", created)
	}
	exp, _ := time.Parse(time.RFC3339Nano, created["expires_at"].(string))
	if d := time.Until(exp); d < 29*24*time.Hour || d > 30*24*time.Hour {
		t.Fatalf("expires in %v, want 30d", d)
	}
	if who := e.do("GET", "/v1/whoami", key, "").json(t); who["role"] != "service" || who["id"] != id {
		t.Fatalf("whoami %v", who)
	}
	list := e.do("GET", "/v1/apikeys", e.admin, "")
	if strings.Contains(string(list.body), key) || strings.Contains(string(list.body), `"key"`) {
		t.Fatal("list shows a secret")
	}
	if got := e.do("GET", "/v1/apikeys/wdn_"+id, e.admin, "").json(t); got["id"] != id || got["name"] != "fineract" {
		t.Fatalf("get by prefix: %v", got)
	}
	rot := e.do("POST", "/v1/apikeys/"+id+"/rotate", e.admin, "")
	if rot.status != 201 {
		t.Fatalf("rotate %d %s", rot.status, rot.body)
	}
	next := rot.json(t)
	if next["rotated_from"] != id || next["key"] == key {
		t.Fatalf("rotated %v", next)
	}
	if old := e.do("GET", "/v1/apikeys/"+id, e.admin, "").json(t); old["status"] != "rotating" || old["rotated_to"] != next["id"] {
		t.Fatalf("old after rotate %v", old)
	}
	// Both keys work during the overlap.
	for _, k := range []string{key, next["key"].(string)} {
		if r := e.do("GET", "/v1/whoami", k, ""); r.status != 200 {
			t.Fatalf("during overlap: %d", r.status)
		}
	}
	e.do("POST", "/v1/apikeys/"+id+"/rotate", e.admin, "").wantError(t, 409, warden.ECONFLICT, "")
	rev := e.do("POST", "/v1/apikeys/"+id+"/revoke", e.admin, "")
	if rev.status != 200 || rev.json(t)["status"] != "revoked" {
		t.Fatalf("revoke %d %s", rev.status, rev.body)
	}
	e.do("GET", "/v1/whoami", key, "").wantError(t, 401, warden.EUNAUTHORIZED, "")
	e.do("POST", "/v1/apikeys/"+id+"/revoke", e.admin, "{}").wantError(t, 409, warden.ECONFLICT, "")
}

func TestReadiness(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/readyz", "", "")
	_, latest, _ := e.db.MigrationStatus(t.Context())
	if m := r.json(t); r.status != 200 || m["store"] != "sqlite" || m["schema_version"] != float64(latest) || latest < 2 {
		t.Fatalf("ready: %d %v", r.status, m)
	}
	// Schema behind the binary: not ready.
	if _, err := e.db.WriteDBForTest().Exec(`DELETE FROM schema_migrations`); err != nil {
		t.Fatal(err)
	}
	got := e.do("GET", "/readyz", "", "").wantError(t, 503, warden.EUNAVAILABLE, "")
	if !strings.Contains(got.Message, "warden migrate") {
		t.Fatalf("message %q", got.Message)
	}
	// Store gone: not ready, and still a JSON answer.
	e.db.Close()
	e.do("GET", "/readyz", "", "").wantError(t, 503, warden.EUNAVAILABLE, "")
	if r := e.do("GET", "/healthz", "", ""); r.status != 200 {
		t.Fatalf("healthz depends on the store: %d", r.status)
	}
}

func TestMetricsExposition(t *testing.T) {
	e := newEnv(t, nil)
	e.do("GET", "/v1/whoami", e.admin, "")
	e.do("GET", "/v1/whoami", "", "")
	e.do("GET", "/v1/apikeys/0123456789ab", e.admin, "")
	m := string(e.do("GET", "/metrics", "", "").body)
	for _, want := range []string{
		`warden_http_requests_total{code="200",method="GET",route="/v1/whoami"} 1`,
		`warden_http_requests_total{code="401",method="GET",route="/v1/whoami"} 1`,
		`warden_http_requests_total{code="404",method="GET",route="/v1/apikeys/{id}"} 1`,
		`warden_http_request_duration_seconds_bucket{method="GET",route="/v1/whoami",le="+Inf"} 2`,
		`warden_store_operation_duration_seconds_count{op="api_keys.get"}`,
		`warden_auth_failures_total{reason="missing"} 1`,
		`warden_build_info{version="test"} 1`,
		`go_goroutines`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// TestGracefulShutdown starts Serve on a real listener, sends a slow request,
// cancels the context (what SIGTERM does in warden serve) and checks that the
// in-flight request completes while new connections are refused.
func TestGracefulShutdown(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.HTTP.ShutdownTimeout = config.Duration(10 * time.Second) })
	started := make(chan struct{})
	e.srv.handle(Route{Method: "GET", Pattern: "/v1/test-slow", Roles: anyRole}, func(w http.ResponseWriter, r *http.Request) error {
		close(started)
		time.Sleep(500 * time.Millisecond)
		writeJSON(w, 200, map[string]string{"done": "yes"})
		return nil
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- e.srv.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String()

	type result struct {
		status int
		body   string
		err    error
	}
	got := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("GET", url+"/v1/test-slow", nil)
		req.Header.Set("Authorization", "Bearer "+e.admin)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			got <- result{err: err}
			return
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		got <- result{status: res.StatusCode, body: string(b)}
	}()
	<-started
	cancel()
	res := <-got
	if res.err != nil || res.status != 200 || !strings.Contains(res.body, "yes") {
		t.Fatalf("in-flight request: %+v", res)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after shutdown")
	}
	if _, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		t.Fatal("still accepting connections after shutdown")
	}
}

func TestServeRefusesMissingCertificate(t *testing.T) {
	e := newEnv(t, nil)
	e.srv.cfg.TLS = config.TLS{CertFile: "/nonexistent/cert.pem", KeyFile: "/nonexistent/key.pem"}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	if err := e.srv.Serve(t.Context(), ln); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Serve with missing certificate: %v", err)
	}
}
