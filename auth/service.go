package auth

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

// Limits on key lifetimes. The checklist flags keys older than 90 days, which
// is the default; a year is the longest an operator may choose.
const (
	DefaultKeyTTL = 90 * 24 * time.Hour
	MaxKeyTTL     = 366 * 24 * time.Hour
	MinKeyTTL     = time.Hour
)

// TokenVerifier verifies bearer tokens that are not Warden API keys, such as
// OIDC ID or access tokens.
type TokenVerifier interface {
	Verify(ctx context.Context, token string) (warden.Actor, error)
}

// Recorder is the audit log; *audit.Log implements it. Records are staged
// so that they commit with the key change they describe (the audit
// outbox).
type Recorder interface {
	audit.Stager
}

// keyChange is what the audit log records of a key: never its secret or hash.
type keyChange struct {
	Name        string      `json:"name"`
	Role        warden.Role `json:"role"`
	ExpiresAt   time.Time   `json:"expires_at"`
	RevokedAt   time.Time   `json:"revoked_at,omitzero"`
	RotatedFrom string      `json:"rotated_from,omitempty"`
	RotatedTo   string      `json:"rotated_to,omitempty"`
}

func keyRecord(action string, k *APIKey) audit.Record {
	return audit.Record{Action: action, Subject: audit.Subject{Type: "api_key", ID: k.ID},
		Change: keyChange{Name: k.Name, Role: k.Role, ExpiresAt: k.ExpiresAt, RevokedAt: k.RevokedAt, RotatedFrom: k.RotatedFrom, RotatedTo: k.RotatedTo}}
}

// Service issues, rotates, revokes and checks API keys.
type Service struct {
	Store KeyStore
	// Tokens verifies non-API-key bearer tokens; nil disables them.
	Tokens TokenVerifier
	// DefaultTTL is the lifetime of a key created without one.
	DefaultTTL time.Duration
	// RotationOverlap is how long a rotated key keeps working.
	RotationOverlap time.Duration
	// Audit receives a record of every change to keys; nil records nothing
	// (only tests leave it unset).
	Audit Recorder
	// Now and Random default to time.Now and crypto/rand.
	Now    func() time.Time
	Random io.Reader
	// CacheTTL keeps looked-up keys in memory this long, so that a request
	// needs no store read to authenticate. A key revoked here stops at once;
	// one revoked on another replica stops within CacheTTL. Zero disables.
	CacheTTL time.Duration

	cacheMu sync.Mutex
	cache   map[string]cachedKey
}

type cachedKey struct {
	key *APIKey
	at  time.Time
}

// lookup returns a key from the cache or the store.
func (s *Service) lookup(ctx context.Context, id string) (*APIKey, error) {
	if s.CacheTTL <= 0 {
		return s.Store.APIKey(ctx, id)
	}
	now := time.Now()
	s.cacheMu.Lock()
	c, ok := s.cache[id]
	s.cacheMu.Unlock()
	if ok && now.Sub(c.at) < s.CacheTTL {
		return c.key, nil
	}
	k, err := s.Store.APIKey(ctx, id)
	if err != nil {
		return nil, err
	}
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if s.cache == nil || len(s.cache) > 10000 {
		s.cache = map[string]cachedKey{}
	}
	s.cache[id] = cachedKey{k, now}
	return k, nil
}

func (s *Service) forget(id string) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	delete(s.cache, id)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Service) random() io.Reader {
	if s.Random != nil {
		return s.Random
	}
	return rand.Reader
}

// CreateKey is a request for a new API key.
type CreateKey struct {
	Name string
	Role warden.Role
	// TTL is the key's lifetime; zero means the service default.
	TTL time.Duration
}

// Validate checks the request field by field.
func (c *CreateKey) Validate() error {
	if err := ValidateKeyName(c.Name); err != nil {
		return err
	}
	if _, err := warden.ParseRole(string(c.Role)); err != nil {
		return err
	}
	if c.TTL != 0 && (c.TTL < MinKeyTTL || c.TTL > MaxKeyTTL) {
		return warden.FieldErrorf(warden.EINVALID, "expires_in", "key lifetime must be between 1h and 366d, got %s", warden.FormatDuration(c.TTL))
	}
	return nil
}

// ValidateKeyName accepts 1 to 100 printable characters.
func ValidateKeyName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return warden.FieldErrorf(warden.EINVALID, "name", "name is required")
	case utf8.RuneCountInString(name) > 100:
		return warden.FieldErrorf(warden.EINVALID, "name", "name must be at most 100 characters")
	case strings.IndexFunc(name, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return warden.FieldErrorf(warden.EINVALID, "name", "name must contain printable characters only")
	}
	return nil
}

