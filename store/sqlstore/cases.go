package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

func caseRow(c *cases.Case) ([]any, error) {
	data, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("encode case: %w", err)
	}
	return []any{c.CustomerID, c.Status, c.Assignee, nullMicros(c.NextDeadline()), c.Version, micros(c.UpdatedAt), string(data)}, nil
}

// CreateCase implements cases.CaseStore.
func (db *DB) CreateCase(ctx context.Context, c *cases.Case) (err error) {
	defer db.track("cases.create", time.Now(), &err)
	row, err := caseRow(c)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO cases (id, customer_id, status, assignee, next_due, version, updated_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			append([]any{c.ID}, row...)...); err != nil {
			return fmt.Errorf("store case: %w", err)
		}
		for _, id := range c.AlertIDs {
			res, err := tx.ExecContext(ctx, `UPDATE alerts SET case_id = $1 WHERE id = $2 AND case_id IS NULL`, c.ID, id)
			if err != nil {
				return fmt.Errorf("link alert %s: %w", id, err)
			}
			if n, _ := res.RowsAffected(); n != 1 {
				return warden.FieldErrorf(warden.ECONFLICT, "alert_ids", "alert %s is missing or already in a case", id)
			}
		}
		return nil
	})
}

// UpdateCase implements cases.CaseStore.
func (db *DB) UpdateCase(ctx context.Context, c *cases.Case) (err error) {
	defer db.track("cases.update", time.Now(), &err)
	row, err := caseRow(c)
	if err != nil {
		return err
	}
	// A transaction for one statement: the audit records staged on ctx
	// commit with the update (see outbox.go).
	return db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE cases SET customer_id = $1, status = $2, assignee = $3, next_due = $4, version = $5, updated_at = $6, data = $7
		WHERE id = $8 AND version = $9`, append(row, c.ID, c.Version-1)...)
		if err != nil {
			return fmt.Errorf("update case: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return warden.FieldErrorf(warden.ECONFLICT, "id", "case %s changed meanwhile: reload and retry", c.ID)
		}
		return nil
	})
}

func scanCases(rows *sql.Rows) ([]*cases.Case, error) { return scanJSON[cases.Case](rows, "case") }

// Case implements cases.CaseStore.
func (db *DB) Case(ctx context.Context, id string) (c *cases.Case, err error) {
	defer db.track("cases.get", time.Now(), &err)
	return getJSON[cases.Case](ctx, db, "cases", "case", id)
}

// Cases implements cases.CaseStore.
func (db *DB) Cases(ctx context.Context, f cases.CaseFilter) (cs []*cases.Case, err error) {
	defer db.track("cases.list", time.Now(), &err)
	var w filter
	w.addIf(f.CustomerID != "", "customer_id = $%d", f.CustomerID)
	w.addIf(f.Status != "", "status = $%d", f.Status)
	w.addIf(f.Assignee != "", "assignee = $%d", f.Assignee)
	w.addIf(!f.DueBefore.IsZero(), "next_due < $%d", micros(f.DueBefore))
	w.addIf(f.After != "", "id > $%d", f.After)
	q, args := w.query(`SELECT data FROM cases`, "id", f.Limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	return scanCases(rows)
}

// PutAttachment implements cases.CaseStore.
func (db *DB) PutAttachment(ctx context.Context, caseID string, a cases.Attachment, content []byte) (err error) {
	defer db.track("cases.attach", time.Now(), &err)
	meta, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode attachment: %w", err)
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO case_attachments (id, case_id, meta, content) VALUES ($1, $2, $3, $4)`, a.ID, caseID, string(meta), content); err != nil {
		return fmt.Errorf("store attachment: %w", err)
	}
	return nil
}

// AttachmentContent implements cases.CaseStore.
func (db *DB) AttachmentContent(ctx context.Context, caseID, id string) (a *cases.Attachment, content []byte, err error) {
	defer db.track("cases.attachment", time.Now(), &err)
	var meta string
	err = db.read.QueryRowContext(ctx, `SELECT meta, content FROM case_attachments WHERE id = $1 AND case_id = $2`, id, caseID).Scan(&meta, &content)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, warden.FieldErrorf(warden.ENOTFOUND, "attachment_id", "attachment %s not found in case %s", id, caseID)
	} else if err != nil {
		return nil, nil, fmt.Errorf("read attachment: %w", err)
	}
	a = &cases.Attachment{}
	if err := json.Unmarshal([]byte(meta), a); err != nil {
		return nil, nil, fmt.Errorf("decode attachment: %w", err)
	}
	return a, content, nil
}

var _ cases.CaseStore = (*DB)(nil)
