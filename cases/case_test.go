package cases_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/store/sqlite"
)

type recorder struct{ actions []string }

// Stage records the actions when the change is done (Wait), as the log
// would append them only then.
func (r *recorder) Stage(ctx context.Context, recs ...audit.Record) (context.Context, audit.Pending, error) {
	return ctx, waitFunc(func() {
		for _, rec := range recs {
			r.actions = append(r.actions, rec.Action)
		}
	}), nil
}

type waitFunc func()

func (f waitFunc) Wait(context.Context) error { f(); return nil }

func setup(t *testing.T) (*cases.Cases, *cases.Alerts, *recorder, *time.Time) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	rec := &recorder{}
	clock := func() time.Time { return now }
	return &cases.Cases{Store: db, Alerts: db, Audit: rec, Now: clock}, &cases.Alerts{Store: db, Now: clock}, rec, &now
}

func as(ctx context.Context, who string) context.Context {
	return warden.NewContextWithActor(ctx, warden.Actor{Kind: warden.ActorAPIKey, ID: who, Role: warden.RoleAnalyst})
}

func code(err error) (string, string) {
	var we *warden.Error
	if errors.As(err, &we) {
		return we.Code, we.Field
	}
	return "", ""
}

func TestCaseWorkflowWithFourEyes(t *testing.T) {
	cs, alerts, rec, now := setup(t)
	ctx := context.Background()
	a1, _ := alerts.Raise(ctx, cases.Raise{CustomerID: "c1", Source: cases.SourceMonitoring, RuleID: "structuring.cash", RuleVersion: 1, Severity: "high", At: now.Add(-48 * time.Hour)})
	a2, _ := alerts.Raise(ctx, cases.Raise{CustomerID: "c1", Source: cases.SourceMonitoring, RuleID: "rapid.in_out", RuleVersion: 1, Severity: "medium", At: now.Add(-time.Hour)})
	alerts.Raise(ctx, cases.Raise{CustomerID: "c2", Source: cases.SourceMonitoring, RuleID: "x", RuleVersion: 1, Severity: "low", At: *now})

	alice, bob := as(ctx, "alice"), as(ctx, "bob")
	c, err := cs.Open(alice, "c1", nil)
	if err != nil {
		t.Fatal(err)
	}
	// Grouped: the customer's open alerts; detection is the earliest; the SAR is due 30 days later.
	if len(c.AlertIDs) != 2 || !c.DetectedAt.Equal(a1.FirstAt) || !c.SARDueAt.Equal(a1.FirstAt.Add(30*24*time.Hour)) || c.Status != cases.CaseOpen {
		t.Fatalf("opened %+v", c)
	}
	if got, _ := alerts.Get(ctx, a2.ID); got.CaseID != c.ID {
		t.Fatalf("alert not linked: %+v", got)
	}
	// An alert can be in one case only.
	if _, err := cs.Open(alice, "c1", []string{a1.ID}); func() string { c, _ := code(err); return c }() != warden.ECONFLICT {
		t.Fatalf("second case for the same alert: %v", err)
	}
	if _, err := cs.Open(alice, "c1", nil); err == nil {
		t.Fatal("a case with no free alert was opened")
	}

	if c, err = cs.Assign(alice, c.ID, "alice"); err != nil || c.Assignee != "alice" || c.Version != 2 {
		t.Fatalf("assign %+v %v", c, err)
	}
	if _, err := cs.Transition(alice, c.ID, cases.CaseSARFiled, ""); func() string { c, _ := code(err); return c }() != warden.ECONFLICT {
		t.Fatalf("filed by hand: %v", err)
	}
	if c, err = cs.Transition(alice, c.ID, cases.CaseInvestigating, ""); err != nil || c.Status != cases.CaseInvestigating {
		t.Fatalf("investigate %+v %v", c, err)
	}
	if _, err := cs.Comment(alice, c.ID, "Three cash deposits of 9,500 in two days at two branches."); err != nil {
		t.Fatal(err)
	}
	content := []byte("%PDF-1.4 teller log")
	c, err = cs.Attach(alice, c.ID, "teller-log.pdf", "application/pdf", content)
	sum := sha256.Sum256(content)
	if err != nil || len(c.Attachments) != 1 || c.Attachments[0].SHA256 != hex.EncodeToString(sum[:]) {
		t.Fatalf("attach %+v %v", c, err)
	}
	if _, err := cs.Attach(alice, c.ID, "../etc/passwd", "", content); func() string { _, f := code(err); return f }() != "name" {
		t.Fatalf("path in a name: %v", err)
	}
	a, body, err := cs.Store.AttachmentContent(ctx, c.ID, c.Attachments[0].ID)
	if err != nil || string(body) != string(content) || a.Name != "teller-log.pdf" {
		t.Fatalf("attachment back %+v %q %v", a, body, err)
	}

	// SAR: prepared by alice, alice cannot approve, bob can; a redraft clears the approval.
	narrative := strings.Repeat("The customer made structured cash deposits below the reporting threshold. ", 2)
	if _, err := cs.PrepareSAR(alice, c.ID, cases.SARInput{Narrative: "too short"}); func() string { _, f := code(err); return f }() != "narrative" {
		t.Fatalf("short narrative: %v", err)
	}
	if _, err := cs.PrepareSAR(alice, c.ID, cases.SARInput{Narrative: narrative, ActivityFrom: "2026-04-29", ActivityTo: "2026-04-28"}); func() string { _, f := code(err); return f }() != "activity_to" {
		t.Fatalf("reversed activity dates: %v", err)
	}
	if c, err = cs.PrepareSAR(alice, c.ID, cases.SARInput{Narrative: narrative, ActivityFrom: "2026-04-29", ActivityTo: "2026-05-01", Categories: []string{"structuring"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := cs.FileSAR(alice, c.ID, ""); func() string { c, _ := code(err); return c }() != warden.ECONFLICT {
		t.Fatalf("filed unapproved: %v", err)
	}
	if _, err := cs.ApproveSAR(alice, c.ID); func() string { c, _ := code(err); return c }() != warden.EFORBIDDEN {
		t.Fatalf("self-approval: %v", err)
	}
	if c, err = cs.ApproveSAR(bob, c.ID); err != nil || c.SAR.ApprovedBy != "api_key:bob" {
		t.Fatalf("approval %+v %v", c, err)
	}
	*now = now.Add(24 * time.Hour)
	if c, err = cs.FileSAR(bob, c.ID, "31000012345678"); err != nil || c.Status != cases.CaseSARFiled || !c.ReviewDueAt.Equal(now.Add(90*24*time.Hour)) {
		t.Fatalf("filed %+v %v", c, err)
	}
	want := "case.open case.assign case.transition case.comment case.attach case.sar_prepare case.sar_approve case.sar_file"
	if got := strings.Join(rec.actions, " "); got != want {
		t.Fatalf("audit %s\nwant  %s", got, want)
	}
	// Stale writers lose: version checks.
	stale := *c
	stale.Version = 3
	if err := cs.Store.UpdateCase(ctx, &stale); func() string { c, _ := code(err); return c }() != warden.ECONFLICT {
		t.Fatalf("stale update: %v", err)
	}
}

func TestCloseNeedsReasonAndDeadlines(t *testing.T) {
	cs, alerts, _, now := setup(t)
	ctx := as(context.Background(), "alice")
	for i, cust := range []string{"c1", "c2", "c3"} {
		alerts.Raise(ctx, cases.Raise{CustomerID: cust, Source: cases.SourceMonitoring, RuleID: "r", RuleVersion: 1, Severity: "low",
			At: now.Add(-time.Duration([]int{28, 10, 40}[i]) * 24 * time.Hour)})
	}
	c1, _ := cs.Open(ctx, "c1", nil) // detected 28 days ago: due in 2 days
	c2, _ := cs.Open(ctx, "c2", nil) // 10 days ago: due in 20
	c3, _ := cs.Open(ctx, "c3", nil) // 40 days ago: overdue, unless no suspect (60 days)
	if _, err := cs.Transition(ctx, c2.ID, cases.CaseClosedNoSAR, "ok"); func() string { _, f := code(err); return f }() != "reason" {
		t.Fatalf("close without a reason: %v", err)
	}
	ds, err := cs.Deadlines(ctx)
	if err != nil || len(ds) != 2 || ds[0].CaseID != c3.ID || !ds[0].Overdue || ds[1].CaseID != c1.ID || ds[1].Overdue {
		t.Fatalf("deadlines %+v %v", ds, err)
	}
	no := false
	c3, err = cs.PrepareSAR(ctx, c3.ID, cases.SARInput{Narrative: strings.Repeat("unknown persons moved money through mule accounts. ", 2), SuspectIdentified: &no})
	if err != nil || !c3.SARDueAt.Equal(c3.DetectedAt.Add(60*24*time.Hour)) {
		t.Fatalf("no-suspect deadline %+v %v", c3, err)
	}
	if _, err := cs.Transition(ctx, c2.ID, cases.CaseClosedNoSAR, "Customer's payroll business explains the deposits."); err != nil {
		t.Fatal(err)
	}
	ds, _ = cs.Deadlines(ctx)
	if len(ds) != 1 || ds[0].CaseID != c1.ID {
		t.Fatalf("deadlines after: %+v", ds)
	}
	b, _ := json.Marshal(ds[0])
	if !strings.Contains(string(b), `"kind":"sar"`) {
		t.Fatalf("deadline json %s", b)
	}
}
