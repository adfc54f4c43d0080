package monitoring_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/monitoring"
)

func sumRule() []monitoring.Rule {
	return []monitoring.Rule{{ID: "day.total", Description: "daily total over 10,000.00", Action: "review", Score: 30, Severity: "medium",
		Expression: "by_customer.sum(duration('24h')) + tx.amount > 1000000",
		Evidence:   map[string]string{"prior": "by_customer.sum(duration('24h'))", "count": "by_customer.count(duration('24h'))"}}}
}

func TestDecideCountsEachTransactionOnce(t *testing.T) {
	e := newEnv(t, sumRule())
	first := e.tx("c1", 600000, "in", "mobile_money")
	if d := e.decide(first); d.Action != monitoring.ActionAllow || len(d.Reasons) != 0 || d.Replayed {
		t.Fatalf("first: %+v", d)
	}
	// Resubmitted: the first decision again, nothing counted twice.
	for range 3 {
		if d := e.decide(first); !d.Replayed || d.Action != monitoring.ActionAllow {
			t.Fatalf("resubmission: %+v", d)
		}
	}
	second := e.tx("c1", 300000, "in", "mobile_money")
	if d := e.decide(second); d.Action != monitoring.ActionAllow {
		t.Fatalf("900,000 in a day flagged: %+v", d)
	}
	third := e.tx("c1", 200000, "in", "mobile_money")
	d := e.decide(third)
	if d.Action != monitoring.ActionReview || !fired(d, "day.total") || d.Score != 30 {
		t.Fatalf("1,100,000 in a day: %+v", d)
	}
	if ev := d.Reasons[0].Evidence; ev["prior"] != int64(900000) || ev["count"] != int64(2) || d.Reasons[0].RuleVersion != 1 {
		t.Fatalf("evidence %+v", d.Reasons[0])
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := e.svc.WaitAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	if as, _ := e.alerts.List(ctx, cases.Filter{CustomerID: "c1"}); len(as) != 1 || as[0].RuleID != "day.total" || !contains(string(as[0].Evidence[0]), third.ID) {
		t.Fatalf("alerts %+v", as)
	}
	// Same id, other content: refused.
	changed := first
	changed.Amount++
	if _, err := e.svc.Decide(context.Background(), changed); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("changed resubmission: %v", err)
	}
	// A fresh service on the same store (a restart) rebuilds the windows
	// from the store and still knows every decision.
	e2 := newEnvOn(t, e.db, sumRule(), false)
	e2.now, e2.n = e.now, e.n
	if d := e2.decide(first); !d.Replayed {
		t.Fatalf("after restart: %+v", d)
	}
	if d := e2.decide(e2.tx("c1", 1, "in", "mobile_money")); d.Action != monitoring.ActionReview || d.Reasons[0].Evidence["prior"] != int64(1100000) {
		t.Fatalf("after restart the window lost transactions: %+v", d)
	}
}

func TestConcurrentResubmissionsDecideOnce(t *testing.T) {
	e := newEnv(t, sumRule())
	tx := e.tx("c1", 2000000, "in", "cash")
	var wg sync.WaitGroup
	results := make([]*monitoring.Decision, 16)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d, err := e.svc.Decide(context.Background(), tx)
			if err != nil {
				t.Error(err)
				return
			}
			results[i] = d
		}()
	}
	wg.Wait()
	fresh := 0
	for _, d := range results {
		if d != nil && !d.Replayed {
			fresh++
		}
		if d == nil || d.Action != monitoring.ActionReview {
			t.Fatalf("decision %+v", d)
		}
	}
	if fresh != 1 {
		t.Fatalf("%d first decisions, want 1", fresh)
	}
	if err := e.svc.WaitAlerts(context.Background()); err != nil {
		t.Fatal(err)
	}
	as, _ := e.alerts.List(context.Background(), cases.Filter{CustomerID: "c1"})
	if len(as) != 1 || as[0].Hits != 1 {
		t.Fatalf("alerts %+v", as)
	}
}

