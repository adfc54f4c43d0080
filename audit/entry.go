// Package audit is Warden's tamper-evident audit log: every state change is
// appended as a canonical JSON entry to an RFC 6962 Merkle tree whose roots
// are published in Ed25519-signed checkpoints. Anyone holding an exported
// bundle and the public key can verify it offline. The format is specified in
// docs/audit-log.md.
package audit

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"

	"github.com/wardenhq/warden"
)

// MaxInlineChange is the largest change kept inside an entry; a larger one is
// recorded by its SHA-256 and stored beside the log.
const MaxInlineChange = 64 << 10

// Actor is who made the change.
type Actor struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// Subject is what the change is about.
type Subject struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// Entry is one audit log entry. Its canonical JSON encoding (RFC 8785) is the
// Merkle tree leaf; Index is part of it, so entries cannot be reordered.
type Entry struct {
	Index     int64           `json:"index"`
	Time      time.Time       `json:"time"`
	Actor     Actor           `json:"actor"`
	Action    string          `json:"action"`
	Subject   Subject         `json:"subject"`
	RequestID string          `json:"request_id,omitempty"`
	Change    json.RawMessage `json:"change,omitempty"`
	// ChangeSHA256 replaces Change when the change is larger than
	// MaxInlineChange; the change itself is kept in the payload store.
	ChangeSHA256 string `json:"change_sha256,omitempty"`
}

// Record is what the rest of Warden appends: the log fills in index, time,
// actor and request id.
type Record struct {
	Action  string
	Subject Subject
	// Change is any JSON-encodable value describing the change; nil for none.
	// Secrets must never be put here.
	Change any
}

// Validate checks a record before it is sequenced.
func (r *Record) Validate() error {
	if !validName(r.Action) {
		return warden.FieldErrorf(warden.EINVALID, "action", "audit action %q must be dotted lower-case words such as apikey.create", r.Action)
	}
	if r.Subject.Type == "" || len(r.Subject.Type) > 64 || len(r.Subject.ID) > 256 || !utf8.ValidString(r.Subject.ID) {
		return warden.FieldErrorf(warden.EINVALID, "subject", "audit subject needs a type (at most 64 bytes) and an id (at most 256 bytes)")
	}
	return nil
}

func validName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, part := range strings.Split(s, ".") {
		if part == "" {
			return false
		}
		for _, c := range part {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
				return false
			}
		}
	}
	return true
}

// Canonical returns the RFC 8785 canonical JSON encoding of the entry, the
// exact bytes hashed into the tree.
func (e *Entry) Canonical() ([]byte, error) {
	var change []byte
	if len(e.Change) > 0 {
		var err error
		if change, err = jsoncanonicalizer.Transform(e.Change); err != nil {
			return nil, fmt.Errorf("canonicalize audit entry: %w", err)
		}
	}
	return e.appendCanonical(nil, change), nil
}

// appendCanonical appends the RFC 8785 encoding of the entry given its
// change already in canonical form: the members are written in the order
// RFC 8785 sorts them, strings escaped as it (ECMAScript) does, so the
// fixed part of the entry is never parsed again.
func (e *Entry) appendCanonical(b, change []byte) []byte {
	e.Time = e.Time.UTC().Truncate(time.Microsecond)
	b = append(b, `{"action":`...)
	b = appendCanonicalString(b, e.Action)
	b = append(b, `,"actor":{"id":`...)
	b = appendCanonicalString(b, e.Actor.ID)
	b = append(b, `,"kind":`...)
	b = appendCanonicalString(b, e.Actor.Kind)
	b = append(b, '}')
	if len(change) > 0 {
		b = append(b, `,"change":`...)
		b = append(b, change...)
	}
	if e.ChangeSHA256 != "" {
		b = append(b, `,"change_sha256":`...)
		b = appendCanonicalString(b, e.ChangeSHA256)
	}
	b = append(b, `,"index":`...)
	b = strconv.AppendInt(b, e.Index, 10)
	if e.RequestID != "" {
		b = append(b, `,"request_id":`...)
		b = appendCanonicalString(b, e.RequestID)
	}
	b = append(b, `,"subject":{"id":`...)
	b = appendCanonicalString(b, e.Subject.ID)
	b = append(b, `,"type":`...)
	b = appendCanonicalString(b, e.Subject.Type)
	b = append(b, `},"time":"`...)
	b = e.Time.AppendFormat(b, time.RFC3339Nano)
	return append(b, `"}`...)
}

// appendCanonicalString quotes s as RFC 8785 does; invalid UTF-8 becomes
// U+FFFD byte by byte, as encoding/json makes it.
func appendCanonicalString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\b':
				b = append(b, '\\', 'b')
			case c == '\f':
				b = append(b, '\\', 'f')
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = utf8.AppendRune(b, utf8.RuneError)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// ParseEntry decodes a stored leaf. Verification works on the raw bytes; this
// is for showing entries.
func ParseEntry(data []byte) (*Entry, error) {
	var e Entry
	if err := json.Unmarshal(data, &e); err != nil {
		return nil, fmt.Errorf("decode entry: %w", err)
	}
	return &e, nil
}
