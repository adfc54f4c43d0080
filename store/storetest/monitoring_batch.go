package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wardenhq/warden/monitoring"
)

// testBatchLocked: a locked transaction's batch reads (a replica deciding
// many transactions at once) answer exactly what the one-key reads answer,
// across the statements' chunk boundaries.
func testBatchLocked(t *testing.T, ts monitoring.TransactionStore) {
	ctx := context.Background()
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	// 300 customers (more keys than one statement takes), three rows each:
	// one long ago, one blocked, one recent; agents shared by ten customers.
	var ds []*monitoring.Decided
	for c := range 300 {
		cust := fmt.Sprintf("bc%03d", c)
		for i, row := range []struct {
			age    time.Duration
			action string
		}{{30 * 24 * time.Hour, "allow"}, {2 * time.Hour, "block"}, {time.Hour, "review"}} {
			d := decided(fmt.Sprintf("b-%s-%d", cust, i), cust, at.Add(-row.age), int64(100*c+i), row.action)
			d.Transaction.Agent = fmt.Sprintf("bag%02d", c%30)
			ds = append(ds, d)
		}
	}
	seqs, err := ts.SaveDecided(ctx, ds)
	if err != nil || len(seqs) != len(ds) {
		t.Fatalf("save %d: %d %v", len(ds), len(seqs), err)
	}
	for i := 1; i < len(seqs); i++ {
		if seqs[i] <= seqs[i-1] {
			t.Fatalf("sequences out of order at %d: %d after %d", i, seqs[i], seqs[i-1])
		}
	}
	bySeq := map[string]int64{}
	for i, d := range ds {
		bySeq[d.Transaction.ID] = seqs[i]
	}
	from := at.Add(-7 * 24 * time.Hour)
	after := map[monitoring.Key]int64{}
	for c := range 300 {
		cust := fmt.Sprintf("bc%03d", c)
		// Some keys from the start, some after their first row, some after
		// their last (nothing new).
		var a int64
		switch c % 3 {
		case 1:
			a = bySeq["b-"+cust+"-0"]
		case 2:
			a = bySeq["b-"+cust+"-2"]
		}
		after[monitoring.Key{Kind: monitoring.KindCustomer, ID: cust}] = a
		after[monitoring.Key{Kind: monitoring.KindAccount, ID: "a-" + cust}] = a
	}
	for g := range 30 {
		after[monitoring.Key{Kind: monitoring.KindAgent, ID: fmt.Sprintf("bag%02d", g)}] = 0
	}
	after[monitoring.Key{Kind: monitoring.KindCustomer, ID: "nobody"}] = 0

	ids := make([]string, 0, len(ds)+1)
	for _, d := range ds {
		ids = append(ids, d.Transaction.ID)
	}
	ids = append(ids, "b-missing")

	err = ts.Locked(ctx, []monitoring.Key{{Kind: monitoring.KindCustomer, ID: "bc000"}}, func(ltx monitoring.LockedTx) error {
		tx, ok := ltx.(monitoring.BatchLockedTx)
		if !ok {
			t.Fatal("the store's locked transaction cannot read in batches")
		}
		stored, err := tx.StoredDecisions(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(stored) != len(ds) {
			t.Fatalf("%d stored decisions, want %d", len(stored), len(ds))
		}
		if _, ok := stored["b-missing"]; ok {
			t.Fatal("a missing id has a decision")
		}
		if sd := stored["b-bc007-1"]; sd.Decision == nil || sd.Decision.Action != "block" || sd.PayloadHash != "h-b-bc007-1" {
			t.Fatalf("stored decision %+v", sd)
		}
		news, err := tx.WindowsAfter(ctx, after, from)
		if err != nil {
			t.Fatal(err)
		}
		for k, a := range after {
			recs, last, maxSeq, err := tx.WindowHistory(ctx, k, from, a)
			if err != nil {
				t.Fatal(err)
			}
			got := news[k]
			if !slices.EqualFunc(got.Records, recs, func(x, y monitoring.Record) bool { return x.ID == y.ID && x.Seq == y.Seq && x.Amount == y.Amount }) ||
				!got.LastAt.Equal(last) || got.MaxSeq != maxSeq {
				t.Fatalf("%s after %d: batch %+v, one key %+v %v %d", k, a, got, recs, last, maxSeq)
			}
		}
		if d := news[monitoring.Key{Kind: monitoring.KindAgent, ID: "bag05"}]; len(d.Records) != 10 {
			t.Fatalf("agent bag05: %d records, want 10 (10 customers, one each in the window and not blocked)", len(d.Records))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
