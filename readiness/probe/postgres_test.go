package probe

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wardenhq/warden/internal/pgtest"
	"github.com/wardenhq/warden/internal/servertest"
)

// startPostgresHBA starts PostgreSQL with ssl on, replaces its pg_hba.conf
// with hba and reloads it, returning once a new session sees the reload.
// hba must let the test's role "warden" in over SSL with trust.
func startPostgresHBA(t *testing.T, cert *servertest.Cert, hba string) string {
	t.Helper()
	c, err := pgtest.StartWithOptions(t.Context(), pgtest.Options{SSLCert: cert.CertPEM, SSLKey: cert.KeyPEM})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	// initdb's pg_hba.conf (trust for every local connection) still holds.
	conn, err := pgx.Connect(ctx, c.DSN())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var before time.Time
	if err := conn.QueryRow(ctx, "SELECT pg_conf_load_time()").Scan(&before); err != nil {
		t.Fatal(err)
	}
	// Truncating the existing file keeps its owner (the server's user).
	if err := os.WriteFile(filepath.Join(c.Dir, "data", "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		t.Fatal(err)
	}
	var ok bool
	if err := conn.QueryRow(ctx, "SELECT pg_reload_conf()").Scan(&ok); err != nil || !ok {
		t.Fatalf("pg_reload_conf: %v %v", ok, err)
	}
	// The postmaster reloads pg_hba.conf with the configuration, before it
	// forks another backend: a new session with the new load time sees it.
	sslDSN := strings.Replace(c.DSN(), "sslmode=disable", "sslmode=require", 1)
	for {
		var loaded time.Time
		s, err := pgx.Connect(ctx, sslDSN)
		if err == nil {
			err = s.QueryRow(ctx, "SELECT pg_conf_load_time()").Scan(&loaded)
			s.Close(ctx)
		}
		if err == nil && loaded.After(before) {
			return servertest.Addr(c.Port)
		}
		if ctx.Err() != nil {
			t.Fatalf("pg_hba.conf not reloaded: %v (load time %s, before %s)", err, loaded, before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestPostgresTLSRequired(t *testing.T) {
	ca := servertest.NewCA(t)
	cert := ca.Issue(t, time.Now().Add(200*24*time.Hour), "127.0.0.1")
	const admin = "local all all trust\nhostssl all warden 127.0.0.1/32 trust\n"
	t.Run("hostssl only", func(t *testing.T) {
		addr := startPostgresHBA(t, cert, admin+"hostssl all all 127.0.0.1/32 scram-sha-256\n")
		fs := Postgres(probeCtx(t), addr, TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
		want(t, fs, CheckPostgresSSL, Pass, "answered S")
		f := want(t, fs, CheckPostgresTLSRequired, Pass, `no pg_hba.conf entry for host "127.0.0.1", user "warden_readiness_probe", database "postgres", no encryption`)
		t.Logf("evidence: %s", f.Evidence)
		want(t, fs, CheckTLSChain, Pass, "")
	})
	t.Run("hostnossl reject", func(t *testing.T) {
		addr := startPostgresHBA(t, cert, admin+"hostssl all all 127.0.0.1/32 scram-sha-256\nhostnossl all all all reject\n")
		fs := Postgres(probeCtx(t), addr, TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
		want(t, fs, CheckPostgresTLSRequired, Pass, "pg_hba.conf rejects connection")
		want(t, fs, CheckPostgresTLSRequired, Pass, "no encryption")
	})
	t.Run("host scram-sha-256", func(t *testing.T) {
		addr := startPostgresHBA(t, cert, admin+"host all all 127.0.0.1/32 scram-sha-256\n")
		fs := Postgres(probeCtx(t), addr, TLSOptions{Roots: pool(ca), RootsName: "ca.pem"})
		want(t, fs, CheckPostgresSSL, Pass, "answered S")
		f := want(t, fs, CheckPostgresTLSRequired, Fail, "SASL authentication request (SCRAM-SHA-256)")
		if !strings.Contains(f.Evidence, "pg_hba.conf accepts unencrypted connections") {
			t.Errorf("evidence %q does not say pg_hba.conf accepts unencrypted connections", f.Evidence)
		}
		// The probe's role and database are the ones named, and so would be
		// another pair's.
		f = PostgresTLSRequired(probeCtx(t), addr, "fineract", "fineract_tenants")
		if f.Status != Fail || !strings.Contains(f.Evidence, `user "fineract", database "fineract_tenants"`) {
			t.Errorf("fineract: %+v", f)
		}
	})
	t.Run("plaintext for the application's role only", func(t *testing.T) {
		// A line for one role and database is invisible to the probe's own
		// role; naming the application's (the targets file's user and
		// database) finds it.
		addr := startPostgresHBA(t, cert, admin+"host fineract_tenants fineract 127.0.0.1/32 scram-sha-256\nhostssl all all 127.0.0.1/32 scram-sha-256\n")
		opts := TLSOptions{Roots: pool(ca), RootsName: "ca.pem"}
		want(t, Postgres(probeCtx(t), addr, opts), CheckPostgresTLSRequired, Pass, "no encryption")
		f := want(t, PostgresAs(probeCtx(t), addr, "fineract", "fineract_tenants", opts), CheckPostgresTLSRequired, Fail, "SCRAM-SHA-256")
		if !strings.Contains(f.Evidence, `user "fineract", database "fineract_tenants"`) {
			t.Errorf("evidence %q does not name the role and database", f.Evidence)
		}
	})
	t.Run("host ident", func(t *testing.T) {
		// Ident fails with SQLSTATE 28000 too, but it is not a refusal of
		// plaintext: the probe must not claim a pass.
		addr := startPostgresHBA(t, cert, admin+"host all all 127.0.0.1/32 ident\n")
		f := PostgresTLSRequired(probeCtx(t), addr, PostgresProbeUser, PostgresProbeDatabase)
		if f.Status != Warn || !strings.Contains(f.Evidence, "Ident authentication failed") || !strings.Contains(f.Evidence, "28000") {
			t.Errorf("ident: %+v, want warn with the server's message", f)
		}
	})
	t.Run("dead", func(t *testing.T) {
		f := PostgresTLSRequired(probeCtx(t), closedPort(t), PostgresProbeUser, PostgresProbeDatabase)
		if f.Status != Error || !strings.Contains(f.Evidence, "connection refused") {
			t.Errorf("dead: %+v", f)
		}
	})
}
