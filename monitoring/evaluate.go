package monitoring

import (
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/google/cel-go/common/types"
)

// txValue is the transaction as rules see it.
func txValue(t *Transaction, cps *CounterpartyScreening) map[string]any {
	cp := map[string]any{"name": t.Counterparty.Name, "account": t.Counterparty.Account, "institution": t.Counterparty.Institution,
		"country": t.Counterparty.Country, "key": t.CounterpartyKey()}
	scr := map[string]any{"hit": false, "score": 0.0, "list": "", "entry_id": ""}
	if cps != nil && cps.Hit {
		scr = map[string]any{"hit": true, "score": cps.Score, "list": cps.List, "entry_id": cps.EntryID}
	}
	cp["screening"] = scr
	meta := t.Metadata
	if meta == nil {
		meta = map[string]string{}
	}
	m := map[string]any{"id": t.ID, "time": t.Time, "customer_id": t.CustomerID, "account_id": t.AccountID, "counterparty": cp,
		"amount": t.Amount, "currency": t.Currency, "direction": t.Direction, "channel": t.Channel, "branch": t.Branch,
		"agent": t.Agent, "metadata": meta}
	if t.BalanceAfter != nil {
		m["balance_after"] = *t.BalanceAfter
	}
	return m
}

// periodStarts gives the start of the business day and month of t in loc,
// as UTC instants.
func periodStarts(t time.Time, loc *time.Location) (day, month time.Time) {
	l := t.In(loc)
	day = time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc).UTC()
	month = time.Date(l.Year(), l.Month(), 1, 0, 0, 0, 0, loc).UTC()
	return day, month
}

// evaluate runs every enabled rule; the decision takes the strongest action
// of the rules that fired and the sum of their scores (at most 100).
func (s *Service) evaluate(rs *ruleSet, t *Transaction, prof *CustomerProfile, cps *CounterpartyScreening, ws []*window) (*Decision, []*compiled) {
	act := &activation{tx: txMap(t, cps), customer: customerMap(prof, t.Currency)}
	empty := s.windows.view(nil, t)
	act.byCust, act.byAcct, act.byCp, act.byAgnt = windowVal{empty}, windowVal{empty}, windowVal{empty}, windowVal{empty}
	for _, w := range ws {
		v := windowVal{s.windows.view(w, t)}
		switch w.key.Kind {
		case KindCustomer:
			act.byCust = v
		case KindAccount:
			act.byAcct = v
		case KindCounterparty:
			act.byCp = v
		case KindAgent:
			act.byAgnt = v
		}
	}
	day, month := periodStarts(t.Time, s.loc)
	act.today, act.month = types.Timestamp{Time: day}, types.Timestamp{Time: month}
	dec := &Decision{TransactionID: t.ID, Action: ActionAllow, Reasons: []Reason{}, DecidedAt: s.now().UTC().Truncate(time.Microsecond)}
	var fired []*compiled
	for _, r := range rs.rules {
		act.params = r.params
		out, _, err := r.prog.Eval(act)
		if err != nil {
			// A rule that cannot evaluate (a missing field, the cost limit)
			// must not decide silently: it sends the transaction to review.
			dec.Reasons = append(dec.Reasons, Reason{RuleID: r.rule.ID, RuleVersion: r.rule.Version, Description: r.rule.Description,
				Action: ActionReview, Severity: "medium", Evidence: map[string]any{"evaluation_error": err.Error()}})
			if actionRank(ActionReview) > actionRank(dec.Action) {
				dec.Action = ActionReview
			}
			fired = append(fired, r)
			continue
		}
		if b, ok := out.Value().(bool); !ok || !b {
			continue
		}
		reason := Reason{RuleID: r.rule.ID, RuleVersion: r.rule.Version, Description: r.rule.Description, Action: r.rule.Action,
			Score: r.rule.Score, Severity: r.rule.Severity}
		if len(r.evidence) > 0 {
			reason.Evidence = map[string]any{}
			names := make([]string, 0, len(r.evidence))
			for k := range r.evidence {
				names = append(names, k)
			}
			sort.Strings(names)
			for _, k := range names {
				v, _, err := r.evidence[k].Eval(act)
				if err != nil {
					reason.Evidence[k] = "error: " + err.Error()
					continue
				}
				reason.Evidence[k] = evidenceValue(v.Value())
			}
		}
		dec.Reasons = append(dec.Reasons, reason)
		dec.Score += r.rule.Score
		if actionRank(r.rule.Action) > actionRank(dec.Action) {
			dec.Action = r.rule.Action
		}
		fired = append(fired, r)
	}
	dec.Score = min(dec.Score, 100)
	return dec, fired
}

// evidenceValue turns a CEL result into plain JSON.
func evidenceValue(v any) any {
	switch x := v.(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case time.Duration:
		return x.String()
	case int64, uint64, float64, bool, string, nil:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return json.RawMessage(b)
}
