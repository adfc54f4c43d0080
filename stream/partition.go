package stream

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/monitoring"
)

// errStopping ends a record's processing because its partition is being
// stopped; the record stays uncommitted.
var errStopping = errors.New("stream: partition stopping")

// partition is the worker of one input partition: it handles its records
// one at a time, in offset order (records are keyed by customer, so this
// is per-customer order), while other partitions' workers run alongside.
type partition struct {
	in *Intake
	tp topicPartition

	// ctx is cancelled to abandon work at once (partition lost, grace
	// expired, Close); quitCh asks the worker to finish its current
	// record, flush and commit, then exit.
	ctx      context.Context
	cancel   context.CancelFunc
	quitCh   chan struct{}
	quitOnce sync.Once
	done     chan struct{}
	wake     chan struct{}

	mu     sync.Mutex
	queue  []*kgo.Record
	paused bool
}

func newPartition(in *Intake, tp topicPartition) *partition {
	ctx, cancel := context.WithCancel(in.stop)
	return &partition{in: in, tp: tp, ctx: ctx, cancel: cancel, quitCh: make(chan struct{}),
		done: make(chan struct{}), wake: make(chan struct{}, 1)}
}

func (p *partition) quit() { p.quitOnce.Do(func() { close(p.quitCh) }) }

// stopping reports whether the worker was asked to stop, softly or not.
func (p *partition) stopping() bool {
	select {
	case <-p.quitCh:
		return true
	case <-p.ctx.Done():
		return true
	default:
		return false
	}
}

