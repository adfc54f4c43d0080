package httpapi

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/config"
)

var wantSecurityHeaders = map[string]string{
	"X-Content-Type-Options": "nosniff",
	"X-Frame-Options":        "DENY",
	"Referrer-Policy":        "no-referrer",
}

func checkSecurityHeaders(t *testing.T, what string, h http.Header) {
	t.Helper()
	for k, v := range wantSecurityHeaders {
		if h.Get(k) != v {
			t.Errorf("%s: %s = %q, want %q", what, k, h.Get(k), v)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") {
		t.Errorf("%s: CSP %q", what, csp)
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	e := newEnv(t, nil)
	responses := map[string]*response{
		"healthz":     e.do("GET", "/healthz", "", ""),
		"metrics":     e.do("GET", "/metrics", "", ""),
		"401":         e.do("GET", "/v1/whoami", "", ""),
		"404":         e.do("GET", "/nope", "", ""),
		"405":         e.do("PUT", "/v1/apikeys", e.admin, ""),
		"400":         e.do("POST", "/v1/apikeys", e.admin, "{"),
		"ok":          e.do("GET", "/v1/apikeys", e.admin, ""),
		"openapi":     e.do("GET", "/openapi.json", e.admin, ""),
		"cors denied": e.do("GET", "/v1/whoami", e.admin, "", "Origin", "https://evil.example"),
	}
	for what, r := range responses {
		checkSecurityHeaders(t, what, r.header)
		if r.header.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS sent over plain HTTP", what)
		}
	}
}

func TestHSTSAndTLSVersions(t *testing.T) {
	e := newEnv(t, nil)
	ts := httptest.NewUnstartedServer(e.srv.Handler())
	ts.TLS = TLSConfig()
	ts.StartTLS()
	defer ts.Close()
	res, err := ts.Client().Get(ts.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if hsts := res.Header.Get("Strict-Transport-Security"); !strings.Contains(hsts, "max-age=63072000") {
		t.Fatalf("HSTS %q", hsts)
	}
	checkSecurityHeaders(t, "tls", res.Header)

	dial := func(c *tls.Config) error {
		c.InsecureSkipVerify = true // the test server's certificate is self-signed
		conn, err := tls.Dial("tcp", ts.Listener.Addr().String(), c)
		if err == nil {
			conn.Close()
		}
		return err
	}
	if err := dial(&tls.Config{MinVersion: tls.VersionTLS10, MaxVersion: tls.VersionTLS11}); err == nil {
		t.Error("TLS 1.1 handshake succeeded")
	}
	if err := dial(&tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_RSA_WITH_AES_128_CBC_SHA, tls.TLS_RSA_WITH_AES_128_GCM_SHA256}}); err == nil {
		t.Error("TLS 1.2 with non-forward-secret suites succeeded")
	}
	if err := dial(&tls.Config{MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}); err != nil {
		t.Errorf("TLS 1.2 with strong suites failed: %v", err)
	}
	if err := dial(&tls.Config{MinVersion: tls.VersionTLS13}); err != nil {
		t.Errorf("TLS 1.3 failed: %v", err)
	}
}

func TestRequestIDInAndOut(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("GET", "/healthz", "", "", "X-Request-Id", "abc-123.x")
	if r.header.Get("X-Request-Id") != "abc-123.x" {
		t.Fatalf("caller's id not echoed: %q", r.header.Get("X-Request-Id"))
	}
	r1 := e.do("GET", "/healthz", "", "")
	r2 := e.do("GET", "/healthz", "", "", "X-Request-Id", "bad id with spaces;<script>")
	id1, id2 := r1.header.Get("X-Request-Id"), r2.header.Get("X-Request-Id")
	if len(id1) != 24 || len(id2) != 24 || id1 == id2 {
		t.Fatalf("generated ids %q %q", id1, id2)
	}
	if !strings.Contains(e.logs.String(), `"request_id":"abc-123.x"`) {
		t.Fatal("access log lacks the request id")
	}
}

func TestAccessLogHasNoSecrets(t *testing.T) {
	e := newEnv(t, nil)
	r := e.do("POST", "/v1/apikeys", e.admin, `{"name":"core","role":"service"}`)
	if r.status != 201 {
		t.Fatalf("%d %s", r.status, r.body)
	}
	created := r.json(t)["key"].(string)
	e.do("GET", "/v1/whoami?token=sekret", created, "")
	logs := e.logs.String()
	for _, secret := range []string{e.admin, created, "sekret", e.admin[len(e.admin)-43:]} {
		if strings.Contains(logs, secret) {
			t.Fatalf("log contains a secret %q:\n%s", secret, logs)
		}
	}
	if !strings.Contains(logs, `"route":"/v1/apikeys"`) || !strings.Contains(logs, `"status":201`) || !strings.Contains(logs, `"role":"admin"`) {
		t.Fatalf("access log lacks route, status or role:\n%s", logs)
	}
}

func TestCORSDeniedUnlessAllowed(t *testing.T) {
	e := newEnv(t, nil)
	e.do("GET", "/v1/whoami", e.admin, "", "Origin", "https://evil.example").wantError(t, 403, warden.EFORBIDDEN, "Origin")
	e.do("OPTIONS", "/v1/whoami", "", "", "Origin", "https://evil.example", "Access-Control-Request-Method", "GET").wantError(t, 403, warden.EFORBIDDEN, "Origin")
	// Same-origin requests are not cross-origin.
	if r := e.do("GET", "/v1/whoami", e.admin, "", "Origin", e.ts.URL); r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("same origin: %d %v", r.status, r.header)
	}

	a := newEnv(t, func(c *config.Config) { c.HTTP.CORSAllowedOrigins = []string{"https://dash.example.com"} })
	r := a.do("OPTIONS", "/v1/whoami", "", "", "Origin", "https://dash.example.com", "Access-Control-Request-Method", "GET")
	if r.status != 204 || r.header.Get("Access-Control-Allow-Origin") != "https://dash.example.com" ||
		!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Authorization") {
		t.Fatalf("preflight: %d %v", r.status, r.header)
	}
	r = a.do("GET", "/v1/whoami", a.admin, "", "Origin", "https://dash.example.com")
	if r.status != 200 || r.header.Get("Access-Control-Allow-Origin") != "https://dash.example.com" {
		t.Fatalf("allowed origin: %d %v", r.status, r.header)
	}
	a.do("GET", "/v1/whoami", a.admin, "", "Origin", "https://dash.example.com.evil.example").wantError(t, 403, warden.EFORBIDDEN, "Origin")
}
