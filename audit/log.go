package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/cyberphone/json-canonicalization/go/src/webpki.org/jsoncanonicalizer"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
)

// Config configures a Log.
type Config struct {
	// Origin names this log in its checkpoints, e.g. "bank.example/warden".
	Origin string
	// Signer signs checkpoints; Verifiers are the keys a checkpoint may be
	// signed with (the signer's own and those of rotated-out keys).
	Signer    note.Signer
	Verifiers []note.Verifier
	// A checkpoint is signed after every CheckpointEvery entries, and by
	// RunCheckpoints every CheckpointInterval if the log grew.
	CheckpointEvery    int64
	CheckpointInterval time.Duration
	// MaxBatch bounds one group commit.
	MaxBatch int
	Now      func() time.Time
	// Logger receives what RunCheckpoints cannot return (relay and
	// checkpoint failures); nil discards it.
	Logger *slog.Logger
}

// Log appends entries and proves things about them.
type Log struct {
	store Store
	cfg   Config
	keys  note.Verifiers

	mu           sync.Mutex
	pending      []*appendReq
	relayWaiters []chan relayResult // Relay callers waiting for an outbox pass
	flushing     bool

	cache    *hashCache
	cpMu     sync.Mutex
	lastSize int64 // size of the newest checkpoint this process knows
}

type appendReq struct {
	entry Entry
	done  chan error
}

// New returns a log over store.
func New(store Store, cfg Config) (*Log, error) {
	if cfg.Signer == nil {
		return nil, errors.New("audit: a checkpoint signer is required")
	}
	if cfg.Origin == "" {
		cfg.Origin = "warden/audit"
	}
	if cfg.CheckpointEvery <= 0 {
		cfg.CheckpointEvery = 1000
	}
	if cfg.CheckpointInterval <= 0 {
		cfg.CheckpointInterval = 10 * time.Second
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 4096
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	l := &Log{store: store, cfg: cfg, cache: newHashCache(1 << 18), lastSize: -1}
	l.keys = note.VerifierList(cfg.Verifiers...)
	return l, nil
}

// Origin returns the log's origin line.
func (l *Log) Origin() string { return l.cfg.Origin }

// Append sequences one record and returns its entry once it is committed.
// Concurrent callers are committed together in one transaction (group
// commit): whoever finds no flush running becomes the flusher for everyone
// waiting.
func (l *Log) Append(ctx context.Context, rec Record) (*Entry, error) {
	es, err := l.AppendAll(ctx, []Record{rec})
	if err != nil {
		return nil, err
	}
	return es[0], nil
}

// AppendAll sequences records in their order and returns their entries once
// all are committed: one caller's batch (the alerts of a batch of
// decisions) costs one commit rather than one each. Nothing is appended if
// a record is invalid.
func (l *Log) AppendAll(ctx context.Context, recs []Record) ([]*Entry, error) {
	reqs := make([]*appendReq, len(recs))
	for i, rec := range recs {
		req, err := l.request(ctx, rec)
		if err != nil {
			return nil, err
		}
		reqs[i] = req
	}
	l.mu.Lock()
	l.pending = append(l.pending, reqs...)
	flusher := !l.flushing
	l.flushing = true
	l.mu.Unlock()
	if flusher {
		l.flush(context.WithoutCancel(ctx))
	}
	out := make([]*Entry, len(reqs))
	for i, req := range reqs {
		select {
		case err := <-req.done:
			if err != nil {
				return nil, err
			}
			out[i] = &req.entry
		case <-ctx.Done():
			// The entries may still be committed by the flusher; the caller
			// only stops waiting.
			return nil, ctx.Err()
		}
	}
	return out, nil
}

// request validates a record and makes its entry, canonicalized here in
// the caller's goroutine so that the group commit only splices it in.
func (l *Log) request(ctx context.Context, rec Record) (*appendReq, error) {
	e, err := l.prepare(ctx, rec)
	if err != nil {
		return nil, err
	}
	return &appendReq{entry: e, done: make(chan error, 1)}, nil
}

// prepare validates a record and makes its entry but for index and time:
// actor and request id come from ctx, the change is canonicalized (or
// hashed when large). Appends and the outbox both start here, so a staged
// entry is the entry an append would have made.
func (l *Log) prepare(ctx context.Context, rec Record) (Entry, error) {
	if err := rec.Validate(); err != nil {
		return Entry{}, err
	}
	e := Entry{Action: rec.Action, Subject: rec.Subject, RequestID: warden.RequestIDFromContext(ctx)}
	if a, ok := warden.ActorFromContext(ctx); ok {
		e.Actor = Actor{Kind: a.Kind, ID: a.ID}
	} else {
		e.Actor = Actor{Kind: warden.ActorSystem, ID: "warden"}
	}
	if rec.Change != nil {
		raw, err := json.Marshal(rec.Change)
		if err != nil {
			return Entry{}, fmt.Errorf("audit: encode change: %w", err)
		}
		if len(raw) > MaxInlineChange {
			sum := sha256.Sum256(raw)
			e.ChangeSHA256 = hex.EncodeToString(sum[:])
		} else if e.Change, err = jsoncanonicalizer.Transform(raw); err != nil {
			return Entry{}, fmt.Errorf("audit: canonicalize change: %w", err)
		}
	}
	return e, nil
}

// flush commits pending requests in batches, and relays the outbox for
// Relay callers, until nothing is left.
func (l *Log) flush(ctx context.Context) {
	ctx = withoutStaging(ctx)
	for {
		l.mu.Lock()
		if len(l.pending) == 0 && len(l.relayWaiters) == 0 {
			l.flushing = false
			l.mu.Unlock()
			return
		}
		n := min(len(l.pending), l.cfg.MaxBatch)
		batch := l.pending[:n:n]
		l.pending = l.pending[n:]
		// Waiters registered before this pass starts: its outbox read sees
		// every row committed before they called.
		waiters := l.relayWaiters
		l.relayWaiters = nil
		l.mu.Unlock()

		limit := 0
		if len(waiters) > 0 {
			limit = l.cfg.MaxBatch - n
		}
		size, moved, err := l.commit(ctx, batch, limit)
		for _, r := range batch {
			r.done <- err
		}
		total := moved
		// A full pass may have left rows behind: relay until one is not.
		for err == nil && len(waiters) > 0 && moved == limit {
			limit = l.cfg.MaxBatch
			var s int64
			if s, moved, err = l.commit(ctx, nil, limit); err == nil {
				size, total = s, total+moved
			}
		}
		for _, w := range waiters {
			w <- relayResult{moved: total, err: err}
		}
		if size > 0 && size-l.knownCheckpointSize() >= l.cfg.CheckpointEvery {
			// On failure the entries stay committed and the next checkpoint
			// covers them.
			_, _ = l.Checkpoint(ctx)
		}
	}
}

func (l *Log) knownCheckpointSize() int64 {
	l.cpMu.Lock()
	defer l.cpMu.Unlock()
	return max(l.lastSize, 0)
}

// commit writes one batch in one transaction, preceded by up to
// outboxLimit outbox rows (oldest first), which the same transaction
// deletes; it returns the new size and how many outbox rows it moved.
func (l *Log) commit(ctx context.Context, batch []*appendReq, outboxLimit int) (int64, int, error) {
	var newSize int64
	var fresh map[int64]tlog.Hash
	now := l.cfg.Now().UTC()
	build := func(size int64, stored tlog.HashReader, outbox []Entry) ([]StoredEntry, error) {
		fresh = map[int64]tlog.Hash{}
		reader := overlayReader{fresh: fresh, cache: l.cache, store: stored}
		out := make([]StoredEntry, 0, len(outbox)+len(batch))
		add := func(e *Entry) error {
			e.Index, e.Time = size+int64(len(out)), now
			data := e.appendCanonical(nil, e.Change)
			hashes, err := tlog.StoredHashes(e.Index, data, reader)
			if err != nil {
				return fmt.Errorf("compute tree hashes for entry %d: %w", e.Index, err)
			}
			base := tlog.StoredHashIndex(0, e.Index)
			for j, h := range hashes {
				fresh[base+int64(j)] = h
			}
			out = append(out, StoredEntry{Index: e.Index, Data: data, Hashes: hashes, Time: now, ActorID: e.Actor.Kind + ":" + e.Actor.ID,
				Action: e.Action, SubjectType: e.Subject.Type, SubjectID: e.Subject.ID})
			return nil
		}
		// Outbox rows first: their changes committed before this pass began.
		for i := range outbox {
			if err := add(&outbox[i]); err != nil {
				return nil, err
			}
		}
		for _, r := range batch {
			if err := add(&r.entry); err != nil {
				return nil, err
			}
		}
		newSize = size + int64(len(out))
		return out, nil
	}
	var moved int
	var err error
	if outboxLimit > 0 {
		moved, err = l.store.RelayAuditOutbox(ctx, outboxLimit, build)
	} else {
		err = l.store.AppendAuditEntries(ctx, func(size int64, stored tlog.HashReader) ([]StoredEntry, error) {
			return build(size, stored, nil)
		})
	}
	if err != nil {
		return 0, 0, fmt.Errorf("audit: append: %w", err)
	}
	// Only committed hashes enter the cache: they can never change.
	l.cache.addAll(fresh)
	return newSize, moved, nil
}

// HashReader reads stored hashes through the cache.
func (l *Log) HashReader(ctx context.Context) tlog.HashReader {
	return overlayReader{cache: l.cache, store: tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
		return l.store.AuditHashes(ctx, idx)
	})}
}

