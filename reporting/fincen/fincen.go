// Package fincen writes FinCEN BSA E-Filing batch XML: the SAR batch (Form
// 111, FormTypeCode SARX) and the CTR batch (Form 112, FormTypeCode CTRX),
// as EFL_SARXBatchSchema.xsd and EFL_CTRXBatchSchema.xsd (v1.2) define them.
//
// The package is pure: callers pass domain-level structs (SAR, CTR) and get
// the bytes of one batch file. Inputs are validated first; a bad input is a
// *warden.Error with code EINVALID that names the offending field, so that a
// file FinCEN would reject is never produced. The writers compute the batch
// header attributes (TotalAmount, PartyCount, ActivityCount) from what they
// emit and number every element with a SeqNum unique within the file.
//
// docs/filing-formats.md describes the field mapping and the arithmetic.
package fincen

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
)

// Namespace is the target namespace both batch schemas declare; every element
// is qualified (elementFormDefault="qualified"), so the root declares it as
// the default namespace and all children inherit it.
const Namespace = "www.fincen.gov/base"

// Form type codes of the batch root.
const (
	FormTypeSAR = "SARX"
	FormTypeCTR = "CTRX"
)

// Activity party type codes (ValidateActivityPartyCodeType).
const (
	partyTransmitter        = "35"
	partyTransmitterContact = "37"
	partyFiler              = "30"
	partyContactOffice      = "8"
	partyLocation           = "34"
	partySubject            = "33"
	partyAccountInstitution = "41"
	partyBranch             = "46"
)

// Party identification type codes (ValidatePartyIdentificationCodeType).
const (
	IDTypeSSN            = "1"
	IDTypeEIN            = "2"
	IDTypeTIN            = "4"
	IDTypeDriversLicense = "5"
	IDTypePassport       = "6"
	IDTypeAlien          = "7"
	IDTypeForeign        = "9"
	IDTypeRSSD           = "14"
	IDTypeTCC            = "28" // Transmitter Control Code
	IDTypeOther          = "999"
)

// Primary federal regulator codes (ValidateFederalRegulatorCodeType). The SAR
// schema knows 13 (FHFA) and 99 (not applicable); the CTR schema knows 14
// (unknown) instead.
const (
	RegulatorFederalReserve = "1"
	RegulatorFDIC           = "2"
	RegulatorNCUA           = "3"
	RegulatorOCC            = "4"
	RegulatorSEC            = "6"
	RegulatorIRS            = "7"
	RegulatorCFTC           = "9"
)

// Organization type codes (ValidateOrganizationCodeType) common to both forms.
const (
	OrgCasino     = 1
	OrgDepository = 2
	OrgMSB        = 4
	OrgSecurities = 5
	OrgOther      = 999
)

// Filing types.
const (
	FilingInitial    = "initial"
	FilingCorrect    = "correct"
	FilingContinuing = "continuing" // SAR only
)

// Address is a postal address. Country is ISO 3166-1 alpha-2; State is the
// USPS code (or the province code for CA/MX) and is required for US addresses.
type Address struct {
	Street     string
	City       string
	State      string
	PostalCode string
	Country    string
}

// Phone is a telephone number, digits only as FinCEN wants (no punctuation).
type Phone struct {
	Number    string
	Extension string
}

// Identification is an identifying number of a party.
type Identification struct {
	// Type is one of the IDType constants.
	Type   string
	Number string
	// IssuerCountry (ISO alpha-2) and IssuerState apply to passports, driver's
	// licences, foreign and other IDs.
	IssuerCountry string
	IssuerState   string
	// OtherDescription describes the document when Type is IDTypeOther.
	OtherDescription string
}

// Institution is a financial institution as FinCEN identifies it.
type Institution struct {
	LegalName string
	DBAName   string
	// TIN is the institution's EIN (TINType IDTypeEIN, the default) or
	// foreign TIN (IDTypeForeign).
	TIN     string
	TINType string
	// RSSD is the Federal Reserve RSSD number, when it has one.
	RSSD    string
	Address Address
	// PrimaryRegulator is one of the Regulator constants.
	PrimaryRegulator string
	// OrganizationType is one of the Org constants; OtherOrganization
	// describes it when OrgOther.
	OrganizationType  int
	OtherOrganization string
}

