package monitoring

import (
	"context"
	"time"

	"github.com/wardenhq/warden"
)

// BacktestRequest runs a draft rule over stored history.
type BacktestRequest struct {
	// Rule is the draft; its id must be the rule's (a new id tests a new rule).
	Rule Rule `json:"rule"`
	// From and To bound the transactions evaluated; the history before From
	// (up to the longest window) only fills the windows.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Limit bounds the transactions evaluated (default and maximum 1,000,000).
	Limit int `json:"limit,omitempty"`
}

// BacktestHit is one transaction the draft would have flagged.
type BacktestHit struct {
	TransactionID  string         `json:"transaction_id"`
	Time           time.Time      `json:"time"`
	CustomerID     string         `json:"customer_id"`
	Amount         int64          `json:"amount"`
	Currency       string         `json:"currency"`
	OriginalAction string         `json:"original_action"`
	Evidence       map[string]any `json:"evidence,omitempty"`
}

// BacktestResult reports what the draft would have done.
type BacktestResult struct {
	Rule         Rule          `json:"rule"`
	From         time.Time     `json:"from"`
	To           time.Time     `json:"to"`
	Evaluated    int           `json:"evaluated"`
	Flagged      int           `json:"flagged"`
	Customers    int           `json:"customers_flagged"`
	NewlyFlagged int           `json:"newly_flagged"` // flagged now, allowed then
	Errors       int           `json:"evaluation_errors"`
	Truncated    bool          `json:"truncated"`
	Sample       []BacktestHit `json:"sample"`
	TookMillis   int64         `json:"took_ms"`
}

// Backtest replays stored transactions, in the order they were stored,
// through fresh windows and evaluates the draft rule on each one in
// [From, To). Customers are seen as they are today (profiles are not
// versioned per transaction); transactions blocked at the time count in no
// window, as live. Nothing is stored.
func (s *Service) Backtest(ctx context.Context, req BacktestRequest) (*BacktestResult, error) {
	start := time.Now()
	req.Rule = normalize(req.Rule)
	c, err := s.compiler.compile(StoredRule{Rule: req.Rule, Version: 0})
	if err != nil {
		return nil, err
	}
	switch {
	case req.From.IsZero() || req.To.IsZero():
		return nil, warden.FieldErrorf(warden.EINVALID, "from", "from and to are required (RFC 3339)")
	case !req.To.After(req.From):
		return nil, warden.FieldErrorf(warden.EINVALID, "to", "to must be after from")
	case req.To.Sub(req.From) > 400*24*time.Hour:
		return nil, warden.FieldErrorf(warden.EINVALID, "to", "a backtest covers at most 400 days")
	case req.Limit < 0 || req.Limit > 1_000_000:
		return nil, warden.FieldErrorf(warden.EINVALID, "limit", "limit must be between 1 and 1000000")
	}
	if req.Limit == 0 {
		req.Limit = 1_000_000
	}
	rs := &ruleSet{rules: []*compiled{c}, byID: map[string]*compiled{c.rule.ID: c}}
	ws := NewWindows(s.history, 1<<30)
	shadow := &Service{windows: ws, loc: s.loc, now: s.now, history: s.history}
	res := &BacktestResult{Rule: req.Rule, From: req.From.UTC(), To: req.To.UTC(), Sample: []BacktestHit{}}
	customers := map[string]bool{}
	profiles := map[string]*CustomerProfile{}
	after := int64(0)
	for {
		page, err := s.store.TransactionsAfter(ctx, after, req.From.Add(-s.history), req.To, 1000)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, st := range page {
			after = st.Seq
			t := &st.Transaction
			keys := keysOf(t)
			wins := make([]*window, len(keys))
			for i, k := range keys {
				if wins[i] = ws.get(k); wins[i] == nil {
					wins[i] = ws.put(&window{key: k})
				}
			}
			if !t.Time.Before(req.From) {
				if res.Evaluated >= req.Limit {
					res.Truncated = true
					break
				}
				res.Evaluated++
				prof := profiles[t.CustomerID]
				if prof == nil {
					if prof, err = s.customers.Profile(ctx, t.CustomerID); err != nil {
						return nil, err
					}
					profiles[t.CustomerID] = prof
				}
				// Counterparty screening is today's lists, from the cache.
				var cps *CounterpartyScreening
				if s.cps != nil && t.Counterparty.Name != "" {
					if cps, err = s.cps.ScreenCounterparty(ctx, t.Counterparty); err != nil {
						return nil, err
					}
				}
				dec, _ := shadow.evaluate(rs, t, prof, cps, wins)
				if len(dec.Reasons) > 0 {
					if _, isErr := dec.Reasons[0].Evidence["evaluation_error"]; isErr {
						res.Errors++
					} else {
						res.Flagged++
						customers[t.CustomerID] = true
						if st.Decision.Action == ActionAllow {
							res.NewlyFlagged++
						}
						if len(res.Sample) < 100 {
							res.Sample = append(res.Sample, BacktestHit{TransactionID: t.ID, Time: t.Time, CustomerID: t.CustomerID, Amount: t.Amount,
								Currency: t.Currency, OriginalAction: st.Decision.Action, Evidence: dec.Reasons[0].Evidence})
						}
					}
				}
			}
			if st.Decision.Action != ActionBlock {
				rec := RecordOf(t)
				rec.Seq = st.Seq
				for _, w := range wins {
					ws.add(w, rec)
				}
			}
		}
		if res.Truncated {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	res.Customers = len(customers)
	res.TookMillis = time.Since(start).Milliseconds()
	return res, nil
}
