package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// Check ids reported by AnalyzeTLS for every TLS endpoint.
const (
	CheckTLSProtocol = "tls.protocol"
	CheckTLSCiphers  = "tls.ciphers"
	CheckTLSChain    = "tls.chain"
	CheckTLSHostname = "tls.hostname"
	CheckTLSExpiry   = "tls.expiry"
)

// TLSChecks are the checks AnalyzeTLS reports.
var TLSChecks = []string{CheckTLSProtocol, CheckTLSCiphers, CheckTLSChain, CheckTLSHostname, CheckTLSExpiry}

// Upgrade opens a connection ready for a TLS ClientHello: a plain TCP dial
// for TLS-first services, or a dial plus the protocol's own negotiation
// (PostgreSQL's SSLRequest, MySQL's SSL request packet).
type Upgrade func(ctx context.Context) (net.Conn, error)

// TLSOptions configure AnalyzeTLS.
type TLSOptions struct {
	// ServerName is sent as SNI and checked against the certificate; the
	// address's host when empty.
	ServerName string
	// Roots verify the chain; nil means the system pool.
	Roots *x509.CertPool
	// RootsName names the roots in evidence (the CA bundle's path).
	RootsName string
	// NextProtos is offered as ALPN (e.g. "h2" for gRPC).
	NextProtos []string
	// Now is the time certificates are judged at.
	Now time.Time
}

// LoadCABundle reads a PEM bundle.
func LoadCABundle(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CA bundle: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("CA bundle %s: no PEM certificates", path)
	}
	return pool, nil
}

// TLSState is what the main handshake negotiated.
type TLSState struct {
	Version     uint16
	CipherSuite uint16
	ALPN        string
	Chain       []*x509.Certificate
}

func (s *TLSState) String() string {
	return fmt.Sprintf("%s %s", tls.VersionName(s.Version), tls.CipherSuiteName(s.CipherSuite))
}

// handshake runs one TLS handshake over a fresh connection. Verification is
// left to AnalyzeTLS so that an untrusted server can still be examined.
func handshake(ctx context.Context, up Upgrade, cfg *tls.Config) (*tls.ConnectionState, error) {
	raw, err := up(ctx)
	if err != nil {
		return nil, err
	}
	defer raw.Close()
	if dl, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(dl)
	}
	c := tls.Client(raw, cfg)
	if err := c.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	st := c.ConnectionState()
	return &st, nil
}

// Handshake does one verification-free TLS handshake and returns the state.
func Handshake(ctx context.Context, up Upgrade, opts TLSOptions) (*TLSState, error) {
	st, err := handshake(ctx, up, baseConfig(opts))
	if err != nil {
		return nil, err
	}
	return &TLSState{Version: st.Version, CipherSuite: st.CipherSuite, ALPN: st.NegotiatedProtocol, Chain: st.PeerCertificates}, nil
}

func baseConfig(opts TLSOptions) *tls.Config {
	return &tls.Config{
		ServerName:         opts.ServerName,
		InsecureSkipVerify: true, // verified by hand below, against the configured roots
		MinVersion:         tls.VersionTLS12,
		NextProtos:         opts.NextProtos,
	}
}

// allSuites is every suite Go can offer, insecure ones included, so that
// legacy-protocol probes find what an old client would.
func allSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.CipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	return ids
}

// weakSuites are the TLS 1.2 suites a production endpoint must refuse: the
// ones Go marks insecure (RC4, 3DES, CBC-SHA256) and those without forward
// secrecy (static RSA key exchange).
func weakSuites() []uint16 {
	var ids []uint16
	for _, s := range tls.InsecureCipherSuites() {
		ids = append(ids, s.ID)
	}
	for _, s := range tls.CipherSuites() {
		if strings.HasPrefix(s.Name, "TLS_RSA_") {
			ids = append(ids, s.ID)
		}
	}
	return ids
}

// AnalyzeTLS examines a TLS endpoint: the versions it offers, whether it
// accepts weak suites, the chain against the configured roots, the host name
// and the days to expiry. It makes up to four handshakes. A failing first
// handshake reports every check as an error with the reason.
func AnalyzeTLS(ctx context.Context, up Upgrade, opts TLSOptions) (*TLSState, []Finding) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	st, err := Handshake(ctx, up, opts)
	if err != nil {
		return nil, errorAll(fmt.Errorf("TLS handshake: %w", err), TLSChecks...)
	}
	out := []Finding{protocolFinding(ctx, up, opts, st), cipherFinding(ctx, up, opts, st)}
	return st, append(out, certFindings(st.Chain, opts)...)
}

