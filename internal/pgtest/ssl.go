package pgtest

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// writeSSLFiles puts the certificate and key in the data directory, owned by
// the server's user with the key private (PostgreSQL refuses a key others
// can read), and returns the settings that turn ssl on.
func writeSSLFiles(data string, opts Options, cred *syscall.Credential) ([]string, error) {
	for name, b := range map[string][]byte{"server.crt": opts.SSLCert, "server.key": opts.SSLKey} {
		p := filepath.Join(data, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", name, err)
		}
		if cred != nil {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return nil, fmt.Errorf("chown %s: %w", name, err)
			}
		}
	}
	return []string{"-c", "ssl=on", "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key"}, nil
}