// overlayReader answers from hashes of the batch being built, then the
// cache, then the store.
type overlayReader struct {
	fresh map[int64]tlog.Hash
	cache *hashCache
	store tlog.HashReader
}

func (r overlayReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var missing []int64
	var missingAt []int
	for i, idx := range indexes {
		if h, ok := r.fresh[idx]; ok {
			out[i] = h
		} else if h, ok := r.cache.get(idx); ok {
			out[i] = h
		} else {
			missing = append(missing, idx)
			missingAt = append(missingAt, i)
		}
	}
	if len(missing) > 0 {
		got, err := r.store.ReadHashes(missing)
		if err != nil {
			return nil, err
		}
		if len(got) != len(missing) {
			return nil, fmt.Errorf("store returned %d hashes for %d indexes", len(got), len(missing))
		}
		for j, h := range got {
			out[missingAt[j]] = h
			r.cache.add(missing[j], h)
		}
	}
	return out, nil
}

// hashCache keeps recently used stored hashes. Stored hashes never change
// once committed, so a cached hash is never stale, even across replicas.
type hashCache struct {
	mu    sync.Mutex
	limit int
	m     map[int64]tlog.Hash
}

func newHashCache(limit int) *hashCache { return &hashCache{limit: limit, m: map[int64]tlog.Hash{}} }

func (c *hashCache) get(i int64) (tlog.Hash, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	h, ok := c.m[i]
	return h, ok
}

func (c *hashCache) add(i int64, h tlog.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.limit {
		clear(c.m) // crude but bounded; the hot frontier refills at once
	}
	c.m[i] = h
}

func (c *hashCache) addAll(m map[int64]tlog.Hash) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m)+len(m) > c.limit {
		clear(c.m)
	}
	for i, h := range m {
		c.m[i] = h
	}
}
