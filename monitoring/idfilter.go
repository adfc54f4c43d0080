package monitoring

import (
	"context"
	"hash/maphash"
	"sync/atomic"
)

// idFilter is a Bloom filter of the transaction ids in the store, so that a
// new id (nearly every submission) needs no store read to prove it new.
// Only a process that is the store's sole writer can keep it exact enough:
// with replicas sharing the store, ids arrive that this process never saw.
type idFilter struct {
	seed1, seed2 maphash.Seed
	bits         []atomic.Uint64 // set and tested without a lock
	ready        atomic.Bool
}

const (
	idFilterBits   = 1 << 27 // 16 MiB: about 0.3% false positives at 10 million ids
	idFilterHashes = 7
)

func newIDFilter() *idFilter {
	return &idFilter{seed1: maphash.MakeSeed(), seed2: maphash.MakeSeed(), bits: make([]atomic.Uint64, idFilterBits/64)}
}

func (f *idFilter) positions(id string, fn func(word int, bit uint64) bool) bool {
	h1, h2 := maphash.String(f.seed1, id), maphash.String(f.seed2, id)|1
	for i := range uint64(idFilterHashes) {
		p := (h1 + i*h2) % idFilterBits
		if !fn(int(p/64), 1<<(p%64)) {
			return false
		}
	}
	return true
}

func (f *idFilter) add(id string) {
	f.positions(id, func(w int, b uint64) bool { f.bits[w].Or(b); return true })
}

// mayContain is false only for ids certainly never added.
func (f *idFilter) mayContain(id string) bool {
	return f.positions(id, func(w int, b uint64) bool { return f.bits[w].Load()&b != 0 })
}

// IDLister pages through the ids of stored transactions.
type IDLister interface {
	TransactionIDsAfter(ctx context.Context, afterSeq int64, limit int) (ids []string, lastSeq int64, err error)
}

// load adds every stored id, then marks the filter ready; until then every
// submission is checked against the store.
func (f *idFilter) load(ctx context.Context, l IDLister) error {
	after := int64(0)
	for {
		ids, last, err := l.TransactionIDsAfter(ctx, after, 10000)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			f.ready.Store(true)
			return nil
		}
		for _, id := range ids {
			f.add(id)
		}
		after = last
	}
}
