package audit

import (
	"context"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"
)

// CheckStoredHashes recomputes the tree hashes every kept entry should have
// stored and compares them with what the store holds, returning the first
// entry whose stored hashes differ. Bundle verification covers the leaves and
// the signed roots; this covers the interior hashes that proofs are built
// from. Hashes of pruned entries are read from the store as they are: the
// signed roots already vouch for them.
func CheckStoredHashes(ctx context.Context, s Store) (int64, error) {
	size, err := s.AuditSize(ctx)
	if err != nil {
		return -1, err
	}
	first, err := s.AuditFirstIndex(ctx)
	if err != nil {
		return -1, err
	}
	recomputed := map[int64]tlog.Hash{}
	reader := overlayReader{fresh: recomputed, cache: newHashCache(1 << 16), store: tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		return s.AuditHashes(ctx, idx)
	})}
	const chunk = 10000
	for start := first; start < size; start += chunk {
		entries, err := s.AuditEntries(ctx, start, min(start+chunk, size))
		if err != nil {
			return -1, err
		}
		for _, e := range entries {
			want, err := tlog.StoredHashes(e.Index, e.Data, reader)
			if err != nil {
				return e.Index, fmt.Errorf("stored tree hashes needed by entry %d are unreadable: %v", e.Index, err)
			}
			if len(want) != len(e.Hashes) {
				return e.Index, fmt.Errorf("entry %d has %d stored tree hashes, want %d", e.Index, len(e.Hashes), len(want))
			}
			for j := range want {
				if want[j] != e.Hashes[j] {
					return e.Index, fmt.Errorf("the stored interior hashes do not match the tree recomputed from the entries (entry %d): proofs served by this store are wrong", e.Index)
				}
				recomputed[tlog.StoredHashIndex(0, e.Index)+int64(j)] = want[j]
			}
		}
	}
	return -1, nil
}
