package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

// auditInsertChunk bounds rows per multi-row INSERT (7 parameters a row stays
// far below both engines' parameter limits).
const auditInsertChunk = 500

// auditPreparedRows is the size of the chunks SQLite inserts through
// statements prepared once per store, so that a group commit does not parse
// its INSERTs again; the rest of a batch goes through one-off statements.
const auditPreparedRows = 16

// AppendAuditEntries implements audit.Store.
func (db *DB) AppendAuditEntries(ctx context.Context, build func(size int64, hashes tlog.HashReader) ([]audit.StoredEntry, error)) (err error) {
	defer db.track("audit.append", time.Now(), &err)
	_, err = db.appendAudit(ctx, 0, func(size int64, r tlog.HashReader, _ []audit.Entry) ([]audit.StoredEntry, error) {
		return build(size, r)
	})
	return err
}

// RelayAuditOutbox implements audit.Store.
func (db *DB) RelayAuditOutbox(ctx context.Context, limit int, build func(size int64, hashes tlog.HashReader, outbox []audit.Entry) ([]audit.StoredEntry, error)) (moved int, err error) {
	defer db.track("audit.relay", time.Now(), &err)
	return db.appendAudit(ctx, limit, build)
}

// appendAudit appends what build returns, after the first outboxLimit
// outbox rows (none when zero) which it deletes in the same transaction.
func (db *DB) appendAudit(ctx context.Context, outboxLimit int, build func(size int64, hashes tlog.HashReader, outbox []audit.Entry) ([]audit.StoredEntry, error)) (moved int, err error) {
	sqlite := db.dialect.Name == "sqlite"
	var prepared *[2]*sql.Stmt
	if sqlite {
		// Prepared before the transaction: SQLite's one write connection is
		// free only then.
		if prepared, err = db.auditPrepared(ctx); err != nil {
			return 0, err
		}
	}
	// The log's own transaction: it never joins a scope nor carries staged
	// records, whatever the caller's context holds.
	err = db.ownTx(ctx, func(tx *sql.Tx) error {
		if err := db.lock(ctx, tx, lockAudit); err != nil {
			return err
		}
		size, err := auditSize(ctx, tx)
		if err != nil {
			return err
		}
		var ids []int64
		var outbox []audit.Entry
		if outboxLimit > 0 {
			// Read under the append lock: a replica relaying at the same
			// time waits for it, then no longer sees the rows moved here.
			if ids, outbox, err = readOutbox(ctx, tx, outboxLimit); err != nil {
				return err
			}
		}
		reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) { return readAuditHashes(ctx, tx, idx) })
		entries, err := build(size, reader, outbox)
		if err != nil {
			return err
		}
		if len(entries) < len(outbox) {
			return fmt.Errorf("audit relay built %d entries for %d outbox rows", len(entries), len(outbox))
		}
		for i, e := range entries {
			if e.Index != size+int64(i) {
				return fmt.Errorf("audit entry %d built with index %d", size+int64(i), e.Index)
			}
		}
		if prepared != nil && len(entries) >= auditPreparedRows {
			e, h := tx.StmtContext(ctx, prepared[0]), tx.StmtContext(ctx, prepared[1])
			for len(entries) >= auditPreparedRows {
				if err := insertAuditChunk(ctx, entries[:auditPreparedRows], e.ExecContext, h.ExecContext); err != nil {
					return err
				}
				entries = entries[auditPreparedRows:]
			}
		}
		for start := 0; start < len(entries); start += auditInsertChunk {
			chunk := entries[start:min(start+auditInsertChunk, len(entries))]
			e, h := auditInsertSQL(len(chunk), sqlite)
			err := insertAuditChunk(ctx, chunk,
				func(ctx context.Context, args ...any) (sql.Result, error) { return tx.ExecContext(ctx, e, args...) },
				func(ctx context.Context, args ...any) (sql.Result, error) { return tx.ExecContext(ctx, h, args...) })
			if err != nil {
				return err
			}
		}
		moved = len(ids)
		return deleteOutbox(ctx, tx, ids)
	})
	if err != nil {
		return 0, err
	}
	return moved, nil
}

