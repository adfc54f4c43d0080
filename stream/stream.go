// Package stream is Warden's Kafka transport: it consumes transactions from
// an input topic, decides on each through a Decider (the monitoring
// service) and publishes the decisions to an output topic, with
// github.com/twmb/franz-go.
//
// Delivery is at-least-once on both sides and effectively once for the
// windows: an input offset is committed only after the decision is stored
// (Decide returned) and its output record is acknowledged by the brokers,
// so a crash at any point leads to redelivery, never to loss; the Decider
// is idempotent on the transaction id, so a redelivered transaction returns
// its first decision and counts nothing twice. See docs/kafka.md.
package stream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/monitoring"
)

// Decider decides on one transaction, idempotently on its id: a
// transaction decided before returns its first decision with Replayed set,
// counting nothing twice. *monitoring.Service implements it.
//
// The decision is durably stored by the time Decide returns: the intake
// commits the input offset on the strength of that.
type Decider interface {
	Decide(ctx context.Context, tx monitoring.Transaction) (*monitoring.Decision, error)
}

// Outcomes reported to Metrics.OnRecord.
const (
	OutcomeDecided  = "decided"  // decided for the first time
	OutcomeReplayed = "replayed" // decided before: the first decision again
	OutcomeRejected = "rejected" // bad input: an error record was published
	OutcomeRetry    = "retry"    // a transient failure; the record is retried
)

// Metrics receives one call per handled input record (and one per failed
// attempt, outcome retry) with the time the attempt took, decoding and
// Decide included. It is called from several goroutines at once.
type Metrics interface {
	OnRecord(outcome string, d time.Duration)
}

// MetricsFunc adapts a function to Metrics.
type MetricsFunc func(outcome string, d time.Duration)

// OnRecord calls f.
func (f MetricsFunc) OnRecord(outcome string, d time.Duration) { f(outcome, d) }

type options struct {
	metrics    Metrics
	maxBytes   int
	minBackoff time.Duration
	maxBackoff time.Duration
	grace      time.Duration
	maxQueued  int
	chunk      int
	kgoOpts    []kgo.Opt
}

// Option adjusts an Intake.
type Option func(*options)

// WithMetrics reports every handled record to m.
func WithMetrics(m Metrics) Option { return func(o *options) { o.metrics = m } }

// WithMaxRecordBytes sets the largest input value accepted (default
// MaxRecordBytes); larger ones are refused with an error record.
func WithMaxRecordBytes(n int) Option { return func(o *options) { o.maxBytes = n } }

// WithBackoff sets the retry delays after transient failures (store
// unavailable, output not acknowledged): min doubling up to max. Defaults
// 100ms and 30s.
func WithBackoff(min, max time.Duration) Option {
	return func(o *options) { o.minBackoff, o.maxBackoff = min, max }
}

// WithGrace sets how long a partition being revoked, or the whole intake
// shutting down, may take to finish its current record, wait for its
// output and commit (default 10s; keep it well under the group's rebalance
// timeout, 60s by default). After it, work in flight is abandoned
// uncommitted and will be redelivered.
func WithGrace(d time.Duration) Option { return func(o *options) { o.grace = d } }

// WithClientOptions appends franz-go client options (timeouts, logger,
// client id); they are applied after the intake's own, so they can
// override them. Tests use it to shorten group timeouts.
func WithClientOptions(opts ...kgo.Opt) Option {
	return func(o *options) { o.kgoOpts = append(o.kgoOpts, opts...) }
}

// Intake consumes transactions from Kafka and publishes decisions.
type Intake struct {
	cfg config.Kafka
	dec Decider
	log *slog.Logger
	o   options
	cl  *kgo.Client

	// stop is the parent of every partition's context: Close cancels it
	// to abandon work in flight at once.
	stop  context.Context
	abort context.CancelFunc

	// mu guards parts and closed. The poll loop and the group's callbacks
	// never run at once (BlockRebalanceOnPoll), but Close may come from
	// any goroutine.
	mu     sync.Mutex
	parts  map[topicPartition]*partition
	closed bool

	running   atomic.Bool
	closeOnce sync.Once
}

type topicPartition struct {
	topic string
	part  int32
}

