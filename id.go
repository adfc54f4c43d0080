package warden

import (
	"crypto/rand"
	"encoding/hex"
)

// NewID returns prefix, an underscore and 16 random hex digits (64 bits),
// the shape of every id Warden assigns itself (doc_…, alt_…, case_…).
func NewID(prefix string) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return prefix + "_" + hex.EncodeToString(b)
}
