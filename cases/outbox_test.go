package cases_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/storetest"
)

// Alerts and cases commit with their audit records in the outbox: when the
// process dies before the relay (a log whose relay fails), the change is
// stored and its records wait in the outbox; the next process's relay puts
// the entries in the log, which verifies.
func TestCaseChangesCommitTheirAuditRecords(t *testing.T) {
	ctx := as(context.Background(), "ana")
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	dying, _ := storetest.NewAuditLog(t, storetest.DeadRelay{Store: db}, 0)
	alerts := &cases.Alerts{Store: db, Audit: dying, Now: clock}
	cs := &cases.Cases{Store: db, Alerts: db, Audit: dying, Now: clock}

	// Alerts: the records (opened or extended, hits) are staged inside
	// the raise's transaction.
	raise := cases.Raise{CustomerID: "c1", Source: cases.SourceMonitoring, RuleID: "structuring.cash", RuleVersion: 1, Severity: "high", At: now.Add(-time.Hour)}
	if _, err := alerts.RaiseBatch(ctx, []cases.Raise{raise, raise}); err == nil {
		t.Fatal("RaiseBatch succeeded although its audit entries never reached the log")
	}
	open, err := db.Alerts(ctx, cases.Filter{CustomerID: "c1", Limit: 10})
	if err != nil || len(open) != 1 || open[0].Hits != 2 {
		t.Fatalf("the alerts are not committed: %+v %v", open, err)
	}
	if n := storetest.OutboxRows(t, db); n != 2 {
		t.Fatalf("the raises committed with %d audit outbox rows, want 2", n)
	}

	// Cases: opening one.
	if _, err := cs.Open(ctx, "c1", nil); err == nil {
		t.Fatal("Open succeeded although its audit entry never reached the log")
	}
	if got, err := cs.List(ctx, cases.CaseFilter{CustomerID: "c1"}); err != nil || len(got) != 1 {
		t.Fatalf("the case is not committed: %+v %v", got, err)
	}
	// The case's row beside the alerts' two.
	next, vkey, es := storetest.RelayLeftovers(t, db, 3)
	if len(es) != 3 || es[0].Action != "alert.open" || es[1].Action != "alert.extend" || es[2].Action != "case.open" ||
		es[0].Subject.ID != open[0].ID || es[1].Subject.ID != open[0].ID {
		t.Fatalf("entries %+v", es)
	}
	if string(es[1].Change) == "" || es[2].Actor.ID != "ana" {
		t.Fatalf("entries %+v", es)
	}
	storetest.VerifyLog(t, next, vkey)

	// A case change with a working log is in the log when it returns.
	cs.Audit = next
	c, err := cs.List(ctx, cases.CaseFilter{CustomerID: "c1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cs.Assign(ctx, c[0].ID, "bob"); err != nil {
		t.Fatal(err)
	}
	if es := storetest.AuditEntries(t, db); len(es) != 4 || es[3].Action != "case.assign" || storetest.OutboxRows(t, db) != 0 {
		t.Fatalf("entries %+v, outbox %d", es, storetest.OutboxRows(t, db))
	}
}
