package fincen

import (
	"time"

	"github.com/wardenhq/warden"
)

// XML elements both schemas share. Field order is the xsd:sequence order;
// encoding/xml writes fields in declaration order, so the order here IS the
// document order the schema checks.

type xPartyName struct {
	SeqNum            int64  `xml:"SeqNum,attr"`
	PartyNameTypeCode string `xml:"PartyNameTypeCode"`
	LastName          string `xml:"RawEntityIndividualLastName,omitempty"`
	FirstName         string `xml:"RawIndividualFirstName,omitempty"`
	MiddleName        string `xml:"RawIndividualMiddleName,omitempty"`
	Suffix            string `xml:"RawIndividualNameSuffixText,omitempty"`
	FullName          string `xml:"RawPartyFullName,omitempty"`
}

type xAddress struct {
	SeqNum     int64  `xml:"SeqNum,attr"`
	City       string `xml:"RawCityText,omitempty"`
	Country    string `xml:"RawCountryCodeText,omitempty"`
	State      string `xml:"RawStateCodeText,omitempty"`
	Street     string `xml:"RawStreetAddress1Text,omitempty"`
	PostalCode string `xml:"RawZIPCode,omitempty"`
}

type xPhone struct {
	SeqNum    int64  `xml:"SeqNum,attr"`
	Extension string `xml:"PhoneNumberExtensionText,omitempty"`
	Number    string `xml:"PhoneNumberText,omitempty"`
}

type xIdentification struct {
	SeqNum           int64  `xml:"SeqNum,attr"`
	IssuerCountry    string `xml:"OtherIssuerCountryText,omitempty"`
	IssuerState      string `xml:"OtherIssuerStateText,omitempty"`
	OtherDescription string `xml:"OtherPartyIdentificationTypeText,omitempty"`
	Number           string `xml:"PartyIdentificationNumberText,omitempty"`
	Type             string `xml:"PartyIdentificationTypeCode,omitempty"`
}

type xOrgClass struct {
	SeqNum    int64  `xml:"SeqNum,attr"`
	TypeID    int    `xml:"OrganizationTypeID"`
	OtherText string `xml:"OtherOrganizationTypeText,omitempty"`
}

type xOccupation struct {
	SeqNum int64  `xml:"SeqNum,attr"`
	Text   string `xml:"OccupationBusinessText,omitempty"`
}

// legalName is the L (legal name) PartyName of an organisation or office.
func legalName(s *seq, full string) xPartyName {
	return xPartyName{SeqNum: s.next(), PartyNameTypeCode: "L", FullName: full}
}

// address validates and renders an address. FinCEN requires the state for
// US addresses and a two-letter country everywhere.
func address(s *seq, field string, a Address) (*xAddress, error) {
	var err error
	x := xAddress{}
	if x.Street, err = required(field+".street", a.Street, 100); err != nil {
		return nil, err
	}
	if x.City, err = required(field+".city", a.City, 50); err != nil {
		return nil, err
	}
	if !countryCode.MatchString(a.Country) {
		return nil, warden.FieldErrorf(warden.EINVALID, field+".country", "%s.country must be an ISO 3166-1 alpha-2 code such as US", field)
	}
	x.Country = a.Country
	if x.State, err = clean(field+".state", a.State, 3); err != nil {
		return nil, err
	}
	if a.Country == "US" && x.State == "" {
		return nil, warden.FieldErrorf(warden.EINVALID, field+".state", "%s.state is required for a US address", field)
	}
	if x.PostalCode, err = clean(field+".postal_code", a.PostalCode, 9); err != nil {
		return nil, err
	}
	x.SeqNum = s.next()
	return &x, nil
}

func phone(s *seq, field string, p Phone) (*xPhone, error) {
	n, err := digits(field+".number", p.Number, 16, false)
	if err != nil || n == "" {
		return nil, err
	}
	ext, err := digits(field+".extension", p.Extension, 6, false)
	if err != nil {
		return nil, err
	}
	return &xPhone{SeqNum: s.next(), Number: n, Extension: ext}, nil
}

var idTypes = map[string]bool{"1": true, "2": true, "4": true, "5": true, "6": true, "7": true, "9": true, "10": true, "11": true, "12": true, "13": true, "14": true, "28": true, "999": true}

