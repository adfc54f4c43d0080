package auth_test

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

func newService(t *testing.T) (*auth.Service, *clock) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 6, 1, 8, 0, 0, 0, time.UTC)}
	return &auth.Service{Store: db, RotationOverlap: 24 * time.Hour, Now: c.now}, c
}

func wantUnauthorized(t *testing.T, err error, fragment string) {
	t.Helper()
	if warden.ErrorCode(err) != warden.EUNAUTHORIZED {
		t.Fatalf("got %v, want unauthorized", err)
	}
	if !strings.Contains(warden.ErrorMessage(err), fragment) {
		t.Fatalf("message %q does not say %q", warden.ErrorMessage(err), fragment)
	}
}

func TestCreateAndAuthenticate(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	k, secret, err := s.Create(ctx, auth.CreateKey{Name: "core", Role: warden.RoleService})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, k.Prefix()+"_") || len(secret) != len("wdn_")+12+1+43 {
		t.Fatalf("key %q does not have the documented shape for id %s", secret, k.ID)
	}
	if got := k.ExpiresAt.Sub(k.CreatedAt); got != auth.DefaultKeyTTL {
		t.Fatalf("default lifetime %v, want %v", got, auth.DefaultKeyTTL)
	}
	stored, err := s.Get(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(stored.Hash), secret[len(k.Prefix())+1:]) || len(stored.Hash) != 32 {
		t.Fatalf("stored hash looks like the secret itself: %x", stored.Hash)
	}
	actor, err := s.Authenticate(ctx, secret)
	if err != nil {
		t.Fatalf("authenticate: %v", err)
	}
	if actor.Kind != warden.ActorAPIKey || actor.ID != k.ID || actor.Role != warden.RoleService || actor.Name != "core" {
		t.Fatalf("actor %+v", actor)
	}
	// Two keys never share a secret.
	_, secret2, _ := s.Create(ctx, auth.CreateKey{Name: "core", Role: warden.RoleService})
	if secret2 == secret {
		t.Fatal("two keys got the same secret")
	}
}

func TestAuthenticateFailuresSayWhich(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t)
	k, secret, err := s.Create(ctx, auth.CreateKey{Name: "a", Role: warden.RoleAnalyst, TTL: 2 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Authenticate(ctx, "")
	wantUnauthorized(t, err, "missing credentials")
	if auth.FailureReason(err) != "missing" {
		t.Fatalf("reason %q", auth.FailureReason(err))
	}
	_, err = s.Authenticate(ctx, "wdn_nothex")
	wantUnauthorized(t, err, "invalid API key")
	// Right id, wrong secret.
	flip := byte('A')
	if secret[len(secret)-1] == 'A' {
		flip = 'B'
	}
	wrong := secret[:len(secret)-1] + string(flip)
	_, err = s.Authenticate(ctx, wrong)
	wantUnauthorized(t, err, "invalid API key")
	// Unknown id.
	_, err = s.Authenticate(ctx, "wdn_000000000000_"+secret[len(secret)-43:])
	wantUnauthorized(t, err, "invalid API key")
	_, err = s.Authenticate(ctx, "eyJhbGciOi.not.oidc")
	wantUnauthorized(t, err, "OIDC is not configured")

	clk.t = clk.t.Add(2 * time.Hour)
	_, err = s.Authenticate(ctx, secret)
	wantUnauthorized(t, err, "expired at")
	if auth.FailureReason(err) != "expired" {
		t.Fatalf("reason %q", auth.FailureReason(err))
	}

	clk.t = clk.t.Add(-time.Hour)
	if _, err := s.Revoke(ctx, k.Prefix()); err != nil { // the visible prefix works as an id
		t.Fatal(err)
	}
	_, err = s.Authenticate(ctx, secret)
	wantUnauthorized(t, err, "revoked at")
	if auth.FailureReason(err) != "revoked" {
		t.Fatalf("reason %q", auth.FailureReason(err))
	}
	if _, err := s.Revoke(ctx, k.ID); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("second revoke: %v", err)
	}
}

