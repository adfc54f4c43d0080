// Package storetest is the conformance suite every Warden store passes:
// store/sqlite and store/postgres run it against real databases.
package storetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/auth"
)

// Store is everything the suite exercises.
type Store interface {
	auth.KeyStore
	warden.IdempotencyStore
	audit.Store
	Ping(ctx context.Context) error
	Migrate(ctx context.Context) ([]int, error)
	MigrationStatus(ctx context.Context) (applied, latest int, err error)
	Close() error
}

// Opener returns a fresh, unmigrated, empty store for one test.
type Opener func(t *testing.T) Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) { RunExcept(t, open) }

// RunExcept runs the suite but the named tests: a store opened as a
// restricted role (docs/postgres-roles.sql) cannot migrate a fresh
// database or prune the audit log, and must do everything else.
func RunExcept(t *testing.T, open Opener, except ...string) {
	tests := []struct {
		name string
		fn   func(*testing.T, Store)
	}{
		{"Migrations", testMigrations},
		{"APIKeyRoundTrip", testAPIKeyRoundTrip},
		{"APIKeyNotFoundAndConflict", testAPIKeyNotFoundAndConflict},
		{"APIKeyRevoke", testAPIKeyRevoke},
		{"APIKeyRotate", testAPIKeyRotate},
		{"APIKeyBootstrapOnce", testBootstrapOnce},
		{"APIKeyBootstrapSkippedWhenKeysExist", testBootstrapSkippedWhenKeysExist},
		{"APIKeyConcurrentCreates", testConcurrentCreates},
		{"Idempotency", testIdempotency},
		{"IdempotencyConcurrentReserve", testIdempotencyConcurrentReserve},
		{"AuditAppendAndRead", testAuditAppendAndRead},
		{"AuditConcurrentAppends", testAuditConcurrentAppends},
		{"AuditCheckpointsAndKeys", testAuditCheckpointsAndKeys},
		{"AuditIsAppendOnly", testAuditIsAppendOnly},
		{"AuditCursors", testAuditCursors},
		{"AuditRetention", testAuditRetention},
		{"AuditOutboxCommitsWithChange", testAuditOutboxCommitsWithChange},
		{"AuditOutboxRelaysInOrder", testAuditOutboxRelaysInOrder},
		{"AuditOutboxAtomically", testAuditOutboxAtomically},
		{"AuditOutboxRecoversAfterCrash", testAuditOutboxRecoversAfterCrash},
		{"AuditOutboxConcurrentRelays", testAuditOutboxConcurrentRelays},
		{"AuditOutboxAlertRaises", testAuditOutboxAlertRaises},
		{"ListSnapshots", testListSnapshots},
		{"Clearances", testClearances},
		{"Customers", testCustomers},
		{"ImportCustomers", testImportCustomers},
		{"Documents", testDocuments},
		{"Owners", testOwners},
		{"Alerts", testAlerts},
		{"EraseCustomer", testEraseCustomer},
		{"Transactions", testTransactions},
		{"Rules", testRules},
		{"Cases", testCases},
		{"CTRAndLeases", testCTRAndLeases},
		{"Readiness", testReadiness},
	}
	for _, tc := range tests {
		if slices.Contains(except, tc.name) {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() { s.Close() })
			if tc.name != "Migrations" {
				if _, err := s.Migrate(context.Background()); err != nil {
					t.Fatalf("migrate: %v", err)
				}
			}
			tc.fn(t, s)
		})
	}
}

func testMigrations(t *testing.T, s Store) {
	ctx := context.Background()
	applied, latest, err := s.MigrationStatus(ctx)
	if err != nil {
		t.Fatalf("status before migrate: %v", err)
	}
	if applied != 0 || latest < 1 {
		t.Fatalf("fresh store: applied=%d latest=%d, want 0 and >=1", applied, latest)
	}
	did, err := s.Migrate(ctx)
	if err != nil {
		t.Fatalf("migrate: %v", err)
	}
	// Versions need not be contiguous (parallel branches reserve numbers);
	// they must be applied in order, ending at the latest.
	if len(did) == 0 || did[len(did)-1] != latest || !slices.IsSorted(did) {
		t.Fatalf("first migrate applied %v, want every migration up to %d in order", did, latest)
	}
	did, err = s.Migrate(ctx)
	if err != nil || len(did) != 0 {
		t.Fatalf("second migrate applied %v, %v; want nothing", did, err)
	}
	applied, latest2, err := s.MigrationStatus(ctx)
	if err != nil || applied != latest || latest2 != latest {
		t.Fatalf("status after migrate: applied=%d latest=%d err=%v, want %d", applied, latest2, err, latest)
	}
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping: %v", err)
	}
}