// auditPrepared returns the store's prepared auditPreparedRows-row INSERTs,
// preparing them on first use; they are closed with the store.
func (db *DB) auditPrepared(ctx context.Context) (*[2]*sql.Stmt, error) {
	db.auditMu.Lock()
	defer db.auditMu.Unlock()
	if db.auditStmts != nil {
		return db.auditStmts, nil
	}
	e, h := auditInsertSQL(auditPreparedRows, true)
	es, err := db.write.PrepareContext(ctx, e)
	if err != nil {
		return nil, fmt.Errorf("prepare audit insert: %w", err)
	}
	hs, err := db.write.PrepareContext(ctx, h)
	if err != nil {
		es.Close()
		return nil, fmt.Errorf("prepare audit insert: %w", err)
	}
	db.auditStmts = &[2]*sql.Stmt{es, hs}
	db.OnClose(func() { es.Close(); hs.Close() })
	return db.auditStmts, nil
}

// auditInsertSQL returns the multi-row INSERTs for n entries. SQLite gets
// anonymous ? parameters: it resolves $N names by a linear search, at
// prepare and again at bind, which is quadratic in the parameters of a
// multi-row INSERT (3,500 for a full chunk).
func auditInsertSQL(n int, anon bool) (entries, hashes string) {
	var e, h strings.Builder
	e.WriteString(`INSERT INTO audit_entries (idx, data, time, actor, action, subject_type, subject_id) VALUES `)
	h.WriteString(`INSERT INTO audit_hashes (idx, hashes) VALUES `)
	for i := range n {
		if i > 0 {
			e.WriteByte(',')
			h.WriteByte(',')
		}
		if anon {
			e.WriteString("(?,?,?,?,?,?,?)")
			h.WriteString("(?,?)")
		} else {
			fmt.Fprintf(&e, "($%d,$%d,$%d,$%d,$%d,$%d,$%d)", 7*i+1, 7*i+2, 7*i+3, 7*i+4, 7*i+5, 7*i+6, 7*i+7)
			fmt.Fprintf(&h, "($%d,$%d)", 2*i+1, 2*i+2)
		}
	}
	return e.String(), h.String()
}

type execFunc func(ctx context.Context, args ...any) (sql.Result, error)

func insertAuditChunk(ctx context.Context, chunk []audit.StoredEntry, entries, hashes execFunc) error {
	args := make([]any, 0, len(chunk)*7)
	for _, e := range chunk {
		args = append(args, e.Index, e.Data, micros(e.Time), e.ActorID, e.Action, e.SubjectType, e.SubjectID)
	}
	if _, err := entries(ctx, args...); err != nil {
		return fmt.Errorf("insert audit entries: %w", err)
	}
	args = args[:0]
	for _, e := range chunk {
		blob := make([]byte, 0, len(e.Hashes)*tlog.HashSize)
		for _, h := range e.Hashes {
			blob = append(blob, h[:]...)
		}
		args = append(args, e.Index, blob)
	}
	if _, err := hashes(ctx, args...); err != nil {
		return fmt.Errorf("insert audit hashes: %w", err)
	}
	return nil
}

