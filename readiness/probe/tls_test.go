package probe

import (
	"crypto/tls"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/servertest"
)

func TestTLSEndpointGood(t *testing.T) {
	ca := servertest.NewCA(t)
	cert := ca.Issue(t, time.Now().Add(200*24*time.Hour), "127.0.0.1", "api.test")
	addr := serveTLS(t, &tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12})
	fs := TLSEndpoint(probeCtx(t), addr, TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
	want(t, fs, CheckTLSProtocol, Pass, "refused TLS 1.0 and TLS 1.1")
	want(t, fs, CheckTLSCiphers, Pass, "refused")
	want(t, fs, CheckTLSChain, Pass, "Warden Test Root CA")
	want(t, fs, CheckTLSHostname, Pass, "127.0.0.1")
	want(t, fs, CheckTLSExpiry, Pass, "in 199 days")
}

func TestTLSEndpointFailures(t *testing.T) {
	ca := servertest.NewCA(t)
	cases := []struct {
		name   string
		cert   *servertest.Cert
		cfg    func(*tls.Config)
		opts   TLSOptions
		check  string
		status string
		substr string
	}{
		{name: "expires in 3 days", cert: ca.Issue(t, time.Now().Add(3*24*time.Hour+time.Hour), "127.0.0.1"),
			check: CheckTLSExpiry, status: Fail, substr: "under 7 days"},
		{name: "expires in 20 days", cert: ca.Issue(t, time.Now().Add(20*24*time.Hour+time.Hour), "127.0.0.1"),
			check: CheckTLSExpiry, status: Warn, substr: "under 30 days"},
		{name: "self-signed", cert: servertest.SelfSigned(t, time.Now().Add(90*24*time.Hour), "127.0.0.1"),
			check: CheckTLSChain, status: Fail, substr: "self-signed"},
		{name: "wrong host", cert: ca.Issue(t, time.Now().Add(90*24*time.Hour), "other.test"),
			check: CheckTLSHostname, status: Fail, substr: "127.0.0.1"},
		{name: "TLS 1.0 offered", cert: ca.Issue(t, time.Now().Add(90*24*time.Hour), "127.0.0.1"),
			cfg: func(c *tls.Config) { c.MinVersion = tls.VersionTLS10 }, check: CheckTLSProtocol, status: Fail, substr: "accepts TLS 1.0 and TLS 1.1"},
		{name: "CBC-SHA256 suite accepted", cert: ca.Issue(t, time.Now().Add(90*24*time.Hour), "127.0.0.1"),
			cfg: func(c *tls.Config) {
				c.MaxVersion = tls.VersionTLS12
				c.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
			}, check: CheckTLSCiphers, status: Fail, substr: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := &tls.Config{Certificates: []tls.Certificate{tc.cert.TLS}, MinVersion: tls.VersionTLS12}
			if tc.cfg != nil {
				tc.cfg(cfg)
			}
			fs := TLSEndpoint(probeCtx(t), serveTLS(t, cfg), TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
			want(t, fs, tc.check, tc.status, tc.substr)
		})
	}
}

func TestTLSEndpointDead(t *testing.T) {
	fs := TLSEndpoint(probeCtx(t), closedPort(t), TLSOptions{})
	for _, c := range TLSChecks {
		want(t, fs, c, Error, "connection refused")
	}
	ctx := probeCtx(t)
	start := time.Now()
	fs = TLSEndpoint(timeoutCtx(t, ctx, 300*time.Millisecond), blackhole(t), TLSOptions{})
	want(t, fs, CheckTLSProtocol, Error, "timed out")
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("probe of a silent server took %s despite a 300ms timeout", took)
	}
}
