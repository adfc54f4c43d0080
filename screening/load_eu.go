package screening

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// The EU Financial Sanctions Files (FSF) "full sanctions list" XML, format
// 1.1: a root <export generationDate="..."> in the namespace
// http://eu.europa.ec/fpi/fsd/export holding one <sanctionEntity> per
// designated person or enterprise, with <nameAlias>, <citizenship>,
// <birthdate>, <identification>, <address>, <regulation> and <remark>
// children whose data sit in attributes. Written from the published format
// description and tested on fixtures (screening/testdata/eu_fsf_*.xml), not
// on a real download: check a real file before relying on it.

type euEntity struct {
	LogicalID    string         `xml:"logicalId,attr"`
	EURef        string         `xml:"euReferenceNumber,attr"`
	UNID         string         `xml:"unitedNationId,attr"`
	Details      string         `xml:"designationDetails,attr"`
	Remarks      []string       `xml:"remark"`
	Regulations  []euRegulation `xml:"regulation"`
	Subject      euSubject      `xml:"subjectType"`
	Names        []euName       `xml:"nameAlias"`
	Citizenships []euPlace      `xml:"citizenship"`
	Birthdates   []euBirth      `xml:"birthdate"`
	IDs          []euID         `xml:"identification"`
	Addresses    []euPlace      `xml:"address"`
}

type euRegulation struct {
	Programme       string `xml:"programme,attr"`
	PublicationDate string `xml:"publicationDate,attr"`
}

type euSubject struct {
	Code           string `xml:"code,attr"`
	Classification string `xml:"classificationCode,attr"`
}

type euName struct {
	First    string `xml:"firstName,attr"`
	Middle   string `xml:"middleName,attr"`
	Last     string `xml:"lastName,attr"`
	Whole    string `xml:"wholeName,attr"`
	Function string `xml:"function,attr"`
	Gender   string `xml:"gender,attr"`
	Strong   string `xml:"strong,attr"`
}

// euPlace serves citizenship and address, which share the country attributes.
type euPlace struct {
	Street      string `xml:"street,attr"`
	City        string `xml:"city,attr"`
	Zip         string `xml:"zipCode,attr"`
	Region      string `xml:"region,attr"`
	Place       string `xml:"place,attr"`
	CountryISO  string `xml:"countryIso2Code,attr"`
	CountryDesc string `xml:"countryDescription,attr"`
}

type euBirth struct {
	Circa       string `xml:"circa,attr"`
	Birthdate   string `xml:"birthdate,attr"`
	Day         string `xml:"dayOfMonth,attr"`
	Month       string `xml:"monthOfYear,attr"`
	Year        string `xml:"year,attr"`
	RangeFrom   string `xml:"yearRangeFrom,attr"`
	RangeTo     string `xml:"yearRangeTo,attr"`
	City        string `xml:"city,attr"`
	Place       string `xml:"place,attr"`
	Region      string `xml:"region,attr"`
	CountryISO  string `xml:"countryIso2Code,attr"`
	CountryDesc string `xml:"countryDescription,attr"`
}

type euID struct {
	Number      string `xml:"number,attr"`
	LatinNumber string `xml:"latinNumber,attr"`
	TypeCode    string `xml:"identificationTypeCode,attr"`
	TypeDesc    string `xml:"identificationTypeDescription,attr"`
	IssuedBy    string `xml:"issuedBy,attr"`
	IssuedDate  string `xml:"issuedDate,attr"`
	CountryISO  string `xml:"countryIso2Code,attr"`
	CountryDesc string `xml:"countryDescription,attr"`
	KnownFalse  string `xml:"knownFalse,attr"`
	Diplomatic  string `xml:"diplomatic,attr"`
}

