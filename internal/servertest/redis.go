package servertest

import (
	"os/exec"
	"strconv"
	"testing"
)

// RedisOptions configure StartRedis.
type RedisOptions struct {
	// Password, if set, is required (requirepass).
	Password string
	// TLS, if set, makes the only port a TLS port serving this certificate.
	TLS *Cert
}

// StartRedis runs the Debian redis-server on a free loopback port, without
// persistence, and returns its address.
func StartRedis(t testing.TB, opts RedisOptions) string {
	t.Helper()
	port := FreePort(t)
	args := []string{"--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", t.TempDir(), "--protected-mode", "no"}
	if opts.TLS != nil {
		args = append(args, "--port", "0", "--tls-port", strconv.Itoa(port), "--tls-cert-file", opts.TLS.CertFile,
			"--tls-key-file", opts.TLS.KeyFile, "--tls-auth-clients", "no")
	} else {
		args = append(args, "--port", strconv.Itoa(port))
	}
	if opts.Password != "" {
		args = append(args, "--requirepass", opts.Password)
	}
	run(t, exec.Command("redis-server", args...), Addr(port))
	return Addr(port)
}
