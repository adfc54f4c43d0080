package stream

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/store/sqlite"
)

// The Decider the intake is wired to in warden serve.
var _ Decider = (*monitoring.Service)(nil)

type unknownCustomers struct{}

func (unknownCustomers) Profile(_ context.Context, id string) (*monitoring.CustomerProfile, error) {
	return &monitoring.CustomerProfile{ID: id}, nil
}

// newService is the monitoring service on a fresh SQLite store with one
// rule: review when the customer's 24-hour total passes 1,000,000.
func newService(t *testing.T) *monitoring.Service {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	comp, err := monitoring.NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	book := monitoring.NewRuleBook(comp, db, nil)
	rules := []monitoring.Rule{{ID: "day.total", Description: "daily total over 10,000.00", Action: "review", Score: 30, Severity: "medium",
		Expression: "by_customer.sum(duration('24h')) + tx.amount > 1000000",
		Evidence:   map[string]string{"prior": "by_customer.sum(duration('24h'))"}}}
	if _, err := book.Sync(ctx, rules, "test"); err != nil {
		t.Fatal(err)
	}
	if err := book.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	svc, err := monitoring.NewService(monitoring.Config{Store: db, Customers: unknownCustomers{}, Rules: book})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(svc.Close)
	return svc
}

// crashAfter passes decisions through until the nth, which it stores and
// then "crashes" on: it holds until its context is cancelled.
type crashAfter struct {
	Decider
	n       int64
	seen    atomic.Int64
	crashed chan struct{}
}

func (c *crashAfter) Decide(ctx context.Context, tx monitoring.Transaction) (*monitoring.Decision, error) {
	d, err := c.Decider.Decide(ctx, tx)
	if err == nil && c.seen.Add(1) == c.n {
		close(c.crashed)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return d, err
}

// The real service on SQLite behind the intake, with a crash after a
// stored decision: after the restart every transaction has its decision,
// the redelivered one is the first decision replayed, and the running
// totals the rule sees count every transaction exactly once.
func TestMonitoringServiceThroughKafkaWithACrash(t *testing.T) {
	c := newCluster(t)
	cl := client(t, c)
	svc := newService(t)
	// Two customers, 8 transactions of 200,000 each (amounts vary in
	// makeTxs; set them equal so the threshold is easy to state).
	txs := makeTxs([]string{"c1", "c2"}, 8)
	for i := range txs {
		txs[i].tx.Amount = 200000
	}
	publish(t, cl, txs)

	first := &crashAfter{Decider: svc, n: 5, crashed: make(chan struct{})}
	r := start(t, kafkaConfig(c, "g-service"), first)
	recv(t, first.crashed, "the 5th decision")
	r.kill(t)

	start(t, kafkaConfig(c, "g-service"), svc)
	outs := newOutputReader(t, c).until(t, "every decision from the service", hasAll(txs))
	replayed := 0
	last := map[string]*monitoring.Decision{}
	for _, o := range outs {
		d := o.decision
		if d == nil {
			t.Fatalf("error record %s", o.rec.Value)
		}
		if d.Decision.Replayed {
			replayed++
		}
		last[d.TransactionID] = d.Decision
	}
	if replayed == 0 {
		t.Error("no replayed decision after the crash")
	}
	for _, in := range txs {
		d := last[in.tx.ID]
		var idx int
		if _, err := fmt.Sscanf(strings.TrimPrefix(in.tx.ID, in.tx.CustomerID+"-"), "%d", &idx); err != nil {
			t.Fatal(err)
		}
		// The 6th transaction (index 5) is the first to take the total
		// past 1,000,000; its prior total is 5 x 200,000 exactly when
		// nothing was counted twice.
		want := monitoring.ActionAllow
		if idx >= 5 {
			want = monitoring.ActionReview
		}
		if d.Action != want {
			t.Errorf("%s: %s, want %s", in.tx.ID, d.Action, want)
			continue
		}
		if want == monitoring.ActionReview {
			if prior := d.Reasons[0].Evidence["prior"]; prior != float64(200000*idx) {
				t.Errorf("%s: prior total %v, want %d (counted twice?)", in.tx.ID, prior, 200000*idx)
			}
		}
	}
	waitCommittedToEnd(t, cl, "g-service")
}
