package audit

import (
	"context"
	"time"

	"golang.org/x/mod/sumdb/tlog"
)

// StoredEntry is an entry as the store keeps it: the canonical leaf bytes,
// the tree hashes this entry completes (tlog's stored-hash layout: the leaf
// hash, then one interior hash per subtree the entry closes), and columns for
// searching. Verification only ever trusts Data and Hashes.
type StoredEntry struct {
	Index       int64
	Data        []byte
	Hashes      []tlog.Hash
	Time        time.Time
	ActorID     string
	Action      string
	SubjectType string
	SubjectID   string
}

// Checkpoint is a signed tree head in the signed-note format.
type Checkpoint struct {
	Size int64
	Time time.Time
	Note []byte
}

// Store keeps the log. It has no way to update or delete an entry: the log is
// append-only by construction, and on PostgreSQL a trigger also refuses
// UPDATE and DELETE on the audit tables.
type Store interface {
	// AppendAuditEntries takes the log's append lock, reads its size, calls
	// build with the size and a reader for stored hashes, and stores what build
	// returns in the same transaction. Nothing is stored if build fails.
	AppendAuditEntries(ctx context.Context, build func(size int64, hashes tlog.HashReader) ([]StoredEntry, error)) error
	// RelayAuditOutbox is AppendAuditEntries that also moves the outbox:
	// under the append lock it reads up to limit outbox rows, oldest first,
	// as entries without index and time, passes them to build (whose first
	// entries must be theirs, in that order), stores what build returns and
	// deletes those rows, all in one transaction. It returns how many rows
	// it moved. The outbox is written by the store's own write transactions,
	// with the records staged on their context (see Stage).
	RelayAuditOutbox(ctx context.Context, limit int, build func(size int64, hashes tlog.HashReader, outbox []Entry) ([]StoredEntry, error)) (int, error)
	// AuditSize is the number of entries ever appended.
	AuditSize(ctx context.Context) (int64, error)
	// AuditFirstIndex is the lowest index whose entry is still stored (the
	// size when retention pruned everything or the log is empty).
	AuditFirstIndex(ctx context.Context) (int64, error)
	// AuditEntries returns entries with index in [from, to), in order.
	AuditEntries(ctx context.Context, from, to int64) ([]StoredEntry, error)
	// AuditHashes reads stored hashes by tlog stored-hash index.
	AuditHashes(ctx context.Context, indexes []int64) ([]tlog.Hash, error)
	// AddAuditCheckpoint stores a checkpoint; one for a size already stored is
	// ignored (another replica signed it first).
	AddAuditCheckpoint(ctx context.Context, cp Checkpoint) error
	// LatestAuditCheckpoint returns the checkpoint with the largest size, or
	// ENOTFOUND.
	LatestAuditCheckpoint(ctx context.Context) (Checkpoint, error)
	// AuditCheckpoints returns checkpoints with size in [from, to], ascending.
	AuditCheckpoints(ctx context.Context, from, to int64) ([]Checkpoint, error)
	// AddAuditKey records a checkpoint verifier key; known keys are ignored.
	AddAuditKey(ctx context.Context, vkey string, at time.Time) error
	// AuditKeys lists every verifier key that ever signed checkpoints.
	AuditKeys(ctx context.Context) ([]string, error)
}

// CursorStore keeps how far each SIEM export has delivered, so that an
// export resumes where it stopped (at-least-once, in order).
type CursorStore interface {
	// AuditCursor returns the next index to deliver for the named export (0
	// for a new one).
	AuditCursor(ctx context.Context, name string) (int64, error)
	// SetAuditCursor records that everything before next was delivered.
	SetAuditCursor(ctx context.Context, name string, next int64) error
}
