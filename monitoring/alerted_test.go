package monitoring_test

import (
	"context"
	"errors"
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
			svc, err := monitoring.NewService(monitoring.Config{Store: store, Customers: e.cust, Alerts: e.alerts, Rules: e.book,
				Shared: name == "postgres", Now: func() time.Time { return e.now.Add(time.Hour) }})
			if err != nil {
				t.Fatal(err)
			}
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
