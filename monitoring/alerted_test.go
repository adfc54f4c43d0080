package monitoring_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/store/sqlstore"
)

// refusingMarks is a real store whose separate MarkAlerted always fails:
// decisions can then leave the alert outbox only in the transaction that
// raises their alerts.
type refusingMarks struct {
	*sqlstore.DB
	calls atomic.Int64
}

func (r *refusingMarks) MarkAlerted(context.Context, []string) error {
	r.calls.Add(1)
	return errors.New("injected: separate marks refused")
}

// A review's alerts and the end of its alert outbox flag commit in one
// transaction, on both stores: a crash between them cannot make the
// sweeper raise the alerts again.
func TestAlertsAndTheirMarksCommitTogether(t *testing.T) {
	for name, open := range bothStores() {
		t.Run(name, func(t *testing.T) {
			rules := []monitoring.Rule{{ID: "big", Description: "big", Action: "review", Score: 50, Severity: "high", Expression: "tx.amount > 1000"}}
			e := newEnvOn(t, open(t), rules, name == "postgres")
			store := &refusingMarks{DB: e.db}
			svc := e.service(store, e.alerts, name == "postgres")
			defer svc.Close()
			for i, amount := range []int64{5000, 6000, 10} {
				tx := e.tx("c1", amount, "out", "mobile_money")
				tx.ID = []string{"m-1", "m-2", "m-3"}[i]
				if _, err := svc.Decide(context.Background(), tx); err != nil {
					t.Fatal(err)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := svc.WaitAlerts(ctx); err != nil {
				t.Fatalf("decisions still wait for their alerts: %v", err)
			}
			if n := store.calls.Load(); n != 0 {
				t.Fatalf("%d separate MarkAlerted calls", n)
			}
			as, err := e.alerts.List(context.Background(), cases.Filter{CustomerID: "c1"})
			if err != nil || len(as) != 1 || as[0].Hits != 2 {
				t.Fatalf("alerts %+v %v, want one with 2 hits", as, err)
			}
		})
	}
}

// chunkRecorder is a real alert service that refuses to raise until open
// and records how many alerts each batch it raised held.
type chunkRecorder struct {
	*cases.Alerts
	open    atomic.Bool
	refused atomic.Int64 // alerts refused
	mu      sync.Mutex
	sizes   []int
}

func (c *chunkRecorder) RaiseBatch(ctx context.Context, rs []cases.Raise) ([]*cases.Alert, error) {
	if !c.open.Load() {
		c.refused.Add(int64(len(rs)))
		return nil, errors.New("injected: alerts refused")
	}
	c.mu.Lock()
	c.sizes = append(c.sizes, len(rs))
	c.mu.Unlock()
	return c.Alerts.RaiseBatch(ctx, rs)
}

// Alerts are raised at most monitoring.MaxAlertTx decisions a store
// transaction, so that a large batch does not hold the single SQLite writer
// that decisions' commits wait for; every alert is still raised once.
func TestAlertsRaisedInBoundedTransactions(t *testing.T) {
	for name, open := range bothStores() {
		t.Run(name, func(t *testing.T) {
			rules := []monitoring.Rule{{ID: "big", Description: "big", Action: "review", Score: 50, Severity: "high", Expression: "tx.amount > 1000"}}
			e := newEnvOn(t, open(t), rules, name == "postgres")
			rec := &chunkRecorder{Alerts: e.alerts}
			svc := e.service(e.db, rec, name == "postgres")
			const decisions, customers = 100, 10
			for i := range decisions {
				if _, err := svc.Decide(context.Background(), e.tx(fmt.Sprintf("c%d", i%customers), 5000, "out", "mobile_money")); err != nil {
					t.Fatal(err)
				}
			}
			// Close drains the alerter, which was refused: all 100 wait for
			// the sweeper, run by a second process.
			svc.Close()
			if pend, err := e.db.PendingAlerts(context.Background(), e.now.Add(24*time.Hour), decisions+1); err != nil || len(pend) != decisions {
				t.Fatalf("%d decisions wait for alerts, %v; want %d", len(pend), err, decisions)
			}
			rec.open.Store(true)
			e.now = e.now.Add(2 * time.Minute)
			svc = e.service(e.db, rec, name == "postgres")
			defer svc.Close()
			n, err := svc.SweepAlerts(context.Background())
			if err != nil || n != decisions {
				t.Fatalf("swept %d, %v; want %d", n, err, decisions)
			}
			total := 0
			for _, size := range rec.sizes {
				if size > monitoring.MaxAlertTx {
					t.Fatalf("a transaction raised %d alerts, more than %d", size, monitoring.MaxAlertTx)
				}
				total += size
			}
			if total != decisions || len(rec.sizes) < decisions/monitoring.MaxAlertTx {
				t.Fatalf("raised %d alerts in %d transactions", total, len(rec.sizes))
			}
			as, err := e.alerts.List(context.Background(), cases.Filter{})
			if err != nil || len(as) != customers {
				t.Fatalf("alerts %d %v, want %d", len(as), err, customers)
			}
			for _, a := range as {
				if a.Hits != decisions/customers {
					t.Fatalf("alert of %s has %d hits, want %d", a.CustomerID, a.Hits, decisions/customers)
				}
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := svc.WaitAlerts(ctx); err != nil {
				t.Fatalf("decisions still wait for their alerts: %v", err)
			}
		})
	}
}
