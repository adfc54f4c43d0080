// Package tier holds KYC tiers as configuration. A Profile is an ordered list
// of tiers, lowest first; each tier names the verified documents it requires
// and its limits per currency. Compute places a customer in a tier from the
// documents verified so far and says what is missing for the next one; Check
// says which limit a transaction would exceed. Profiles are loaded from YAML
// (Load) or taken from the ones embedded in the binary (Builtin). It is pure
// domain code: no I/O beyond the reader it is given.
//
// Money is never a float: every amount is an int64 of minor units of an ISO
// 4217 currency (KES 150,000.00 is 15000000).
package tier

import (
	"slices"
	"strings"

	"github.com/wardenhq/warden"
)

// DocumentKind names a kind of verified evidence a tier can require.
type DocumentKind string

// Document kinds. A kind counts towards a tier only once the document has
// been verified (for the identity documents, by the validators of package
// kyc/document: MRZ check digits and cross-check, ID number formats, proof of
// address age).
const (
	// Phone is a verified mobile number registered to the customer (in Kenya,
	// a SIM card registered under the customer's name).
	Phone DocumentKind = "phone"
	// NationalID is a government national or state identity card with a
	// photograph (Kenya: ValidateKenyaNationalID; TD1 MRZ: ParseMRZ).
	NationalID DocumentKind = "national_id"
	// Passport is a passport (TD3 MRZ: ParseMRZ and CrossCheck).
	Passport DocumentKind = "passport"
	// AlienID is a foreign national's residence card (Kenya Alien ID, US
	// Permanent Resident Card).
	AlienID DocumentKind = "alien_id"
	// DriversLicense is a government-issued driver's licence with a photograph.
	DriversLicense DocumentKind = "drivers_license"
	// ProofOfAddress is a utility bill or bank statement
	// (ValidateProofOfAddress).
	ProofOfAddress DocumentKind = "proof_of_address"
	// Liveness is a selfie matched to the photo ID with a liveness check.
	Liveness DocumentKind = "liveness"
	// KRAPIN is a Kenya Revenue Authority personal identification number.
	KRAPIN DocumentKind = "kra_pin"
	// SSN is a US Social Security number (ValidateSSN).
	SSN DocumentKind = "ssn"
	// ITIN is a US Individual Taxpayer Identification Number (ValidateITIN).
	ITIN DocumentKind = "itin"
	// EIN is a US Employer Identification Number, for entities (ValidateEIN).
	EIN DocumentKind = "ein"
)

// DocumentKinds lists every kind a profile may name.
var DocumentKinds = []DocumentKind{Phone, NationalID, Passport, AlienID, DriversLicense, ProofOfAddress, Liveness, KRAPIN, SSN, ITIN, EIN}

// Unlimited is the value of a limit that does not apply. In YAML it is
// written "unlimited"; a limit is never left out.
const Unlimited int64 = -1

// Limits are the limits of one tier in one currency, in minor units. A limit
// of 0 allows nothing (every transaction, or any positive balance, exceeds
// it); Unlimited (-1) means no limit. A currency absent from a tier's limits
// is not allowed at that tier at all.
type Limits struct {
	PerTransaction int64 // one transaction
	PerDay         int64 // total of the transactions of one day
	PerMonth       int64 // total of the transactions of one calendar month
	MaxBalance     int64 // balance held
}

// Requirement is one requirement of a tier: any one of AnyOf verified (a
// single kind when there is no choice, e.g. [ssn]; [ssn, itin] when either
// will do).
type Requirement struct {
	AnyOf []DocumentKind
}

// String is "ssn" or "ssn|itin".
func (r Requirement) String() string {
	s := make([]string, len(r.AnyOf))
	for i, k := range r.AnyOf {
		s[i] = string(k)
	}
	return strings.Join(s, "|")
}

// MetBy reports whether one of the kinds is in verified.
func (r Requirement) MetBy(verified []DocumentKind) bool {
	for _, k := range r.AnyOf {
		if slices.Contains(verified, k) {
			return true
		}
	}
	return false
}

// implies reports whether meeting r always meets o: every alternative of r
// is an alternative of o.
func (r Requirement) implies(o Requirement) bool {
	for _, k := range r.AnyOf {
		if !slices.Contains(o.AnyOf, k) {
			return false
		}
	}
	return true
}

// Tier is one KYC tier.
type Tier struct {
	Name        string
	Description string
	Requires    []Requirement
	Limits      map[string]Limits // by ISO 4217 code
}

