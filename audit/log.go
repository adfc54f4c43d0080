package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
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
}

// Log appends entries and proves things about them.
type Log struct {
	store Store
	cfg   Config
	keys  note.Verifiers

	mu       sync.Mutex
	pending  []*appendReq
	flushing bool

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
	if err := rec.Validate(); err != nil {
		return nil, err
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
			return nil, fmt.Errorf("audit: encode change: %w", err)
		}
		if len(raw) > MaxInlineChange {
			sum := sha256.Sum256(raw)
			e.ChangeSHA256 = hex.EncodeToString(sum[:])
		} else if e.Change, err = jsoncanonicalizer.Transform(raw); err != nil {
			return nil, fmt.Errorf("audit: canonicalize change: %w", err)
		}
	}
	return &appendReq{entry: e, done: make(chan error, 1)}, nil
}

// flush commits pending requests in batches until none are left.
func (l *Log) flush(ctx context.Context) {
	for {
		l.mu.Lock()
		if len(l.pending) == 0 {
			l.flushing = false
			l.mu.Unlock()
			return
		}
		n := min(len(l.pending), l.cfg.MaxBatch)
		batch := l.pending[:n:n]
		l.pending = l.pending[n:]
		l.mu.Unlock()

		size, err := l.commit(ctx, batch)
		for _, r := range batch {
			r.done <- err
		}
		if err == nil && size-l.knownCheckpointSize() >= l.cfg.CheckpointEvery {
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

// commit writes one batch in one transaction and returns the new size.
func (l *Log) commit(ctx context.Context, batch []*appendReq) (int64, error) {
	var newSize int64
	var fresh map[int64]tlog.Hash
	now := l.cfg.Now().UTC()
	err := l.store.AppendAuditEntries(ctx, func(size int64, stored tlog.HashReader) ([]StoredEntry, error) {
		fresh = map[int64]tlog.Hash{}
		reader := overlayReader{fresh: fresh, cache: l.cache, store: stored}
		out := make([]StoredEntry, len(batch))
		for i, r := range batch {
			r.entry.Index = size + int64(i)
			r.entry.Time = now
			data := r.entry.appendCanonical(nil, r.entry.Change)
			hashes, err := tlog.StoredHashes(r.entry.Index, data, reader)
			if err != nil {
				return nil, fmt.Errorf("compute tree hashes for entry %d: %w", r.entry.Index, err)
			}
			base := tlog.StoredHashIndex(0, r.entry.Index)
			for j, h := range hashes {
				fresh[base+int64(j)] = h
			}
			out[i] = StoredEntry{Index: r.entry.Index, Data: data, Hashes: hashes, Time: now, ActorID: r.entry.Actor.Kind + ":" + r.entry.Actor.ID,
				Action: r.entry.Action, SubjectType: r.entry.Subject.Type, SubjectID: r.entry.Subject.ID}
		}
		newSize = size + int64(len(batch))
		return out, nil
	})
	if err != nil {
		return 0, fmt.Errorf("audit: append: %w", err)
	}
	// Only committed hashes enter the cache: they can never change.
	l.cache.addAll(fresh)
	return newSize, nil
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
