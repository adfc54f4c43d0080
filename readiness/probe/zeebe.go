package probe

import (
	"context"
	"fmt"
	"io"
	"net"
)

// CheckZeebeTLS is reported by Zeebe.
const CheckZeebeTLS = "zeebe.tls"

// http2Preface is the HTTP/2 client connection preface plus an empty
// SETTINGS frame: what a plaintext (h2c) gRPC client sends first.
var http2Preface = append([]byte("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), 0, 0, 0, 4, 0, 0, 0, 0, 0)

// Zeebe checks that the gateway serves gRPC over TLS. A plaintext HTTP/2
// preface goes first (a plaintext gateway answers with SETTINGS, a TLS port
// rejects it at once); then a handshake offering ALPN h2, as gRPC clients do.
func Zeebe(ctx context.Context, addr string, opts TLSOptions) []Finding {
	if opts.ServerName == "" {
		opts.ServerName = hostOf(addr)
	}
	opts.NextProtos = []string{"h2"}
	conn, err := dial(ctx, addr)
	if err != nil {
		return errorAll(err, CheckZeebeTLS)
	}
	perr := h2cPreface(conn)
	conn.Close()
	if perr == nil {
		return []Finding{finding(CheckZeebeTLS, Fail, "plaintext gRPC (h2c): answered an HTTP/2 preface without TLS")}
	}
	if ctx.Err() != nil || isTimeout(perr) {
		return errorAll(perr, CheckZeebeTLS)
	}
	st, tf := AnalyzeTLS(ctx, Direct(addr), opts)
	if st == nil {
		return append(tf, errorAll(fmt.Errorf("neither plaintext HTTP/2 (%v) nor TLS", perr), CheckZeebeTLS)...)
	}
	if st.ALPN != "h2" {
		return append([]Finding{finding(CheckZeebeTLS, Warn, "TLS (%s) but ALPN h2 not negotiated: gRPC clients may fail", st)}, tf...)
	}
	return append([]Finding{finding(CheckZeebeTLS, Pass, "gRPC over TLS (%s, ALPN h2)", st)}, tf...)
}

// h2cPreface sends the HTTP/2 preface and expects a SETTINGS frame back.
func h2cPreface(conn net.Conn) error {
	if _, err := conn.Write(http2Preface); err != nil {
		return err
	}
	var hdr [9]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return err
	}
	if hdr[3] != 4 { // frame type SETTINGS
		return fmt.Errorf("first frame type %d, want SETTINGS", hdr[3])
	}
	return nil
}
