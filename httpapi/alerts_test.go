package httpapi

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

func TestAlertsListFiltersAndMetrics(t *testing.T) {
	e := newEnv(t, nil)
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)
	raise := func(customer, rule, sev string, at time.Time) *cases.Alert {
		a, err := e.alerts.Raise(ctx, cases.Raise{CustomerID: customer, Source: cases.SourceMonitoring, RuleID: rule, RuleVersion: 2, Severity: sev,
			Window: time.Hour, At: at, Evidence: json.RawMessage(`{"transaction_id":"t-1"}`)})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	first := raise("c1", "structuring", "high", at)
	raise("c1", "structuring", "high", at.Add(time.Minute)) // extends
	raise("c2", "round-amounts", "low", at.Add(2*time.Hour))

	analyst := e.key(warden.RoleAnalyst)
	var page struct {
		Alerts    []cases.Alert `json:"alerts"`
		NextAfter string        `json:"next_after"`
	}
	r := e.do("GET", "/v1/alerts?customer=c1", analyst, "")
	r.decode(t, 200, &page)
	if len(page.Alerts) != 1 || page.Alerts[0].ID != first.ID || page.Alerts[0].Hits != 2 || page.Alerts[0].RuleVersion != 2 {
		t.Fatalf("c1 alerts %+v", page.Alerts)
	}
	e.do("GET", "/v1/alerts?severity=low&status=open", analyst, "").decode(t, 200, &page)
	if len(page.Alerts) != 1 || page.Alerts[0].CustomerID != "c2" {
		t.Fatalf("low alerts %+v", page.Alerts)
	}
	e.do("GET", "/v1/alerts?limit=1", analyst, "").decode(t, 200, &page)
	if len(page.Alerts) != 1 || page.NextAfter != first.ID {
		t.Fatalf("first page %+v next %q", page.Alerts, page.NextAfter)
	}
	e.do("GET", "/v1/alerts?limit=1&after="+page.NextAfter, analyst, "").decode(t, 200, &page)
	if len(page.Alerts) != 1 || page.Alerts[0].CustomerID != "c2" {
		t.Fatalf("second page %+v", page.Alerts)
	}
	e.do("GET", "/v1/alerts?since=2026-05-01T10:00:00Z", analyst, "").decode(t, 200, &page)
	if len(page.Alerts) != 1 || page.Alerts[0].CustomerID != "c2" {
		t.Fatalf("since %+v", page.Alerts)
	}
	var one cases.Alert
	e.do("GET", "/v1/alerts/"+first.ID, e.key(warden.RoleAuditor), "").decode(t, 200, &one)
	if one.ID != first.ID || len(one.Evidence) != 2 {
		t.Fatalf("one alert %+v", one)
	}

	// Bad filters are 400s naming the parameter; the core system cannot read alerts.
	e.do("GET", "/v1/alerts?status=pending", analyst, "").wantError(t, 400, warden.EINVALID, "status")
	e.do("GET", "/v1/alerts?since=yesterday", analyst, "").wantError(t, 400, warden.EINVALID, "since")
	e.do("GET", "/v1/alerts?limit=0", analyst, "").wantError(t, 400, warden.EINVALID, "limit")
	e.do("GET", "/v1/alerts?after=x", analyst, "").wantError(t, 400, warden.EINVALID, "after")
	e.do("GET", "/v1/alerts?colour=red", analyst, "").wantError(t, 400, warden.EINVALID, "colour")
	e.do("GET", "/v1/alerts", e.key(warden.RoleService), "").wantError(t, 403, warden.EFORBIDDEN, "")

	m := string(e.do("GET", "/metrics", "", "").body)
	for _, want := range []string{
		`warden_alerts{severity="high",source="monitoring",status="open"} 1`,
		`warden_alerts{severity="low",source="monitoring",status="open"} 1`,
		`warden_alerts_raised_total{outcome="extended",severity="high",source="monitoring"} 1`,
		`warden_alerts_raised_total{outcome="opened",severity="high",source="monitoring"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
