package stream

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/monitoring"
)

const (
	inTopic  = "warden.transactions"
	outTopic = "warden.decisions"
	nParts   = 4
)

// memDecider is a Decider that is honest about what the intake relies on:
// it stores a decision before returning it, returns the first decision
// again (Replayed) for an id it has seen, refuses the same id with other
// content, and keeps per-customer running sums that count each id once.
type memDecider struct {
	mu      sync.Mutex
	decided map[string]*monitoring.Decision
	content map[string]monitoring.Transaction
	sums    map[string]int64
	order   map[string][]string // per customer, ids in first-decision order
	calls   map[string]int
	replays int

	// down makes Decide fail as a store outage would, before storing.
	down     atomic.Bool
	failures atomic.Int64
	// after runs once a decision is stored, before Decide returns; an
	// error from it is returned as Decide's (a crash after the store).
	after func(ctx context.Context, tx monitoring.Transaction) error
}

func newMemDecider() *memDecider {
	return &memDecider{decided: map[string]*monitoring.Decision{}, content: map[string]monitoring.Transaction{},
		sums: map[string]int64{}, order: map[string][]string{}, calls: map[string]int{}}
}

func (m *memDecider) Decide(ctx context.Context, tx monitoring.Transaction) (*monitoring.Decision, error) {
	if err := tx.Validate(time.Now()); err != nil {
		return nil, err
	}
	if m.down.Load() {
		m.failures.Add(1)
		return nil, warden.Errorf(warden.EUNAVAILABLE, "store unavailable")
	}
	m.mu.Lock()
	m.calls[tx.ID]++
	if d, ok := m.decided[tx.ID]; ok {
		defer m.mu.Unlock()
		if prev := m.content[tx.ID]; prev.Amount != tx.Amount || prev.CustomerID != tx.CustomerID {
			return nil, warden.FieldErrorf(warden.ECONFLICT, "id", "transaction %s was submitted before with different content", tx.ID)
		}
		m.replays++
		out := *d
		out.Replayed = true
		return &out, nil
	}
	m.sums[tx.CustomerID] += tx.Amount
	d := &monitoring.Decision{TransactionID: tx.ID, Action: monitoring.ActionAllow, Reasons: []monitoring.Reason{}, DecidedAt: time.Now().UTC()}
	if m.sums[tx.CustomerID] > 1_000_000 {
		d.Action, d.Score = monitoring.ActionReview, 30
		d.Reasons = append(d.Reasons, monitoring.Reason{RuleID: "sum", Action: "review", Score: 30,
			Evidence: map[string]any{"sum": m.sums[tx.CustomerID]}})
	}
	m.decided[tx.ID] = d
	m.content[tx.ID] = tx
	m.order[tx.CustomerID] = append(m.order[tx.CustomerID], tx.ID)
	after := m.after
	m.mu.Unlock()
	if after != nil {
		if err := after(ctx, tx); err != nil {
			return nil, err
		}
	}
	out := *d
	return &out, nil
}

func (m *memDecider) count() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.decided)
}

// snapshot returns copies of the sums, orders and call counts.
func (m *memDecider) snapshot() (sums map[string]int64, order map[string][]string, calls map[string]int, replays int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	order = map[string][]string{}
	for k, v := range m.order {
		order[k] = slices.Clone(v)
	}
	sums = map[string]int64{}
	for k, v := range m.sums {
		sums[k] = v
	}
	calls = map[string]int{}
	for k, v := range m.calls {
		calls[k] = v
	}
	return sums, order, calls, m.replays
}

