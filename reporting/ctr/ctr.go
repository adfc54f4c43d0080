// Package ctr assembles currency transaction reports: at each business-day
// close it aggregates cash in and cash out per person across accounts and
// branches and reports every person over the threshold (31 CFR 1010.311:
// more than $10,000 in either direction in one business day). It owns the
// Store interface that store/sqlite and store/postgres implement.
package ctr

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/money"
	"github.com/wardenhq/warden/monitoring"
)

// Report statuses.
const (
	StatusPending  = "pending_review"
	StatusApproved = "approved"
	StatusExported = "exported"
)

// DefaultThreshold is $10,000.00: a CTR is due above it.
const DefaultThreshold int64 = 1000000

// OnBehalfOfKey is the transaction metadata key naming the customer a
// transaction was conducted for (a deposit by an employee for the owner):
// it counts towards that person, and the conductor is listed on the CTR.
const OnBehalfOfKey = "on_behalf_of"

// Calendar decides business days.
type Calendar struct {
	Location *time.Location
	// Cutoff is the time of day (since midnight, local) after which a
	// transaction belongs to the next business day.
	Cutoff time.Duration
	// Holidays are YYYY-MM-DD dates that are not business days.
	Holidays map[string]bool
}

// BusinessDay returns the business day (YYYY-MM-DD) a transaction at t
// belongs to: its local date, or the next one after the cut-off, moved past
// weekends and holidays.
func (c Calendar) BusinessDay(t time.Time) string {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	l := t.In(loc)
	day := time.Date(l.Year(), l.Month(), l.Day(), 0, 0, 0, 0, loc)
	if c.Cutoff > 0 && l.Sub(day) >= c.Cutoff {
		day = day.AddDate(0, 0, 1)
	}
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday || c.Holidays[day.Format(time.DateOnly)] {
		day = day.AddDate(0, 0, 1)
	}
	return day.Format(time.DateOnly)
}

// ClosesAt is when business day day ends: its cut-off (or midnight).
func (c Calendar) ClosesAt(day string) (time.Time, error) {
	loc := c.Location
	if loc == nil {
		loc = time.UTC
	}
	d, err := time.ParseInLocation(time.DateOnly, day, loc)
	if err != nil {
		return time.Time{}, warden.FieldErrorf(warden.EINVALID, "date", "date must be YYYY-MM-DD")
	}
	if c.Cutoff > 0 {
		return d.Add(c.Cutoff).UTC(), nil
	}
	return d.AddDate(0, 0, 1).UTC(), nil
}

// Rates convert currencies to US dollars: USD per one unit of the currency
// (a decimal string such as "0.0077" for KES), exact.
type Rates map[string]*big.Rat

// ParseRates reads a configuration's rate table.
func ParseRates(m map[string]string) (Rates, error) {
	out := Rates{"USD": big.NewRat(1, 1)}
	for cur, v := range m {
		if _, err := money.ParseCurrency(cur); err != nil {
			return nil, fmt.Errorf("rate %s: %w", cur, err)
		}
		r, ok := new(big.Rat).SetString(v)
		if !ok || r.Sign() <= 0 {
			return nil, fmt.Errorf("rate %s: %q is not a positive decimal", cur, v)
		}
		out[cur] = r
	}
	return out, nil
}

// USDCents converts minor units of cur to US cents, rounding down (a
// fraction of a cent never tips a total over the threshold).
func (r Rates) USDCents(amount int64, cur string) (int64, bool) {
	rate, ok := r[cur]
	if !ok {
		return 0, false
	}
	digits := money.Currency(cur).MinorDigits()
	v := new(big.Rat).Mul(new(big.Rat).SetInt64(amount), rate)
	// minor units of cur -> major units -> cents
	scale := new(big.Rat).SetFrac(big.NewInt(100), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil))
	v.Mul(v, scale)
	return new(big.Int).Quo(v.Num(), v.Denom()).Int64(), true
}

// Item is one cash transaction on a report.
type Item struct {
	TransactionID string    `json:"transaction_id"`
	Time          time.Time `json:"time"`
	ConductedBy   string    `json:"conducted_by"`
	AccountID     string    `json:"account_id"`
	Branch        string    `json:"branch,omitempty"`
	Direction     string    `json:"direction"`
	Amount        int64     `json:"amount"`
	Currency      string    `json:"currency"`
	USDCents      int64     `json:"usd_cents"`
}

