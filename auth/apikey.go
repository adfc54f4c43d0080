// Package auth holds API keys and the authentication of callers: key format,
// hashing, expiry, rotation and revocation. It owns the KeyStore interface
// that store/sqlite and store/postgres implement.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/wardenhq/warden"
)

// KeyPrefix starts every Warden API key, so that secret scanners and humans
// recognise one on sight.
const KeyPrefix = "wdn_"

// Key statuses as shown to operators.
const (
	StatusActive   = "active"
	StatusRotating = "rotating" // superseded, still valid until the overlap ends
	StatusExpired  = "expired"
	StatusRevoked  = "revoked"
)

// APIKey is a stored API key. The secret itself is never stored: only its
// SHA-256. A plain hash is enough because the secret has 256 bits of entropy,
// which no dictionary or brute-force attack can cover.
type APIKey struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Role        warden.Role `json:"role"`
	Hash        []byte      `json:"-"`
	CreatedAt   time.Time   `json:"created_at"`
	ExpiresAt   time.Time   `json:"expires_at"`
	RevokedAt   time.Time   `json:"revoked_at,omitzero"`
	RotatedFrom string      `json:"rotated_from,omitempty"`
	RotatedTo   string      `json:"rotated_to,omitempty"`
	CreatedBy   string      `json:"created_by,omitempty"`
}

// Prefix is the visible, non-secret start of the key that identifies it.
func (k *APIKey) Prefix() string { return KeyPrefix + k.ID }

// Status reports the key's state at now.
func (k *APIKey) Status(now time.Time) string {
	switch {
	case !k.RevokedAt.IsZero():
		return StatusRevoked
	case !now.Before(k.ExpiresAt):
		return StatusExpired
	case k.RotatedTo != "":
		return StatusRotating
	}
	return StatusActive
}

// KeyStore persists API keys. Implementations return *warden.Error with
// ENOTFOUND for unknown ids and ECONFLICT for state conflicts.
type KeyStore interface {
	// CreateAPIKey stores a new key.
	CreateAPIKey(ctx context.Context, k *APIKey) error
	// CreateFirstAPIKey stores k only if the store never bootstrapped and
	// holds no key, atomically across replicas, and reports whether it did.
	CreateFirstAPIKey(ctx context.Context, k *APIKey) (bool, error)
	// APIKey returns one key by id.
	APIKey(ctx context.Context, id string) (*APIKey, error)
	// APIKeys returns every key, newest first.
	APIKeys(ctx context.Context) ([]*APIKey, error)
	// RevokeAPIKey marks a key revoked at the given time and returns the key
	// as its transaction stored it; revoking a revoked key is a conflict.
	RevokeAPIKey(ctx context.Context, id string, at time.Time) (*APIKey, error)
	// RotateAPIKey stores successor and, in the same transaction, points the old
	// key at it and shortens its expiry to oldExpiresAt. It is a conflict if the
	// old key was already rotated or revoked.
	RotateAPIKey(ctx context.Context, oldID string, oldExpiresAt time.Time, successor *APIKey) error
}

// newKeyMaterial returns a fresh id and secret and the full key string.
func newKeyMaterial(r io.Reader) (id, key string, hash []byte, err error) {
	idBytes := make([]byte, 6)
	secret := make([]byte, 32) // 256 bits
	if _, err := io.ReadFull(r, idBytes); err != nil {
		return "", "", nil, fmt.Errorf("read random id: %w", err)
	}
	if _, err := io.ReadFull(r, secret); err != nil {
		return "", "", nil, fmt.Errorf("read random secret: %w", err)
	}
	id = hex.EncodeToString(idBytes)
	enc := base64.RawURLEncoding.EncodeToString(secret)
	sum := sha256.Sum256([]byte(enc))
	return id, KeyPrefix + id + "_" + enc, sum[:], nil
}

// parseKey splits a presented key into id and secret hash. ok is false when the
// string is not shaped like a Warden key.
func parseKey(key string) (id string, hash []byte, ok bool) {
	rest, found := strings.CutPrefix(key, KeyPrefix)
	if !found {
		return "", nil, false
	}
	id, secret, found := strings.Cut(rest, "_")
	if !found || len(id) != 12 || len(secret) != 43 {
		return "", nil, false
	}
	if _, err := hex.DecodeString(id); err != nil {
		return "", nil, false
	}
	sum := sha256.Sum256([]byte(secret))
	return id, sum[:], true
}

// LooksLikeAPIKey reports whether a bearer token is a Warden API key rather
// than, say, an OIDC token.
func LooksLikeAPIKey(token string) bool { return strings.HasPrefix(token, KeyPrefix) }

func hashEqual(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
