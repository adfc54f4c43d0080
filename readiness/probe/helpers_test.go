package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/servertest"
)

// want fails unless exactly one finding for check has the status and, if
// given, its evidence contains substr.
func want(t *testing.T, fs []Finding, check, status, substr string) Finding {
	t.Helper()
	var got []Finding
	for _, f := range fs {
		if f.Check == check {
			got = append(got, f)
		}
	}
	if len(got) != 1 {
		t.Fatalf("%d findings for %s, want 1: %+v", len(got), check, fs)
	}
	if got[0].Status != status || !strings.Contains(got[0].Evidence, substr) {
		t.Errorf("%s = %s %q, want %s containing %q", check, got[0].Status, got[0].Evidence, status, substr)
	}
	return got[0]
}

// absent fails if any finding is for check.
func absent(t *testing.T, fs []Finding, check string) {
	t.Helper()
	for _, f := range fs {
		if f.Check == check {
			t.Errorf("unexpected finding %+v", f)
		}
	}
}

func probeCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func pool(ca *servertest.CA) *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

// serveTLS runs a TLS server on loopback that completes handshakes (with
// ALPN if asked) and then closes, returning its address.
func serveTLS(t *testing.T, cfg *tls.Config) string {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				_ = c.SetDeadline(time.Now().Add(5 * time.Second))
				_ = c.(*tls.Conn).Handshake()
			}()
		}
	}()
	return l.Addr().String()
}

// blackhole accepts connections and never answers: the dead-but-listening
// target that must end as a timeout, not a hang.
func blackhole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	t.Cleanup(func() {
		l.Close()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	return l.Addr().String()
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	return servertest.Addr(servertest.FreePort(t))
}

func timeoutCtx(t *testing.T, parent context.Context, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(parent, d)
	t.Cleanup(cancel)
	return ctx
}