// Report is one person's CTR for one business day.
type Report struct {
	ID          string    `json:"id"`
	BusinessDay string    `json:"business_day"`
	PersonID    string    `json:"person_id"`
	CashIn      int64     `json:"cash_in_usd_cents"`
	CashOut     int64     `json:"cash_out_usd_cents"`
	Conductors  []string  `json:"conductors"`
	Items       []Item    `json:"items"`
	Status      string    `json:"status"`
	CreatedAt   time.Time `json:"created_at"`
	// ReviewedBy approved the report; ExportedBy exported it for filing.
	ReviewedBy string `json:"reviewed_by,omitempty"`
	ExportedBy string `json:"exported_by,omitempty"`
	// DueBy is 15 calendar days after the business day (31 CFR 1010.306).
	DueBy string `json:"due_by"`
}

// ReportID is deterministic per person and day, so a close run twice (or
// by two replicas) makes no duplicate.
func ReportID(day, person string) string {
	h := sha256.Sum256([]byte(day + "\x00" + person))
	return "ctr_" + day[:4] + day[5:7] + day[8:] + "_" + hex.EncodeToString(h[:6])
}

// Store keeps reports, closes and the lease.
type Store interface {
	// PutReports stores reports of a day; a report still pending review is
	// replaced, one approved or exported is kept. Records the close.
	PutReports(ctx context.Context, day string, rs []*Report, at time.Time) (stored int, err error)
	Reports(ctx context.Context, day, status string) ([]*Report, error)
	// ReportsBetween lists the reports of the business days from through
	// to (YYYY-MM-DD, both included), by day.
	ReportsBetween(ctx context.Context, from, to string) ([]*Report, error)
	Report(ctx context.Context, id string) (*Report, error)
	SetReportStatus(ctx context.Context, id, from, to, by string) error
	// SetReportsStatus moves every report of ids from one status to
	// another in one transaction: all or none (ECONFLICT if one is not in
	// from, ENOTFOUND if one does not exist).
	SetReportsStatus(ctx context.Context, ids []string, from, to, by string) error
	// Closed reports whether day was closed.
	Closed(ctx context.Context, day string) (bool, error)
	// AcquireLease takes or renews a named lease for holder until ttl from
	// now; false when another holder has it.
	AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error)
}

// Transactions pages stored transactions; *sqlstore.DB implements it.
type Transactions interface {
	TransactionsAfter(ctx context.Context, afterSeq int64, from, to time.Time, limit int) ([]*monitoring.StoredTransaction, error)
}

// Recorder is the audit log; *audit.Log implements it. Records are staged
// so that they commit with the change they describe (the audit outbox).
type Recorder interface {
	audit.Stager
}