func TestInvalidTransactionsAreRefusedByField(t *testing.T) {
	e := newEnv(t, sumRule())
	for field, edit := range map[string]func(*monitoring.Transaction){
		"id":                   func(x *monitoring.Transaction) { x.ID = "" },
		"time":                 func(x *monitoring.Transaction) { x.Time = time.Time{} },
		"customer_id":          func(x *monitoring.Transaction) { x.CustomerID = "a b" },
		"amount":               func(x *monitoring.Transaction) { x.Amount = -5 },
		"currency":             func(x *monitoring.Transaction) { x.Currency = "KSH" },
		"direction":            func(x *monitoring.Transaction) { x.Direction = "sideways" },
		"channel":              func(x *monitoring.Transaction) { x.Channel = "pigeon" },
		"counterparty.country": func(x *monitoring.Transaction) { x.Counterparty.Country = "XX" },
		"metadata.Bad Key":     func(x *monitoring.Transaction) { x.Metadata = map[string]string{"Bad Key": "v"} },
	} {
		x := e.tx("c1", 100, "in", "cash")
		edit(&x)
		_, err := e.svc.Decide(context.Background(), x)
		var we *warden.Error
		if !asError(err, &we) || we.Code != warden.EINVALID || we.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	// Nothing was stored or counted.
	d := e.decide(e.tx("c1", 1000001, "in", "cash"))
	if d.Reasons[0].Evidence["count"] != int64(0) {
		t.Fatalf("refused transactions were counted: %+v", d)
	}
}

func TestRulesAreVersionedAndInvalidOnesRefused(t *testing.T) {
	e := newEnv(t, sumRule())
	ctx := context.Background()
	r := sumRule()[0]
	r.Expression = "tx.amount >"
	_, _, err := e.book.Put(ctx, r, "api")
	var we *warden.Error
	if !asError(err, &we) || we.Field != "expression" || !contains(we.Message, "Syntax error") {
		t.Fatalf("bad expression: %v", err)
	}
	r.Expression = "tx.amount + 1"
	if _, _, err := e.book.Put(ctx, r, "api"); !asError(err, &we) || we.Field != "expression" || !contains(we.Message, "must be bool") {
		t.Fatalf("non-bool expression: %v", err)
	}
	r.Expression = "no_such_var > 1"
	if _, _, err := e.book.Put(ctx, r, "api"); !asError(err, &we) || !contains(we.Message, "undeclared reference") {
		t.Fatalf("unknown variable: %v", err)
	}
	d1 := e.decide(e.tx("c1", 1100000, "in", "cash"))
	// Lower the bar: version 2; the old decision keeps version 1.
	r = sumRule()[0]
	r.Expression = "by_customer.sum(duration('24h')) + tx.amount > 100"
	sr, created, err := e.book.Put(ctx, r, "api")
	if err != nil || !created || sr.Version != 2 {
		t.Fatalf("new version %+v %v %v", sr, created, err)
	}
	if _, created, _ := e.book.Put(ctx, r, "api"); created {
		t.Fatal("the same rule again made a version")
	}
	d2 := e.decide(e.tx("c2", 200, "in", "cash"))
	if d2.Reasons[0].RuleVersion != 2 {
		t.Fatalf("new decision %+v", d2)
	}
	st, err := e.db.Transaction(ctx, d1.TransactionID)
	if err != nil || st.Decision.Reasons[0].RuleVersion != 1 {
		t.Fatalf("old decision %+v %v", st, err)
	}
	vs, err := e.book.Versions(ctx, "day.total")
	if err != nil || len(vs) != 2 || vs[0].Expression == vs[1].Expression {
		t.Fatalf("versions %+v %v", vs, err)
	}
}

func TestLateTransactionSeesOnlyItsPast(t *testing.T) {
	e := newEnv(t, sumRule())
	a := e.tx("c1", 900000, "in", "cash")
	b := e.tx("c1", 200000, "in", "cash")
	// b arrives first; a, earlier in time, does not see b in its window.
	if d := e.decide(b); d.Action != monitoring.ActionAllow {
		t.Fatalf("b %+v", d)
	}
	if d := e.decide(a); d.Action != monitoring.ActionAllow {
		t.Fatalf("a saw a later transaction: %+v", d)
	}
	if d := e.decide(e.tx("c1", 1, "in", "cash")); d.Action != monitoring.ActionReview || d.Reasons[0].Evidence["prior"] != int64(1100000) {
		t.Fatalf("third %+v", d)
	}
}

func TestAlertSweeperCatchesUp(t *testing.T) {
	e := newEnv(t, sumRule())
	ctx := context.Background()
	// A review decision stored without its alert (as after a crash).
	x := e.tx("c7", 2000000, "in", "cash")
	if _, err := e.db.SaveDecided(ctx, []*monitoring.Decided{{Transaction: x, PayloadHash: "h", NeedsAlert: true,
		Decision: monitoring.Decision{TransactionID: x.ID, Action: "review", Score: 30, DecidedAt: e.now.Add(-time.Hour),
			Reasons: []monitoring.Reason{{RuleID: "day.total", RuleVersion: 1, Action: "review", Severity: "medium", Score: 30}}}}}); err != nil {
		t.Fatal(err)
	}
	n, err := e.svc.SweepAlerts(ctx)
	if err != nil || n != 1 {
		t.Fatalf("swept %d %v", n, err)
	}
	as, _ := e.alerts.List(ctx, cases.Filter{CustomerID: "c7"})
	if len(as) != 1 || as[0].RuleID != "day.total" {
		t.Fatalf("alerts %+v", as)
	}
	if n, _ := e.svc.SweepAlerts(ctx); n != 0 {
		t.Fatalf("swept again: %d", n)
	}
}

func TestBacktestReportsWhatADraftWouldFlag(t *testing.T) {
	e := newEnv(t, sumRule())
	ctx := context.Background()
	from := e.now
	for i := range 20 {
		e.decide(e.tx([]string{"c1", "c2"}[i%2], 300000, "in", "cash"))
	}
	to := e.now.Add(time.Minute)
	// The live rule flagged c1 and c2 once their day passed 1,000,000; a
	// draft at 500,000 flags earlier.
	draft := sumRule()[0]
	draft.Expression = "by_customer.sum(duration('24h')) + tx.amount > 500000"
	res, err := e.svc.Backtest(ctx, monitoring.BacktestRequest{Rule: draft, From: from, To: to})
	if err != nil {
		t.Fatal(err)
	}
	// Each customer: 300k (no), 600k (yes) ... 9 of 10 flagged; live flagged 7 of 10 (from 1.2M).
	if res.Evaluated != 20 || res.Flagged != 18 || res.Customers != 2 || res.NewlyFlagged != 4 || len(res.Sample) != 18 {
		t.Fatalf("backtest %+v", res)
	}
	if res.Sample[0].Evidence["prior"] != int64(300000) {
		t.Fatalf("sample %+v", res.Sample[0])
	}
	// Nothing was stored: the live rule is unchanged and windows untouched.
	if vs, _ := e.book.Versions(ctx, "day.total"); len(vs) != 1 {
		t.Fatalf("backtest stored a version")
	}
	// A window starting later warms up on the earlier history.
	res, err = e.svc.Backtest(ctx, monitoring.BacktestRequest{Rule: draft, From: from.Add(10*time.Minute + 30*time.Second), To: to})
	if err != nil || res.Evaluated != 10 || res.Flagged != 10 {
		t.Fatalf("later window %+v %v", res, err)
	}
	draft.Expression = "tx.amount >"
	var we *warden.Error
	if _, err := e.svc.Backtest(ctx, monitoring.BacktestRequest{Rule: draft, From: from, To: to}); !asError(err, &we) || we.Field != "expression" {
		t.Fatalf("bad draft: %v", err)
	}
	if _, err := e.svc.Backtest(ctx, monitoring.BacktestRequest{Rule: sumRule()[0], From: to, To: from}); !asError(err, &we) || we.Field != "to" {
		t.Fatalf("reversed period: %v", err)
	}
}

// Windows stay bounded however many keys pass: least recently used ones are
// evicted (and reloaded from the store when they come back).
func TestWindowsStayBounded(t *testing.T) {
	ws := monitoring.NewWindows(35*24*time.Hour, 2000)
	for i := range 50000 {
		monitoring.PutWindowForTest(ws, monitoring.Key{Kind: monitoring.KindCustomer, ID: fmt.Sprint("c", i)})
	}
	if n := ws.Len(); n > 2000+64 || n < 1000 {
		t.Fatalf("%d windows in memory after 50,000 keys, bound 2,000", n)
	}
}
