package audit_test

import (
	"bytes"
	"context"
	"testing"

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
