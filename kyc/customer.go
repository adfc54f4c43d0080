// Package kyc holds customers and what Warden knows about them: identity
// documents, KYC tiers and limits, beneficial ownership and risk. It owns
// the CustomerStore interface that store/sqlite and store/postgres implement.
package kyc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/kyc/tier"
	"github.com/wardenhq/warden/screening"
)

// Customer types.
const (
	TypeIndividual = "individual"
	TypeEntity     = "entity"
)

// Address is a postal address.
type Address struct {
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"` // ISO 3166-1 alpha-2
}

// CustomerData is what the core system sends about a customer.
type CustomerData struct {
	Type string `json:"type"`
	// Individuals.
	GivenNames  string `json:"given_names,omitempty"`
	Surname     string `json:"surname,omitempty"`
	DateOfBirth string `json:"date_of_birth,omitempty"` // YYYY-MM-DD
	Nationality string `json:"nationality,omitempty"`   // ISO alpha-2
	Occupation  string `json:"occupation,omitempty"`
	// Legal entities.
	LegalName          string `json:"legal_name,omitempty"`
	RegistrationNumber string `json:"registration_number,omitempty"`
	IncorporationDate  string `json:"incorporation_date,omitempty"` // YYYY-MM-DD
	BusinessType       string `json:"business_type,omitempty"`
	// Both.
	Country string  `json:"country,omitempty"` // residence or incorporation, ISO alpha-2
	Email   string  `json:"email,omitempty"`
	Phone   string  `json:"phone,omitempty"` // E.164
	Address Address `json:"address,omitzero"`
	// Products and Channels are what the customer uses and how they are
	// served (risk factors), as short snake_case names such as
	// international_wire or non_face_to_face.
	Products []string `json:"products,omitempty"`
	Channels []string `json:"channels,omitempty"`
}

// Customer is one stored version of a customer.
type Customer struct {
	ID        string    `json:"id"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
	CustomerData
	// Screening is the latest screening of the customer's name, redone when
	// the name, date of birth, nationality or type changes.
	Screening *ScreeningSummary `json:"screening,omitempty"`
	// Erased is set once the customer's personal data has been erased.
	Erased *Erasure `json:"erased,omitempty"`
}

// ScreeningSummary records one screening of a customer.
type ScreeningSummary struct {
	ScreenedAt   time.Time               `json:"screened_at"`
	Threshold    float64                 `json:"threshold"`
	Hits         []ScreeningHit          `json:"hits"`
	Cleared      int                     `json:"cleared,omitempty"`
	ListVersions []screening.ListVersion `json:"list_versions"`
}

// ScreeningHit is a hit as kept with the customer (the explanation is in the
// screening answer and the audit log).
type ScreeningHit struct {
	List      string  `json:"list"`
	EntryID   string  `json:"entry_id"`
	EntryName string  `json:"entry_name"`
	Matched   string  `json:"matched_alias"`
	Score     float64 `json:"score"`
}

// Screener screens names; *screening.Service implements it.
type Screener interface {
	Screen(ctx context.Context, req screening.ScreenRequest) (*screening.ScreenResult, error)
}

// Name is the customer's name as screened.
func (c *CustomerData) Name() string {
	if c.Type == TypeEntity {
		return c.LegalName
	}
	return strings.TrimSpace(c.GivenNames + " " + c.Surname)
}

// CustomerStore keeps every version of every customer.
type CustomerStore interface {
	// PutCustomer stores c as version c.Version, which must be one more than
	// the latest stored (1 for a new customer); ECONFLICT otherwise.
	PutCustomer(ctx context.Context, c *Customer) error
	// Customer returns the latest version, or ENOTFOUND.
	Customer(ctx context.Context, id string) (*Customer, error)
	// CustomerVersions returns every version, oldest first.
	CustomerVersions(ctx context.Context, id string) ([]*Customer, error)
}

var (
	idPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$`)
	phonePattern = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)
)

// ValidateID checks a customer id as the core system assigns it.
func ValidateID(id string) error {
	if !idPattern.MatchString(id) {
		return warden.FieldErrorf(warden.EINVALID, "id", "customer id must be 1 to 64 letters, digits, '.', '_', ':' or '-', starting with a letter or digit")
	}
	return nil
}

func validText(field, s string, max int, required bool) error {
	switch {
	case required && strings.TrimSpace(s) == "":
		return warden.FieldErrorf(warden.EINVALID, field, "%s is required", field)
	case utf8.RuneCountInString(s) > max:
		return warden.FieldErrorf(warden.EINVALID, field, "%s must be at most %d characters", field, max)
	case strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
		return warden.FieldErrorf(warden.EINVALID, field, "%s must contain printable characters only", field)
	}
	return nil
}

