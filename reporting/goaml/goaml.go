// Package goaml writes goAML 5.0.2 XML reports for a financial intelligence
// unit that runs UNODC goAML, such as Kenya's Financial Reporting Centre:
// suspicious transaction reports (report code STR) and cash transaction
// reports above the FIU's threshold, with names transliterated to goAML's
// Latin-only name pattern and the cash threshold converted exactly from a
// configured rate table.
//
// Like reporting/fincen the package is pure: callers pass a Report and get
// bytes. Inputs are checked against the schema's rules and enumerations
// first, so a bad input is a *warden.Error (EINVALID) naming the field
// rather than a file the FIU rejects. docs/filing-formats.md has the field
// mapping.
package goaml

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
)

// Report codes. The shipped goAML 5.0.2 schema's report_type enumeration has
// STR but no CTR: its cash reports go as AIFT ("additional information file
// with transactions"), the code for a report of transactions that asserts
// no suspicion. Kenya FRC's own schema documentation uses CTR; a deployment
// that validates against FRC's schema adds CTR to the enumeration tables
// together with that schema (see docs/filing-formats.md).
const (
	ReportSTR         = "STR"
	ReportCashDefault = "AIFT"
)

// SubmissionElectronic is the submission_code for a file uploaded to goAML.
const SubmissionElectronic = "E"

const dateLayout = "2006-01-02T15:04:05"

// Report is one goAML report.
type Report struct {
	// Code is the report_code; STR and CashReport set it.
	Code string
	// EntityID is the reporting entity's goAML id (rentity_id) the FIU
	// assigned; Branch is optional.
	EntityID int
	Branch   string
	// Reference is the institution's own reference (entity_reference),
	// e.g. the case id.
	Reference string
	// FIURef is the FIU's reference when the report answers one.
	FIURef         string
	SubmissionDate time.Time
	// LocalCurrency is currency_code_local (KES in Kenya); every
	// transaction's Amount is in it.
	LocalCurrency   money.Currency
	ReportingPerson *Person
	Location        *Address
	// Reason is the narrative: why the activity is suspicious (required
	// for an STR). Action is what the institution did.
	Reason       string
	Action       string
	Transactions []Transaction
	// Indicators are report_indicator_type codes (at least one).
	Indicators []string
	// Times are written without an offset, as goAML expects, in Zone
	// (Africa/Nairobi for Kenya); nil writes them in each time's own zone.
	Zone *time.Location
}

// Transaction is one transaction of the report.
type Transaction struct {
	Number      string
	InternalRef string
	// Location is where it happened (branch, agent, channel); Description
	// what it was.
	Location    string
	Description string
	Date        time.Time
	// Mode is a conduction_type code (e.g. OCT over the counter, ELCFT
	// electronic funds transfer, MB mobile banking). ModeComment is the
	// schema's one-character transmode_comment ("-" when empty).
	Mode        string
	ModeComment string
	// Amount is in the report's LocalCurrency.
	Amount   money.Amount
	From     Party
	To       Party
	Comments string
}

// Party is one side of a transaction: exactly one of Person, Entity or
// Account. MyClient selects the my-client structures (t_from_my_client,
// t_to_my_client), which require the full customer record.
type Party struct {
	MyClient bool
	// FundsCode is a funds_type code (CASH, ...).
	FundsCode    string
	FundsComment string
	// Foreign is the amount in the currency actually handed over, when not
	// the local currency, with the rate applied.
	Foreign *Foreign
	Person  *Person
	Entity  *Entity
	Account *Account
	// Country is the ISO alpha-2 country of this side.
	Country string
}

// Foreign is a foreign-currency amount and the rate used (local units per
// foreign unit, a decimal string).
type Foreign struct {
	Amount money.Amount
	Rate   string
}

// Person is an individual. Names may hold any Latin letters and Cyrillic;
// they are transliterated (see Transliterate).
type Person struct {
	Gender     string // "M", "F" or empty (unknown)
	Title      string
	FirstName  string
	MiddleName string
	LastName   string
	BirthDate  time.Time
	BirthPlace string
	// IDNumber is the national ID number.
	IDNumber    string
	Nationality string // ISO alpha-2
	Residence   string // ISO alpha-2
	Phones      []Phone
	Addresses   []Address
	Emails      []string
	Occupation  string
	IDs         []Identification
	TaxNumber   string
	// TaxRegistered fills the my-client one-letter tax_reg_number (Y/N).
	TaxRegistered bool
}