type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// The size counts hashes, not entries: retention may prune old entries but
// never their hashes.
func auditSize(ctx context.Context, q rowQueryer) (int64, error) {
	var n sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(idx) FROM audit_hashes`).Scan(&n); err != nil {
		return 0, fmt.Errorf("audit size: %w", err)
	}
	if !n.Valid {
		return 0, nil
	}
	return n.Int64 + 1, nil
}

// AuditSize implements audit.Store.
func (db *DB) AuditSize(ctx context.Context) (n int64, err error) {
	defer db.track("audit.size", time.Now(), &err)
	return auditSize(ctx, db.read)
}

// recordOfStoredHash maps a tlog stored-hash index to the entry whose row
// holds it and its position in that row: hash (level L, k) covers entries
// [k<<L, (k+1)<<L) and is stored with the last of them.
func recordOfStoredHash(index int64) (record int64, offset int64) {
	level, k := tlog.SplitStoredHashIndex(index)
	record = (k+1)<<level - 1
	return record, index - tlog.StoredHashIndex(0, record)
}

func readAuditHashes(ctx context.Context, q rowQueryer, indexes []int64) ([]tlog.Hash, error) {
	if len(indexes) == 0 {
		return nil, nil
	}
	records := map[int64][]byte{}
	var want []any
	var ph strings.Builder
	for _, idx := range indexes {
		r, _ := recordOfStoredHash(idx)
		if _, ok := records[r]; ok {
			continue
		}
		records[r] = nil
		if len(want) > 0 {
			ph.WriteByte(',')
		}
		want = append(want, r)
		fmt.Fprintf(&ph, "$%d", len(want))
	}
	rows, err := q.QueryContext(ctx, `SELECT idx, hashes FROM audit_hashes WHERE idx IN (`+ph.String()+`)`, want...)
	if err != nil {
		return nil, fmt.Errorf("read audit hashes: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r int64
		var blob []byte
		if err := rows.Scan(&r, &blob); err != nil {
			return nil, fmt.Errorf("read audit hashes: %w", err)
		}
		records[r] = blob
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read audit hashes: %w", err)
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		r, off := recordOfStoredHash(idx)
		blob := records[r]
		if int64(len(blob)) < (off+1)*tlog.HashSize {
			return nil, fmt.Errorf("audit hash %d (entry %d) is missing or damaged", idx, r)
		}
		copy(out[i][:], blob[off*tlog.HashSize:])
	}
	return out, nil
}

// AuditHashes implements audit.Store.
func (db *DB) AuditHashes(ctx context.Context, indexes []int64) (hs []tlog.Hash, err error) {
	defer db.track("audit.hashes", time.Now(), &err)
	return readAuditHashes(ctx, db.read, indexes)
}

// AuditFirstIndex implements audit.Store.
func (db *DB) AuditFirstIndex(ctx context.Context) (n int64, err error) {
	defer db.track("audit.first_index", time.Now(), &err)
	var first sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MIN(idx) FROM audit_entries`).Scan(&first); err != nil {
		return 0, fmt.Errorf("audit first index: %w", err)
	}
	if first.Valid {
		return first.Int64, nil
	}
	return auditSize(ctx, db.read)
}

// AuditEntries implements audit.Store.
func (db *DB) AuditEntries(ctx context.Context, from, to int64) (out []audit.StoredEntry, err error) {
	defer db.track("audit.entries", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT e.idx, e.data, e.time, e.actor, e.action, e.subject_type, e.subject_id, h.hashes
		FROM audit_entries e LEFT JOIN audit_hashes h ON h.idx = e.idx
		WHERE e.idx >= $1 AND e.idx < $2 ORDER BY e.idx`, from, to)
	if err != nil {
		return nil, fmt.Errorf("read audit entries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e audit.StoredEntry
		var t int64
		var blob []byte
		if err := rows.Scan(&e.Index, &e.Data, &t, &e.ActorID, &e.Action, &e.SubjectType, &e.SubjectID, &blob); err != nil {
			return nil, fmt.Errorf("read audit entries: %w", err)
		}
		e.Time = fromMicros(t)
		for len(blob) >= tlog.HashSize {
			var h tlog.Hash
			copy(h[:], blob)
			e.Hashes = append(e.Hashes, h)
			blob = blob[tlog.HashSize:]
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddAuditCheckpoint implements audit.Store.
func (db *DB) AddAuditCheckpoint(ctx context.Context, cp audit.Checkpoint) (err error) {
	defer db.track("audit.checkpoint_add", time.Now(), &err)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (size, time, note) VALUES ($1, $2, $3) ON CONFLICT (size) DO NOTHING`,
			cp.Size, micros(cp.Time), string(cp.Note))
		if err != nil {
			return fmt.Errorf("store audit checkpoint: %w", err)
		}
		return nil
	})
}

