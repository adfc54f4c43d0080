package monitoring

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/cel-go/common/types"
)

// The record made from the payload's JSON is byte for byte EncodeRecord's.
func TestEncodeRecordWithMatches(t *testing.T) {
	bal := int64(-5)
	d := &Decided{Transaction: Transaction{ID: "t1", Time: time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC), CustomerID: "c", AccountID: "a", Amount: 5,
		Currency: "KES", Direction: "in", Channel: "cash", BalanceAfter: &bal, Metadata: map[string]string{"k": "v<&>"},
		Counterparty: Counterparty{Name: "Zoë & Co", Country: "KE"}},
		Decision: Decision{TransactionID: "t1", Action: "review", Score: 40, Reasons: []Reason{{RuleID: "r", Evidence: map[string]any{"x": int64(1)}}}}}
	want, err := EncodeRecord(d)
	if err != nil {
		t.Fatal(err)
	}
	_, txJSON := payloadHash(&d.Transaction)
	if got := encodeRecordWith(txJSON, &d.Decision); !bytes.Equal(got, want) {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// Every field of the full maps is found, equal, through the lazy ones, and
// nothing more: rules see the same values either way.
func TestFieldMapsMatchTheFullMaps(t *testing.T) {
	bal := int64(7)
	tx := &Transaction{ID: "t1", Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), CustomerID: "c", AccountID: "a", Amount: 5, Currency: "KES",
		Direction: "in", Channel: "cash", Branch: "b", Agent: "g", BalanceAfter: &bal, Metadata: map[string]string{"k": "v"},
		Counterparty: Counterparty{Name: "N", Country: "KE"}}
	prof := &CustomerProfile{ID: "c", Known: true, Type: "individual", Tier: "full", Risk: "low", PEP: true, Hits: 2, Products: []string{"x"}}
	SetLimitsForTest(prof, "KES", Limits{1, 2, 3, 4})
	for name, pair := range map[string]struct {
		lazy fieldMap
		full map[string]any
	}{"tx": {txMap(tx, &CounterpartyScreening{Hit: true, Score: 0.9, List: "ofac-sdn", EntryID: "1"}), txValue(tx, &CounterpartyScreening{Hit: true, Score: 0.9, List: "ofac-sdn", EntryID: "1"})},
		"customer": {customerMap(prof, "KES"), prof.celValue("KES")}} {
		for k, want := range pair.full {
			got, ok := pair.lazy.find(k)
			if !ok {
				t.Errorf("%s.%s missing", name, k)
				continue
			}
			if eq := got.Equal(types.DefaultTypeAdapter.NativeToValue(want)); eq != types.True {
				t.Errorf("%s.%s = %v, want %v", name, k, got, want)
			}
		}
		if _, ok := pair.lazy.find("nonsense"); ok {
			t.Errorf("%s has a field the map lacks", name)
		}
	}
	noBal := *tx
	noBal.BalanceAfter = nil
	if _, ok := txMap(&noBal, nil).find("balance_after"); ok {
		t.Error("balance_after present without one")
	}
}
