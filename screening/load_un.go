package screening

import (
	"encoding/xml"
	"io"
	"strings"
)

// unRecord is an INDIVIDUAL or an ENTITY of the UN Security Council
// consolidated list (schema sc-sanctions.xsd). Both share one struct: the
// fields of the other kind simply stay empty.
type unRecord struct {
	First          string      `xml:"FIRST_NAME"`
	Second         string      `xml:"SECOND_NAME"`
	Third          string      `xml:"THIRD_NAME"`
	Fourth         string      `xml:"FOURTH_NAME"`
	ListType       string      `xml:"UN_LIST_TYPE"`
	Reference      string      `xml:"REFERENCE_NUMBER"`
	ListedOn       string      `xml:"LISTED_ON"`
	OriginalScript string      `xml:"NAME_ORIGINAL_SCRIPT"`
	Comments       string      `xml:"COMMENTS1"`
	Gender         string      `xml:"GENDER"`
	Designations   []string    `xml:"DESIGNATION>VALUE"`
	Nationalities  []string    `xml:"NATIONALITY>VALUE"`
	Aliases        []unAlias   `xml:"INDIVIDUAL_ALIAS"`
	EntityAliases  []unAlias   `xml:"ENTITY_ALIAS"`
	Addresses      []unAddress `xml:"INDIVIDUAL_ADDRESS"`
	EntityAddrs    []unAddress `xml:"ENTITY_ADDRESS"`
	DOBs           []unDOB     `xml:"INDIVIDUAL_DATE_OF_BIRTH"`
	POBs           []unAddress `xml:"INDIVIDUAL_PLACE_OF_BIRTH"`
	Documents      []unDoc     `xml:"INDIVIDUAL_DOCUMENT"`
}

type unAlias struct {
	Quality string `xml:"QUALITY"`
	Name    string `xml:"ALIAS_NAME"`
	DOB     string `xml:"DATE_OF_BIRTH"`
}

type unAddress struct {
	Street  string `xml:"STREET"`
	City    string `xml:"CITY"`
	State   string `xml:"STATE_PROVINCE"`
	Zip     string `xml:"ZIP_CODE"`
	Country string `xml:"COUNTRY"`
}

type unDOB struct {
	Type     string `xml:"TYPE_OF_DATE"`
	Date     string `xml:"DATE"`
	Year     string `xml:"YEAR"`
	FromYear string `xml:"FROM_YEAR"`
	ToYear   string `xml:"TO_YEAR"`
	Note     string `xml:"NOTE"`
}

type unDoc struct {
	Type           string `xml:"TYPE_OF_DOCUMENT"`
	Type2          string `xml:"TYPE_OF_DOCUMENT2"`
	Number         string `xml:"NUMBER"`
	IssuingCountry string `xml:"ISSUING_COUNTRY"`
	CountryOfIssue string `xml:"COUNTRY_OF_ISSUE"`
	DateOfIssue    string `xml:"DATE_OF_ISSUE"`
	Note           string `xml:"NOTE"`
}

// LoadUN loads the UN Security Council consolidated list XML. file names the
// input in errors and in the snapshot's file list. The root's dateGenerated
// attribute is the version; each entry's REFERENCE_NUMBER (e.g. "QDi.001")
// is its id.
func LoadUN(r io.Reader, file string) (*Snapshot, error) {
	return loadXMLList(r, file, xmlList{source: SourceUN, root: "CONSOLIDATED_LIST", versionAttr: "dateGenerated",
		entries: "INDIVIDUAL or ENTITY entries",
		entry: func(x *xmlReader, se *xml.StartElement, name string, line int, b *builder) (Entity, bool, error) {
			if name != "INDIVIDUAL" && name != "ENTITY" {
				return Entity{}, false, nil
			}
			var rec unRecord
			if err := x.decode(&rec, se, line); err != nil {
				return Entity{}, false, err
			}
			e, err := unEntity(&rec, name == "INDIVIDUAL", b, x.file, line)
			return e, err == nil, err
		}})
}

