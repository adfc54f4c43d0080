package storetest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/screening"
)

func testListSnapshots(t *testing.T, s Store) {
	ctx := context.Background()
	ls, ok := s.(screening.SnapshotStore)
	if !ok {
		t.Fatal("store does not keep list snapshots")
	}
	if vs, err := ls.ActiveListVersions(ctx); err != nil || len(vs) != 0 {
		t.Fatalf("fresh store: %v %v", vs, err)
	}
	if _, err := ls.ActiveListSnapshot(ctx, "un"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("missing snapshot: %v", err)
	}
	at := time.Date(2026, 2, 27, 10, 0, 0, 0, time.UTC)
	for i, v := range []screening.ListVersion{
		{Source: "un", Version: "2026-02-26", ContentSHA256: "aa", Entities: 1000, LoadedAt: at},
		{Source: "ofac-sdn", Version: "sha256:bb", ContentSHA256: "bb", Entities: 8976, LoadedAt: at},
		{Source: "un", Version: "2026-02-27", ContentSHA256: "cc", Entities: 1003, LoadedAt: at.Add(time.Hour)},
	} {
		if err := ls.SaveListSnapshot(ctx, v, "system:test", []byte{byte(i), 1, 2, 3}); err != nil {
			t.Fatal(err)
		}
	}
	vs, err := ls.ActiveListVersions(ctx)
	if err != nil || len(vs) != 2 || vs[0].Source != "ofac-sdn" || vs[1].Version != "2026-02-27" || vs[1].Entities != 1003 || !vs[1].LoadedAt.Equal(at.Add(time.Hour)) {
		t.Fatalf("active versions %+v %v", vs, err)
	}
	if b, err := ls.ActiveListSnapshot(ctx, "un"); err != nil || !bytes.Equal(b, []byte{2, 1, 2, 3}) {
		t.Fatalf("active un snapshot %v %v", b, err)
	}
}

func testClearances(t *testing.T, s Store) {
	ctx := context.Background()
	cs, ok := s.(screening.ClearanceStore)
	if !ok {
		t.Fatal("store does not keep clearances")
	}
	c := screening.Clearance{Subject: "cust-1", List: "ofac-sdn", EntryID: "306", EntryHash: "h1", Reason: "different date of birth",
		ClearedBy: "api_key:a", ClearedAt: time.Unix(1000, 0).UTC()}
	if err := cs.PutClearance(ctx, c); err != nil {
		t.Fatal(err)
	}
	c.EntryHash, c.Reason = "h2", "re-reviewed after the entry changed"
	if err := cs.PutClearance(ctx, c); err != nil {
		t.Fatal(err)
	}
	if err := cs.PutClearance(ctx, screening.Clearance{Subject: "cust-2", List: "un", EntryID: "x", EntryHash: "h", Reason: "r", ClearedBy: "b", ClearedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	got, err := cs.Clearances(ctx, "cust-1")
	if err != nil || len(got) != 1 || got[0].EntryHash != "h2" || got[0].Reason != c.Reason || !got[0].ClearedAt.Equal(c.ClearedAt) {
		t.Fatalf("clearances %+v %v", got, err)
	}
	if got, _ := cs.Clearances(ctx, "nobody"); len(got) != 0 {
		t.Fatalf("clearances of nobody: %+v", got)
	}
}
