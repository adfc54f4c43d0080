package kyc

import (
	"context"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/screening"
)

// Export is everything Warden holds on a customer, for a data-subject access
// request (GDPR article 15, Kenya Data Protection Act section 26).
type Export struct {
	ExportedAt time.Time             `json:"exported_at"`
	CustomerID string                `json:"customer_id"`
	Versions   []*Customer           `json:"versions"`
	Documents  []*Document           `json:"documents"`
	Owners     *Owners               `json:"owners,omitempty"`
	Clearances []screening.Clearance `json:"screening_clearances"`
	Risk       *Risk                 `json:"risk,omitempty"`
}

// ClearanceLister lists a subject's screening clearances.
type ClearanceLister interface {
	Clearances(ctx context.Context, subject string) ([]screening.Clearance, error)
}

// Export gathers a customer's data and records that it was exported.
func (s *Service) Export(ctx context.Context, id string, clearances ClearanceLister) (*Export, error) {
	vs, err := s.Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	latest := vs[len(vs)-1]
	e := &Export{ExportedAt: s.now(), CustomerID: id, Versions: vs, Documents: []*Document{}, Clearances: []screening.Clearance{}}
	if s.Documents != nil {
		if e.Documents, err = s.CustomerDocuments(ctx, id); err != nil {
			return nil, err
		}
	}
	if s.Owners != nil {
		o, err := s.Owners.CustomerOwners(ctx, id)
		if err != nil && warden.ErrorCode(err) != warden.ENOTFOUND {
			return nil, err
		}
		e.Owners = o
	}
	if clearances != nil {
		cls, err := clearances.Clearances(ctx, id)
		if err != nil {
			return nil, err
		}
		if cls != nil {
			e.Clearances = cls
		}
	}
	if e.Risk, err = s.Risk(ctx, latest); err != nil {
		return nil, err
	}
	if s.Audit != nil {
		if _, err := s.Audit.Append(ctx, audit.Record{Action: "customer.export", Subject: audit.Subject{Type: "customer", ID: id},
			Change: map[string]any{"versions": len(vs), "documents": len(e.Documents)}}); err != nil {
			return nil, err
		}
	}
	return e, nil
}