// unEntity converts one record.
func unEntity(rec *unRecord, individual bool, b *builder, file string, line int) (Entity, error) {
	e := Entity{ID: strings.TrimSpace(rec.Reference), Type: TypeEntity}
	primary := joinNonEmpty(" ", rec.First, rec.Second, rec.Third, rec.Fourth)
	if primary == "" {
		return Entity{}, parseErrorf(file, line, "entry %q has no name", e.ID)
	}
	e.Names = []Name{{Text: primary, Kind: NamePrimary}}
	if individual {
		e.Type = TypeIndividual
	}
	if s := clean(rec.OriginalScript); s != "" {
		e.Names = appendName(e.Names, Name{Text: s, Kind: NameStrongAKA})
	}
	for _, a := range append(rec.Aliases, rec.EntityAliases...) {
		n := clean(a.Name)
		if n == "" {
			continue // the UN writes an empty alias element for "none"
		}
		var kind NameKind
		switch q := strings.ToLower(clean(a.Quality)); q {
		case "good", "a.k.a.", "n.k.a.":
			kind = NameStrongAKA
		case "low":
			kind = NameWeakAKA
		case "f.k.a.":
			kind = NameFKA
		default:
			// Err towards matching: an alias of unknown quality is treated as
			// strong, and said so.
			kind = NameStrongAKA
			b.warnf(file, line, "entry %s: alias %q has unknown quality %q, graded strong", e.ID, n, q)
		}
		e.Names = appendName(e.Names, Name{Text: n, Kind: kind})
		if d, ok := parseISODate(a.DOB); ok {
			e.DatesOfBirth = append(e.DatesOfBirth, d)
		}
	}
	if g := strings.ToLower(clean(rec.Gender)); g == "male" || g == "female" {
		e.Gender = g
	}
	for _, d := range rec.DOBs {
		if dob, ok := unDate(d); ok {
			e.DatesOfBirth = append(e.DatesOfBirth, dob)
		} else if text := clean(d.Date + " " + d.Year + " " + d.FromYear + " " + d.ToYear + " " + d.Note); text != "" {
			b.warnf(file, line, "entry %s: date of birth not understood: %q", e.ID, text)
		}
	}
	for _, p := range rec.POBs {
		if s := joinNonEmpty(", ", p.Street, p.City, p.State, p.Country); s != "" {
			e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, s)
		}
	}
	var nat, other countrySet
	for _, n := range rec.Nationalities {
		nat.add(clean(n))
	}
	for _, a := range append(rec.Addresses, rec.EntityAddrs...) {
		addr := Address{Street: clean(a.Street), City: clean(a.City), Region: clean(a.State), PostalCode: clean(a.Zip)}
		if c := clean(a.Country); c != "" {
			if addr.Country = other.add(c); addr.Country == "" && !isNoValue(c) {
				addr.CountryRaw = c
			}
		}
		if addr != (Address{}) {
			e.Addresses = append(e.Addresses, addr)
		}
	}
	e.Nationalities, e.Countries = nat.codes, other.codes
	e.UnmappedCountries = appendAll(nat.unmapped, other.unmapped)

	remarks := []string{clean(rec.Comments)}
	for _, d := range rec.Documents {
		id, ok := unIdentifier(d)
		if ok {
			e.Identifiers = append(e.Identifiers, id)
		} else if note := clean(d.Note); note != "" {
			// A document whose number the UN wrote only in prose: keep the
			// prose where an analyst will read it.
			remarks = append(remarks, "Document "+joinNonEmpty(" ", clean(d.Type), clean(d.Type2))+": "+note)
		}
	}
	e.Remarks = joinNonEmpty("\n", remarks...)
	if l := clean(rec.ListType); l != "" {
		e.Programs = []string{l}
	}
	for _, d := range rec.Designations {
		if d = clean(d); d != "" {
			e.Positions = appendUnique(e.Positions, d)
		}
	}
	if t, ok := parseISOTime(rec.ListedOn); ok {
		e.Listed = t
	} else if clean(rec.ListedOn) != "" {
		b.warnf(file, line, "entry %s: LISTED_ON %q not understood", e.ID, rec.ListedOn)
	}
	return e, nil
}

// unDate reads INDIVIDUAL_DATE_OF_BIRTH: TYPE_OF_DATE EXACT, APPROXIMATELY or
// BETWEEN with DATE, YEAR or FROM_YEAR/TO_YEAR. A date given only in NOTE as
// "Nov. 1973" or "August 1961" is read too.
func unDate(d unDOB) (PartialDate, bool) {
	typ := strings.ToUpper(clean(d.Type))
	approx := typ == "APPROXIMATELY" || strings.Contains(strings.ToLower(d.Note), "approx")
	var pd PartialDate
	var ok bool
	switch {
	case clean(d.Date) != "":
		pd, ok = parseISODate(clean(d.Date))
	case clean(d.FromYear) != "" || clean(d.ToYear) != "":
		from, ok1 := atoiYear(clean(d.FromYear))
		to, ok2 := atoiYear(clean(d.ToYear))
		pd, ok = PartialDate{Year: from, ToYear: to}, ok1 && ok2
		if ok && from == to {
			pd.ToYear = 0
		}
	case clean(d.Year) != "":
		pd.Year, ok = atoiYear(clean(d.Year))
	case clean(d.Note) != "":
		var y, m, day int
		y, m, day, ok = parseDMY(clean(d.Note))
		pd = PartialDate{Year: y, Month: m, Day: day}
	}
	if !ok || !pd.Valid() {
		return PartialDate{}, false
	}
	pd.Circa = approx
	return pd, true
}

// unIdentifier reads an INDIVIDUAL_DOCUMENT that has a number.
func unIdentifier(d unDoc) (Identifier, bool) {
	num := clean(d.Number)
	if num == "" {
		return Identifier{}, false
	}
	label := joinNonEmpty(", ", clean(d.Type), clean(d.Type2))
	id := Identifier{Kind: documentKind(label), Label: label, Number: num}
	country := clean(d.IssuingCountry)
	if country == "" {
		country = clean(d.CountryOfIssue)
	}
	if code, ok := CountryCode(country); ok {
		id.Country = code
	} else if !isNoValue(country) {
		id.CountryName = country
	}
	id.Note = joinNonEmpty("; ", prefixed("issued ", clean(d.DateOfIssue)), clean(d.Note))
	return id, true
}

// documentKind classifies a document by its (multilingual) type text.
func documentKind(label string) IdentifierKind {
	l := strings.ToLower(label)
	switch {
	case strings.Contains(l, "passport"), strings.Contains(l, "passeport"), strings.Contains(l, "pasaporte"):
		return IDPassport
	case strings.Contains(l, "national identification"), strings.Contains(l, "identity card"),
		strings.Contains(l, "id card"), strings.Contains(l, "national id"):
		return IDNationalID
	case strings.Contains(l, "tax"), strings.Contains(l, "fiscal"):
		return IDTaxID
	case strings.Contains(l, "imo"):
		return IDIMO
	case strings.Contains(l, "registration"):
		return IDRegistration
	}
	return IDOther
}

// clean collapses the runs of spaces and newlines the UN file has inside values.
func clean(s string) string { return strings.Join(strings.Fields(s), " ") }

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}