// newCluster starts an in-process Kafka broker with both topics.
func newCluster(t *testing.T, opts ...kfake.Opt) *kfake.Cluster {
	t.Helper()
	opts = append([]kfake.Opt{kfake.NumBrokers(1), kfake.SeedTopics(nParts, inTopic, outTopic)}, opts...)
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

func kafkaConfig(c *kfake.Cluster, group string) config.Kafka {
	return config.Kafka{Brokers: c.ListenAddrs(), InputTopic: inTopic, OutputTopic: outTopic, Group: group}
}

// testOpts keeps the group quick to form and records quick to arrive.
func testOpts() []Option {
	return []Option{WithBackoff(10*time.Millisecond, 100*time.Millisecond), WithGrace(5 * time.Second),
		WithClientOptions(kgo.FetchMaxWait(100*time.Millisecond), kgo.SessionTimeout(6*time.Second),
			kgo.HeartbeatInterval(500*time.Millisecond))}
}

// running is an Intake started in the background.
type running struct {
	in     *Intake
	cancel context.CancelFunc
	errc   chan error
	once   sync.Once
}

// stop cancels Run, waits for it (a graceful stop) and releases the client.
func (r *running) stop(t *testing.T) {
	t.Helper()
	r.once.Do(func() {
		r.cancel()
		select {
		case err := <-r.errc:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("Run did not return within 15s of cancellation")
		}
		r.close(t)
	})
}

// kill abandons everything in flight, uncommitted, as a crash would.
func (r *running) kill(t *testing.T) {
	t.Helper()
	r.once.Do(func() {
		r.close(t)
		r.cancel()
		select {
		case <-r.errc:
		case <-time.After(15 * time.Second):
			t.Error("Run did not return within 15s of Close")
		}
	})
}

// close calls Close, failing the test rather than hanging if it blocks.
func (r *running) close(t *testing.T) {
	t.Helper()
	closed := make(chan struct{})
	go func() {
		r.in.Close()
		close(closed)
	}()
	recv(t, closed, "Close to return")
}

func start(t *testing.T, cfg config.Kafka, d Decider, opts ...Option) *running {
	t.Helper()
	in, err := New(cfg, d, slog.New(slog.DiscardHandler), append(testOpts(), opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{in: in, cancel: cancel, errc: make(chan error, 1)}
	go func() { r.errc <- in.Run(ctx) }()
	t.Cleanup(func() { r.stop(t) })
	return r
}

// input is one transaction as published, in publication order.
type input struct {
	tx  monitoring.Transaction
	key string
}

// makeTxs builds n transactions per customer, interleaved, amounts 1000
// times their index so that sums are easy to check.
func makeTxs(customers []string, n int) []input {
	base := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	var out []input
	for i := range n {
		for j, c := range customers {
			tx := monitoring.Transaction{ID: fmt.Sprintf("%s-%03d", c, i), Time: base.Add(time.Duration(i*len(customers)+j) * time.Second),
				CustomerID: c, AccountID: "acct-" + c, Amount: int64(1000 * (i + 1)), Currency: "KES", Direction: "in", Channel: "mobile_money"}
			out = append(out, input{tx: tx, key: c})
		}
	}
	return out
}

func expectedSums(txs []input) map[string]int64 {
	s := map[string]int64{}
	for _, in := range txs {
		s[in.tx.CustomerID] += in.tx.Amount
	}
	return s
}

func expectedOrder(txs []input) map[string][]string {
	o := map[string][]string{}
	for _, in := range txs {
		o[in.tx.CustomerID] = append(o[in.tx.CustomerID], in.tx.ID)
	}
	return o
}

// client is a plain franz-go client for producing input and reading
// output and offsets, outside any group.
func client(t *testing.T, c *kfake.Cluster, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(c.ListenAddrs()...)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func publish(t *testing.T, cl *kgo.Client, txs []input) {
	t.Helper()
	var recs []*kgo.Record
	for _, in := range txs {
		v, err := json.Marshal(in.tx)
		if err != nil {
			t.Fatal(err)
		}
		recs = append(recs, &kgo.Record{Topic: inTopic, Key: []byte(in.key), Value: v})
	}
	publishRaw(t, cl, recs...)
}

func publishRaw(t *testing.T, cl *kgo.Client, recs ...*kgo.Record) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := cl.ProduceSync(ctx, recs...).FirstErr(); err != nil {
		t.Fatalf("publish: %v", err)
	}
}

// output is one record read back from the output topic.
type output struct {
	rec      *kgo.Record
	decision *DecisionValue
	err      *ErrorValue
}

func header(r *kgo.Record, k string) string {
	for _, h := range r.Headers {
		if h.Key == k {
			return string(h.Value)
		}
	}
	return ""
}

// outputReader reads the output topic from the start, outside any group.
type outputReader struct {
	cl  *kgo.Client
	all []output
}

func newOutputReader(t *testing.T, c *kfake.Cluster, opts ...kgo.Opt) *outputReader {
	opts = append([]kgo.Opt{kgo.ConsumeTopics(outTopic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
		kgo.FetchMaxWait(100 * time.Millisecond)}, opts...)
	return &outputReader{cl: client(t, c, opts...)}
}

// until reads until done(all records so far) holds, failing the test
// after the deadline.
func (o *outputReader) until(t *testing.T, what string, done func([]output) bool) []output {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !done(o.all) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %d output records", what, len(o.all))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		fs := o.cl.PollFetches(ctx)
		cancel()
		fs.EachRecord(func(r *kgo.Record) {
			out := output{rec: r}
			if header(r, HeaderError) != "" {
				out.err = &ErrorValue{}
				decodeStrict(t, r.Value, out.err)
			} else {
				out.decision = &DecisionValue{}
				decodeStrict(t, r.Value, out.decision)
			}
			o.all = append(o.all, out)
		})
	}
	return o.all
}

func decodeStrict(t *testing.T, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("output record %s: %v", b, err)
	}
}

// decidedIDs is the set of transaction ids with a decision on the output.
func decidedIDs(outs []output) map[string]int {
	ids := map[string]int{}
	for _, o := range outs {
		if o.decision != nil {
			ids[o.decision.TransactionID]++
		}
	}
	return ids
}

func hasAll(txs []input) func([]output) bool {
	return func(outs []output) bool {
		ids := decidedIDs(outs)
		for _, in := range txs {
			if ids[in.tx.ID] == 0 {
				return false
			}
		}
		return true
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// committed returns the group's committed offset per input partition
// (absent: none) and the input partitions' end offsets.
func committed(t *testing.T, cl *kgo.Client, group string) (commits, ends map[int32]int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	adm := kadm.NewClient(cl)
	offs, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		t.Fatalf("fetch offsets: %v", err)
	}
	commits = map[int32]int64{}
	offs.Each(func(o kadm.OffsetResponse) {
		if o.Topic == inTopic && o.Err == nil && o.At >= 0 {
			commits[o.Partition] = o.At
		}
	})
	listed, err := adm.ListEndOffsets(ctx, inTopic)
	if err != nil {
		t.Fatalf("list end offsets: %v", err)
	}
	ends = map[int32]int64{}
	listed.Each(func(o kadm.ListedOffset) { ends[o.Partition] = o.Offset })
	return commits, ends
}

// waitCommittedToEnd waits until the group has committed every input
// partition up to its end.
func waitCommittedToEnd(t *testing.T, cl *kgo.Client, group string) {
	t.Helper()
	waitFor(t, "offsets committed to the end of every partition", func() bool {
		commits, ends := committed(t, cl, group)
		for p, end := range ends {
			if end > 0 && commits[p] != end {
				return false
			}
		}
		return true
	})
}

// firstOrder gives, per customer, the ids on the output in order of first
// appearance.
func firstOrder(outs []output) map[string][]string {
	seen := map[string]bool{}
	o := map[string][]string{}
	for _, out := range outs {
		if d := out.decision; d != nil && !seen[d.TransactionID] {
			seen[d.TransactionID] = true
			o[d.CustomerID] = append(o[d.CustomerID], d.TransactionID)
		}
	}
	return o
}

// metricsRecorder counts outcomes.
type metricsRecorder struct {
	mu sync.Mutex
	n  map[string]int
}

func (m *metricsRecorder) OnRecord(outcome string, _ time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.n == nil {
		m.n = map[string]int{}
	}
	m.n[outcome]++
}

func (m *metricsRecorder) get(outcome string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.n[outcome]
}

// recv waits for ch to close, failing the test after the deadline rather
// than hanging it.
func recv(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(15 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}
