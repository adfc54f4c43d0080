package stream

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/wardenhq/warden/monitoring"
)

func checkCountedOnce(t *testing.T, d *memDecider, txs []input) {
	t.Helper()
	sums, order, _, _ := d.snapshot()
	if want := expectedSums(txs); !maps.Equal(sums, want) {
		t.Errorf("per-customer sums %v, want %v (a transaction counted twice or not at all)", sums, want)
	}
	for c, want := range expectedOrder(txs) {
		if !slices.Equal(order[c], want) {
			t.Errorf("customer %s decided in order %v, want %v", c, order[c], want)
		}
	}
}

func TestHappyPathDecidesEveryTransactionInCustomerOrder(t *testing.T) {
	c := newCluster(t)
	cl := client(t, c)
	txs := makeTxs([]string{"cust-a", "cust-b", "cust-c", "cust-d", "cust-e"}, 12)
	publish(t, cl, txs)

	dec := newMemDecider()
	m := &metricsRecorder{}
	start(t, kafkaConfig(c, "g-happy"), dec, WithMetrics(m))

	outs := newOutputReader(t, c).until(t, "a decision for every transaction", hasAll(txs))
	if len(outs) != len(txs) {
		t.Errorf("%d output records for %d transactions", len(outs), len(txs))
	}
	if got, want := firstOrder(outs), expectedOrder(txs); !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("output order per customer %v, want %v", got, want)
	}
	for _, o := range outs {
		d := o.decision
		if d == nil || d.Decision == nil || d.Decision.TransactionID != d.TransactionID {
			t.Fatalf("bad output record %s", o.rec.Value)
		}
		if string(o.rec.Key) != d.CustomerID || header(o.rec, HeaderAction) != d.Decision.Action || d.Decision.Replayed {
			t.Errorf("output %s: key %q, headers %v", o.rec.Value, o.rec.Key, o.rec.Headers)
		}
	}
	checkCountedOnce(t, dec, txs)
	waitCommittedToEnd(t, cl, "g-happy")
	if m.get(OutcomeDecided) != len(txs) || m.get(OutcomeReplayed) != 0 || m.get(OutcomeRejected) != 0 {
		t.Errorf("metrics %v", m.n)
	}
}

