package kyc

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/kyc/document"
	"github.com/wardenhq/warden/kyc/tier"
)

// Document kinds Warden accepts.
const (
	DocPassport       = "passport"         // TD3 MRZ
	DocIDCard         = "id_card"          // TD1 MRZ
	DocNationalID     = "national_id"      // Kenya national ID number
	DocSSN            = "ssn"              // US Social Security number
	DocITIN           = "itin"             // US individual taxpayer id
	DocEIN            = "ein"              // US employer id
	DocProofOfAddress = "proof_of_address" // utility bill, bank statement, ...
)

// Document statuses.
const (
	DocSubmitted = "submitted"
	DocVerified  = "verified"
	DocRejected  = "rejected"
)

// DocumentInput is a document as submitted.
type DocumentInput struct {
	Kind   string `json:"kind"`
	Number string `json:"number,omitempty"` // ids; taken from the MRZ for passports and ID cards
	MRZ    string `json:"mrz,omitempty"`    // passports and ID cards: the zone's lines
	// IssuedOn (YYYY-MM-DD) is required for a proof of address; for a
	// passport or ID card it is the printed date of issue (the MRZ has none),
	// optional, and what goAML's my-client identification needs.
	IssuedOn string `json:"issued_on,omitempty"`
}

// Document is a stored identity or address document.
type Document struct {
	ID          string             `json:"id"`
	CustomerID  string             `json:"customer_id"`
	Kind        string             `json:"kind"`
	Number      string             `json:"number,omitempty"`
	IssuedOn    string             `json:"issued_on,omitempty"`
	ExpiresOn   string             `json:"expires_on,omitempty"`
	Status      string             `json:"status"`
	Reason      string             `json:"reason,omitempty"`
	Findings    []document.Finding `json:"findings,omitempty"`
	SubmittedAt time.Time          `json:"submitted_at"`
	DecidedAt   time.Time          `json:"decided_at,omitzero"`
	DecidedBy   string             `json:"decided_by,omitempty"`
	// Expired is computed when the document is read.
	Expired bool `json:"expired"`
}

// DocumentStore keeps documents.
type DocumentStore interface {
	// PutDocument inserts a document or replaces it (status changes).
	PutDocument(ctx context.Context, d *Document) error
	// Document returns one document, or ENOTFOUND.
	Document(ctx context.Context, id string) (*Document, error)
	// CustomerDocuments returns a customer's documents, oldest first.
	CustomerDocuments(ctx context.Context, customerID string) ([]*Document, error)
}

func newDocumentID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "doc_" + hex.EncodeToString(b)
}

// SubmitDocument validates a document for a customer and stores it as
// submitted, with the discrepancies found against the customer record.
func (s *Service) SubmitDocument(ctx context.Context, customerID string, in DocumentInput) (*Document, error) {
	c, err := s.Get(ctx, customerID)
	if err != nil {
		return nil, err
	}
	if err := refuseErased(c); err != nil {
		return nil, err
	}
	now := s.now()
	d := &Document{ID: newDocumentID(), CustomerID: customerID, Kind: in.Kind, Status: DocSubmitted, SubmittedAt: now.Truncate(time.Microsecond)}
	switch in.Kind {
	case DocPassport, DocIDCard:
		if in.MRZ == "" {
			return nil, warden.FieldErrorf(warden.EINVALID, "mrz", "the machine-readable zone is required for a %s", in.Kind)
		}
		m, err := document.ParseMRZAt(in.MRZ, now)
		if err != nil {
			return nil, err
		}
		if (in.Kind == DocPassport) != (m.Format == "TD3") {
			return nil, warden.FieldErrorf(warden.EINVALID, "mrz", "a %s has a %s zone, not %s", in.Kind, map[bool]string{true: "TD3", false: "TD1"}[in.Kind == DocPassport], m.Format)
		}
		d.Number, d.ExpiresOn = m.DocumentNumber, m.Expiry.Format(time.DateOnly)
		dob, _ := time.Parse(time.DateOnly, c.DateOfBirth)
		if in.IssuedOn != "" {
			issued, err := time.Parse(time.DateOnly, in.IssuedOn)
			switch {
			case err != nil:
				return nil, warden.FieldErrorf(warden.EINVALID, "issued_on", "issued_on must be a date YYYY-MM-DD")
			case issued.After(now):
				return nil, warden.FieldErrorf(warden.EINVALID, "issued_on", "issued_on %s is in the future", in.IssuedOn)
			case !issued.Before(m.Expiry):
				return nil, warden.FieldErrorf(warden.EINVALID, "issued_on", "issued_on %s is not before the document's expiry %s", in.IssuedOn, d.ExpiresOn)
			case !dob.IsZero() && issued.Before(dob):
				return nil, warden.FieldErrorf(warden.EINVALID, "issued_on", "issued_on %s is before the holder's birth date", in.IssuedOn)
			}
			d.IssuedOn = in.IssuedOn
		}
		// The record keeps ISO alpha-2 nationality; the MRZ has ICAO alpha-3.
		d.Findings = append(d.Findings, document.CrossCheck(m, document.Person{Surname: c.Surname, GivenNames: c.GivenNames, DateOfBirth: dob,
			Nationality: document.Alpha3(c.Nationality)}, now)...)
	case DocNationalID, DocSSN, DocITIN, DocEIN:
		validate := map[string]func(string) (string, error){DocNationalID: document.ValidateKenyaNationalID,
			DocSSN: document.ValidateSSN, DocITIN: document.ValidateITIN, DocEIN: document.ValidateEIN}[in.Kind]
		if d.Number, err = validate(in.Number); err != nil {
			return nil, err
		}
	case DocProofOfAddress:
		issued, err := time.Parse(time.DateOnly, in.IssuedOn)
		if err != nil {
			return nil, warden.FieldErrorf(warden.EINVALID, "issued_on", "issued_on must be a date YYYY-MM-DD")
		}
		if err := document.ValidateProofOfAddress(issued, now, s.ProofOfAddressMaxAge); err != nil {
			return nil, err
		}
		d.IssuedOn = in.IssuedOn
	default:
		return nil, warden.FieldErrorf(warden.EINVALID, "kind", "kind must be one of passport, id_card, national_id, ssn, itin, ein, proof_of_address")
	}
	if err := s.putDocument(ctx, "document.submit", d); err != nil {
		return nil, err
	}
	d.Expired = expired(d, now)
	return d, nil
}

