package kyc_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/storetest"
)

// A customer change commits with its audit record in the outbox: when the
// process dies before the relay (a log whose relay fails), the version is
// stored and the record waits in the outbox, and the next process's relay
// puts the entry in the log, which verifies.
func TestCustomerChangeCommitsItsAuditRecord(t *testing.T) {
	ctx := warden.NewContextWithActor(context.Background(), warden.Actor{Kind: warden.ActorAPIKey, ID: "core"})
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	dying, _ := storetest.NewAuditLog(t, storetest.DeadRelay{Store: db}, 0)
	s := &kyc.Service{Store: db, Audit: dying, Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }}
	if _, err := s.Put(ctx, "cust-1", person()); err == nil {
		t.Fatal("Put succeeded although its audit entry never reached the log")
	}
	if c, err := db.Customer(ctx, "cust-1"); err != nil || c.Version != 1 {
		t.Fatalf("the change is not committed: %+v %v", c, err)
	}
	next, vkey, es := storetest.RelayLeftovers(t, db, 1)
	if len(es) != 1 || es[0].Action != "customer.create" || es[0].Subject.ID != "cust-1" || es[0].Actor.ID != "core" {
		t.Fatalf("entries %+v", es)
	}
	storetest.VerifyLog(t, next, vkey)

	// With a working log the next change is in the log when Put returns.
	s.Audit = next
	p := person()
	p.Surname = "Otieno-Kamau"
	if _, err := s.Put(ctx, "cust-1", p); err != nil {
		t.Fatal(err)
	}
	if es := storetest.AuditEntries(t, db); len(es) != 2 || es[1].Action != "customer.update" || storetest.OutboxRows(t, db) != 0 {
		t.Fatalf("entries %+v, outbox %d", es, storetest.OutboxRows(t, db))
	}
	// A document decision commits with its record the same way.
	s.Documents = db
	d, err := s.SubmitDocument(ctx, "cust-1", kyc.DocumentInput{Kind: kyc.DocNationalID, Number: "12345678"})
	if err != nil {
		t.Fatal(err)
	}
	s.Audit = dying
	if _, err := s.DecideDocument(ctx, d.ID, true, ""); err == nil {
		t.Fatal("DecideDocument succeeded without its entry in the log")
	}
	if got, err := db.Document(ctx, d.ID); err != nil || got.Status != kyc.DocVerified || storetest.OutboxRows(t, db) != 1 {
		t.Fatalf("document %+v %v, outbox %d: want verified with one row", got, err, storetest.OutboxRows(t, db))
	}
}
