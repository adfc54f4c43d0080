package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc"
)

// PutOwnerScreening implements kyc.OwnerScreeningStore.
func (db *DB) PutOwnerScreening(ctx context.Context, customerID string, sc *kyc.OwnerScreening) (err error) {
	defer db.track("owners.put_screening", time.Now(), &err)
	data, err := json.Marshal(sc)
	if err != nil {
		return fmt.Errorf("encode owner screening: %w", err)
	}
	res, err := db.write.ExecContext(ctx, `UPDATE customer_owners SET screening = $1 WHERE customer_id = $2`, string(data), customerID)
	if err != nil {
		return fmt.Errorf("store owner screening: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return warden.FieldErrorf(warden.ENOTFOUND, "id", "no ownership recorded for customer %s", customerID)
	}
	return nil
}

// OwnerScreening implements kyc.OwnerScreeningStore.
func (db *DB) OwnerScreening(ctx context.Context, customerID string) (sc *kyc.OwnerScreening, err error) {
	defer db.track("owners.get_screening", time.Now(), &err)
	var data sql.NullString
	err = db.read.QueryRowContext(ctx, `SELECT screening FROM customer_owners WHERE customer_id = $1`, customerID).Scan(&data)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !data.Valid) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read owner screening: %w", err)
	}
	sc = &kyc.OwnerScreening{}
	if err := json.Unmarshal([]byte(data.String), sc); err != nil {
		return nil, fmt.Errorf("decode owner screening of %s: %w", customerID, err)
	}
	return sc, nil
}

// OwnersAfter implements kyc.OwnerScreeningStore.
func (db *DB) OwnersAfter(ctx context.Context, after string, limit int) (out []kyc.OwnersRecord, err error) {
	defer db.track("owners.page", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT customer_id, data, screening FROM customer_owners WHERE customer_id > $1 ORDER BY customer_id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("page owners: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var rec kyc.OwnersRecord
		var data string
		var sc sql.NullString
		if err := rows.Scan(&rec.CustomerID, &data, &sc); err != nil {
			return nil, fmt.Errorf("read owners: %w", err)
		}
		if err := json.Unmarshal([]byte(data), &rec.Owners); err != nil {
			return nil, fmt.Errorf("decode owners of %s: %w", rec.CustomerID, err)
		}
		if sc.Valid {
			rec.Screening = &kyc.OwnerScreening{}
			if err := json.Unmarshal([]byte(sc.String), rec.Screening); err != nil {
				return nil, fmt.Errorf("decode owner screening of %s: %w", rec.CustomerID, err)
			}
		}
		out = append(out, rec)
	}
	return out, rows.Err()
}

var _ kyc.OwnerScreeningStore = (*DB)(nil)

// CustomerSalt implements kyc.SaltStore: it returns the customer's salt,
// creating one on first use (concurrent first uses agree on one).
func (db *DB) CustomerSalt(ctx context.Context, customerID string) (salt []byte, err error) {
	defer db.track("customers.salt", time.Now(), &err)
	var hexSalt string
	err = db.read.QueryRowContext(ctx, `SELECT salt FROM customer_salts WHERE customer_id = $1`, customerID).Scan(&hexSalt)
	if errors.Is(err, sql.ErrNoRows) {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		if _, err := db.write.ExecContext(ctx, `INSERT INTO customer_salts (customer_id, salt) VALUES ($1, $2) ON CONFLICT (customer_id) DO NOTHING`,
			customerID, hex.EncodeToString(b)); err != nil {
			return nil, fmt.Errorf("create customer salt: %w", err)
		}
		err = db.write.QueryRowContext(ctx, `SELECT salt FROM customer_salts WHERE customer_id = $1`, customerID).Scan(&hexSalt)
	}
	if err != nil {
		return nil, fmt.Errorf("read customer salt: %w", err)
	}
	return hex.DecodeString(hexSalt)
}

var _ kyc.SaltStore = (*DB)(nil)

// EraseCustomer implements kyc.EraseStore: every version, document and the
// ownership record are overwritten with their redacted forms, the owner
// screening is dropped and the salt deleted, in one transaction.
func (db *DB) EraseCustomer(ctx context.Context, r kyc.Redaction) (err error) {
	defer db.track("customers.erase", time.Now(), &err)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, c := range r.Versions {
			data, err := json.Marshal(storedCustomer{c.CustomerData, c.Screening, c.Erased})
			if err != nil {
				return fmt.Errorf("encode customer: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customer_versions SET data = $1 WHERE id = $2 AND version = $3`, string(data), r.CustomerID, c.Version); err != nil {
				return fmt.Errorf("redact customer version %d: %w", c.Version, err)
			}
		}
		for _, d := range r.Documents {
			data, err := json.Marshal(d)
			if err != nil {
				return fmt.Errorf("encode document: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE documents SET data = $1 WHERE id = $2 AND customer_id = $3`, string(data), d.ID, r.CustomerID); err != nil {
				return fmt.Errorf("redact document %s: %w", d.ID, err)
			}
		}
		if r.Owners != nil {
			data, err := json.Marshal(r.Owners)
			if err != nil {
				return fmt.Errorf("encode owners: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customer_owners SET data = $1, screening = NULL WHERE customer_id = $2`, string(data), r.CustomerID); err != nil {
				return fmt.Errorf("redact owners: %w", err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM customer_salts WHERE customer_id = $1`, r.CustomerID); err != nil {
			return fmt.Errorf("delete customer salt: %w", err)
		}
		return nil
	})
}

var _ kyc.EraseStore = (*DB)(nil)