// Create issues a key and returns it with the secret, which is shown once.
func (s *Service) Create(ctx context.Context, req CreateKey) (*APIKey, string, error) {
	k, secret, err := s.newKey(ctx, req)
	if err != nil {
		return nil, "", err
	}
	err = audit.Do(ctx, s.Audit, func(ctx context.Context) error {
		if err := s.Store.CreateAPIKey(ctx, k); err != nil {
			return fmt.Errorf("store api key: %w", err)
		}
		return nil
	}, keyRecord("apikey.create", k))
	if err != nil {
		return nil, "", err
	}
	return k, secret, nil
}

func (s *Service) newKey(ctx context.Context, req CreateKey) (*APIKey, string, error) {
	if err := req.Validate(); err != nil {
		return nil, "", err
	}
	ttl := req.TTL
	if ttl == 0 {
		ttl = s.DefaultTTL
	}
	if ttl == 0 {
		ttl = DefaultKeyTTL
	}
	id, secret, hash, err := newKeyMaterial(s.random())
	if err != nil {
		return nil, "", err
	}
	// Stores keep microseconds; truncating here makes what the caller is
	// shown equal to what is stored.
	now := s.now().Truncate(time.Microsecond)
	k := &APIKey{
		ID:        id,
		Name:      req.Name,
		Role:      req.Role,
		Hash:      hash,
		CreatedAt: now,
		ExpiresAt: now.Add(ttl),
	}
	if a, ok := warden.ActorFromContext(ctx); ok {
		k.CreatedBy = a.String()
	}
	return k, secret, nil
}

// Bootstrap creates the first admin key when the store has never had one. It
// returns the secret and true only in the process that created it.
func (s *Service) Bootstrap(ctx context.Context) (*APIKey, string, bool, error) {
	k, secret, err := s.newKey(ctx, CreateKey{Name: "bootstrap admin", Role: warden.RoleAdmin})
	if err != nil {
		return nil, "", false, err
	}
	k.CreatedBy = warden.Actor{Kind: warden.ActorSystem, ID: "bootstrap"}.String()
	// Only the replica that creates the key records it: staged in the
	// store's transaction once it says so.
	var created bool
	var pending audit.Pending
	err = audit.Atomically(ctx, s.Store, func(ctx context.Context) error {
		var err error
		if created, err = s.Store.CreateFirstAPIKey(ctx, k); err != nil || !created {
			return err
		}
		ctx = warden.NewContextWithActor(ctx, warden.Actor{Kind: warden.ActorSystem, ID: "bootstrap"})
		_, pending, err = audit.StageWith(ctx, s.Audit, keyRecord("apikey.bootstrap", k))
		return err
	})
	if err != nil || !created {
		return nil, "", false, err
	}
	if err := pending.Wait(ctx); err != nil {
		return nil, "", false, fmt.Errorf("audit apikey.bootstrap: %w", err)
	}
	return k, secret, true, nil
}

// Get returns one key.
func (s *Service) Get(ctx context.Context, id string) (*APIKey, error) {
	id = NormalizeID(id)
	if err := validateID(id); err != nil {
		return nil, err
	}
	return s.Store.APIKey(ctx, id)
}

// List returns every key.
func (s *Service) List(ctx context.Context) ([]*APIKey, error) { return s.Store.APIKeys(ctx) }

// Revoke stops a key from working at once.
func (s *Service) Revoke(ctx context.Context, id string) (*APIKey, error) {
	id = NormalizeID(id)
	if err := validateID(id); err != nil {
		return nil, err
	}
	// The record describes the key as the revoking transaction stored it (a
	// rotation committed by another replica since any earlier read
	// included), staged in that transaction before it commits.
	var k *APIKey
	var pending audit.Pending
	err := audit.Atomically(ctx, s.Store, func(ctx context.Context) error {
		var err error
		if k, err = s.Store.RevokeAPIKey(ctx, id, s.now()); err != nil {
			return err
		}
		if _, pending, err = audit.StageWith(ctx, s.Audit, keyRecord("apikey.revoke", k)); err != nil {
			return fmt.Errorf("audit apikey.revoke: %w", err)
		}
		return nil
	})
	s.forget(id)
	if err != nil {
		return nil, err
	}
	if err := pending.Wait(ctx); err != nil {
		return nil, fmt.Errorf("audit apikey.revoke: %w", err)
	}
	return k, nil
}

