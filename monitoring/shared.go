package monitoring

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/wardenhq/warden"
)

// Replicas sharing a store (PostgreSQL) decide under store locks of the
// transaction's window keys, and catch up on what the other replicas stored
// before deciding. Done one decision at a time, that is a store transaction
// of about a dozen statements each, each parsed and planned by the server.
// The batcher instead decides every decision waiting at once in one store
// transaction: the union of their keys locked in one statement, their ids
// and their keys' news read in one statement each, their rows inserted in
// one. Decisions within a batch are evaluated in arrival order, each seeing
// the ones before it, exactly as if they had come one after another.

// BatchLockedTx is a LockedTx that also reads many ids and keys in one
// statement each. The batcher uses it when the store's transaction has it.
type BatchLockedTx interface {
	LockedTx
	// StoredDecisions returns the stored decision and payload hash of each
	// of ids that is stored; the others are absent.
	StoredDecisions(ctx context.Context, ids []string) (map[string]StoredDecision, error)
	// WindowsAfter is WindowHistory with afterSeq for many keys at once:
	// for each key of after, its records stored after after[key].
	WindowsAfter(ctx context.Context, after map[Key]int64, from time.Time) (map[Key]WindowDelta, error)
}

// StoredDecision is a decision read back with the hash of the payload it
// was made for.
type StoredDecision struct {
	Decision    *Decision
	PayloadHash string
}

// WindowDelta is what a key gained after a sequence: its records at or
// after the requested time, oldest first, the latest time of a record that
// was not blocked (zero if none) and the highest sequence (zero if none).
type WindowDelta struct {
	Records []Record
	LastAt  time.Time
	MaxSeq  int64
}

// sharedJob is one decision waiting for a batch.
type sharedJob struct {
	t    *Transaction
	hash string
	prof *CustomerProfile
	cps  *CounterpartyScreening
	keys []Key

	dec      *Decision
	fired    []*compiled
	replayed *Decision
	err      error
	done     chan struct{}
}

// maxSharedBatch bounds one batch: its keys' locks are held until it
// commits, so a larger batch holds other replicas back longer, and each
// key is an advisory lock in PostgreSQL's shared lock table (sized by
// max_locks_per_transaction times max_connections; 32 decisions take at
// most 128 locks).
const maxSharedBatch = 32

type sharedBatcher struct {
	s     *Service
	queue *workQueue[*sharedJob]
	done  chan struct{}
}

// sharedWorkers is how many batches one process has in flight: while one
// waits for the store, another decides. Batches with keys in common take
// turns on the keys' in-memory locks, then on their store locks.
const sharedWorkers = 2

func newSharedBatcher(s *Service) *sharedBatcher {
	b := &sharedBatcher{s: s, queue: newWorkQueue[*sharedJob](maxSharedBatch * 4), done: make(chan struct{})}
	var wg sync.WaitGroup
	for range sharedWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.run()
		}()
	}
	go func() {
		wg.Wait()
		close(b.done)
	}()
	return b
}

func (b *sharedBatcher) run() {
	batch := make([]*sharedJob, 0, maxSharedBatch)
	for first := range b.queue.ch {
		batch = drain(append(batch[:0], first), b.queue.ch, maxSharedBatch)
		b.s.decideBatch(batch)
		for _, j := range batch {
			close(j.done)
		}
	}
}

// submit queues j and waits for its outcome. Once queued, it waits even if
// ctx ends: the batch may store it.
func (b *sharedBatcher) submit(ctx context.Context, j *sharedJob) error {
	j.done = make(chan struct{})
	if err := b.queue.send(ctx, j); err != nil {
		return err
	}
	<-j.done
	return nil
}

func (b *sharedBatcher) close() {
	b.queue.close()
	<-b.done
}

// decideBatch decides jobs in one store transaction when the store can read
// in batches, and one at a time otherwise or when the batch fails (so that
// one job's failure, a conflicting id stored by another replica, say, is
// that job's alone).
func (s *Service) decideBatch(jobs []*sharedJob) {
	if len(jobs) > 1 && !s.noBatch.Load() {
		err := s.decideTogether(jobs)
		if err == nil {
			s.Batched.Add(int64(len(jobs)))
			return
		}
		s.log.Warn("a batch of decisions failed; deciding them one at a time", "decisions", len(jobs), "err", err)
		if errors.Is(err, errNoBatch) {
			s.noBatch.Store(true)
		}
		for _, j := range jobs {
			j.dec, j.fired, j.replayed, j.err = nil, nil, nil, nil
		}
	}
	for _, j := range jobs {
		s.decideAlone(j)
	}
}

