package kyc

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/cases"
)

// DefaultRetention is how long customer records are kept after the last
// activity or the end of the relationship: the BSA's five years (31 CFR
// 1010.430(d)), with a leap day.
const DefaultRetention = 1827 * 24 * time.Hour

// Erasure records that a customer's personal data was erased.
type Erasure struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// EraseRequest asks for erasure (GDPR article 17, Kenya DPA section 40).
type EraseRequest struct {
	Reason string `json:"reason"`
	// RelationshipEndedOn is when the customer relationship (the last
	// account) closed, YYYY-MM-DD, as the core system records it.
	RelationshipEndedOn string `json:"relationship_ended_on"`
}

// Redaction is what erasure writes over a customer's records.
type Redaction struct {
	CustomerID string
	Versions   []*Customer
	Documents  []*Document
	Owners     *Owners // nil when the customer has none
}

// EraseStore applies a redaction in one transaction and deletes the
// customer's salt, so the audit log's hashes can no longer be tested.
type EraseStore interface {
	EraseCustomer(ctx context.Context, r Redaction) error
}

// AlertLister lists alerts; *cases.Alerts implements it.
type AlertLister interface {
	List(ctx context.Context, f cases.Filter) ([]*cases.Alert, error)
}

// ErasedName stands where an erased name was.
const ErasedName = "[erased]"

func (s *Service) retention() time.Duration {
	if s.Retention > 0 {
		return s.Retention
	}
	return DefaultRetention
}

// refuseErased stops changes to an erased customer.
func refuseErased(c *Customer) error {
	if c != nil && c.Erased != nil {
		return warden.FieldErrorf(warden.ECONFLICT, "id", "customer %s was erased on %s and cannot change", c.ID, c.Erased.At.Format(time.DateOnly))
	}
	return nil
}

// Erase redacts a customer's personal fields in every version, document and
// ownership record once the legal retention has passed, and refuses before:
// retention runs from the later of the relationship's end and the last
// activity Warden saw (a change by the core system or an analyst, a
// document). Open alerts also block erasure: they are evidence still in use.
// The audit log is not rewritten: it never held the values in clear, only
// keyed hashes whose salt is deleted here.
func (s *Service) Erase(ctx context.Context, id string, req EraseRequest) (*Customer, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	req.Reason = strings.TrimSpace(req.Reason)
	if n := utf8.RuneCountInString(req.Reason); n < 10 || n > 2000 {
		return nil, warden.FieldErrorf(warden.EINVALID, "reason", "a reason of 10 to 2000 characters is required, such as the request's reference")
	}
	ended, err := time.Parse(time.DateOnly, req.RelationshipEndedOn)
	if err != nil {
		return nil, warden.FieldErrorf(warden.EINVALID, "relationship_ended_on", "relationship_ended_on must be a date YYYY-MM-DD")
	}
	now := s.now()
	if ended.After(now) {
		return nil, warden.FieldErrorf(warden.EINVALID, "relationship_ended_on", "relationship_ended_on must not be in the future")
	}
	eraser, ok := s.Store.(EraseStore)
	if !ok {
		return nil, fmt.Errorf("kyc: the customer store cannot erase customers")
	}
	vs, err := s.Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := refuseErased(vs[len(vs)-1]); err != nil {
		return nil, err
	}
	var docs []*Document
	if s.Documents != nil {
		if docs, err = s.Documents.CustomerDocuments(ctx, id); err != nil {
			return nil, err
		}
	}
	last := ended
	for _, v := range vs {
		if !strings.HasPrefix(v.UpdatedBy, "system:") && v.UpdatedAt.After(last) {
			last = v.UpdatedAt
		}
	}
	for _, d := range docs {
		for _, t := range []time.Time{d.SubmittedAt, d.DecidedAt} {
			if t.After(last) {
				last = t
			}
		}
	}
	if until := last.Add(s.retention()); now.Before(until) {
		return nil, warden.FieldErrorf(warden.ECONFLICT, "relationship_ended_on",
			"records must be kept until %s (%d days after the last activity on %s): erasure refused",
			until.Format(time.DateOnly), int(s.retention().Hours()/24), last.Format(time.DateOnly))
	}
	if al, ok := s.Alerts.(AlertLister); ok {
		open, err := al.List(ctx, cases.Filter{CustomerID: id, Status: cases.StatusOpen, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(open) > 0 {
			return nil, warden.FieldErrorf(warden.ECONFLICT, "id", "customer %s has open alerts (%s): close them before erasure", id, open[0].ID)
		}
	}
	by := "unknown"
	if a, ok := warden.ActorFromContext(ctx); ok {
		by = a.String()
	}
	er := &Erasure{At: now.Truncate(time.Microsecond), By: by, Reason: req.Reason}
	red := Redaction{CustomerID: id}
	for _, v := range vs {
		r := *v
		r.CustomerData = CustomerData{Type: v.Type, Country: v.Country}
		r.Screening, r.Erased = nil, er
		red.Versions = append(red.Versions, &r)
	}
	for _, d := range docs {
		r := *d
		r.Number, r.IssuedOn, r.ExpiresOn, r.Findings = "", "", "", nil
		if r.Reason != "" {
			r.Reason = "[erased]"
		}
		red.Documents = append(red.Documents, &r)
	}
	if s.Owners != nil {
		o, err := s.Owners.CustomerOwners(ctx, id)
		switch {
		case err == nil:
			r := Owners{Stakes: o.Stakes, ControlPerson: o.ControlPerson}
			for _, p := range o.Parties {
				r.Parties = append(r.Parties, OwnerParty{ID: p.ID, Kind: p.Kind, Name: ErasedName, Country: p.Country, ControlPerson: p.ControlPerson})
			}
			red.Owners = &r
		case warden.ErrorCode(err) != warden.ENOTFOUND:
			return nil, err
		}
	}
	err = audit.Do(ctx, s.Audit, func(ctx context.Context) error {
		if err := eraser.EraseCustomer(ctx, red); err != nil {
			return fmt.Errorf("erase customer %s: %w", id, err)
		}
		return nil
	}, audit.Record{Action: "customer.erase", Subject: audit.Subject{Type: "customer", ID: id},
		Change: map[string]any{"reason": req.Reason, "relationship_ended_on": req.RelationshipEndedOn, "versions": len(vs),
			"documents": len(docs), "owners": red.Owners != nil}})
	if err != nil {
		return nil, err
	}
	return red.Versions[len(red.Versions)-1], nil
}
