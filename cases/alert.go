// Package cases holds what analysts work: alerts raised by monitoring and
// screening, grouped into cases, and the deadlines they run against. It owns
// the AlertStore interface that store/sqlite and store/postgres implement.
package cases

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

// Alert sources.
const (
	SourceMonitoring = "monitoring" // a transaction rule's review or block
	SourceScreening  = "screening"  // a new sanctions or PEP hit on re-screening
)

// Alert statuses.
const (
	StatusOpen   = "open"
	StatusClosed = "closed"
)

// Severities, lowest first.
var severities = []string{"low", "medium", "high", "critical"}

// ValidSeverity reports whether s is a known severity.
func ValidSeverity(s string) bool {
	for _, v := range severities {
		if s == v {
			return true
		}
	}
	return false
}

// MaxEvidence bounds the evidence kept on one alert: the first items and then
// the most recent, so a rule firing all day cannot grow a row without end.
// Hits counts every occurrence.
const MaxEvidence = 50

// Alert is one open or closed alert.
type Alert struct {
	ID          string            `json:"id"`
	CustomerID  string            `json:"customer_id"`
	Source      string            `json:"source"`
	RuleID      string            `json:"rule_id"`
	RuleVersion int               `json:"rule_version"`
	Severity    string            `json:"severity"`
	Status      string            `json:"status"`
	FirstAt     time.Time         `json:"first_at"`
	LastAt      time.Time         `json:"last_at"`
	Hits        int               `json:"hits"`
	Evidence    []json.RawMessage `json:"evidence"`
	CaseID      string            `json:"case_id,omitempty"`
	ClosedAt    time.Time         `json:"closed_at,omitzero"`
}

// Raise is one occurrence to record: a rule's decision or a screening hit.
type Raise struct {
	CustomerID  string
	Source      string
	RuleID      string
	RuleVersion int
	Severity    string
	// Window deduplicates: an open alert for the same customer and rule whose
	// last occurrence is within Window of At is extended instead of a new
	// alert opened. Zero means one open alert per customer and rule.
	Window   time.Duration
	At       time.Time
	Evidence json.RawMessage
}

// Filter selects alerts; zero fields match everything.
type Filter struct {
	CustomerID string
	Status     string
	Source     string
	RuleID     string
	Severity   string
	Since      time.Time // first_at >= Since
	Until      time.Time // first_at < Until
	After      string    // paging: ids greater than After (ids sort by time)
	Limit      int
}

// AlertStore keeps alerts.
type AlertStore interface {
	// RaiseAlert extends the matching open alert or opens a new one with the
	// given id, atomically across replicas; created says which.
	RaiseAlert(ctx context.Context, r Raise, newID string) (a *Alert, created bool, err error)
	// RaiseAlerts is RaiseAlert for many, in one store transaction.
	RaiseAlerts(ctx context.Context, rs []Raise, newIDs []string) ([]*Alert, []bool, error)
	Alert(ctx context.Context, id string) (*Alert, error)
	Alerts(ctx context.Context, f Filter) ([]*Alert, error)
	// AlertCounts counts alerts by status, source and severity.
	AlertCounts(ctx context.Context) ([]AlertCount, error)
}

// AlertCount is one group of AlertCounts.
type AlertCount struct {
	Status   string `json:"status"`
	Source   string `json:"source"`
	Severity string `json:"severity"`
	Count    int    `json:"count"`
}

// Recorder is the audit log; *audit.Log implements it. Records are staged
// so that they commit with the store write they describe (the audit
// outbox).
type Recorder interface {
	audit.Stager
}

// Alerts raises and reads alerts.
type Alerts struct {
	Store AlertStore
	Audit Recorder
	// OnRaise, when set, observes every raise (metrics).
	OnRaise func(a *Alert, created bool)
	Now     func() time.Time
}

// NewAlertID returns a new alert id. Its time prefix makes ids sort by
// creation, which paging relies on.
func NewAlertID(at time.Time) string {
	return fmt.Sprintf("alt_%012x%s", at.UnixMilli(), strings.TrimPrefix(warden.NewID(""), "_")[:8])
}

var alertIDPattern = regexp.MustCompile(`^alt_[0-9a-f]{20}$`)

// ValidAlertID checks an alert id's shape.
func ValidAlertID(id string) error {
	if !alertIDPattern.MatchString(id) {
		return warden.FieldErrorf(warden.EINVALID, "id", "alert ids look like alt_ and 20 hex digits")
	}
	return nil
}

