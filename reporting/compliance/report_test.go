package compliance_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/reporting/compliance"
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
)

func seed(t *testing.T) (*sqlstore.DB, time.Time) {
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
	now := time.Date(2026, 6, 30, 12, 0, 0, 0, time.UTC)
	raise := func(customer, rule, sev string, at time.Time) *cases.Alert {
		a, _, err := db.RaiseAlert(ctx, cases.Raise{CustomerID: customer, Source: "monitoring", RuleID: rule, RuleVersion: 1, Severity: sev, At: at, Evidence: json.RawMessage(`{}`)}, cases.NewAlertID(at))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a1 := raise("c1", "structuring.cash", "high", now.AddDate(0, 0, -40)) // May 21: before the period, 40 days old
	raise("c2", "rapid.in_out", "medium", now.AddDate(0, 0, -3))
	raise("c3", "rapid.in_out", "medium", now.AddDate(0, -3, 0)) // March: outside the period, open 91 days
	// A case filed late: detected 40 days ago, due 30 days after.
	c := &cases.Case{ID: "case_00000000000000a1", CustomerID: "c1", Status: cases.CaseSARFiled, AlertIDs: []string{a1.ID}, OpenedAt: now.AddDate(0, 0, -10),
		UpdatedAt: now, DetectedAt: a1.FirstAt, SARDueAt: a1.FirstAt.Add(cases.SARDue), ReviewDueAt: now.AddDate(0, 0, 90),
		SAR: &cases.SAR{Narrative: "n", FiledAt: now.AddDate(0, 0, -2)}, Comments: []cases.Comment{}, Attachments: []cases.Attachment{}, Version: 1}
	if err := db.CreateCase(ctx, c); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutReports(ctx, "2026-06-10", []*ctr.Report{{ID: ctr.ReportID("2026-06-10", "c9"), BusinessDay: "2026-06-10", PersonID: "c9", CashIn: 1200000, Status: ctr.StatusPending, DueBy: "2026-06-25"}}, now); err != nil {
		t.Fatal(err)
	}
	for i, hits := range [][]kyc.ScreeningHit{{}, {{List: "ofac-sdn", EntryID: "1"}}, nil} {
		cu := &kyc.Customer{ID: []string{"k1", "k2", "k3"}[i], Version: 1, UpdatedAt: now, UpdatedBy: "t", CustomerData: kyc.CustomerData{Type: "individual", GivenNames: "A", Surname: "B", DateOfBirth: "1990-01-01", Country: "KE"}}
		if hits != nil {
			cu.Screening = &kyc.ScreeningSummary{Hits: hits}
		}
		if err := db.PutCustomer(ctx, cu); err != nil {
			t.Fatal(err)
		}
	}
	return db, now
}

func sources(db *sqlstore.DB, now time.Time, auditOK bool) compliance.Sources {
	return compliance.Sources{Alerts: db, Cases: db, CTRs: db, Customers: db, Now: func() time.Time { return now },
		Lists: func() []screening.ListVersion {
			return []screening.ListVersion{{Source: "ofac-sdn", Version: "sha256:abc", Entities: 8976, LoadedAt: now, ContentSHA256: "abc"}}
		},
		VerifyAudit: func(context.Context) (*audit.Report, error) {
			if !auditOK {
				return &audit.Report{Failure: "entry 7: leaf hash mismatch"}, &audit.VerifyError{Index: 7, Message: "entry 7: leaf hash mismatch"}
			}
			return &audit.Report{OK: true, Entries: 42, VerifiedSize: 42, Checkpoints: 3, VerifiedRoot: "root"}, nil
		}}
}

func TestReportFigures(t *testing.T) {
	db, now := seed(t)
	r, err := compliance.Build(context.Background(), sources(db, now, true), "2026-06-01", "2026-06-30")
	if err != nil {
		t.Fatal(err)
	}
	if r.Alerts.Opened != 1 || r.Alerts.OpenNow != 3 || r.Alerts.ByRule[0].Label != "rapid.in_out" {
		t.Fatalf("alerts %+v", r.Alerts)
	}
	ageing := map[string]int{}
	for _, a := range r.Alerts.Ageing {
		ageing[a.Label] = a.Count
	}
	if ageing["0-7 days"] != 1 || ageing["31-90 days"] != 1 || ageing["over 90 days"] != 1 {
		t.Fatalf("ageing %+v", r.Alerts.Ageing)
	}
	if r.Cases.Opened != 1 || r.Filings.SARsFiled != 1 || r.Filings.SARsLate != 1 || r.Filings.SARsOnTime != 0 {
		t.Fatalf("cases %+v filings %+v", r.Cases, r.Filings)
	}
	if r.Filings.CTRs != 1 || r.Filings.CTRsPendingReview != 1 || r.Filings.CTRsPastDue != 1 {
		t.Fatalf("ctr filings %+v", r.Filings)
	}
	if r.Screening.Customers != 3 || r.Screening.Screened != 2 || r.Screening.WithHits != 1 || r.Screening.CoveragePct != 66 {
		t.Fatalf("screening %+v", r.Screening)
	}
	if !r.Audit.OK || r.Audit.Entries != 42 || len(r.Lists) != 1 {
		t.Fatalf("audit %+v lists %+v", r.Audit, r.Lists)
	}
	if _, err := compliance.Build(context.Background(), sources(db, now, true), "2026-06-30", "2026-06-01"); err == nil {
		t.Fatal("reversed period accepted")
	}
	bad, _ := compliance.Build(context.Background(), sources(db, now, false), "2026-06-01", "2026-06-30")
	if bad.Audit.OK || !strings.Contains(bad.Audit.Failure, "entry 7") {
		t.Fatalf("failed audit shown as %+v", bad.Audit)
	}
}

// The HTML is one self-contained page that renders in a real browser:
// headless Chromium (Debian's) loads it from disk and the figures are in
// the DOM it builds.
func TestHTMLRendersOfflineInChromium(t *testing.T) {
	db, now := seed(t)
	r, err := compliance.Build(context.Background(), sources(db, now, true), "2026-06-01", "2026-06-30")
	if err != nil {
		t.Fatal(err)
	}
	page, err := compliance.HTML(r)
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`(?i)(src|href)\s*=|<script|@import|url\(`).Match(page) {
		t.Fatalf("the page references external resources:\n%s", page)
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "report.html")
	if err := os.WriteFile(f, page, 0o600); err != nil {
		t.Fatal(err)
	}
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Fatalf("chromium is required (Debian chromium): %v", err)
	}
	shot := filepath.Join(dir, "report.png")
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + filepath.Join(dir, "profile")}
	out, err := exec.Command(bin, append(args, "--dump-dom", "file://"+f)...).Output()
	if err != nil {
		t.Fatalf("chromium: %v", err)
	}
	dom := string(out)
	for _, want := range []string{"Compliance report", `id="kpi-sars"><b>1</b>SARs filed (1 late)`, "66%", "ofac-sdn", "Verified: 42 entries"} {
		if !strings.Contains(dom, want) {
			t.Errorf("rendered DOM lacks %q", want)
		}
	}
	if err := exec.Command(bin, append(args, "--screenshot="+shot, "--window-size=1200,1600", "file://"+f)...).Run(); err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if st, err := os.Stat(shot); err != nil || st.Size() < 10000 {
		t.Fatalf("screenshot %v %v", st, err)
	}
}
