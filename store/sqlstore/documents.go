package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc"
)

// PutDocument implements kyc.DocumentStore.
func (db *DB) PutDocument(ctx context.Context, d *kyc.Document) (err error) {
	defer db.track("documents.put", time.Now(), &err)
	data, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode document: %w", err)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO documents (id, customer_id, submitted_at, data) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET data = excluded.data`, d.ID, d.CustomerID, micros(d.SubmittedAt), string(data))
		if err != nil {
			return fmt.Errorf("store document: %w", err)
		}
		return nil
	})
}

func decodeDocument(data string) (*kyc.Document, error) {
	var d kyc.Document
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		return nil, fmt.Errorf("decode document: %w", err)
	}
	return &d, nil
}

// Document implements kyc.DocumentStore.
func (db *DB) Document(ctx context.Context, id string) (d *kyc.Document, err error) {
	defer db.track("documents.get", time.Now(), &err)
	var data string
	err = db.read.QueryRowContext(ctx, `SELECT data FROM documents WHERE id = $1`, id).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "id", "document %s not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("read document: %w", err)
	}
	return decodeDocument(data)
}

// CustomerDocuments implements kyc.DocumentStore.
func (db *DB) CustomerDocuments(ctx context.Context, customerID string) (out []*kyc.Document, err error) {
	defer db.track("documents.list", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT data FROM documents WHERE customer_id = $1 ORDER BY submitted_at, id`, customerID)
	if err != nil {
		return nil, fmt.Errorf("read documents: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			return nil, fmt.Errorf("read documents: %w", err)
		}
		d, err := decodeDocument(data)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

var _ kyc.DocumentStore = (*DB)(nil)

// PutOwners implements kyc.OwnersStore.
func (db *DB) PutOwners(ctx context.Context, customerID string, o kyc.Owners, sc *kyc.OwnerScreening, at time.Time) (err error) {
	defer db.track("owners.put", time.Now(), &err)
	data, err := json.Marshal(o)
	if err != nil {
		return fmt.Errorf("encode owners: %w", err)
	}
	var screening sql.NullString
	if sc != nil {
		enc, err := json.Marshal(sc)
		if err != nil {
			return fmt.Errorf("encode owner screening: %w", err)
		}
		screening = sql.NullString{String: string(enc), Valid: true}
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO customer_owners (customer_id, data, updated_at, screening) VALUES ($1, $2, $3, $4)
			ON CONFLICT (customer_id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at, screening = excluded.screening`,
			customerID, string(data), micros(at), screening)
		if err != nil {
			return fmt.Errorf("store owners: %w", err)
		}
		return nil
	})
}

// CustomerOwners implements kyc.OwnersStore.
func (db *DB) CustomerOwners(ctx context.Context, customerID string) (o *kyc.Owners, err error) {
	defer db.track("owners.get", time.Now(), &err)
	var data string
	err = db.read.QueryRowContext(ctx, `SELECT data FROM customer_owners WHERE customer_id = $1`, customerID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "id", "no ownership recorded for customer %s", customerID)
	} else if err != nil {
		return nil, fmt.Errorf("read owners: %w", err)
	}
	o = &kyc.Owners{}
	if err := json.Unmarshal([]byte(data), o); err != nil {
		return nil, fmt.Errorf("decode owners: %w", err)
	}
	return o, nil
}

var _ kyc.OwnersStore = (*DB)(nil)
