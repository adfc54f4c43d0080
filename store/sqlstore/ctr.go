package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/reporting/ctr"
)

// PutReports implements ctr.Store.
func (db *DB) PutReports(ctx context.Context, day string, rs []*ctr.Report, at time.Time) (stored int, err error) {
	defer db.track("ctr.put", time.Now(), &err)
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		stored = 0
		for _, r := range rs {
			data, err := json.Marshal(r)
			if err != nil {
				return fmt.Errorf("encode report: %w", err)
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO ctr_reports (id, business_day, person_id, status, data) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (id) DO UPDATE SET data = excluded.data WHERE ctr_reports.status = $6`, r.ID, day, r.PersonID, r.Status, string(data), ctr.StatusPending)
			if err != nil {
				return fmt.Errorf("store report: %w", err)
			}
			if n, _ := res.RowsAffected(); n > 0 {
				stored++
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ctr_closes (business_day, closed_at, reports) VALUES ($1, $2, $3)
			ON CONFLICT (business_day) DO UPDATE SET closed_at = excluded.closed_at, reports = excluded.reports`, day, micros(at), len(rs))
		if err != nil {
			return fmt.Errorf("record close: %w", err)
		}
		return nil
	})
	return stored, err
}

func scanReports(rows *sql.Rows) ([]*ctr.Report, error) { return scanJSON[ctr.Report](rows, "report") }

// Reports implements ctr.Store.
func (db *DB) Reports(ctx context.Context, day, status string) (rs []*ctr.Report, err error) {
	defer db.track("ctr.list", time.Now(), &err)
	q, args := `SELECT data FROM ctr_reports WHERE business_day = $1`, []any{day}
	if status != "" {
		q += ` AND status = $2`
		args = append(args, status)
	}
	rows, err := db.read.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return scanReports(rows)
}

// ReportsBetween implements ctr.Store. Days are ISO dates, so they order
// as text.
func (db *DB) ReportsBetween(ctx context.Context, from, to string) (rs []*ctr.Report, err error) {
	defer db.track("ctr.list", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT data FROM ctr_reports WHERE business_day >= $1 AND business_day <= $2
		ORDER BY business_day, id`, from, to)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	return scanReports(rows)
}

// Report implements ctr.Store.
func (db *DB) Report(ctx context.Context, id string) (r *ctr.Report, err error) {
	defer db.track("ctr.get", time.Now(), &err)
	return getJSON[ctr.Report](ctx, db, "ctr_reports", "report", id)
}

// SetReportStatus implements ctr.Store.
func (db *DB) SetReportStatus(ctx context.Context, id, from, to, by string) (err error) {
	return db.SetReportsStatus(ctx, []string{id}, from, to, by)
}

// SetReportsStatus implements ctr.Store.
func (db *DB) SetReportsStatus(ctx context.Context, ids []string, from, to, by string) (err error) {
	defer db.track("ctr.status", time.Now(), &err)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if err := setReportStatus(ctx, tx, id, from, to, by); err != nil {
				return err
			}
		}
		return nil
	})
}

func setReportStatus(ctx context.Context, tx *sql.Tx, id, from, to, by string) error {
	var data, status string
	err := tx.QueryRowContext(ctx, `SELECT data, status FROM ctr_reports WHERE id = $1`, id).Scan(&data, &status)
	if errors.Is(err, sql.ErrNoRows) {
		return warden.FieldErrorf(warden.ENOTFOUND, "id", "report %s not found", id)
	} else if err != nil {
		return fmt.Errorf("read report: %w", err)
	}
	if status != from {
		return warden.FieldErrorf(warden.ECONFLICT, "status", "report %s is %s, not %s", id, status, from)
	}
	var r ctr.Report
	if err := json.Unmarshal([]byte(data), &r); err != nil {
		return fmt.Errorf("decode report: %w", err)
	}
	// The approver stays on record once the report is exported (four
	// eyes): the exporter has a field of their own.
	r.Status = to
	if to == ctr.StatusExported {
		r.ExportedBy = by
	} else {
		r.ReviewedBy = by
	}
	b, _ := json.Marshal(r)
	_, err = tx.ExecContext(ctx, `UPDATE ctr_reports SET status = $1, data = $2 WHERE id = $3`, to, string(b), id)
	return err
}

// Closed implements ctr.Store.
func (db *DB) Closed(ctx context.Context, day string) (ok bool, err error) {
	defer db.track("ctr.closed", time.Now(), &err)
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM ctr_closes WHERE business_day = $1`, day).Scan(&n); err != nil {
		return false, fmt.Errorf("read close: %w", err)
	}
	return n > 0, nil
}

// AcquireLease implements ctr.Store (and any scheduled job's lease): the
// row is taken when free, expired or already ours, in one statement.
func (db *DB) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (ok bool, err error) {
	defer db.track("leases.acquire", time.Now(), &err)
	res, err := db.write.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.expires_at < $4 OR leases.holder = excluded.holder`, name, holder, micros(now.Add(ttl)), micros(now))
	if err != nil {
		return false, fmt.Errorf("acquire lease %s: %w", name, err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

var _ ctr.Store = (*DB)(nil)
