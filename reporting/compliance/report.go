// Package compliance builds the examiner's compliance report for a period:
// alert volumes and ageing, case outcomes, SAR and CTR filings on time and
// late, screening coverage, the sanctions lists in use and the audit log's
// verification, as JSON or as one self-contained HTML page.
package compliance

import (
	"context"
	"sort"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/screening"
)

// Sources are where the report reads from.
type Sources struct {
	Alerts    cases.AlertStore
	Cases     cases.CaseStore
	CTRs      ctr.Store
	Customers CustomerLister
	// Lists returns the lists in service.
	Lists func() []screening.ListVersion
	// VerifyAudit verifies the audit log as stored.
	VerifyAudit func(ctx context.Context) (*audit.Report, error)
	Now         func() time.Time
}

// CustomerLister pages through customers; *sqlstore.DB implements it.
type CustomerLister = kyc.CustomerLister

// Count is a labelled number.
type Count struct {
	Label string `json:"label"`
	Count int    `json:"count"`
}

// Report is the compliance report.
type Report struct {
	GeneratedAt time.Time `json:"generated_at"`
	From        string    `json:"from"`
	To          string    `json:"to"`

	Alerts struct {
		Opened     int     `json:"opened"`
		BySeverity []Count `json:"by_severity"`
		ByRule     []Count `json:"by_rule"`
		BySource   []Count `json:"by_source"`
		OpenNow    int     `json:"open_now"`
		// Ageing buckets the alerts open now by age.
		Ageing []Count `json:"ageing"`
	} `json:"alerts"`

	Cases struct {
		Opened   int     `json:"opened"`
		ByStatus []Count `json:"by_status"`
	} `json:"cases"`

	Filings struct {
		SARsFiled         int `json:"sars_filed"`
		SARsOnTime        int `json:"sars_on_time"`
		SARsLate          int `json:"sars_late"`
		SARsOverdueOpen   int `json:"sars_overdue_unfiled"`
		ReviewsOverdue    int `json:"continuing_reviews_overdue"`
		CTRs              int `json:"ctrs"`
		CTRsExported      int `json:"ctrs_exported"`
		CTRsPendingReview int `json:"ctrs_pending_review"`
		CTRsPastDue       int `json:"ctrs_past_due_unexported"`
	} `json:"filings"`

	Screening struct {
		Customers   int `json:"customers"`
		Screened    int `json:"screened"`
		WithHits    int `json:"with_hits"`
		CoveragePct int `json:"coverage_percent"` // whole percent, rounded down
	} `json:"screening"`

	Lists []screening.ListVersion `json:"lists"`

	Audit struct {
		OK           bool   `json:"ok"`
		Entries      int64  `json:"entries"`
		VerifiedSize int64  `json:"verified_size"`
		Root         string `json:"root,omitempty"`
		Checkpoints  int    `json:"checkpoints_verified"`
		Failure      string `json:"failure,omitempty"`
	} `json:"audit"`
}

func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Label < out[j].Label
	})
	return out
}

