package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/reporting/ctr"
)

func testCTRAndLeases(t *testing.T, s Store) {
	ctx := context.Background()
	cs, ok := s.(ctr.Store)
	if !ok {
		t.Fatal("store keeps no CTRs")
	}
	at := time.Date(2026, 5, 28, 0, 0, 0, 0, time.UTC)
	r := func(person string, in int64) *ctr.Report {
		return &ctr.Report{ID: ctr.ReportID("2026-05-27", person), BusinessDay: "2026-05-27", PersonID: person, CashIn: in, Status: ctr.StatusPending}
	}
	if done, _ := cs.Closed(ctx, "2026-05-27"); done {
		t.Fatal("closed before any close")
	}
	if n, err := cs.PutReports(ctx, "2026-05-27", []*ctr.Report{r("a", 1100000), r("b", 2000000)}, at); err != nil || n != 2 {
		t.Fatalf("put %d %v", n, err)
	}
	if err := cs.SetReportStatus(ctx, r("a", 0).ID, ctr.StatusPending, ctr.StatusApproved, "rev"); err != nil {
		t.Fatal(err)
	}
	if err := cs.SetReportStatus(ctx, r("a", 0).ID, ctr.StatusPending, ctr.StatusApproved, "rev"); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("approve twice: %v", err)
	}
	// Re-closing replaces pending reports only.
	if n, err := cs.PutReports(ctx, "2026-05-27", []*ctr.Report{r("a", 9), r("b", 2500000)}, at); err != nil || n != 1 {
		t.Fatalf("second put %d %v", n, err)
	}
	all, err := cs.Reports(ctx, "2026-05-27", "")
	if err != nil || len(all) != 2 || all[0].PersonID != "a" && all[1].PersonID != "a" {
		t.Fatalf("reports %+v %v", all, err)
	}
	if a, _ := cs.Report(ctx, r("a", 0).ID); a.CashIn != 1100000 || a.Status != ctr.StatusApproved {
		t.Fatalf("approved report replaced: %+v", a)
	}
	if b, _ := cs.Report(ctx, r("b", 0).ID); b.CashIn != 2500000 {
		t.Fatalf("pending report not replaced: %+v", b)
	}
	if pend, _ := cs.Reports(ctx, "2026-05-27", ctr.StatusPending); len(pend) != 1 {
		t.Fatalf("pending filter %+v", pend)
	}
	if done, _ := cs.Closed(ctx, "2026-05-27"); !done {
		t.Fatal("close not recorded")
	}
	// Several reports change status all or none: b is still pending, so
	// exporting a and b changes neither.
	ab := []string{r("a", 0).ID, r("b", 0).ID}
	if err := cs.SetReportsStatus(ctx, ab, ctr.StatusApproved, ctr.StatusExported, "exp"); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("export with one pending: %v", err)
	}
	if a, _ := cs.Report(ctx, ab[0]); a.Status != ctr.StatusApproved {
		t.Fatalf("a failed batch exported a: %+v", a)
	}
	if err := cs.SetReportsStatus(ctx, []string{ab[0], "ctr_missing"}, ctr.StatusApproved, ctr.StatusExported, "exp"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("export with one missing: %v", err)
	}
	if err := cs.SetReportStatus(ctx, ab[1], ctr.StatusPending, ctr.StatusApproved, "rev"); err != nil {
		t.Fatal(err)
	}
	if err := cs.SetReportsStatus(ctx, ab, ctr.StatusApproved, ctr.StatusExported, "exp"); err != nil {
		t.Fatal(err)
	}
	for _, id := range ab {
		if x, _ := cs.Report(ctx, id); x.Status != ctr.StatusExported || x.ExportedBy != "exp" || x.ReviewedBy != "rev" {
			t.Fatalf("not exported, or the approver lost: %+v", x)
		}
	}
	// A range of days, both ends included, in day order.
	later := &ctr.Report{ID: ctr.ReportID("2026-06-01", "c"), BusinessDay: "2026-06-01", PersonID: "c", CashIn: 1500000, Status: ctr.StatusPending}
	if _, err := cs.PutReports(ctx, "2026-06-01", []*ctr.Report{later}, at); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		from, to string
		want     []string // business days of the reports, in order
	}{
		{"2026-05-27", "2026-06-01", []string{"2026-05-27", "2026-05-27", "2026-06-01"}},
		{"2026-05-28", "2026-06-01", []string{"2026-06-01"}},
		{"2026-05-01", "2026-05-27", []string{"2026-05-27", "2026-05-27"}},
		{"2026-05-28", "2026-05-31", nil},
	} {
		rs, err := cs.ReportsBetween(ctx, c.from, c.to)
		if err != nil {
			t.Fatal(err)
		}
		var days []string
		for _, r := range rs {
			days = append(days, r.BusinessDay)
		}
		if !slices.Equal(days, c.want) {
			t.Errorf("reports %s to %s: days %v, want %v", c.from, c.to, days, c.want)
		}
	}
	// Leases.
	if ok, err := cs.AcquireLease(ctx, "job", "r1", time.Minute, at); err != nil || !ok {
		t.Fatalf("first lease %v %v", ok, err)
	}
	if ok, _ := cs.AcquireLease(ctx, "job", "r2", time.Minute, at.Add(30*time.Second)); ok {
		t.Fatal("a held lease was taken")
	}
	if ok, _ := cs.AcquireLease(ctx, "job", "r1", time.Minute, at.Add(30*time.Second)); !ok {
		t.Fatal("the holder could not renew")
	}
	if ok, _ := cs.AcquireLease(ctx, "job", "r2", time.Minute, at.Add(2*time.Minute)); !ok {
		t.Fatal("an expired lease was not taken over")
	}
}