// Rotate issues a successor with the same name, role and lifetime; the old key
// keeps working for the rotation overlap (or until its own expiry if sooner).
func (s *Service) Rotate(ctx context.Context, id string) (*APIKey, string, error) {
	id = NormalizeID(id)
	if err := validateID(id); err != nil {
		return nil, "", err
	}
	old, err := s.Store.APIKey(ctx, id)
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	switch old.Status(now) {
	case StatusRevoked, StatusExpired:
		return nil, "", warden.Errorf(warden.ECONFLICT, "API key %s is %s and cannot be rotated", id, old.Status(now))
	case StatusRotating:
		return nil, "", warden.Errorf(warden.ECONFLICT, "API key %s was already rotated to %s", id, old.RotatedTo)
	}
	ttl := old.ExpiresAt.Sub(old.CreatedAt)
	ttl = min(max(ttl, MinKeyTTL), MaxKeyTTL)
	next, secret, err := s.newKey(ctx, CreateKey{Name: old.Name, Role: old.Role, TTL: ttl})
	if err != nil {
		return nil, "", err
	}
	next.RotatedFrom = old.ID
	oldExpiry := now.Add(s.RotationOverlap)
	if old.ExpiresAt.Before(oldExpiry) {
		oldExpiry = old.ExpiresAt
	}
	defer s.forget(old.ID)
	rotated := *old
	rotated.RotatedTo, rotated.ExpiresAt = next.ID, oldExpiry
	err = audit.Do(ctx, s.Audit, func(ctx context.Context) error { return s.Store.RotateAPIKey(ctx, old.ID, oldExpiry, next) },
		keyRecord("apikey.rotate", &rotated), keyRecord("apikey.create", next))
	if err != nil {
		return nil, "", err
	}
	return next, secret, nil
}

// Authentication failures, each with a message that says which.
var (
	ErrMissingCredentials = warden.Errorf(warden.EUNAUTHORIZED, "missing credentials: send an API key as 'Authorization: Bearer <key>' or 'X-API-Key: <key>'")
	ErrInvalidKey         = warden.Errorf(warden.EUNAUTHORIZED, "invalid API key")
)

// Authenticate checks a presented bearer token and returns its actor.
func (s *Service) Authenticate(ctx context.Context, token string) (warden.Actor, error) {
	token = strings.TrimSpace(token)
	if token == "" {
		return warden.Actor{}, ErrMissingCredentials
	}
	if !LooksLikeAPIKey(token) {
		if s.Tokens == nil {
			return warden.Actor{}, warden.Errorf(warden.EUNAUTHORIZED, "invalid credentials: not a Warden API key and OIDC is not configured")
		}
		return s.Tokens.Verify(ctx, token)
	}
	id, hash, ok := parseKey(token)
	if !ok {
		return warden.Actor{}, ErrInvalidKey
	}
	k, err := s.lookup(ctx, id)
	if warden.ErrorCode(err) == warden.ENOTFOUND {
		return warden.Actor{}, ErrInvalidKey
	} else if err != nil {
		return warden.Actor{}, fmt.Errorf("look up api key: %w", err)
	}
	if !hashEqual(k.Hash, hash) {
		return warden.Actor{}, ErrInvalidKey
	}
	now := s.now()
	switch k.Status(now) {
	case StatusRevoked:
		return warden.Actor{}, warden.Errorf(warden.EUNAUTHORIZED, "API key %s was revoked at %s", k.Prefix(), k.RevokedAt.Format(time.RFC3339))
	case StatusExpired:
		return warden.Actor{}, warden.Errorf(warden.EUNAUTHORIZED, "API key %s expired at %s", k.Prefix(), k.ExpiresAt.Format(time.RFC3339))
	}
	return warden.Actor{Kind: warden.ActorAPIKey, ID: k.ID, Name: k.Name, Role: k.Role}, nil
}

func validateID(id string) error {
	if len(id) != 12 || strings.Trim(id, "0123456789abcdef") != "" {
		return warden.FieldErrorf(warden.EINVALID, "id", "invalid API key id %q: want 12 lowercase hex characters", id)
	}
	return nil
}

// NormalizeID accepts a key id with or without the visible "wdn_" prefix.
func NormalizeID(id string) string { return strings.TrimPrefix(id, KeyPrefix) }

// FailureReason classifies an authentication error for metrics: missing,
// invalid, expired, revoked, oidc or forbidden.
func FailureReason(err error) string {
	msg := warden.ErrorMessage(err)
	switch {
	case err == ErrMissingCredentials:
		return "missing"
	case warden.ErrorCode(err) == warden.EFORBIDDEN:
		return "forbidden"
	case strings.HasPrefix(msg, "API key") && strings.Contains(msg, "revoked"):
		return "revoked"
	case strings.HasPrefix(msg, "API key") && strings.Contains(msg, "expired"):
		return "expired"
	case strings.Contains(msg, "OIDC"):
		return "oidc"
	}
	return "invalid"
}
