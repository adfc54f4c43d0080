package monitoring

import "context"

// batchWriter groups concurrent saves into one store transaction (group
// commit): a caller waits until its own transaction is durable, and one
// commit covers everything that queued meanwhile.
type batchWriter struct {
	store TransactionWriter
	max   int
	queue *workQueue[*batchItem]
	done  chan struct{}
}

type batchItem struct {
	d   *Decided
	seq int64
	err error
	ok  chan struct{}
}

func newBatchWriter(store TransactionWriter, max int) *batchWriter {
	w := &batchWriter{store: store, max: max, queue: newWorkQueue[*batchItem](max * 4), done: make(chan struct{})}
	go w.run()
	return w
}

func (w *batchWriter) run() {
	defer close(w.done)
	batch := make([]*batchItem, 0, w.max)
	for first := range w.queue.ch {
		batch = drain(append(batch[:0], first), w.queue.ch, w.max)
		ds := make([]*Decided, len(batch))
		for i, it := range batch {
			ds[i] = it.d
		}
		// The store call runs without the callers' contexts: a client
		// giving up must not abort the others' commit.
		seqs, err := w.store.SaveDecided(context.Background(), ds)
		for i, it := range batch {
			it.err = err
			if err == nil {
				it.seq = seqs[i]
			}
			close(it.ok)
		}
	}
}

// save queues d and waits for its commit.
func (w *batchWriter) save(ctx context.Context, d *Decided) (int64, error) {
	it := &batchItem{d: d, ok: make(chan struct{})}
	if err := w.queue.send(ctx, it); err != nil {
		return 0, err
	}
	// Once queued, wait for the outcome even if ctx ends: the windows
	// must learn whether the write happened.
	<-it.ok
	return it.seq, it.err
}

func (w *batchWriter) close() {
	w.queue.close()
	<-w.done
}

// drain appends to batch what q holds now, without waiting, up to limit in
// all: one commit takes everything that queued during the last.
func drain[T any](batch []T, q <-chan T, limit int) []T {
	for len(batch) < limit {
		select {
		case it, ok := <-q:
			if !ok {
				return batch
			}
			batch = append(batch, it)
		default:
			return batch
		}
	}
	return batch
}