var keySeq sync.Mutex
var keyN int

func newKey(t *testing.T, role warden.Role) *auth.APIKey {
	t.Helper()
	keySeq.Lock()
	keyN++
	n := keyN
	keySeq.Unlock()
	// Microsecond precision with a non-UTC zone checks that stores keep the
	// instant exactly and hand it back in UTC.
	created := time.Date(2026, 3, 1, 12, 0, 0, 123456000, time.FixedZone("EAT", 3*3600)).Add(time.Duration(n) * time.Second)
	return &auth.APIKey{
		ID:        fmt.Sprintf("%012x", n),
		Name:      fmt.Sprintf("key %d ✓", n),
		Role:      role,
		Hash:      bytes.Repeat([]byte{byte(n)}, 32),
		CreatedAt: created,
		ExpiresAt: created.Add(90 * 24 * time.Hour),
		CreatedBy: "api_key:000000000001",
	}
}

func testAPIKeyRoundTrip(t *testing.T, s Store) {
	ctx := context.Background()
	a, b := newKey(t, warden.RoleAdmin), newKey(t, warden.RoleService)
	for _, k := range []*auth.APIKey{a, b} {
		if err := s.CreateAPIKey(ctx, k); err != nil {
			t.Fatalf("create %s: %v", k.ID, err)
		}
	}
	got, err := s.APIKey(ctx, a.ID)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.ID != a.ID || got.Name != a.Name || got.Role != a.Role || !bytes.Equal(got.Hash, a.Hash) || got.CreatedBy != a.CreatedBy {
		t.Fatalf("round trip: got %+v, want %+v", got, a)
	}
	if !got.CreatedAt.Equal(a.CreatedAt) || got.CreatedAt.Location() != time.UTC || !got.ExpiresAt.Equal(a.ExpiresAt) {
		t.Fatalf("times: got %v/%v, want %v/%v in UTC", got.CreatedAt, got.ExpiresAt, a.CreatedAt, a.ExpiresAt)
	}
	if !got.RevokedAt.IsZero() || got.RotatedTo != "" || got.RotatedFrom != "" {
		t.Fatalf("fresh key has revocation or rotation: %+v", got)
	}
	list, err := s.APIKeys(ctx)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID {
		t.Fatalf("list: got %d keys %v, want newest first [%s %s]", len(list), ids(list), b.ID, a.ID)
	}
}

func ids(keys []*auth.APIKey) []string {
	var out []string
	for _, k := range keys {
		out = append(out, k.ID)
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := warden.ErrorCode(err); got != code {
		t.Fatalf("error %v: code %q, want %q", err, got, code)
	}
}

func testAPIKeyNotFoundAndConflict(t *testing.T, s Store) {
	ctx := context.Background()
	_, err := s.APIKey(ctx, "ffffffffffff")
	wantCode(t, err, warden.ENOTFOUND)
	k := newKey(t, warden.RoleAnalyst)
	if err := s.CreateAPIKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.CreateAPIKey(ctx, k), warden.ECONFLICT)
	_, err = s.RevokeAPIKey(ctx, "ffffffffffff", time.Now())
	wantCode(t, err, warden.ENOTFOUND)
}