func expired(d *Document, now time.Time) bool {
	if d.ExpiresOn == "" {
		return false
	}
	exp, err := time.Parse(time.DateOnly, d.ExpiresOn)
	return err == nil && now.After(exp.Add(24*time.Hour))
}

// putDocument stores a document with its audit record (one transaction,
// the audit outbox); the number is recorded only as a keyed hash under the
// customer's salt (see privacy.go).
func (s *Service) putDocument(ctx context.Context, action string, d *Document) error {
	var recs []audit.Record
	if s.Audit != nil {
		commit, err := s.committer(ctx, d.CustomerID)
		if err != nil {
			return err
		}
		recs = append(recs, audit.Record{Action: action, Subject: audit.Subject{Type: "document", ID: d.ID},
			Change: map[string]any{"customer_id": d.CustomerID, "kind": d.Kind, "number": commit.Hash("documents."+d.ID+".number", d.Number),
				"status": d.Status, "reason": d.Reason, "findings": len(d.Findings)}})
	}
	return audit.Do(ctx, s.Audit, func(ctx context.Context) error { return s.Documents.PutDocument(ctx, d) }, recs...)
}

// DecideDocument verifies or rejects a submitted document (analysts).
func (s *Service) DecideDocument(ctx context.Context, id string, verify bool, reason string) (*Document, error) {
	d, err := s.Documents.Document(ctx, id)
	if err != nil {
		return nil, err
	}
	if d.Status != DocSubmitted {
		return nil, warden.Errorf(warden.ECONFLICT, "document %s is already %s", id, d.Status)
	}
	reason = strings.TrimSpace(reason)
	now := s.now()
	switch {
	case !verify && len(reason) < 5:
		return nil, warden.FieldErrorf(warden.EINVALID, "reason", "a reason of at least 5 characters is required to reject")
	case len(reason) > 1000:
		return nil, warden.FieldErrorf(warden.EINVALID, "reason", "reason must be at most 1000 characters")
	case verify && expired(d, now):
		return nil, warden.Errorf(warden.ECONFLICT, "document %s expired on %s and cannot be verified", id, d.ExpiresOn)
	}
	d.Status, d.Reason, d.DecidedAt = DocVerified, reason, now.Truncate(time.Microsecond)
	if !verify {
		d.Status = DocRejected
	}
	if a, ok := warden.ActorFromContext(ctx); ok {
		d.DecidedBy = a.String()
	}
	if err := s.putDocument(ctx, "document."+map[bool]string{true: "verify", false: "reject"}[verify], d); err != nil {
		return nil, err
	}
	d.Expired = expired(d, now)
	return d, nil
}

// CustomerDocuments lists a customer's documents with their expiry flags.
func (s *Service) CustomerDocuments(ctx context.Context, customerID string) ([]*Document, error) {
	if _, err := s.Get(ctx, customerID); err != nil {
		return nil, err
	}
	ds, err := s.Documents.CustomerDocuments(ctx, customerID)
	now := s.now()
	for _, d := range ds {
		d.Expired = expired(d, now)
	}
	if ds == nil {
		ds = []*Document{}
	}
	return ds, err
}

// tierKinds maps verified, unexpired documents to the kinds tier profiles name.
var tierKinds = map[string]tier.DocumentKind{DocPassport: tier.Passport, DocIDCard: tier.NationalID, DocNationalID: tier.NationalID,
	DocSSN: tier.SSN, DocITIN: tier.ITIN, DocEIN: tier.EIN, DocProofOfAddress: tier.ProofOfAddress}

// Tier places the customer in the service's tier profile from its verified,
// unexpired documents (and its phone number); nil without a profile.
func (s *Service) Tier(ctx context.Context, c *Customer) (*tier.Placement, error) {
	if s.Profile == nil || s.Documents == nil {
		return nil, nil
	}
	ds, err := s.Documents.CustomerDocuments(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	var kinds []tier.DocumentKind
	if c.Phone != "" {
		kinds = append(kinds, tier.Phone)
	}
	now := s.now()
	for _, d := range ds {
		if d.Status == DocVerified && !expired(d, now) {
			kinds = append(kinds, tierKinds[d.Kind])
		}
	}
	p := tier.Compute(s.Profile, kinds)
	return &p, nil
}