func TestRotateKeepsOldKeyForOverlap(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t)
	old, oldSecret, err := s.Create(ctx, auth.CreateKey{Name: "core", Role: warden.RoleService, TTL: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(time.Hour)
	next, nextSecret, err := s.Rotate(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if next.RotatedFrom != old.ID || next.Role != old.Role || next.Name != old.Name {
		t.Fatalf("successor %+v", next)
	}
	if got := next.ExpiresAt.Sub(next.CreatedAt); got != 30*24*time.Hour {
		t.Fatalf("successor lifetime %v, want the old key's 30d", got)
	}
	for _, sec := range []string{oldSecret, nextSecret} {
		if _, err := s.Authenticate(ctx, sec); err != nil {
			t.Fatalf("during overlap: %v", err)
		}
	}
	gotOld, _ := s.Get(ctx, old.ID)
	if gotOld.Status(clk.t) != auth.StatusRotating || !gotOld.ExpiresAt.Equal(clk.t.Add(24*time.Hour)) {
		t.Fatalf("old key after rotation: status %s expires %v", gotOld.Status(clk.t), gotOld.ExpiresAt)
	}
	if _, _, err := s.Rotate(ctx, old.ID); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("rotating twice: %v, want conflict", err)
	}
	clk.t = clk.t.Add(24 * time.Hour)
	_, err = s.Authenticate(ctx, oldSecret)
	wantUnauthorized(t, err, "expired")
	if _, err := s.Authenticate(ctx, nextSecret); err != nil {
		t.Fatalf("successor after overlap: %v", err)
	}
}

func TestRotateNeverExtendsAnExpiringKey(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	old, _, _ := s.Create(ctx, auth.CreateKey{Name: "x", Role: warden.RoleAuditor, TTL: 2 * time.Hour})
	if _, _, err := s.Rotate(ctx, old.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Get(ctx, old.ID)
	if !got.ExpiresAt.Equal(old.ExpiresAt) {
		t.Fatalf("rotation moved expiry from %v to %v; the overlap (24h) is longer than what was left", old.ExpiresAt, got.ExpiresAt)
	}
}

func TestBootstrapOnlyOnce(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	k, secret, created, err := s.Bootstrap(ctx)
	if err != nil || !created || k.Role != warden.RoleAdmin || secret == "" {
		t.Fatalf("first bootstrap: %+v %v %v", k, created, err)
	}
	if _, _, created, err := s.Bootstrap(ctx); err != nil || created {
		t.Fatalf("second bootstrap created=%v err=%v", created, err)
	}
}

func TestCreateValidation(t *testing.T) {
	ctx := context.Background()
	s, _ := newService(t)
	cases := []struct {
		req   auth.CreateKey
		field string
	}{
		{auth.CreateKey{Name: "", Role: warden.RoleAdmin}, "name"},
		{auth.CreateKey{Name: "   ", Role: warden.RoleAdmin}, "name"},
		{auth.CreateKey{Name: strings.Repeat("x", 101), Role: warden.RoleAdmin}, "name"},
		{auth.CreateKey{Name: "bad\x07bell", Role: warden.RoleAdmin}, "name"},
		{auth.CreateKey{Name: "ok", Role: "root"}, "role"},
		{auth.CreateKey{Name: "ok", Role: warden.RoleAdmin, TTL: time.Minute}, "expires_in"},
		{auth.CreateKey{Name: "ok", Role: warden.RoleAdmin, TTL: 400 * 24 * time.Hour}, "expires_in"},
	}
	for _, c := range cases {
		_, _, err := s.Create(ctx, c.req)
		var e *warden.Error
		if !errors.As(err, &e) || e.Code != warden.EINVALID || e.Field != c.field {
			t.Errorf("%+v: got %v, want invalid on field %s", c.req, err, c.field)
		}
	}
	keys, _ := s.List(ctx)
	if len(keys) != 0 {
		t.Fatalf("invalid requests stored %d keys", len(keys))
	}
	for _, id := range []string{"", "xyz", "ABCDEFABCDEF", "wdn_12345"} {
		if _, err := s.Get(ctx, id); warden.ErrorCode(err) != warden.EINVALID {
			t.Errorf("Get(%q): %v, want invalid", id, err)
		}
	}
	if _, err := s.Get(ctx, "0123456789ab"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Errorf("unknown id: %v", err)
	}
}

func TestRandomFailureIsAnError(t *testing.T) {
	s, _ := newService(t)
	s.Random = strings.NewReader("short")
	if _, _, err := s.Create(context.Background(), auth.CreateKey{Name: "x", Role: warden.RoleAdmin}); err == nil {
		t.Fatal("a failing random source produced a key")
	}
}

func TestKeyCache(t *testing.T) {
	s, _ := newService(t)
	s.CacheTTL = time.Hour
	ctx := context.Background()
	k1, secret1, err := s.Create(ctx, auth.CreateKey{Name: "core", Role: warden.RoleService})
	if err != nil {
		t.Fatal(err)
	}
	_, secret2, _ := s.Create(ctx, auth.CreateKey{Name: "core2", Role: warden.RoleService})
	for _, sec := range []string{secret1, secret2} {
		if _, err := s.Authenticate(ctx, sec); err != nil {
			t.Fatal(err)
		}
	}
	// Revoked through this service: refused at once despite the cache.
	if _, err := s.Revoke(ctx, k1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret1); warden.ErrorCode(err) != warden.EUNAUTHORIZED {
		t.Fatalf("revoked key accepted: %v", err)
	}
	// Revoked by another replica (straight in the store): this one keeps the
	// cached key until the TTL, by design; a service without a cache refuses.
	id2 := strings.Split(secret2, "_")[1]
	if _, err := s.Store.RevokeAPIKey(ctx, id2, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, secret2); err != nil {
		t.Fatalf("cached key refused within the TTL: %v", err)
	}
	uncached := &auth.Service{Store: s.Store}
	if _, err := uncached.Authenticate(ctx, secret2); warden.ErrorCode(err) != warden.EUNAUTHORIZED {
		t.Fatalf("uncached service accepted a revoked key: %v", err)
	}
	// A wrong secret for a cached id is still refused.
	if _, err := s.Authenticate(ctx, secret2[:len(secret2)-2]+"AA"); warden.ErrorCode(err) != warden.EUNAUTHORIZED {
		t.Fatalf("wrong secret: %v", err)
	}
}

// rotatedMeanwhile is a key store in which another replica rotates a key
// just before this one revokes it: after anything this one read first.
type rotatedMeanwhile struct {
	*sqlstore.DB
	other   *auth.Service
	rotated string
}

func (s *rotatedMeanwhile) RevokeAPIKey(ctx context.Context, id string, at time.Time) (*auth.APIKey, error) {
	if s.rotated == "" {
		next, _, err := s.other.Rotate(context.Background(), id)
		if err != nil {
			return nil, err
		}
		s.rotated = next.ID
	}
	return s.DB.RevokeAPIKey(ctx, id, at)
}

// The revoke's audit record describes the key as the revoke stored it, a
// rotation committed meanwhile by another replica included.
func TestRevokeRecordsTheStoredKey(t *testing.T) {
	ctx := context.Background()
	s, clk := newService(t)
	db := s.Store.(*sqlstore.DB)
	skey, _, err := note.GenerateKey(nil, "warden-test")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	log, err := audit.New(db, audit.Config{Origin: "test/auth", Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	k, _, err := s.Create(ctx, auth.CreateKey{Name: "core", Role: warden.RoleService})
	if err != nil {
		t.Fatal(err)
	}
	clk.t = clk.t.Add(time.Hour)
	store := &rotatedMeanwhile{DB: db, other: &auth.Service{Store: db, RotationOverlap: time.Hour, Now: clk.now}}
	s.Store, s.Audit = store, log
	revoked, err := s.Revoke(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.Get(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.RotatedTo == "" || stored.RotatedTo != store.rotated || stored.RevokedAt.IsZero() {
		t.Fatalf("stored key %+v: the test did not rotate then revoke it", stored)
	}
	if revoked.RotatedTo != stored.RotatedTo || !revoked.ExpiresAt.Equal(stored.ExpiresAt) || !revoked.RevokedAt.Equal(stored.RevokedAt) {
		t.Fatalf("Revoke returned %+v, stored %+v", revoked, stored)
	}
	n, err := log.Size(ctx)
	if err != nil || n != 1 {
		t.Fatalf("log size %d %v, want the revoke's one entry", n, err)
	}
	es, err := log.Entries(ctx, 0, 1)
	if err != nil || len(es) != 1 {
		t.Fatalf("entries %d %v", len(es), err)
	}
	e, err := audit.ParseEntry(es[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	var change struct {
		ExpiresAt time.Time `json:"expires_at"`
		RevokedAt time.Time `json:"revoked_at"`
		RotatedTo string    `json:"rotated_to"`
	}
	if err := json.Unmarshal(e.Change, &change); err != nil {
		t.Fatal(err)
	}
	if e.Action != "apikey.revoke" || e.Subject.ID != k.ID || change.RotatedTo != stored.RotatedTo ||
		!change.ExpiresAt.Equal(stored.ExpiresAt) || !change.RevokedAt.Equal(stored.RevokedAt) {
		t.Fatalf("record %s %s %s, stored key rotated_to %s expires_at %v revoked_at %v",
			e.Action, e.Subject.ID, e.Change, stored.RotatedTo, stored.ExpiresAt, stored.RevokedAt)
	}
}
