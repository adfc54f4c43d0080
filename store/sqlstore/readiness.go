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
	"github.com/wardenhq/warden/readiness"
)

func newReadinessID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SaveReadinessScan implements readiness.Store. An empty id is assigned.
func (db *DB) SaveReadinessScan(ctx context.Context, rec readiness.ScanRecord) (err error) {
	defer db.track("readiness.scan_save", time.Now(), &err)
	if rec.ID == "" {
		return warden.FieldErrorf(warden.EINVALID, "id", "scan id is required")
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO readiness_scans (id, name, started_at, finished_at, overall, report)
			VALUES ($1, $2, $3, $4, $5, $6)`, rec.ID, rec.Name, micros(rec.StartedAt), micros(rec.FinishedAt), rec.Overall, string(rec.Report))
		if db.dialect.IsUniqueViolation(err) {
			return warden.Errorf(warden.ECONFLICT, "scan %s already stored", rec.ID)
		} else if err != nil {
			return fmt.Errorf("store readiness scan: %w", err)
		}
		return nil
	})
}

// ReadinessScans implements readiness.Store.
func (db *DB) ReadinessScans(ctx context.Context, limit int) (out []readiness.ScanRecord, err error) {
	defer db.track("readiness.scans", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, started_at, finished_at, overall FROM readiness_scans
		ORDER BY finished_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("read readiness scans: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var r readiness.ScanRecord
		var started, finished int64
		if err := rows.Scan(&r.ID, &r.Name, &started, &finished, &r.Overall); err != nil {
			return nil, fmt.Errorf("read readiness scans: %w", err)
		}
		r.StartedAt, r.FinishedAt = fromMicros(started), fromMicros(finished)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReadinessScan implements readiness.Store.
func (db *DB) ReadinessScan(ctx context.Context, id string) (r readiness.ScanRecord, err error) {
	defer db.track("readiness.scan", time.Now(), &err)
	var started, finished int64
	var report string
	err = db.read.QueryRowContext(ctx, `SELECT id, name, started_at, finished_at, overall, report FROM readiness_scans WHERE id = $1`, id).
		Scan(&r.ID, &r.Name, &started, &finished, &r.Overall, &report)
	if errors.Is(err, sql.ErrNoRows) {
		return r, warden.Errorf(warden.ENOTFOUND, "no readiness scan %s", id)
	} else if err != nil {
		return r, fmt.Errorf("read readiness scan %s: %w", id, err)
	}
	r.StartedAt, r.FinishedAt, r.Report = fromMicros(started), fromMicros(finished), []byte(report)
	return r, nil
}

// PutAttestation implements readiness.Store. An empty id is assigned.
func (db *DB) PutAttestation(ctx context.Context, a readiness.Attestation) (err error) {
	defer db.track("readiness.attest", time.Now(), &err)
	if a.ID == "" {
		a.ID = newReadinessID()
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO readiness_attestations (id, item, by_name, evidence, note, attested_at, expires_at, recorded_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, a.ID, a.Item, a.By, a.Evidence, a.Note, micros(a.AttestedAt), nullMicros(a.ExpiresAt), a.RecordedBy)
		if db.dialect.IsUniqueViolation(err) {
			return warden.Errorf(warden.ECONFLICT, "attestation %s already stored", a.ID)
		} else if err != nil {
			return fmt.Errorf("store attestation: %w", err)
		}
		return nil
	})
}

// Attestations implements readiness.Store.
func (db *DB) Attestations(ctx context.Context) (out []readiness.Attestation, err error) {
	defer db.track("readiness.attestations", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT id, item, by_name, evidence, note, attested_at, expires_at, recorded_by
		FROM readiness_attestations ORDER BY attested_at, id`)
	if err != nil {
		return nil, fmt.Errorf("read attestations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var a readiness.Attestation
		var at int64
		var exp sql.NullInt64
		if err := rows.Scan(&a.ID, &a.Item, &a.By, &a.Evidence, &a.Note, &at, &exp, &a.RecordedBy); err != nil {
			return nil, fmt.Errorf("read attestations: %w", err)
		}
		a.AttestedAt, a.ExpiresAt = fromMicros(at), fromNullMicros(exp)
		out = append(out, a)
	}
	return out, rows.Err()
}

var _ readiness.Store = (*DB)(nil)
