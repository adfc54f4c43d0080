package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/monitoring"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error)
}

const txColumns = `seq, id, customer_id, account_id, counterparty_key, agent, at, amount, currency, direction, channel, action, score, payload_hash, needs_alert, decided_at, data, decision`

var keyColumn = map[byte]string{monitoring.KindCustomer: "customer_id", monitoring.KindAccount: "account_id",
	monitoring.KindCounterparty: "counterparty_key", monitoring.KindAgent: "agent"}

func storedDecision(ctx context.Context, q querier, id string) (*monitoring.Decision, string, error) {
	var data, hash string
	err := q.QueryRowContext(ctx, `SELECT decision, payload_hash FROM transactions WHERE id = $1`, id).Scan(&data, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", warden.FieldErrorf(warden.ENOTFOUND, "id", "transaction %s not found", id)
	} else if err != nil {
		return nil, "", fmt.Errorf("read decision: %w", err)
	}
	var d monitoring.Decision
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return nil, "", fmt.Errorf("decode decision of %s: %w", id, err)
	}
	return &d, hash, nil
}

func windowHistory(ctx context.Context, q querier, k monitoring.Key, from time.Time, afterSeq int64) ([]monitoring.Record, time.Time, int64, error) {
	col, ok := keyColumn[k.Kind]
	if !ok {
		return nil, time.Time{}, 0, fmt.Errorf("unknown window kind %q", k.Kind)
	}
	rows, err := q.QueryContext(ctx, `SELECT seq, id, customer_id, account_id, counterparty_key, agent, at, amount, currency, direction, channel
		FROM transactions WHERE `+col+` = $1 AND at >= $2 AND seq > $3 AND action <> 'block' ORDER BY at, seq`, k.ID, micros(from), afterSeq)
	if err != nil {
		return nil, time.Time{}, 0, fmt.Errorf("read window %s: %w", k, err)
	}
	defer rows.Close()
	var out []monitoring.Record
	for rows.Next() {
		var r monitoring.Record
		var at int64
		if err := rows.Scan(&r.Seq, &r.ID, &r.CustomerID, &r.AccountID, &r.CounterpartyKey, &r.Agent, &at, &r.Amount, &r.Currency, &r.Direction, &r.Channel); err != nil {
			return nil, time.Time{}, 0, fmt.Errorf("read window %s: %w", k, err)
		}
		r.Time = fromMicros(at)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, 0, err
	}
	var last, maxSeq sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(CASE WHEN action <> 'block' THEN at END), MAX(seq) FROM transactions WHERE `+col+` = $1`, k.ID).Scan(&last, &maxSeq); err != nil {
		return nil, time.Time{}, 0, fmt.Errorf("read window %s: %w", k, err)
	}
	return out, fromNullMicros(last), maxSeq.Int64, nil
}

func (db *DB) saveDecided(ctx context.Context, tx *sql.Tx, ds []*monitoring.Decided) ([]int64, error) {
	seqs := make([]int64, 0, len(ds))
	const perStmt = 100
	for i := 0; i < len(ds); i += perStmt {
		batch := ds[i:min(i+perStmt, len(ds))]
		var q strings.Builder
		q.WriteString(`INSERT INTO transactions (id, customer_id, account_id, counterparty_key, agent, at, amount, currency, direction, channel, action, score, payload_hash, needs_alert, decided_at, data, decision) VALUES `)
		args := make([]any, 0, len(batch)*17)
		for j, d := range batch {
			t := &d.Transaction
			data, err := json.Marshal(t)
			if err != nil {
				return nil, fmt.Errorf("encode transaction %s: %w", t.ID, err)
			}
			dec, err := json.Marshal(d.Decision)
			if err != nil {
				return nil, fmt.Errorf("encode decision %s: %w", t.ID, err)
			}
			if j > 0 {
				q.WriteByte(',')
			}
			n := len(args)
			q.WriteString("(")
			for c := 1; c <= 17; c++ {
				if c > 1 {
					q.WriteByte(',')
				}
				fmt.Fprintf(&q, "$%d", n+c)
			}
			q.WriteString(")")
			needs := 0
			if d.NeedsAlert {
				needs = 1
			}
			args = append(args, t.ID, t.CustomerID, t.AccountID, t.CounterpartyKey(), t.Agent, micros(t.Time), t.Amount, t.Currency,
				t.Direction, t.Channel, d.Decision.Action, d.Decision.Score, d.PayloadHash, needs, micros(d.Decision.DecidedAt), string(data), string(dec))
		}
		q.WriteString(" RETURNING seq")
		rows, err := tx.QueryContext(ctx, q.String(), args...)
		if err != nil {
			if db.dialect.IsUniqueViolation(err) {
				return nil, warden.FieldErrorf(warden.ECONFLICT, "id", "a transaction in the batch was stored already")
			}
			return nil, fmt.Errorf("store transactions: %w", err)
		}
		for rows.Next() {
			var s int64
			if err := rows.Scan(&s); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store transactions: %w", err)
			}
			seqs = append(seqs, s)
		}
		if err := rows.Close(); err != nil {
			if db.dialect.IsUniqueViolation(err) {
				return nil, warden.FieldErrorf(warden.ECONFLICT, "id", "a transaction in the batch was stored already")
			}
			return nil, fmt.Errorf("store transactions: %w", err)
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("store transactions: %w", err)
		}
	}
	if len(seqs) != len(ds) {
		return nil, fmt.Errorf("store transactions: %d sequences for %d rows", len(seqs), len(ds))
	}
	// RETURNING order follows VALUES order on both engines for a plain
	// INSERT; sequences are increasing, so sort to be safe.
	slices.Sort(seqs)
	return seqs, nil
}

// StoredDecision implements monitoring.TransactionReader.
func (db *DB) StoredDecision(ctx context.Context, id string) (d *monitoring.Decision, hash string, err error) {
	defer db.track("transactions.decision", time.Now(), &err)
	return storedDecision(ctx, db.read, id)
}

// WindowHistory implements monitoring.TransactionReader.
func (db *DB) WindowHistory(ctx context.Context, k monitoring.Key, from time.Time, afterSeq int64) (rs []monitoring.Record, last time.Time, maxSeq int64, err error) {
	defer db.track("transactions.window", time.Now(), &err)
	return windowHistory(ctx, db.read, k, from, afterSeq)
}

// SaveDecided implements monitoring.TransactionWriter.
func (db *DB) SaveDecided(ctx context.Context, ds []*monitoring.Decided) (seqs []int64, err error) {
	defer db.track("transactions.save", time.Now(), &err)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		seqs, err = db.saveDecided(ctx, tx, ds)
		return err
	})
	return seqs, err
}

// lockedTx is a monitoring.LockedTx.
type lockedTx struct {
	db *DB
	tx *sql.Tx
}

func (l lockedTx) StoredDecision(ctx context.Context, id string) (*monitoring.Decision, string, error) {
	return storedDecision(ctx, l.tx, id)
}

func (l lockedTx) WindowHistory(ctx context.Context, k monitoring.Key, from time.Time, afterSeq int64) ([]monitoring.Record, time.Time, int64, error) {
	return windowHistory(ctx, l.tx, k, from, afterSeq)
}

func (l lockedTx) SaveDecided(ctx context.Context, ds []*monitoring.Decided) ([]int64, error) {
	return l.db.saveDecided(ctx, l.tx, ds)
}

// lockWindowBase is xored with a key's hash: one transaction-scoped lock
// per window key.
const lockWindowBase int64 = 0x57617264_0004 << 16

// Locked implements monitoring.TransactionStore.
func (db *DB) Locked(ctx context.Context, keys []monitoring.Key, fn func(monitoring.LockedTx) error) (err error) {
	defer db.track("transactions.locked", time.Now(), &err)
	locks := make([]int64, 0, len(keys))
	for _, k := range keys {
		h := fnv.New64a()
		h.Write([]byte(k.String()))
		locks = append(locks, lockWindowBase^int64(h.Sum64()&0xffff_ffff))
	}
	slices.Sort(locks)
	locks = slices.Compact(locks)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, l := range locks {
			if err := db.lock(ctx, tx, l); err != nil {
				return err
			}
		}
		return fn(lockedTx{db, tx})
	})
}

func scanStoredTransactions(rows *sql.Rows) ([]*monitoring.StoredTransaction, error) {
	defer rows.Close()
	var out []*monitoring.StoredTransaction
	for rows.Next() {
		var st monitoring.StoredTransaction
		var data, dec string
		if err := rows.Scan(&st.Seq, &data, &dec); err != nil {
			return nil, fmt.Errorf("read transaction: %w", err)
		}
		if err := json.Unmarshal([]byte(data), &st.Transaction); err != nil {
			return nil, fmt.Errorf("decode transaction: %w", err)
		}
		if err := json.Unmarshal([]byte(dec), &st.Decision); err != nil {
			return nil, fmt.Errorf("decode decision: %w", err)
		}
		out = append(out, &st)
	}
	return out, rows.Err()
}

// Transaction implements monitoring.TransactionStore.
func (db *DB) Transaction(ctx context.Context, id string) (st *monitoring.StoredTransaction, err error) {
	defer db.track("transactions.get", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT seq, data, decision FROM transactions WHERE id = $1`, id)
	if err != nil {
		return nil, fmt.Errorf("read transaction: %w", err)
	}
	sts, err := scanStoredTransactions(rows)
	if err != nil {
		return nil, err
	}
	if len(sts) == 0 {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "id", "transaction %s not found", id)
	}
	return sts[0], nil
}

