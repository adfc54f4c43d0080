package monitoring_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/pgtest"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/store/postgres"
	"github.com/wardenhq/warden/store/sqlstore"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func openPostgres(t testing.TB, dsn string, migrate bool) *sqlstore.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if migrate {
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

// replicaRules aggregate per customer and per account.
func replicaRules() []monitoring.Rule {
	return []monitoring.Rule{
		{ID: "day.total", Description: "daily total", Action: "review", Score: 30, Severity: "medium",
			Expression: "by_customer.sum(duration('24h')) + tx.amount > 1000000",
			Evidence:   map[string]string{"prior": "by_customer.sum(duration('24h'))", "count": "by_customer.count(duration('24h'))"}},
		{ID: "account.burst", Description: "many on one account", Action: "review", Score: 10, Severity: "low",
			Expression: "by_account.count(duration('1h')) >= 5",
			Evidence:   map[string]string{"account_count": "by_account.count(duration('1h'))"}},
	}
}

// replica is one process on a shared PostgreSQL store, clock at now.
func replica(t *testing.T, db *sqlstore.DB) *env {
	e := newEnvOn(t, db, replicaRules(), true)
	e.now = time.Now().UTC().Add(-time.Hour)
	return e
}

type outcome struct {
	action string
	prior  any
	count  any
}

func outcomeOf(d *monitoring.Decision) outcome {
	o := outcome{action: d.Action}
	for _, r := range d.Reasons {
		if r.RuleID == "day.total" {
			o.prior, o.count = r.Evidence["prior"], r.Evidence["count"]
		}
	}
	return o
}

// workload: per customer, transactions in time order; customers 0..n-1.
func workload(customers, per int) [][]monitoring.Transaction {
	base := time.Now().UTC().Add(-2 * time.Hour)
	out := make([][]monitoring.Transaction, customers)
	rng := rand.New(rand.NewPCG(7, 9))
	for c := range customers {
		for i := range per {
			out[c] = append(out[c], monitoring.Transaction{ID: fmt.Sprintf("r-%d-%d", c, i), Time: base.Add(time.Duration(i) * time.Minute),
				CustomerID: fmt.Sprintf("c%d", c), AccountID: fmt.Sprintf("a%d", c%3), Amount: int64(10000 + rng.IntN(90000)),
				Currency: "KES", Direction: "out", Channel: "mobile_money"})
		}
	}
	return out
}

func run(t *testing.T, svcs []*monitoring.Service, work [][]monitoring.Transaction) map[string]outcome {
	t.Helper()
	var mu sync.Mutex
	got := map[string]outcome{}
	var wg sync.WaitGroup
	for c, txs := range work {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			for _, tx := range txs {
				d, err := svcs[rng.IntN(len(svcs))].Decide(context.Background(), tx)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				got[tx.ID] = outcomeOf(d)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return got
}

// Two processes sharing one PostgreSQL decide exactly as one process does:
// each customer's transactions see every earlier one, whichever replica
// decided it. Account windows are shared by several customers submitting
// concurrently, so the account rule is compared in aggregate.
func TestTwoReplicasDecideAsOne(t *testing.T) {
	work := workload(12, 25)
	single := replica(t, openPostgres(t, pgtest.NewDatabase(t), true))
	want := run(t, []*monitoring.Service{single.svc}, work)

	dsn := pgtest.NewDatabase(t)
	a := replica(t, openPostgres(t, dsn, true))
	b := replica(t, openPostgres(t, dsn, false))
	got := run(t, []*monitoring.Service{a.svc, b.svc}, work)
	if len(got) != len(want) {
		t.Fatalf("%d decisions, want %d", len(got), len(want))
	}
	reviews := 0
	for id, w := range want {
		g := got[id]
		if g.prior != w.prior || g.count != w.count || (w.prior != nil) != (g.prior != nil) {
			t.Errorf("%s: two replicas %+v, one process %+v", id, g, w)
		}
		if w.action == monitoring.ActionReview {
			reviews++
		}
	}
	if reviews == 0 {
		t.Fatal("the workload never crossed the daily total: the comparison proves nothing")
	}
	// After everything, both replicas see the same, complete windows.
	ctx := context.Background()
	for c := range work {
		total := int64(0)
		for _, tx := range work[c] {
			total += tx.Amount
		}
		probe := work[c][len(work[c])-1]
		for i, svc := range []*monitoring.Service{a.svc, b.svc} {
			p := probe
			p.ID, p.Time, p.Amount = fmt.Sprintf("probe-%d-%d", c, i), probe.Time.Add(time.Second), 2000000
			d, err := svc.Decide(ctx, p)
			if err != nil {
				t.Fatal(err)
			}
			prior := outcomeOf(d).prior.(int64)
			if i == 1 {
				total += 2000000 // replica a's probe counts for b
			}
			if prior != total {
				t.Errorf("customer %d on replica %d: window total %d, want %d", c, i, prior, total)
			}
		}
	}
}

// The same transaction sent to both replicas at once is decided once.
func TestReplicasDecideAResubmissionOnce(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	a := replica(t, openPostgres(t, dsn, true))
	b := replica(t, openPostgres(t, dsn, false))
	tx := workload(1, 1)[0][0]
	var wg sync.WaitGroup
	ds := make([]*monitoring.Decision, 8)
	for i := range ds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := []*monitoring.Service{a.svc, b.svc}[i%2]
			d, err := svc.Decide(context.Background(), tx)
			if err != nil {
				t.Error(err)
				return
			}
			ds[i] = d
		}()
	}
	wg.Wait()
	fresh := 0
	for _, d := range ds {
		if d != nil && !d.Replayed {
			fresh++
		}
	}
	if fresh != 1 {
		t.Fatalf("%d first decisions, want 1", fresh)
	}
	p := tx
	p.ID, p.Time = "probe", tx.Time.Add(time.Second)
	d, err := b.svc.Decide(context.Background(), p)
	if err != nil || outcomeOf(d).count != nil && outcomeOf(d).count != int64(1) {
		t.Fatalf("probe %+v %v", d, err)
	}
}