func scanCheckpoints(rows *sql.Rows) ([]audit.Checkpoint, error) {
	defer rows.Close()
	var out []audit.Checkpoint
	for rows.Next() {
		var cp audit.Checkpoint
		var t int64
		var n string
		if err := rows.Scan(&cp.Size, &t, &n); err != nil {
			return nil, fmt.Errorf("read audit checkpoints: %w", err)
		}
		cp.Time, cp.Note = fromMicros(t), []byte(n)
		out = append(out, cp)
	}
	return out, rows.Err()
}

// LatestAuditCheckpoint implements audit.Store.
func (db *DB) LatestAuditCheckpoint(ctx context.Context) (cp audit.Checkpoint, err error) {
	defer db.track("audit.checkpoint_latest", time.Now(), &err)
	var t int64
	var n string
	err = db.read.QueryRowContext(ctx, `SELECT size, time, note FROM audit_checkpoints ORDER BY size DESC LIMIT 1`).Scan(&cp.Size, &t, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return cp, warden.Errorf(warden.ENOTFOUND, "no audit checkpoint yet")
	} else if err != nil {
		return cp, fmt.Errorf("read audit checkpoint: %w", err)
	}
	cp.Time, cp.Note = fromMicros(t), []byte(n)
	return cp, nil
}

// AuditCheckpoints implements audit.Store.
func (db *DB) AuditCheckpoints(ctx context.Context, from, to int64) (cps []audit.Checkpoint, err error) {
	defer db.track("audit.checkpoints", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT size, time, note FROM audit_checkpoints WHERE size >= $1 AND size <= $2 ORDER BY size`, from, to)
	if err != nil {
		return nil, fmt.Errorf("read audit checkpoints: %w", err)
	}
	return scanCheckpoints(rows)
}

// AddAuditKey implements audit.Store.
func (db *DB) AddAuditKey(ctx context.Context, vkey string, at time.Time) (err error) {
	defer db.track("audit.key_add", time.Now(), &err)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_keys (vkey, added_at) VALUES ($1, $2) ON CONFLICT (vkey) DO NOTHING`, vkey, micros(at))
		if err != nil {
			return fmt.Errorf("store audit key: %w", err)
		}
		return nil
	})
}

// AuditKeys implements audit.Store.
func (db *DB) AuditKeys(ctx context.Context) (keys []string, err error) {
	defer db.track("audit.keys", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT vkey FROM audit_keys ORDER BY added_at, vkey`)
	if err != nil {
		return nil, fmt.Errorf("read audit keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// AuditCursor implements audit.CursorStore.
func (db *DB) AuditCursor(ctx context.Context, name string) (next int64, err error) {
	defer db.track("audit.cursor_get", time.Now(), &err)
	err = db.read.QueryRowContext(ctx, `SELECT next_index FROM audit_cursors WHERE name = $1`, name).Scan(&next)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	} else if err != nil {
		return 0, fmt.Errorf("read audit cursor %s: %w", name, err)
	}
	return next, nil
}

// SetAuditCursor implements audit.CursorStore. A cursor never moves back.
func (db *DB) SetAuditCursor(ctx context.Context, name string, next int64) (err error) {
	defer db.track("audit.cursor_set", time.Now(), &err)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_cursors (name, next_index, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET next_index = excluded.next_index, updated_at = excluded.updated_at
			WHERE audit_cursors.next_index < excluded.next_index`, name, next, micros(time.Now()))
		if err != nil {
			return fmt.Errorf("store audit cursor %s: %w", name, err)
		}
		return nil
	})
}

var (
	_ audit.Store       = (*DB)(nil)
	_ audit.CursorStore = (*DB)(nil)
)