// LoadEU loads the EU consolidated financial sanctions list (FSF XML 1.1).
// The root's generationDate is the version; each sanctionEntity's logicalId
// is its id. The first nameAlias is the primary name (the format has no
// flag for it); strong="false" marks a weak alias.
func LoadEU(r io.Reader, file string) (*Snapshot, error) {
	return loadXMLList(r, file, xmlList{source: SourceEU, root: "export", versionAttr: "generationDate",
		entries: "sanctionEntity elements",
		entry: func(x *xmlReader, se *xml.StartElement, name string, line int, b *builder) (Entity, bool, error) {
			if name != "sanctionEntity" {
				return Entity{}, false, nil
			}
			var rec euEntity
			if err := x.decode(&rec, se, line); err != nil {
				return Entity{}, false, err
			}
			e, err := euToEntity(&rec, b, x.file, line)
			return e, err == nil, err
		}})
}

func euToEntity(rec *euEntity, b *builder, file string, line int) (Entity, error) {
	e := Entity{ID: strings.TrimSpace(rec.LogicalID)}
	switch strings.ToLower(rec.Subject.Code) {
	case "person":
		e.Type = TypeIndividual
	case "enterprise":
		e.Type = TypeEntity
	default:
		e.Type = TypeUnknown
		b.warnf(file, line, "entry %s: subjectType %q unknown", e.ID, rec.Subject.Code)
	}
	for _, n := range rec.Names {
		text := clean(n.Whole)
		if text == "" {
			text = joinNonEmpty(" ", clean(n.First), clean(n.Middle), clean(n.Last))
		}
		if text == "" {
			continue
		}
		kind := NameStrongAKA
		switch {
		case len(e.Names) == 0:
			kind = NamePrimary
		case strings.EqualFold(strings.TrimSpace(n.Strong), "false"):
			kind = NameWeakAKA
		}
		e.Names = appendName(e.Names, Name{Text: text, Kind: kind})
		if f := clean(n.Function); f != "" {
			e.Positions = appendUnique(e.Positions, f)
		}
		if e.Gender == "" {
			switch strings.ToUpper(strings.TrimSpace(n.Gender)) {
			case "M":
				e.Gender = "male"
			case "F":
				e.Gender = "female"
			}
		}
	}
	if len(e.Names) == 0 {
		return Entity{}, parseErrorf(file, line, "entry %q has no name", e.ID)
	}
	var nat, other countrySet
	for _, c := range rec.Citizenships {
		euCountry(&nat, c.CountryISO, c.CountryDesc)
	}
	for _, a := range rec.Addresses {
		addr := Address{Street: clean(a.Street), City: clean(joinNonEmpty(", ", a.City, a.Place)),
			Region: clean(a.Region), PostalCode: clean(a.Zip)}
		if addr.Country = euCountry(&other, a.CountryISO, a.CountryDesc); addr.Country == "" && !isNoValue(a.CountryDesc) {
			addr.CountryRaw = clean(a.CountryDesc)
		}
		if addr != (Address{}) {
			e.Addresses = append(e.Addresses, addr)
		}
	}
	for _, bd := range rec.Birthdates {
		if d, ok := euDate(bd); ok {
			e.DatesOfBirth = append(e.DatesOfBirth, d)
		} else if s := clean(bd.Birthdate + " " + bd.Year + " " + bd.RangeFrom + " " + bd.RangeTo); s != "" {
			b.warnf(file, line, "entry %s: birthdate %q not understood", e.ID, s)
		}
		if p := joinNonEmpty(", ", clean(bd.City), clean(bd.Place), clean(bd.Region), euCountryText(bd.CountryISO, bd.CountryDesc)); p != "" {
			e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, p)
		}
	}
	e.Nationalities, e.Countries = nat.codes, other.codes
	e.UnmappedCountries = appendAll(nat.unmapped, other.unmapped)
	for _, id := range rec.IDs {
		if x, ok := euIdentifier(id); ok {
			e.Identifiers = append(e.Identifiers, x)
		}
	}
	for _, reg := range rec.Regulations {
		if p := strings.TrimSpace(reg.Programme); p != "" {
			e.Programs = appendUnique(e.Programs, p)
		}
		// The entry was listed by its earliest regulation.
		if t, ok := parseISOTime(reg.PublicationDate); ok && (e.Listed.IsZero() || t.Before(e.Listed)) {
			e.Listed = t
		}
	}
	remarks := []string{prefixed("EU reference number ", clean(rec.EURef)), prefixed("UN id ", clean(rec.UNID)), clean(rec.Details)}
	for _, r := range rec.Remarks {
		remarks = append(remarks, clean(r))
	}
	e.Remarks = joinNonEmpty("\n", remarks...)
	return e, nil
}