func protocolFinding(ctx context.Context, up Upgrade, opts TLSOptions, st *TLSState) Finding {
	var legacy, refused []string
	for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
		cfg := baseConfig(opts)
		cfg.MinVersion, cfg.MaxVersion, cfg.CipherSuites = v, v, allSuites()
		if _, err := handshake(ctx, up, cfg); err == nil {
			legacy = append(legacy, tls.VersionName(v))
		} else if ctx.Err() != nil {
			return finding(CheckTLSProtocol, Error, "probing %s: %v", tls.VersionName(v), err)
		} else {
			refused = append(refused, tls.VersionName(v))
		}
	}
	if len(legacy) > 0 {
		return finding(CheckTLSProtocol, Fail, "accepts %s (negotiated %s by default)", strings.Join(legacy, " and "), tls.VersionName(st.Version))
	}
	return finding(CheckTLSProtocol, Pass, "negotiated %s; refused %s", tls.VersionName(st.Version), strings.Join(refused, " and "))
}

func cipherFinding(ctx context.Context, up Upgrade, opts TLSOptions, st *TLSState) Finding {
	cfg := baseConfig(opts)
	cfg.MaxVersion, cfg.CipherSuites = tls.VersionTLS12, weakSuites()
	if wst, err := handshake(ctx, up, cfg); err == nil {
		return finding(CheckTLSCiphers, Fail, "accepts weak suite %s", tls.CipherSuiteName(wst.CipherSuite))
	} else if ctx.Err() != nil {
		return finding(CheckTLSCiphers, Error, "probing weak suites: %v", err)
	}
	return finding(CheckTLSCiphers, Pass, "refused RC4, 3DES, CBC-SHA256 and static-RSA suites; negotiated %s", tls.CipherSuiteName(st.CipherSuite))
}

func certFindings(chain []*x509.Certificate, opts TLSOptions) []Finding {
	if len(chain) == 0 {
		return errorAll(fmt.Errorf("server sent no certificate"), CheckTLSChain, CheckTLSHostname, CheckTLSExpiry)
	}
	leaf := chain[0]
	var out []Finding
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	rootsName := opts.RootsName
	if opts.Roots == nil {
		rootsName = "the system roots"
	}
	chains, err := leaf.Verify(x509.VerifyOptions{Roots: opts.Roots, Intermediates: inter, CurrentTime: opts.Now,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}})
	switch {
	case err == nil:
		top := chains[0][len(chains[0])-1]
		out = append(out, finding(CheckTLSChain, Pass, "%s chains to %s (%s)", leaf.Subject, top.Subject, rootsName))
	case selfSigned(leaf):
		out = append(out, finding(CheckTLSChain, Fail, "self-signed certificate %s, not trusted by %s", leaf.Subject, rootsName))
	default:
		out = append(out, finding(CheckTLSChain, Fail, "%s issued by %s: %v", leaf.Subject, leaf.Issuer, err))
	}
	if err := leaf.VerifyHostname(opts.ServerName); err != nil {
		out = append(out, finding(CheckTLSHostname, Fail, "%v", err))
	} else {
		out = append(out, finding(CheckTLSHostname, Pass, "certificate names %s", opts.ServerName))
	}
	left := leaf.NotAfter.Sub(opts.Now)
	exp := leaf.NotAfter.UTC().Format(time.DateOnly)
	switch {
	case left <= 0:
		out = append(out, finding(CheckTLSExpiry, Fail, "expired on %s", exp))
	case left < 7*24*time.Hour:
		out = append(out, finding(CheckTLSExpiry, Fail, "expires on %s, in %s (under 7 days)", exp, days(left)))
	case left < 30*24*time.Hour:
		out = append(out, finding(CheckTLSExpiry, Warn, "expires on %s, in %s (under 30 days)", exp, days(left)))
	default:
		out = append(out, finding(CheckTLSExpiry, Pass, "expires on %s, in %s", exp, days(left)))
	}
	return out
}

func selfSigned(c *x509.Certificate) bool {
	return c.Subject.String() == c.Issuer.String() && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// Direct is the Upgrade for services that speak TLS from the first byte.
func Direct(addr string) Upgrade {
	return func(ctx context.Context) (net.Conn, error) { return dial(ctx, addr) }
}

// TLSEndpoint probes a TLS-first endpoint (an ingress, an LDAPS port) with
// the TLS checks only.
func TLSEndpoint(ctx context.Context, addr string, opts TLSOptions) []Finding {
	if opts.ServerName == "" {
		opts.ServerName = hostOf(addr)
	}
	_, f := AnalyzeTLS(ctx, Direct(addr), opts)
	return f
}
