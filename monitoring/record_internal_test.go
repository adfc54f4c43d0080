package monitoring

import (
	"bytes"
	"testing"
	"time"
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
