package monitoring

import (
	"context"
	"encoding/json"
	"time"
)

// Decided is a transaction with its decision, as stored.
type Decided struct {
	Transaction Transaction
	// PayloadHash identifies the submitted content, so that a different
	// transaction under a known id is refused rather than answered.
	PayloadHash string
	Decision    Decision
	// NeedsAlert is set for review and block decisions until their alerts
	// are raised (an outbox: a crash in between is caught up later).
	NeedsAlert bool
	// RecordJSON, when set, is EncodeRecord's result, made by the deciding
	// goroutine so that the single writer does not.
	RecordJSON []byte
}

// StoredRecord is how a decided transaction is encoded in the store.
type StoredRecord struct {
	Transaction Transaction `json:"transaction"`
	Decision    Decision    `json:"decision"`
}

// EncodeRecord encodes a decided transaction for the store.
func EncodeRecord(d *Decided) ([]byte, error) {
	return json.Marshal(StoredRecord{d.Transaction, d.Decision})
}

// encodeRecordWith is EncodeRecord from the transaction's JSON already made
// (for the payload hash): the same bytes, one encoding fewer.
func encodeRecordWith(txJSON []byte, d *Decision) []byte {
	dec, _ := json.Marshal(d)
	b := make([]byte, 0, len(txJSON)+len(dec)+32)
	b = append(b, `{"transaction":`...)
	b = append(b, txJSON...)
	b = append(b, `,"decision":`...)
	b = append(b, dec...)
	return append(b, '}')
}

// StoredTransaction is a decided transaction read back.
type StoredTransaction struct {
	Seq         int64       `json:"seq"`
	Transaction Transaction `json:"transaction"`
	Decision    Decision    `json:"decision"`
}

// TransactionReader reads decided transactions.
type TransactionReader interface {
	// StoredDecision returns the decision stored for a transaction id and
	// its payload hash, or ENOTFOUND.
	StoredDecision(ctx context.Context, id string) (*Decision, string, error)
	// WindowHistory returns the records of a key at or after from with a
	// store sequence above afterSeq, oldest first, with the time of the
	// key's latest record that was not blocked (zero if none) and its
	// highest sequence: of all its history with afterSeq zero, of the rows
	// after afterSeq otherwise (callers keep the maximum).
	WindowHistory(ctx context.Context, k Key, from time.Time, afterSeq int64) (recs []Record, lastAt time.Time, maxSeq int64, err error)
}

// TransactionWriter stores decided transactions.
type TransactionWriter interface {
	// SaveDecided stores a batch in one store transaction and returns each
	// one's sequence; an id stored already is ECONFLICT and stores nothing.
	SaveDecided(ctx context.Context, ds []*Decided) ([]int64, error)
}

// LockedTx is a store transaction holding the locks of some keys.
type LockedTx interface {
	TransactionReader
	TransactionWriter
}

// TransactionStore keeps decided transactions.
type TransactionStore interface {
	TransactionReader
	TransactionWriter
	// Locked runs fn in one store transaction that holds a lock per key,
	// taken in a fixed order, so that replicas sharing the store decide on
	// transactions touching the same key one at a time.
	Locked(ctx context.Context, keys []Key, fn func(LockedTx) error) error
	// Transaction returns one stored transaction, or ENOTFOUND.
	Transaction(ctx context.Context, id string) (*StoredTransaction, error)
	// TransactionsAfter pages through stored transactions in sequence
	// order, those with time in [from, to) (zero: unbounded).
	TransactionsAfter(ctx context.Context, afterSeq int64, from, to time.Time, limit int) ([]*StoredTransaction, error)
	// PendingAlerts returns decisions still needing alerts, decided before
	// olderThan; MarkAlerted records that their alerts are raised.
	PendingAlerts(ctx context.Context, olderThan time.Time, limit int) ([]*StoredTransaction, error)
	MarkAlerted(ctx context.Context, ids []string) error
}

// RuleStore keeps every version of every rule.
type RuleStore interface {
	// PutRule stores r as version r.Version, which must be one more than
	// the latest (1 for a new rule); ECONFLICT otherwise.
	PutRule(ctx context.Context, r *StoredRule) error
	// LatestRules returns the latest version of every rule, by id.
	LatestRules(ctx context.Context) ([]*StoredRule, error)
	// RuleVersions returns every version of one rule, oldest first.
	RuleVersions(ctx context.Context, id string) ([]*StoredRule, error)
}
