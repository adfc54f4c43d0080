package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

// lockAlertBase is xored with a hash of customer and rule so that replicas
// raising the same alert take turns while different alerts proceed at once.
const lockAlertBase int64 = 0x57617264_0003 << 16

func alertLockKey(customer, rule string) int64 {
	h := fnv.New64a()
	h.Write([]byte(customer + "\x00" + rule))
	return lockAlertBase ^ int64(h.Sum64()&0xffff_ffff)
}

const alertColumns = `id, customer_id, source, rule_id, rule_version, severity, status, first_at, last_at, hits, evidence, case_id, closed_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanAlert(r rowScanner) (*cases.Alert, error) {
	var a cases.Alert
	var first, last int64
	var ev string
	var caseID sql.NullString
	var closed sql.NullInt64
	if err := r.Scan(&a.ID, &a.CustomerID, &a.Source, &a.RuleID, &a.RuleVersion, &a.Severity, &a.Status, &first, &last, &a.Hits, &ev, &caseID, &closed); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ev), &a.Evidence); err != nil {
		return nil, fmt.Errorf("decode alert %s evidence: %w", a.ID, err)
	}
	a.FirstAt, a.LastAt, a.CaseID, a.ClosedAt = fromMicros(first), fromMicros(last), caseID.String, fromNullMicros(closed)
	return &a, nil
}

// RaiseAlert implements cases.AlertStore.
func (db *DB) RaiseAlert(ctx context.Context, r cases.Raise, newID string) (a *cases.Alert, created bool, err error) {
	as, cs, err := db.RaiseAlerts(ctx, []cases.Raise{r}, []string{newID})
	if err != nil {
		return nil, false, err
	}
	return as[0], cs[0], nil
}

// The statements a raise runs, prepared once per store: the alerter raises
// every review and block decision's alerts, and parsing them each time was
// most of its cost on SQLite.
const (
	selectOpenAlert = `SELECT ` + alertColumns + ` FROM alerts WHERE customer_id = $1 AND rule_id = $2 AND status = 'open'
		ORDER BY last_at DESC LIMIT 1`
	selectOpenAlertSince = `SELECT ` + alertColumns + ` FROM alerts WHERE customer_id = $1 AND rule_id = $2 AND status = 'open'
		AND last_at >= $3 ORDER BY last_at DESC LIMIT 1`
	insertAlert = `INSERT INTO alerts (` + alertColumns + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, NULL)`
	extendAlert = `UPDATE alerts SET hits = $1, last_at = $2, severity = $3, rule_version = $4, evidence = $5 WHERE id = $6`
)

// raiseStmts are the raise statements bound to one transaction.
type raiseStmts struct{ open, openSince, insert, extend *sql.Stmt }

