package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc"
)

// storedCustomer is the JSON kept per customer version.
type storedCustomer struct {
	kyc.CustomerData
	Screening *kyc.ScreeningSummary `json:"screening,omitempty"`
	Erased    *kyc.Erasure          `json:"erased,omitempty"`
}

// PutCustomer implements kyc.CustomerStore.
func (db *DB) PutCustomer(ctx context.Context, c *kyc.Customer) (err error) {
	defer db.track("customers.put", time.Now(), &err)
	data, err := json.Marshal(storedCustomer{c.CustomerData, c.Screening, c.Erased})
	if err != nil {
		return fmt.Errorf("encode customer: %w", err)
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		var latest sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(version) FROM customer_versions WHERE id = $1`, c.ID).Scan(&latest); err != nil {
			return fmt.Errorf("read customer version: %w", err)
		}
		if int64(c.Version) != latest.Int64+1 {
			return warden.Errorf(warden.ECONFLICT, "customer %s changed meanwhile (now at version %d): retry", c.ID, latest.Int64)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO customer_versions (id, version, data, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5)`,
			c.ID, c.Version, string(data), micros(c.UpdatedAt), c.UpdatedBy)
		if err != nil {
			return fmt.Errorf("store customer: %w", err)
		}
		return nil
	})
	if err != nil && db.dialect.IsUniqueViolation(err) {
		return warden.Errorf(warden.ECONFLICT, "customer %s changed meanwhile: retry", c.ID)
	}
	return err
}

func scanCustomers(rows *sql.Rows) ([]*kyc.Customer, error) {
	defer rows.Close()
	var out []*kyc.Customer
	for rows.Next() {
		var c kyc.Customer
		var data string
		var at int64
		if err := rows.Scan(&c.ID, &c.Version, &data, &at, &c.UpdatedBy); err != nil {
			return nil, fmt.Errorf("read customer: %w", err)
		}
		var sc storedCustomer
		if err := json.Unmarshal([]byte(data), &sc); err != nil {
			return nil, fmt.Errorf("decode customer %s: %w", c.ID, err)
		}
		c.CustomerData, c.Screening, c.Erased = sc.CustomerData, sc.Screening, sc.Erased
		c.UpdatedAt = fromMicros(at)
		out = append(out, &c)
	}
	return out, rows.Err()
}

// Customer implements kyc.CustomerStore.
func (db *DB) Customer(ctx context.Context, id string) (c *kyc.Customer, err error) {
	defer db.track("customers.get", time.Now(), &err)
	// Prepared once: monitoring reads customers on its hot path.
	st, err := db.prepared(ctx, db.read, `SELECT id, version, data, updated_at, updated_by FROM customer_versions
		WHERE id = $1 ORDER BY version DESC LIMIT 1`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("read customer: %w", err)
	}
	cs, err := scanCustomers(rows)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "id", "customer %s not found", id)
	}
	return cs[0], nil
}

// CustomerVersions implements kyc.CustomerStore.
func (db *DB) CustomerVersions(ctx context.Context, id string) (cs []*kyc.Customer, err error) {
	defer db.track("customers.versions", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT id, version, data, updated_at, updated_by FROM customer_versions
		WHERE id = $1 ORDER BY version`, id)
	if err != nil {
		return nil, fmt.Errorf("read customer versions: %w", err)
	}
	return scanCustomers(rows)
}

var _ kyc.CustomerStore = (*DB)(nil)

// CustomersAfter implements kyc.CustomerLister.
func (db *DB) CustomersAfter(ctx context.Context, after string, limit int) (cs []*kyc.Customer, err error) {
	defer db.track("customers.page", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT v.id, v.version, v.data, v.updated_at, v.updated_by FROM customer_versions v
		WHERE v.id > $1 AND v.version = (SELECT MAX(w.version) FROM customer_versions w WHERE w.id = v.id)
		ORDER BY v.id LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("page customers: %w", err)
	}
	return scanCustomers(rows)
}

var _ kyc.CustomerLister = (*DB)(nil)

// ImportCustomers stores many new customers at once, in batches of 500 rows
// per statement and 10,000 per transaction: for migrating a customer base
// from another system and for seeding benchmarks. Each customer must be new
// (version 1); an existing id fails the batch with ECONFLICT. Nothing is
// audited here: the caller records the import.
func (db *DB) ImportCustomers(ctx context.Context, cs []*kyc.Customer) (err error) {
	defer db.track("customers.import", time.Now(), &err)
	const perStmt, perTx = 500, 10000
	for start := 0; start < len(cs); start += perTx {
		txEnd := min(start+perTx, len(cs))
		err := db.inTx(ctx, func(tx *sql.Tx) error {
			for i := start; i < txEnd; i += perStmt {
				batch := cs[i:min(i+perStmt, txEnd)]
				q := make([]byte, 0, 80+len(batch)*30)
				q = append(q, "INSERT INTO customer_versions (id, version, data, updated_at, updated_by) VALUES "...)
				args := make([]any, 0, len(batch)*5)
				for j, c := range batch {
					if c.Version != 1 {
						return warden.Errorf(warden.EINVALID, "import customer %s: version must be 1", c.ID)
					}
					data, err := json.Marshal(storedCustomer{c.CustomerData, c.Screening, c.Erased})
					if err != nil {
						return fmt.Errorf("encode customer %s: %w", c.ID, err)
					}
					if j > 0 {
						q = append(q, ',')
					}
					n := len(args)
					q = fmt.Appendf(q, "($%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5)
					args = append(args, c.ID, 1, string(data), micros(c.UpdatedAt), c.UpdatedBy)
				}
				if _, err := tx.ExecContext(ctx, string(q), args...); err != nil {
					if db.dialect.IsUniqueViolation(err) {
						return warden.Errorf(warden.ECONFLICT, "import: a customer in the batch starting at %s exists already", batch[0].ID)
					}
					return fmt.Errorf("import customers: %w", err)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}
