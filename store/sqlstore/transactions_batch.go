package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/monitoring"
)

// A replica decides the decisions waiting at once in one locked
// transaction (monitoring.BatchLockedTx): these read all their ids, and all
// their keys' news, in one statement each, and insert their rows in one, so
// that a batch costs a handful of statements rather than a dozen a decision.

// batchChunk bounds the rows or keys of one statement, well under both
// engines' limits on parameters.
const batchChunk = 500

var _ monitoring.BatchLockedTx = lockedTx{}

// StoredDecisions implements monitoring.BatchLockedTx.
func (l lockedTx) StoredDecisions(ctx context.Context, ids []string) (map[string]monitoring.StoredDecision, error) {
	out := map[string]monitoring.StoredDecision{}
	for start := 0; start < len(ids); start += batchChunk {
		chunk := ids[start:min(start+batchChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		rows, err := l.tx.QueryContext(ctx, `SELECT id, record, payload_hash FROM transactions WHERE id IN (`+placeholders(1, len(chunk))+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read decisions: %w", err)
		}
		if err := scanStoredDecisions(rows, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func scanStoredDecisions(rows *sql.Rows, out map[string]monitoring.StoredDecision) error {
	defer rows.Close()
	for rows.Next() {
		var id, data, hash string
		if err := rows.Scan(&id, &data, &hash); err != nil {
			return fmt.Errorf("read decisions: %w", err)
		}
		var r monitoring.StoredRecord
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return fmt.Errorf("decode decision of %s: %w", id, err)
		}
		out[id] = monitoring.StoredDecision{Decision: &r.Decision, PayloadHash: hash}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read decisions: %w", err)
	}
	return nil
}

// WindowsAfter implements monitoring.BatchLockedTx: one statement (per
// chunk of keys) whose conditions each use a (key, seq) index.
func (l lockedTx) WindowsAfter(ctx context.Context, after map[monitoring.Key]int64, from time.Time) (map[monitoring.Key]monitoring.WindowDelta, error) {
	keys := make([]monitoring.Key, 0, len(after))
	for k := range after {
		if _, ok := keyColumn[k.Kind]; !ok {
			return nil, fmt.Errorf("unknown window kind %q", k.Kind)
		}
		keys = append(keys, k)
	}
	out := make(map[monitoring.Key]monitoring.WindowDelta, len(keys))
	for start := 0; start < len(keys); start += batchChunk / 2 {
		chunk := keys[start:min(start+batchChunk/2, len(keys))]
		var where strings.Builder
		args := make([]any, 0, 2*len(chunk))
		inChunk := make(map[monitoring.Key]int64, len(chunk))
		for i, k := range chunk {
			inChunk[k] = after[k]
			if i > 0 {
				where.WriteString(" OR ")
			}
			n := len(args)
			fmt.Fprintf(&where, "(%s = $%d AND seq > $%d)", keyColumn[k.Kind], n+1, n+2)
			args = append(args, k.ID, after[k])
		}
		rows, err := l.tx.QueryContext(ctx, `SELECT `+afterColumns+` FROM transactions WHERE `+where.String()+` ORDER BY seq`, args...)
		if err != nil {
			return nil, fmt.Errorf("catch up %d window keys: %w", len(chunk), err)
		}
		// Only this chunk's keys: a row of two keys in two chunks comes
		// back once for each.
		if err := scanWindowsAfter(rows, inChunk, micros(from), out); err != nil {
			return nil, err
		}
	}
	for k, d := range out {
		sortWindowRecords(d.Records)
		out[k] = d
	}
	return out, nil
}

// afterColumns are what a catch-up reads of a row: scanWindowsAfter's
// columns.
const afterColumns = `seq, at, action, record, customer_id, account_id, counterparty_key, agent`

// scanWindowsAfter reads the rows a catch-up returns (afterColumns) and
// hands each to every requested key it belongs to and is new for: every
// row counts towards the key's highest sequence, those not blocked towards
// its latest time, and those not blocked at or after from are its records.
func scanWindowsAfter(rows *sql.Rows, after map[monitoring.Key]int64, from int64, out map[monitoring.Key]monitoring.WindowDelta) error {
	defer rows.Close()
	for rows.Next() {
		var seq, at int64
		var action, data string
		var cols [4]string
		if err := rows.Scan(&seq, &at, &action, &data, &cols[0], &cols[1], &cols[2], &cols[3]); err != nil {
			return fmt.Errorf("catch up window keys: %w", err)
		}
		var rec *monitoring.Record
		for i, kind := range []byte{monitoring.KindCustomer, monitoring.KindAccount, monitoring.KindCounterparty, monitoring.KindAgent} {
			k := monitoring.Key{Kind: kind, ID: cols[i]}
			a, ok := after[k]
			if !ok || cols[i] == "" || seq <= a {
				continue
			}
			d := out[k]
			d.MaxSeq = max(d.MaxSeq, seq)
			if action != monitoring.ActionBlock {
				if t := fromMicros(at); t.After(d.LastAt) {
					d.LastAt = t
				}
				if at >= from {
					if rec == nil {
						r, err := windowRecord(k, seq, data)
						if err != nil {
							return err
						}
						rec = &r
					}
					d.Records = append(d.Records, *rec)
				}
			}
			out[k] = d
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("catch up window keys: %w", err)
	}
	return nil
}

// saveDecidedRows inserts ds with multi-row INSERTs (PostgreSQL: a round
// trip a statement, not a row) and returns their sequences in ds's order.
// A stored id fails the whole statement: ECONFLICT without naming which.
func (db *DB) saveDecidedRows(ctx context.Context, tx *sql.Tx, ds []*monitoring.Decided) ([]int64, error) {
	const cols = 12
	seqs := make([]int64, 0, len(ds))
	for start := 0; start < len(ds); start += batchChunk / cols * 10 {
		chunk := ds[start:min(start+batchChunk/cols*10, len(ds))]
		var q strings.Builder
		q.WriteString(insertTransactionInto + " VALUES ")
		args := make([]any, 0, cols*len(chunk))
		for i, d := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + placeholders(len(args)+1, cols) + ")")
			a, err := decidedArgs(d)
			if err != nil {
				return nil, err
			}
			args = append(args, a...)
		}
		q.WriteString(" RETURNING id, seq")
		rows, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			return nil, db.saveError(err, len(chunk))
		}
		byID, err := scanIDSeqs(rows)
		if err != nil {
			return nil, db.saveError(err, len(chunk))
		}
		for _, d := range chunk {
			seq, ok := byID[d.Transaction.ID]
			if !ok {
				return nil, fmt.Errorf("store transaction %s: no sequence returned", d.Transaction.ID)
			}
			seqs = append(seqs, seq)
		}
	}
	return seqs, nil
}

func (db *DB) saveError(err error, n int) error {
	if db.dialect.IsUniqueViolation(err) {
		return warden.FieldErrorf(warden.ECONFLICT, "id", "one of %d transactions was stored already", n)
	}
	return fmt.Errorf("store %d transactions: %w", n, err)
}

func scanIDSeqs(rows *sql.Rows) (map[string]int64, error) {
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, err
		}
		out[id] = seq
	}
	return out, rows.Err()
}

// placeholders returns "$first, ..., $(first+n-1)".
func placeholders(first, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(first+i))
	}
	return b.String()
}