// Build gathers the report for [from, to] (dates, inclusive).
func Build(ctx context.Context, src Sources, from, to string) (*Report, error) {
	f, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil, warden.FieldErrorf(warden.EINVALID, "from", "from must be a date YYYY-MM-DD")
	}
	t, err := time.Parse(time.DateOnly, to)
	if err != nil {
		return nil, warden.FieldErrorf(warden.EINVALID, "to", "to must be a date YYYY-MM-DD")
	}
	if t.Before(f) {
		return nil, warden.FieldErrorf(warden.EINVALID, "to", "to must not be before from")
	}
	if t.Sub(f) > 3*366*24*time.Hour {
		return nil, warden.FieldErrorf(warden.EINVALID, "to", "a report covers at most three years")
	}
	now := time.Now().UTC()
	if src.Now != nil {
		now = src.Now().UTC()
	}
	end := t.AddDate(0, 0, 1)
	r := &Report{GeneratedAt: now, From: from, To: to}

	// Alerts opened in the period, and the age of those open now.
	sev, rule, source := map[string]int{}, map[string]int{}, map[string]int{}
	ageing := map[string]int{"0-7 days": 0, "8-30 days": 0, "31-90 days": 0, "over 90 days": 0}
	if err := eachAlert(ctx, src.Alerts, cases.Filter{Since: f, Until: end}, func(a *cases.Alert) {
		r.Alerts.Opened++
		sev[a.Severity]++
		rule[a.RuleID]++
		source[a.Source]++
	}); err != nil {
		return nil, err
	}
	if err := eachAlert(ctx, src.Alerts, cases.Filter{Status: cases.StatusOpen}, func(a *cases.Alert) {
		r.Alerts.OpenNow++
		switch age := now.Sub(a.FirstAt); {
		case age <= 7*24*time.Hour:
			ageing["0-7 days"]++
		case age <= 30*24*time.Hour:
			ageing["8-30 days"]++
		case age <= 90*24*time.Hour:
			ageing["31-90 days"]++
		default:
			ageing["over 90 days"]++
		}
	}); err != nil {
		return nil, err
	}
	r.Alerts.BySeverity, r.Alerts.ByRule, r.Alerts.BySource = counts(sev), counts(rule), counts(source)
	for _, b := range []string{"0-7 days", "8-30 days", "31-90 days", "over 90 days"} {
		r.Alerts.Ageing = append(r.Alerts.Ageing, Count{b, ageing[b]})
	}

	// Cases opened in the period; SARs filed in it, on time or late.
	status := map[string]int{}
	after := ""
	for {
		page, err := src.Cases.Cases(ctx, cases.CaseFilter{After: after, Limit: 500})
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			after = c.ID
			if !c.OpenedAt.Before(f) && c.OpenedAt.Before(end) {
				r.Cases.Opened++
				status[c.Status]++
			}
			if c.SAR != nil && !c.SAR.FiledAt.IsZero() && !c.SAR.FiledAt.Before(f) && c.SAR.FiledAt.Before(end) {
				r.Filings.SARsFiled++
				if c.SAR.FiledAt.After(c.SARDueAt) {
					r.Filings.SARsLate++
				} else {
					r.Filings.SARsOnTime++
				}
			}
			switch c.Status {
			case cases.CaseOpen, cases.CaseInvestigating, cases.CaseEscalated:
				if c.SARDueAt.Before(now) {
					r.Filings.SARsOverdueOpen++
				}
			case cases.CaseSARFiled:
				if c.ReviewDueAt.Before(now) {
					r.Filings.ReviewsOverdue++
				}
			}
		}
	}
	r.Cases.ByStatus = counts(status)

	// CTRs of the period's business days.
	ctrs, err := src.CTRs.ReportsBetween(ctx, f.Format(time.DateOnly), t.Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	for _, rep := range ctrs {
		r.Filings.CTRs++
		switch rep.Status {
		case ctr.StatusExported:
			r.Filings.CTRsExported++
		case ctr.StatusPending:
			r.Filings.CTRsPendingReview++
		}
		if due, err := time.Parse(time.DateOnly, rep.DueBy); err == nil && rep.Status != ctr.StatusExported && now.After(due.AddDate(0, 0, 1)) {
			r.Filings.CTRsPastDue++
		}
	}

	// Screening coverage of the customers held now.
	last := ""
	for {
		page, err := src.Customers.CustomersAfter(ctx, last, 1000)
		if err != nil {
			return nil, err
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			last = c.ID
			if c.Erased != nil {
				continue
			}
			r.Screening.Customers++
			if c.Screening != nil {
				r.Screening.Screened++
				if len(c.Screening.Hits) > 0 {
					r.Screening.WithHits++
				}
			}
		}
	}
	if r.Screening.Customers > 0 {
		r.Screening.CoveragePct = r.Screening.Screened * 100 / r.Screening.Customers
	}
	if src.Lists != nil {
		r.Lists = src.Lists()
	}
	if r.Lists == nil {
		r.Lists = []screening.ListVersion{}
	}

	if src.VerifyAudit != nil {
		rep, err := src.VerifyAudit(ctx)
		if rep != nil {
			r.Audit.OK, r.Audit.Entries, r.Audit.VerifiedSize, r.Audit.Root, r.Audit.Checkpoints = rep.OK && err == nil, rep.Entries, rep.VerifiedSize, rep.VerifiedRoot, rep.Checkpoints
			r.Audit.Failure = rep.Failure
		}
		if err != nil && r.Audit.Failure == "" {
			r.Audit.Failure = err.Error()
		}
	}
	return r, nil
}

func eachAlert(ctx context.Context, st cases.AlertStore, f cases.Filter, fn func(*cases.Alert)) error {
	f.Limit = 1000
	for {
		page, err := st.Alerts(ctx, f)
		if err != nil {
			return err
		}
		for _, a := range page {
			fn(a)
		}
		if len(page) < f.Limit {
			return nil
		}
		f.After = page[len(page)-1].ID
	}
}
