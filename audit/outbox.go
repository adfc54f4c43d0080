package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// The outbox closes the gap between a change and its entry. A change and
// the records describing it are committed in one store transaction: the
// records go to the store's outbox (audit_outbox), and a relay moves
// outbox rows into the Merkle log (sequencing them: index, time, tree
// hashes) and deletes them in the log's own append transaction. A crash
// after the change's commit leaves its records in the outbox, and the next
// relay (every process runs one at start and periodically) appends them.
//
// Domain code makes an audited change with Do, which stages the records on
// a context before the change and waits for the log after it:
//
//	err := audit.Do(ctx, s.Audit, func(ctx context.Context) error {
//		return s.Store.PutThing(ctx, thing) // change + outbox row
//	}, rec)
//
// Do is StageWith (records validated here), the change with the staged
// context, and Pending.Wait (records relayed into the log).
//
// Records that depend on what the change's transaction found (an alert
// opened or extended) are staged inside Atomically instead.

// Pending is a set of staged records. Wait returns once they are in the log:
// it relays the outbox and returns the relay's error, if any (the change is
// committed then, and its records stay in the outbox for the next relay).
type Pending interface {
	Wait(ctx context.Context) error
}

// Stager stages records to be written with a store change; *Log implements
// it.
type Stager interface {
	Stage(ctx context.Context, recs ...Record) (context.Context, Pending, error)
}

// Atomic is implemented by stores whose write transactions carry staged
// records (*sqlstore.DB). Atomically runs fn with a context on which the
// store's write transaction does not commit when the store call returns: it
// stays open while fn stages records built from the call's results, and
// commits with them when fn returns nil (it rolls back otherwise). A scope
// holds one write transaction, so fn makes one store write call and must
// not wait for the log (Pending.Wait) inside it.
type Atomic interface {
	Atomically(ctx context.Context, fn func(ctx context.Context) error) error
}

// StageWith stages recs through s, or does nothing when s is nil (services
// built without an audit log). Validation and canonicalization happen here,
// so an invalid record fails before the change is made.
func StageWith(ctx context.Context, s Stager, recs ...Record) (context.Context, Pending, error) {
	if s == nil || len(recs) == 0 {
		return ctx, nothingPending{}, nil
	}
	return s.Stage(ctx, recs...)
}

// Do makes a change with its audit records in one store transaction and
// returns once the records are in the log. It stages recs through s (see
// StageWith: a nil s or no recs stage nothing), calls change with a context
// carrying them, which change passes to the one store write that makes the
// change, and then waits for the records (Pending.Wait). Outcomes:
//
//   - Staging fails (an invalid record): change is not called, and the error
//     is returned wrapped.
//   - change fails: its error is returned as is, and Do does not wait. A
//     store write that failed rolled back, and the records with it: neither
//     the change nor its records were written. (Records are committed by
//     change's store write, so a change that fails after that write committed
//     has committed them too, and the next relay appends them: make the
//     store write the last step that can fail.)
//   - Waiting fails: the change and its records are committed; the records
//     stay in the outbox, and the next relay (every process runs them
//     periodically) appends them. The returned error wraps Wait's and says
//     so. Only if change succeeded without its records reaching a committed
//     transaction (the context did not reach the store write: a programming
//     error) is Wait's error returned as is, since nothing is in the outbox.
//
// Records built from what the change's transaction found are staged inside
// Atomically instead.
func Do(ctx context.Context, s Stager, change func(ctx context.Context) error, recs ...Record) error {
	sctx, pending, err := StageWith(ctx, s, recs...)
	if err != nil {
		return fmt.Errorf("audit %s: %w", actions(recs), err)
	}
	if err := change(sctx); err != nil {
		return err
	}
	if err := pending.Wait(ctx); err != nil {
		if errors.As(err, new(*notCarriedError)) {
			return err
		}
		return fmt.Errorf("audit %s: the change is committed but its records are not in the log yet (they stay in the outbox for the next relay): %w", actions(recs), err)
	}
	return nil
}

// actions names recs' actions for an error message.
func actions(recs []Record) string {
	switch len(recs) {
	case 0:
		return "(no records)"
	case 1:
		return recs[0].Action
	}
	return fmt.Sprintf("%s and %d more", recs[0].Action, len(recs)-1)
}

// Atomically runs fn in store's Atomic scope when store has one, else
// directly (test doubles; a real Log then reports from Wait that no
// transaction carried its records).
func Atomically(ctx context.Context, store any, fn func(ctx context.Context) error) error {
	if a, ok := store.(Atomic); ok {
		return a.Atomically(ctx, fn)
	}
	return fn(ctx)
}

type nothingPending struct{}

func (nothingPending) Wait(context.Context) error { return nil }

type stagingKey struct{}

