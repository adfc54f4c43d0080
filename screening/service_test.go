package screening_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
)

func newService(t *testing.T) (*screening.Service, *sqlstore.DB, *audit.Log) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	skey, vkey, _ := note.GenerateKey(nil, "t")
	signer, _ := note.NewSigner(skey)
	v, _ := note.NewVerifier(vkey)
	log, err := audit.New(db, audit.Config{Signer: signer, Verifiers: []note.Verifier{v}})
	if err != nil {
		t.Fatal(err)
	}
	return &screening.Service{Screener: screening.NewScreener(), Lists: db, Clearances: db, Audit: log}, db, log
}

func actions(t *testing.T, log *audit.Log) []string {
	t.Helper()
	n, _ := log.Size(context.Background())
	es, err := log.Entries(context.Background(), 0, n)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Action+":"+e.SubjectID)
	}
	return out
}

func TestServicePersistsAndRestoresLists(t *testing.T) {
	ctx := context.Background()
	svc, db, log := newService(t)
	if err := svc.Restore(ctx, func() ([]*screening.Snapshot, error) { return realSnapshots(t), nil }); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(actions(t, log), " "); got != "list.load:ofac-sdn list.load:ofac-cons list.load:un" {
		t.Fatalf("audit: %s", got)
	}
	// A second process restores from the store, not from the defaults.
	other := &screening.Service{Screener: screening.NewScreener(), Lists: db, Clearances: db, Audit: log}
	if err := other.Restore(ctx, func() ([]*screening.Snapshot, error) {
		t.Fatal("defaults loaded although the store has lists")
		return nil, nil
	}); err != nil {
		t.Fatal(err)
	}
	if a, b := svc.Screener.Lists(), other.Screener.Lists(); len(a) != 3 || len(b) != 3 || a[0].ContentSHA256 != b[0].ContentSHA256 {
		t.Fatalf("restored versions differ: %+v %+v", a, b)
	}
	res, err := other.Screen(ctx, screening.ScreenRequest{Name: "Banco Nacional de Cuba"})
	if err != nil || len(res.Hits) == 0 || res.Hits[0].EntryID != "306" {
		t.Fatalf("screen after restore: %+v %v", res, err)
	}

	// A new version of one list: the diff is reported, the others stay, and a
	// replica notices on refresh.
	sdn := svc.Screener.Snapshot("ofac-sdn")
	next := *sdn
	next.Entities = append([]screening.Entity(nil), sdn.Entities[1:]...)
	next.ContentSHA256, next.Version = "feedface", "test-2"
	diff, err := svc.Load(ctx, &next)
	if err != nil || len(diff.Removed) != 1 || diff.Removed[0] != sdn.Entities[0].ID || len(diff.Added) != 0 {
		t.Fatalf("diff %+v %v", diff, err)
	}
	if len(svc.Screener.Lists()) != 3 {
		t.Fatalf("other lists dropped: %+v", svc.Screener.Lists())
	}
	changed, err := other.Refresh(ctx)
	if err != nil || !changed || other.Screener.Snapshot("ofac-sdn").Version != "test-2" {
		t.Fatalf("refresh: %v %v", changed, err)
	}
	if changed, _ := other.Refresh(ctx); changed {
		t.Fatal("refresh without a change reloaded")
	}
}

func TestClearancesSuppressUntilTheEntryChanges(t *testing.T) {
	ctx := warden.NewContextWithActor(context.Background(), warden.Actor{Kind: warden.ActorAPIKey, ID: "analyst1", Role: warden.RoleAnalyst})
	svc, _, log := newService(t)
	if err := svc.Restore(ctx, func() ([]*screening.Snapshot, error) { return realSnapshots(t), nil }); err != nil {
		t.Fatal(err)
	}
	req := screening.ScreenRequest{Subject: "cust-42", Name: "Banco Nacional de Cuba"}
	res, _ := svc.Screen(ctx, req)
	if len(res.Hits) == 0 || res.Hits[0].EntryID != "306" {
		t.Fatalf("%+v", res)
	}
	for _, bad := range []screening.ClearRequest{
		{List: "ofac-sdn", EntryID: "306", Reason: "not the bank, a bakery"},
		{Subject: "cust-42", List: "nope", EntryID: "306", Reason: "not the bank, a bakery"},
		{Subject: "cust-42", List: "ofac-sdn", EntryID: "306", Reason: "short"},
	} {
		if _, err := svc.Clear(ctx, bad); warden.ErrorCode(err) != warden.EINVALID {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	if _, err := svc.Clear(ctx, screening.ClearRequest{Subject: "cust-42", List: "ofac-sdn", EntryID: "999999", Reason: "not the bank, a bakery"}); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Errorf("unknown entry: %v", err)
	}
	c, err := svc.Clear(ctx, screening.ClearRequest{Subject: "cust-42", List: "ofac-sdn", EntryID: "306", Reason: "our customer is a bakery in Nairobi"})
	if err != nil || c.ClearedBy != "api_key:analyst1" {
		t.Fatalf("%+v %v", c, err)
	}
	res, _ = svc.Screen(ctx, req)
	for _, h := range res.Hits {
		if h.EntryID == "306" && h.List == "ofac-sdn" {
			t.Fatal("a cleared hit was reported")
		}
	}
	if len(res.Cleared) != 1 || res.Cleared[0].Hit.EntryID != "306" || res.Cleared[0].Clearance.Reason != c.Reason {
		t.Fatalf("cleared %+v", res.Cleared)
	}
	// Another subject is not affected.
	if res, _ := svc.Screen(ctx, screening.ScreenRequest{Subject: "cust-43", Name: "Banco Nacional de Cuba"}); len(res.Cleared) != 0 || res.Hits[0].EntryID != "306" {
		t.Fatalf("clearance leaked to another subject: %+v", res)
	}
	// The entry changes in a new list version: the hit comes back.
	sdn := svc.Screener.Snapshot("ofac-sdn")
	next := *sdn
	next.Entities = append([]screening.Entity(nil), sdn.Entities...)
	for i := range next.Entities {
		if next.Entities[i].ID == "306" {
			next.Entities[i].Programs = append(append([]string(nil), next.Entities[i].Programs...), "NEW-PROGRAM")
		}
	}
	next.ContentSHA256 = "changed"
	if _, err := svc.Load(ctx, &next); err != nil {
		t.Fatal(err)
	}
	res, _ = svc.Screen(ctx, req)
	if len(res.Cleared) != 0 || len(res.Hits) == 0 || res.Hits[0].EntryID != "306" {
		t.Fatalf("after the entry changed: %+v", res)
	}
	got := strings.Join(actions(t, log), " ")
	if !strings.Contains(got, "screening.clear:cust-42") || !strings.Contains(got, "screening.suppress:cust-42") {
		t.Fatalf("audit: %s", got)
	}
}
