package storetest

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

// rawDB is implemented by stores that let tests reach the database directly.
type rawDB interface{ WriteDBForTest() *sql.DB }

// BuildEntries returns a build function for AppendAuditEntries that makes n
// small entries with their tree hashes, computed the way audit.Log does.
func BuildEntries(n int, tag string) func(size int64, r tlog.HashReader) ([]audit.StoredEntry, error) {
	return func(size int64, r tlog.HashReader) ([]audit.StoredEntry, error) {
		fresh := map[int64]tlog.Hash{}
		reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			var miss []int64
			var at []int
			for i, x := range idx {
				if h, ok := fresh[x]; ok {
					out[i] = h
				} else {
					miss, at = append(miss, x), append(at, i)
				}
			}
			got, err := r.ReadHashes(miss)
			if err != nil {
				return nil, err
			}
			for j, h := range got {
				out[at[j]] = h
			}
			return out, nil
		})
		var out []audit.StoredEntry
		for i := range n {
			idx := size + int64(i)
			data := []byte(fmt.Sprintf(`{"index":%d,"tag":%q}`, idx, tag))
			hs, err := tlog.StoredHashes(idx, data, reader)
			if err != nil {
				return nil, err
			}
			for j, h := range hs {
				fresh[tlog.StoredHashIndex(0, idx)+int64(j)] = h
			}
			out = append(out, audit.StoredEntry{Index: idx, Data: data, Hashes: hs, Time: time.Unix(1700000000, int64(i)*1000).UTC(),
				ActorID: "system:test", Action: "test." + tag, SubjectType: "t", SubjectID: fmt.Sprint(idx)})
		}
		return out, nil
	}
}

func testAuditAppendAndRead(t *testing.T, s Store) {
	ctx := context.Background()
	if n, err := s.AuditSize(ctx); err != nil || n != 0 {
		t.Fatalf("empty size %d %v", n, err)
	}
	if first, err := s.AuditFirstIndex(ctx); err != nil || first != 0 {
		t.Fatalf("empty first index %d %v", first, err)
	}
	if err := s.AppendAuditEntries(ctx, BuildEntries(700, "a")); err != nil { // more than one insert chunk
		t.Fatal(err)
	}
	if err := s.AppendAuditEntries(ctx, BuildEntries(3, "b")); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.AuditSize(ctx); n != 703 {
		t.Fatalf("size %d", n)
	}
	es, err := s.AuditEntries(ctx, 698, 703)
	if err != nil || len(es) != 5 || es[0].Index != 698 || es[4].Index != 702 || es[4].Action != "test.b" ||
		!bytes.Equal(es[2].Data, []byte(`{"index":700,"tag":"b"}`)) || es[2].Hashes[0] != tlog.RecordHash(es[2].Data) ||
		!es[0].Time.Equal(time.Unix(1700000000, 698000).UTC()) {
		t.Fatalf("entries %+v %v", es, err)
	}
	// The stored hashes give the same root as the definition.
	all, _ := s.AuditEntries(ctx, 0, 703)
	leaves := make([]tlog.Hash, len(all))
	for i, e := range all {
		leaves[i] = tlog.RecordHash(e.Data)
	}
	r := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return s.AuditHashes(ctx, idx) })
	root, err := tlog.TreeHash(703, r)
	if err != nil || root != RootOf(leaves) {
		t.Fatalf("root %v %v", root, err)
	}
	// A failing build stores nothing.
	boom := fmt.Errorf("boom")
	if err := s.AppendAuditEntries(ctx, func(int64, tlog.HashReader) ([]audit.StoredEntry, error) { return nil, boom }); err == nil {
		t.Fatal("failing build reported success")
	}
	// A build that numbers entries wrongly is refused.
	if err := s.AppendAuditEntries(ctx, func(size int64, r tlog.HashReader) ([]audit.StoredEntry, error) {
		es, err := BuildEntries(1, "c")(size, r)
		es[0].Index++
		return es, err
	}); err == nil {
		t.Fatal("misnumbered entry accepted")
	}
	if n, _ := s.AuditSize(ctx); n != 703 {
		t.Fatalf("size after failed appends %d", n)
	}
}

