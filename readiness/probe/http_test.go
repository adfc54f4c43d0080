package probe

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/servertest"
)

// Security headers as an ingress would set them.
const goodHeaders = `
    add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    add_header Content-Security-Policy "default-src 'self'; frame-ancestors 'none'" always;
    add_header X-Frame-Options DENY always;
    add_header X-Content-Type-Options nosniff always;`

func TestHTTPProbeNginxHardened(t *testing.T) {
	ca := servertest.NewCA(t)
	cert := ca.Issue(t, time.Now().Add(200*24*time.Hour), "127.0.0.1")
	// A static file, not "return": return answers in the rewrite phase,
	// before limit_req (preaccess) would run.
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "index.html"), []byte("ok\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := servertest.StartNginx(t, servertest.NginxOptions{TLS: cert,
		HTTP: "limit_req_zone $binary_remote_addr zone=api:1m rate=10r/s;",
		Server: goodHeaders + `
    location / { limit_req zone=api burst=5 nodelay; limit_req_status 429; root ` + root + `; }`})
	fs := HTTP(probeCtx(t), "https://"+addr+"/", HTTPOptions{TLS: TLSOptions{Roots: pool(ca), RootsName: "ca.pem"}, RateLimit: 10, Per: time.Second})
	want(t, fs, CheckHSTS, Pass, "max-age=31536000")
	want(t, fs, CheckCSP, Pass, "default-src 'self'")
	want(t, fs, CheckFrameOptions, Pass, "DENY")
	want(t, fs, CheckContentTypeOptions, Pass, "nosniff")
	want(t, fs, CheckCORS, Pass, "no Access-Control-Allow-Origin")
	want(t, fs, CheckRateLimit, Pass, "got 429")
	want(t, fs, CheckTLSProtocol, Pass, "")
	want(t, fs, CheckTLSChain, Pass, "")
}

func TestHTTPProbeNginxBare(t *testing.T) {
	// Plain HTTP, no headers, no rate limit, and CORS that reflects any
	// origin with credentials: everything an ingress must not do.
	addr := servertest.StartNginx(t, servertest.NginxOptions{Server: `
    location / {
      add_header Access-Control-Allow-Origin $http_origin always;
      add_header Access-Control-Allow-Credentials true always;
      return 200 "ok\n";
    }`})
	fs := HTTP(probeCtx(t), "http://"+addr+"/", HTTPOptions{RateLimit: 10, Per: time.Second})
	want(t, fs, CheckHSTS, Fail, "plain HTTP")
	want(t, fs, CheckCSP, Fail, "no Content-Security-Policy")
	want(t, fs, CheckFrameOptions, Fail, "no X-Frame-Options")
	want(t, fs, CheckContentTypeOptions, Fail, "nosniff")
	want(t, fs, CheckCORS, Fail, "reflects foreign origin https://readiness-probe.invalid with credentials")
	want(t, fs, CheckRateLimit, Fail, "no rate limit observed")
	absent(t, fs, CheckTLSProtocol)
}

func TestHTTPProbeRateLimitNotAsked(t *testing.T) {
	addr := servertest.StartNginx(t, servertest.NginxOptions{Server: goodHeaders + `
    add_header Access-Control-Allow-Origin * always;
    location / { return 200 "ok\n"; }`})
	fs := HTTP(probeCtx(t), "http://"+addr+"/", HTTPOptions{})
	absent(t, fs, CheckRateLimit)
	want(t, fs, CheckCORS, Warn, "Access-Control-Allow-Origin *")
	want(t, fs, CheckCSP, Pass, "")
}

func TestHTTPProbeDead(t *testing.T) {
	fs := HTTP(probeCtx(t), "http://"+closedPort(t)+"/", HTTPOptions{})
	want(t, fs, CheckHSTS, Error, "connection refused")
	want(t, fs, CheckCORS, Error, "connection refused")
}

// Elasticsearch has no Debian package: these tests serve the documented
// answer of GET / from a local server, with and without security enabled.
func TestElasticsearchProbeSimulated(t *testing.T) {
	ca := servertest.NewCA(t)
	cert := ca.Issue(t, time.Now().Add(200*24*time.Hour), "127.0.0.1")
	open := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{"cluster_name": "fineract-logs", "version": map[string]any{"number": "8.15.0"}})
	})
	secured := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="security"`)
		w.WriteHeader(http.StatusUnauthorized)
	})
	plain := httptest.NewServer(open)
	t.Cleanup(plain.Close)
	fs := Elasticsearch(probeCtx(t), plain.URL, TLSOptions{})
	want(t, fs, CheckESHTTPS, Fail, "plaintext HTTP")
	want(t, fs, CheckESAnonymous, Fail, `cluster "fineract-logs", version 8.15.0`)

	tlsSrv := httptest.NewUnstartedServer(secured)
	tlsSrv.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
	tlsSrv.Config.ErrorLog = quietLog() // the legacy-protocol probes' refusals
	tlsSrv.StartTLS()
	t.Cleanup(tlsSrv.Close)
	fs = Elasticsearch(probeCtx(t), tlsSrv.URL, TLSOptions{Roots: pool(ca)})
	want(t, fs, CheckESHTTPS, Pass, "serves HTTPS")
	want(t, fs, CheckESAnonymous, Pass, "401")
	want(t, fs, CheckTLSChain, Pass, "")
}

// Zeebe's gateway is simulated by Go HTTP/2 servers: over TLS with ALPN h2,
// and in cleartext (h2c is what an insecure gateway speaks).
func TestZeebeProbeSimulated(t *testing.T) {
	ca := servertest.NewCA(t)
	cert := ca.Issue(t, time.Now().Add(200*24*time.Hour), "127.0.0.1")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	secure := httptest.NewUnstartedServer(h)
	secure.EnableHTTP2 = true
	secure.TLS = &tls.Config{Certificates: []tls.Certificate{cert.TLS}}
	secure.Config.ErrorLog = quietLog()
	secure.StartTLS()
	t.Cleanup(secure.Close)
	u, _ := url.Parse(secure.URL)
	fs := Zeebe(probeCtx(t), u.Host, TLSOptions{Roots: pool(ca)})
	want(t, fs, CheckZeebeTLS, Pass, "ALPN h2")
	want(t, fs, CheckTLSChain, Pass, "")

	insecure := httptest.NewUnstartedServer(h)
	insecure.Config.Protocols = new(http.Protocols)
	insecure.Config.Protocols.SetUnencryptedHTTP2(true)
	insecure.Config.ErrorLog = quietLog()
	insecure.Start()
	t.Cleanup(insecure.Close)
	u, _ = url.Parse(insecure.URL)
	fs = Zeebe(probeCtx(t), u.Host, TLSOptions{})
	want(t, fs, CheckZeebeTLS, Fail, "plaintext gRPC")
}

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }
