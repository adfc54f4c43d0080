package probe

import (
	"crypto/tls"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/wardenhq/warden/internal/pgtest"
	"github.com/wardenhq/warden/internal/servertest"
)

func TestPostgresProbe(t *testing.T) {
	ca := servertest.NewCA(t)
	cert := ca.Issue(t, time.Now().Add(200*24*time.Hour), "127.0.0.1")
	t.Run("ssl on", func(t *testing.T) {
		c, err := pgtest.StartWithOptions(t.Context(), pgtest.Options{SSLCert: cert.CertPEM, SSLKey: cert.KeyPEM})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Stop)
		fs := Postgres(probeCtx(t), servertest.Addr(c.Port), TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
		want(t, fs, CheckPostgresSSL, Pass, "answered S to SSLRequest; negotiated TLS 1.3")
		// initdb --auth=trust: "host all all 127.0.0.1/32 trust".
		want(t, fs, CheckPostgresTLSRequired, Fail, "AuthenticationOk: no password asked (trust)")
		want(t, fs, CheckTLSProtocol, Pass, "refused TLS 1.0 and TLS 1.1")
		want(t, fs, CheckTLSChain, Pass, "Warden Test Root CA")
		want(t, fs, CheckTLSExpiry, Pass, "")
	})
	t.Run("ssl off", func(t *testing.T) {
		c, err := pgtest.Start(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Stop)
		fs := Postgres(probeCtx(t), servertest.Addr(c.Port), TLSOptions{})
		want(t, fs, CheckPostgresSSL, Fail, "answered N to SSLRequest")
		want(t, fs, CheckPostgresTLSRequired, Fail, "ssl = off")
		absent(t, fs, CheckTLSProtocol)
	})
	t.Run("dead", func(t *testing.T) {
		fs := Postgres(probeCtx(t), closedPort(t), TLSOptions{})
		want(t, fs, CheckPostgresSSL, Error, "connection refused")
		want(t, fs, CheckPostgresTLSRequired, Error, "connection refused")
	})
}