func validDate(field, s string, now time.Time, required bool) error {
	if s == "" {
		if required {
			return warden.FieldErrorf(warden.EINVALID, field, "%s is required", field)
		}
		return nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return warden.FieldErrorf(warden.EINVALID, field, "%s must be a date YYYY-MM-DD", field)
	}
	if d.After(now) || d.Year() < 1850 {
		return warden.FieldErrorf(warden.EINVALID, field, "%s must be a past date after 1850", field)
	}
	return nil
}

func validCountry(field, s string, required bool) error {
	if s == "" && !required {
		return nil
	}
	if !screening.ValidCountryCode(s) {
		return warden.FieldErrorf(warden.EINVALID, field, "%s must be an ISO 3166-1 alpha-2 code such as KE", field)
	}
	return nil
}

var termPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

func validTerms(field string, ts []string) error {
	if len(ts) > 20 {
		return warden.FieldErrorf(warden.EINVALID, field, "%s holds at most 20 names", field)
	}
	seen := map[string]bool{}
	for i, t := range ts {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !termPattern.MatchString(t) {
			return warden.FieldErrorf(warden.EINVALID, f, "%s must be a snake_case name such as international_wire", f)
		}
		if seen[t] {
			return warden.FieldErrorf(warden.EINVALID, f, "%s repeats %q", f, t)
		}
		seen[t] = true
	}
	return nil
}

// Validate checks the data field by field.
func (c *CustomerData) Validate(now time.Time) error {
	type check func() error
	var checks []check
	switch c.Type {
	case TypeIndividual:
		checks = []check{
			func() error { return validText("given_names", c.GivenNames, 200, true) },
			func() error { return validText("surname", c.Surname, 200, true) },
			func() error { return validDate("date_of_birth", c.DateOfBirth, now, true) },
			func() error { return validCountry("nationality", c.Nationality, false) },
			func() error { return validText("occupation", c.Occupation, 200, false) },
			func() error {
				if c.LegalName != "" || c.RegistrationNumber != "" || c.IncorporationDate != "" || c.BusinessType != "" {
					return warden.FieldErrorf(warden.EINVALID, "type", "legal_name, registration_number, incorporation_date and business_type are for type entity")
				}
				return nil
			},
		}
	case TypeEntity:
		checks = []check{
			func() error { return validText("legal_name", c.LegalName, 300, true) },
			func() error { return validText("registration_number", c.RegistrationNumber, 64, true) },
			func() error { return validDate("incorporation_date", c.IncorporationDate, now, false) },
			func() error { return validText("business_type", c.BusinessType, 100, false) },
			func() error {
				if c.GivenNames != "" || c.Surname != "" || c.DateOfBirth != "" || c.Nationality != "" || c.Occupation != "" {
					return warden.FieldErrorf(warden.EINVALID, "type", "given_names, surname, date_of_birth, nationality and occupation are for type individual")
				}
				return nil
			},
		}
	default:
		return warden.FieldErrorf(warden.EINVALID, "type", "type must be individual or entity")
	}
	checks = append(checks,
		func() error { return validCountry("country", c.Country, true) },
		func() error {
			if c.Email == "" {
				return nil
			}
			if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email || len(c.Email) > 254 {
				return warden.FieldErrorf(warden.EINVALID, "email", "email must be a plain address such as name@example.com")
			}
			return nil
		},
		func() error {
			if c.Phone != "" && !phonePattern.MatchString(c.Phone) {
				return warden.FieldErrorf(warden.EINVALID, "phone", "phone must be in E.164 form such as +254712345678")
			}
			return nil
		},
		func() error { return validText("address.line1", c.Address.Line1, 200, false) },
		func() error { return validText("address.line2", c.Address.Line2, 200, false) },
		func() error { return validText("address.city", c.Address.City, 100, false) },
		func() error { return validText("address.region", c.Address.Region, 100, false) },
		func() error { return validText("address.postal_code", c.Address.PostalCode, 20, false) },
		func() error { return validCountry("address.country", c.Address.Country, false) },
		func() error { return validTerms("products", c.Products) },
		func() error { return validTerms("channels", c.Channels) },
	)
	for _, ck := range checks {
		if err := ck(); err != nil {
			return err
		}
	}
	return nil
}

// Recorder is the audit log; *audit.Log implements it. Changes are staged
// so that their records commit with the store write; Append is for audited
// reads (exports), which change nothing.
type Recorder interface {
	audit.Stager
	Append(ctx context.Context, rec audit.Record) (*audit.Entry, error)
}

// AlertRaiser raises alerts; *cases.Alerts implements it.
type AlertRaiser interface {
	Raise(ctx context.Context, r cases.Raise) (*cases.Alert, error)
}

