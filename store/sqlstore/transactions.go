package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
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

var keyColumn = map[byte]string{monitoring.KindCustomer: "customer_id", monitoring.KindAccount: "account_id",
	monitoring.KindCounterparty: "counterparty_key", monitoring.KindAgent: "agent"}

const selectDecision = `SELECT record, payload_hash FROM transactions WHERE id = $1`

func storedDecision(ctx context.Context, q querier, id string) (*monitoring.Decision, string, error) {
	return scanDecision(q.QueryRowContext(ctx, selectDecision, id), id)
}

func scanDecision(row *sql.Row, id string) (*monitoring.Decision, string, error) {
	var data, hash string
	err := row.Scan(&data, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", warden.FieldErrorf(warden.ENOTFOUND, "id", "transaction %s not found", id)
	} else if err != nil {
		return nil, "", fmt.Errorf("read decision: %w", err)
	}
	var r monitoring.StoredRecord
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return nil, "", fmt.Errorf("decode decision of %s: %w", id, err)
	}
	return &r.Decision, hash, nil
}

// windowQueries are the queries of a key's column: its window (its records
// at or after a time, with the time of its latest record that was not
// blocked and its highest sequence, in one statement: a cold key costs one
// round trip, not three) and, catching up, everything stored after a
// sequence. Each part can use an index (the non-empty test lets the engines
// use the partial ones): none reads the key's whole history.
type windowQueries struct{ load, after string }

// windowQueriesByKind holds each kind's queries, built once: a cold key
// (every decision over a million customers) would otherwise build both
// statements' text again.
var windowQueriesByKind = func() map[byte]windowQueries {
	m := make(map[byte]windowQueries, len(keyColumn))
	for kind, col := range keyColumn {
		where := ` FROM transactions WHERE ` + col + ` = $1 AND ` + col + ` <> ''`
		m[kind] = windowQueries{
			// The first row (0) carries the highest sequence and the latest
			// time; the records (1) follow by time and sequence.
			load: `SELECT 0, (SELECT MAX(seq)` + where + `), (SELECT MAX(at)` + where + ` AND action <> 'block'), NULL
			UNION ALL SELECT 1, seq, at, record` + where + ` AND at >= $2 AND action <> 'block' ORDER BY 1, 3, 2`,
			after: `SELECT ` + afterColumns + where + ` AND seq > $2 ORDER BY seq`,
		}
	}
	return m
}()

func windowQueriesOf(k monitoring.Key) (windowQueries, error) {
	wq, ok := windowQueriesByKind[k.Kind]
	if !ok {
		return windowQueries{}, fmt.Errorf("unknown window kind %q", k.Kind)
	}
	return wq, nil
}

// windowHistory reads a key's window; prep, when set, prepares the queries
// (the read pool), otherwise q runs them (a locked transaction). With
// afterSeq above zero (a replica catching up) it reads only what was stored
// after it, and the latest time and highest sequence are of those rows.
func windowHistory(ctx context.Context, q querier, prep func(string) (*sql.Stmt, error), k monitoring.Key, from time.Time, afterSeq int64) ([]monitoring.Record, time.Time, int64, error) {
	wq, err := windowQueriesOf(k)
	if err != nil {
		return nil, time.Time{}, 0, err
	}
	query := func(qs string, args ...any) (*sql.Rows, error) {
		if prep == nil {
			return q.QueryContext(ctx, qs, args...)
		}
		st, err := prep(qs)
		if err != nil {
			return nil, err
		}
		return st.QueryContext(ctx, args...)
	}
	if afterSeq > 0 {
		rows, err := query(wq.after, k.ID, afterSeq)
		if err != nil {
			return nil, time.Time{}, 0, fmt.Errorf("read window %s: %w", k, err)
		}
		news := map[monitoring.Key]monitoring.WindowDelta{}
		if err := scanWindowsAfter(rows, map[monitoring.Key]int64{k: afterSeq}, micros(from), news); err != nil {
			return nil, time.Time{}, 0, err
		}
		d := news[k]
		sortWindowRecords(d.Records)
		return d.Records, d.LastAt, d.MaxSeq, nil
	}
	rows, err := query(wq.load, k.ID, micros(from))
	if err != nil {
		return nil, time.Time{}, 0, fmt.Errorf("read window %s: %w", k, err)
	}
	return scanWindow(rows, k)
}