func TestRestartAfterGracefulStopRedeliversNothing(t *testing.T) {
	c := newCluster(t)
	cl := client(t, c)
	txs := makeTxs([]string{"c1", "c2", "c3"}, 60)
	publish(t, cl, txs)
	dec := newMemDecider()
	// From the 40th decision on, workers hold after storing until the stop
	// has been requested, so the stop lands mid-stream every time.
	gate, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	dec.after = func(ctx context.Context, tx monitoring.Transaction) error {
		if dec.count() >= 40 {
			once.Do(func() { close(gate) })
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		return nil
	}

	first := start(t, kafkaConfig(c, "g-graceful"), dec)
	recv(t, gate, "40 decisions")
	first.in.mu.Lock()
	var workers []*partition
	for _, p := range first.in.parts {
		workers = append(workers, p)
	}
	first.in.mu.Unlock()
	first.cancel()
	waitFor(t, "every worker asked to stop", func() bool {
		for _, p := range workers {
			select {
			case <-p.quitCh:
			default:
				return false
			}
		}
		return true
	})
	close(release)
	first.stop(t)
	decidedBefore := dec.count()
	if decidedBefore >= len(txs) {
		t.Fatalf("the stop came too late to test anything: %d of %d decided", decidedBefore, len(txs))
	}
	// Graceful: every decision made was published and committed, nothing
	// more.
	commits, _ := committed(t, cl, "g-graceful")
	var sum int64
	for _, off := range commits {
		sum += off
	}
	if sum != int64(decidedBefore) {
		t.Errorf("committed %d records after a graceful stop, decided %d", sum, decidedBefore)
	}

	dec.after = nil
	start(t, kafkaConfig(c, "g-graceful"), dec)
	outs := newOutputReader(t, c).until(t, "every decision", hasAll(txs))
	_, _, calls, replays := dec.snapshot()
	if replays != 0 || len(calls) != len(txs) {
		t.Errorf("after a graceful restart: %d replays, %d ids decided", replays, len(calls))
	}
	if ids := decidedIDs(outs); len(ids) != len(txs) {
		t.Errorf("%d distinct decisions on the output", len(ids))
	}
	checkCountedOnce(t, dec, txs)
	waitCommittedToEnd(t, cl, "g-graceful")
}

// A crash after a decision is stored and before its output and commit:
// the restarted consumer gets the transaction again, the decider answers
// with the first decision (Replayed) and counts nothing twice.
func TestCrashBetweenDecideAndCommitRedeliversAndReplays(t *testing.T) {
	c := newCluster(t)
	cl := client(t, c)
	txs := makeTxs([]string{"c1", "c2", "c3", "c4"}, 25)
	publish(t, cl, txs)
	const victim = "c2-012"

	dec := newMemDecider()
	crashed := make(chan struct{})
	dec.after = func(ctx context.Context, tx monitoring.Transaction) error {
		if tx.ID != victim {
			return nil
		}
		// Stored; now "crash": hold until the intake is killed.
		close(crashed)
		<-ctx.Done()
		return ctx.Err()
	}
	first := start(t, kafkaConfig(c, "g-crash"), dec)
	recv(t, crashed, "the victim's decision")
	first.kill(t)

	// The victim's offset was not committed (nor anything after it on its
	// partition).
	victimRec := findInput(t, c, victim)
	commits, _ := committed(t, cl, "g-crash")
	if at, ok := commits[victimRec.Partition]; ok && at > victimRec.Offset {
		t.Fatalf("offset %d committed on partition %d past the crashed record at %d", at, victimRec.Partition, victimRec.Offset)
	}
	dec.after = nil
	sumsBefore, _, _, _ := dec.snapshot()

	start(t, kafkaConfig(c, "g-crash"), dec)
	outs := newOutputReader(t, c).until(t, "every decision after restart", hasAll(txs))
	checkCountedOnce(t, dec, txs)
	_, _, calls, replays := dec.snapshot()
	if calls[victim] != 2 || replays < 1 {
		t.Errorf("victim decided %d times, %d replays; want 2 and at least 1", calls[victim], replays)
	}
	if sumsBefore["c2"] >= expectedSums(txs)["c2"] {
		t.Fatalf("c2 fully counted before the restart: the test proves nothing")
	}
	var replayedOut bool
	for _, o := range outs {
		if o.decision != nil && o.decision.TransactionID == victim {
			replayedOut = o.decision.Decision.Replayed && header(o.rec, HeaderReplayed) == "true"
		}
	}
	if !replayedOut {
		t.Errorf("the crashed transaction's output is not the replayed first decision")
	}
	// Output is at-least-once: duplicates allowed, but first appearances
	// keep each customer's order.
	if got, want := firstOrder(outs), expectedOrder(txs); !maps.EqualFunc(got, want, slices.Equal) {
		t.Errorf("output order per customer %v, want %v", got, want)
	}
	waitCommittedToEnd(t, cl, "g-crash")
}

// findInput reads the input record of a transaction id.
func findInput(t *testing.T, c interface{ ListenAddrs() []string }, id string) *kgo.Record {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.ConsumeTopics(inTopic),
		kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var found *kgo.Record
	waitFor(t, "input record "+id, func() bool {
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			if strings.Contains(string(r.Value), `"id":"`+id+`"`) {
				found = r
			}
		})
		return found != nil
	})
	return found
}