func identification(s *seq, field string, id Identification) (xIdentification, error) {
	x := xIdentification{Type: id.Type}
	if !idTypes[id.Type] {
		return x, warden.FieldErrorf(warden.EINVALID, field+".type", "%s.type %q is not a FinCEN identification type code", field, id.Type)
	}
	var err error
	if x.Number, err = required(field+".number", id.Number, 25); err != nil {
		return x, err
	}
	switch id.Type {
	case IDTypeSSN, IDTypeEIN, IDTypeTIN, IDTypeTCC:
		// TINs are nine digits without punctuation; a TCC is alphanumeric.
		if id.Type != IDTypeTCC {
			if x.Number, err = digits(field+".number", id.Number, 25, true); err != nil {
				return x, err
			}
		}
	case IDTypeOther:
		if x.OtherDescription, err = required(field+".other_description", id.OtherDescription, 50); err != nil {
			return x, err
		}
	}
	if id.IssuerCountry != "" && !countryCode.MatchString(id.IssuerCountry) {
		return x, warden.FieldErrorf(warden.EINVALID, field+".issuer_country", "%s.issuer_country must be an ISO 3166-1 alpha-2 code", field)
	}
	x.IssuerCountry = id.IssuerCountry
	if x.IssuerState, err = clean(field+".issuer_state", id.IssuerState, 3); err != nil {
		return x, err
	}
	x.SeqNum = s.next()
	return x, nil
}

// institutionParts validates the parts of an institution both forms write:
// the legal (and DBA) name, the address, the TIN (and RSSD) and the
// organisation type.
type institutionParts struct {
	names []xPartyName
	addr  *xAddress
	ids   []xIdentification
	org   *xOrgClass
}

func institution(s *seq, field string, in Institution, withRSSD bool) (institutionParts, error) {
	var p institutionParts
	name, err := required(field+".legal_name", in.LegalName, 150)
	if err != nil {
		return p, err
	}
	p.names = append(p.names, legalName(s, name))
	if dba, err := clean(field+".dba_name", in.DBAName, 150); err != nil {
		return p, err
	} else if dba != "" {
		p.names = append(p.names, xPartyName{SeqNum: s.next(), PartyNameTypeCode: "DBA", FullName: dba})
	}
	if p.addr, err = address(s, field+".address", in.Address); err != nil {
		return p, err
	}
	tinType := in.TINType
	if tinType == "" {
		tinType = IDTypeEIN
	}
	tin, err := identification(s, field+".tin", Identification{Type: tinType, Number: in.TIN})
	if err != nil {
		return p, err
	}
	p.ids = append(p.ids, tin)
	if withRSSD && in.RSSD != "" {
		rssd, err := identification(s, field+".rssd", Identification{Type: IDTypeRSSD, Number: in.RSSD})
		if err != nil {
			return p, err
		}
		p.ids = append(p.ids, rssd)
	}
	switch in.OrganizationType {
	case OrgCasino, OrgDepository, OrgMSB, OrgSecurities:
		p.org = &xOrgClass{SeqNum: s.next(), TypeID: in.OrganizationType}
	case OrgOther:
		other, err := required(field+".other_organization", in.OtherOrganization, 50)
		if err != nil {
			return p, err
		}
		p.org = &xOrgClass{SeqNum: s.next(), TypeID: OrgOther, OtherText: other}
	default:
		return p, warden.FieldErrorf(warden.EINVALID, field+".organization_type", "%s.organization_type must be one of 1 (casino), 2 (depository), 4 (MSB), 5 (securities/futures), 999 (other)", field)
	}
	return p, nil
}

// personFacts are what a CTR person and a SAR subject share: the legal
// name and, for individuals, the gender and birth-date indicators.
type personFacts struct {
	name                                                   xPartyName
	entity, female, male, unknownGender, birthUnknown, dob string
}

// personName validates and maps the name, gender and birth date of a
// person (legal name for an organisation).
func personName(field string, entity bool, legal, last, first, middle, suffix, gender string, birth time.Time) (personFacts, error) {
	f := personFacts{name: xPartyName{PartyNameTypeCode: "L"}}
	var err error
	if entity {
		f.entity = "Y"
		f.name.LastName, err = required(field+".name", legal, 150)
		return f, err
	}
	if f.name.LastName, err = required(field+".last_name", last, 150); err != nil {
		return f, err
	}
	if f.name.FirstName, err = required(field+".first_name", first, 35); err != nil {
		return f, err
	}
	if f.name.MiddleName, err = clean(field+".middle_name", middle, 35); err != nil {
		return f, err
	}
	if f.name.Suffix, err = clean(field+".suffix", suffix, 35); err != nil {
		return f, err
	}
	switch gender {
	case "F":
		f.female = "Y"
	case "M":
		f.male = "Y"
	case "":
		f.unknownGender = "Y"
	default:
		return f, warden.FieldErrorf(warden.EINVALID, field+".gender", "%s.gender must be F, M or empty", field)
	}
	if birth.IsZero() {
		f.birthUnknown = "Y"
	} else if f.dob, err = date(field+".birth_date", birth); err != nil {
		return f, err
	}
	return f, nil
}
