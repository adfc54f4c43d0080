package audit

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
)

// InclusionProof proves that entry index is in the tree of the given size.
type InclusionProof struct {
	Index    int64       `json:"index"`
	Size     int64       `json:"size"`
	LeafHash tlog.Hash   `json:"leaf_hash"`
	RootHash tlog.Hash   `json:"root_hash"`
	Proof    []tlog.Hash `json:"proof"`
}

// ConsistencyProof proves that the tree of size From is a prefix of the tree
// of size To.
type ConsistencyProof struct {
	From     int64       `json:"from"`
	To       int64       `json:"to"`
	FromRoot tlog.Hash   `json:"from_root"`
	ToRoot   tlog.Hash   `json:"to_root"`
	Proof    []tlog.Hash `json:"proof"`
}

// Size returns the number of entries.
func (l *Log) Size(ctx context.Context) (int64, error) { return l.store.AuditSize(ctx) }

func (l *Log) checkSize(ctx context.Context, field string, size int64) error {
	current, err := l.store.AuditSize(ctx)
	if err != nil {
		return err
	}
	if size < 0 || size > current {
		return warden.FieldErrorf(warden.EINVALID, field, "tree size %d is outside the log (0 to %d)", size, current)
	}
	return nil
}

// Inclusion proves entry index in the tree of size.
func (l *Log) Inclusion(ctx context.Context, index, size int64) (*InclusionProof, error) {
	if err := l.checkSize(ctx, "size", size); err != nil {
		return nil, err
	}
	if index < 0 || index >= size {
		return nil, warden.FieldErrorf(warden.EINVALID, "index", "index %d is not in a tree of size %d", index, size)
	}
	r := l.HashReader(ctx)
	p, err := tlog.ProveRecord(size, index, r)
	if err != nil {
		return nil, fmt.Errorf("audit: prove %d in %d: %w", index, size, err)
	}
	hs, err := r.ReadHashes([]int64{tlog.StoredHashIndex(0, index)})
	if err != nil {
		return nil, err
	}
	root, err := tlog.TreeHash(size, r)
	if err != nil {
		return nil, err
	}
	return &InclusionProof{Index: index, Size: size, LeafHash: hs[0], RootHash: root, Proof: p}, nil
}

// Consistency proves that the tree of size from is a prefix of that of size to.
func (l *Log) Consistency(ctx context.Context, from, to int64) (*ConsistencyProof, error) {
	if err := l.checkSize(ctx, "to", to); err != nil {
		return nil, err
	}
	if from < 1 || from > to {
		return nil, warden.FieldErrorf(warden.EINVALID, "from", "from must be between 1 and to (%d)", to)
	}
	r := l.HashReader(ctx)
	p, err := tlog.ProveTree(to, from, r)
	if err != nil {
		return nil, fmt.Errorf("audit: prove %d consistent with %d: %w", from, to, err)
	}
	fromRoot, err := tlog.TreeHash(from, r)
	if err != nil {
		return nil, err
	}
	toRoot, err := tlog.TreeHash(to, r)
	if err != nil {
		return nil, err
	}
	return &ConsistencyProof{From: from, To: to, FromRoot: fromRoot, ToRoot: toRoot, Proof: p}, nil
}

// Entries returns stored entries in [from, to).
func (l *Log) Entries(ctx context.Context, from, to int64) ([]StoredEntry, error) {
	return l.store.AuditEntries(ctx, from, to)
}

// LatestCheckpoint returns the newest stored checkpoint.
func (l *Log) LatestCheckpoint(ctx context.Context) (Checkpoint, error) {
	return l.store.LatestAuditCheckpoint(ctx)
}

// PublicKeys returns every verifier key that ever signed a checkpoint.
func (l *Log) PublicKeys(ctx context.Context) ([]string, error) { return l.store.AuditKeys(ctx) }
