package monitoring_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/internal/pgtest"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
)

// customers is a CustomerSource over a fixed set of profiles (the KYC
// service's own profile building is tested with it in kyc_test.go).
type customers struct {
	mu sync.RWMutex
	m  map[string]*monitoring.CustomerProfile
}

func (c *customers) Profile(_ context.Context, id string) (*monitoring.CustomerProfile, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if p, ok := c.m[id]; ok {
		return p, nil
	}
	return &monitoring.CustomerProfile{ID: id}, nil
}

type env struct {
	t      testing.TB
	db     *sqlstore.DB
	svc    *monitoring.Service
	book   *monitoring.RuleBook
	alerts *cases.Alerts
	cust   *customers
	now    time.Time
	n      int
}

func openSQLite(t testing.TB) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// bothStores opens a fresh, migrated store of each kind, by name; the
// PostgreSQL one is shared by replicas (Config.Shared).
func bothStores() map[string]func(testing.TB) *sqlstore.DB {
	return map[string]func(testing.TB) *sqlstore.DB{
		"sqlite": openSQLite,
		"postgres": func(t testing.TB) *sqlstore.DB {
			return openPostgres(t.(*testing.T), pgtest.NewDatabase(t.(*testing.T)), true)
		},
	}
}

// newEnv starts a service on a fresh SQLite store with the given rules
// (nil: the built-in pack).
func newEnv(t *testing.T, rules []monitoring.Rule) *env {
	t.Helper()
	return newEnvOn(t, openSQLite(t), rules, false)
}

func newEnvOn(t testing.TB, db *sqlstore.DB, rules []monitoring.Rule, shared bool) *env {
	t.Helper()
	ctx := context.Background()
	comp, err := monitoring.NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	book := monitoring.NewRuleBook(comp, db, nil)
	if rules == nil {
		if rules, err = monitoring.BuiltinRules(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := book.Sync(ctx, rules, "builtin"); err != nil {
		t.Fatal(err)
	}
	if err := book.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, book: book, alerts: &cases.Alerts{Store: db}, cust: &customers{m: map[string]*monitoring.CustomerProfile{}},
		now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	nairobi, _ := time.LoadLocation("Africa/Nairobi")
	e.svc, err = monitoring.NewService(monitoring.Config{Store: db, Customers: e.cust, Alerts: e.alerts, Rules: book,
		Location: nairobi, Shared: shared, Now: func() time.Time { return e.now.Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.svc.Close)
	return e
}

// tx returns a valid transaction at e.now, advancing the clock a minute.
func (e *env) tx(customer string, amount int64, dir, channel string) monitoring.Transaction {
	e.n++
	e.now = e.now.Add(time.Minute)
	return monitoring.Transaction{ID: fmt.Sprintf("t-%05d", e.n), Time: e.now, CustomerID: customer, AccountID: "acct-" + customer,
		Amount: amount, Currency: "KES", Direction: dir, Channel: channel}
}

func (e *env) decide(t monitoring.Transaction) *monitoring.Decision {
	e.t.Helper()
	d, err := e.svc.Decide(context.Background(), t)
	if err != nil {
		e.t.Fatalf("decide %s: %v", t.ID, err)
	}
	return d
}

func fired(d *monitoring.Decision, rule string) bool {
	for _, r := range d.Reasons {
		if r.RuleID == rule {
			return true
		}
	}
	return false
}

// service starts another service on e's customers and rules, an hour after
// e's clock as e.svc is, with its own store and alerts; the caller closes it.
func (e *env) service(store monitoring.TransactionStore, alerts monitoring.AlertRaiser, shared bool) *monitoring.Service {
	e.t.Helper()
	svc, err := monitoring.NewService(monitoring.Config{Store: store, Customers: e.cust, Alerts: alerts, Rules: e.book,
		Shared: shared, Now: func() time.Time { return e.now.Add(time.Hour) }})
	if err != nil {
		e.t.Fatal(err)
	}
	return svc
}