// staging collects the records staged on a context until a store
// transaction takes them. It is shared by every context derived from the one
// that carries it, so a record is written once however many transactions
// later run with that context.
type staging struct {
	mu   sync.Mutex
	recs []*stagedRecord
}

type stagedRecord struct {
	entry   Entry // without index and time: the relay sets them
	written atomic.Bool
}

// WithStaging returns ctx with a staging area of its own, unless ctx has one:
// store Atomic implementations call it so that records staged inside the
// scope are collected where the scope's commit finds them.
func WithStaging(ctx context.Context) context.Context {
	if _, ok := ctx.Value(stagingKey{}).(*staging); ok {
		return ctx
	}
	return context.WithValue(ctx, stagingKey{}, &staging{})
}

// withoutStaging hides ctx's staging area: the log's own transactions (the
// relay, checkpoints) never carry a change's records.
func withoutStaging(ctx context.Context) context.Context {
	if _, ok := ctx.Value(stagingKey{}).(*staging); !ok {
		return ctx
	}
	return context.WithValue(ctx, stagingKey{}, (*staging)(nil))
}

// Staged is what a store transaction took from a context: the entries to
// write to the outbox in that transaction.
type Staged struct {
	recs []*stagedRecord
}

// TakeStaged removes the records staged on ctx and returns them, or nil when
// there are none. A store calls it inside a write transaction that commits
// with ctx, writes Entries to its outbox in that transaction, and calls
// Committed after the commit.
func TakeStaged(ctx context.Context) *Staged {
	st, _ := ctx.Value(stagingKey{}).(*staging)
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.recs) == 0 {
		return nil
	}
	s := &Staged{recs: st.recs}
	st.recs = nil
	return s
}

// Entries returns the staged entries, in staging order; their Index and
// Time are unset.
func (s *Staged) Entries() []Entry {
	if s == nil {
		return nil
	}
	out := make([]Entry, len(s.recs))
	for i, r := range s.recs {
		out[i] = r.entry
	}
	return out
}

// Committed records that the transaction carrying the entries committed.
func (s *Staged) Committed() {
	if s == nil {
		return
	}
	for _, r := range s.recs {
		r.written.Store(true)
	}
}

// Stage validates and prepares recs and puts them on the returned context
// (or on ctx's staging area when it has one). The store transaction that
// next commits with that context writes them to the outbox with its change;
// one that fails writes nothing. Pass the context to the store call that
// makes the change and to nothing else, then call Wait.
func (l *Log) Stage(ctx context.Context, recs ...Record) (context.Context, Pending, error) {
	p := &pendingRecords{log: l, recs: make([]*stagedRecord, len(recs))}
	for i, rec := range recs {
		e, err := l.prepare(ctx, rec)
		if err != nil {
			return ctx, nil, err
		}
		p.recs[i] = &stagedRecord{entry: e}
	}
	st, _ := ctx.Value(stagingKey{}).(*staging)
	if st == nil {
		st = &staging{}
		ctx = context.WithValue(ctx, stagingKey{}, st)
	}
	st.mu.Lock()
	st.recs = append(st.recs, p.recs...)
	st.mu.Unlock()
	return ctx, p, nil
}

type pendingRecords struct {
	log  *Log
	recs []*stagedRecord
}

// Wait relays the outbox once the records' transaction committed. Records
// that no transaction took are a programming error (the staged context
// did not reach the store call, or the store has no outbox): reported, not
// appended after the fact, since that would bring the gap back unseen.
func (p *pendingRecords) Wait(ctx context.Context) error {
	if len(p.recs) == 0 {
		return nil
	}
	for _, r := range p.recs {
		if !r.written.Load() {
			return &notCarriedError{entry: r.entry}
		}
	}
	_, err := p.log.Relay(ctx)
	return err
}

// notCarriedError reports a staged record that no committed transaction
// carried to the outbox.
type notCarriedError struct {
	entry Entry
}

func (e *notCarriedError) Error() string {
	return fmt.Sprintf("audit: %s on %s %s was staged but no committed store transaction carried it", e.entry.Action, e.entry.Subject.Type, e.entry.Subject.ID)
}

type relayResult struct {
	moved int
	err   error
}

// Relay moves the outbox into the log: every row committed before it was
// called is appended (in outbox order) and deleted by the time it returns.
// Concurrent callers share relay transactions, as appends share group
// commits; the count is of rows moved by the passes this call waited on,
// which may include rows others staged. On PostgreSQL replicas take turns
// under the append lock, so a row is never appended twice.
func (l *Log) Relay(ctx context.Context) (int, error) {
	done := make(chan relayResult, 1)
	l.mu.Lock()
	l.relayWaiters = append(l.relayWaiters, done)
	flusher := !l.flushing
	l.flushing = true
	l.mu.Unlock()
	if flusher {
		l.flush(context.WithoutCancel(ctx))
	}
	select {
	case r := <-done:
		return r.moved, r.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}