// Profile is a named set of tiers, ordered lowest to highest. Load guarantees
// that each tier requires at least what the tier below requires, and that
// its limits are at least those of the tier below in every currency.
type Profile struct {
	Name        string
	Description string
	Tiers       []Tier
}

// Tier returns the tier named name, or nil.
func (p *Profile) Tier(name string) *Tier {
	for i := range p.Tiers {
		if p.Tiers[i].Name == name {
			return &p.Tiers[i]
		}
	}
	return nil
}

// Placement is where a customer stands in a profile.
type Placement struct {
	// Tier is the name of the highest tier whose requirements, and those of
	// every tier below it, are met; "" when not even the lowest tier's are.
	Tier string `json:"tier"`
	// Index is Tier's index in Profile.Tiers, or -1.
	Index int `json:"index"`
	// Next is the tier above Tier, or "" at the top.
	Next string `json:"next,omitempty"`
	// Missing are the requirements of Next not yet met.
	Missing []Requirement `json:"-"`
}

// Compute places a customer who has the verified documents in p. It is
// cheap and pure, meant to be called again on every document change.
// Unknown kinds in verified are ignored.
func Compute(p *Profile, verified []DocumentKind) Placement {
	pl := Placement{Index: -1}
	for i := range p.Tiers {
		var missing []Requirement
		for _, r := range p.Tiers[i].Requires {
			if !r.MetBy(verified) {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			pl.Next, pl.Missing = p.Tiers[i].Name, missing
			return pl
		}
		pl.Tier, pl.Index = p.Tiers[i].Name, i
	}
	return pl
}

// Limit names, as in the YAML and in Breach.Limit.
const (
	LimitCurrency       = "currency" // the currency is not allowed at the tier
	LimitPerTransaction = "per_transaction"
	LimitPerDay         = "per_day"
	LimitPerMonth       = "per_month"
	LimitMaxBalance     = "max_balance"
)

// Activity is a proposed transaction and the customer's position, all in
// minor units of one currency.
type Activity struct {
	Amount int64 // the transaction; > 0
	// DayTotal and MonthTotal are what the customer has already transacted
	// today and this calendar month, not counting Amount.
	DayTotal, MonthTotal int64
	// Balance is the balance after the transaction. It is checked against
	// MaxBalance only when Credit is set, so that a debit never fails for a
	// balance already over a (lowered) limit.
	Balance int64
	Credit  bool
}

// Breach is one limit a transaction would exceed.
type Breach struct {
	Limit string `json:"limit"` // one of the Limit constants
	// Max is the limit; Would is what the transaction would bring the
	// measured total to (for LimitCurrency both are 0).
	Max   int64 `json:"max"`
	Would int64 `json:"would"`
}

// Check reports every limit of t in currency that a would exceed; none means
// the transaction is within the tier's limits. Reaching a limit exactly is
// allowed; one minor unit over is a breach. A currency t has no limits for
// gives a single LimitCurrency breach. Invalid input (amount not positive,
// negative totals or balance) is a *warden.Error (EINVALID).
func Check(t *Tier, currency string, a Activity) ([]Breach, error) {
	switch {
	case a.Amount <= 0:
		return nil, warden.FieldErrorf(warden.EINVALID, "amount", "amount must be positive")
	case a.DayTotal < 0:
		return nil, warden.FieldErrorf(warden.EINVALID, "day_total", "day total cannot be negative")
	case a.MonthTotal < 0:
		return nil, warden.FieldErrorf(warden.EINVALID, "month_total", "month total cannot be negative")
	case a.Balance < 0:
		return nil, warden.FieldErrorf(warden.EINVALID, "balance", "balance cannot be negative")
	}
	l, ok := t.Limits[currency]
	if !ok {
		return []Breach{{Limit: LimitCurrency}}, nil
	}
	var bs []Breach
	check := func(name string, max, before, add int64) {
		if max == Unlimited || add <= max-before {
			return // max-before cannot overflow: both are non-negative
		}
		would := before + add
		if would < before { // overflow: report the largest value
			would = int64(^uint64(0) >> 1)
		}
		bs = append(bs, Breach{Limit: name, Max: max, Would: would})
	}
	check(LimitPerTransaction, l.PerTransaction, 0, a.Amount)
	check(LimitPerDay, l.PerDay, a.DayTotal, a.Amount)
	check(LimitPerMonth, l.PerMonth, a.MonthTotal, a.Amount)
	if a.Credit {
		check(LimitMaxBalance, l.MaxBalance, 0, a.Balance)
	}
	return bs, nil
}
