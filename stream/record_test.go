package stream

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/monitoring"
)

const validTx = `{"id":"t-1","time":"2026-03-02T09:00:00Z","customer_id":"c1","account_id":"a1",` +
	`"counterparty":{"name":"ACME Ltd","country":"KE"},"amount":150000,"currency":"KES","direction":"in",` +
	`"channel":"mobile_money","balance_after":-5,"metadata":{"ref":"x"}}`

func TestDecodeRecord(t *testing.T) {
	tx, err := DecodeRecord([]byte(validTx+"\n"), 0)
	if err != nil {
		t.Fatal(err)
	}
	want := monitoring.Transaction{ID: "t-1", Time: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), CustomerID: "c1", AccountID: "a1",
		Counterparty: monitoring.Counterparty{Name: "ACME Ltd", Country: "KE"}, Amount: 150000, Currency: "KES",
		Direction: "in", Channel: "mobile_money", BalanceAfter: ptr(int64(-5)), Metadata: map[string]string{"ref": "x"}}
	if !reflect.DeepEqual(tx, want) {
		t.Fatalf("decoded %+v\nwant %+v", tx, want)
	}

	for _, c := range []struct {
		name, in    string
		max         int
		code, field string
	}{
		{"empty", "", 0, warden.EINVALID, ""},
		{"blank", " \n\t", 0, warden.EINVALID, ""},
		{"not json", "hello", 0, warden.EINVALID, ""},
		{"array", "[1,2]", 0, warden.EINVALID, ""},
		{"string", `"t-1"`, 0, warden.EINVALID, ""},
		{"unknown field", `{"id":"t","ammount":5}`, 0, warden.EINVALID, "ammount"},
		{"nested unknown field", `{"counterparty":{"iban":"x"}}`, 0, warden.EINVALID, "iban"},
		{"wrong type", `{"amount":"5"}`, 0, warden.EINVALID, "amount"},
		{"float amount", `{"amount":5.5}`, 0, warden.EINVALID, "amount"},
		{"bad time", `{"time":"yesterday"}`, 0, warden.EINVALID, ""},
		{"truncated", `{"id":"t-1",`, 0, warden.EINVALID, ""},
		{"two objects", validTx + validTx, 0, warden.EINVALID, ""},
		{"trailing garbage", validTx + " x", 0, warden.EINVALID, ""},
		{"trailing brace", validTx + "}", 0, warden.EINVALID, ""},
		{"over the limit", validTx, len(validTx) - 1, warden.ETOOLARGE, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := DecodeRecord([]byte(c.in), c.max)
			var we *warden.Error
			if !errors.As(err, &we) || we.Code != c.code || we.Field != c.field || we.Message == "" {
				t.Fatalf("error %#v; want code %s field %q", err, c.code, c.field)
			}
		})
	}
	// The default limit applies when max <= 0.
	big := `{"id":"` + strings.Repeat("x", MaxRecordBytes) + `"}`
	if _, err := DecodeRecord([]byte(big), 0); warden.ErrorCode(err) != warden.ETOOLARGE {
		t.Fatalf("%d bytes: %v", len(big), err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestDecisionRecordDropsUnencodableEvidenceOnly(t *testing.T) {
	tx := &monitoring.Transaction{ID: "t-1", CustomerID: "c1"}
	d := &monitoring.Decision{TransactionID: "t-1", Action: "review", Score: 30, Replayed: true,
		Reasons: []monitoring.Reason{{RuleID: "r", Action: "review", Evidence: map[string]any{"ratio": math.NaN()}}}}
	r := decisionRecord("out", tx, d)
	var v DecisionValue
	if err := json.Unmarshal(r.Value, &v); err != nil {
		t.Fatal(err)
	}
	if v.Decision.Action != "review" || len(v.Decision.Reasons) != 1 || v.Decision.Reasons[0].RuleID != "r" || v.Decision.Reasons[0].Evidence != nil {
		t.Fatalf("decision %+v", v.Decision)
	}
	if d.Reasons[0].Evidence == nil {
		t.Fatal("the caller's decision was modified")
	}
	if string(r.Key) != "c1" || header(r, HeaderAction) != "review" || header(r, HeaderReplayed) != "true" {
		t.Fatalf("record key %q headers %v", r.Key, r.Headers)
	}
}

func TestErrorRecordHidesInternalDetail(t *testing.T) {
	in := &kgo.Record{Topic: "in", Partition: 3, Offset: 42, Key: []byte("c1")}
	r := errorRecord("out", in, "t-1", errors.New("pq: password authentication failed for host db-7"))
	if strings.Contains(string(r.Value), "db-7") {
		t.Fatalf("internal detail published: %s", r.Value)
	}
	var v ErrorValue
	if err := json.Unmarshal(r.Value, &v); err != nil {
		t.Fatal(err)
	}
	if v.Error.Code != warden.EINTERNAL || v.Error.Message != "internal error" || v.Offset != 42 || v.Partition != 3 ||
		v.TransactionID != "t-1" || string(r.Key) != "c1" || header(r, HeaderError) != warden.EINTERNAL {
		t.Fatalf("error record %s", r.Value)
	}
}

// FuzzDecodeRecord: no input panics; every failure is an application error
// with code invalid or too_large; every success is exactly one object that
// encodes and decodes back to itself.
func FuzzDecodeRecord(f *testing.F) {
	for _, s := range []string{validTx, "", "{}", "null", `{"id":1}`, `{"metadata":{"a":"b"}}{}`, `{"time":"2026-01-01T00:00:00+03:00"}`,
		`{"amount":1e3}`, `{"counterparty":null}`, `{"id":"\u0000"}`, "\xff\xfe", `{"balance_after":-9223372036854775808}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeRecord(b, 4096)
		if err != nil {
			var we *warden.Error
			if !errors.As(err, &we) || (we.Code != warden.EINVALID && we.Code != warden.ETOOLARGE) || we.Message == "" {
				t.Fatalf("error %#v is not an invalid/too_large application error", err)
			}
			if len(b) > 4096 && we.Code != warden.ETOOLARGE {
				t.Fatalf("%d bytes decoded past the limit", len(b))
			}
			return
		}
		out, err := json.Marshal(tx)
		if err != nil {
			t.Fatalf("decoded transaction does not encode: %v", err)
		}
		again, err := DecodeRecord(out, 1<<20)
		if err != nil {
			t.Fatalf("re-encoded %s does not decode: %v", out, err)
		}
		if !again.Time.Equal(tx.Time) {
			t.Fatalf("time changed: %v to %v", tx.Time, again.Time)
		}
		again.Time, tx.Time = time.Time{}, time.Time{}
		if !reflect.DeepEqual(normalise(again), normalise(tx)) {
			t.Fatalf("round trip changed the transaction:\n%+v\n%+v", tx, again)
		}
	})
}

// normalise maps an empty metadata map to nil: omitempty drops it.
func normalise(tx monitoring.Transaction) monitoring.Transaction {
	if len(tx.Metadata) == 0 {
		tx.Metadata = nil
	}
	return tx
}
