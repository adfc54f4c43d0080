package audit_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

func TestArchiveThenPruneKeepsTheLogVerifiable(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, 8)
	old := f.clock
	f.append(t, 30)
	f.clock = old.Add(3 * 365 * 24 * time.Hour)
	f.append(t, 20)
	if _, err := f.log.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	// An examiner saved a checkpoint before the pruning.
	trusted, err := f.log.LatestCheckpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	retention := 365 * 24 * time.Hour
	cut := old.Add(24 * time.Hour)

	// A legal hold blocks archiving.
	if _, err := f.log.SetHold(ctx, "litigation 2029-17"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.SetHold(ctx, "another"); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("second hold: %v", err)
	}
	path := filepath.Join(t.TempDir(), "archive.jsonl")
	if _, err := f.log.ArchiveBefore(ctx, cut, retention, path, nil); warden.ErrorCode(err) != warden.ECONFLICT || !strings.Contains(err.Error(), "litigation 2029-17") {
		t.Fatalf("archive under hold: %v", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("an archive was written under a legal hold")
	}
	if _, err := f.log.ReleaseHold(ctx, "case settled"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.log.ReleaseHold(ctx, "again"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("release without hold: %v", err)
	}
	// Entries younger than the retention period are never archived.
	if _, err := f.log.ArchiveBefore(ctx, f.clock.Add(-24*time.Hour), retention, path, nil); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("archive inside retention: %v", err)
	}

	a, err := f.log.ArchiveBefore(ctx, cut, retention, path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a.BeforeIndex != 30 || a.Entries != 30 || a.FirstIndex != 0 || len(a.SHA256) != 64 {
		t.Fatalf("archive %+v", a)
	}
	// The archive verifies on its own, up to its own final checkpoint.
	b, _ := os.ReadFile(path)
	rep, err := audit.Verify(bytes.NewReader(b), audit.VerifyOptions{TrustedKeys: []string{f.vkey}})
	if err != nil || rep.Entries != 30 || rep.VerifiedSize != 30 {
		t.Fatalf("archive verify: %+v %v", rep, err)
	}
	// The store no longer holds those entries, but their hashes remain.
	if es, _ := f.log.Entries(ctx, 0, 30); len(es) != 0 {
		t.Fatalf("%d pruned entries still stored", len(es))
	}
	size, _ := f.log.Size(ctx)
	// hold.set, hold.release and audit.archive were appended too.
	if size != 53 {
		t.Fatalf("size %d", size)
	}
	// The pruned log verifies from the archive's last checkpoint onward,
	// and still extends the checkpoint the examiner saved.
	var buf bytes.Buffer
	if err := f.log.Export(ctx, &buf, nil); err != nil {
		t.Fatal(err)
	}
	rep, err = audit.Verify(&buf, audit.VerifyOptions{TrustedKeys: []string{f.vkey}, TrustedCheckpoint: trusted.Note})
	if err != nil || rep.FirstIndex != 30 || rep.Entries != 23 {
		t.Fatalf("pruned log: %+v %v", rep, err)
	}
	if idx, err := audit.CheckStoredHashes(ctx, f.db); err != nil {
		t.Fatalf("stored hashes after pruning: %d %v", idx, err)
	}
	// Proofs still work for kept entries and, from hashes, for pruned ones.
	for _, i := range []int64{3, 41} {
		p, err := f.log.Inclusion(ctx, i, size)
		if err != nil || tlog.CheckRecord(p.Proof, size, p.RootHash, i, p.LeafHash) != nil {
			t.Fatalf("inclusion of %d after pruning: %v", i, err)
		}
	}
	// Nothing left that old: a second archive finds nothing.
	if _, err := f.log.ArchiveBefore(ctx, cut, retention, filepath.Join(t.TempDir(), "a2.jsonl"), nil); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("second archive: %v", err)
	}
	// The hold, its release and the archive are themselves in the log.
	es, _ := f.log.Entries(ctx, 50, 53)
	var actions []string
	for _, e := range es {
		actions = append(actions, e.Action)
	}
	if strings.Join(actions, ",") != "audit.hold.set,audit.hold.release,audit.archive" {
		t.Fatalf("actions %v", actions)
	}
}

func TestHoldNeedsAReason(t *testing.T) {
	f := newFixture(t, 8)
	if _, err := f.log.SetHold(context.Background(), ""); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("%v", err)
	}
}