// Filer is the reporting financial institution with the office FinCEN
// contacts about the report.
type Filer struct {
	Institution
	ContactOffice string
	ContactPhone  Phone
}

// Transmitter is whoever sends the batch to FinCEN (often the filer itself):
// it is identified by its TIN and the Transmitter Control Code FinCEN issued.
type Transmitter struct {
	Name        string
	TIN         string
	TCC         string
	Address     Address
	Phone       Phone
	ContactName string
}

// Batch holds what is common to one batch file.
type Batch struct {
	Transmitter Transmitter
	// FilingDate is written as FilingDateText on every activity.
	FilingDate time.Time
}

// Dollars converts an amount to the whole US dollars FinCEN records,
// rounding any cents UP to the next dollar as the BSA E-Filing instructions
// require ("$5,265.25 is recorded as $5,266"). Only USD is accepted: foreign
// currency must be converted to its US dollar equivalent by the caller, at a
// rate it can show an examiner, before filing.
func Dollars(field string, a money.Amount) (int64, error) {
	if a.Currency != "USD" {
		return 0, warden.FieldErrorf(warden.EINVALID, field, "%s must be in USD (FinCEN records US dollars; convert first), got %q", field, a.Currency)
	}
	if a.Minor < 0 {
		return 0, warden.FieldErrorf(warden.EINVALID, field, "%s must not be negative", field)
	}
	// 15 characters of whole dollars is FinCEN's field limit; amounts never
	// get near it, but the cap keeps the sums below from overflowing.
	if a.Minor > 1e15 {
		return 0, warden.FieldErrorf(warden.EINVALID, field, "%s is out of range", field)
	}
	return (a.Minor + 99) / 100, nil
}

// fmtDate writes YYYYMMDD, the only date form the schemas accept.
func fmtDate(t time.Time) string { return t.Format("20060102") }

var (
	yearRange   = regexp.MustCompile(`^(19|20)\d\d`)
	digitsOnly  = regexp.MustCompile(`^[0-9]+$`)
	countryCode = regexp.MustCompile(`^[A-Z]{2}$`)
)

// date checks that a date is within the schemas' 1900-2099 pattern.
func date(field string, t time.Time) (string, error) {
	if t.IsZero() {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s is required", field)
	}
	s := fmtDate(t)
	if !yearRange.MatchString(s) {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s must be between 1900 and 2099", field)
	}
	return s, nil
}

// clean prepares a free-text value for the schemas' RestrictStringN types:
// they forbid leading/trailing blanks, tabs, CR and LF (pattern
// `\S+( +\S+)*|`), so runs of whitespace become one space. It returns an
// error naming field when the value is longer than max characters, rather
// than truncating a name or number silently.
func clean(field, s string, max int) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if n := utf8.RuneCountInString(s); n > max {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s is %d characters; FinCEN allows at most %d", field, n, max)
	}
	return s, nil
}

// required is clean for a value that must not be empty.
func required(field, s string, max int) (string, error) {
	v, err := clean(field, s, max)
	if err == nil && v == "" {
		err = warden.FieldErrorf(warden.EINVALID, field, "%s is required", field)
	}
	return v, err
}

// digits validates identifying numbers and phone numbers: FinCEN wants them
// without punctuation or spaces.
func digits(field, s string, max int, need bool) (string, error) {
	s = strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' || r == '(' || r == ')' || r == '.' || r == '+' {
			return -1
		}
		return r
	}, s)
	switch {
	case s == "" && need:
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s is required", field)
	case s == "":
		return "", nil
	case !digitsOnly.MatchString(s) || len(s) > max:
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s must be at most %d digits", field, max)
	}
	return s, nil
}

// seq hands out SeqNum values: both schemas declare Unique-SeqNum over every
// element of the batch, so one counter serves the whole file.
type seq struct{ n int64 }

func (s *seq) next() int64 { s.n++; return s.n }

// y renders an indicator: "Y" when set, else empty (the schemas'
// ValidateIndicatorType allows exactly these two).
func y(b bool) string {
	if b {
		return "Y"
	}
	return ""
}

// encode writes the XML declaration and the document, indented so a human
// can read the file an examiner receives.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("fincen: encode batch: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("fincen: encode batch: %w", err)
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
