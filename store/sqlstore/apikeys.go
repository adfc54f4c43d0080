package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/auth"
)

const apiKeyColumns = `id, name, role, hash, created_at, expires_at, revoked_at, rotated_from, rotated_to, created_by`

func insertAPIKey(ctx context.Context, tx *sql.Tx, k *auth.APIKey) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO api_keys (`+apiKeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		k.ID, k.Name, string(k.Role), k.Hash, micros(k.CreatedAt), micros(k.ExpiresAt), nullMicros(k.RevokedAt),
		nullString(k.RotatedFrom), nullString(k.RotatedTo), k.CreatedBy)
	return err
}

// CreateAPIKey implements auth.KeyStore.
func (db *DB) CreateAPIKey(ctx context.Context, k *auth.APIKey) (err error) {
	defer db.track("api_keys.create", time.Now(), &err)
	err = db.inTx(ctx, func(tx *sql.Tx) error { return insertAPIKey(ctx, tx, k) })
	if err != nil && db.dialect.IsUniqueViolation(err) {
		return warden.Errorf(warden.ECONFLICT, "API key %s already exists", k.ID)
	}
	return err
}

// CreateFirstAPIKey implements auth.KeyStore. The bootstrap marker row's
// primary key makes it atomic across replicas and processes.
func (db *DB) CreateFirstAPIKey(ctx context.Context, k *auth.APIKey) (created bool, err error) {
	defer db.track("api_keys.create_first", time.Now(), &err)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO bootstrap (name, done_at) VALUES ('admin_key', $1) ON CONFLICT (name) DO NOTHING`, micros(k.CreatedAt))
		if err != nil {
			return fmt.Errorf("mark bootstrap: %w", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("mark bootstrap: %w", err)
		} else if n == 0 {
			return nil
		}
		// Keys made before the first start (warden apikey create) mean the
		// store is not empty: the marker stays and no admin key is made.
		var existing int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys`).Scan(&existing); err != nil {
			return fmt.Errorf("count api keys: %w", err)
		}
		if existing > 0 {
			return nil
		}
		created = true
		return insertAPIKey(ctx, tx, k)
	})
	if err != nil {
		return false, err
	}
	return created, nil
}

func scanAPIKey(row interface{ Scan(...any) error }) (*auth.APIKey, error) {
	var (
		k                      auth.APIKey
		role                   string
		created, expires       int64
		revoked                sql.NullInt64
		rotatedFrom, rotatedTo sql.NullString
	)
	if err := row.Scan(&k.ID, &k.Name, &role, &k.Hash, &created, &expires, &revoked, &rotatedFrom, &rotatedTo, &k.CreatedBy); err != nil {
		return nil, err
	}
	k.Role = warden.Role(role)
	k.CreatedAt, k.ExpiresAt, k.RevokedAt = fromMicros(created), fromMicros(expires), fromNullMicros(revoked)
	k.RotatedFrom, k.RotatedTo = rotatedFrom.String, rotatedTo.String
	return &k, nil
}

// APIKey implements auth.KeyStore.
func (db *DB) APIKey(ctx context.Context, id string) (k *auth.APIKey, err error) {
	defer db.track("api_keys.get", time.Now(), &err)
	k, err = scanAPIKey(db.read.QueryRowContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "id", "API key %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("get api key: %w", err)
	}
	return k, nil
}

// APIKeys implements auth.KeyStore.
func (db *DB) APIKeys(ctx context.Context) (keys []*auth.APIKey, err error) {
	defer db.track("api_keys.list", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT `+apiKeyColumns+` FROM api_keys ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, fmt.Errorf("scan api key: %w", err)
		}
		keys = append(keys, k)
	}
	return keys, rows.Err()
}

// RevokeAPIKey implements auth.KeyStore.
func (db *DB) RevokeAPIKey(ctx context.Context, id string, at time.Time) (k *auth.APIKey, err error) {
	defer db.track("api_keys.revoke", time.Now(), &err)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		k, err = scanAPIKey(tx.QueryRowContext(ctx, `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL
			RETURNING `+apiKeyColumns, micros(at), id))
		if err == nil {
			return nil
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("revoke api key: %w", err)
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM api_keys WHERE id = $1`, id).Scan(&exists); err != nil {
			return fmt.Errorf("revoke api key: %w", err)
		}
		if exists == 0 {
			return warden.FieldErrorf(warden.ENOTFOUND, "id", "API key %s not found", id)
		}
		return warden.Errorf(warden.ECONFLICT, "API key %s is already revoked", id)
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// RotateAPIKey implements auth.KeyStore.
func (db *DB) RotateAPIKey(ctx context.Context, oldID string, oldExpiresAt time.Time, successor *auth.APIKey) (err error) {
	defer db.track("api_keys.rotate", time.Now(), &err)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE api_keys SET rotated_to = $1, expires_at = $2
			WHERE id = $3 AND rotated_to IS NULL AND revoked_at IS NULL`, successor.ID, micros(oldExpiresAt), oldID)
		if err != nil {
			return fmt.Errorf("rotate api key: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return warden.Errorf(warden.ECONFLICT, "API key %s cannot be rotated: it is unknown, revoked or already rotated", oldID)
		}
		if err := insertAPIKey(ctx, tx, successor); err != nil {
			return fmt.Errorf("insert successor key: %w", err)
		}
		return nil
	})
}

var _ auth.KeyStore = (*DB)(nil)
