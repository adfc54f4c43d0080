package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/monitoring"
)

func decided(id, customer string, at time.Time, amount int64, action string) *monitoring.Decided {
	return &monitoring.Decided{
		Transaction: monitoring.Transaction{ID: id, Time: at, CustomerID: customer, AccountID: "a-" + customer, Amount: amount, Currency: "KES",
			Direction: "in", Channel: "cash", Agent: "ag1", Counterparty: monitoring.Counterparty{Name: "Shop", Account: "9", Institution: "BK"}},
		PayloadHash: "h-" + id, NeedsAlert: action != "allow",
		Decision: monitoring.Decision{TransactionID: id, Action: action, DecidedAt: at, Reasons: []monitoring.Reason{}},
	}
}

func testTransactions(t *testing.T, s Store) {
	ctx := context.Background()
	ts, ok := s.(monitoring.TransactionStore)
	if !ok {
		t.Fatal("store keeps no transactions")
	}
	at := time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC)
	seqs, err := ts.SaveDecided(ctx, []*monitoring.Decided{
		decided("t1", "c1", at, 100, "allow"), decided("t2", "c1", at.Add(time.Hour), 200, "review"), decided("t3", "c2", at, 300, "block"),
	})
	if err != nil || len(seqs) != 3 || !(seqs[0] < seqs[1] && seqs[1] < seqs[2]) {
		t.Fatalf("save: %v %v", seqs, err)
	}
	// A stored id again fails the whole batch.
	if _, err := ts.SaveDecided(ctx, []*monitoring.Decided{decided("t4", "c1", at, 1, "allow"), decided("t1", "c1", at, 1, "allow")}); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("duplicate: %v", err)
	}
	if _, _, err := ts.StoredDecision(ctx, "t4"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("a failed batch stored t4: %v", err)
	}
	d, hash, err := ts.StoredDecision(ctx, "t2")
	if err != nil || d.Action != "review" || hash != "h-t2" {
		t.Fatalf("decision %+v %q %v", d, hash, err)
	}
	// Windows: by customer, time and sequence; blocked transactions did not happen.
	recs, last, maxSeq, err := ts.WindowHistory(ctx, monitoring.Key{Kind: monitoring.KindCustomer, ID: "c1"}, at.Add(-time.Hour), 0)
	if err != nil || len(recs) != 2 || recs[0].ID != "t1" || recs[1].Amount != 200 || !last.Equal(at.Add(time.Hour)) || maxSeq != seqs[1] {
		t.Fatalf("window c1: %+v %v %d %v", recs, last, maxSeq, err)
	}
	if recs[0].CounterpartyKey != "acct:BK/9" || recs[0].Agent != "ag1" || !recs[0].Time.Equal(at) {
		t.Fatalf("record %+v", recs[0])
	}
	// Catching up (a replica): only rows after a sequence, and the latest
	// time and highest sequence of those rows.
	recs, last, maxSeq, _ = ts.WindowHistory(ctx, monitoring.Key{Kind: monitoring.KindCustomer, ID: "c1"}, at.Add(-time.Hour), seqs[0])
	if len(recs) != 1 || recs[0].ID != "t2" || recs[0].Seq != seqs[1] || !last.Equal(at.Add(time.Hour)) || maxSeq != seqs[1] {
		t.Fatalf("after seq: %+v %v %d", recs, last, maxSeq)
	}
	// A row before from is no record but still moves the time and sequence.
	recs, last, maxSeq, _ = ts.WindowHistory(ctx, monitoring.Key{Kind: monitoring.KindCustomer, ID: "c1"}, at.Add(2*time.Hour), seqs[0])
	if len(recs) != 0 || !last.Equal(at.Add(time.Hour)) || maxSeq != seqs[1] {
		t.Fatalf("after seq, before from: %+v %v %d", recs, last, maxSeq)
	}
	// A blocked row moves only the sequence.
	recs, last, maxSeq, _ = ts.WindowHistory(ctx, monitoring.Key{Kind: monitoring.KindCustomer, ID: "c2"}, at.Add(-time.Hour), seqs[1])
	if len(recs) != 0 || !last.IsZero() || maxSeq != seqs[2] {
		t.Fatalf("after seq, blocked: %+v %v %d", recs, last, maxSeq)
	}
	// Nothing new: nothing moves.
	if recs, last, maxSeq, _ = ts.WindowHistory(ctx, monitoring.Key{Kind: monitoring.KindCustomer, ID: "c1"}, at.Add(-time.Hour), seqs[2]); len(recs) != 0 || !last.IsZero() || maxSeq != 0 {
		t.Fatalf("after the last seq: %+v %v %d", recs, last, maxSeq)
	}
	recs, _, _, _ = ts.WindowHistory(ctx, monitoring.Key{Kind: monitoring.KindAgent, ID: "ag1"}, at.Add(30*time.Minute), 0)
	if len(recs) != 1 || recs[0].ID != "t2" {
		t.Fatalf("agent window from a time: %+v", recs)
	}
	recs, last, _, _ = ts.WindowHistory(ctx, monitoring.Key{Kind: monitoring.KindCustomer, ID: "c2"}, at.Add(-time.Hour), 0)
	if len(recs) != 0 || !last.IsZero() {
		t.Fatalf("blocked counted: %+v %v", recs, last)
	}
	st, err := ts.Transaction(ctx, "t3")
	if err != nil || st.Transaction.Amount != 300 || st.Decision.Action != "block" || st.Seq != seqs[2] {
		t.Fatalf("transaction %+v %v", st, err)
	}
	page, err := ts.TransactionsAfter(ctx, seqs[0], time.Time{}, time.Time{}, 10)
	if err != nil || len(page) != 2 || page[0].Transaction.ID != "t2" {
		t.Fatalf("page %+v %v", page, err)
	}
	page, _ = ts.TransactionsAfter(ctx, 0, at.Add(time.Minute), at.Add(2*time.Hour), 10)
	if len(page) != 1 || page[0].Transaction.ID != "t2" {
		t.Fatalf("page by time %+v", page)
	}
	// The alert outbox.
	pend, err := ts.PendingAlerts(ctx, at.Add(2*time.Hour), 10)
	if err != nil || len(pend) != 2 {
		t.Fatalf("pending %+v %v", pend, err)
	}
	if err := ts.MarkAlerted(ctx, []string{"t2"}); err != nil {
		t.Fatal(err)
	}
	if pend, _ := ts.PendingAlerts(ctx, at.Add(2*time.Hour), 10); len(pend) != 1 || pend[0].Transaction.ID != "t3" {
		t.Fatalf("pending after mark %+v", pend)
	}
	// Marks staged on a context are cleared by the write raising the
	// alerts, in its transaction: with it, or not at all.
	as, ok := s.(cases.AlertStore)
	if !ok {
		t.Fatal("store keeps no alerts")
	}
	raise := func(customer string) cases.Raise {
		return cases.Raise{CustomerID: customer, Source: cases.SourceMonitoring, RuleID: "r", RuleVersion: 1, Severity: "high", At: at, Evidence: []byte(`{}`)}
	}
	if _, _, err := as.RaiseAlerts(ctx, []cases.Raise{raise("m1")}, []string{"alrt_mark_1"}); err != nil {
		t.Fatal(err)
	}
	mctx, marks := monitoring.WithAlertedMarks(ctx, []string{"t3"})
	// Another customer's alert under a taken id: the raise fails.
	if _, _, err := as.RaiseAlerts(mctx, []cases.Raise{raise("m2")}, []string{"alrt_mark_1"}); err == nil {
		t.Fatal("a raise under a taken alert id succeeded")
	}
	if pend, _ := ts.PendingAlerts(ctx, at.Add(2*time.Hour), 10); len(pend) != 1 || marks.WasCommitted() {
		t.Fatalf("a failed raise marked its decision: %+v", pend)
	}
	mctx, marks = monitoring.WithAlertedMarks(ctx, []string{"t3"})
	if _, _, err := as.RaiseAlerts(mctx, []cases.Raise{raise("m2")}, []string{"alrt_mark_2"}); err != nil {
		t.Fatal(err)
	}
	if pend, _ := ts.PendingAlerts(ctx, at.Add(2*time.Hour), 10); len(pend) != 0 || !marks.WasCommitted() {
		t.Fatalf("the raise did not mark its decision: %+v", pend)
	}

	// Locked: concurrent read-modify-writes on one key never interleave, so
	// each sees every earlier one.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	key := []monitoring.Key{{Kind: monitoring.KindCustomer, ID: "lk"}, {Kind: monitoring.KindAccount, ID: "a-lk"}}
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- ts.Locked(ctx, key, func(tx monitoring.LockedTx) error {
				recs, _, _, err := tx.WindowHistory(ctx, key[0], at.Add(-time.Hour), 0)
				if err != nil {
					return err
				}
				id := fmt.Sprintf("lk-%d", len(recs))
				_, err = tx.SaveDecided(ctx, []*monitoring.Decided{decided(id, "lk", at.Add(time.Duration(i)*time.Second), 1, "allow")})
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("locked: %v", err)
		}
	}
	recs, _, _, _ = ts.WindowHistory(ctx, key[0], at.Add(-time.Hour), 0)
	if len(recs) != 8 {
		t.Fatalf("locked writers interleaved: %d records", len(recs))
	}
	testBatchLocked(t, ts)
}