func testAPIKeyRevoke(t *testing.T, s Store) {
	ctx := context.Background()
	k := newKey(t, warden.RoleAuditor)
	if err := s.CreateAPIKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 4, 2, 9, 30, 0, 5000, time.UTC)
	revoked, err := s.RevokeAPIKey(ctx, k.ID, at)
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	got, err := s.APIKey(ctx, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.RevokedAt.Equal(at) {
		t.Fatalf("revoked_at %v, want %v", got.RevokedAt, at)
	}
	// The revoke returns the key as it stored it.
	if revoked.ID != got.ID || revoked.Name != got.Name || revoked.Role != got.Role || !bytes.Equal(revoked.Hash, got.Hash) ||
		!revoked.CreatedAt.Equal(got.CreatedAt) || !revoked.ExpiresAt.Equal(got.ExpiresAt) || !revoked.RevokedAt.Equal(got.RevokedAt) ||
		revoked.RotatedFrom != got.RotatedFrom || revoked.RotatedTo != got.RotatedTo || revoked.CreatedBy != got.CreatedBy {
		t.Fatalf("revoke returned %+v, stored %+v", revoked, got)
	}
	_, err = s.RevokeAPIKey(ctx, k.ID, at.Add(time.Hour))
	wantCode(t, err, warden.ECONFLICT)
	got, _ = s.APIKey(ctx, k.ID)
	if !got.RevokedAt.Equal(at) {
		t.Fatalf("second revoke changed revoked_at to %v", got.RevokedAt)
	}
}