// enqueue adds polled records; called by the poll loop only.
func (p *partition) enqueue(recs []*kgo.Record) {
	p.mu.Lock()
	p.queue = append(p.queue, recs...)
	if len(p.queue) >= p.in.o.maxQueued && !p.paused {
		// Under p.mu so that a concurrent resume cannot be overtaken by
		// this pause and leave the partition paused for good. Records the
		// client buffered but did not return stay unconsumed: pausing
		// loses nothing.
		p.paused = true
		p.in.cl.PauseFetchPartitions(map[string][]int32{p.tp.topic: {p.tp.part}})
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// next takes every queued record, waiting for some; false when stopping.
func (p *partition) next() ([]*kgo.Record, bool) {
	for {
		if p.stopping() {
			return nil, false
		}
		p.mu.Lock()
		if len(p.queue) > 0 {
			b := p.queue
			p.queue = nil
			if p.paused {
				p.paused = false
				p.in.cl.ResumeFetchPartitions(map[string][]int32{p.tp.topic: {p.tp.part}})
			}
			p.mu.Unlock()
			return b, true
		}
		p.mu.Unlock()
		select {
		case <-p.wake:
		case <-p.quitCh:
		case <-p.ctx.Done():
		}
	}
}

func (p *partition) run() {
	defer close(p.done)
	defer p.cancel()
	for {
		batch, ok := p.next()
		if !ok {
			return
		}
		// Commit every chunk records, so that a crash in a large batch
		// redelivers at most one chunk.
		for len(batch) > 0 {
			n := min(len(batch), p.in.o.chunk)
			if !p.process(batch[:n]) {
				return
			}
			batch = batch[n:]
		}
	}
}

// outgoing is one output record on its way to the brokers.
type outgoing struct {
	in   *kgo.Record // the input record it answers
	out  *kgo.Record
	done chan struct{}
	err  error
}

// process handles records in order, publishes their outputs and commits
// the input offset up to the last record whose decision is stored and
// whose output is acknowledged. It returns false when the worker must
// stop.
func (p *partition) process(recs []*kgo.Record) bool {
	var outs []*outgoing
	stopped := false
	for _, r := range recs {
		if p.stopping() {
			stopped = true
			break
		}
		out, err := p.handle(r)
		if err != nil {
			// Stopping mid-retry: nothing from here on is committed.
			stopped = true
			break
		}
		o := &outgoing{in: r, out: out, done: make(chan struct{})}
		// Asynchronous, so that deciding the next record overlaps with
		// this one's round trip to the brokers; ordering per output
		// partition is kept by the idempotent producer.
		p.in.cl.Produce(p.ctx, out, func(_ *kgo.Record, err error) {
			o.err = err
			close(o.done)
		})
		outs = append(outs, o)
	}
	if last := p.flush(outs); last != nil {
		if err := p.in.cl.CommitRecords(p.ctx, last); err != nil && p.ctx.Err() == nil {
			// Not fatal: the next commit covers these offsets, and if the
			// partition moved, its new owner redelivers them (harmless).
			p.in.log.Warn("kafka offset commit failed", "topic", last.Topic, "partition", last.Partition,
				"offset", last.Offset, "err", err)
		}
	}
	return !stopped && !p.stopping()
}

// flush waits for the outputs in order, producing again any the client
// gave up on, and returns the last input record whose output (and every
// earlier one's) is acknowledged, or nil.
func (p *partition) flush(outs []*outgoing) *kgo.Record {
	var last *kgo.Record
	for _, o := range outs {
		select {
		case <-o.done:
		case <-p.ctx.Done():
			return last
		}
		for attempt := 1; o.err != nil; attempt++ {
			p.in.log.Warn("kafka output not acknowledged; retrying", "topic", o.out.Topic, "input_partition", o.in.Partition,
				"input_offset", o.in.Offset, "attempt", attempt, "err", o.err)
			if !p.sleep(p.in.backoff(attempt)) {
				return last
			}
			// Should an earlier output have failed while a later one
			// succeeded, this re-publication lands after it: output order
			// can then differ from input order (documented).
			o.err = p.in.cl.ProduceSync(p.ctx, o.out).FirstErr()
		}
		last = o.in
	}
	return last
}

// handle decodes and decides one record and returns its output record:
// a decision, or an error record for input that can never be decided.
// Transient failures are retried here, with backoff, until they pass or
// the partition stops.
func (p *partition) handle(r *kgo.Record) (*kgo.Record, error) {
	in := p.in
	start := time.Now()
	tx, err := DecodeRecord(r.Value, in.o.maxBytes)
	if err == nil && len(r.Key) > 0 && string(r.Key) != tx.CustomerID {
		// A record keyed otherwise may sit in another partition than the
		// customer's other transactions, and be decided out of order.
		err = warden.FieldErrorf(warden.EINVALID, "customer_id", "the record key differs from customer_id: key records by customer")
	}
	if err != nil {
		return p.reject(r, "", err, start)
	}
	for attempt := 1; ; attempt++ {
		d, err := in.dec.Decide(p.ctx, tx)
		if err == nil {
			outcome := OutcomeDecided
			if d.Replayed {
				outcome = OutcomeReplayed
			}
			in.observe(outcome, start)
			return decisionRecord(in.cfg.OutputTopic, &tx, d), nil
		}
		if p.ctx.Err() != nil {
			return nil, errStopping
		}
		if permanent(err) {
			return p.reject(r, tx.ID, err, start)
		}
		in.observe(OutcomeRetry, start)
		in.log.Warn("deciding a kafka record failed; retrying", "topic", r.Topic, "partition", r.Partition,
			"offset", r.Offset, "transaction", tx.ID, "attempt", attempt, "err", err)
		if !p.sleep(in.backoff(attempt)) {
			return nil, errStopping
		}
		start = time.Now()
	}
}

// reject logs a refused record (by position and code only: its content
// may hold personal data) and builds its error record.
func (p *partition) reject(r *kgo.Record, txID string, cause error, start time.Time) (*kgo.Record, error) {
	p.in.log.Warn("kafka record refused", "topic", r.Topic, "partition", r.Partition, "offset", r.Offset,
		"transaction", txID, "code", warden.ErrorCode(cause), "err", cause)
	p.in.observe(OutcomeRejected, start)
	return errorRecord(p.in.cfg.OutputTopic, r, txID, cause), nil
}

// permanent reports whether Decide failed because of the transaction
// itself, so that trying again can only fail again: such records get an
// error record and are committed past. Internal errors (the store, a
// bug), unavailability and rate limits are retried instead, for as long
// as they last: a transaction is never skipped for want of a decision.
func permanent(err error) bool {
	switch warden.ErrorCode(err) {
	case warden.EINTERNAL, warden.EUNAVAILABLE, warden.ERATELIMITED:
		return false
	}
	return true
}

// sleep waits d unless the partition stops first.
func (p *partition) sleep(d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-p.quitCh:
		return false
	case <-p.ctx.Done():
		return false
	}
}

var _ Decider = (*monitoring.Service)(nil)