// scanWindow reads windowQueries.load's rows.
func scanWindow(rows *sql.Rows, k monitoring.Key) ([]monitoring.Record, time.Time, int64, error) {
	defer rows.Close()
	var (
		out          []monitoring.Record
		last, maxSeq sql.NullInt64
	)
	for rows.Next() {
		var part int
		var seq, at sql.NullInt64
		var data sql.NullString
		if err := rows.Scan(&part, &seq, &at, &data); err != nil {
			return nil, time.Time{}, 0, fmt.Errorf("read window %s: %w", k, err)
		}
		if part == 0 {
			maxSeq, last = seq, at
			continue
		}
		r, err := windowRecord(k, seq.Int64, data.String)
		if err != nil {
			return nil, time.Time{}, 0, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, 0, fmt.Errorf("read window %s: %w", k, err)
	}
	return out, fromNullMicros(last), maxSeq.Int64, nil
}

// sortWindowRecords orders records the way windows take them: by time,
// then by sequence.
func sortWindowRecords(rs []monitoring.Record) {
	slices.SortFunc(rs, func(a, b monitoring.Record) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.Seq, b.Seq)
	})
}

// windowRecord decodes a stored row (its record column) as a window record.
func windowRecord(k monitoring.Key, seq int64, data string) (monitoring.Record, error) {
	var sr monitoring.StoredRecord
	if err := json.Unmarshal([]byte(data), &sr); err != nil {
		return monitoring.Record{}, fmt.Errorf("decode transaction in window %s: %w", k, err)
	}
	r := monitoring.RecordOf(&sr.Transaction)
	r.Seq = seq
	return r, nil
}

const (
	insertTransactionInto = `INSERT INTO transactions (id, customer_id, account_id, counterparty_key, agent, at, amount, action, needs_alert, decided_at,
	payload_hash, record)`
	insertTransaction = insertTransactionInto + ` VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`
)

func (db *DB) insertTransactionSQL() string {
	if db.dialect.Name == "postgres" {
		return insertTransaction + " RETURNING seq"
	}
	return insertTransaction
}

// saveDecided inserts row by row with one prepared statement: no SQL is
// parsed per decision, and the caller's transaction makes the batch one
// commit.
// prep is insertTransaction prepared on the write pool, obtained before the
// transaction began (SQLite's write pool has one connection, which the
// transaction holds).
func (db *DB) saveDecided(ctx context.Context, tx *sql.Tx, prep *sql.Stmt, ds []*monitoring.Decided) ([]int64, error) {
	if db.dialect.Name == "postgres" && len(ds) > 1 {
		return db.saveDecidedRows(ctx, tx, ds)
	}
	st := tx.StmtContext(ctx, prep)
	defer st.Close()
	seqs := make([]int64, 0, len(ds))
	for _, d := range ds {
		t := &d.Transaction
		args, err := decidedArgs(d)
		if err != nil {
			return nil, err
		}
		var seq int64
		if db.dialect.Name == "postgres" {
			// pgx has no LastInsertId.
			err = st.QueryRowContext(ctx, args...).Scan(&seq)
		} else {
			// SQLite: RETURNING doubles the cost of an insert here.
			var res sql.Result
			if res, err = st.ExecContext(ctx, args...); err == nil {
				seq, err = res.LastInsertId()
			}
		}
		if err != nil {
			if db.dialect.IsUniqueViolation(err) {
				return nil, warden.FieldErrorf(warden.ECONFLICT, "id", "transaction %s was stored already", t.ID)
			}
			return nil, fmt.Errorf("store transaction %s: %w", t.ID, err)
		}
		seqs = append(seqs, seq)
	}
	return seqs, nil
}

// decidedArgs are insertTransaction's arguments for d.
func decidedArgs(d *monitoring.Decided) ([]any, error) {
	t := &d.Transaction
	rec := d.RecordJSON
	if rec == nil {
		var err error
		if rec, err = monitoring.EncodeRecord(d); err != nil {
			return nil, fmt.Errorf("encode transaction %s: %w", t.ID, err)
		}
	}
	needs := 0
	if d.NeedsAlert {
		needs = 1
	}
	return []any{t.ID, t.CustomerID, t.AccountID, t.CounterpartyKey(), t.Agent, micros(t.Time), t.Amount,
		d.Decision.Action, needs, micros(d.Decision.DecidedAt), d.PayloadHash, string(rec)}, nil
}

// StoredDecision implements monitoring.TransactionReader.
func (db *DB) StoredDecision(ctx context.Context, id string) (d *monitoring.Decision, hash string, err error) {
	defer db.track("transactions.decision", time.Now(), &err)
	st, err := db.prepared(ctx, db.read, selectDecision)
	if err != nil {
		return nil, "", err
	}
	return scanDecision(st.QueryRowContext(ctx, id), id)
}

// WindowHistory implements monitoring.TransactionReader.
func (db *DB) WindowHistory(ctx context.Context, k monitoring.Key, from time.Time, afterSeq int64) (rs []monitoring.Record, last time.Time, maxSeq int64, err error) {
	defer db.track("transactions.window", time.Now(), &err)
	return windowHistory(ctx, db.read, func(q string) (*sql.Stmt, error) { return db.prepared(ctx, db.read, q) }, k, from, afterSeq)
}

