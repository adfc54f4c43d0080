package storetest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/cases"
)

// The audit outbox: records staged on a context are written by the store
// transaction that commits with it, and relayed into the log.

// NewAuditLog opens an audit log over s with a fresh signing key (maxBatch
// zero: the default batch); its verifier key is returned for VerifyStore.
func NewAuditLog(t testing.TB, s audit.Store, maxBatch int) (*audit.Log, string) {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, "storetest")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := note.NewVerifier(vkey)
	if err != nil {
		t.Fatal(err)
	}
	l, err := audit.New(s, audit.Config{Origin: "storetest/audit", Signer: signer, Verifiers: []note.Verifier{verifier}, MaxBatch: maxBatch})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.PublishKey(context.Background(), vkey); err != nil {
		t.Fatal(err)
	}
	return l, vkey
}

// OutboxRows counts the rows waiting in a store's audit outbox.
func OutboxRows(t testing.TB, s any) int {
	t.Helper()
	raw, ok := s.(rawDB)
	if !ok {
		t.Fatal("store does not expose its database for tests")
	}
	var n int
	if err := raw.WriteDBForTest().QueryRow(`SELECT COUNT(*) FROM audit_outbox`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func outboxKey(id string) *auth.APIKey {
	now := time.Now().UTC().Truncate(time.Microsecond)
	return &auth.APIKey{ID: id, Name: "outbox " + id, Role: warden.RoleService, Hash: []byte(id + "-hash-32-bytes-long-xxxxxxxxxxxx"),
		CreatedAt: now, ExpiresAt: now.Add(time.Hour), CreatedBy: "system:test"}
}

func keyRecord(id string) audit.Record {
	return audit.Record{Action: "apikey.create", Subject: audit.Subject{Type: "api_key", ID: id}, Change: map[string]any{"name": "outbox " + id}}
}

// AuditEntries returns every stored entry of s, decoded.
func AuditEntries(t testing.TB, s audit.Store) []*audit.Entry {
	t.Helper()
	ctx := context.Background()
	n, err := s.AuditSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := s.AuditEntries(ctx, 0, n)
	if err != nil {
		t.Fatal(err)
	}
	var out []*audit.Entry
	for _, se := range stored {
		e, err := audit.ParseEntry(se.Data)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// RelayLeftovers checks what a process whose relays died left behind: want
// rows in s's audit outbox and nothing in its log. It then relays them as
// the next process does at start and returns that process's log, its key
// and the entries now in the log.
func RelayLeftovers(t testing.TB, s audit.Store, want int) (*audit.Log, string, []*audit.Entry) {
	t.Helper()
	ctx := context.Background()
	if n := OutboxRows(t, s); n != want {
		t.Fatalf("%d audit outbox rows, want %d", n, want)
	}
	if n, _ := s.AuditSize(ctx); n != 0 {
		t.Fatalf("log size %d before any relay", n)
	}
	next, vkey := NewAuditLog(t, s, 0)
	if moved, err := next.Relay(ctx); err != nil || moved != want {
		t.Fatalf("relay at start moved %d, want %d: %v", moved, want, err)
	}
	return next, vkey, AuditEntries(t, s)
}

// VerifyLog signs a checkpoint and verifies the stored log with vkey.
func VerifyLog(t testing.TB, l *audit.Log, vkey string) {
	t.Helper()
	ctx := context.Background()
	if _, err := l.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	if rep, err := l.VerifyStore(ctx, audit.VerifyOptions{TrustedKeys: []string{vkey}}); err != nil || !rep.OK {
		t.Fatalf("the log does not verify: %+v %v", rep, err)
	}
}

func testAuditOutboxCommitsWithChange(t *testing.T, s Store) {
	l, vkey := NewAuditLog(t, s, 0)
	ctx := warden.NewContextWithRequestID(warden.NewContextWithActor(context.Background(),
		warden.Actor{Kind: warden.ActorAPIKey, ID: "outboxadmin0"}), "req-outbox")

	// Staging validates before anything changes.
	if _, _, err := l.Stage(ctx, audit.Record{Action: "Not Valid", Subject: audit.Subject{Type: "api_key", ID: "x"}}); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("invalid record staged: %v", err)
	}
	sctx, pending, err := l.Stage(ctx, keyRecord("0000000000a1"))
	if err != nil {
		t.Fatal(err)
	}
	if n := OutboxRows(t, s); n != 0 {
		t.Fatalf("staging wrote %d outbox rows before any change", n)
	}
	if err := s.CreateAPIKey(sctx, outboxKey("0000000000a1")); err != nil {
		t.Fatal(err)
	}
	if n := OutboxRows(t, s); n != 1 {
		t.Fatalf("the change committed with %d outbox rows, want 1", n)
	}
	if n, _ := s.AuditSize(context.Background()); n != 0 {
		t.Fatalf("the change appended %d entries itself: the relay does that", n)
	}
	// Another transaction with the same context writes nothing again.
	if err := s.CreateAPIKey(sctx, outboxKey("0000000000a2")); err != nil {
		t.Fatal(err)
	}
	if n := OutboxRows(t, s); n != 1 {
		t.Fatalf("a second transaction with the staged context wrote its records again: %d rows", n)
	}

	// A change that fails takes its records with it.
	fctx, failed, err := l.Stage(ctx, keyRecord("0000000000a1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAPIKey(fctx, outboxKey("0000000000a1")); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("duplicate key: %v", err)
	}
	if n := OutboxRows(t, s); n != 1 {
		t.Fatalf("a failed change left %d outbox rows, want the 1 of the committed one", n)
	}
	if err := failed.Wait(ctx); err == nil {
		t.Fatal("waiting for records no transaction committed reported success")
	}

	if err := pending.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n := OutboxRows(t, s); n != 0 {
		t.Fatalf("relayed rows left in the outbox: %d", n)
	}
	es := AuditEntries(t, s)
	if len(es) != 1 || es[0].Action != "apikey.create" || es[0].Subject.ID != "0000000000a1" || es[0].Actor.ID != "outboxadmin0" ||
		es[0].RequestID != "req-outbox" || string(es[0].Change) != `{"name":"outbox 0000000000a1"}` {
		t.Fatalf("relayed entries %+v", es)
	}
	VerifyLog(t, l, vkey)
}

func testAuditOutboxRelaysInOrder(t *testing.T, s Store) {
	ctx := context.Background()
	// A batch of 3: a relay of 10 rows takes several passes.
	l, vkey := NewAuditLog(t, s, 3)
	if _, err := l.Append(ctx, audit.Record{Action: "test.before", Subject: audit.Subject{Type: "t", ID: "0"}}); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for i := range 10 {
		id := fmt.Sprintf("0000000000b%d", i)
		sctx, _, err := l.Stage(ctx, keyRecord(id))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.CreateAPIKey(sctx, outboxKey(id)); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	// Plain appends do not read the outbox: its rows wait for a relay.
	if _, err := l.Append(ctx, audit.Record{Action: "test.between", Subject: audit.Subject{Type: "t", ID: "1"}}); err != nil {
		t.Fatal(err)
	}
	if n := OutboxRows(t, s); n != 10 {
		t.Fatalf("outbox rows %d, want 10", n)
	}
	moved, err := l.Relay(ctx)
	if err != nil || moved != 10 {
		t.Fatalf("relay moved %d: %v", moved, err)
	}
	if n := OutboxRows(t, s); n != 0 {
		t.Fatalf("outbox rows after the relay: %d", n)
	}
	es := AuditEntries(t, s)
	if len(es) != 12 || es[0].Action != "test.before" || es[1].Action != "test.between" {
		t.Fatalf("entries %+v", es)
	}
	for i, id := range ids {
		if e := es[2+i]; e.Subject.ID != id || e.Index != int64(2+i) {
			t.Fatalf("entry %d is %s at %d, want %s in staging order", 2+i, e.Subject.ID, e.Index, id)
		}
	}
	if moved, err := l.Relay(ctx); err != nil || moved != 0 {
		t.Fatalf("relay of an empty outbox: %d %v", moved, err)
	}
	VerifyLog(t, l, vkey)
}

func testAuditOutboxAtomically(t *testing.T, s Store) {
	ctx := context.Background()
	l, vkey := NewAuditLog(t, s, 0)
	// Records built from the store call's result commit with it.
	var pending audit.Pending
	err := audit.Atomically(ctx, s, func(ctx context.Context) error {
		created, err := s.CreateFirstAPIKey(ctx, outboxKey("0000000000c1"))
		if err != nil || !created {
			return fmt.Errorf("first key: %v %w", created, err)
		}
		_, pending, err = l.Stage(ctx, keyRecord("0000000000c1"))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := OutboxRows(t, s); n != 1 {
		t.Fatalf("outbox rows %d, want 1", n)
	}
	if err := pending.Wait(ctx); err != nil {
		t.Fatal(err)
	}

	// A scope that fails after its store call commits nothing.
	boom := errors.New("boom")
	err = audit.Atomically(ctx, s, func(ctx context.Context) error {
		if err := s.CreateAPIKey(ctx, outboxKey("0000000000c2")); err != nil {
			return err
		}
		if _, _, err := l.Stage(ctx, keyRecord("0000000000c2")); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("scope error %v", err)
	}
	if _, err := s.APIKey(ctx, "0000000000c2"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("the failed scope's change was committed: %v", err)
	}
	// One store write a scope: a second is refused and nothing commits.
	err = audit.Atomically(ctx, s, func(ctx context.Context) error {
		if err := s.CreateAPIKey(ctx, outboxKey("0000000000c3")); err != nil {
			return err
		}
		return s.CreateAPIKey(ctx, outboxKey("0000000000c4"))
	})
	if err == nil {
		t.Fatal("two store writes in one scope were accepted")
	}
	if _, err := s.APIKey(ctx, "0000000000c3"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("the refused scope's first change was committed: %v", err)
	}
	if n := OutboxRows(t, s); n != 0 {
		t.Fatalf("outbox rows %d after failed scopes", n)
	}
	// The store is usable after the scopes (SQLite: the writer is free).
	if err := s.CreateAPIKey(ctx, outboxKey("0000000000c5")); err != nil {
		t.Fatal(err)
	}
	if es := AuditEntries(t, s); len(es) != 1 || es[0].Subject.ID != "0000000000c1" {
		t.Fatalf("entries %+v", es)
	}
	VerifyLog(t, l, vkey)
}

// DeadRelay is a log's store whose relay fails, as if the process died
// between a change's commit and the relay: build a service with a log over
// DeadRelay{store} and its changes commit with their outbox rows, which
// stay there.
type DeadRelay struct{ audit.Store }

// RelayAuditOutbox implements audit.Store: it always fails.
func (DeadRelay) RelayAuditOutbox(context.Context, int, func(int64, tlog.HashReader, []audit.Entry) ([]audit.StoredEntry, error)) (int, error) {
	return 0, errors.New("the process died before the relay")
}

func testAuditOutboxRecoversAfterCrash(t *testing.T, s Store) {
	ctx := context.Background()
	dying, _ := NewAuditLog(t, DeadRelay{s}, 0)
	sctx, pending, err := dying.Stage(ctx, keyRecord("0000000000d1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateAPIKey(sctx, outboxKey("0000000000d1")); err != nil {
		t.Fatal(err)
	}
	if err := pending.Wait(ctx); err == nil {
		t.Fatal("a failed relay was reported as success")
	}
	if _, err := s.APIKey(ctx, "0000000000d1"); err != nil {
		t.Fatalf("the change is not committed: %v", err)
	}
	if n, _ := s.AuditSize(ctx); n != 0 || OutboxRows(t, s) != 1 {
		t.Fatalf("after the crash: size %d, outbox %d; want 0 and 1", n, OutboxRows(t, s))
	}
	// Metrics see the record waiting, and since when.
	st, ok := s.(interface {
		AuditOutboxStatus(context.Context) (int64, time.Time, error)
	})
	if !ok {
		t.Fatal("the store reports no audit outbox status")
	}
	if n, oldest, err := st.AuditOutboxStatus(ctx); err != nil || n != 1 || time.Since(oldest) > time.Minute || time.Since(oldest) < 0 {
		t.Fatalf("outbox status %d %v %v, want 1 just now", n, oldest, err)
	}
	// The next process relays what it finds at start.
	next, vkey := NewAuditLog(t, s, 0)
	if moved, err := next.Relay(ctx); err != nil || moved != 1 {
		t.Fatalf("relay at start moved %d: %v", moved, err)
	}
	if n, oldest, err := st.AuditOutboxStatus(ctx); err != nil || n != 0 || !oldest.IsZero() {
		t.Fatalf("outbox status after the relay %d %v %v", n, oldest, err)
	}
	if es := AuditEntries(t, s); len(es) != 1 || es[0].Action != "apikey.create" || es[0].Subject.ID != "0000000000d1" {
		t.Fatalf("entries %+v", es)
	}
	VerifyLog(t, next, vkey)
}

// Replicas relay at the same time as changes commit: every staged record is
// appended exactly once.
func testAuditOutboxConcurrentRelays(t *testing.T, s Store) {
	ctx := context.Background()
	a, vkey := NewAuditLog(t, s, 8)
	b, _ := NewAuditLog(t, s, 8)
	const writers, each = 4, 10
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var relays sync.WaitGroup
	for _, l := range []*audit.Log{a, b, a, b} {
		relays.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := l.Relay(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	for w := range writers {
		l := []*audit.Log{a, b}[w%2]
		wg.Go(func() {
			for i := range each {
				id := fmt.Sprintf("00000000%02x%02x", w, i)
				sctx, pending, err := l.Stage(ctx, keyRecord(id))
				if err != nil {
					t.Error(err)
					return
				}
				if err := s.CreateAPIKey(sctx, outboxKey(id)); err != nil {
					t.Error(err)
					return
				}
				if err := pending.Wait(ctx); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(stop)
	relays.Wait()
	if t.Failed() {
		return
	}
	if n := OutboxRows(t, s); n != 0 {
		t.Fatalf("outbox rows left: %d", n)
	}
	seen := map[string]int{}
	for _, e := range AuditEntries(t, s) {
		seen[e.Subject.ID]++
	}
	if len(seen) != writers*each {
		t.Fatalf("%d distinct entries, want %d", len(seen), writers*each)
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("%s appended %d times", id, n)
		}
	}
	VerifyLog(t, a, vkey)
}

// Alert raises stage their records inside the raise's transaction
// (audit.Atomically), on a fresh store whose raise statements are prepared
// on the write pool before that transaction begins.
func testAuditOutboxAlertRaises(t *testing.T, s Store) {
	ctx := context.Background()
	store, ok := s.(cases.AlertStore)
	if !ok {
		t.Fatal("store does not keep alerts")
	}
	l, vkey := NewAuditLog(t, s, 0)
	alerts := &cases.Alerts{Store: store, Audit: l}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	r := cases.Raise{CustomerID: "c1", Source: cases.SourceMonitoring, RuleID: "structuring", RuleVersion: 1, Severity: "high", At: at, Window: time.Hour}
	other := r
	other.CustomerID = "c2"
	as, err := alerts.RaiseBatch(ctx, []cases.Raise{r, other, r})
	if err != nil {
		t.Fatal(err)
	}
	if n := OutboxRows(t, s); n != 0 {
		t.Fatalf("outbox rows left: %d", n)
	}
	es := AuditEntries(t, s)
	if len(es) != 3 || es[0].Action != "alert.open" || es[1].Action != "alert.open" || es[2].Action != "alert.extend" ||
		es[0].Subject.ID != as[0].ID || es[1].Subject.ID != as[1].ID || es[2].Subject.ID != as[0].ID {
		t.Fatalf("entries %+v", es)
	}
	var change struct{ Hits int }
	if err := json.Unmarshal(es[2].Change, &change); err != nil || change.Hits != 2 {
		t.Fatalf("extend entry %s: want hits 2", es[2].Change)
	}
	// A raise that fails commits neither alerts nor records.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := alerts.RaiseBatch(cctx, []cases.Raise{other}); err == nil {
		t.Fatal("a raise with a cancelled context succeeded")
	}
	if n := OutboxRows(t, s); n != 0 {
		t.Fatalf("a failed raise left %d outbox rows", n)
	}
	if got, err := store.Alert(ctx, as[1].ID); err != nil || got.Hits != 1 {
		t.Fatalf("a failed raise changed the alert: %+v %v", got, err)
	}
	VerifyLog(t, l, vkey)
}