func TestBadRecordsBecomeErrorRecordsAndThePartitionContinues(t *testing.T) {
	c := newCluster(t)
	cl := client(t, c)
	good := makeTxs([]string{"c9"}, 3)
	enc := func(tx monitoring.Transaction) string {
		var b strings.Builder
		fmt.Fprintf(&b, `{"id":%q,"time":%q,"customer_id":%q,"account_id":"a1","amount":%d,"currency":"KES","direction":"in","channel":"cash"}`,
			tx.ID, tx.Time.Format("2006-01-02T15:04:05Z07:00"), tx.CustomerID, tx.Amount)
		return b.String()
	}
	changed := good[0].tx
	changed.Amount++
	bad := []struct {
		value, key  string
		code, field string
	}{
		{"not json", "c9", "invalid", ""},
		{`{"id":"x1","bogus":1}`, "c9", "invalid", "bogus"},
		{enc(good[1].tx) + `{"id":"x2"}`, "c9", "invalid", ""},
		{`{"id":"x3","amount":"12"}`, "c9", "invalid", "amount"},
		{strings.Replace(enc(good[1].tx), `"amount":2000`, `"amount":-5`, 1), "c9", "invalid", "amount"},
		{`{"id":"x4","metadata":{"k":"` + strings.Repeat("v", 2000) + `"}}`, "c9", "too_large", ""},
		{enc(good[2].tx), "someone-else", "invalid", "customer_id"},
		{enc(changed), "c9", "conflict", "id"},
		{"", "c9", "invalid", ""},
	}
	var recs []*kgo.Record
	recs = append(recs, &kgo.Record{Topic: inTopic, Key: []byte("c9"), Value: []byte(enc(good[0].tx))})
	for _, b := range bad {
		// All on the partition of c9 (explicitly: one key differs).
		recs = append(recs, &kgo.Record{Topic: inTopic, Key: []byte(b.key), Value: []byte(b.value)})
	}
	recs = append(recs, &kgo.Record{Topic: inTopic, Key: []byte("c9"), Value: []byte(enc(good[1].tx))},
		&kgo.Record{Topic: inTopic, Key: []byte("c9"), Value: []byte(enc(good[2].tx))})
	pcl := client(t, c, kgo.RecordPartitioner(kgo.ManualPartitioner()))
	for _, r := range recs {
		r.Partition = 2
	}
	publishRaw(t, pcl, recs...)

	dec := newMemDecider()
	m := &metricsRecorder{}
	start(t, kafkaConfig(c, "g-poison"), dec, WithMaxRecordBytes(1024), WithMetrics(m))
	outs := newOutputReader(t, c).until(t, "every record answered", func(o []output) bool { return len(o) >= len(recs) })
	if len(outs) != len(recs) {
		t.Fatalf("%d outputs for %d inputs", len(outs), len(recs))
	}
	if outs[0].decision == nil || outs[0].decision.TransactionID != good[0].tx.ID {
		t.Fatalf("first output %s", outs[0].rec.Value)
	}
	for i, b := range bad {
		o := outs[1+i]
		if o.err == nil {
			t.Errorf("bad record %d (%.40q): output %s is not an error record", i, b.value, o.rec.Value)
			continue
		}
		e := o.err
		if e.Error.Code != b.code || e.Error.Field != b.field || e.Error.Message == "" || header(o.rec, HeaderError) != b.code {
			t.Errorf("bad record %d (%.40q): error %+v, header %q; want code %s field %q", i, b.value, e.Error, header(o.rec, HeaderError), b.code, b.field)
		}
		if e.Topic != inTopic || e.Partition != 2 || e.Offset != int64(1+i) || string(o.rec.Key) != b.key {
			t.Errorf("bad record %d: position %s/%d/%d key %q", i, e.Topic, e.Partition, e.Offset, o.rec.Key)
		}
	}
	if e := outs[1+len(bad)-2].err; e == nil || e.TransactionID != good[0].tx.ID {
		t.Errorf("the conflict's error record does not name the transaction: %+v", e)
	}
	for i, g := range good[1:] {
		if o := outs[1+len(bad)+i]; o.decision == nil || o.decision.TransactionID != g.tx.ID {
			t.Errorf("after the bad records: output %s, want the decision on %s", o.rec.Value, g.tx.ID)
		}
	}
	if m.get(OutcomeRejected) != len(bad) || m.get(OutcomeDecided) != len(good) {
		t.Errorf("metrics %v", m.n)
	}
	waitCommittedToEnd(t, cl, "g-poison")
}

