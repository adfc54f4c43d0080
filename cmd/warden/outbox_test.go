package main

import (
	"context"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/auth"
	"github.com/wardenhq/warden/store"
	"github.com/wardenhq/warden/store/storetest"
)

// A process dies between a change's commit and its relay (a key created
// through a log whose relay fails): the next `warden serve` relays the
// record at start, before its own start entry, and the log verifies.
func TestServeRelaysAuditOutboxLeftoversAtStart(t *testing.T) {
	dir := t.TempDir()
	mustRun(t, nil, "migrate", "--data-dir", dir)
	ctx := warden.NewContextWithActor(context.Background(), warden.Actor{Kind: warden.ActorSystem, ID: "ops"})
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	dying, _ := storetest.NewAuditLog(t, storetest.DeadRelay{Store: db}, 0)
	keys := &auth.Service{Store: db, Audit: dying}
	if _, _, err := keys.Create(ctx, auth.CreateKey{Name: "orphan", Role: warden.RoleService}); err == nil {
		t.Fatal("the key was created although its audit entry never reached the log")
	}
	ks, err := db.APIKeys(ctx)
	if err != nil || len(ks) != 1 || storetest.OutboxRows(t, db) != 1 {
		t.Fatalf("after the crash: keys %v (%v), outbox %d; want the key and its row", ks, err, storetest.OutboxRows(t, db))
	}
	orphan := ks[0].ID
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	srv := startServer(t, nil, "--listen", "127.0.0.1:0", "--data-dir", dir)
	rec, ok := findLog(parseLog(t, srv.stderr.String(), true), "audit outbox: relayed entries waiting at start")
	if !ok || rec["entries"] != float64(1) {
		t.Errorf("no log line for the relay at start (%v):\n%s", rec, srv.stderr)
	}
	if code := srv.stop(t); code != 0 {
		t.Fatalf("serve returned %d", code)
	}

	db, err = store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	es := storetest.AuditEntries(t, db)
	if len(es) < 2 || es[0].Action != "apikey.create" || es[0].Subject.ID != orphan || es[0].Actor.ID != "ops" || es[1].Action != "system.start" {
		t.Fatalf("entries %+v: want the orphan key's creation, then the start", es)
	}
	if n := storetest.OutboxRows(t, db); n != 0 {
		t.Fatalf("outbox rows left: %d", n)
	}
	if r := runCLI(t, nil, "audit", "verify", "--data-dir", dir); r.code != 0 {
		t.Fatalf("audit verify: %s", r)
	}
}