// Service keeps customers.
type Service struct {
	Store CustomerStore
	Audit Recorder
	// Screening screens customers on creation and on every change of name,
	// date of birth, nationality or type; nil screens nothing.
	Screening Screener
	// Documents keeps identity documents; Profile is the tier profile
	// customers are placed in (nil: no tiers).
	Documents DocumentStore
	Owners    OwnersStore
	// Alerts receives new screening hits found by re-screening; nil records
	// them in the audit log only.
	Alerts AlertRaiser
	// Salts keeps the salts of the audit log's personal-data hashes; nil
	// uses Store when it implements SaltStore.
	Salts SaltStore
	// ProofOfAddressMaxAge is how old a proof of address may be (zero: 90
	// days); Retention how long records are kept before erasure (zero:
	// DefaultRetention).
	ProofOfAddressMaxAge time.Duration
	Retention            time.Duration
	Profile              *tier.Profile
	// RiskPolicy rates customers; the zero value means DefaultRiskPolicy.
	RiskPolicy RiskPolicy
	Now        func() time.Time
}

// needsScreening reports whether a change affects who the customer is.
func needsScreening(cur *Customer, next CustomerData) bool {
	if cur == nil || cur.Screening == nil {
		return true
	}
	c := cur.CustomerData
	return c.Type != next.Type || c.Name() != next.Name() || c.DateOfBirth != next.DateOfBirth || c.Nationality != next.Nationality
}

func (s *Service) screen(ctx context.Context, id string, d CustomerData) (*ScreeningSummary, error) {
	typ := screening.TypeIndividual
	if d.Type == TypeEntity {
		typ = screening.TypeEntity
	}
	req := screening.ScreenRequest{Subject: id, Name: d.Name(), Type: string(typ), DateOfBirth: d.DateOfBirth, Country: d.Nationality}
	res, err := s.Screening.Screen(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("screen customer %s: %w", id, err)
	}
	sum := &ScreeningSummary{ScreenedAt: s.now().Truncate(time.Microsecond), Threshold: res.Threshold, Hits: []ScreeningHit{}, Cleared: len(res.Cleared), ListVersions: res.ListVersions}
	for _, h := range res.Hits {
		sum.Hits = append(sum.Hits, ScreeningHit{List: h.List, EntryID: h.EntryID, EntryName: h.EntryName, Matched: h.MatchedName, Score: h.Score})
	}
	return sum, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// PutResult says what a Put did.
type PutResult struct {
	Customer *Customer
	Created  bool // a new customer
	Changed  bool // a new version was stored (false: identical to the latest)
}

// Put creates or updates a customer. Sending the same data again stores
// nothing, so the core system may retry freely.
func (s *Service) Put(ctx context.Context, id string, data CustomerData) (*PutResult, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	data.Country, data.Nationality, data.Address.Country = strings.ToUpper(data.Country), strings.ToUpper(data.Nationality), strings.ToUpper(data.Address.Country)
	if err := data.Validate(s.now()); err != nil {
		return nil, err
	}
	cur, err := s.Store.Customer(ctx, id)
	if err != nil && warden.ErrorCode(err) != warden.ENOTFOUND {
		return nil, err
	}
	if err := refuseErased(cur); err != nil {
		return nil, err
	}
	next := &Customer{ID: id, Version: 1, UpdatedAt: s.now().Truncate(time.Microsecond), CustomerData: data}
	if a, ok := warden.ActorFromContext(ctx); ok {
		next.UpdatedBy = a.String()
	}
	if cur != nil {
		if same(cur.CustomerData, data) {
			return &PutResult{Customer: cur}, nil
		}
		next.Version = cur.Version + 1
		next.Screening = cur.Screening
	}
	if s.Screening != nil && needsScreening(cur, data) {
		if next.Screening, err = s.screen(ctx, id, data); err != nil {
			return nil, err
		}
	}
	action := "customer.update"
	if cur == nil {
		action = "customer.create"
	}
	var recs []audit.Record
	if s.Audit != nil {
		commit, err := s.committer(ctx, id)
		if err != nil {
			return nil, err
		}
		recs = append(recs, audit.Record{Action: action, Subject: audit.Subject{Type: "customer", ID: id},
			Change: map[string]any{"version": next.Version, "data": commit.data(data), "screening": next.Screening}})
	}
	// The record commits with the new version (the audit outbox).
	if err := audit.Do(ctx, s.Audit, func(ctx context.Context) error { return s.Store.PutCustomer(ctx, next) }, recs...); err != nil {
		return nil, err
	}
	return &PutResult{Customer: next, Created: cur == nil, Changed: true}, nil
}

func same(a, b CustomerData) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Get returns the latest version of a customer.
func (s *Service) Get(ctx context.Context, id string) (*Customer, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	return s.Store.Customer(ctx, id)
}

// Versions returns every version of a customer, oldest first.
func (s *Service) Versions(ctx context.Context, id string) ([]*Customer, error) {
	if err := ValidateID(id); err != nil {
		return nil, err
	}
	vs, err := s.Store.CustomerVersions(ctx, id)
	if err == nil && len(vs) == 0 {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "id", "customer %s not found", id)
	}
	return vs, err
}
