package audit_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

// A staged record becomes the entry an append of it would have made: same
// actor, request id and canonical change; only index and time are the
// relay's.
func TestStagedRecordBecomesTheEntryAnAppendMakes(t *testing.T) {
	f := newFixture(t, 10)
	ctx := warden.NewContextWithRequestID(warden.NewContextWithActor(context.Background(),
		warden.Actor{Kind: warden.ActorOIDC, ID: "alice"}), "req-7")
	rec := audit.Record{Action: "customer.update", Subject: audit.Subject{Type: "customer", ID: "c-1"},
		Change: map[string]any{"z": 1, "a": "Ωmega", "nested": map[string]any{"b": []int{2, 1}}}}
	if _, err := f.log.Append(ctx, rec); err != nil {
		t.Fatal(err)
	}
	sctx, pending, err := f.log.Stage(ctx, rec)
	if err != nil {
		t.Fatal(err)
	}
	// Any store write transaction carries the staged records.
	if err := f.db.SetAuditCursor(sctx, "test", 1); err != nil {
		t.Fatal(err)
	}
	if err := pending.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	es, err := f.log.Entries(context.Background(), 0, 2)
	if err != nil || len(es) != 2 {
		t.Fatalf("entries %d %v", len(es), err)
	}
	appended := bytes.Replace(es[0].Data, []byte(`"index":0`), []byte(`"index":1`), 1)
	if !bytes.Equal(appended, es[1].Data) {
		t.Fatalf("staged entry differs from the appended one:\nappended %s\n  staged %s", es[0].Data, es[1].Data)
	}
	if rep, err := f.log.VerifyStore(context.Background(), audit.VerifyOptions{TrustedKeys: []string{f.vkey}}); err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}

// StageWith without a log stages nothing and waits for nothing.
func TestStageWithoutLog(t *testing.T) {
	ctx := context.Background()
	sctx, pending, err := audit.StageWith(ctx, nil, audit.Record{Action: "x.y", Subject: audit.Subject{Type: "t", ID: "1"}})
	if err != nil || sctx != ctx || pending.Wait(ctx) != nil {
		t.Fatalf("StageWith(nil): %v", err)
	}
}

// Records staged in a scope that made no store write still reach the log.
func TestAtomicallyWithoutWriteStillRecords(t *testing.T) {
	f := newFixture(t, 10)
	ctx := context.Background()
	var pending audit.Pending
	err := audit.Atomically(ctx, f.db, func(ctx context.Context) error {
		var err error
		_, pending, err = f.log.Stage(ctx, audit.Record{Action: "x.y", Subject: audit.Subject{Type: "t", ID: "1"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := pending.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.log.Size(ctx); n != 1 {
		t.Fatalf("size %d, want 1", n)
	}
}

// Do commits the change with its records and returns once they are in the
// log.
func TestDoCommitsChangeWithRecords(t *testing.T) {
	f := newFixture(t, 10)
	ctx := context.Background()
	rec := audit.Record{Action: "x.y", Subject: audit.Subject{Type: "t", ID: "1"}}
	err := audit.Do(ctx, f.log, func(ctx context.Context) error { return f.db.SetAuditCursor(ctx, "test", 3) }, rec, rec)
	if err != nil {
		t.Fatal(err)
	}
	if next, err := f.db.AuditCursor(ctx, "test"); err != nil || next != 3 {
		t.Fatalf("cursor %d %v, want 3", next, err)
	}
	if n, err := f.log.Size(ctx); err != nil || n != 2 {
		t.Fatalf("size %d %v, want 2", n, err)
	}
}

// A change that fails rolls back its records with it: Do returns the
// change's error as is, and nothing reaches the outbox or the log.
func TestDoChangeFailsWritesNoRecords(t *testing.T) {
	f := newFixture(t, 10)
	ctx := context.Background()
	boom := errors.New("boom")
	err := audit.Do(ctx, f.log, func(ctx context.Context) error {
		// A store write whose transaction rolls back after the write.
		return audit.Atomically(ctx, f.db, func(ctx context.Context) error {
			if err := f.db.SetAuditCursor(ctx, "test", 3); err != nil {
				return err
			}
			return boom
		})
	}, audit.Record{Action: "x.y", Subject: audit.Subject{Type: "t", ID: "1"}})
	if err != boom {
		t.Fatalf("Do: %v, want the change's error unwrapped", err)
	}
	if next, err := f.db.AuditCursor(ctx, "test"); err != nil || next != 0 {
		t.Fatalf("cursor %d %v: the change was not rolled back", next, err)
	}
	if moved, err := f.log.Relay(ctx); err != nil || moved != 0 {
		t.Fatalf("relay moved %d %v, want 0: the records reached the outbox", moved, err)
	}
	if n, _ := f.log.Size(ctx); n != 0 {
		t.Fatalf("size %d, want 0", n)
	}
	// An invalid record fails before the change runs.
	ran := false
	err = audit.Do(ctx, f.log, func(ctx context.Context) error { ran = true; return nil }, audit.Record{})
	if err == nil || ran {
		t.Fatalf("Do with an invalid record: err %v, change ran %v", err, ran)
	}
}

// relayFails is a log store whose relay fails.
type relayFails struct {
	audit.Store
	err error
}

func (s relayFails) RelayAuditOutbox(context.Context, int, func(int64, tlog.HashReader, []audit.Entry) ([]audit.StoredEntry, error)) (int, error) {
	return 0, s.err
}

// When the wait fails the change is committed and its records stay in the
// outbox, which the error says; the next relay appends them.
func TestDoWaitFailsLeavesRecordsInOutbox(t *testing.T) {
	f := newFixture(t, 10)
	ctx := context.Background()
	down := errors.New("log store down")
	signer, err := note.NewSigner(f.skey)
	if err != nil {
		t.Fatal(err)
	}
	failing, err := audit.New(relayFails{Store: f.db, err: down}, audit.Config{Origin: "test/audit", Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	err = audit.Do(ctx, failing, func(ctx context.Context) error { return f.db.SetAuditCursor(ctx, "test", 3) },
		audit.Record{Action: "x.y", Subject: audit.Subject{Type: "t", ID: "1"}})
	if !errors.Is(err, down) || !strings.Contains(err.Error(), "committed") || !strings.Contains(err.Error(), "outbox") {
		t.Fatalf("Do: %v, want the relay's error, saying the records stay in the outbox", err)
	}
	if next, err := f.db.AuditCursor(ctx, "test"); err != nil || next != 3 {
		t.Fatalf("cursor %d %v, want 3: the change is committed", next, err)
	}
	if moved, err := f.log.Relay(ctx); err != nil || moved != 1 {
		t.Fatalf("relay moved %d %v, want the 1 record left in the outbox", moved, err)
	}
	if n, _ := f.log.Size(ctx); n != 1 {
		t.Fatalf("size %d, want 1", n)
	}

	// A change that never passed the staged context to the store has no
	// records in the outbox, and the error does not claim it has.
	err = audit.Do(ctx, f.log, func(context.Context) error { return f.db.SetAuditCursor(ctx, "other", 1) },
		audit.Record{Action: "x.y", Subject: audit.Subject{Type: "t", ID: "2"}})
	if err == nil || strings.Contains(err.Error(), "outbox") {
		t.Fatalf("Do without the staged context: %v, want an error that does not claim the outbox", err)
	}
}
