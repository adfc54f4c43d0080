package ctr_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
)

var nairobi, _ = time.LoadLocation("Africa/Nairobi")

func calendar() ctr.Calendar {
	return ctr.Calendar{Location: nairobi, Cutoff: 17 * time.Hour, Holidays: map[string]bool{"2026-06-01": true}}
}

func TestBusinessDays(t *testing.T) {
	c := calendar()
	at := func(s string) time.Time {
		v, _ := time.ParseInLocation("2006-01-02 15:04", s, nairobi)
		return v
	}
	for in, want := range map[string]string{
		"2026-05-27 09:00": "2026-05-27", // Wednesday morning
		"2026-05-27 16:59": "2026-05-27",
		"2026-05-27 17:00": "2026-05-28", // after the cut-off
		"2026-05-29 18:00": "2026-06-02", // Friday evening: Monday is a holiday
		"2026-05-30 11:00": "2026-06-02", // Saturday
	} {
		if got := c.BusinessDay(at(in)); got != want {
			t.Errorf("%s: %s, want %s", in, got, want)
		}
	}
}

func TestUSDConversionIsExact(t *testing.T) {
	r, err := ctr.ParseRates(map[string]string{"KES": "0.0077", "JPY": "0.0064", "BHD": "2.65"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		amount int64
		cur    string
		want   int64
	}{{130000000, "KES", 1001000}, {1, "KES", 0}, {1000000, "USD", 1000000}, {1562500, "JPY", 1000000}, {3774, "BHD", 1000}} {
		if got, ok := r.USDCents(tc.amount, tc.cur); !ok || got != tc.want {
			t.Errorf("%d %s: %d, want %d", tc.amount, tc.cur, got, tc.want)
		}
	}
	if _, ok := r.USDCents(100, "EUR"); ok {
		t.Error("a currency without a rate converted")
	}
	if _, err := ctr.ParseRates(map[string]string{"KES": "-1"}); err == nil {
		t.Error("negative rate accepted")
	}
}

type env struct {
	db  *sqlstore.DB
	svc *ctr.Service
	n   int
}

func newEnv(t *testing.T, now time.Time) *env {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	rates, _ := ctr.ParseRates(map[string]string{"KES": "0.0077"})
	return &env{db: db, svc: &ctr.Service{Store: db, Transactions: db, Calendar: calendar(), Rates: rates, Exempt: map[string]bool{"exempt-co": true},
		Now: func() time.Time { return now }}}
}

func (e *env) add(t *testing.T, at time.Time, customer, account, dir, channel string, usdCents int64, action string, meta map[string]string) {
	t.Helper()
	e.n++
	tx := monitoring.Transaction{ID: fmt.Sprintf("t%d", e.n), Time: at, CustomerID: customer, AccountID: account, Amount: usdCents, Currency: "USD",
		Direction: dir, Channel: channel, Branch: "br-" + account, Metadata: meta}
	if _, err := e.db.SaveDecided(context.Background(), []*monitoring.Decided{{Transaction: tx, PayloadHash: "h",
		Decision: monitoring.Decision{TransactionID: tx.ID, Action: action, DecidedAt: at, Reasons: []monitoring.Reason{}}}}); err != nil {
		t.Fatal(err)
	}
}

func TestCloseAggregatesPerPersonAcrossAccounts(t *testing.T) {
	day := time.Date(2026, 5, 27, 9, 0, 0, 0, nairobi) // Wednesday
	e := newEnv(t, day.Add(48*time.Hour))
	// a: three deposits at two accounts and branches, $10,500 in: a CTR.
	e.add(t, day, "a", "a1", "in", "cash", 400000, "allow", nil)
	e.add(t, day.Add(time.Hour), "a", "a2", "in", "cash", 350000, "review", nil)
	e.add(t, day.Add(2*time.Hour), "a", "a1", "in", "cash", 300000, "allow", nil)
	e.add(t, day.Add(3*time.Hour), "a", "a1", "in", "wire", 900000, "allow", nil) // not cash
	// b: exactly $10,000: not more than the threshold.
	e.add(t, day, "b", "b1", "in", "cash", 1000000, "allow", nil)
	// c: $12,000 out: a CTR; a blocked withdrawal did not happen.
	e.add(t, day, "c", "c1", "out", "cash", 1200000, "allow", nil)
	e.add(t, day.Add(time.Hour), "c", "c1", "out", "cash", 5000000, "block", nil)
	// d: $9,000 in and $9,000 out: neither direction is over.
	e.add(t, day, "d", "d1", "in", "cash", 900000, "allow", nil)
	e.add(t, day, "d", "d1", "out", "cash", 900000, "allow", nil)
	// exempt-co: over, but exempt.
	e.add(t, day, "exempt-co", "x1", "in", "cash", 5000000, "allow", nil)
	// owner: $5,000 own deposit plus $6,000 by an employee on the owner's behalf.
	e.add(t, day, "owner", "o1", "in", "cash", 500000, "allow", nil)
	e.add(t, day, "clerk", "o1", "in", "cash", 600000, "allow", map[string]string{ctr.OnBehalfOfKey: "owner"})
	// after the cut-off: the next business day.
	e.add(t, day.Add(9*time.Hour), "b", "b1", "in", "cash", 100000, "allow", nil)

	ctx := context.Background()
	res, err := e.svc.Close(ctx, "2026-05-27")
	if err != nil {
		t.Fatal(err)
	}
	if res.Reports != 3 || res.Exempted != 1 || res.Transactions != 10 {
		t.Fatalf("close %+v", res)
	}
	rs, err := e.db.Reports(ctx, "2026-05-27", "")
	if err != nil || len(rs) != 3 {
		t.Fatalf("reports %+v %v", rs, err)
	}
	by := map[string]*ctr.Report{}
	for _, r := range rs {
		by[r.PersonID] = r
	}
	if r := by["a"]; r == nil || r.CashIn != 1050000 || r.CashOut != 0 || len(r.Items) != 3 || r.DueBy != "2026-06-11" {
		t.Fatalf("a: %+v", r)
	}
	if r := by["c"]; r == nil || r.CashOut != 1200000 || len(r.Items) != 1 {
		t.Fatalf("c: %+v", r)
	}
	if r := by["owner"]; r == nil || r.CashIn != 1100000 || len(r.Conductors) != 2 || r.Conductors[0] != "clerk" {
		t.Fatalf("owner: %+v", r)
	}
	// Closing again adds nothing; a reviewed report is kept as reviewed.
	ctxA := warden.NewContextWithActor(ctx, warden.Actor{Kind: warden.ActorAPIKey, ID: "reviewer"})
	if _, err := e.svc.Approve(ctxA, by["a"].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.Approve(ctxA, by["a"].ID); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("approve twice: %v", err)
	}
	res, err = e.svc.Close(ctx, "2026-05-27")
	if err != nil || res.Reports != 2 {
		t.Fatalf("second close %+v %v", res, err)
	}
	rs, _ = e.db.Reports(ctx, "2026-05-27", "")
	if len(rs) != 3 {
		t.Fatalf("duplicates after a second close: %d", len(rs))
	}
	if a, _ := e.db.Report(ctx, by["a"].ID); a.Status != ctr.StatusApproved || a.ReviewedBy != "api_key:reviewer" {
		t.Fatalf("approved report changed: %+v", a)
	}
	// Days that have not ended, and weekends, do not close.
	if _, err := e.svc.Close(ctx, "2026-05-30"); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("Saturday: %v", err)
	}
	if _, err := e.svc.Close(ctx, "2026-06-03"); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("a day not ended: %v", err)
	}
}