// A store outage is retried with backoff and nothing is committed or
// published until the decision is stored.
func TestTransientFailuresRetryWithoutCommitting(t *testing.T) {
	c := newCluster(t)
	cl := client(t, c)
	txs := makeTxs([]string{"c1", "c2"}, 2)
	dec := newMemDecider()
	dec.down.Store(true)
	m := &metricsRecorder{}
	publish(t, cl, txs)
	start(t, kafkaConfig(c, "g-transient"), dec, WithMetrics(m))

	waitFor(t, "several failed attempts", func() bool { return dec.failures.Load() >= 6 })
	commits, _ := committed(t, cl, "g-transient")
	for p, at := range commits {
		if at > 0 {
			t.Errorf("partition %d committed to %d while the store was down", p, at)
		}
	}
	if n := outputCount(t, cl); n != 0 {
		t.Errorf("%d output records while the store was down", n)
	}
	if dec.count() != 0 || m.get(OutcomeRetry) < 6 {
		t.Errorf("decided %d, retries reported %d", dec.count(), m.get(OutcomeRetry))
	}

	dec.down.Store(false)
	newOutputReader(t, c).until(t, "decisions once the store is back", hasAll(txs))
	checkCountedOnce(t, dec, txs)
	waitCommittedToEnd(t, cl, "g-transient")
}

func outputCount(t *testing.T, cl *kgo.Client) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	listed, err := kadm.NewClient(cl).ListEndOffsets(ctx, outTopic)
	if err == nil {
		err = listed.Error()
	}
	if err != nil {
		t.Fatalf("list output end offsets: %v", err)
	}
	var total int64
	listed.Each(func(o kadm.ListedOffset) { total += o.Offset })
	return total
}

// memberDecider counts what one member decided, slowly enough that the
// second member joins while the first still has work.
type memberDecider struct {
	*memDecider
	n atomic.Int64
}

func (m *memberDecider) Decide(ctx context.Context, tx monitoring.Transaction) (*monitoring.Decision, error) {
	m.n.Add(1)
	time.Sleep(2 * time.Millisecond) // load shaping, not synchronisation
	return m.memDecider.Decide(ctx, tx)
}

// A second member joins mid-stream and takes partitions from the first:
// the first finishes its current record and commits before giving a
// partition up, and the second starts where it stopped, so every
// transaction is decided once, in customer order.
func TestRebalanceToASecondMemberKeepsOrderAndCounts(t *testing.T) {
	c := newCluster(t)
	cl := client(t, c)
	txs := makeTxs([]string{"c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8"}, 150)
	half := len(txs) / 2
	publish(t, cl, txs[:half])

	dec := newMemDecider()
	da, db := &memberDecider{memDecider: dec}, &memberDecider{memDecider: dec}
	start(t, kafkaConfig(c, "g-rebalance"), da)
	waitFor(t, "the first member to start", func() bool { return dec.count() >= 20 })
	var assigned atomic.Bool
	start(t, kafkaConfig(c, "g-rebalance"), db, WithClientOptions(kgo.OnPartitionsAssigned(
		func(_ context.Context, _ *kgo.Client, ps map[string][]int32) {
			if len(ps[inTopic]) > 0 {
				assigned.Store(true)
			}
		})))
	waitFor(t, "the second member to own partitions", assigned.Load)
	t.Logf("rebalanced with %d of %d decided", dec.count(), len(txs))
	// The second half lands on every partition, the second member's too.
	publish(t, cl, txs[half:])

	newOutputReader(t, c).until(t, "every decision across the rebalance", hasAll(txs))
	checkCountedOnce(t, dec, txs)
	waitCommittedToEnd(t, cl, "g-rebalance")
	// Handed over at a committed offset: nothing was decided twice.
	if _, _, calls, replays := dec.snapshot(); replays != 0 || len(calls) != len(txs) {
		t.Errorf("%d replays across the rebalance", replays)
	}
	if da.n.Load() == 0 || db.n.Load() == 0 {
		t.Errorf("decisions by member: %d and %d", da.n.Load(), db.n.Load())
	}
}