// decideAlone decides one job in its own locked store transaction.
func (s *Service) decideAlone(j *sharedJob) {
	ctx, cancel := context.WithTimeout(context.Background(), sharedBatchTimeout)
	defer cancel()
	unlock := s.windows.lockKeys(j.keys)
	defer unlock()
	rs := s.rules.current()
	rec := RecordOf(j.t)
	err := s.store.Locked(ctx, j.keys, func(tx LockedTx) error {
		if sd, h, err := tx.StoredDecision(ctx, j.t.ID); err == nil {
			j.replayed, err = replay(sd, h, j.hash)
			return err
		} else if warden.ErrorCode(err) != warden.ENOTFOUND {
			return err
		}
		ws, err := s.catchUp(ctx, tx, j.keys, j.t)
		if err != nil {
			return err
		}
		j.dec, j.fired = s.evaluate(rs, j.t, j.prof, j.cps, ws)
		d := &Decided{Transaction: *j.t, PayloadHash: j.hash, Decision: *j.dec, NeedsAlert: j.dec.Action != ActionAllow && s.alerts != nil}
		seqs, err := tx.SaveDecided(ctx, []*Decided{d})
		if err != nil {
			return err
		}
		rec.Seq = seqs[0]
		return nil
	})
	if err != nil {
		j.dec, j.fired, j.replayed, j.err = nil, nil, nil, err
		return
	}
	if j.replayed != nil {
		return
	}
	for _, k := range j.keys {
		w := s.windows.get(k)
		if w == nil {
			continue // evicted meanwhile: reloaded from the store when next needed
		}
		if j.dec.Action != ActionBlock {
			s.windows.add(w, rec)
		} else if rec.Seq > w.seq {
			w.seq = rec.Seq
		}
	}
}

// decideTogether decides jobs in one locked store transaction. On error
// nothing is stored and the keys' windows are dropped from memory (they
// may hold the batch's records), to be reloaded from the store.
func (s *Service) decideTogether(jobs []*sharedJob) error {
	ctx, cancel := context.WithTimeout(context.Background(), sharedBatchTimeout)
	defer cancel()
	var keys []Key
	seen := map[Key]bool{}
	ids := make([]string, len(jobs))
	from := jobs[0].t.Time
	for i, j := range jobs {
		ids[i] = j.t.ID
		from = minTime(from, j.t.Time)
		for _, k := range j.keys {
			if !seen[k] {
				seen[k] = true
				keys = append(keys, k)
			}
		}
	}
	from = from.Add(-s.history)
	unlock := s.windows.lockKeys(keys)
	defer unlock()
	rs := s.rules.current()
	held := make(map[Key]*window, len(keys))
	err := s.store.Locked(ctx, keys, func(ltx LockedTx) error {
		tx, ok := ltx.(BatchLockedTx)
		if !ok {
			return errNoBatch
		}
		stored, err := tx.StoredDecisions(ctx, ids)
		if err != nil {
			return err
		}
		if err := s.catchUpAll(ctx, tx, keys, from, held); err != nil {
			return err
		}
		var ds []*Decided
		var decided []*sharedJob
		for _, j := range jobs {
			if sd, ok := stored[j.t.ID]; ok {
				j.replayed, j.err = replay(sd.Decision, sd.PayloadHash, j.hash)
				continue
			}
			ws := make([]*window, len(j.keys))
			for i, k := range j.keys {
				ws[i] = held[k]
			}
			j.dec, j.fired = s.evaluate(rs, j.t, j.prof, j.cps, ws)
			if j.dec.Action != ActionBlock {
				// Seen by the batch's later decisions of the same keys.
				rec := RecordOf(j.t)
				for _, w := range ws {
					s.windows.add(w, rec)
				}
			}
			ds = append(ds, &Decided{Transaction: *j.t, PayloadHash: j.hash, Decision: *j.dec, NeedsAlert: j.dec.Action != ActionAllow && s.alerts != nil})
			decided = append(decided, j)
		}
		if len(ds) == 0 {
			return nil
		}
		seqs, err := tx.SaveDecided(ctx, ds)
		if err != nil {
			return err
		}
		for i, j := range decided {
			for _, k := range j.keys {
				if w := held[k]; seqs[i] > w.seq {
					w.seq = seqs[i]
				}
			}
		}
		return nil
	})
	if err != nil {
		for _, k := range keys {
			s.windows.drop(k)
		}
		return err
	}
	return nil
}

// catchUpAll brings the windows of keys up to date, inside the locked store
// transaction: warm keys in one read, cold ones (not in memory) each loaded.
func (s *Service) catchUpAll(ctx context.Context, tx BatchLockedTx, keys []Key, from time.Time, held map[Key]*window) error {
	after := map[Key]int64{}
	for _, k := range keys {
		w := s.windows.get(k)
		if w == nil {
			recs, lastAt, maxSeq, err := tx.WindowHistory(ctx, k, from, 0)
			if err != nil {
				return err
			}
			// Evicted since its decision loaded it (the batch holds its
			// stripe lock, so no one else is loading it now).
			w = &window{key: k}
			s.apply(w, WindowDelta{Records: recs, LastAt: lastAt, MaxSeq: maxSeq})
			held[k] = s.windows.put(w)
			continue
		}
		held[k] = w
		after[k] = w.seq
	}
	if len(after) == 0 {
		return nil
	}
	news, err := tx.WindowsAfter(ctx, after, from)
	if err != nil {
		return err
	}
	for k, d := range news {
		if w := held[k]; w != nil {
			s.apply(w, d)
		}
	}
	return nil
}

func (s *Service) apply(w *window, d WindowDelta) {
	for _, r := range d.Records {
		s.windows.add(w, r)
	}
	if !d.LastAt.IsZero() && d.LastAt.UnixMicro() > w.lastAt {
		w.lastAt = d.LastAt.UnixMicro()
	}
	if d.MaxSeq > w.seq {
		w.seq = d.MaxSeq
	}
}

// errNoBatch: the store's transactions cannot read in batches; every
// decision is then decided alone.
var errNoBatch = errors.New("monitoring: the store cannot read in batches")

// sharedBatchTimeout bounds one batch's store transaction, so that a store
// that stops answering fails the batch's decisions rather than holding
// them (and every later one) forever.
const sharedBatchTimeout = 30 * time.Second

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