func testAPIKeyRotate(t *testing.T, s Store) {
	ctx := context.Background()
	old, next := newKey(t, warden.RoleService), newKey(t, warden.RoleService)
	next.RotatedFrom = old.ID
	if err := s.CreateAPIKey(ctx, old); err != nil {
		t.Fatal(err)
	}
	newExpiry := old.CreatedAt.Add(24 * time.Hour)
	if err := s.RotateAPIKey(ctx, old.ID, newExpiry, next); err != nil {
		t.Fatalf("rotate: %v", err)
	}
	gotOld, _ := s.APIKey(ctx, old.ID)
	gotNext, err := s.APIKey(ctx, next.ID)
	if err != nil {
		t.Fatalf("successor not stored: %v", err)
	}
	if gotOld.RotatedTo != next.ID || !gotOld.ExpiresAt.Equal(newExpiry) || gotNext.RotatedFrom != old.ID {
		t.Fatalf("after rotate: old %+v next %+v", gotOld, gotNext)
	}
	// A second rotation of the same key must fail and store nothing.
	third := newKey(t, warden.RoleService)
	wantCode(t, s.RotateAPIKey(ctx, old.ID, newExpiry, third), warden.ECONFLICT)
	_, err = s.APIKey(ctx, third.ID)
	wantCode(t, err, warden.ENOTFOUND)
	// A revoked key cannot be rotated.
	if _, err := s.RevokeAPIKey(ctx, next.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	wantCode(t, s.RotateAPIKey(ctx, next.ID, newExpiry, third), warden.ECONFLICT)
}

func testBootstrapOnce(t *testing.T, s Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	results := make([]bool, 8)
	errs := make([]error, 8)
	keys := make([]*auth.APIKey, 8)
	for i := range results {
		keys[i] = newKey(t, warden.RoleAdmin)
	}
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = s.CreateFirstAPIKey(ctx, keys[i])
		}()
	}
	wg.Wait()
	created := 0
	for i, ok := range results {
		if errs[i] != nil {
			t.Fatalf("bootstrap %d: %v", i, errs[i])
		}
		if ok {
			created++
		}
	}
	list, err := s.APIKeys(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if created != 1 || len(list) != 1 {
		t.Fatalf("concurrent bootstrap created %d keys (%d stored), want exactly 1", created, len(list))
	}
	// Even after the first key is revoked, bootstrap never runs again.
	if _, err := s.RevokeAPIKey(ctx, list[0].ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.CreateFirstAPIKey(ctx, newKey(t, warden.RoleAdmin)); ok || err != nil {
		t.Fatalf("bootstrap after revocation: created=%v err=%v, want false", ok, err)
	}
}

func testConcurrentCreates(t *testing.T, s Store) {
	ctx := context.Background()
	const n = 40
	keys := make([]*auth.APIKey, n)
	for i := range keys {
		keys[i] = newKey(t, warden.RoleAnalyst)
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.CreateAPIKey(ctx, k); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("concurrent create: %v", err)
	}
	list, err := s.APIKeys(ctx)
	if err != nil || len(list) != n {
		t.Fatalf("after %d concurrent creates: %d keys, err %v", n, len(list), err)
	}
}

func testIdempotency(t *testing.T, s Store) {
	ctx := context.Background()
	rec := &warden.IdempotencyRecord{Actor: "api_key:a", Key: "k-1", Method: "POST", Path: "/v1/x",
		RequestHash: []byte{1, 2, 3}, CreatedAt: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)}
	if ex, err := s.ReserveIdempotencyKey(ctx, rec); err != nil || ex != nil {
		t.Fatalf("first reserve: existing=%+v err=%v, want none", ex, err)
	}
	ex, err := s.ReserveIdempotencyKey(ctx, rec)
	if err != nil || ex == nil || ex.Status != 0 || !bytes.Equal(ex.RequestHash, rec.RequestHash) {
		t.Fatalf("second reserve: %+v %v, want in-progress record", ex, err)
	}
	// The same key under another actor is independent.
	other := *rec
	other.Actor = "api_key:b"
	if ex, err := s.ReserveIdempotencyKey(ctx, &other); err != nil || ex != nil {
		t.Fatalf("other actor: %+v %v", ex, err)
	}
	body := []byte(`{"id":"x"}`)
	if err := s.CompleteIdempotencyKey(ctx, rec.Actor, rec.Key, 201, "application/json", body); err != nil {
		t.Fatalf("complete: %v", err)
	}
	wantCode(t, s.CompleteIdempotencyKey(ctx, rec.Actor, rec.Key, 201, "application/json", body), warden.ECONFLICT)
	ex, err = s.ReserveIdempotencyKey(ctx, rec)
	if err != nil || ex == nil || ex.Status != 201 || string(ex.Body) != string(body) || ex.ContentType != "application/json" ||
		ex.Method != "POST" || ex.Path != "/v1/x" || !ex.CreatedAt.Equal(rec.CreatedAt) {
		t.Fatalf("replay record: %+v %v", ex, err)
	}
	// Release drops only in-progress reservations.
	if err := s.ReleaseIdempotencyKey(ctx, rec.Actor, rec.Key); err != nil {
		t.Fatal(err)
	}
	if ex, _ := s.ReserveIdempotencyKey(ctx, rec); ex == nil || ex.Status != 201 {
		t.Fatalf("release removed a completed record: %+v", ex)
	}
	if err := s.ReleaseIdempotencyKey(ctx, other.Actor, other.Key); err != nil {
		t.Fatal(err)
	}
	if ex, err := s.ReserveIdempotencyKey(ctx, &other); err != nil || ex != nil {
		t.Fatalf("reserve after release: %+v %v, want fresh", ex, err)
	}
	n, err := s.PruneIdempotencyKeys(ctx, rec.CreatedAt.Add(time.Second))
	if err != nil || n != 2 {
		t.Fatalf("prune: %d %v, want 2", n, err)
	}
	if ex, err := s.ReserveIdempotencyKey(ctx, rec); err != nil || ex != nil {
		t.Fatalf("after prune: %+v %v", ex, err)
	}
}

func testIdempotencyConcurrentReserve(t *testing.T, s Store) {
	ctx := context.Background()
	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	winners := 0
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ex, err := s.ReserveIdempotencyKey(ctx, &warden.IdempotencyRecord{Actor: "a", Key: "race", Method: "POST",
				Path: "/", RequestHash: []byte{9}, CreatedAt: time.Now()})
			if err != nil {
				t.Errorf("reserve: %v", err)
				return
			}
			if ex == nil {
				mu.Lock()
				winners++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if winners != 1 {
		t.Fatalf("%d concurrent reservations won, want exactly 1", winners)
	}
}

func testBootstrapSkippedWhenKeysExist(t *testing.T, s Store) {
	ctx := context.Background()
	if err := s.CreateAPIKey(ctx, newKey(t, warden.RoleService)); err != nil {
		t.Fatal(err)
	}
	if ok, err := s.CreateFirstAPIKey(ctx, newKey(t, warden.RoleAdmin)); ok || err != nil {
		t.Fatalf("bootstrap with keys present: created=%v err=%v", ok, err)
	}
	list, _ := s.APIKeys(ctx)
	if len(list) != 1 {
		t.Fatalf("%d keys, want the one created before", len(list))
	}
}
