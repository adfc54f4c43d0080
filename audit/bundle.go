package audit

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"math"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"golang.org/x/mod/sumdb/tlog"
)

// BundleFormat names the export format, specified in docs/audit-log.md.
const BundleFormat = "warden-audit-bundle/1"

// bundleLine is one line of a bundle (JSON Lines). Type says which fields
// are set.
type bundleLine struct {
	Type string `json:"type"`
	// header
	Format     string    `json:"format,omitempty"`
	Origin     string    `json:"origin,omitempty"`
	FirstIndex *int64    `json:"first_index,omitempty"`
	Size       *int64    `json:"size,omitempty"`
	ExportedAt time.Time `json:"exported_at,omitzero"`
	// key
	VKey string `json:"vkey,omitempty"`
	// frontier: hashes of the compact range [0, first_index)
	Hashes []tlog.Hash `json:"hashes,omitempty"`
	// checkpoint
	Note string `json:"note,omitempty"`
	// entry
	Index *int64          `json:"index,omitempty"`
	Entry json.RawMessage `json:"entry,omitempty"`
	Hash  *tlog.Hash      `json:"hash,omitempty"`
}

func ptr[T any](v T) *T { return &v }

// Export writes the whole log (what retention has kept of it) as a bundle:
// header, keys, frontier, checkpoints, entries. progress, if not nil, is
// called with the number of entries written so far.
func (l *Log) Export(ctx context.Context, w io.Writer, progress func(done, total int64)) error {
	return l.ExportRange(ctx, w, -1, -1, progress)
}

// ExportRange writes entries in [from, to) (from -1: the first kept entry;
// to -1: the current size) with every checkpoint in that range.
func (l *Log) ExportRange(ctx context.Context, w io.Writer, from, to int64, progress func(done, total int64)) error {
	size, err := l.store.AuditSize(ctx)
	if err != nil {
		return err
	}
	if to < 0 || to > size {
		to = size
	}
	if from < 0 {
		if from, err = l.store.AuditFirstIndex(ctx); err != nil {
			return err
		}
		from = min(from, to)
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(bundleLine{Type: "header", Format: BundleFormat, Origin: l.cfg.Origin, FirstIndex: ptr(from), Size: ptr(to), ExportedAt: l.cfg.Now().UTC()}); err != nil {
		return err
	}
	keys, err := l.store.AuditKeys(ctx)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := enc.Encode(bundleLine{Type: "key", VKey: k}); err != nil {
			return err
		}
	}
	if from > 0 {
		frontier, err := l.frontier(ctx, from)
		if err != nil {
			return err
		}
		if err := enc.Encode(bundleLine{Type: "frontier", Hashes: frontier}); err != nil {
			return err
		}
	}
	// A whole-log export carries every checkpoint, including any that claim
	// more entries than are left: that is how a truncated log shows.
	cpTo := to
	if to == size {
		cpTo = math.MaxInt64
	}
	cps, err := l.store.AuditCheckpoints(ctx, max(from, 1), cpTo)
	if err != nil {
		return err
	}
	for _, cp := range cps {
		if err := enc.Encode(bundleLine{Type: "checkpoint", Note: string(cp.Note)}); err != nil {
			return err
		}
	}
	const chunk = 10000
	for start := from; start < to; start += chunk {
		entries, err := l.store.AuditEntries(ctx, start, min(start+chunk, to))
		if err != nil {
			return err
		}
		for _, e := range entries {
			line := bundleLine{Type: "entry", Index: ptr(e.Index), Entry: e.Data}
			if len(e.Hashes) > 0 {
				line.Hash = ptr(e.Hashes[0])
			}
			if err := enc.Encode(line); err != nil {
				return err
			}
		}
		if progress != nil {
			progress(min(start+chunk, to)-from, to-from)
		}
	}
	return bw.Flush()
}

// frontier returns the hashes of the compact range [0, n): the roots of the
// complete subtrees left of n, which a verifier extends with later leaves.
func (l *Log) frontier(ctx context.Context, n int64) ([]tlog.Hash, error) {
	ids := compact.RangeNodes(0, uint64(n), nil)
	idx := make([]int64, len(ids))
	for i, id := range ids {
		idx[i] = tlog.StoredHashIndex(int(id.Level), int64(id.Index))
	}
	return l.HashReader(ctx).ReadHashes(idx)
}
