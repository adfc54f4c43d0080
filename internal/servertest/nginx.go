package servertest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// NginxBinary is where Debian installs nginx.
const NginxBinary = "/usr/sbin/nginx"

// NginxOptions configure StartNginx.
type NginxOptions struct {
	// TLS, if set, makes the server listen with TLS using this certificate.
	TLS *Cert
	// HTTP holds directives for the http block (e.g. limit_req_zone).
	HTTP string
	// Server holds directives for the server block (headers, locations).
	Server string
}

// StartNginx runs nginx in the foreground with its own prefix, config, pid
// file and logs in a temporary directory, and returns its address.
func StartNginx(t testing.TB, opts NginxOptions) string {
	t.Helper()
	dir := t.TempDir()
	port := FreePort(t)
	listen := strconv.Itoa(port)
	tlsConf := ""
	if opts.TLS != nil {
		listen += " ssl"
		tlsConf = fmt.Sprintf("ssl_certificate %s;\n    ssl_certificate_key %s;\n    ssl_protocols TLSv1.2 TLSv1.3;", opts.TLS.CertFile, opts.TLS.KeyFile)
	}
	user := ""
	if os.Geteuid() == 0 {
		// Workers would otherwise switch to nobody and lose access to the
		// temporary directory.
		user = "user root;"
	}
	conf := fmt.Sprintf(`%s
daemon off;
master_process on;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path %[2]s/body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
  %[3]s
  server {
    listen 127.0.0.1:%[4]s;
    server_name localhost;
    %[5]s
    %[6]s
  }
}
`, user, dir, opts.HTTP, listen, tlsConf, opts.Server)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, exec.Command(NginxBinary, "-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log")), Addr(port), filepath.Join(dir, "error.log"))
	return Addr(port)
}
