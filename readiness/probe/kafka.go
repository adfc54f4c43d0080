package probe

import (
	"context"
	"crypto/tls"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Checks reported by Kafka.
const (
	CheckKafkaTLS  = "kafka.tls"
	CheckKafkaAuth = "kafka.authentication"
)

const (
	kafkaClientID = "warden-readiness"
	// kafkaMaxResponse bounds the responses read: ApiVersions and a Metadata
	// request for no topics are a few kilobytes.
	kafkaMaxResponse = 1 << 20
	corrAPIVersions  = 0x57415244 // "WARD"
	corrMetadata     = 0x57415245
)

// errNotKafka marks an answer that is not the Kafka protocol.
var errNotKafka = errors.New("not Kafka")

// kafkaRoundTrip sends one request (encoded by kmsg, with the request
// header of its version) and decodes the answer carrying the same
// correlation id.
func kafkaRoundTrip(conn net.Conn, req kmsg.Request, corr int32) (kmsg.Response, error) {
	name := kmsg.NameForKey(req.Key())
	msg := kmsg.NewRequestFormatter(kmsg.FormatterClientID(kafkaClientID)).AppendRequest(nil, req, corr)
	if _, err := conn.Write(msg); err != nil {
		return nil, fmt.Errorf("send %s: %w", name, err)
	}
	var hdr [8]byte
	if _, err := io.ReadFull(conn, hdr[:]); err != nil {
		return nil, fmt.Errorf("read %s response: %w", name, err)
	}
	if n := binary.BigEndian.Uint32(hdr[:4]); n < 4 || n > kafkaMaxResponse {
		return nil, fmt.Errorf("%s response of %d bytes: %w", name, n, errNotKafka)
	}
	if got := int32(binary.BigEndian.Uint32(hdr[4:])); got != corr {
		return nil, fmt.Errorf("%s correlation id %#x, want %#x: %w", name, got, corr, errNotKafka)
	}
	body := make([]byte, binary.BigEndian.Uint32(hdr[:4])-4)
	if _, err := io.ReadFull(conn, body); err != nil {
		return nil, fmt.Errorf("read %s response: %w", name, err)
	}
	resp := req.ResponseKind()
	// Flexible responses start with the header's tagged fields, except
	// ApiVersions, whose response header stays at version 0 (KIP-511).
	if resp.IsFlexible() && req.Key() != kmsg.ApiVersions.Int16() {
		var err error
		if body, err = skipKafkaTags(body); err != nil {
			return nil, fmt.Errorf("%s response header: %w", name, err)
		}
	}
	if err := resp.ReadFrom(body); err != nil {
		return nil, fmt.Errorf("decode %s response: %w: %w", name, err, errNotKafka)
	}
	return resp, nil
}

// skipKafkaTags skips a tagged-fields section (KIP-482): a count, then a
// tag and a size before each field.
func skipKafkaTags(b []byte) ([]byte, error) {
	uvarint := func() (uint64, error) {
		v, n := binary.Uvarint(b)
		if n <= 0 {
			return 0, fmt.Errorf("bad tagged fields: %w", errNotKafka)
		}
		b = b[n:]
		return v, nil
	}
	num, err := uvarint()
	for ; err == nil && num > 0; num-- {
		if _, err = uvarint(); err != nil {
			break
		}
		var size uint64
		if size, err = uvarint(); err == nil && size > uint64(len(b)) {
			err = fmt.Errorf("tagged field of %d bytes in %d: %w", size, len(b), errNotKafka)
		}
		if err == nil {
			b = b[size:]
		}
	}
	return b, err
}

// kafkaAPIVersions sends ApiVersions v0 (the request every client sends
// first, valid before TLS is known and before SASL authentication) and
// returns the versions the broker supports.
func kafkaAPIVersions(conn net.Conn) (*kmsg.ApiVersionsResponse, error) {
	req := kmsg.NewPtrApiVersionsRequest()
	req.SetVersion(0)
	resp, err := kafkaRoundTrip(conn, req, corrAPIVersions)
	if err != nil {
		return nil, err
	}
	return resp.(*kmsg.ApiVersionsResponse), nil
}

// kafkaMetadataVersion picks the highest Metadata version both the broker
// and kmsg support (brokers from Kafka 4.0 refuse versions below 4).
func kafkaMetadataVersion(av *kmsg.ApiVersionsResponse) int16 {
	ours := kmsg.NewPtrMetadataRequest().MaxVersion()
	for _, k := range av.ApiKeys {
		if k.ApiKey == kmsg.Metadata.Int16() {
			return max(k.MinVersion, min(ours, k.MaxVersion))
		}
	}
	return 4
}

// closedByPeer reports whether err is the broker ending the connection: an
// end of file, a reset, or a TLS alert (a mutual-TLS listener's answer to a
// client without a certificate under TLS 1.3).
func closedByPeer(err error) bool {
	var op *net.OpError
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		(errors.As(err, &op) && op.Op == "remote error")
}

// kafkaAuthentication connects as a client that never authenticates (no
// SASL handshake, no client certificate; over TLS when tlsCfg is set), sends
// ApiVersions, which brokers answer before authentication, then Metadata. A
// Metadata answer means the listener serves anonymous clients; a broker
// requiring SASL or mutual TLS closes the connection instead.
func kafkaAuthentication(ctx context.Context, addr string, tlsCfg *tls.Config) Finding {
	raw, err := dial(ctx, addr)
	if err != nil {
		return finding(CheckKafkaAuth, Error, "%s", reason(err))
	}
	defer raw.Close()
	conn, via := raw, "plaintext"
	if tlsCfg != nil {
		tc := tls.Client(raw, tlsCfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			return finding(CheckKafkaAuth, Error, "TLS handshake: %s", reason(err))
		}
		conn, via = tc, "TLS"
	}
	refused := func(err error) Finding {
		if ctx.Err() == nil && !isTimeout(err) && closedByPeer(err) {
			return finding(CheckKafkaAuth, Pass, "closed the %s connection of a client that had not authenticated (%v): the listener requires SASL or mutual TLS", via, err)
		}
		return finding(CheckKafkaAuth, Error, "%s", reason(err))
	}
	av, err := kafkaAPIVersions(conn)
	if err != nil {
		return refused(err)
	}
	req := kmsg.NewPtrMetadataRequest()
	req.SetVersion(kafkaMetadataVersion(av))
	req.Topics = []kmsg.MetadataRequestTopic{} // none (nil would ask for every topic)
	resp, err := kafkaRoundTrip(conn, req, corrMetadata)
	if err != nil {
		return refused(err)
	}
	md := resp.(*kmsg.MetadataResponse)
	cluster := ""
	if md.ClusterID != nil {
		cluster = ", cluster " + *md.ClusterID
	}
	return finding(CheckKafkaAuth, Fail, "answered Metadata v%d over %s without authentication (%d broker(s)%s): the listener accepts unauthenticated clients",
		req.Version, via, len(md.Brokers), cluster)
}

// Kafka tells a TLS listener from a PLAINTEXT one: a plaintext ApiVersions
// request first (a TLS listener rejects it at once, while a ClientHello sent
// to a PLAINTEXT listener would wait for more bytes until the timeout), then
// a TLS handshake. On the listener's transport it then checks that a client
// which has not authenticated is refused.
func Kafka(ctx context.Context, addr string, opts TLSOptions) []Finding {
	if opts.ServerName == "" {
		opts.ServerName = hostOf(addr)
	}
	conn, err := dial(ctx, addr)
	if err != nil {
		return errorAll(err, CheckKafkaTLS, CheckKafkaAuth)
	}
	_, perr := kafkaAPIVersions(conn)
	conn.Close()
	if perr == nil {
		return []Finding{
			finding(CheckKafkaTLS, Fail, "PLAINTEXT listener: answered ApiVersions without TLS"),
			kafkaAuthentication(ctx, addr, nil),
		}
	}
	if ctx.Err() != nil || isTimeout(perr) {
		return errorAll(perr, CheckKafkaTLS, CheckKafkaAuth)
	}
	st, tf := AnalyzeTLS(ctx, Direct(addr), opts)
	if st == nil {
		return append(tf, errorAll(fmt.Errorf("neither a PLAINTEXT listener (%w) nor TLS", perr), CheckKafkaTLS, CheckKafkaAuth)...)
	}
	return append([]Finding{finding(CheckKafkaTLS, Pass, "TLS listener (%s)", st), kafkaAuthentication(ctx, addr, baseConfig(opts))}, tf...)
}
