// Package servertest starts real servers for tests on loopback ports: Redis,
// nginx and MariaDB from their Debian packages, each in a temporary
// directory of its own and stopped when the test ends, plus the certificates
// they serve. A missing server binary fails the test; it is never skipped
// (scripts/test.sh installs the packages).
package servertest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// CA is a throwaway certificate authority.
type CA struct {
	Cert    *x509.Certificate
	Key     *ecdsa.PrivateKey
	CertPEM []byte
	// File is the CA certificate written as a PEM bundle.
	File string
}

// Cert is a certificate and key, in memory and on disk.
type Cert struct {
	TLS               tls.Certificate
	CertPEM, KeyPEM   []byte
	CertFile, KeyFile string
	Leaf              *x509.Certificate
}

// NewCA creates a CA valid for a year and writes its certificate to a file.
func NewCA(t testing.TB) *CA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Warden Test Root CA", Organization: []string{"Warden tests"}},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(365 * 24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	ca := &CA{Cert: cert, Key: key, CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
	ca.File = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca.File, ca.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return ca
}

// Issue signs a server certificate for hosts (DNS names or IPs) valid until
// notAfter.
func (ca *CA) Issue(t testing.TB, notAfter time.Time, hosts ...string) *Cert {
	t.Helper()
	return issue(t, ca.Cert, ca.Key, notAfter, hosts)
}

// SelfSigned makes a self-signed server certificate for hosts.
func SelfSigned(t testing.TB, notAfter time.Time, hosts ...string) *Cert {
	t.Helper()
	return issue(t, nil, nil, notAfter, hosts)
}

func issue(t testing.TB, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, notAfter time.Time, hosts []string) *Cert {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sn, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber: sn.Add(sn, big.NewInt(1)), // never zero
		Subject:      pkix.Name{CommonName: hosts[0]},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	c := &Cert{CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM: pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})}
	c.TLS, err = tls.X509KeyPair(c.CertPEM, c.KeyPEM)
	if err != nil {
		t.Fatal(err)
	}
	c.Leaf, _ = x509.ParseCertificate(der)
	dir := t.TempDir()
	// World-readable directory so that servers running as another user
	// (MariaDB, PostgreSQL under root) can read the files.
	_ = os.Chmod(dir, 0o755)
	c.CertFile, c.KeyFile = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	if err := os.WriteFile(c.CertFile, c.CertPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(c.KeyFile, c.KeyPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return c
}
