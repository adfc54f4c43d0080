package monitoring

import (
	"context"
	"sync"

	"github.com/wardenhq/warden"
)

// errStopped answers a decision that arrives as the service stops.
var errStopped = warden.Errorf(warden.EUNAVAILABLE, "the monitoring service is stopping")

// workQueue is a channel that workers range over until close. A send after
// close fails with errStopped instead of panicking on the closed channel:
// a request can arrive while the service stops.
type workQueue[T any] struct {
	mu     sync.RWMutex
	closed bool
	ch     chan T
}

func newWorkQueue[T any](size int) *workQueue[T] { return &workQueue[T]{ch: make(chan T, size)} }

// send queues v, waiting for room until ctx ends.
func (q *workQueue[T]) send(ctx context.Context, v T) error {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return errStopped
	}
	select {
	case q.ch <- v:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// trySend queues v if there is room now.
func (q *workQueue[T]) trySend(v T) bool {
	q.mu.RLock()
	defer q.mu.RUnlock()
	if q.closed {
		return false
	}
	select {
	case q.ch <- v:
		return true
	default:
		return false
	}
}

// close ends the workers' range once they have drained what was queued.
// Senders blocked for room finish first (the workers keep draining).
func (q *workQueue[T]) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.ch)
	}
}
