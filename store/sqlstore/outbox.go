package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wardenhq/warden/audit"
)

// The audit outbox (see audit/outbox.go): every write transaction started
// through inTx writes the audit records staged on its context to
// audit_outbox before it commits, so a change and its records commit or
// roll back together; the log's relay (appendAudit) moves the rows into the
// Merkle log. This covers every store method without the method knowing,
// including ones written for speed that only call inTx (alerts, rules).

// outboxColumns are the staged entry's fields: everything but its index
// and time, which the relay gives it.
const outboxColumns = `actor_kind, actor_id, action, subject_type, subject_id, request_id, change, change_sha256`

// outboxInsertChunk bounds rows per INSERT (9 parameters a row).
const outboxInsertChunk = 200

// writeOutbox inserts staged entries in tx, in staging order (ids ascend
// with it).
func writeOutbox(ctx context.Context, tx *sql.Tx, staged *audit.Staged) error {
	es := staged.Entries()
	now := micros(time.Now())
	for start := 0; start < len(es); start += outboxInsertChunk {
		chunk := es[start:min(start+outboxInsertChunk, len(es))]
		var q strings.Builder
		q.WriteString(`INSERT INTO audit_outbox (` + outboxColumns + `, created_at) VALUES `)
		args := make([]any, 0, len(chunk)*9)
		for i, e := range chunk {
			if i > 0 {
				q.WriteByte(',')
			}
			n := len(args)
			fmt.Fprintf(&q, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d,$%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9)
			var change any // NULL for no change
			if len(e.Change) > 0 {
				change = []byte(e.Change)
			}
			args = append(args, e.Actor.Kind, e.Actor.ID, e.Action, e.Subject.Type, e.Subject.ID, e.RequestID, change, e.ChangeSHA256, now)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("write audit outbox: %w", err)
		}
	}
	return nil
}

// readOutbox reads up to limit outbox rows, oldest first.
func readOutbox(ctx context.Context, tx *sql.Tx, limit int) ([]int64, []audit.Entry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, `+outboxColumns+` FROM audit_outbox ORDER BY id LIMIT $1`, limit)
	if err != nil {
		return nil, nil, fmt.Errorf("read audit outbox: %w", err)
	}
	defer rows.Close()
	var ids []int64
	var es []audit.Entry
	for rows.Next() {
		var id int64
		var e audit.Entry
		var change []byte
		if err := rows.Scan(&id, &e.Actor.Kind, &e.Actor.ID, &e.Action, &e.Subject.Type, &e.Subject.ID, &e.RequestID, &change, &e.ChangeSHA256); err != nil {
			return nil, nil, fmt.Errorf("read audit outbox: %w", err)
		}
		if len(change) > 0 {
			e.Change = change
		}
		ids, es = append(ids, id), append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("read audit outbox: %w", err)
	}
	return ids, es, nil
}

// deleteOutbox deletes exactly the rows relayed. Not a range: on PostgreSQL
// a row with a lower id may commit after the read, and it must wait for the
// next relay rather than vanish. A row already gone means another relay
// moved it: the transaction fails rather than append it twice.
func deleteOutbox(ctx context.Context, tx *sql.Tx, ids []int64) error {
	const chunk = 500
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		var q strings.Builder
		q.WriteString(`DELETE FROM audit_outbox WHERE id IN (`)
		args := make([]any, len(part))
		for i, id := range part {
			if i > 0 {
				q.WriteByte(',')
			}
			fmt.Fprintf(&q, "$%d", i+1)
			args[i] = id
		}
		q.WriteByte(')')
		res, err := tx.ExecContext(ctx, q.String(), args...)
		if err != nil {
			return fmt.Errorf("delete relayed audit outbox rows: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("delete relayed audit outbox rows: %w", err)
		} else if n != int64(len(part)) {
			return fmt.Errorf("audit outbox: %d of %d rows were relayed by another transaction meanwhile", int64(len(part))-n, len(part))
		}
	}
	return nil
}

type scopeKey struct{}

// scope is one Atomically call: the write transaction its store call
// began, left open until the scope ends.
type scope struct {
	db     *DB
	ctx    context.Context // the scope's: the transaction lives as long
	tx     *sql.Tx
	failed error // a store call in the scope failed: the scope rolls back
	closed bool
}

func (db *DB) scopeOf(ctx context.Context) *scope {
	sc, _ := ctx.Value(scopeKey{}).(*scope)
	if sc == nil || sc.db != db || sc.closed {
		return nil
	}
	return sc
}

// run runs one store call's transaction body in the scope's transaction,
// beginning it. Only one: a second store call may prepare statements on the
// write pool before its transaction, and SQLite's one write connection is
// the scope's until it ends, so it would wait forever.
func (sc *scope) run(fn func(*sql.Tx) error) error {
	if sc.tx != nil {
		sc.failed = errors.New("sqlstore: an Atomically scope holds one write transaction, and a second store write was made in it")
		return sc.failed
	}
	tx, err := sc.db.write.BeginTx(sc.ctx, nil)
	if err != nil {
		sc.failed = fmt.Errorf("begin: %w", err)
		return sc.failed
	}
	sc.tx = tx
	if err := fn(tx); err != nil {
		sc.failed = err
		return err
	}
	return nil
}

// Atomically implements audit.Atomic: the store write made with fn's
// context stays uncommitted until fn returns; then the records fn staged on
// that context are written to the outbox and everything commits (nothing
// does if fn or the write failed). Keep fn short: on SQLite the open
// transaction holds the store's one writer.
func (db *DB) Atomically(ctx context.Context, fn func(ctx context.Context) error) error {
	if db.scopeOf(ctx) != nil {
		return fn(ctx) // nested: the outer scope commits everything
	}
	sc := &scope{db: db}
	ctx = audit.WithStaging(context.WithValue(ctx, scopeKey{}, sc))
	sc.ctx = ctx
	committed := false
	defer func() {
		sc.closed = true
		if sc.tx != nil && !committed {
			_ = sc.tx.Rollback()
		}
	}()
	if err := fn(ctx); err != nil {
		return err
	}
	if sc.failed != nil {
		return sc.failed
	}
	if sc.tx == nil {
		staged := audit.TakeStaged(ctx)
		if staged == nil {
			return nil
		}
		// Records without a write: they still reach the log.
		err := db.ownTx(ctx, func(tx *sql.Tx) error { return writeOutbox(ctx, tx, staged) })
		if err == nil {
			staged.Committed()
		}
		return err
	}
	done, err := writeStaged(ctx, sc.tx)
	if err != nil {
		return err
	}
	if err := sc.tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	done()
	return nil
}

var _ audit.Atomic = (*DB)(nil)

// AuditOutboxStatus returns how many audit records wait in the outbox and
// when the oldest was written (zero when none wait): a row that stays means
// relays fail, and the audit log is behind the changes it describes.
func (db *DB) AuditOutboxStatus(ctx context.Context) (n int64, oldest time.Time, err error) {
	defer db.track("audit.outbox_status", time.Now(), &err)
	var first sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*), MIN(created_at) FROM audit_outbox`).Scan(&n, &first); err != nil {
		return 0, time.Time{}, fmt.Errorf("read audit outbox status: %w", err)
	}
	return n, fromNullMicros(first), nil
}