func TestScheduledCloseRunsOnceUnderALease(t *testing.T) {
	day := time.Date(2026, 5, 27, 9, 0, 0, 0, nairobi)
	now := day.Add(10 * time.Hour) // 19:00, after the cut-off
	e := newEnv(t, now)
	e.add(t, day, "a", "a1", "in", "cash", 2000000, "allow", nil)
	ctx := context.Background()
	closed, err := e.svc.RunScheduled(ctx, "replica-1")
	if err != nil || len(closed) == 0 || closed[len(closed)-1] != "2026-05-27" {
		t.Fatalf("scheduled %v %v", closed, err)
	}
	// Another replica cannot take the lease meanwhile; the first runs nothing twice.
	if closed, err := e.svc.RunScheduled(ctx, "replica-2"); err != nil || len(closed) != 0 {
		t.Fatalf("second replica %v %v", closed, err)
	}
	if closed, err := e.svc.RunScheduled(ctx, "replica-1"); err != nil || len(closed) != 0 {
		t.Fatalf("rerun %v %v", closed, err)
	}
	if ok, _ := e.db.AcquireLease(ctx, "ctr-close", "replica-2", time.Minute, now.Add(6*time.Minute)); !ok {
		t.Fatal("an expired lease was not taken over")
	}
	if rs, _ := e.db.Reports(ctx, "2026-05-27", ctr.StatusPending); len(rs) != 1 {
		t.Fatalf("reports %+v", rs)
	}
}
