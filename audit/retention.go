package audit

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
)

// DefaultRetention is seven years (2,557 days), the audit-log policy this
// deployment keeps for GLBA and SOX; BSA records need five.
const DefaultRetention = 2557 * 24 * time.Hour

// Hold is a legal hold: while one is set nothing is pruned.
type Hold struct {
	ID            string    `json:"id"`
	Reason        string    `json:"reason"`
	SetBy         string    `json:"set_by"`
	SetAt         time.Time `json:"set_at"`
	ReleasedAt    time.Time `json:"released_at,omitzero"`
	ReleasedBy    string    `json:"released_by,omitempty"`
	ReleaseReason string    `json:"release_reason,omitempty"`
}

// Archive describes one archive written before pruning.
type Archive struct {
	ID             string    `json:"id"`
	BeforeIndex    int64     `json:"before_index"`
	CheckpointSize int64     `json:"checkpoint_size"`
	File           string    `json:"file"`
	SHA256         string    `json:"sha256"`
	CreatedAt      time.Time `json:"created_at"`
	Entries        int64     `json:"entries"`
	FirstIndex     int64     `json:"first_index"`
}

// RetentionStore keeps legal holds and archive records and prunes entries.
type RetentionStore interface {
	// SetLegalHold stores h; ECONFLICT if a hold is already active.
	SetLegalHold(ctx context.Context, h Hold) error
	// ReleaseLegalHold releases the active hold; ENOTFOUND if none.
	ReleaseLegalHold(ctx context.Context, by, reason string, at time.Time) (Hold, error)
	// ActiveLegalHold returns the active hold, or nil.
	ActiveLegalHold(ctx context.Context) (*Hold, error)
	// AuditIndexAtTime returns the lowest index whose entry time is at or
	// after t (the size when none is).
	AuditIndexAtTime(ctx context.Context, t time.Time) (int64, error)
	// PruneAuditEntries records the archive and deletes entries with index
	// below a.BeforeIndex, keeping their tree hashes, in one transaction that
	// fails with ECONFLICT if a legal hold is active.
	PruneAuditEntries(ctx context.Context, a Archive) (int64, error)
}

func randomID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func actorString(ctx context.Context) string {
	if a, ok := warden.ActorFromContext(ctx); ok {
		return a.String()
	}
	return warden.Actor{Kind: warden.ActorSystem, ID: "warden"}.String()
}

func validReason(reason string) error {
	if len(reason) < 3 || len(reason) > 500 {
		return warden.FieldErrorf(warden.EINVALID, "reason", "a reason of 3 to 500 characters is required")
	}
	return nil
}

func (l *Log) retention() (RetentionStore, error) {
	rs, ok := l.store.(RetentionStore)
	if !ok {
		return nil, fmt.Errorf("audit: this store does not support retention")
	}
	return rs, nil
}

// SetHold sets a legal hold and records it in the log.
func (l *Log) SetHold(ctx context.Context, reason string) (*Hold, error) {
	if err := validReason(reason); err != nil {
		return nil, err
	}
	rs, err := l.retention()
	if err != nil {
		return nil, err
	}
	h := Hold{ID: randomID(), Reason: reason, SetBy: actorString(ctx), SetAt: l.cfg.Now().UTC()}
	sctx, pending, err := l.Stage(ctx, Record{Action: "audit.hold.set", Subject: Subject{Type: "legal_hold", ID: h.ID}, Change: h})
	if err != nil {
		return nil, err
	}
	if err := rs.SetLegalHold(sctx, h); err != nil {
		return nil, err
	}
	if err := pending.Wait(ctx); err != nil {
		return nil, err
	}
	return &h, nil
}

