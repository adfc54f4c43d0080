package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
)

// ReserveIdempotencyKey implements warden.IdempotencyStore.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, rec *warden.IdempotencyRecord) (existing *warden.IdempotencyRecord, err error) {
	defer db.track("idempotency.reserve", time.Now(), &err)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (actor, idem_key, method, path, request_hash, status, content_type, body, created_at)
			VALUES ($1, $2, $3, $4, $5, 0, '', NULL, $6) ON CONFLICT (actor, idem_key) DO NOTHING`,
			rec.Actor, rec.Key, rec.Method, rec.Path, rec.RequestHash, micros(rec.CreatedAt))
		if err != nil {
			return fmt.Errorf("reserve idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		existing = &warden.IdempotencyRecord{Actor: rec.Actor, Key: rec.Key}
		var created int64
		err = tx.QueryRowContext(ctx, `SELECT method, path, request_hash, status, content_type, body, created_at
			FROM idempotency_keys WHERE actor = $1 AND idem_key = $2`, rec.Actor, rec.Key).
			Scan(&existing.Method, &existing.Path, &existing.RequestHash, &existing.Status, &existing.ContentType, &existing.Body, &created)
		if errors.Is(err, sql.ErrNoRows) {
			return warden.Errorf(warden.ECONFLICT, "idempotency key %q is being released; retry", rec.Key)
		} else if err != nil {
			return fmt.Errorf("read idempotency key: %w", err)
		}
		existing.CreatedAt = fromMicros(created)
		return nil
	})
	return existing, err
}

// CompleteIdempotencyKey implements warden.IdempotencyStore.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, actor, key string, status int, contentType string, body []byte) (err error) {
	defer db.track("idempotency.complete", time.Now(), &err)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE idempotency_keys SET status = $1, content_type = $2, body = $3
			WHERE actor = $4 AND idem_key = $5 AND status = 0`, status, contentType, body, actor, key)
		if err != nil {
			return fmt.Errorf("complete idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return warden.Errorf(warden.ECONFLICT, "idempotency key %q is not reserved", key)
		}
		return nil
	})
}

// ReleaseIdempotencyKey implements warden.IdempotencyStore.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, actor, key string) (err error) {
	defer db.track("idempotency.release", time.Now(), &err)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE actor = $1 AND idem_key = $2 AND status = 0`, actor, key)
		if err != nil {
			return fmt.Errorf("release idempotency key: %w", err)
		}
		return nil
	})
}

// PruneIdempotencyKeys implements warden.IdempotencyStore.
func (db *DB) PruneIdempotencyKeys(ctx context.Context, before time.Time) (n int64, err error) {
	defer db.track("idempotency.prune", time.Now(), &err)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, micros(before))
		if err != nil {
			return fmt.Errorf("prune idempotency keys: %w", err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}

var _ warden.IdempotencyStore = (*DB)(nil)
