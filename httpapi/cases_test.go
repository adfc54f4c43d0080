package httpapi

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

func TestCasesOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	if _, err := e.alerts.Raise(ctx, cases.Raise{CustomerID: "c1", Source: cases.SourceMonitoring, RuleID: "structuring.cash", RuleVersion: 1,
		Severity: "high", At: time.Now().Add(-40 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	alice, bob := e.key(warden.RoleAnalyst), e.key(warden.RoleAnalyst)
	var c cases.Case
	e.do("POST", "/v1/cases", alice, `{"customer_id":"c1"}`).decode(t, 201, &c)
	if c.Status != "open" || len(c.AlertIDs) != 1 {
		t.Fatalf("opened %+v", c)
	}
	// Confidential: auditors and the core system see no cases.
	e.do("GET", "/v1/cases/"+c.ID, e.key(warden.RoleAuditor), "").wantError(t, 403, warden.EFORBIDDEN, "")
	e.do("GET", "/v1/cases", e.key(warden.RoleService), "").wantError(t, 403, warden.EFORBIDDEN, "")

	e.do("POST", "/v1/cases/"+c.ID+"/transition", alice, `{"status":"closed_no_sar"}`).wantError(t, 400, warden.EINVALID, "reason")
	e.do("POST", "/v1/cases/"+c.ID+"/transition", alice, `{"status":"sar_filed"}`).wantError(t, 409, warden.ECONFLICT, "status")
	e.do("POST", "/v1/cases/"+c.ID+"/transition", alice, `{"status":"investigating"}`).decode(t, 200, &c)
	content := []byte("statement scan")
	e.do("POST", "/v1/cases/"+c.ID+"/attachments", alice, `{"name":"stmt.txt","content_type":"text/plain","content_base64":"`+base64.StdEncoding.EncodeToString(content)+`"}`).decode(t, 201, &c)
	var att struct {
		Attachment    cases.Attachment `json:"attachment"`
		ContentBase64 string           `json:"content_base64"`
	}
	e.do("GET", "/v1/cases/"+c.ID+"/attachments/"+c.Attachments[0].ID, bob, "").decode(t, 200, &att)
	if got, _ := base64.StdEncoding.DecodeString(att.ContentBase64); string(got) != string(content) || att.Attachment.SHA256 == "" {
		t.Fatalf("attachment %+v", att)
	}
	e.do("POST", "/v1/cases/"+c.ID+"/attachments", alice, `{"name":"x","content_base64":"%%%"}`).wantError(t, 400, warden.EINVALID, "content_base64")

	// Overdue: detected 40 days ago.
	var dl struct {
		Deadlines []cases.Deadline `json:"deadlines"`
	}
	e.do("GET", "/v1/cases/deadlines", alice, "").decode(t, 200, &dl)
	if len(dl.Deadlines) != 1 || !dl.Deadlines[0].Overdue || dl.Deadlines[0].Kind != "sar" {
		t.Fatalf("deadlines %+v", dl)
	}
	if m := string(e.do("GET", "/metrics", "", "").body); !strings.Contains(m, `warden_case_deadlines{kind="sar",state="overdue"} 1`) {
		t.Fatal("deadline metric missing")
	}
	// Four eyes.
	e.do("POST", "/v1/cases/"+c.ID+"/sar", alice, `{"narrative":"`+strings.Repeat("Structured cash deposits at two branches. ", 3)+`","categories":["structuring"]}`).decode(t, 200, &c)
	e.do("POST", "/v1/cases/"+c.ID+"/sar/approve", alice, "").wantError(t, 403, warden.EFORBIDDEN, "sar")
	e.do("POST", "/v1/cases/"+c.ID+"/sar/approve", bob, "").decode(t, 200, &c)
	e.do("POST", "/v1/cases/"+c.ID+"/sar/file", bob, `{"bsa_id":"31000000000001"}`).decode(t, 200, &c)
	if c.Status != "sar_filed" || c.SAR.BSAID != "31000000000001" || c.ReviewDueAt.IsZero() {
		t.Fatalf("filed %+v", c)
	}
	a := string(e.do("GET", "/v1/audit/entries?from=0&to=1000", e.admin, "").body)
	for _, action := range []string{"case.open", "case.transition", "case.attach", "case.sar_prepare", "case.sar_approve", "case.sar_file"} {
		if !strings.Contains(a, `"action":"`+action+`"`) {
			t.Errorf("audit lacks %s", action)
		}
	}
}

func TestCTRsOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	analyst := e.key(warden.RoleAnalyst)
	// A day with no transactions closes with no reports.
	res, err := e.srv.ctrs.Close(context.Background(), "2026-01-05")
	if err != nil || res.Reports != 0 {
		t.Fatalf("close %+v %v", res, err)
	}
	var list struct {
		Reports []map[string]any `json:"reports"`
	}
	e.do("GET", "/v1/ctrs?date=2026-01-05", e.key(warden.RoleAuditor), "").decode(t, 200, &list)
	if len(list.Reports) != 0 {
		t.Fatalf("reports %+v", list)
	}
	e.do("GET", "/v1/ctrs", analyst, "").wantError(t, 400, warden.EINVALID, "date")
	e.do("GET", "/v1/ctrs?date=2026-01-05&status=done", analyst, "").wantError(t, 400, warden.EINVALID, "status")
	e.do("POST", "/v1/ctrs/ctr_20260105_0123456789ab/approve", analyst, "").wantError(t, 404, warden.ENOTFOUND, "id")
	e.do("GET", "/v1/ctrs?date=2026-01-05", e.key(warden.RoleService), "").wantError(t, 403, warden.EFORBIDDEN, "")
}
