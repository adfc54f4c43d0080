package monitoring

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

// AlertRaiser raises alerts; *cases.Alerts implements it.
type AlertRaiser interface {
	Raise(ctx context.Context, r cases.Raise) (*cases.Alert, error)
}

// Service decides on transactions.
type Service struct {
	store     TransactionStore
	customers CustomerSource
	cps       CounterpartyScreener
	alerts    AlertRaiser
	windows   *Windows
	compiler  *Compiler
	rules     *RuleBook
	loc       *time.Location
	history   time.Duration
	shared    bool
	now       func() time.Time
	log       *slog.Logger
	writer    *batchWriter
	batcher   *sharedBatcher // shared stores: decisions in batches
	noBatch   atomic.Bool    // the shared store cannot read in batches

	pending [64]pendingShard

	// Local mode only: the ids in the store. Both modes: the queue of
	// decisions whose alerts are raised in batches.
	ids     *idFilter
	alertQ  *workQueue[alertJob]
	alerter sync.WaitGroup
	stop    context.CancelFunc

	// Decisions counts decisions by action, for metrics.
	Decisions [3]atomic.Int64
	// Batched counts the decisions a shared store decided together with
	// others, in one store transaction (metrics).
	Batched atomic.Int64
}

// pendingShard holds the submissions in flight for some ids.
type pendingShard struct {
	mu sync.Mutex
	m  map[string]*inflight
}

func (s *Service) pendingFor(id string) *pendingShard {
	return &s.pending[hash64(id)%uint64(len(s.pending))]
}

type inflight struct {
	hash string
	done chan struct{}
	dec  *Decision
	err  error
}

// Config builds a Service.
type Config struct {
	Store     TransactionStore
	Customers CustomerSource
	// Counterparties screens counterparty names; nil screens nothing.
	Counterparties CounterpartyScreener
	Alerts         AlertRaiser
	Rules          *RuleBook
	// Location is the business timezone (today, this_month).
	Location *time.Location
	// History is the longest window rules may use; WindowKeys bounds the
	// windows kept in memory.
	History    time.Duration
	WindowKeys int
	// Shared is set when replicas share the store (PostgreSQL): each
	// decision then takes the store locks of its keys and catches up on
	// what other replicas stored. Unset (SQLite, one process) decisions
	// are grouped into one commit.
	Shared bool
	Now    func() time.Time
	Logger *slog.Logger
}

// NewService starts a Service; Close stops its writer.
func NewService(c Config) (*Service, error) {
	if c.Store == nil || c.Customers == nil || c.Rules == nil {
		return nil, errors.New("monitoring: Store, Customers and Rules are required")
	}
	s := &Service{store: c.Store, customers: c.Customers, cps: c.Counterparties, alerts: c.Alerts, rules: c.Rules,
		compiler: c.Rules.compiler, loc: c.Location, history: c.History, shared: c.Shared, now: c.Now, log: c.Logger,
	}
	for i := range s.pending {
		s.pending[i].m = map[string]*inflight{}
	}
	if s.loc == nil {
		s.loc = time.UTC
	}
	if s.history <= 0 {
		s.history = 35 * 24 * time.Hour
	}
	if c.WindowKeys <= 0 {
		c.WindowKeys = 500000
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.windows = NewWindows(s.history, c.WindowKeys)
	if s.shared {
		s.batcher = newSharedBatcher(s)
	} else {
		s.writer = newBatchWriter(c.Store, 4096)
		ctx, stop := context.WithCancel(context.Background())
		s.stop = stop
		if l, ok := c.Store.(IDLister); ok {
			s.ids = newIDFilter()
			go func() {
				if err := s.ids.load(ctx, l); err != nil && ctx.Err() == nil {
					s.log.Error("loading transaction ids failed; every submission is checked against the store", "err", err)
				}
			}()
		}
	}
	// Alerts are raised in batches by one alerter per process, replicas
	// included: RaiseAlerts takes a lock per customer and rule, so replicas
	// raising the same alert take turns.
	if s.alerts != nil {
		s.alertQ = newWorkQueue[alertJob](10000)
		s.alerter.Add(1)
		go s.runAlerter()
	}
	return s, nil
}

// Close waits for queued writes and alerts and stops the workers.
func (s *Service) Close() {
	if s.batcher != nil {
		s.batcher.close()
	}
	if s.writer != nil {
		s.writer.close()
	}
	if s.alertQ != nil {
		s.alertQ.close()
		s.alerter.Wait()
	}
	if s.stop != nil {
		s.stop()
	}
}

// Windows exposes the in-memory windows (metrics, tests).
func (s *Service) Windows() *Windows { return s.windows }

// payloadHash identifies a transaction's content; it returns the JSON it
// hashed too, which the stored record reuses.
func payloadHash(t *Transaction) (string, []byte) {
	b, _ := json.Marshal(t)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:16]), b
}

