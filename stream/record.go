package stream

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/monitoring"
)

// MaxRecordBytes is the default limit on an input record's value. A
// transaction is well under 4 KiB even with 20 metadata entries; anything
// much larger is a producer bug or an attack, and is refused rather than
// parsed.
const MaxRecordBytes = 64 << 10

// Output record headers.
const (
	// HeaderAction carries the decision's action (allow, review, block) on
	// decision records, so consumers can route without parsing the value.
	HeaderAction = "warden-action"
	// HeaderError carries the error code on error records.
	HeaderError = "warden-error"
	// HeaderReplayed is "true" on a decision record for a transaction that
	// was decided before (a redelivery); its decision is the first one.
	HeaderReplayed = "warden-replayed"
)

// DecodeRecord decodes one input record's value into a transaction,
// strictly: one JSON object of at most max bytes (max <= 0 means
// MaxRecordBytes), no unknown fields, nothing after it. Errors are
// *warden.Error with code invalid (or too_large) and, where known, the
// offending field, so they can be published as they are. It does not
// validate the transaction's content: the Decider does that, once, for
// both transports.
func DecodeRecord(value []byte, max int) (monitoring.Transaction, error) {
	var tx monitoring.Transaction
	if max <= 0 {
		max = MaxRecordBytes
	}
	if len(value) > max {
		return tx, warden.Errorf(warden.ETOOLARGE, "record value is %d bytes; the limit is %d", len(value), max)
	}
	if len(bytes.TrimSpace(value)) == 0 {
		return tx, warden.Errorf(warden.EINVALID, "record value is empty: want a JSON transaction")
	}
	dec := json.NewDecoder(bytes.NewReader(value))
	// Unknown fields are refused so that a misspelt field ("ammount") is an
	// error record rather than a silently different transaction.
	dec.DisallowUnknownFields()
	if err := dec.Decode(&tx); err != nil {
		return monitoring.Transaction{}, jsonError(err)
	}
	// Exactly one value: trailing data means the producer framed records
	// wrongly (two transactions in one record), and guessing is worse.
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return monitoring.Transaction{}, warden.Errorf(warden.EINVALID, "record value has data after the JSON object")
	}
	return tx, nil
}

// jsonError turns a decoding error into an application error naming the
// field where the decoder can tell.
func jsonError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syn):
		return warden.Errorf(warden.EINVALID, "record value is not valid JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return warden.Errorf(warden.EINVALID, "record value must be a JSON object, not %s", typ.Value)
		}
		return warden.FieldErrorf(warden.EINVALID, field, "%s must not be %s", field, typ.Value)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return warden.Errorf(warden.EINVALID, "record value is truncated JSON")
	}
	msg := err.Error()
	// encoding/json reports unknown fields only as text.
	if f, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		f = strings.Trim(f, `"`)
		return warden.FieldErrorf(warden.EINVALID, f, "unknown field %q", f)
	}
	// Time parse errors and the like: the message is safe to show, it
	// quotes the producer's own input.
	return warden.Errorf(warden.EINVALID, "record value: %s", strings.TrimPrefix(msg, "json: "))
}

// DecisionValue is the value of a decision record on the output topic.
type DecisionValue struct {
	TransactionID string               `json:"transaction_id"`
	CustomerID    string               `json:"customer_id"`
	Decision      *monitoring.Decision `json:"decision"`
}

// ErrorValue is the value of an error record on the output topic: the
// input record that could not be decided, by position, and why.
type ErrorValue struct {
	Error *warden.Error `json:"error"`
	// TransactionID is set when the value decoded far enough to have one.
	TransactionID string `json:"transaction_id,omitempty"`
	Topic         string `json:"topic"`
	Partition     int32  `json:"partition"`
	Offset        int64  `json:"offset"`
}

// decisionRecord builds the output record for a decision, keyed by the
// customer so that a customer's decisions keep their order on the output
// topic too.
func decisionRecord(topic string, tx *monitoring.Transaction, d *monitoring.Decision) *kgo.Record {
	v, err := json.Marshal(DecisionValue{TransactionID: tx.ID, CustomerID: tx.CustomerID, Decision: d})
	if err != nil {
		// Only rule evidence can fail to encode (a CEL double that is NaN
		// or infinite). The decision is stored and must still be
		// published, so publish it without evidence rather than stall the
		// partition; the stored decision keeps it.
		stripped := *d
		stripped.Reasons = make([]monitoring.Reason, len(d.Reasons))
		for i, r := range d.Reasons {
			r.Evidence = nil
			stripped.Reasons[i] = r
		}
		v = mustJSON(DecisionValue{TransactionID: tx.ID, CustomerID: tx.CustomerID, Decision: &stripped})
	}
	r := &kgo.Record{Topic: topic, Key: []byte(tx.CustomerID), Value: v,
		Headers: []kgo.RecordHeader{{Key: HeaderAction, Value: []byte(d.Action)}}}
	if d.Replayed {
		r.Headers = append(r.Headers, kgo.RecordHeader{Key: HeaderReplayed, Value: []byte("true")})
	}
	return r
}

// errorRecord builds the output record for an input record that was
// refused. It keeps the input's key, so it lands beside that customer's
// decisions.
func errorRecord(topic string, in *kgo.Record, txID string, cause error) *kgo.Record {
	e := &warden.Error{Code: warden.ErrorCode(cause), Message: warden.ErrorMessage(cause)}
	var we *warden.Error
	if errors.As(cause, &we) {
		e.Field = we.Field
	}
	v := mustJSON(ErrorValue{Error: e, TransactionID: txID, Topic: in.Topic, Partition: in.Partition, Offset: in.Offset})
	return &kgo.Record{Topic: topic, Key: in.Key, Value: v,
		Headers: []kgo.RecordHeader{{Key: HeaderError, Value: []byte(e.Code)}}}
}

// mustJSON encodes values made of strings, integers and times only, which
// cannot fail; a failure is a programming error.
func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("stream: encoding %T: %v", v, err))
	}
	return b
}