// Raise records one occurrence and audits the opening or extension.
func (s *Alerts) Raise(ctx context.Context, r Raise) (*Alert, error) {
	as, err := s.RaiseBatch(ctx, []Raise{r})
	if err != nil {
		return nil, err
	}
	return as[0], nil
}

// RaiseBatch records many occurrences in one store transaction (monitoring
// raises its alerts in batches) and audits each.
func (s *Alerts) RaiseBatch(ctx context.Context, rs []Raise) ([]*Alert, error) {
	ids := make([]string, len(rs))
	for i := range rs {
		r := &rs[i]
		switch {
		case r.CustomerID == "":
			return nil, warden.FieldErrorf(warden.EINVALID, "customer_id", "an alert needs a customer")
		case r.Source != SourceMonitoring && r.Source != SourceScreening:
			return nil, warden.FieldErrorf(warden.EINVALID, "source", "alert source must be monitoring or screening")
		case r.RuleID == "":
			return nil, warden.FieldErrorf(warden.EINVALID, "rule_id", "an alert needs a rule")
		case !ValidSeverity(r.Severity):
			return nil, warden.FieldErrorf(warden.EINVALID, "severity", "severity must be low, medium, high or critical")
		case r.Window < 0:
			return nil, warden.FieldErrorf(warden.EINVALID, "window", "window must not be negative")
		}
		if r.At.IsZero() {
			r.At = s.now()
		}
		r.At = r.At.UTC().Truncate(time.Microsecond)
		if len(r.Evidence) == 0 {
			r.Evidence = json.RawMessage(`{}`)
		}
		ids[i] = NewAlertID(r.At)
	}
	// Whether a raise opened or extended an alert, and its hits, are known
	// only inside the store's transaction: the records are staged in it
	// before it commits (the audit outbox), one audit commit for the batch.
	var as []*Alert
	var created []bool
	var pending audit.Pending
	err := audit.Atomically(ctx, s.Store, func(ctx context.Context) error {
		var err error
		if as, created, err = s.Store.RaiseAlerts(ctx, rs, ids); err != nil {
			return err
		}
		var recs []audit.Record
		if s.Audit != nil {
			recs = make([]audit.Record, len(as))
			for i, a := range as {
				action := "alert.extend"
				if created[i] {
					action = "alert.open"
				}
				recs[i] = audit.Record{Action: action, Subject: audit.Subject{Type: "alert", ID: a.ID},
					Change: map[string]any{"customer_id": a.CustomerID, "source": a.Source, "rule_id": a.RuleID, "rule_version": a.RuleVersion,
						"severity": a.Severity, "hits": a.Hits, "evidence": rs[i].Evidence}}
			}
		}
		_, pending, err = audit.StageWith(ctx, s.Audit, recs...)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := pending.Wait(ctx); err != nil {
		return nil, err
	}
	for i, a := range as {
		if s.OnRaise != nil {
			s.OnRaise(a, created[i])
		}
	}
	return as, nil
}

// Get returns one alert.
func (s *Alerts) Get(ctx context.Context, id string) (*Alert, error) {
	if err := ValidAlertID(id); err != nil {
		return nil, err
	}
	return s.Store.Alert(ctx, id)
}

// List returns alerts matching f, oldest first, at most f.Limit (default 100,
// at most 1000).
func (s *Alerts) List(ctx context.Context, f Filter) ([]*Alert, error) {
	switch {
	case f.Status != "" && f.Status != StatusOpen && f.Status != StatusClosed:
		return nil, warden.FieldErrorf(warden.EINVALID, "status", "status must be open or closed")
	case f.Source != "" && f.Source != SourceMonitoring && f.Source != SourceScreening:
		return nil, warden.FieldErrorf(warden.EINVALID, "source", "source must be monitoring or screening")
	case f.Severity != "" && !ValidSeverity(f.Severity):
		return nil, warden.FieldErrorf(warden.EINVALID, "severity", "severity must be low, medium, high or critical")
	case f.Limit < 0 || f.Limit > 1000:
		return nil, warden.FieldErrorf(warden.EINVALID, "limit", "limit must be between 1 and 1000")
	case f.After != "" && ValidAlertID(f.After) != nil:
		return nil, warden.FieldErrorf(warden.EINVALID, "after", "after must be an alert id")
	case !f.Since.IsZero() && !f.Until.IsZero() && !f.Until.After(f.Since):
		return nil, warden.FieldErrorf(warden.EINVALID, "until", "until must be after since")
	}
	if f.Limit == 0 {
		f.Limit = 100
	}
	return s.Store.Alerts(ctx, f)
}

func (s *Alerts) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}