// TransactionsAfter implements monitoring.TransactionStore.
func (db *DB) TransactionsAfter(ctx context.Context, afterSeq int64, from, to time.Time, limit int) (sts []*monitoring.StoredTransaction, err error) {
	defer db.track("transactions.page", time.Now(), &err)
	q := `SELECT seq, data, decision FROM transactions WHERE seq > $1`
	args := []any{afterSeq}
	if !from.IsZero() {
		args = append(args, micros(from))
		q += fmt.Sprintf(" AND at >= $%d", len(args))
	}
	if !to.IsZero() {
		args = append(args, micros(to))
		q += fmt.Sprintf(" AND at < $%d", len(args))
	}
	args = append(args, limit)
	q += fmt.Sprintf(" ORDER BY seq LIMIT $%d", len(args))
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("page transactions: %w", err)
	}
	return scanStoredTransactions(rows)
}

// PendingAlerts implements monitoring.TransactionStore.
func (db *DB) PendingAlerts(ctx context.Context, olderThan time.Time, limit int) (sts []*monitoring.StoredTransaction, err error) {
	defer db.track("transactions.pending_alerts", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT seq, data, decision FROM transactions WHERE needs_alert = 1 AND decided_at < $1 ORDER BY seq LIMIT $2`,
		micros(olderThan), limit)
	if err != nil {
		return nil, fmt.Errorf("read pending alerts: %w", err)
	}
	return scanStoredTransactions(rows)
}

// MarkAlerted implements monitoring.TransactionStore.
func (db *DB) MarkAlerted(ctx context.Context, ids []string) (err error) {
	defer db.track("transactions.mark_alerted", time.Now(), &err)
	if len(ids) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `UPDATE transactions SET needs_alert = 0 WHERE id = $1`, id); err != nil {
				return fmt.Errorf("mark alerted: %w", err)
			}
		}
		return nil
	})
}

var _ monitoring.TransactionStore = (*DB)(nil)

// PutRule implements monitoring.RuleStore.
func (db *DB) PutRule(ctx context.Context, r *monitoring.StoredRule) (err error) {
	defer db.track("rules.put", time.Now(), &err)
	data, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("encode rule: %w", err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var latest sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM rules WHERE id = $1`, r.ID).Scan(&latest); err != nil {
			return fmt.Errorf("read rule version: %w", err)
		}
		if int64(r.Version) != latest.Int64+1 {
			return warden.FieldErrorf(warden.ECONFLICT, "id", "rule %s changed meanwhile (now at version %d): retry", r.ID, latest.Int64)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO rules (id, version, created_at, data) VALUES ($1, $2, $3, $4)`, r.ID, r.Version, micros(r.CreatedAt), string(data)); err != nil {
			return fmt.Errorf("store rule: %w", err)
		}
		return nil
	})
	if err != nil && db.dialect.IsUniqueViolation(err) {
		return warden.FieldErrorf(warden.ECONFLICT, "id", "rule %s changed meanwhile: retry", r.ID)
	}
	return err
}

func scanRules(rows *sql.Rows) ([]*monitoring.StoredRule, error) {
	defer rows.Close()
	var out []*monitoring.StoredRule
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("read rule: %w", err)
		}
		var r monitoring.StoredRule
		if err := json.Unmarshal([]byte(data), &r); err != nil {
			return nil, fmt.Errorf("decode rule: %w", err)
		}
		out = append(out, &r)
	}
	return out, rows.Err()
}

// LatestRules implements monitoring.RuleStore.
func (db *DB) LatestRules(ctx context.Context) (rs []*monitoring.StoredRule, err error) {
	defer db.track("rules.latest", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT r.data FROM rules r WHERE r.version = (SELECT MAX(s.version) FROM rules s WHERE s.id = r.id) ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("read rules: %w", err)
	}
	return scanRules(rows)
}

// RuleVersions implements monitoring.RuleStore.
func (db *DB) RuleVersions(ctx context.Context, id string) (rs []*monitoring.StoredRule, err error) {
	defer db.track("rules.versions", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT data FROM rules WHERE id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("read rule versions: %w", err)
	}
	return scanRules(rows)
}

var _ monitoring.RuleStore = (*DB)(nil)