// euCountry records a country given as an ISO code (the EU writes "00" for
// unknown) with its description as the fallback.
func euCountry(s *countrySet, iso, desc string) string {
	iso = strings.ToUpper(strings.TrimSpace(iso))
	if ValidCountryCode(iso) {
		s.codes = appendUnique(s.codes, iso)
		return iso
	}
	return s.add(clean(desc))
}

func euCountryText(iso, desc string) string {
	if d := clean(desc); d != "" && !strings.EqualFold(d, "unknown") {
		return d
	}
	if iso = strings.ToUpper(strings.TrimSpace(iso)); ValidCountryCode(iso) {
		return CountryName(iso)
	}
	return ""
}

// euDate reads a birthdate element: a full birthdate attribute, or the
// year, monthOfYear and dayOfMonth parts, or a yearRangeFrom/To range.
func euDate(bd euBirth) (PartialDate, bool) {
	var d PartialDate
	var ok bool
	switch {
	case strings.TrimSpace(bd.Birthdate) != "":
		d, ok = parseISODate(bd.Birthdate)
	case strings.TrimSpace(bd.Year) != "":
		d.Year, ok = atoiYear(strings.TrimSpace(bd.Year))
		d.Month = atoiOr0(bd.Month)
		d.Day = atoiOr0(bd.Day)
		if d.Month == 0 {
			d.Day = 0
		}
	case strings.TrimSpace(bd.RangeFrom) != "":
		var ok2 bool
		d.Year, ok = atoiYear(strings.TrimSpace(bd.RangeFrom))
		d.ToYear, ok2 = atoiYear(strings.TrimSpace(bd.RangeTo))
		ok = ok && ok2
		if d.ToYear == d.Year {
			d.ToYear = 0
		}
	}
	d.Circa = strings.EqualFold(strings.TrimSpace(bd.Circa), "true")
	return d, ok && d.Valid()
}

func atoiOr0(s string) int {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// euIdentifier maps identificationTypeCode to a kind. Codes seen in the
// format description: passport, id (national identity card), ssn,
// fiscalcode, regnumber, swiftbic, imo, other; anything else is "other"
// with the EU's description as the label.
func euIdentifier(id euID) (Identifier, bool) {
	num := clean(id.Number)
	if num == "" {
		num = clean(id.LatinNumber)
	}
	if num == "" {
		return Identifier{}, false
	}
	x := Identifier{Number: num, Label: clean(id.TypeDesc)}
	switch code := strings.ToLower(strings.TrimSpace(id.TypeCode)); code {
	case "passport":
		x.Kind = IDPassport
	case "id", "nationalid", "ssn", "birthcertificate":
		x.Kind = IDNationalID
	case "fiscalcode", "tin", "taxid", "vat":
		x.Kind = IDTaxID
	case "regnumber", "registration", "companynumber":
		x.Kind = IDRegistration
	case "swiftbic", "bic":
		x.Kind = IDSwiftBIC
	case "imo":
		x.Kind = IDIMO
	default:
		x.Kind = documentKind(x.Label)
	}
	if x.Label == "" {
		x.Label = strings.TrimSpace(id.TypeCode)
	}
	iso := strings.ToUpper(strings.TrimSpace(id.CountryISO))
	if ValidCountryCode(iso) {
		x.Country = iso
	} else if code, ok := CountryCode(clean(id.CountryDesc)); ok {
		x.Country = code
	} else if d := clean(id.CountryDesc); !isNoValue(d) {
		x.CountryName = d
	}
	var notes []string
	if strings.EqualFold(id.KnownFalse, "true") {
		notes = append(notes, "known false")
	}
	if strings.EqualFold(id.Diplomatic, "true") {
		notes = append(notes, "diplomatic")
	}
	notes = append(notes, prefixed("issued by ", clean(id.IssuedBy)), prefixed("issued ", clean(id.IssuedDate)))
	x.Note = joinNonEmpty("; ", notes...)
	return x, true
}
