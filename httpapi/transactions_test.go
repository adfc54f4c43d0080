package httpapi

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/monitoring"
)

func txBody(id string, amount int64, extra string) string {
	return fmt.Sprintf(`{"id":%q,"time":%q,"customer_id":"c1","account_id":"a1","amount":%d,"currency":"KES","direction":"out","channel":"mobile_money"%s}`,
		id, time.Now().UTC().Add(-time.Minute).Format(time.RFC3339Nano), amount, extra)
}

func TestTransactionsOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	svc, analyst := e.key(warden.RoleService), e.key(warden.RoleAnalyst)
	var d monitoring.Decision
	body := txBody("t-1", 150000, "")
	e.do("POST", "/v1/transactions", svc, body).decode(t, 200, &d)
	if d.Action != "allow" || d.TransactionID != "t-1" || d.Replayed {
		t.Fatalf("decision %+v", d)
	}
	e.do("POST", "/v1/transactions", svc, body).decode(t, 200, &d)
	if !d.Replayed {
		t.Fatalf("resubmission %+v", d)
	}
	// A sanctioned counterparty is blocked, with the rule and its evidence.
	e.do("POST", "/v1/transactions", svc, txBody("t-2", 5000, `,"counterparty":{"name":"Banco Nacional de Cuba","country":"CU"}`)).decode(t, 200, &d)
	if d.Action != "block" || d.Reasons[0].RuleID != "sanctions.counterparty" || d.Reasons[0].Evidence["list"] == "" {
		t.Fatalf("sanctioned counterparty %+v", d)
	}
	// Its alert is raised within moments (in batches, off the request path).
	var alerts struct {
		Alerts []struct {
			RuleID string `json:"rule_id"`
		} `json:"alerts"`
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		e.do("GET", "/v1/alerts?customer=c1", analyst, "").decode(t, 200, &alerts)
		if len(alerts.Alerts) == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if len(alerts.Alerts) != 1 || alerts.Alerts[0].RuleID != "sanctions.counterparty" {
		t.Fatalf("alerts %+v", alerts)
	}
	var st monitoring.StoredTransaction
	e.do("GET", "/v1/transactions/t-2", analyst, "").decode(t, 200, &st)
	if st.Transaction.Counterparty.Name != "Banco Nacional de Cuba" || st.Decision.Action != "block" {
		t.Fatalf("stored %+v", st)
	}
	e.do("GET", "/v1/transactions/nope", analyst, "").wantError(t, 404, warden.ENOTFOUND, "id")
	// Bad input names the field; money is never a float.
	e.do("POST", "/v1/transactions", svc, txBody("t-3", 100, `,"channel2":"x"`)).wantError(t, 400, warden.EINVALID, "channel2")
	e.do("POST", "/v1/transactions", svc, strings.Replace(txBody("t-3", 100, ""), `"amount":100`, `"amount":1.5`, 1)).wantError(t, 400, warden.EINVALID, "amount")
	e.do("POST", "/v1/transactions", svc, strings.Replace(txBody("t-3", 100, ""), `"KES"`, `"kes"`, 1)).wantError(t, 400, warden.EINVALID, "currency")
	e.do("POST", "/v1/transactions", svc, strings.Replace(body, "150000", "150001", 1)).wantError(t, 409, warden.ECONFLICT, "id")
	e.do("POST", "/v1/transactions", analyst, txBody("t-4", 100, "")).wantError(t, 403, warden.EFORBIDDEN, "")

	// One process on SQLite batches nothing; every audit record is relayed
	// (the alert's moments after its commit, which made it visible above).
	m := string(e.do("GET", "/metrics", "", "").body)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(m, "warden_audit_outbox_entries 0") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
		m = string(e.do("GET", "/metrics", "", "").body)
	}
	for _, want := range []string{`warden_decisions_total{action="allow"} 1`, `warden_decisions_total{action="block"} 1`,
		"warden_decisions_batched_total 0", "warden_audit_outbox_entries 0", "warden_audit_outbox_oldest_seconds 0"} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestRulesOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	analyst := e.key(warden.RoleAnalyst)
	var list struct {
		Rules []monitoring.StoredRule `json:"rules"`
	}
	e.do("GET", "/v1/rules", analyst, "").decode(t, 200, &list)
	if len(list.Rules) < 13 || list.Rules[0].Version != 1 || list.Rules[0].Source != "builtin" {
		t.Fatalf("rules %+v", list.Rules)
	}
	bad := `{"description":"big","expression":"tx.amount >> 5","action":"review","score":10,"severity":"low"}`
	er := e.do("PUT", "/v1/rules/big.amount", e.admin, bad).wantError(t, 400, warden.EINVALID, "expression")
	if !strings.Contains(er.Message, "Syntax error") {
		t.Fatalf("compiler message missing: %q", er.Message)
	}
	good := `{"description":"big","expression":"tx.amount > 100000000","action":"review","score":10,"severity":"low"}`
	var sr monitoring.StoredRule
	e.do("PUT", "/v1/rules/big.amount", e.admin, good).decode(t, 201, &sr)
	if sr.Version != 1 || sr.Source != "api" || !strings.HasPrefix(sr.CreatedBy, "api_key:") {
		t.Fatalf("created %+v", sr)
	}
	e.do("PUT", "/v1/rules/big.amount", e.admin, good).decode(t, 200, &sr)
	e.do("PUT", "/v1/rules/big.amount", e.admin, strings.Replace(good, "100000000", "1000", 1)).decode(t, 201, &sr)
	if sr.Version != 2 {
		t.Fatalf("second version %+v", sr)
	}
	e.do("PUT", "/v1/rules/big.amount", analyst, good).wantError(t, 403, warden.EFORBIDDEN, "")
	e.do("PUT", "/v1/rules/Big", e.admin, good).wantError(t, 400, warden.EINVALID, "id")
	var vs struct {
		Versions []monitoring.StoredRule `json:"versions"`
	}
	e.do("GET", "/v1/rules/big.amount", e.key(warden.RoleAuditor), "").decode(t, 200, &vs)
	if len(vs.Versions) != 2 {
		t.Fatalf("versions %+v", vs)
	}
	// The new version decides from now on.
	var d monitoring.Decision
	e.do("POST", "/v1/transactions", e.key(warden.RoleService), txBody("t-9", 5000, "")).decode(t, 200, &d)
	if d.Action != "review" || d.Reasons[0].RuleID != "big.amount" || d.Reasons[0].RuleVersion != 2 {
		t.Fatalf("decision %+v", d)
	}
	// Backtest a draft over what was stored.
	from, to := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339), time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	var res monitoring.BacktestResult
	e.do("POST", "/v1/rules/big.amount/backtest", analyst, fmt.Sprintf(`{"rule":{"description":"x","expression":"tx.amount > 10","action":"block","score":1,"severity":"low"},"from":%q,"to":%q}`, from, to)).decode(t, 200, &res)
	if res.Evaluated != 1 || res.Flagged != 1 || res.NewlyFlagged != 0 {
		t.Fatalf("backtest %+v", res)
	}
	e.do("POST", "/v1/rules/big.amount/backtest", analyst, fmt.Sprintf(`{"from":%q,"to":%q}`, to, from)).wantError(t, 400, warden.EINVALID, "to")
	e.do("POST", "/v1/rules/big.amount/backtest", e.key(warden.RoleAuditor), fmt.Sprintf(`{"from":%q,"to":%q}`, from, to)).wantError(t, 403, warden.EFORBIDDEN, "")
}

func TestTransactionBatchOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	svc := e.key(warden.RoleService)
	var items []string
	for i := range 50 {
		items = append(items, txBody(fmt.Sprintf("b-%d", i), 1000, ""))
	}
	items[7] = strings.Replace(items[7], `"KES"`, `"KSH"`, 1)
	items[9] = `{"id":"x","nonsense":1}`
	body := `{"transactions":[` + strings.Join(items, ",") + `]}`
	var res struct {
		Results []struct {
			Decision *monitoring.Decision `json:"decision"`
			Error    *warden.Error        `json:"error"`
		} `json:"results"`
	}
	e.do("POST", "/v1/transactions/batch", svc, body).decode(t, 200, &res)
	if len(res.Results) != 50 {
		t.Fatalf("%d results", len(res.Results))
	}
	for i, r := range res.Results {
		switch i {
		case 7:
			if r.Error == nil || r.Error.Field != "transactions[7].currency" {
				t.Errorf("item 7: %+v", r)
			}
		case 9:
			if r.Error == nil || r.Error.Field != "transactions[9].nonsense" {
				t.Errorf("item 9: %+v", r.Error)
			}
		default:
			if r.Decision == nil || r.Decision.TransactionID != fmt.Sprintf("b-%d", i) || r.Decision.Replayed {
				t.Errorf("item %d: %+v", i, r)
			}
		}
	}
	// Resubmitted: every decision replayed, nothing counted twice.
	e.do("POST", "/v1/transactions/batch", svc, body).decode(t, 200, &res)
	if !res.Results[0].Decision.Replayed || !res.Results[49].Decision.Replayed {
		t.Fatalf("replay %+v", res.Results[0])
	}
	e.do("POST", "/v1/transactions/batch", svc, `{"transactions":[]}`).wantError(t, 400, warden.EINVALID, "transactions")
}