// ReleaseHold releases the active legal hold and records it.
func (l *Log) ReleaseHold(ctx context.Context, reason string) (*Hold, error) {
	if err := validReason(reason); err != nil {
		return nil, err
	}
	rs, err := l.retention()
	if err != nil {
		return nil, err
	}
	// The record names the hold the store released: staged in the
	// release's transaction once it is known.
	var h Hold
	var pending Pending
	err = Atomically(ctx, rs, func(ctx context.Context) error {
		var err error
		if h, err = rs.ReleaseLegalHold(ctx, actorString(ctx), reason, l.cfg.Now().UTC()); err != nil {
			return err
		}
		_, pending, err = l.Stage(ctx, Record{Action: "audit.hold.release", Subject: Subject{Type: "legal_hold", ID: h.ID}, Change: h})
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := pending.Wait(ctx); err != nil {
		return nil, err
	}
	return &h, nil
}

// ActiveHold returns the active legal hold, or nil.
func (l *Log) ActiveHold(ctx context.Context) (*Hold, error) {
	rs, err := l.retention()
	if err != nil {
		return nil, err
	}
	return rs.ActiveLegalHold(ctx)
}

// CheckpointAt signs a checkpoint for the tree of size n (any size up to the
// current one: an older tree's root is as fixed as the newest).
func (l *Log) CheckpointAt(ctx context.Context, n int64) (Checkpoint, error) {
	root, err := tlog.TreeHash(n, l.HashReader(ctx))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("audit: tree hash at %d: %w", n, err)
	}
	msg, err := signCheckpoint(l, n, root)
	if err != nil {
		return Checkpoint{}, err
	}
	cp := Checkpoint{Size: n, Time: l.cfg.Now().UTC(), Note: msg}
	if err := l.store.AddAuditCheckpoint(ctx, cp); err != nil {
		return Checkpoint{}, err
	}
	return cp, nil
}

// ArchiveBefore writes every kept entry older than before to a bundle at
// path, ending at a checkpoint signed for exactly that size; verifies the
// written file; and only then prunes those entries from the store, keeping
// their tree hashes so the rest of the log still verifies. It refuses while
// a legal hold is set and for entries younger than retention.
func (l *Log) ArchiveBefore(ctx context.Context, before time.Time, retention time.Duration, path string, progress func(done, total int64)) (*Archive, error) {
	rs, err := l.retention()
	if err != nil {
		return nil, err
	}
	if h, err := rs.ActiveLegalHold(ctx); err != nil {
		return nil, err
	} else if h != nil {
		return nil, warden.Errorf(warden.ECONFLICT, "a legal hold is set (%s, by %s on %s): nothing may be archived or pruned until it is released",
			h.Reason, h.SetBy, h.SetAt.Format(time.DateOnly))
	}
	limit := l.cfg.Now().UTC().Add(-retention)
	if before.After(limit) {
		return nil, warden.FieldErrorf(warden.EINVALID, "before", "entries younger than the retention period (%d days) must be kept: the latest allowed date is %s",
			int(retention.Hours()/24), limit.Format(time.DateOnly))
	}
	first, err := l.store.AuditFirstIndex(ctx)
	if err != nil {
		return nil, err
	}
	end, err := rs.AuditIndexAtTime(ctx, before)
	if err != nil {
		return nil, err
	}
	if end <= first {
		return nil, warden.Errorf(warden.ENOTFOUND, "no kept entries are older than %s", before.Format(time.DateOnly))
	}
	if _, err := l.CheckpointAt(ctx, end); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	tmp := path + ".partial"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create archive: %w", err)
	}
	defer os.Remove(tmp)
	h := sha256.New()
	if err := l.ExportRange(ctx, io.MultiWriter(f, h), first, end, progress); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	// Read back what is on disk and verify it with the log's own keys
	// before anything is deleted.
	if err := verifyFile(tmp, l.keyStrings(ctx), end); err != nil {
		return nil, fmt.Errorf("archive %s does not verify, nothing was pruned: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	a := Archive{ID: randomID(), BeforeIndex: end, CheckpointSize: end, File: filepath.Base(path),
		SHA256: hex.EncodeToString(h.Sum(nil)), CreatedAt: l.cfg.Now().UTC(), Entries: end - first, FirstIndex: first}
	sctx, pending, err := l.Stage(ctx, Record{Action: "audit.archive", Subject: Subject{Type: "audit_archive", ID: a.ID}, Change: a})
	if err != nil {
		return nil, err
	}
	if _, err := rs.PruneAuditEntries(sctx, a); err != nil {
		return nil, fmt.Errorf("archive written to %s and verified, but pruning failed: %w", path, err)
	}
	if err := pending.Wait(ctx); err != nil {
		return nil, err
	}
	return &a, nil
}

func verifyFile(path string, keys []string, wantSize int64) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := Verify(bufio.NewReaderSize(f, 1<<20), VerifyOptions{TrustedKeys: keys})
	if err != nil {
		return err
	}
	if rep.VerifiedSize != wantSize {
		return fmt.Errorf("archive verified only up to %d of %d entries", rep.VerifiedSize, wantSize)
	}
	return nil
}

// keyStrings returns the public keys that verify this log's checkpoints.
func (l *Log) keyStrings(ctx context.Context) []string {
	keys, _ := l.store.AuditKeys(ctx)
	return keys
}