func replay(d *Decision, storedHash, hash string) (*Decision, error) {
	if storedHash != hash {
		return nil, warden.FieldErrorf(warden.ECONFLICT, "id", "transaction %s was submitted before with different content", d.TransactionID)
	}
	out := *d
	out.Replayed = true
	return &out, nil
}

// Decide validates a transaction, decides on it with the rules in force,
// stores it with its decision and raises alerts for review and block.
// Idempotent on the transaction id: a resubmission returns the first
// decision (Replayed) and counts nothing twice.
func (s *Service) Decide(ctx context.Context, t Transaction) (*Decision, error) {
	t.Time = t.Time.UTC().Truncate(time.Microsecond)
	if err := t.Validate(s.now()); err != nil {
		return nil, err
	}
	hash, txJSON := payloadHash(&t)
	// A submission of the same id already in flight: wait for its outcome.
	ps := s.pendingFor(t.ID)
	ps.mu.Lock()
	if in := ps.m[t.ID]; in != nil {
		ps.mu.Unlock()
		select {
		case <-in.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if in.err != nil {
			return nil, in.err
		}
		return replay(in.dec, in.hash, hash)
	}
	in := &inflight{hash: hash, done: make(chan struct{})}
	ps.m[t.ID] = in
	ps.mu.Unlock()
	defer func() {
		ps.mu.Lock()
		delete(ps.m, t.ID)
		ps.mu.Unlock()
		close(in.done)
	}()

	// The filter proves most ids new without a store read. Replicas skip
	// this read: decide reads the stored decision again under the keys'
	// locks anyway, and only that read is final.
	if !s.shared && (s.ids == nil || !s.ids.ready.Load() || s.ids.mayContain(t.ID)) {
		if d, h, err := s.store.StoredDecision(ctx, t.ID); err == nil {
			in.dec, in.hash = d, h
			return replay(d, h, hash)
		} else if warden.ErrorCode(err) != warden.ENOTFOUND {
			in.err = err
			return nil, err
		}
	}
	d, err := s.decide(ctx, &t, hash, txJSON)
	in.dec, in.err = d, err
	return d, err
}

func (s *Service) decide(ctx context.Context, t *Transaction, hash string, txJSON []byte) (*Decision, error) {
	prof, err := s.customers.Profile(ctx, t.CustomerID)
	if err != nil {
		return nil, fmt.Errorf("customer %s: %w", t.CustomerID, err)
	}
	var cps *CounterpartyScreening
	if s.cps != nil && t.Counterparty.Name != "" {
		if cps, err = s.cps.ScreenCounterparty(ctx, t.Counterparty); err != nil {
			return nil, fmt.Errorf("screen counterparty: %w", err)
		}
	}
	keys := keysOf(t)
	var dec *Decision
	var fired []*compiled
	d := &Decided{Transaction: *t, PayloadHash: hash}
	if s.shared {
		// Cold keys are loaded here, concurrently and without store locks,
		// rather than one after another in the batch: the batch catches
		// up on whatever was stored after the load (a key's rows commit
		// in sequence order, under its lock).
		unlock := s.windows.lockKeys(keys)
		_, err := s.load(ctx, keys, t)
		unlock()
		if err != nil {
			return nil, err
		}
		j := &sharedJob{t: t, hash: hash, prof: prof, cps: cps, keys: keys}
		if err := s.batcher.submit(ctx, j); err != nil {
			return nil, err
		}
		if j.err != nil || j.replayed != nil {
			return j.replayed, j.err
		}
		dec, fired = j.dec, j.fired
		d.NeedsAlert = dec.Action != ActionAllow && s.alerts != nil
	} else {
		rs := s.rules.current()
		unlock := s.windows.lockKeys(keys)
		locked := true
		defer func() {
			if locked {
				unlock()
			}
		}()
		ws, err := s.load(ctx, keys, t)
		if err != nil {
			return nil, err
		}
		dec, fired = s.evaluate(rs, t, prof, cps, ws)
		d.Decision, d.NeedsAlert = *dec, dec.Action != ActionAllow && s.alerts != nil
		// Count it now, under the key locks, so that the next transaction
		// of the same customer sees it; undo by reloading if the write fails.
		for _, w := range ws {
			w.pending.Add(1)
		}
		d.RecordJSON = encodeRecordWith(txJSON, &d.Decision)
		// A blocked transaction did not happen: it counts in no window.
		if dec.Action != ActionBlock {
			rec := RecordOf(t)
			for _, w := range ws {
				s.windows.add(w, rec)
			}
		}
		// Release the keys before waiting for the commit, so that the
		// group commit can gather this customer's next transactions too.
		unlock()
		locked = false
		_, err = s.writer.save(ctx, d)
		if err == nil && s.ids != nil {
			s.ids.add(t.ID)
		}
		for _, w := range ws {
			w.pending.Add(-1)
		}
		if err != nil {
			for _, k := range keys {
				s.windows.drop(k)
			}
			return nil, err
		}
	}
	s.Decisions[actionRank(dec.Action)].Add(1)
	if d.NeedsAlert {
		// Raised in batches by the alerter; a full queue leaves it to the
		// sweeper (the decision is stored as needing alerts).
		s.alertQ.trySend(alertJob{t: *t, dec: *dec, fired: fired})
	}
	return dec, nil
}

// load returns the windows of keys, loading missing ones from the store.
func (s *Service) load(ctx context.Context, keys []Key, t *Transaction) ([]*window, error) {
	ws := make([]*window, len(keys))
	for i, k := range keys {
		w := s.windows.get(k)
		if w == nil {
			from := t.Time.Add(-s.history)
			recs, lastAt, maxSeq, err := s.store.WindowHistory(ctx, k, from, 0)
			if err != nil {
				return nil, fmt.Errorf("load window %s: %w", k, err)
			}
			w = &window{key: k}
			for _, r := range recs {
				s.windows.add(w, r)
			}
			if !lastAt.IsZero() && lastAt.UnixMicro() > w.lastAt {
				w.lastAt = lastAt.UnixMicro()
			}
			w.seq = maxSeq
			w = s.windows.put(w)
		}
		ws[i] = w
	}
	return ws, nil
}

// catchUp brings the windows of keys up to date with what other replicas
// stored, inside the locked store transaction.
func (s *Service) catchUp(ctx context.Context, tx LockedTx, keys []Key, t *Transaction) ([]*window, error) {
	ws := make([]*window, len(keys))
	for i, k := range keys {
		w := s.windows.get(k)
		after := int64(0)
		if w != nil {
			after = w.seq
		}
		recs, lastAt, maxSeq, err := tx.WindowHistory(ctx, k, t.Time.Add(-s.history), after)
		if err != nil {
			return nil, fmt.Errorf("catch up window %s: %w", k, err)
		}
		if w == nil {
			w = s.windows.put(&window{key: k})
		}
		for _, r := range recs {
			s.windows.add(w, r)
		}
		if !lastAt.IsZero() && lastAt.UnixMicro() > w.lastAt {
			w.lastAt = lastAt.UnixMicro()
		}
		if maxSeq > w.seq {
			w.seq = maxSeq
		}
		ws[i] = w
	}
	return ws, nil
}

// Transaction returns a stored transaction with its decision.
func (s *Service) Transaction(ctx context.Context, id string) (*StoredTransaction, error) {
	if !validTxID(id) {
		return nil, warden.FieldErrorf(warden.EINVALID, "id", "transaction ids are 1 to 128 letters, digits, '.', '_', ':' or '-'")
	}
	return s.store.Transaction(ctx, id)
}