// Service closes business days.
type Service struct {
	Store        Store
	Transactions Transactions
	Audit        Recorder
	Calendar     Calendar
	Rates        Rates
	Threshold    int64           // US cents; zero means DefaultThreshold
	Exempt       map[string]bool // exempt persons (31 CFR 1020.315)
	Now          func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// CloseResult says what a close did.
type CloseResult struct {
	BusinessDay  string   `json:"business_day"`
	Transactions int      `json:"cash_transactions"`
	Persons      int      `json:"persons"`
	Reports      int      `json:"reports"`
	Exempted     int      `json:"exempted"`
	Unconverted  []string `json:"unconverted_currencies,omitempty"`
}

// Close aggregates the cash transactions of one business day and stores a
// report for every non-exempt person over the threshold in either
// direction. Blocked transactions did not happen and are left out. A
// currency without a rate is reported in Unconverted and left out: the
// close does not guess.
func (s *Service) Close(ctx context.Context, day string) (*CloseResult, error) {
	closes, err := s.Calendar.ClosesAt(day)
	if err != nil {
		return nil, err
	}
	if s.Calendar.BusinessDay(closes.Add(-time.Second)) != day {
		return nil, warden.FieldErrorf(warden.EINVALID, "date", "%s is not a business day", day)
	}
	if closes.After(s.now()) {
		return nil, warden.FieldErrorf(warden.EINVALID, "date", "business day %s has not closed yet (closes %s)", day, closes.Format(time.RFC3339))
	}
	threshold := s.Threshold
	if threshold == 0 {
		threshold = DefaultThreshold
	}
	res := &CloseResult{BusinessDay: day}
	byPerson := map[string]*Report{}
	unconverted := map[string]bool{}
	// A business day spans at most the days since the previous one's
	// cut-off: a week covers weekends and holidays.
	from, to := closes.AddDate(0, 0, -10), closes.Add(time.Second)
	after := int64(0)
	for {
		page, err := s.Transactions.TransactionsAfter(ctx, after, from, to, 1000)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, st := range page {
			after = st.Seq
			t := &st.Transaction
			if t.Channel != "cash" || st.Decision.Action == monitoring.ActionBlock || s.Calendar.BusinessDay(t.Time) != day {
				continue
			}
			res.Transactions++
			usd, ok := s.Rates.USDCents(t.Amount, t.Currency)
			if !ok {
				unconverted[t.Currency] = true
				continue
			}
			person := t.CustomerID
			if p := t.Metadata[OnBehalfOfKey]; p != "" {
				person = p
			}
			r := byPerson[person]
			if r == nil {
				r = &Report{ID: ReportID(day, person), BusinessDay: day, PersonID: person}
				byPerson[person] = r
			}
			if t.Direction == monitoring.DirectionIn {
				r.CashIn += usd
			} else {
				r.CashOut += usd
			}
			r.Items = append(r.Items, Item{TransactionID: t.ID, Time: t.Time, ConductedBy: t.CustomerID, AccountID: t.AccountID, Branch: t.Branch,
				Direction: t.Direction, Amount: t.Amount, Currency: t.Currency, USDCents: usd})
		}
	}
	res.Persons = len(byPerson)
	dueBy, _ := time.Parse(time.DateOnly, day)
	var reports []*Report
	for _, r := range byPerson {
		if r.CashIn <= threshold && r.CashOut <= threshold {
			continue
		}
		if s.Exempt[r.PersonID] {
			res.Exempted++
			continue
		}
		seen := map[string]bool{}
		for _, it := range r.Items {
			if !seen[it.ConductedBy] {
				seen[it.ConductedBy] = true
				r.Conductors = append(r.Conductors, it.ConductedBy)
			}
		}
		sort.Strings(r.Conductors)
		sort.Slice(r.Items, func(i, j int) bool { return r.Items[i].Time.Before(r.Items[j].Time) })
		r.Status, r.CreatedAt, r.DueBy = StatusPending, s.now(), dueBy.AddDate(0, 0, 15).Format(time.DateOnly)
		reports = append(reports, r)
	}
	sort.Slice(reports, func(i, j int) bool { return reports[i].ID < reports[j].ID })
	for c := range unconverted {
		res.Unconverted = append(res.Unconverted, c)
	}
	sort.Strings(res.Unconverted)
	// The record counts the reports the store kept (reviewed ones stay), so
	// it is staged in the store's transaction once that is known.
	var pending audit.Pending
	err = audit.Atomically(ctx, s.Store, func(ctx context.Context) error {
		var err error
		if res.Reports, err = s.Store.PutReports(ctx, day, reports, s.now()); err != nil {
			return err
		}
		_, pending, err = audit.StageWith(ctx, s.Audit, audit.Record{Action: "ctr.close", Subject: audit.Subject{Type: "business_day", ID: day},
			Change: map[string]any{"result": res, "report_ids": ids(reports)}})
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := pending.Wait(ctx); err != nil {
		return nil, err
	}
	return res, nil
}

func ids(rs []*Report) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// Approve marks a pending report reviewed.
func (s *Service) Approve(ctx context.Context, id string) (*Report, error) {
	by := "unknown"
	if a, ok := warden.ActorFromContext(ctx); ok {
		by = a.String()
	}
	err := audit.Do(ctx, s.Audit, func(ctx context.Context) error {
		return s.Store.SetReportStatus(ctx, id, StatusPending, StatusApproved, by)
	}, audit.Record{Action: "ctr.approve", Subject: audit.Subject{Type: "ctr", ID: id}})
	if err != nil {
		return nil, err
	}
	return s.Store.Report(ctx, id)
}

// RunScheduled closes, once, every business day that has ended since the
// last close and is not closed yet, when this replica holds the lease.
func (s *Service) RunScheduled(ctx context.Context, holder string) (closed []string, err error) {
	now := s.now()
	ok, err := s.Store.AcquireLease(ctx, "ctr-close", holder, 5*time.Minute, now)
	if err != nil || !ok {
		return nil, err
	}
	// Look back a week for days not yet closed (a replica down over a
	// weekend catches up).
	for d := 7; d >= 0; d-- {
		day := s.Calendar.BusinessDay(now.AddDate(0, 0, -d))
		at, err := s.Calendar.ClosesAt(day)
		if err != nil || at.After(now) {
			continue
		}
		done, err := s.Store.Closed(ctx, day)
		if err != nil {
			return closed, err
		}
		if done {
			continue
		}
		if _, err := s.Close(ctx, day); err != nil {
			return closed, err
		}
		closed = append(closed, day)
	}
	return closed, nil
}
