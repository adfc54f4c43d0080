package monitoring_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wardenhq/warden/monitoring"
)

func TestBuiltinPackCompiles(t *testing.T) {
	rules, err := monitoring.BuiltinRules()
	if err != nil {
		t.Fatal(err)
	}
	comp, err := monitoring.NewCompiler()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tier.per_transaction", "tier.per_day", "tier.per_month", "tier.max_balance", "sanctions.counterparty", "sanctions.customer",
		"structuring.cash", "rapid.in_out", "country.high_risk", "dormant.reactivated", "burst.round_amounts", "spike.baseline", "agent.many_depositors"}
	ids := map[string]bool{}
	for _, r := range rules {
		if err := comp.Check(&r); err != nil {
			t.Errorf("%s: %v", r.ID, err)
		}
		ids[r.ID] = true
	}
	for _, id := range want {
		if !ids[id] {
			t.Errorf("pack lacks %s", id)
		}
	}
}

// limited is a customer at a tier with KES limits.
func limited(e *env, id string) {
	e.cust.m[id] = &monitoring.CustomerProfile{ID: id, Known: true, Type: "individual", Tier: "full", Risk: "low"}
	monitoring.SetLimitsForTest(e.cust.m[id], "KES", monitoring.Limits{PerTransaction: 15000000, PerDay: 50000000, PerMonth: 80000000, MaxBalance: 50000000})
}

// onlyFired checks the decision fired exactly the given rule (or none).
func onlyFired(t *testing.T, d *monitoring.Decision, rule string) {
	t.Helper()
	if rule == "" {
		if d.Action != monitoring.ActionAllow || len(d.Reasons) != 0 {
			t.Fatalf("want allow, got %+v", d)
		}
		return
	}
	if len(d.Reasons) != 1 || d.Reasons[0].RuleID != rule {
		t.Fatalf("want only %s, got %+v", rule, d)
	}
}

func TestPackTierLimits(t *testing.T) {
	e := newEnv(t, nil)
	limited(e, "c1")
	onlyFired(t, e.decide(e.tx("c1", 15000000, "out", "mobile_money")), "")
	d := e.decide(e.tx("c1", 15000001, "out", "mobile_money"))
	onlyFired(t, d, "tier.per_transaction")
	if d.Action != monitoring.ActionBlock || d.Reasons[0].Evidence["limit"] != int64(15000000) {
		t.Fatalf("per transaction %+v", d)
	}
	// Daily: three of 149,999.99 make 449,999.97 ≤ 500,000; the next
	// 100,000.01 breaks it, is blocked and so does not count.
	limited(e, "c2")
	for range 3 {
		onlyFired(t, e.decide(e.tx("c2", 14999999, "out", "mobile_money")), "")
	}
	onlyFired(t, e.decide(e.tx("c2", 10000001, "out", "mobile_money")), "tier.per_day")
	// Monthly: the next business day the daily total restarts, the month
	// does not (449,999.97 so far; 800,000 allowed).
	e.now = e.now.Add(24 * time.Hour)
	onlyFired(t, e.decide(e.tx("c2", 14999999, "out", "mobile_money")), "")
	onlyFired(t, e.decide(e.tx("c2", 14999999, "out", "mobile_money")), "")
	onlyFired(t, e.decide(e.tx("c2", 14999999, "out", "mobile_money")), "tier.per_month")
	// Incoming money does not count against outgoing limits.
	onlyFired(t, e.decide(e.tx("c2", 9999999, "in", "mobile_money")), "")
	// Balance.
	limited(e, "c3")
	x := e.tx("c3", 100, "in", "mobile_money")
	bal := int64(50000001)
	x.BalanceAfter = &bal
	onlyFired(t, e.decide(x), "tier.max_balance")
	// Unknown customers and other currencies carry no limits.
	onlyFired(t, e.decide(e.tx("stranger", 99000000, "out", "mobile_money")), "")
}

func TestPackStructuring(t *testing.T) {
	e := newEnv(t, nil)
	usd := func(amount int64, channel string) monitoring.Transaction {
		x := e.tx("c1", amount, "in", channel)
		x.Currency = "USD"
		e.now = e.now.Add(10 * time.Hour)
		return x
	}
	onlyFired(t, e.decide(usd(950000, "cash")), "")
	onlyFired(t, e.decide(usd(700000, "cash")), "")  // below the band
	onlyFired(t, e.decide(usd(990000, "wire")), "")  // not cash
	onlyFired(t, e.decide(usd(1200000, "cash")), "") // above the threshold: a CTR, not structuring
	d := e.decide(usd(900000, "cash"))               // the second in the band within 72h
	onlyFired(t, d, "")
	d = e.decide(usd(980000, "cash"))
	onlyFired(t, d, "structuring.cash")
	if d.Reasons[0].Evidence["deposits_in_window"] != int64(3) {
		t.Fatalf("evidence %+v", d.Reasons[0].Evidence)
	}
}