func TestMySQLProbe(t *testing.T) {
	ca := servertest.NewCA(t)
	cert := ca.Issue(t, time.Now().Add(200*24*time.Hour), "127.0.0.1")
	t.Run("ssl", func(t *testing.T) {
		addr := servertest.StartMariaDB(t, servertest.MariaDBOptions{TLS: cert})
		fs := MySQL(probeCtx(t), addr, TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
		want(t, fs, CheckMySQLSSL, Pass, "MariaDB")
		want(t, fs, CheckMySQLSSL, Pass, "offers SSL; negotiated TLS")
		want(t, fs, CheckTLSChain, Pass, "Warden Test Root CA")
		want(t, fs, CheckTLSHostname, Pass, "")
	})
	t.Run("no ssl", func(t *testing.T) {
		addr := servertest.StartMariaDB(t, servertest.MariaDBOptions{})
		fs := MySQL(probeCtx(t), addr, TLSOptions{})
		want(t, fs, CheckMySQLSSL, Fail, "does not offer SSL")
		absent(t, fs, CheckTLSChain)
	})
	t.Run("not mysql", func(t *testing.T) {
		// A Redis server is a live TCP service that speaks another protocol.
		addr := servertest.StartRedis(t, servertest.RedisOptions{})
		fs := MySQL(timeoutCtx(t, t.Context(), time.Second), addr, TLSOptions{})
		want(t, fs, CheckMySQLSSL, Error, "")
	})
}

func TestRedisProbe(t *testing.T) {
	ca := servertest.NewCA(t)
	cert := ca.Issue(t, time.Now().Add(200*24*time.Hour), "127.0.0.1")
	t.Run("plaintext without password", func(t *testing.T) {
		addr := servertest.StartRedis(t, servertest.RedisOptions{})
		fs := Redis(probeCtx(t), addr, TLSOptions{})
		want(t, fs, CheckRedisTLS, Fail, "plaintext")
		want(t, fs, CheckRedisAuth, Fail, "without a password")
	})
	t.Run("plaintext with password", func(t *testing.T) {
		addr := servertest.StartRedis(t, servertest.RedisOptions{Password: "s3cret-pass"})
		fs := Redis(probeCtx(t), addr, TLSOptions{})
		want(t, fs, CheckRedisTLS, Fail, "plaintext")
		want(t, fs, CheckRedisAuth, Pass, "NOAUTH")
	})
	t.Run("TLS with password", func(t *testing.T) {
		addr := servertest.StartRedis(t, servertest.RedisOptions{Password: "s3cret-pass", TLS: cert})
		fs := Redis(probeCtx(t), addr, TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
		want(t, fs, CheckRedisTLS, Pass, "serves TLS")
		want(t, fs, CheckRedisAuth, Pass, "NOAUTH")
		want(t, fs, CheckTLSChain, Pass, "")
		want(t, fs, CheckTLSProtocol, Pass, "")
	})
	t.Run("TLS without password", func(t *testing.T) {
		addr := servertest.StartRedis(t, servertest.RedisOptions{TLS: cert})
		fs := Redis(probeCtx(t), addr, TLSOptions{})
		want(t, fs, CheckRedisTLS, Pass, "serves TLS")
		want(t, fs, CheckRedisAuth, Fail, "without a password")
		want(t, fs, CheckTLSChain, Fail, "unknown authority") // system roots do not know the test CA
	})
}

func TestKafkaProbe(t *testing.T) {
	ca := servertest.NewCA(t)
	cert := ca.Issue(t, time.Now().Add(200*24*time.Hour), "127.0.0.1")
	t.Run("plaintext", func(t *testing.T) {
		c := startKafka(t, kfake.NumBrokers(1))
		fs := Kafka(probeCtx(t), c.ListenAddrs()[0], TLSOptions{})
		want(t, fs, CheckKafkaTLS, Fail, "PLAINTEXT listener")
		want(t, fs, CheckKafkaAuth, Fail, "answered Metadata v13 over plaintext without authentication (1 broker(s)")
		absent(t, fs, CheckTLSChain)
	})
	t.Run("SASL plaintext", func(t *testing.T) {
		c := startKafka(t, kfake.NumBrokers(1), kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-256", "admin", "s3cret-pass"))
		fs := Kafka(probeCtx(t), c.ListenAddrs()[0], TLSOptions{})
		want(t, fs, CheckKafkaTLS, Fail, "PLAINTEXT listener") // SASL_PLAINTEXT is still plaintext
		want(t, fs, CheckKafkaAuth, Pass, "closed the plaintext connection of a client that had not authenticated")
		want(t, fs, CheckKafkaAuth, Pass, "read Metadata response") // ApiVersions was answered, Metadata refused
	})
	t.Run("SASL over TLS", func(t *testing.T) {
		c := startKafka(t, kfake.NumBrokers(1), kfake.EnableSASL(), kfake.Superuser("SCRAM-SHA-256", "admin", "s3cret-pass"),
			kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12}))
		fs := Kafka(probeCtx(t), c.ListenAddrs()[0], TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
		want(t, fs, CheckKafkaTLS, Pass, "TLS listener")
		want(t, fs, CheckKafkaAuth, Pass, "closed the TLS connection of a client that had not authenticated")
		want(t, fs, CheckKafkaAuth, Pass, "read Metadata response")
	})
	t.Run("mutual TLS", func(t *testing.T) {
		c := startKafka(t, kfake.NumBrokers(1), kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS13,
			ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool(ca)}))
		fs := Kafka(probeCtx(t), c.ListenAddrs()[0], TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
		want(t, fs, CheckKafkaTLS, Pass, "TLS listener")
		want(t, fs, CheckKafkaAuth, Pass, "closed the TLS connection")
	})
	t.Run("TLS", func(t *testing.T) {
		c := startKafka(t, kfake.NumBrokers(1), kfake.TLS(&tls.Config{Certificates: []tls.Certificate{cert.TLS}, MinVersion: tls.VersionTLS12}))
		fs := Kafka(probeCtx(t), c.ListenAddrs()[0], TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
		want(t, fs, CheckKafkaTLS, Pass, "TLS listener")
		want(t, fs, CheckKafkaAuth, Fail, "over TLS without authentication")
		want(t, fs, CheckTLSChain, Pass, "")
		want(t, fs, CheckTLSProtocol, Pass, "")
	})
	t.Run("silent", func(t *testing.T) {
		fs := Kafka(timeoutCtx(t, t.Context(), 300*time.Millisecond), blackhole(t), TLSOptions{})
		for _, check := range []string{CheckKafkaTLS, CheckKafkaAuth} {
			f := want(t, fs, check, Error, "")
			if !strings.Contains(f.Evidence, "timed out") && !strings.Contains(f.Evidence, "deadline") {
				t.Errorf("silent broker: %s evidence %q does not say it timed out", check, f.Evidence)
			}
		}
	})
}

// startKafka starts a kfake cluster with opts, closed when the test ends.
func startKafka(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}
