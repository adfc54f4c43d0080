package stream

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/wardenhq/warden/config"
)

// testPKI is a CA and a server certificate for 127.0.0.1 signed by it.
type testPKI struct {
	caFile string
	pool   *x509.CertPool
	server tls.Certificate
}

func newPKI(t *testing.T) *testPKI {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "warden test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	srvTmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "kafka"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames: []string{"localhost"}, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, ca, &srvKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	p := &testPKI{caFile: filepath.Join(t.TempDir(), "ca.pem"), pool: x509.NewCertPool(),
		server: tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey}}
	p.pool.AddCert(ca)
	if err := os.WriteFile(p.caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func (p *testPKI) serverConfig() *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.server}, MinVersion: tls.VersionTLS12}
}

func (p *testPKI) clientOpt() kgo.Opt {
	return kgo.DialTLSConfig(&tls.Config{RootCAs: p.pool, MinVersion: tls.VersionTLS12})
}

// ping connects with the intake's own connection options for cfg.
func ping(t *testing.T, cfg config.Kafka) error {
	t.Helper()
	opts, err := connOpts(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(append(opts, kgo.SeedBrokers(cfg.Brokers...))...)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return cl.Ping(ctx)
}

func TestTLSWithCAFile(t *testing.T) {
	pki := newPKI(t)
	c := newCluster(t, kfake.TLS(pki.serverConfig()))
	cfg := kafkaConfig(c, "g-tls")
	cfg.TLS = true

	// The broker's certificate is not trusted without the CA file...
	if err := ping(t, cfg); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("connected without trusting the CA: %v", err)
	}
	// ... and is with it.
	cfg.CAFile = pki.caFile
	if err := ping(t, cfg); err != nil {
		t.Fatalf("ping with the CA file: %v", err)
	}

	cl := client(t, c, pki.clientOpt())
	txs := makeTxs([]string{"c1", "c2"}, 3)
	publish(t, cl, txs)
	dec := newMemDecider()
	start(t, cfg, dec)
	newOutputReader(t, c, pki.clientOpt()).until(t, "decisions over TLS", hasAll(txs))
	checkCountedOnce(t, dec, txs)
	waitCommittedToEnd(t, cl, "g-tls")
}

func TestTLSConfigErrors(t *testing.T) {
	if _, err := tlsConfig(filepath.Join(t.TempDir(), "missing.pem")); err == nil || !strings.Contains(err.Error(), "kafka.ca_file") {
		t.Fatalf("missing CA file: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := tlsConfig(bad); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Fatalf("CA file without certificates: %v", err)
	}
}

// syncBuffer is a log destination safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestSASL(t *testing.T) {
	const user, pass = "warden", "s3cret-Pa55word"
	for _, c := range []struct {
		mech string
		tls  bool
	}{{"SCRAM-SHA-256", false}, {"SCRAM-SHA-512", false}, {"PLAIN", true}} {
		t.Run(c.mech, func(t *testing.T) {
			pki := newPKI(t)
			kopts := []kfake.Opt{kfake.EnableSASL(), kfake.Superuser(c.mech, user, pass)}
			if c.tls {
				kopts = append(kopts, kfake.TLS(pki.serverConfig()))
			}
			cluster := newCluster(t, kopts...)
			cfg := kafkaConfig(cluster, "g-sasl")
			cfg.SASLMechanism, cfg.Username, cfg.PasswordFile = c.mech, user, filepath.Join(t.TempDir(), "pw")
			cfg.TLS, cfg.CAFile = c.tls, pki.caFile
			// A wrong password is refused by the broker.
			if err := os.WriteFile(cfg.PasswordFile, []byte("wrong\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := ping(t, cfg); err == nil {
				t.Fatal("authenticated with a wrong password")
			}
			// The right one, with the trailing newline editors add.
			if err := os.WriteFile(cfg.PasswordFile, []byte(pass+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			connOpts, err := connOpts(cfg)
			if err != nil {
				t.Fatal(err)
			}
			cl := client(t, cluster, connOpts...)
			txs := makeTxs([]string{"c1"}, 3)
			publish(t, cl, txs)

			var logs syncBuffer
			in, err := New(cfg, newMemDecider(), slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})), testOpts()...)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- in.Run(ctx) }()
			newOutputReader(t, cluster, connOpts...).until(t, "decisions with SASL", hasAll(txs))
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			in.Close()
			if strings.Contains(logs.String(), pass) || !strings.Contains(logs.String(), c.mech) {
				t.Fatalf("logs leak the password or omit the mechanism:\n%s", logs.String())
			}
		})
	}
}

func TestNewRefusesUnsafeOrIncompleteConfig(t *testing.T) {
	base := config.Kafka{Brokers: []string{"127.0.0.1:9092"}, InputTopic: "in", OutputTopic: "out", Group: "g"}
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*config.Kafka){
		"no brokers":        func(c *config.Kafka) { c.Brokers = nil },
		"no group":          func(c *config.Kafka) { c.Group = "" },
		"same topics":       func(c *config.Kafka) { c.OutputTopic = c.InputTopic },
		"PLAIN without TLS": func(c *config.Kafka) { c.SASLMechanism, c.Username, c.PasswordFile = "PLAIN", "u", pw },
		"unknown mechanism": func(c *config.Kafka) { c.SASLMechanism, c.Username, c.PasswordFile = "GSSAPI", "u", pw },
		"no password file":  func(c *config.Kafka) { c.SASLMechanism, c.Username = "SCRAM-SHA-256", "u" },
		"empty password":    func(c *config.Kafka) { c.SASLMechanism, c.Username, c.PasswordFile = "SCRAM-SHA-256", "u", pw },
		"missing CA file":   func(c *config.Kafka) { c.TLS, c.CAFile = true, pw+".missing" },
		"missing password file": func(c *config.Kafka) {
			c.SASLMechanism, c.Username, c.PasswordFile = "SCRAM-SHA-512", "u", pw+".missing"
		},
	} {
		cfg := base
		mod(&cfg)
		if in, err := New(cfg, newMemDecider(), nil); err == nil {
			in.Close()
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := New(base, nil, nil); err == nil {
		t.Error("nil Decider accepted")
	}
	in, err := New(base, newMemDecider(), nil)
	if err != nil {
		t.Fatalf("valid config refused: %v", err)
	}
	in.Close()
}

// warden serve must stop promptly even when Kafka is down.
func TestRunStopsPromptlyWithBrokersDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	cfg := config.Kafka{Brokers: []string{addr}, InputTopic: inTopic, OutputTopic: outTopic, Group: "g-down"}
	var logs syncBuffer
	in, err := New(cfg, newMemDecider(), slog.New(slog.NewTextHandler(&logs, nil)), testOpts()...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.Run(ctx) }()
	// Both logged: the client (made by New) fails to connect, and Run has
	// started (it logs after claiming the intake, so the second Run below
	// cannot win the race and run forever).
	waitFor(t, "Run to start and the connection failure to be logged", func() bool {
		l := logs.String()
		return strings.Contains(l, "level=WARN msg=\"unable to open connection to broker\"") && strings.Contains(l, "msg=\"kafka intake starting\"")
	})
	if err := in.Run(context.Background()); err == nil {
		t.Error("a second Run was accepted")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return within 10s of cancellation with the brokers down")
	}
	in.Close()
}
