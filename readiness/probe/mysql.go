package probe

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// CheckMySQLSSL is reported by MySQL.
const CheckMySQLSSL = "mysql.ssl"

// MySQL client/server capability flags used here.
const (
	mysqlClientProtocol41      = 0x00000200
	mysqlClientSSL             = 0x00000800
	mysqlClientSecureConn      = 0x00008000
	mysqlClientPluginAuth      = 0x00080000
	mysqlMaxPacket             = 1 << 24
	mysqlCharsetUTF8MB4        = 45
	mysqlHandshakeV10     byte = 10
)

// mysqlGreeting is what the server's initial handshake packet tells.
type mysqlGreeting struct {
	Version      string
	Capabilities uint32
}

// readMySQLGreeting reads the initial handshake (protocol 10) packet.
func readMySQLGreeting(conn net.Conn) (*mysqlGreeting, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return nil, fmt.Errorf("read handshake: %w", err)
	}
	n := int(hdr[0]) | int(hdr[1])<<8 | int(hdr[2])<<16
	if n < 1 || n > 1<<16 {
		return nil, fmt.Errorf("handshake packet of %d bytes: not a MySQL server?", n)
	}
	p := make([]byte, n)
	if _, err := io.ReadFull(conn, p); err != nil {
		return nil, fmt.Errorf("read handshake: %w", err)
	}
	return parseMySQLGreeting(p)
}

func parseMySQLGreeting(p []byte) (*mysqlGreeting, error) {
	if p[0] == 0xff {
		// An ERR packet: e.g. "Host is not allowed to connect".
		msg := p[1:]
		if len(msg) > 2 {
			msg = msg[2:]
		}
		return nil, fmt.Errorf("server refused the connection: %s", bytes.TrimLeft(msg, "#0123456789ABCDEFHY"))
	}
	if p[0] != mysqlHandshakeV10 {
		return nil, fmt.Errorf("handshake protocol %d, want 10: not a MySQL server?", p[0])
	}
	end := bytes.IndexByte(p[1:], 0)
	if end < 0 {
		return nil, fmt.Errorf("malformed handshake: no server version")
	}
	g := &mysqlGreeting{Version: string(p[1 : 1+end])}
	i := 1 + end + 1 + 4 + 8 + 1 // version, NUL, connection id, auth data part 1, filler
	if len(p) < i+2 {
		return nil, fmt.Errorf("malformed handshake: %d bytes", len(p))
	}
	g.Capabilities = uint32(binary.LittleEndian.Uint16(p[i:]))
	if len(p) >= i+2+1+2+2 {
		g.Capabilities |= uint32(binary.LittleEndian.Uint16(p[i+5:])) << 16
	}
	return g, nil
}

// mysqlSSLRequest is the short handshake response that asks the server to
// switch to TLS before credentials are sent.
func mysqlSSLRequest() []byte {
	p := make([]byte, 4+32)
	p[0], p[3] = 32, 1 // payload length 32, sequence id 1
	binary.LittleEndian.PutUint32(p[4:], mysqlClientProtocol41|mysqlClientSSL|mysqlClientSecureConn|mysqlClientPluginAuth)
	binary.LittleEndian.PutUint32(p[8:], mysqlMaxPacket)
	p[12] = mysqlCharsetUTF8MB4
	return p
}

// MySQLUpgrade dials, reads the greeting and requests TLS.
func MySQLUpgrade(addr string) Upgrade {
	return func(ctx context.Context) (net.Conn, error) {
		conn, err := dial(ctx, addr)
		if err != nil {
			return nil, err
		}
		g, err := readMySQLGreeting(conn)
		if err == nil && g.Capabilities&mysqlClientSSL == 0 {
			err = fmt.Errorf("server %s does not offer SSL", g.Version)
		}
		if err == nil {
			_, err = conn.Write(mysqlSSLRequest())
		}
		if err != nil {
			conn.Close()
			return nil, err
		}
		return conn, nil
	}
}

// MySQL reads a MySQL or MariaDB server's greeting for the SSL capability
// and, when offered, examines the TLS it negotiates.
func MySQL(ctx context.Context, addr string, opts TLSOptions) []Finding {
	all := append([]string{CheckMySQLSSL}, TLSChecks...)
	conn, err := dial(ctx, addr)
	if err != nil {
		return errorAll(err, all...)
	}
	g, err := readMySQLGreeting(conn)
	conn.Close()
	if err != nil {
		return errorAll(err, all...)
	}
	if g.Capabilities&mysqlClientSSL == 0 {
		return []Finding{finding(CheckMySQLSSL, Fail, "server %s does not offer SSL (CLIENT_SSL capability not set)", g.Version)}
	}
	if opts.ServerName == "" {
		opts.ServerName = hostOf(addr)
	}
	st, tf := AnalyzeTLS(ctx, MySQLUpgrade(addr), opts)
	if st == nil {
		return append([]Finding{finding(CheckMySQLSSL, Fail, "server %s offers SSL but the TLS handshake failed", g.Version)}, tf...)
	}
	return append([]Finding{finding(CheckMySQLSSL, Pass, "server %s offers SSL; negotiated %s", g.Version, st)}, tf...)
}
