package audit

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// LoadOrCreateSigningKey reads a checkpoint signing key (note private key
// format, "PRIVATE+KEY+name+hash+key") from path, creating one with the given
// name when the file does not exist. It returns the signer and its public
// verifier key. The file is created with mode 0600; a readable-by-others key
// file is refused.
func LoadOrCreateSigningKey(path, name string) (note.Signer, string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		skey, _, err := note.GenerateKey(rand.Reader, name)
		if err != nil {
			return nil, "", fmt.Errorf("generate audit signing key: %w", err)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, "", fmt.Errorf("create %s: %w", filepath.Dir(path), err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, "", fmt.Errorf("create audit signing key %s: %w", path, err)
		}
		if _, err := f.WriteString(skey + "\n"); err != nil {
			f.Close()
			return nil, "", fmt.Errorf("write audit signing key: %w", err)
		}
		if err := f.Close(); err != nil {
			return nil, "", fmt.Errorf("write audit signing key: %w", err)
		}
		b = []byte(skey)
	} else if err != nil {
		return nil, "", fmt.Errorf("read audit signing key: %w", err)
	} else if st, err := os.Stat(path); err == nil && st.Mode().Perm()&0o077 != 0 {
		return nil, "", fmt.Errorf("audit signing key %s is readable by other users (mode %v): chmod 600 it", path, st.Mode().Perm())
	}
	return ParseSigningKey(strings.TrimSpace(string(b)))
}

// ParseSigningKey returns the signer and public key for a private key string.
func ParseSigningKey(skey string) (note.Signer, string, error) {
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, "", fmt.Errorf("audit signing key: %w", err)
	}
	vkey, err := VerifierKey(skey)
	if err != nil {
		return nil, "", err
	}
	return signer, vkey, nil
}

// VerifierKey derives the public verifier key from a note private key.
func VerifierKey(skey string) (string, error) {
	// PRIVATE+KEY+<name>+<hash>+<base64(alg||priv)>: the Ed25519 public key is
	// derived from the private seed.
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errors.New("audit signing key is not a note private key (PRIVATE+KEY+...)")
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return "", fmt.Errorf("audit signing key: %w", err)
	}
	pub, err := ed25519PublicFromSkey(parts[4])
	if err != nil {
		return "", err
	}
	vkey, err := note.NewEd25519VerifierKey(signer.Name(), pub)
	if err != nil {
		return "", fmt.Errorf("audit verifier key: %w", err)
	}
	return vkey, nil
}
