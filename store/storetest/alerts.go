package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

func testAlerts(t *testing.T, s Store) {
	ctx := context.Background()
	as, ok := s.(cases.AlertStore)
	if !ok {
		t.Fatal("store does not keep alerts")
	}
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	raise := func(customer, rule, sev string, at time.Time, ev string) (*cases.Alert, bool) {
		t.Helper()
		a, created, err := as.RaiseAlert(ctx, cases.Raise{CustomerID: customer, Source: cases.SourceMonitoring, RuleID: rule, RuleVersion: 1,
			Severity: sev, Window: 24 * time.Hour, At: at, Evidence: json.RawMessage(ev)}, cases.NewAlertID(at))
		if err != nil {
			t.Fatal(err)
		}
		return a, created
	}
	a1, created := raise("c1", "structuring", "medium", at, `{"tx":"t1"}`)
	if !created || a1.Hits != 1 || a1.Status != cases.StatusOpen {
		t.Fatalf("first raise %+v created=%v", a1, created)
	}
	// Within the window: extended, severity raised, evidence appended.
	a2, created := raise("c1", "structuring", "high", at.Add(2*time.Hour), `{"tx":"t2"}`)
	if created || a2.ID != a1.ID || a2.Hits != 2 || a2.Severity != "high" || len(a2.Evidence) != 2 || !a2.LastAt.Equal(at.Add(2*time.Hour)) {
		t.Fatalf("extend %+v created=%v", a2, created)
	}
	// Another rule or customer: separate alerts.
	if b, created := raise("c1", "round-amounts", "low", at, `{}`); !created || b.ID == a1.ID {
		t.Fatalf("other rule %+v", b)
	}
	if b, created := raise("c2", "structuring", "low", at, `{}`); !created || b.ID == a1.ID {
		t.Fatalf("other customer %+v", b)
	}
	// Past the window since the last occurrence: a new alert.
	a3, created := raise("c1", "structuring", "medium", at.Add(2*time.Hour+25*time.Hour), `{"tx":"t3"}`)
	if !created || a3.ID == a1.ID {
		t.Fatalf("after the window %+v created=%v", a3, created)
	}
	got, err := as.Alert(ctx, a1.ID)
	if err != nil || got.Hits != 2 || string(got.Evidence[1]) != `{"tx":"t2"}` || !got.FirstAt.Equal(at) {
		t.Fatalf("read back %+v %v", got, err)
	}
	if _, err := as.Alert(ctx, "alt_00000000000000000000"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("missing alert: %v", err)
	}
	// Evidence is bounded: the first and the latest kept, hits still counted.
	for i := 0; i < cases.MaxEvidence+10; i++ {
		raise("c9", "burst", "low", at.Add(time.Duration(i)*time.Minute), fmt.Sprintf(`{"n":%d}`, i))
	}
	burst, _ := raise("c9", "burst", "low", at.Add(2*time.Hour), `{"n":"last"}`)
	if burst.Hits != cases.MaxEvidence+11 || len(burst.Evidence) != cases.MaxEvidence ||
		string(burst.Evidence[0]) != `{"n":0}` || string(burst.Evidence[len(burst.Evidence)-1]) != `{"n":"last"}` {
		t.Fatalf("bounded evidence: hits %d, %d items, first %s", burst.Hits, len(burst.Evidence), burst.Evidence[0])
	}

	// Filters and paging.
	list, err := as.Alerts(ctx, cases.Filter{CustomerID: "c1", Limit: 10})
	if err != nil || len(list) != 3 {
		t.Fatalf("c1 alerts %d %v", len(list), err)
	}
	list, err = as.Alerts(ctx, cases.Filter{RuleID: "structuring", Severity: "high", Limit: 10})
	if err != nil || len(list) != 1 || list[0].ID != a1.ID {
		t.Fatalf("rule+severity filter %+v %v", list, err)
	}
	page1, err := as.Alerts(ctx, cases.Filter{Limit: 2})
	if err != nil || len(page1) != 2 {
		t.Fatal(err)
	}
	page2, err := as.Alerts(ctx, cases.Filter{Limit: 10, After: page1[1].ID})
	if err != nil || len(page2) != 3 || page2[0].ID <= page1[1].ID {
		t.Fatalf("page 2 %d %v", len(page2), err)
	}
	list, err = as.Alerts(ctx, cases.Filter{Since: at.Add(time.Hour), Limit: 10})
	if err != nil || len(list) != 1 || list[0].ID != a3.ID {
		t.Fatalf("since filter %+v %v", list, err)
	}
	counts, err := as.AlertCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, c := range counts {
		total += c.Count
	}
	if total != 5 {
		t.Fatalf("counts %+v", counts)
	}

	// Replicas raising the same alert at once make one alert, every hit counted.
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[string]bool{}
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, _, err := as.RaiseAlert(ctx, cases.Raise{CustomerID: "c5", Source: cases.SourceMonitoring, RuleID: "velocity", RuleVersion: 1,
				Severity: "medium", Window: time.Hour, At: at, Evidence: json.RawMessage(`{}`)}, cases.NewAlertID(at))
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			ids[a.ID] = true
			mu.Unlock()
		}()
	}
	wg.Wait()
	list, err = as.Alerts(ctx, cases.Filter{CustomerID: "c5", Limit: 10})
	if err != nil || len(ids) != 1 || len(list) != 1 || list[0].Hits != 8 {
		t.Fatalf("concurrent raises: ids %v, alerts %+v %v", ids, list, err)
	}
}
