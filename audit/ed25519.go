package audit

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
)

// ed25519PublicFromSkey decodes the key part of a note private key (algorithm
// byte 1 followed by the 32-byte Ed25519 seed) and returns its public key.
func ed25519PublicFromSkey(enc string) (ed25519.PublicKey, error) {
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil || len(b) != 1+ed25519.SeedSize || b[0] != 1 {
		return nil, errors.New("audit signing key: not an Ed25519 note key")
	}
	return ed25519.NewKeyFromSeed(b[1:]).Public().(ed25519.PublicKey), nil
}