// Phone is a telephone number.
type Phone struct {
	// ContactType is a contact_type code (PRIVT, BU ...); Kind a
	// communication_type code (M mobile, L landline ...).
	ContactType   string
	Kind          string
	CountryPrefix string
	Number        string
}

// Address is a postal address.
type Address struct {
	Type    string // contact_type code
	Street  string
	Town    string
	City    string
	Zip     string
	Country string // ISO alpha-2
	State   string // county/state; required by the schema
}

// Identification is an identity document.
type Identification struct {
	Type     string // identifier_type code (PASSP, DRIVL ...)
	Number   string
	Issued   time.Time
	Expires  time.Time
	IssuedBy string
	Country  string
}

// Entity is an organisation.
type Entity struct {
	Name                 string
	CommercialName       string
	LegalForm            string // legal_form_type code
	IncorporationNumber  string
	Business             string
	Phones               []Phone
	Addresses            []Address
	Emails               []string
	IncorporationState   string
	IncorporationCountry string
	IncorporationDate    time.Time
	Directors            []Director
	TaxNumber            string
	TaxRegistered        bool
}

// Director is a person who controls an entity, with an entity_person_role
// code (DIR ...).
type Director struct {
	Person
	Role string
}

// Account is a bank or mobile-money account.
type Account struct {
	InstitutionName string
	// InstitutionCode (the FIU's code for the institution) or SWIFT.
	InstitutionCode    string
	SWIFT              string
	InstitutionCountry string
	NonBank            bool // e.g. a mobile-money operator
	Branch             string
	Number             string
	Currency           money.Currency
	Name               string // transliterated like a person's name
	Type               string // account_type code
	Signatories        []Signatory
	Opened             time.Time
	Status             string // account_status_type code
	Beneficiary        string
}

// Signatory is a person who operates an account, with an
// account_person_role code (PAH primary account holder ...).
type Signatory struct {
	Primary bool
	Person  Person
	Role    string
}

// STR writes a suspicious transaction report.
func STR(r Report) ([]byte, error) {
	r.Code = ReportSTR
	if strings.TrimSpace(r.Reason) == "" {
		return nil, warden.FieldErrorf(warden.EINVALID, "reason", "reason (the narrative of why the activity is suspicious) is required for an STR")
	}
	return Write(r)
}

// CashReport writes a cash transaction report: every transaction must
// involve cash on one side (funds code CASH), and their total, converted
// exactly with th, must reach th's threshold. Code defaults to
// ReportCashDefault.
func CashReport(r Report, th Threshold) ([]byte, error) {
	if r.Code == "" {
		r.Code = ReportCashDefault
	}
	if err := th.Validate(); err != nil {
		return nil, err
	}
	total := money.Amount{Currency: r.LocalCurrency}
	for i, t := range r.Transactions {
		if t.From.FundsCode != "CASH" && t.To.FundsCode != "CASH" {
			return nil, warden.FieldErrorf(warden.EINVALID, fmt.Sprintf("transactions[%d]", i), "a cash report holds cash transactions: one side's funds code must be CASH")
		}
		if t.Amount.Currency != r.LocalCurrency {
			return nil, warden.FieldErrorf(warden.EINVALID, fmt.Sprintf("transactions[%d].amount", i), "amount must be in the local currency %s", r.LocalCurrency)
		}
		total.Minor += t.Amount.Minor
	}
	ok, err := th.Reaches(total)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, warden.FieldErrorf(warden.EINVALID, "transactions", "cash total %s is below the reporting threshold %s", total, th.Amount)
	}
	return Write(r)
}

// Write validates r and writes it as goAML XML.
func Write(r Report) ([]byte, error) {
	doc, err := r.build()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("goaml: encode report: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("goaml: encode report: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// text checks a free-text value against a maximum length in characters.
func text(field, s string, max int, need bool) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" && need {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s is required", field)
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s is %d characters; goAML allows %d", field, n, max)
	}
	return s, nil
}

// code checks a value against one of the schema's enumerations.
func code(field, v string, enum map[string]bool, what string) (string, error) {
	if !enum[v] {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s %q is not a goAML %s code", field, v, what)
	}
	return v, nil
}

// decimal writes minor units as goAML's sql_decimal with the currency's
// decimals ("120000.00").
func decimal(a money.Amount) string {
	s := a.String()
	return s[strings.IndexByte(s, ' ')+1:]
}
