package probe

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
)

// protocolV3 is the StartupMessage's protocol version 3.0.
const protocolV3 = 3 << 16

// sqlstateInvalidAuthorization is the SQLSTATE of pg_hba.conf's rejections
// ("no pg_hba.conf entry for host ..." and "pg_hba.conf rejects connection
// for host ...").
const sqlstateInvalidAuthorization = "28000"

// postgresStartup sends a protocol 3.0 StartupMessage on a connection that
// has not asked for SSL.
func postgresStartup(conn net.Conn, user, database string) error {
	msg := binary.BigEndian.AppendUint32(nil, 0) // length, set below
	msg = binary.BigEndian.AppendUint32(msg, protocolV3)
	for _, kv := range [][2]string{{"user", user}, {"database", database}, {"application_name", "warden-readiness"}} {
		msg = append(append(msg, kv[0]...), 0)
		msg = append(append(msg, kv[1]...), 0)
	}
	msg = append(msg, 0)
	binary.BigEndian.PutUint32(msg, uint32(len(msg)))
	if _, err := conn.Write(msg); err != nil {
		return fmt.Errorf("send StartupMessage: %w", err)
	}
	return nil
}

// readPostgresMessage reads one backend message: its type byte and payload.
func readPostgresMessage(conn net.Conn) (byte, []byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return 0, nil, fmt.Errorf("read answer to StartupMessage: %w", err)
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if n < 4 || n > 1<<16 {
		return 0, nil, fmt.Errorf("message %q of %d bytes in answer to StartupMessage: not PostgreSQL?", hdr[0], n)
	}
	payload := make([]byte, n-4)
	if _, err := io.ReadFull(conn, payload); err != nil {
		return 0, nil, fmt.Errorf("read answer to StartupMessage: %w", err)
	}
	return hdr[0], payload, nil
}

// postgresErrorFields parses an ErrorResponse's fields (code byte, then a
// NUL-terminated string), e.g. 'C' the SQLSTATE and 'M' the message.
func postgresErrorFields(p []byte) map[byte]string {
	f := map[byte]string{}
	for len(p) > 1 && p[0] != 0 {
		i := bytes.IndexByte(p[1:], 0)
		if i < 0 {
			break
		}
		f[p[0]] = string(p[1 : 1+i])
		p = p[2+i:]
	}
	return f
}

// postgresAuthName names an AuthenticationRequest by its code.
func postgresAuthName(p []byte) string {
	if len(p) < 4 {
		return "an authentication request"
	}
	switch code := binary.BigEndian.Uint32(p); code {
	case 0:
		return "AuthenticationOk: no password asked (trust)"
	case 3:
		return "a request for a cleartext password"
	case 5:
		return "a request for an MD5 password"
	case 7:
		return "a GSSAPI authentication request"
	case 9:
		return "an SSPI authentication request"
	case 10:
		mechs := strings.Split(strings.TrimRight(string(p[4:]), "\x00"), "\x00")
		return "a SASL authentication request (" + strings.Join(mechs, ", ") + ")"
	default:
		return fmt.Sprintf("authentication request %d", code)
	}
}

// PostgresTLSRequired checks that the server refuses an unencrypted session:
// it opens a plain TCP connection, sends a StartupMessage without SSLRequest
// for the user and database, and reads the first answer. An authentication
// request (or a session starting) means pg_hba.conf accepted the plaintext
// connection and fails; pg_hba.conf's rejection of a non-SSL connection
// (SQLSTATE 28000, "... no encryption") passes; any other error warns with
// the server's message. No password is ever sent: the connection is closed
// at the first authentication request.
//
// Only the pg_hba.conf lines matching this user and database are exercised:
// a line accepting plaintext for another role or database is not seen.
func PostgresTLSRequired(ctx context.Context, addr, user, database string) Finding {
	conn, err := dial(ctx, addr)
	if err != nil {
		return finding(CheckPostgresTLSRequired, Error, "%s", reason(err))
	}
	defer conn.Close()
	if err := postgresStartup(conn, user, database); err != nil {
		return finding(CheckPostgresTLSRequired, Error, "%s", reason(err))
	}
	who := fmt.Sprintf("user %q, database %q", user, database)
	// Skip notices and protocol negotiation; the answer proper comes within
	// a few messages.
	for range 8 {
		typ, p, err := readPostgresMessage(conn)
		if err != nil {
			return finding(CheckPostgresTLSRequired, Error, "%s", reason(err))
		}
		switch typ {
		case 'R':
			return finding(CheckPostgresTLSRequired, Fail, "answered a plaintext StartupMessage (%s) with %s: pg_hba.conf accepts unencrypted connections", who, postgresAuthName(p))
		case 'S', 'K', 'Z':
			return finding(CheckPostgresTLSRequired, Fail, "started a plaintext session (%s) without authentication: pg_hba.conf accepts unencrypted connections", who)
		case 'E':
			f := postgresErrorFields(p)
			if f['C'] == sqlstateInvalidAuthorization && strings.Contains(f['M'], "no encryption") {
				return finding(CheckPostgresTLSRequired, Pass, "refused a plaintext connection (%s): %s", who, f['M'])
			}
			return finding(CheckPostgresTLSRequired, Warn, "refused a plaintext StartupMessage (%s) with SQLSTATE %s %q, not pg_hba.conf's rejection of unencrypted connections: cannot tell whether TLS is required", who, f['C'], f['M'])
		case 'N', 'v':
		default:
			return finding(CheckPostgresTLSRequired, Error, "answered a StartupMessage with message %q: not PostgreSQL?", typ)
		}
	}
	return finding(CheckPostgresTLSRequired, Error, "no authentication request or error after 8 messages")
}