// RootOf computes an RFC 6962 root straight from the definition (split at
// the largest power of two below n), as a check independent of tlog's stored
// hashes.
func RootOf(leaves []tlog.Hash) tlog.Hash {
	if len(leaves) == 1 {
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return tlog.NodeHash(RootOf(leaves[:k]), RootOf(leaves[k:]))
}

func testAuditConcurrentAppends(t *testing.T, s Store) {
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if err := s.AppendAuditEntries(ctx, BuildEntries(5, fmt.Sprint(w))); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	es, err := s.AuditEntries(ctx, 0, 1000)
	if err != nil || len(es) != 400 {
		t.Fatalf("%d entries %v", len(es), err)
	}
	for i, e := range es {
		if e.Index != int64(i) {
			t.Fatalf("entry %d has index %d", i, e.Index)
		}
	}
}

func testAuditCheckpointsAndKeys(t *testing.T, s Store) {
	ctx := context.Background()
	if _, err := s.LatestAuditCheckpoint(ctx); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("latest of none: %v", err)
	}
	for _, n := range []int64{10, 30, 20} {
		if err := s.AddAuditCheckpoint(ctx, audit.Checkpoint{Size: n, Time: time.Unix(n, 0).UTC(), Note: []byte(fmt.Sprintf("cp %d\n", n))}); err != nil {
			t.Fatal(err)
		}
	}
	// A second checkpoint for a size is ignored: the first one stays.
	if err := s.AddAuditCheckpoint(ctx, audit.Checkpoint{Size: 20, Time: time.Unix(99, 0), Note: []byte("other\n")}); err != nil {
		t.Fatal(err)
	}
	latest, err := s.LatestAuditCheckpoint(ctx)
	if err != nil || latest.Size != 30 || string(latest.Note) != "cp 30\n" || !latest.Time.Equal(time.Unix(30, 0)) {
		t.Fatalf("latest %+v %v", latest, err)
	}
	cps, err := s.AuditCheckpoints(ctx, 15, 30)
	if err != nil || len(cps) != 2 || cps[0].Size != 20 || string(cps[0].Note) != "cp 20\n" {
		t.Fatalf("range %+v %v", cps, err)
	}
	for _, k := range []string{"k1", "k2", "k1"} {
		if err := s.AddAuditKey(ctx, k, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if keys, err := s.AuditKeys(ctx); err != nil || len(keys) != 2 {
		t.Fatalf("keys %v %v", keys, err)
	}
}

func testAuditIsAppendOnly(t *testing.T, s Store) {
	ctx := context.Background()
	if err := s.AppendAuditEntries(ctx, BuildEntries(3, "x")); err != nil {
		t.Fatal(err)
	}
	if err := s.AddAuditCheckpoint(ctx, audit.Checkpoint{Size: 3, Time: time.Now(), Note: []byte("n\n")}); err != nil {
		t.Fatal(err)
	}
	raw, ok := s.(rawDB)
	if !ok {
		t.Fatal("store does not expose its database for tests")
	}
	db := raw.WriteDBForTest()
	for _, stmt := range []string{
		`UPDATE audit_entries SET data = $1 WHERE idx = 1`,
		`DELETE FROM audit_entries WHERE idx = 1`,
		`UPDATE audit_hashes SET hashes = $1 WHERE idx = 1`,
		`DELETE FROM audit_hashes WHERE idx = 2`,
		`UPDATE audit_checkpoints SET note = $1 WHERE size = 3`,
		`DELETE FROM audit_checkpoints`,
	} {
		var args []any
		if bytes.Contains([]byte(stmt), []byte("$1")) {
			args = []any{[]byte("x")}
		}
		if _, err := db.ExecContext(ctx, stmt, args...); err == nil {
			t.Errorf("%s: allowed", stmt)
		}
	}
	es, _ := s.AuditEntries(ctx, 0, 3)
	if len(es) != 3 || string(es[1].Data) != `{"index":1,"tag":"x"}` {
		t.Fatalf("entries changed: %+v", es)
	}
}

func testAuditCursors(t *testing.T, s Store) {
	ctx := context.Background()
	cs, ok := s.(audit.CursorStore)
	if !ok {
		t.Fatal("store does not keep audit cursors")
	}
	if n, err := cs.AuditCursor(ctx, "siem"); err != nil || n != 0 {
		t.Fatalf("new cursor %d %v", n, err)
	}
	for _, n := range []int64{5, 12, 7} { // never moves back
		if err := cs.SetAuditCursor(ctx, "siem", n); err != nil {
			t.Fatal(err)
		}
	}
	if n, _ := cs.AuditCursor(ctx, "siem"); n != 12 {
		t.Fatalf("cursor %d, want 12", n)
	}
	if n, _ := cs.AuditCursor(ctx, "other"); n != 0 {
		t.Fatalf("cursors are not independent: %d", n)
	}
}

func testAuditRetention(t *testing.T, s Store) {
	ctx := context.Background()
	rs, ok := s.(audit.RetentionStore)
	if !ok {
		t.Fatal("store does not support retention")
	}
	if err := s.AppendAuditEntries(ctx, BuildEntries(10, "r")); err != nil {
		t.Fatal(err)
	}
	// buildEntries stamps entry i at 1700000000s + i µs.
	if n, err := rs.AuditIndexAtTime(ctx, time.Unix(1700000000, 4000).UTC()); err != nil || n != 4 {
		t.Fatalf("index at time: %d %v", n, err)
	}
	if n, err := rs.AuditIndexAtTime(ctx, time.Unix(1800000000, 0)); err != nil || n != 10 {
		t.Fatalf("index after the last entry: %d %v", n, err)
	}
	if h, err := rs.ActiveLegalHold(ctx); err != nil || h != nil {
		t.Fatalf("hold before any: %+v %v", h, err)
	}
	hold := audit.Hold{ID: "h1", Reason: "subpoena", SetBy: "api_key:x", SetAt: time.Unix(100, 0).UTC()}
	if err := rs.SetLegalHold(ctx, hold); err != nil {
		t.Fatal(err)
	}
	if err := rs.SetLegalHold(ctx, audit.Hold{ID: "h2", Reason: "x", SetBy: "y", SetAt: time.Now()}); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("second hold: %v", err)
	}
	arch := audit.Archive{ID: "a1", BeforeIndex: 4, CheckpointSize: 4, File: "a.jsonl", SHA256: "00", CreatedAt: time.Now()}
	if _, err := rs.PruneAuditEntries(ctx, arch); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("prune under hold: %v", err)
	}
	if es, _ := s.AuditEntries(ctx, 0, 10); len(es) != 10 {
		t.Fatalf("entries pruned under a hold: %d left", len(es))
	}
	released, err := rs.ReleaseLegalHold(ctx, "api_key:z", "settled", time.Unix(200, 0))
	if err != nil || released.ID != "h1" || released.ReleasedBy != "api_key:z" || !released.ReleasedAt.Equal(time.Unix(200, 0)) {
		t.Fatalf("release %+v %v", released, err)
	}
	if _, err := rs.ReleaseLegalHold(ctx, "a", "b", time.Now()); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("release again: %v", err)
	}
	n, err := rs.PruneAuditEntries(ctx, arch)
	if err != nil || n != 4 {
		t.Fatalf("prune: %d %v", n, err)
	}
	if first, _ := s.AuditFirstIndex(ctx); first != 4 {
		t.Fatalf("first index after prune %d", first)
	}
	if size, _ := s.AuditSize(ctx); size != 10 {
		t.Fatalf("size after prune %d: hashes must stay", size)
	}
	if hs, err := s.AuditHashes(ctx, []int64{tlog.StoredHashIndex(0, 0), tlog.StoredHashIndex(2, 0)}); err != nil || len(hs) != 2 {
		t.Fatalf("hashes of pruned entries: %v", err)
	}
	// The guard is back once the pruning transaction is over.
	if _, err := s.(rawDB).WriteDBForTest().ExecContext(ctx, `DELETE FROM audit_entries WHERE idx = 5`); err == nil {
		t.Fatal("audit entries deletable after pruning")
	}
}
