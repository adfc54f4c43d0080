package probe

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
)

// CheckKafkaTLS is reported by Kafka.
const CheckKafkaTLS = "kafka.tls"

// kafkaAPIVersions sends ApiVersions v0 (the request every client sends
// first, valid before authentication) and reports whether a Kafka answer
// with the same correlation id came back.
func kafkaAPIVersions(conn net.Conn) error {
	const corr = 0x57415244 // "WARD"
	client := "warden-readiness"
	body := make([]byte, 0, 32)
	body = binary.BigEndian.AppendUint16(body, 18) // ApiVersions
	body = binary.BigEndian.AppendUint16(body, 0)  // version 0
	body = binary.BigEndian.AppendUint32(body, corr)
	body = binary.BigEndian.AppendUint16(body, uint16(len(client)))
	body = append(body, client...)
	msg := binary.BigEndian.AppendUint32(nil, uint32(len(body)))
	if _, err := conn.Write(append(msg, body...)); err != nil {
		return fmt.Errorf("send ApiVersions: %w", err)
	}
	var hdr [8]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return fmt.Errorf("read ApiVersions response: %w", err)
	}
	if n := binary.BigEndian.Uint32(hdr[:4]); n < 4 || n > 1<<20 {
		return fmt.Errorf("ApiVersions response of %d bytes: not Kafka", n)
	}
	if got := binary.BigEndian.Uint32(hdr[4:]); got != corr {
		return fmt.Errorf("ApiVersions correlation id %#x, want %#x: not Kafka", got, corr)
	}
	return nil
}

// Kafka tells a TLS listener from a PLAINTEXT one: a plaintext ApiVersions
// request first (a TLS listener rejects it at once, while a ClientHello sent
// to a PLAINTEXT listener would wait for more bytes until the timeout), then
// a TLS handshake.
func Kafka(ctx context.Context, addr string, opts TLSOptions) []Finding {
	if opts.ServerName == "" {
		opts.ServerName = hostOf(addr)
	}
	conn, err := dial(ctx, addr)
	if err != nil {
		return errorAll(err, CheckKafkaTLS)
	}
	perr := kafkaAPIVersions(conn)
	conn.Close()
	if perr == nil {
		return []Finding{finding(CheckKafkaTLS, Fail, "PLAINTEXT listener: answered ApiVersions without TLS")}
	}
	if ctx.Err() != nil || isTimeout(perr) {
		return errorAll(perr, CheckKafkaTLS)
	}
	st, tf := AnalyzeTLS(ctx, Direct(addr), opts)
	if st == nil {
		return append(tf, errorAll(fmt.Errorf("neither a PLAINTEXT listener (%v) nor TLS", perr), CheckKafkaTLS)...)
	}
	return append([]Finding{finding(CheckKafkaTLS, Pass, "TLS listener (%s)", st)}, tf...)
}