func TestPackRapidMovementAndCounterparties(t *testing.T) {
	e := newEnv(t, nil)
	onlyFired(t, e.decide(e.tx("c1", 5000000, "in", "wire")), "")
	onlyFired(t, e.decide(e.tx("c1", 1000000, "out", "wire")), "")
	onlyFired(t, e.decide(e.tx("c1", 4500000, "out", "wire")), "rapid.in_out")
	// High-risk country.
	x := e.tx("c2", 1000, "out", "wire")
	x.Counterparty = monitoring.Counterparty{Name: "Trading Co", Country: "IR"}
	onlyFired(t, e.decide(x), "country.high_risk")
	x = e.tx("c2", 1000, "out", "wire")
	x.Counterparty = monitoring.Counterparty{Name: "Trading Co", Country: "DE"}
	onlyFired(t, e.decide(x), "")
}

func TestPackDormantAccount(t *testing.T) {
	e := newEnv(t, nil)
	onlyFired(t, e.decide(e.tx("c1", 500000, "in", "cash")), "")
	e.now = e.now.Add(200 * 24 * time.Hour)
	// Beyond the windows' 35-day history: the last activity comes from the store.
	e2 := newEnvOn(t, e.db, nil, false)
	e2.now, e2.n = e.now, e.n
	d := e2.decide(e2.tx("c1", 500000, "out", "cash"))
	onlyFired(t, d, "dormant.reactivated")
	onlyFired(t, e2.decide(e2.tx("c1", 500000, "out", "cash")), "")
	// A brand-new account is not dormant.
	onlyFired(t, e2.decide(e2.tx("new", 500000, "out", "cash")), "")
}

func TestPackRoundBurstAndSpike(t *testing.T) {
	e := newEnv(t, nil)
	for range 4 {
		onlyFired(t, e.decide(e.tx("c1", 200000, "out", "mobile_money")), "")
	}
	onlyFired(t, e.decide(e.tx("c1", 123456, "out", "mobile_money")), "") // not round
	onlyFired(t, e.decide(e.tx("c1", 300000, "out", "mobile_money")), "burst.round_amounts")
	// Spike: five ordinary payments, then one ten times the average.
	for i := range 5 {
		onlyFired(t, e.decide(e.tx("c2", int64(10000+i*1111), "out", "card")), "")
		e.now = e.now.Add(48 * time.Hour)
	}
	d := e.decide(e.tx("c2", 123457, "out", "card"))
	onlyFired(t, d, "spike.baseline")
	if avg := d.Reasons[0].Evidence["average"].(int64); avg < 10000 || avg > 20000 {
		t.Fatalf("average %d", avg)
	}
}

func TestPackAgentPattern(t *testing.T) {
	e := newEnv(t, nil)
	dep := func(customer string) *monitoring.Decision {
		x := e.tx(customer, 50000, "in", "cash")
		x.Agent = "agent-42"
		e.now = e.now.Add(-50 * time.Second) // ten seconds apart
		return e.decide(x)
	}
	for i := range 9 {
		onlyFired(t, dep(fmt.Sprintf("walkin-%d", i)), "")
	}
	// A customer seen before adds no one: eight others besides walkin-3.
	onlyFired(t, dep("walkin-3"), "")
	d := dep("walkin-9")
	onlyFired(t, d, "agent.many_depositors")
	if d.Reasons[0].Evidence["other_customers"] != int64(9) {
		t.Fatalf("evidence %+v", d.Reasons[0].Evidence)
	}
}

func TestPackSanctions(t *testing.T) {
	e := newEnv(t, nil)
	e.cust.m["c1"] = &monitoring.CustomerProfile{ID: "c1", Known: true, SanctionsHit: true}
	d := e.decide(e.tx("c1", 100, "in", "card"))
	onlyFired(t, d, "sanctions.customer")
	if d.Action != monitoring.ActionReview {
		t.Fatalf("%+v", d)
	}
	_ = context.Background()
}