// New builds an Intake from the Kafka configuration (validated by
// config.Validate; New repeats the checks it depends on). It reads the
// SASL password file and the CA file now, but does not connect: Run does.
func New(cfg config.Kafka, d Decider, log *slog.Logger, opts ...Option) (*Intake, error) {
	if d == nil {
		return nil, errors.New("stream: a Decider is required")
	}
	if err := checkConfig(cfg); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	o := options{maxBytes: MaxRecordBytes, minBackoff: 100 * time.Millisecond, maxBackoff: 30 * time.Second,
		grace: 10 * time.Second, maxQueued: 5000, chunk: 500}
	for _, opt := range opts {
		opt(&o)
	}
	if o.minBackoff <= 0 || o.maxBackoff < o.minBackoff {
		return nil, fmt.Errorf("stream: backoff %v..%v: want 0 < min <= max", o.minBackoff, o.maxBackoff)
	}
	in := &Intake{cfg: cfg, dec: d, log: log.With("component", "kafka"), o: o, parts: map[topicPartition]*partition{}}
	in.stop, in.abort = context.WithCancel(context.Background())

	conn, err := connOpts(cfg)
	if err != nil {
		return nil, err
	}
	kopts := []kgo.Opt{
		kgo.SeedBrokers(cfg.Brokers...),
		kgo.ConsumerGroup(cfg.Group),
		kgo.ConsumeTopics(cfg.InputTopic),
		// Offsets are committed by the partition workers, only for records
		// whose decision is stored and whose output is acknowledged.
		kgo.DisableAutoCommit(),
		// Polls and rebalances exclude each other, so records polled before
		// a revocation are never handed to a worker started after it (which
		// would process a partition out of order).
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsRevoked(in.revoked),
		kgo.OnPartitionsLost(in.lost),
		// A group seen for the first time starts at the beginning of the
		// topic: a transaction published before Warden first joined must
		// still be decided.
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		// Idempotent production with all in-sync replicas acknowledging
		// (the franz-go defaults, stated because the commit relies on them).
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.WithLogger(kgoLogger{in.log}),
	}
	kopts = append(kopts, conn...)
	kopts = append(kopts, o.kgoOpts...)
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		return nil, fmt.Errorf("stream: kafka client: %w", err)
	}
	in.cl = cl
	return in, nil
}

// Run consumes until ctx is cancelled (or Close is called), then finishes
// the records in progress within the grace period, commits them, leaves
// the group and returns nil. It may be called once.
func (in *Intake) Run(ctx context.Context) error {
	if !in.running.CompareAndSwap(false, true) {
		return errors.New("stream: Run called twice")
	}
	in.log.Info("kafka intake starting", "brokers", in.cfg.Brokers, "input_topic", in.cfg.InputTopic,
		"output_topic", in.cfg.OutputTopic, "group", in.cfg.Group, "tls", in.cfg.TLS, "sasl", in.cfg.SASLMechanism)
	defer in.shutdown()
	errDelay := in.o.minBackoff
	for {
		fs := in.cl.PollRecords(ctx, 10000)
		if fs.IsClientClosed() {
			return nil
		}
		if ctx.Err() != nil {
			in.cl.AllowRebalance()
			return nil
		}
		failed := false
		fs.EachError(func(topic string, p int32, err error) {
			failed = true
			in.log.Error("kafka fetch failed", "topic", topic, "partition", p, "err", err)
		})
		n := 0
		fs.EachPartition(func(p kgo.FetchTopicPartition) {
			if len(p.Records) > 0 {
				n += len(p.Records)
				in.dispatch(p.Topic, p.Partition, p.Records)
			}
		})
		in.cl.AllowRebalance()
		// Errors without records (brokers unreachable, authentication
		// refused) come back at once: wait a little before polling again
		// rather than spin.
		if failed && n == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(errDelay):
			}
			errDelay = min(2*errDelay, in.o.maxBackoff)
		} else {
			errDelay = in.o.minBackoff
		}
	}
}