func testRules(t *testing.T, s Store) {
	ctx := context.Background()
	rs, ok := s.(monitoring.RuleStore)
	if !ok {
		t.Fatal("store keeps no rules")
	}
	at := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	r := func(id string, v int, expr string) *monitoring.StoredRule {
		return &monitoring.StoredRule{Rule: monitoring.Rule{ID: id, Description: "d", Expression: expr, Action: "review", Score: 1, Severity: "low",
			Params: map[string]any{"n": float64(3)}}, Version: v, CreatedAt: at, CreatedBy: "x", Source: "api"}
	}
	for _, sr := range []*monitoring.StoredRule{r("a.one", 1, "true"), r("a.one", 2, "false"), r("b.two", 1, "true")} {
		if err := rs.PutRule(ctx, sr); err != nil {
			t.Fatal(err)
		}
	}
	if err := rs.PutRule(ctx, r("a.one", 2, "x")); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("stale version: %v", err)
	}
	if err := rs.PutRule(ctx, r("c.three", 2, "x")); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("skipped version: %v", err)
	}
	latest, err := rs.LatestRules(ctx)
	if err != nil || len(latest) != 2 || latest[0].ID != "a.one" || latest[0].Version != 2 || latest[0].Expression != "false" || latest[0].Params["n"] != float64(3) {
		t.Fatalf("latest %+v %v", latest, err)
	}
	vs, err := rs.RuleVersions(ctx, "a.one")
	if err != nil || len(vs) != 2 || vs[0].Expression != "true" || !vs[1].CreatedAt.Equal(at) {
		t.Fatalf("versions %+v %v", vs, err)
	}
}