// RaiseAlerts implements cases.AlertStore: every raise in one transaction.
func (db *DB) RaiseAlerts(ctx context.Context, rs []cases.Raise, newIDs []string) (as []*cases.Alert, created []bool, err error) {
	defer db.track("alerts.raise", time.Now(), &err)
	// Prepared before the transaction: SQLite's write pool has one
	// connection, which the transaction then holds.
	var prep [4]*sql.Stmt
	for i, q := range []string{selectOpenAlert, selectOpenAlertSince, insertAlert, extendAlert} {
		if prep[i], err = db.prepared(ctx, db.write, q); err != nil {
			return nil, nil, err
		}
	}
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		st := raiseStmts{tx.StmtContext(ctx, prep[0]), tx.StmtContext(ctx, prep[1]), tx.StmtContext(ctx, prep[2]), tx.StmtContext(ctx, prep[3])}
		defer func() {
			for _, s := range []*sql.Stmt{st.open, st.openSince, st.insert, st.extend} {
				s.Close()
			}
		}()
		as, created = make([]*cases.Alert, len(rs)), make([]bool, len(rs))
		for i, r := range rs {
			var err error
			if as[i], created[i], err = db.raiseInTx(ctx, tx, st, r, newIDs[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return as, created, err
}

func (db *DB) raiseInTx(ctx context.Context, tx *sql.Tx, st raiseStmts, r cases.Raise, newID string) (a *cases.Alert, created bool, err error) {
	if err := db.lock(ctx, tx, alertLockKey(r.CustomerID, r.RuleID)); err != nil {
		return nil, false, err
	}
	var row *sql.Row
	if r.Window > 0 {
		row = st.openSince.QueryRowContext(ctx, r.CustomerID, r.RuleID, micros(r.At.Add(-r.Window)))
	} else {
		row = st.open.QueryRowContext(ctx, r.CustomerID, r.RuleID)
	}
	cur, err := scanAlert(row)
	switch {
	case err == sql.ErrNoRows:
		a = &cases.Alert{ID: newID, CustomerID: r.CustomerID, Source: r.Source, RuleID: r.RuleID, RuleVersion: r.RuleVersion,
			Severity: r.Severity, Status: cases.StatusOpen, FirstAt: r.At, LastAt: r.At, Hits: 1, Evidence: []json.RawMessage{r.Evidence}}
		ev, _ := json.Marshal(a.Evidence)
		_, err = st.insert.ExecContext(ctx, a.ID, a.CustomerID, a.Source, a.RuleID, a.RuleVersion, a.Severity, a.Status,
			micros(a.FirstAt), micros(a.LastAt), a.Hits, string(ev))
		if err != nil {
			return nil, false, fmt.Errorf("open alert: %w", err)
		}
		return a, true, nil
	case err != nil:
		return nil, false, fmt.Errorf("find open alert: %w", err)
	}
	a = cur
	a.Hits++
	if r.At.After(a.LastAt) {
		a.LastAt = r.At
	}
	if higher(r.Severity, a.Severity) {
		a.Severity = r.Severity
	}
	if r.RuleVersion > a.RuleVersion {
		a.RuleVersion = r.RuleVersion
	}
	a.Evidence = append(a.Evidence, r.Evidence)
	if n := len(a.Evidence); n > cases.MaxEvidence {
		// Keep the first occurrence (why the alert opened) and the latest.
		a.Evidence = append(a.Evidence[:1], a.Evidence[n-cases.MaxEvidence+1:]...)
	}
	ev, _ := json.Marshal(a.Evidence)
	if _, err = st.extend.ExecContext(ctx, a.Hits, micros(a.LastAt), a.Severity, a.RuleVersion, string(ev), a.ID); err != nil {
		return nil, false, fmt.Errorf("extend alert: %w", err)
	}
	return a, false, nil
}

func higher(a, b string) bool { return severityRank(a) > severityRank(b) }

func severityRank(s string) int {
	switch s {
	case "low":
		return 1
	case "medium":
		return 2
	case "high":
		return 3
	case "critical":
		return 4
	}
	return 0
}

// Alert implements cases.AlertStore.
func (db *DB) Alert(ctx context.Context, id string) (a *cases.Alert, err error) {
	defer db.track("alerts.get", time.Now(), &err)
	a, err = scanAlert(db.read.QueryRowContext(ctx, `SELECT `+alertColumns+` FROM alerts WHERE id = $1`, id))
	if err == sql.ErrNoRows {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "id", "alert %s not found", id)
	}
	if err != nil {
		return nil, fmt.Errorf("read alert: %w", err)
	}
	return a, nil
}

// Alerts implements cases.AlertStore.
func (db *DB) Alerts(ctx context.Context, f cases.Filter) (as []*cases.Alert, err error) {
	defer db.track("alerts.list", time.Now(), &err)
	var w filter
	w.addIf(f.CustomerID != "", "customer_id = $%d", f.CustomerID)
	w.addIf(f.Status != "", "status = $%d", f.Status)
	w.addIf(f.Source != "", "source = $%d", f.Source)
	w.addIf(f.RuleID != "", "rule_id = $%d", f.RuleID)
	w.addIf(f.Severity != "", "severity = $%d", f.Severity)
	w.addIf(!f.Since.IsZero(), "first_at >= $%d", micros(f.Since))
	w.addIf(!f.Until.IsZero(), "first_at < $%d", micros(f.Until))
	w.addIf(f.After != "", "id > $%d", f.After)
	q, args := w.query(`SELECT `+alertColumns+` FROM alerts`, "id", f.Limit)
	rows, err := db.read.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	as = []*cases.Alert{}
	for rows.Next() {
		a, err := scanAlert(rows)
		if err != nil {
			return nil, fmt.Errorf("read alert: %w", err)
		}
		as = append(as, a)
	}
	return as, rows.Err()
}

// AlertCounts implements cases.AlertStore.
func (db *DB) AlertCounts(ctx context.Context) (cs []cases.AlertCount, err error) {
	defer db.track("alerts.counts", time.Now(), &err)
	rows, err := db.read.QueryContext(ctx, `SELECT status, source, severity, COUNT(*) FROM alerts GROUP BY status, source, severity ORDER BY status, source, severity`)
	if err != nil {
		return nil, fmt.Errorf("count alerts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var c cases.AlertCount
		if err := rows.Scan(&c.Status, &c.Source, &c.Severity, &c.Count); err != nil {
			return nil, fmt.Errorf("read alert count: %w", err)
		}
		cs = append(cs, c)
	}
	return cs, rows.Err()
}

var _ cases.AlertStore = (*DB)(nil)
