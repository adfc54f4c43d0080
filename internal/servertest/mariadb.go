package servertest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// MariaDBOptions configure StartMariaDB.
type MariaDBOptions struct {
	// TLS, if set, is the certificate the server offers (ssl-cert/ssl-key);
	// without it the server does not offer SSL at all.
	TLS *Cert
}

// StartMariaDB initialises a data directory with the Debian package's
// mariadb-install-db and runs mariadbd on a free loopback port. It takes a
// couple of seconds; tests share one server per configuration where they can.
func StartMariaDB(t testing.TB, opts MariaDBOptions) string {
	t.Helper()
	dir := t.TempDir()
	_ = os.Chmod(dir, 0o755)
	data := filepath.Join(dir, "data")
	args := []string{"--no-defaults", "--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db"}
	if os.Geteuid() == 0 {
		args = append(args, "--user=root")
	}
	if out, err := exec.Command("mariadb-install-db", args...).CombinedOutput(); err != nil {
		t.Fatalf("mariadb-install-db: %v (install the Debian package mariadb-server; scripts/test.sh does)\n%s", err, out)
	}
	port := FreePort(t)
	srv := []string{"--no-defaults", "--datadir=" + data, "--port=" + strconv.Itoa(port), "--bind-address=127.0.0.1",
		"--socket=" + filepath.Join(dir, "mysqld.sock"), "--pid-file=" + filepath.Join(dir, "mysqld.pid"),
		"--innodb-buffer-pool-size=16M", "--skip-log-bin", "--log-error=" + filepath.Join(dir, "error.log")}
	if os.Geteuid() == 0 {
		srv = append(srv, "--user=root")
	}
	if opts.TLS != nil {
		srv = append(srv, "--ssl-cert="+opts.TLS.CertFile, "--ssl-key="+opts.TLS.KeyFile)
	}
	run(t, exec.Command("mariadbd", srv...), Addr(port), filepath.Join(dir, "error.log"))
	return Addr(port)
}