// dispatch hands polled records to their partition's worker, starting it
// on first use, and pauses fetching for a partition whose worker is far
// behind so memory stays bounded without blocking the poll loop.
func (in *Intake) dispatch(topic string, part int32, recs []*kgo.Record) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.closed {
		return
	}
	tp := topicPartition{topic, part}
	p := in.parts[tp]
	if p == nil {
		p = newPartition(in, tp)
		in.parts[tp] = p
		go p.run()
	}
	p.enqueue(recs)
}

// revoked finishes the revoked partitions' current records and commits
// them before the partitions move to another member, so the new owner
// starts where this one stopped; records queued but not started are
// dropped uncommitted and the new owner gets them again. After it returns
// no worker for those partitions is left to commit.
func (in *Intake) revoked(_ context.Context, _ *kgo.Client, revoked map[string][]int32) {
	in.stopPartitions(revoked, true)
}

// lost abandons the partitions' work at once: the group has already given
// them to another member, so a commit could only fail or rewind.
func (in *Intake) lost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	in.stopPartitions(lost, false)
}

// stopPartitions stops the workers of the given partitions (all of them
// for nil) and waits for them: soft lets each finish its current record
// and commit within the grace period.
func (in *Intake) stopPartitions(which map[string][]int32, soft bool) {
	in.mu.Lock()
	var stopping []*partition
	for tp, p := range in.parts {
		if which == nil || containsPartition(which[tp.topic], tp.part) {
			stopping = append(stopping, p)
			delete(in.parts, tp)
		}
	}
	in.mu.Unlock()
	if len(stopping) == 0 {
		return
	}
	for _, p := range stopping {
		if soft {
			p.quit()
		} else {
			p.cancel()
		}
	}
	deadline := time.NewTimer(in.o.grace)
	defer deadline.Stop()
	for _, p := range stopping {
		select {
		case <-p.done:
		case <-deadline.C:
			// Out of time: abandon what is left uncommitted, everywhere.
			for _, q := range stopping {
				q.cancel()
			}
			<-p.done
		}
		// A paused partition stays paused in the client across
		// assignments; resume it so that it is fetched if it comes back.
		in.cl.ResumeFetchPartitions(map[string][]int32{p.tp.topic: {p.tp.part}})
	}
}

func containsPartition(ps []int32, p int32) bool {
	for _, q := range ps {
		if q == p {
			return true
		}
	}
	return false
}

// shutdown ends Run: finish and commit in-flight work, then leave the
// group (which calls revoked, with nothing left to do).
func (in *Intake) shutdown() {
	in.mu.Lock()
	in.closed = true
	in.mu.Unlock()
	in.stopPartitions(nil, true)
	in.closeClient()
	in.log.Info("kafka intake stopped")
}

func (in *Intake) closeClient() {
	in.closeOnce.Do(func() {
		// The poll loop may hold the rebalance lock; leaving the group
		// needs it, and every worker is stopped by now.
		in.cl.CloseAllowingRebalance()
	})
}

// Close abandons any work in flight without committing it (it will be
// redelivered), leaves the group and releases the client. For a graceful
// stop cancel Run's context and wait for Run to return first; Close is
// then only the release.
func (in *Intake) Close() {
	in.mu.Lock()
	in.closed = true
	in.mu.Unlock()
	in.abort()
	in.stopPartitions(nil, false)
	in.closeClient()
}

// backoff is the delay before retry attempt n (1-based).
func (in *Intake) backoff(n int) time.Duration {
	d := in.o.minBackoff
	for i := 1; i < n && d < in.o.maxBackoff; i++ {
		d *= 2
	}
	return min(d, in.o.maxBackoff)
}

func (in *Intake) observe(outcome string, start time.Time) {
	if in.o.metrics != nil {
		in.o.metrics.OnRecord(outcome, time.Since(start))
	}
}

// kgoLogger sends franz-go's own log lines (warnings and errors only: its
// info level is chatty per rebalance) to slog.
type kgoLogger struct{ l *slog.Logger }

func (k kgoLogger) Level() kgo.LogLevel { return kgo.LogLevelWarn }

func (k kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	switch level {
	case kgo.LogLevelError:
		k.l.Error(msg, keyvals...)
	case kgo.LogLevelWarn:
		k.l.Warn(msg, keyvals...)
	default:
		k.l.Debug(msg, keyvals...)
	}
}
