package audit_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
	"github.com/wardenhq/warden/store/storetest"
)

type fixture struct {
	every int64
	db    *sqlstore.DB
	log   *audit.Log
	vkey  string
	skey  string
	clock time.Time
}

func newFixture(t testing.TB, every int64) *fixture {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return newFixtureOn(t, db, every)
}

func newFixtureOn(t testing.TB, db *sqlstore.DB, every int64) *fixture {
	t.Helper()
	skey, vkey, err := note.GenerateKey(nil, "warden-test")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{every: every, db: db, vkey: vkey, skey: skey, clock: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}
	f.log = f.open(t, skey, vkey)
	return f
}

func (f *fixture) open(t testing.TB, skey string, vkeys ...string) *audit.Log {
	t.Helper()
	signer, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	var vs []note.Verifier
	for _, k := range vkeys {
		v, err := note.NewVerifier(k)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, v)
	}
	l, err := audit.New(f.db, audit.Config{Origin: "test/audit", Signer: signer, Verifiers: vs, CheckpointEvery: f.every,
		Now: func() time.Time { return f.clock }})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.PublishKey(context.Background(), vkeys[0]); err != nil {
		t.Fatal(err)
	}
	return l
}

func (f *fixture) append(t testing.TB, n int) {
	t.Helper()
	ctx := warden.NewContextWithActor(context.Background(), warden.Actor{Kind: warden.ActorAPIKey, ID: "0123456789ab", Role: warden.RoleAdmin})
	for i := range n {
		if _, err := f.log.Append(ctx, audit.Record{Action: "test.change", Subject: audit.Subject{Type: "thing", ID: fmt.Sprint(i)},
			Change: map[string]any{"i": i, "name": "Ωmega", "amount_minor": 1050}}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAppendAssignsSequentialIndexesAndCanonicalEntries(t *testing.T) {
	f := newFixture(t, 10)
	ctx := warden.NewContextWithRequestID(warden.NewContextWithActor(context.Background(),
		warden.Actor{Kind: warden.ActorOIDC, ID: "alice"}), "req-1")
	e, err := f.log.Append(ctx, audit.Record{Action: "customer.update", Subject: audit.Subject{Type: "customer", ID: "c-1"},
		Change: map[string]any{"z": 1, "a": "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if e.Index != 0 || e.Actor.Kind != "oidc" || e.Actor.ID != "alice" || e.RequestID != "req-1" || !e.Time.Equal(f.clock) {
		t.Fatalf("entry %+v", e)
	}
	stored, err := f.log.Entries(context.Background(), 0, 1)
	if err != nil || len(stored) != 1 {
		t.Fatal(err)
	}
	want := `{"action":"customer.update","actor":{"id":"alice","kind":"oidc"},"change":{"a":"x","z":1},"index":0,"request_id":"req-1","subject":{"id":"c-1","type":"customer"},"time":"2026-07-01T09:00:00Z"}`
	if string(stored[0].Data) != want {
		t.Fatalf("canonical form:\n got %s\nwant %s", stored[0].Data, want)
	}
	if stored[0].Hashes[0] != tlog.RecordHash(stored[0].Data) {
		t.Fatal("stored leaf hash is not the RFC 6962 hash of the canonical bytes")
	}
}

func TestRecordValidation(t *testing.T) {
	f := newFixture(t, 10)
	for _, r := range []audit.Record{
		{Action: "", Subject: audit.Subject{Type: "x", ID: "1"}},
		{Action: "Bad Action", Subject: audit.Subject{Type: "x", ID: "1"}},
		{Action: "a..b", Subject: audit.Subject{Type: "x", ID: "1"}},
		{Action: "ok.action", Subject: audit.Subject{}},
	} {
		if _, err := f.log.Append(context.Background(), r); warden.ErrorCode(err) != warden.EINVALID {
			t.Errorf("%+v: %v", r, err)
		}
	}
	if n, _ := f.log.Size(context.Background()); n != 0 {
		t.Fatalf("invalid records were appended: size %d", n)
	}
}

func TestLargeChangeIsRecordedByHash(t *testing.T) {
	f := newFixture(t, 10)
	big := bytes.Repeat([]byte("x"), audit.MaxInlineChange+1)
	e, err := f.log.Append(context.Background(), audit.Record{Action: "doc.upload", Subject: audit.Subject{Type: "doc", ID: "d"}, Change: string(big)})
	if err != nil {
		t.Fatal(err)
	}
	if e.Change != nil || len(e.ChangeSHA256) != 64 {
		t.Fatalf("large change kept inline: %d bytes, sha %q", len(e.Change), e.ChangeSHA256)
	}
}

func TestConcurrentAppendsGroupCommit(t *testing.T) {
	f := newFixture(t, 100)
	const writers, each = 16, 50
	var wg sync.WaitGroup
	seen := make([][]int64, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				e, err := f.log.Append(context.Background(), audit.Record{Action: "test.concurrent", Subject: audit.Subject{Type: "w", ID: fmt.Sprint(w, "-", i)}})
				if err != nil {
					t.Error(err)
					return
				}
				seen[w] = append(seen[w], e.Index)
			}
		}()
	}
	wg.Wait()
	all := map[int64]bool{}
	for _, s := range seen {
		for _, i := range s {
			if all[i] {
				t.Fatalf("index %d given twice", i)
			}
			all[i] = true
		}
	}
	size, _ := f.log.Size(context.Background())
	if size != writers*each || len(all) != writers*each {
		t.Fatalf("size %d, distinct %d, want %d", size, len(all), writers*each)
	}
	for i := range int64(size) {
		if !all[i] {
			t.Fatalf("index %d never acknowledged", i)
		}
	}
	// The stored tree equals one recomputed from the leaves.
	verifyStoredTree(t, f, size)
}

func verifyStoredTree(t *testing.T, f *fixture, size int64) {
	t.Helper()
	entries, err := f.log.Entries(context.Background(), 0, size)
	if err != nil {
		t.Fatal(err)
	}
	var leaves []tlog.Hash
	for _, e := range entries {
		leaves = append(leaves, tlog.RecordHash(e.Data))
	}
	want := storetest.RootOf(leaves)
	got, err := tlog.TreeHash(size, f.log.HashReader(context.Background()))
	if err != nil || got != want {
		t.Fatalf("stored tree root %v, recomputed %v (%v)", got, want, err)
	}
}

func TestProofsVerify(t *testing.T) {
	f := newFixture(t, 10)
	f.append(t, 37)
	ctx := context.Background()
	for _, c := range [][2]int64{{0, 1}, {0, 37}, {36, 37}, {13, 20}, {19, 32}} {
		p, err := f.log.Inclusion(ctx, c[0], c[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckRecord(p.Proof, p.Size, p.RootHash, p.Index, p.LeafHash); err != nil {
			t.Fatalf("inclusion %v: %v", c, err)
		}
		// A proof for another leaf must fail.
		if err := tlog.CheckRecord(p.Proof, p.Size, p.RootHash, p.Index, tlog.RecordHash([]byte("forged"))); err == nil {
			t.Fatal("inclusion proof accepted a forged leaf")
		}
	}
	for _, c := range [][2]int64{{1, 37}, {10, 20}, {16, 32}, {37, 37}} {
		p, err := f.log.Consistency(ctx, c[0], c[1])
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(p.Proof, p.To, p.ToRoot, p.From, p.FromRoot); err != nil {
			t.Fatalf("consistency %v: %v", c, err)
		}
	}
	for _, bad := range [][2]int64{{-1, 5}, {5, 5}, {0, 38}, {0, -1}} {
		if _, err := f.log.Inclusion(ctx, bad[0], bad[1]); warden.ErrorCode(err) != warden.EINVALID {
			t.Errorf("inclusion %v: %v", bad, err)
		}
	}
	for _, bad := range [][2]int64{{0, 5}, {6, 5}, {1, 38}} {
		if _, err := f.log.Consistency(ctx, bad[0], bad[1]); warden.ErrorCode(err) != warden.EINVALID {
			t.Errorf("consistency %v: %v", bad, err)
		}
	}
}

func TestCheckpointsAreSignedAndRotatedKeysStillVerify(t *testing.T) {
	f := newFixture(t, 10)
	ctx := context.Background()
	if _, err := f.log.Checkpoint(ctx); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("checkpoint of an empty log: %v", err)
	}
	f.append(t, 25) // CheckpointEvery 10: checkpoints at 10 and 20
	cps, err := f.db.AuditCheckpoints(ctx, 0, 100)
	if err != nil || len(cps) != 2 || cps[0].Size != 10 || cps[1].Size != 20 {
		t.Fatalf("automatic checkpoints: %+v %v", cps, err)
	}
	cp, err := f.log.Checkpoint(ctx)
	if err != nil || cp.Size != 25 {
		t.Fatalf("checkpoint: %+v %v", cp, err)
	}
	v, _ := note.NewVerifier(f.vkey)
	origin, size, root, err := audit.OpenCheckpoint(cp.Note, note.VerifierList(v))
	if err != nil || origin != "test/audit" || size != 25 {
		t.Fatalf("open: %s %d %v", origin, size, err)
	}
	if want, _ := tlog.TreeHash(25, f.log.HashReader(ctx)); root != want {
		t.Fatal("checkpoint root is not the tree root")
	}
	// Rotate the signing key: new checkpoints use the new key, old ones
	// still verify with the old public key.
	skey2, vkey2, _ := note.GenerateKey(nil, "warden-test-2")
	f.log = f.open(t, skey2, vkey2, f.vkey)
	f.append(t, 3)
	cp2, err := f.log.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := note.NewVerifier(vkey2)
	if _, _, _, err := audit.OpenCheckpoint(cp2.Note, note.VerifierList(v2)); err != nil {
		t.Fatalf("new checkpoint with new key: %v", err)
	}
	if _, _, _, err := audit.OpenCheckpoint(cp2.Note, note.VerifierList(v)); err == nil {
		t.Fatal("new checkpoint verified with the old key")
	}
	var buf bytes.Buffer
	if err := f.log.Export(ctx, &buf, nil); err != nil {
		t.Fatal(err)
	}
	all, _ := f.db.AuditCheckpoints(ctx, 0, 100)
	rep, err := audit.Verify(&buf, audit.VerifyOptions{TrustedKeys: []string{f.vkey, vkey2}})
	if err != nil || rep.Checkpoints != len(all) || len(all) < 4 || rep.VerifiedSize != 28 {
		t.Fatalf("bundle with checkpoints from both keys: %+v %v", rep, err)
	}
	keys, _ := f.log.PublicKeys(ctx)
	if len(keys) != 2 {
		t.Fatalf("public keys %v", keys)
	}
}

func TestSigningKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "k", "audit.key")
	s1, v1, err := audit.LoadOrCreateSigningKey(path, "warden-x")
	if err != nil {
		t.Fatal(err)
	}
	s2, v2, err := audit.LoadOrCreateSigningKey(path, "ignored")
	if err != nil || v1 != v2 || s1.KeyHash() != s2.KeyHash() {
		t.Fatalf("reload gave another key: %v %s %s", err, v1, v2)
	}
	msg, err := note.Sign(&note.Note{Text: "hello\n"}, s1)
	if err != nil {
		t.Fatal(err)
	}
	v, err := note.NewVerifier(v1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := note.Open(msg, note.VerifierList(v)); err != nil {
		t.Fatalf("derived public key does not verify: %v", err)
	}
	if err := chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := audit.LoadOrCreateSigningKey(path, "x"); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
}

// AppendAll sequences a batch in its order, and appends none of it when one
// record is invalid.
func TestAppendAllKeepsOrderAndIsAllOrNothing(t *testing.T) {
	f := newFixture(t, 100)
	ctx := context.Background()
	bad := []audit.Record{
		{Action: "alert.open", Subject: audit.Subject{Type: "alert", ID: "a0"}},
		{Action: "Bad Action", Subject: audit.Subject{Type: "alert", ID: "a1"}},
	}
	if _, err := f.log.AppendAll(ctx, bad); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("invalid batch: %v", err)
	}
	if n, _ := f.log.Size(ctx); n != 0 {
		t.Fatalf("a batch with an invalid record appended %d entries", n)
	}
	var recs []audit.Record
	for i := range 5 {
		recs = append(recs, audit.Record{Action: "alert.open", Subject: audit.Subject{Type: "alert", ID: fmt.Sprint("a", i)}, Change: map[string]any{"i": i}})
	}
	es, err := f.log.AppendAll(ctx, recs)
	if err != nil {
		t.Fatal(err)
	}
	stored, err := f.log.Entries(ctx, 0, 5)
	if err != nil || len(stored) != 5 {
		t.Fatalf("%d entries stored: %v", len(stored), err)
	}
	for i, e := range es {
		if e.Index != int64(i) || e.Subject.ID != fmt.Sprint("a", i) || !strings.Contains(string(stored[i].Data), fmt.Sprintf(`"id":"a%d"`, i)) {
			t.Fatalf("entry %d: index %d subject %s stored %s", i, e.Index, e.Subject.ID, stored[i].Data)
		}
	}
	verifyStoredTree(t, f, 5)
}