// SaveDecided implements monitoring.TransactionWriter.
func (db *DB) SaveDecided(ctx context.Context, ds []*monitoring.Decided) (seqs []int64, err error) {
	defer db.track("transactions.save", time.Now(), &err)
	prep, err := db.prepared(ctx, db.write, db.insertTransactionSQL())
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		seqs, err = db.saveDecided(ctx, tx, prep, ds)
		return err
	})
	return seqs, err
}

// lockedTx is a monitoring.LockedTx.
type lockedTx struct {
	db     *DB
	tx     *sql.Tx
	insert *sql.Stmt
}

func (l lockedTx) StoredDecision(ctx context.Context, id string) (*monitoring.Decision, string, error) {
	return storedDecision(ctx, l.tx, id)
}

func (l lockedTx) WindowHistory(ctx context.Context, k monitoring.Key, from time.Time, afterSeq int64) ([]monitoring.Record, time.Time, int64, error) {
	return windowHistory(ctx, l.tx, nil, k, from, afterSeq)
}

func (l lockedTx) SaveDecided(ctx context.Context, ds []*monitoring.Decided) ([]int64, error) {
	return l.db.saveDecided(ctx, l.tx, l.insert, ds)
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
	prep, err := db.prepared(ctx, db.write, db.insertTransactionSQL())
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if db.dialect.LockAll != nil && len(locks) > 1 {
			if _, err := tx.ExecContext(ctx, db.dialect.LockAll(locks)); err != nil {
				return fmt.Errorf("take locks of %d window keys: %w", len(locks), err)
			}
		} else {
			for _, l := range locks {
				if err := db.lock(ctx, tx, l); err != nil {
					return err
				}
			}
		}
		return fn(lockedTx{db, tx, prep})
	})
}

func scanStoredTransactions(rows *sql.Rows) ([]*monitoring.StoredTransaction, error) {
	defer rows.Close()
	var out []*monitoring.StoredTransaction
	for rows.Next() {
		var st monitoring.StoredTransaction
		var data string
		if err := rows.Scan(&st.Seq, &data); err != nil {
			return nil, fmt.Errorf("read transaction: %w", err)
		}
		var sr monitoring.StoredRecord
		if err := json.Unmarshal([]byte(data), &sr); err != nil {
			return nil, fmt.Errorf("decode transaction: %w", err)
		}
		st.Transaction, st.Decision = sr.Transaction, sr.Decision
		out = append(out, &st)
	}
	return out, rows.Err()
}

// Transaction implements monitoring.TransactionStore.
func (db *DB) Transaction(ctx context.Context, id string) (st *monitoring.StoredTransaction, err error) {
	defer db.track("transactions.get", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT seq, record FROM transactions WHERE id = $1`, id)
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
	q := `SELECT seq, record FROM transactions WHERE seq > $1`
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
	rows, err := db.read.QueryContext(ctx, `SELECT seq, record FROM transactions WHERE needs_alert = 1 AND decided_at < $1 ORDER BY seq LIMIT $2`,
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
	return db.inTx(ctx, func(tx *sql.Tx) error { return markAlerted(ctx, tx, ids) })
}

// writeAlertedMarks marks alerted, in tx, the decisions staged on ctx
// (monitoring.AlertedMarks): the write raising their alerts clears their
// flag in its own transaction.
func writeAlertedMarks(ctx context.Context, tx *sql.Tx) (*monitoring.AlertedMarks, error) {
	m := monitoring.TakeAlertedMarks(ctx)
	if m == nil {
		return nil, nil
	}
	return m, markAlerted(ctx, tx, m.IDs())
}

// markAlerted clears the alert outbox flag of ids, a statement per chunk.
func markAlerted(ctx context.Context, tx *sql.Tx, ids []string) error {
	for start := 0; start < len(ids); start += batchChunk {
		chunk := ids[start:min(start+batchChunk, len(ids))]
		args := make([]any, len(chunk))
		for i, id := range chunk {
			args[i] = id
		}
		if _, err := tx.ExecContext(ctx, `UPDATE transactions SET needs_alert = 0 WHERE id IN (`+placeholders(1, len(chunk))+`)`, args...); err != nil {
			return fmt.Errorf("mark alerted: %w", err)
		}
	}
	return nil
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
	return scanJSON[monitoring.StoredRule](rows, "rule")
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

// TransactionIDsAfter implements monitoring.IDLister.
func (db *DB) TransactionIDsAfter(ctx context.Context, afterSeq int64, limit int) (ids []string, last int64, err error) {
	defer db.track("transactions.ids", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT seq, id FROM transactions WHERE seq > $1 ORDER BY seq LIMIT $2`, afterSeq, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("page transaction ids: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&last, &id); err != nil {
			return nil, 0, fmt.Errorf("page transaction ids: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, last, rows.Err()
}
