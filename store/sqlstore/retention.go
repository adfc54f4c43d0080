package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

const holdColumns = `id, reason, set_by, set_at, released_at, released_by, release_reason`

func scanHold(row interface{ Scan(...any) error }) (*audit.Hold, error) {
	var h audit.Hold
	var setAt int64
	var relAt sql.NullInt64
	var relBy, relReason sql.NullString
	if err := row.Scan(&h.ID, &h.Reason, &h.SetBy, &setAt, &relAt, &relBy, &relReason); err != nil {
		return nil, err
	}
	h.SetAt, h.ReleasedAt, h.ReleasedBy, h.ReleaseReason = fromMicros(setAt), fromNullMicros(relAt), relBy.String, relReason.String
	return &h, nil
}

func activeHold(ctx context.Context, q rowQueryer) (*audit.Hold, error) {
	h, err := scanHold(q.QueryRowContext(ctx, `SELECT `+holdColumns+` FROM audit_legal_holds WHERE released_at IS NULL ORDER BY set_at LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read legal hold: %w", err)
	}
	return h, nil
}

// SetLegalHold implements audit.RetentionStore.
func (db *DB) SetLegalHold(ctx context.Context, h audit.Hold) (err error) {
	defer db.track("audit.hold_set", time.Now(), &err)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lock(ctx, tx, lockAudit); err != nil {
			return err
		}
		if cur, err := activeHold(ctx, tx); err != nil {
			return err
		} else if cur != nil {
			return warden.Errorf(warden.ECONFLICT, "a legal hold is already set (%s, by %s)", cur.Reason, cur.SetBy)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO audit_legal_holds (id, reason, set_by, set_at) VALUES ($1, $2, $3, $4)`,
			h.ID, h.Reason, h.SetBy, micros(h.SetAt))
		if err != nil {
			return fmt.Errorf("set legal hold: %w", err)
		}
		return nil
	})
}

// ReleaseLegalHold implements audit.RetentionStore.
func (db *DB) ReleaseLegalHold(ctx context.Context, by, reason string, at time.Time) (h audit.Hold, err error) {
	defer db.track("audit.hold_release", time.Now(), &err)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lock(ctx, tx, lockAudit); err != nil {
			return err
		}
		cur, err := activeHold(ctx, tx)
		if err != nil {
			return err
		} else if cur == nil {
			return warden.Errorf(warden.ENOTFOUND, "no legal hold is set")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE audit_legal_holds SET released_at = $1, released_by = $2, release_reason = $3 WHERE id = $4`,
			micros(at), by, reason, cur.ID); err != nil {
			return fmt.Errorf("release legal hold: %w", err)
		}
		cur.ReleasedAt, cur.ReleasedBy, cur.ReleaseReason = at.UTC(), by, reason
		h = *cur
		return nil
	})
	return h, err
}

// ActiveLegalHold implements audit.RetentionStore.
func (db *DB) ActiveLegalHold(ctx context.Context) (h *audit.Hold, err error) {
	defer db.track("audit.hold_get", time.Now(), &err)
	return activeHold(ctx, db.read)
}

// AuditIndexAtTime implements audit.RetentionStore.
func (db *DB) AuditIndexAtTime(ctx context.Context, t time.Time) (n int64, err error) {
	defer db.track("audit.index_at_time", time.Now(), &err)
	var idx sql.NullInt64
	if err := db.read.QueryRowContext(ctx, `SELECT MIN(idx) FROM audit_entries WHERE time >= $1`, micros(t)).Scan(&idx); err != nil {
		return 0, fmt.Errorf("audit index at time: %w", err)
	}
	if idx.Valid {
		return idx.Int64, nil
	}
	return auditSize(ctx, db.read)
}

// PruneAuditEntries implements audit.RetentionStore.
func (db *DB) PruneAuditEntries(ctx context.Context, a audit.Archive) (n int64, err error) {
	defer db.track("audit.prune", time.Now(), &err)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		if err := db.lock(ctx, tx, lockAudit); err != nil {
			return err
		}
		if h, err := activeHold(ctx, tx); err != nil {
			return err
		} else if h != nil {
			return warden.Errorf(warden.ECONFLICT, "a legal hold is set (%s): nothing is pruned", h.Reason)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_archives (id, before_index, checkpoint_size, file, sha256, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			a.ID, a.BeforeIndex, a.CheckpointSize, a.File, a.SHA256, micros(a.CreatedAt)); err != nil {
			return fmt.Errorf("record audit archive: %w", err)
		}
		for _, stmt := range db.dialect.AuditPruneBegin {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("prune audit entries: %w", err)
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM audit_entries WHERE idx < $1`, a.BeforeIndex)
		if err != nil {
			return fmt.Errorf("prune audit entries: %w", err)
		}
		n, _ = res.RowsAffected()
		for _, stmt := range db.dialect.AuditPruneEnd {
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				return fmt.Errorf("prune audit entries: %w", err)
			}
		}
		return nil
	})
	return n, err
}

var _ audit.RetentionStore = (*DB)(nil)
