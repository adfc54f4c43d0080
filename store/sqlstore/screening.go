package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/screening"
)

// SaveListSnapshot implements screening.SnapshotStore.
func (db *DB) SaveListSnapshot(ctx context.Context, v screening.ListVersion, loadedBy string, encoded []byte) (err error) {
	defer db.track("lists.save", time.Now(), &err)
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO list_snapshots (id, source, version, content_sha256, entities, loaded_at, loaded_by, data)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, v.Source, v.Version, v.ContentSHA256, v.Entities, micros(v.LoadedAt), loadedBy, encoded); err != nil {
			return fmt.Errorf("store list snapshot: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO list_active (source, snapshot_id, activated_at) VALUES ($1, $2, $3)
			ON CONFLICT (source) DO UPDATE SET snapshot_id = excluded.snapshot_id, activated_at = excluded.activated_at`,
			v.Source, id, micros(time.Now())); err != nil {
			return fmt.Errorf("activate list snapshot: %w", err)
		}
		return nil
	})
}

// ActiveListVersions implements screening.SnapshotStore.
func (db *DB) ActiveListVersions(ctx context.Context) (out []screening.ListVersion, err error) {
	defer db.track("lists.active", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT s.source, s.version, s.content_sha256, s.entities, s.loaded_at
		FROM list_active a JOIN list_snapshots s ON s.id = a.snapshot_id ORDER BY s.source`)
	if err != nil {
		return nil, fmt.Errorf("read active lists: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var v screening.ListVersion
		var loaded int64
		if err := rows.Scan(&v.Source, &v.Version, &v.ContentSHA256, &v.Entities, &loaded); err != nil {
			return nil, fmt.Errorf("read active lists: %w", err)
		}
		v.LoadedAt = fromMicros(loaded)
		out = append(out, v)
	}
	return out, rows.Err()
}

// ActiveListSnapshot implements screening.SnapshotStore.
func (db *DB) ActiveListSnapshot(ctx context.Context, source string) (data []byte, err error) {
	defer db.track("lists.snapshot", time.Now(), &err)
	err = db.read.QueryRowContext(ctx, `SELECT s.data FROM list_active a JOIN list_snapshots s ON s.id = a.snapshot_id WHERE a.source = $1`, source).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warden.Errorf(warden.ENOTFOUND, "no active snapshot of list %s", source)
	} else if err != nil {
		return nil, fmt.Errorf("read list snapshot %s: %w", source, err)
	}
	return data, nil
}

// PutClearance implements screening.ClearanceStore.
func (db *DB) PutClearance(ctx context.Context, c screening.Clearance) (err error) {
	defer db.track("screening.clearance_put", time.Now(), &err)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO screening_clearances (subject, list, entry_id, entry_hash, reason, cleared_by, cleared_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (subject, list, entry_id) DO UPDATE SET entry_hash = excluded.entry_hash, reason = excluded.reason,
				cleared_by = excluded.cleared_by, cleared_at = excluded.cleared_at`,
			c.Subject, c.List, c.EntryID, c.EntryHash, c.Reason, c.ClearedBy, micros(c.ClearedAt))
		if err != nil {
			return fmt.Errorf("store clearance: %w", err)
		}
		return nil
	})
}

// Clearances implements screening.ClearanceStore.
func (db *DB) Clearances(ctx context.Context, subject string) (out []screening.Clearance, err error) {
	defer db.track("screening.clearances", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT subject, list, entry_id, entry_hash, reason, cleared_by, cleared_at
		FROM screening_clearances WHERE subject = $1 ORDER BY list, entry_id`, subject)
	if err != nil {
		return nil, fmt.Errorf("read clearances: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c screening.Clearance
		var at int64
		if err := rows.Scan(&c.Subject, &c.List, &c.EntryID, &c.EntryHash, &c.Reason, &c.ClearedBy, &at); err != nil {
			return nil, fmt.Errorf("read clearances: %w", err)
		}
		c.ClearedAt = fromMicros(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

var (
	_ screening.SnapshotStore  = (*DB)(nil)
	_ screening.ClearanceStore = (*DB)(nil)
)
