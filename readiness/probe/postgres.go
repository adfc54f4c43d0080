package probe

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// Checks reported by Postgres.
const (
	CheckPostgresSSL         = "postgres.ssl"
	CheckPostgresTLSRequired = "postgres.tls_required"
)

// The role and database the plaintext startup probe names. The role need not
// exist: pg_hba.conf is consulted before the role is looked up.
const (
	PostgresProbeUser     = "warden_readiness_probe"
	PostgresProbeDatabase = "postgres"
)

// sslRequestCode is PostgreSQL's SSLRequest magic (protocol 1234.5679).
const sslRequestCode = 80877103

// postgresSSLRequest sends SSLRequest and returns the server's one-byte
// answer: 'S' to proceed with TLS, 'N' for no SSL.
func postgresSSLRequest(conn net.Conn) (byte, error) {
	var msg [8]byte
	binary.BigEndian.PutUint32(msg[0:4], 8)
	binary.BigEndian.PutUint32(msg[4:8], sslRequestCode)
	if _, err := conn.Write(msg[:]); err != nil {
		return 0, fmt.Errorf("send SSLRequest: %w", err)
	}
	var ans [1]byte
	if _, err := io.ReadFull(conn, ans[:]); err != nil {
		return 0, fmt.Errorf("read SSLRequest answer: %w", err)
	}
	return ans[0], nil
}

// PostgresUpgrade dials and negotiates TLS with SSLRequest.
func PostgresUpgrade(addr string) Upgrade {
	return func(ctx context.Context) (net.Conn, error) {
		conn, err := dial(ctx, addr)
		if err != nil {
			return nil, err
		}
		ans, err := postgresSSLRequest(conn)
		if err == nil && ans != 'S' {
			err = fmt.Errorf("server answered %q to SSLRequest", ans)
		}
		if err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}
}

// Postgres asks a PostgreSQL server for SSL and, when it agrees, checks that
// it refuses a plaintext session (PostgresTLSRequired with the probe's role
// and database) and examines the TLS it negotiates.
func Postgres(ctx context.Context, addr string, opts TLSOptions) []Finding {
	return PostgresAs(ctx, addr, "", "", opts)
}

// PostgresAs is Postgres with the role and database the plaintext startup
// names (PostgresProbeUser and PostgresProbeDatabase where empty).
func PostgresAs(ctx context.Context, addr, user, database string, opts TLSOptions) []Finding {
	if user == "" {
		user = PostgresProbeUser
	}
	if database == "" {
		database = PostgresProbeDatabase
	}
	all := append([]string{CheckPostgresSSL, CheckPostgresTLSRequired}, TLSChecks...)
	conn, err := dial(ctx, addr)
	if err != nil {
		return errorAll(err, all...)
	}
	ans, err := postgresSSLRequest(conn)
	conn.Close()
	if err != nil {
		return errorAll(err, all...)
	}
	switch ans {
	case 'N':
		return []Finding{
			finding(CheckPostgresSSL, Fail, "answered N to SSLRequest: the server has ssl = off, connections are plaintext"),
			finding(CheckPostgresTLSRequired, Fail, "ssl = off: no connection can be encrypted, so pg_hba.conf accepts unencrypted connections"),
		}
	case 'S':
	default:
		return errorAll(fmt.Errorf("answered %q to SSLRequest: not a PostgreSQL server?", ans), all...)
	}
	required := PostgresTLSRequired(ctx, addr, user, database)
	if opts.ServerName == "" {
		opts.ServerName = hostOf(addr)
	}
	st, tf := AnalyzeTLS(ctx, PostgresUpgrade(addr), opts)
	if st == nil {
		return append([]Finding{finding(CheckPostgresSSL, Fail, "answered S to SSLRequest but the TLS handshake failed"), required}, tf...)
	}
	return append([]Finding{finding(CheckPostgresSSL, Pass, "answered S to SSLRequest; negotiated %s", st), required}, tf...)
}
