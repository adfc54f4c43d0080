package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

func testCases(t *testing.T, s Store) {
	ctx := context.Background()
	cs, ok := s.(cases.CaseStore)
	if !ok {
		t.Fatal("store keeps no cases")
	}
	as := s.(cases.AlertStore)
	at := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	a, _, err := as.RaiseAlert(ctx, cases.Raise{CustomerID: "c1", Source: "monitoring", RuleID: "r", RuleVersion: 1, Severity: "low", At: at, Evidence: json.RawMessage(`{}`)}, cases.NewAlertID(at))
	if err != nil {
		t.Fatal(err)
	}
	c := &cases.Case{ID: "case_0000000000000001", CustomerID: "c1", Status: cases.CaseOpen, AlertIDs: []string{a.ID}, OpenedAt: at, UpdatedAt: at,
		DetectedAt: at, SARDueAt: at.Add(cases.SARDue), Comments: []cases.Comment{}, Attachments: []cases.Attachment{}, Version: 1}
	if err := cs.CreateCase(ctx, c); err != nil {
		t.Fatal(err)
	}
	if got, _ := as.Alert(ctx, a.ID); got.CaseID != c.ID {
		t.Fatalf("alert not linked: %+v", got)
	}
	other := *c
	other.ID = "case_0000000000000002"
	if err := cs.CreateCase(ctx, &other); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("alert in two cases: %v", err)
	}
	if _, err := cs.Case(ctx, other.ID); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("failed create stored a case: %v", err)
	}
	next := *c
	next.Version, next.Status, next.Assignee = 2, cases.CaseInvestigating, "alice"
	if err := cs.UpdateCase(ctx, &next); err != nil {
		t.Fatal(err)
	}
	if err := cs.UpdateCase(ctx, &next); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("stale update: %v", err)
	}
	got, err := cs.Case(ctx, c.ID)
	if err != nil || got.Version != 2 || got.Assignee != "alice" || !got.SARDueAt.Equal(c.SARDueAt) {
		t.Fatalf("read back %+v %v", got, err)
	}
	for f, want := range map[string]int{"due-soon": 1, "due-later": 0, "status": 1, "assignee": 1, "other": 0} {
		filter := map[string]cases.CaseFilter{
			"due-soon": {DueBefore: at.Add(31 * 24 * time.Hour)}, "due-later": {DueBefore: at.Add(29 * 24 * time.Hour)},
			"status": {Status: cases.CaseInvestigating}, "assignee": {Assignee: "alice"}, "other": {CustomerID: "c2"},
		}[f]
		filter.Limit = 10
		list, err := cs.Cases(ctx, filter)
		if err != nil || len(list) != want {
			t.Errorf("filter %s: %d cases, want %d (%v)", f, len(list), want, err)
		}
	}
	content := []byte{0, 1, 2, 255, 'x'}
	if err := cs.PutAttachment(ctx, c.ID, cases.Attachment{ID: "att_1", Name: "a.bin", Size: len(content)}, content); err != nil {
		t.Fatal(err)
	}
	meta, body, err := cs.AttachmentContent(ctx, c.ID, "att_1")
	if err != nil || string(body) != string(content) || meta.Name != "a.bin" {
		t.Fatalf("attachment %+v %v %v", meta, body, err)
	}
	if _, _, err := cs.AttachmentContent(ctx, "case_0000000000000009", "att_1"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("attachment of another case: %v", err)
	}
}
