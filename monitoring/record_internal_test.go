package monitoring

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"strings"
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
	hit := &CounterpartyScreening{Hit: true, Score: 0.9, List: "ofac-sdn", EntryID: "1"}
	for name, pair := range map[string]struct {
		lazy fieldMap
		full map[string]any
	}{
		"tx (hit)":       {txMap(tx, hit), txValue(tx, hit)},
		"tx (no hit)":    {txMap(tx, nil), txValue(tx, nil)},
		"tx (miss)":      {txMap(tx, &CounterpartyScreening{Score: 0.5}), txValue(tx, &CounterpartyScreening{Score: 0.5})},
		"customer (KES)": {customerMap(prof, "KES"), prof.celValue("KES")},
		"customer (USD)": {customerMap(prof, "USD"), prof.celValue("USD")},
	} {
		sameFields(t, name, pair.lazy, pair.full)
	}
	noBal := *tx
	noBal.BalanceAfter = nil
	if _, ok := txMap(&noBal, nil).find("balance_after"); ok {
		t.Error("balance_after present without one")
	}
}

// sameFields compares a lazy map with its full form field by field, nested
// lazy maps included.
func sameFields(t *testing.T, name string, lazy fieldMap, full map[string]any) {
	t.Helper()
	for k, want := range full {
		got, ok := lazy.find(k)
		if !ok {
			t.Errorf("%s.%s missing", name, k)
			continue
		}
		if nested, ok := got.(fieldMap); ok {
			w, ok := want.(map[string]any)
			if !ok {
				t.Errorf("%s.%s is a map, want %T", name, k, want)
				continue
			}
			sameFields(t, name+"."+k, nested, w)
			if eq := nested.Equal(types.DefaultTypeAdapter.NativeToValue(w)); eq != types.True {
				t.Errorf("%s.%s as a whole = %v, want %v", name, k, nested.Value(), w)
			}
			continue
		}
		if eq := got.Equal(types.DefaultTypeAdapter.NativeToValue(want)); eq != types.True {
			t.Errorf("%s.%s = %v, want %v", name, k, got, want)
		}
	}
	if _, ok := lazy.find("nonsense"); ok {
		t.Errorf("%s has a field the map lacks", name)
	}
}

// The hand-written identifier checks accept exactly what their regular
// expressions do.
func TestValidIdentMatchesItsPattern(t *testing.T) {
	txID := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)
	ref := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$`)
	alphabet := []string{"a", "Z", "0", "9", ".", "_", ":", "-", "/", " ", "é", "\x00", "\n", "+", "ß"}
	rnd := rand.New(rand.NewPCG(1, 2))
	cases := []string{"", strings.Repeat("a", 128), strings.Repeat("a", 129), "-a", "a-", "/a", "a/b", "é"}
	for range 20000 {
		var b strings.Builder
		for range rnd.IntN(8) {
			b.WriteString(alphabet[rnd.IntN(len(alphabet))])
		}
		cases = append(cases, b.String())
	}
	for _, s := range cases {
		if got, want := validTxID(s), txID.MatchString(s); got != want {
			t.Errorf("validTxID(%q) = %v, want %v", s, got, want)
		}
		if got, want := validRef(s), ref.MatchString(s); got != want {
			t.Errorf("validRef(%q) = %v, want %v", s, got, want)
		}
	}
}
