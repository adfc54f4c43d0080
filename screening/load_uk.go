package screening

import (
	"io"
	"regexp"
	"strings"
	"time"
)

// The UK's OFSI Consolidated List of financial sanctions targets, CSV form
// (ConList.csv): a first line "Last Updated,DD/MM/YYYY", a header line, then
// one row per name. The rows of one target share a Group ID; "Alias Type"
// says which row is the "Primary name". Names are in Name 1 to Name 5 (given
// names) and Name 6 (surname, or an entity's whole name). Columns are found
// by header name, so both the older layout (Passport Details, NI Number) and
// the newer one (Passport Number, National Identification Number, Alias
// Quality) load. Written from OFSI's published format description and tested
// on fixtures (screening/testdata/uk_conlist_*.csv), not on a real download.

var ukRequired = []string{"Name 6", "Group Type", "Group ID"}

// ukNumbered splits "(1) Iran (2) Iraq", OFSI's way of listing several
// values in one cell.
var ukNumbered = regexp.MustCompile(`\(\d+\)`)

// LoadUK loads OFSI's consolidated list CSV. Its "Last Updated" date is the
// version; Group ID is the entity id.
func LoadUK(r io.Reader, file string) (*Snapshot, error) {
	data, err := readAllLimited(r, file)
	if err != nil {
		return nil, err
	}
	b := newBuilder(SourceUK)
	b.addFile(file, data)
	recs, err := readCSV(file, data, -1)
	if err != nil {
		return nil, err
	}
	var version string
	var published time.Time
	if len(recs) > 0 && strings.EqualFold(strings.TrimSpace(recs[0].fields[0]), "Last Updated") {
		if len(recs[0].fields) < 2 {
			return nil, parseErrorf(file, recs[0].line, "Last Updated has no date")
		}
		d, ok := parseUKDate(recs[0].fields[1])
		if !ok || d.Day == 0 {
			return nil, parseErrorf(file, recs[0].line, "Last Updated date %q is not DD/MM/YYYY", recs[0].fields[1])
		}
		published = time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		version = published.Format(time.DateOnly)
		recs = recs[1:]
	}
	if len(recs) == 0 {
		return nil, parseErrorf(file, 1, "no header row")
	}
	header := recs[0]
	col := map[string]int{}
	for i, h := range header.fields {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	for _, req := range ukRequired {
		if _, ok := col[strings.ToLower(req)]; !ok {
			return nil, parseErrorf(file, header.line, "missing column %q", req)
		}
	}
	u := ukReader{col: col, b: b, file: file, groups: map[string]int{}}
	for _, rec := range recs[1:] {
		if len(rec.fields) != len(header.fields) {
			return nil, parseErrorf(file, rec.line, "wrong number of fields: got %d, want %d", len(rec.fields), len(header.fields))
		}
		if err := u.row(rec); err != nil {
			return nil, err
		}
	}
	if len(u.entries) == 0 {
		return nil, parseErrorf(file, header.line, "list has no entries")
	}
	entities := make([]Entity, len(u.entries))
	where := make([]entityLine, len(u.entries))
	for i := range u.entries {
		x := &u.entries[i]
		x.e.Nationalities, x.e.Countries = x.nat.codes, x.other.codes
		x.e.UnmappedCountries = appendAll(x.nat.unmapped, x.other.unmapped)
		x.e.Remarks = strings.Join(x.remarks, "\n")
		var ok bool
		if x.e.Names, ok = orderNames(x.names); !ok {
			b.warnf(file, x.line, "group %s has no Primary name row; its first name is taken as primary", x.e.ID)
		}
		entities[i], where[i] = x.e, entityLine{file: file, line: x.line}
	}
	return b.finish(entities, where, version, published)
}

type ukEntry struct {
	e          Entity
	line       int
	nat, other countrySet
	names      []Name // in row order; ordered by orderNames
	remarks    []string
}

type ukReader struct {
	col     map[string]int
	b       *builder
	file    string
	entries []ukEntry
	groups  map[string]int
}

func (u *ukReader) get(f []string, name string) string {
	if i, ok := u.col[strings.ToLower(name)]; ok {
		return clean(f[i])
	}
	return ""
}

// row merges one name row into its group's entry.
func (u *ukReader) row(rec csvRecord) error {
	f := rec.fields
	gid := u.get(f, "Group ID")
	if gid == "" {
		return parseErrorf(u.file, rec.line, "row has no Group ID")
	}
	name := joinNonEmpty(" ", u.get(f, "Name 1"), u.get(f, "Name 2"), u.get(f, "Name 3"),
		u.get(f, "Name 4"), u.get(f, "Name 5"), u.get(f, "Name 6"))
	if name == "" {
		return parseErrorf(u.file, rec.line, "row of group %s has no name", gid)
	}
	i, ok := u.groups[gid]
	if !ok {
		i = len(u.entries)
		u.groups[gid] = i
		x := ukEntry{line: rec.line}
		x.e.ID = gid
		switch t := strings.ToLower(u.get(f, "Group Type")); t {
		case "individual":
			x.e.Type = TypeIndividual
		case "entity":
			x.e.Type = TypeEntity
		case "ship":
			x.e.Type = TypeVessel
		default:
			x.e.Type = TypeUnknown
			u.b.warnf(u.file, rec.line, "group %s: Group Type %q unknown", gid, t)
		}
		u.entries = append(u.entries, x)
	}
	x := &u.entries[i]

	kind := NameStrongAKA
	switch alias := strings.ToLower(u.get(f, "Alias Type")); {
	case alias == "primary name":
		kind = NamePrimary
	case strings.Contains(strings.ToLower(u.get(f, "Alias Quality")), "low"):
		kind = NameWeakAKA
	}
	x.names = append(x.names, Name{Text: name, Kind: kind})
	if s := u.get(f, "Name Non-Latin Script"); s != "" {
		x.names = append(x.names, Name{Text: s, Kind: NameStrongAKA})
	}
	u.details(x, f, rec.line)
	return nil
}

// details merges the non-name columns of a row; rows of a group repeat them.
func (u *ukReader) details(x *ukEntry, f []string, line int) {
	e := &x.e
	if s := u.get(f, "DOB"); s != "" {
		for _, v := range splitNumbered(s) {
			if d, ok := parseUKDate(v); ok {
				e.DatesOfBirth = appendDate(e.DatesOfBirth, d)
			} else {
				u.b.warnf(u.file, line, "group %s: DOB %q not understood", e.ID, v)
			}
		}
	}
	if p := joinNonEmpty(", ", u.get(f, "Town of Birth"), u.get(f, "Country of Birth")); p != "" {
		e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, p)
	}
	for _, n := range splitNumbered(u.get(f, "Nationality")) {
		x.nat.add(n)
	}
	addr := Address{Street: joinNonEmpty(", ", u.get(f, "Address 1"), u.get(f, "Address 2"), u.get(f, "Address 3"),
		u.get(f, "Address 4")), City: u.get(f, "Address 5"), Region: u.get(f, "Address 6"),
		PostalCode: u.get(f, "Post/Zip Code")}
	if c := u.get(f, "Country"); c != "" {
		if addr.Country = x.other.add(c); addr.Country == "" && !isNoValue(c) {
			addr.CountryRaw = c
		}
	}
	if addr != (Address{}) && !containsAddress(e.Addresses, addr) {
		e.Addresses = append(e.Addresses, addr)
	}
	passports := u.get(f, "Passport Number")
	if _, ok := u.col["passport number"]; !ok {
		passports = u.get(f, "Passport Details") // older layout: details only
	}
	ids := u.get(f, "National Identification Number")
	if _, ok := u.col["national identification number"]; !ok {
		ids = u.get(f, "NI Number")
	}
	for _, p := range []struct {
		text, note string
		kind       IdentifierKind
	}{{passports, u.get(f, "Passport Details"), IDPassport}, {ids, u.get(f, "National Identification Details"), IDNationalID}} {
		for _, n := range splitNumbered(p.text) {
			id := Identifier{Kind: p.kind, Number: n}
			if p.note != p.text {
				id.Note = p.note
			}
			if !containsIdentifier(e.Identifiers, id) {
				e.Identifiers = append(e.Identifiers, id)
			}
		}
	}
	for _, col := range []string{"Position"} {
		for _, v := range splitNumbered(u.get(f, col)) {
			e.Positions = appendUnique(e.Positions, v)
		}
	}
	if r := u.get(f, "Regime"); r != "" {
		e.Programs = appendUnique(e.Programs, r)
	}
	if d, ok := parseUKDate(u.get(f, "Listed On")); ok && d.Day != 0 {
		t := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		if e.Listed.IsZero() || t.Before(e.Listed) {
			e.Listed = t
		}
	}
	if o := u.get(f, "Other Information"); o != "" {
		x.remarks = appendUnique(x.remarks, o)
	}
}

// parseUKDate reads "DD/MM/YYYY", where OFSI writes 00 for an unknown day
// or month ("00/00/1964" is a year).
func parseUKDate(s string) (PartialDate, bool) {
	parts := strings.Split(strings.TrimSpace(s), "/")
	if len(parts) != 3 {
		return PartialDate{}, false
	}
	day, ok1 := atoi2(parts[0])
	month, ok2 := atoi2(parts[1])
	year, ok3 := atoiYear(parts[2])
	if !ok1 || !ok2 || !ok3 {
		return PartialDate{}, false
	}
	d := PartialDate{Year: year, Month: month, Day: day}
	if month == 0 {
		d.Day = 0
	}
	return d, d.Valid()
}

// splitNumbered splits "(1) A (2) B" into A and B; other text is one value.
func splitNumbered(s string) []string {
	var out []string
	for _, v := range ukNumbered.Split(s, -1) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// orderNames puts the first "Primary name" row first and grades any other
// primary rows as strong aliases. Without a primary row the first name is
// taken as primary (ok is false).
func orderNames(rows []Name) (names []Name, ok bool) {
	p := 0
	for i, n := range rows {
		if n.Kind == NamePrimary {
			p, ok = i, true
			break
		}
	}
	names = []Name{{Text: rows[p].Text, Kind: NamePrimary}}
	for i, n := range rows {
		if i == p {
			continue
		}
		if n.Kind == NamePrimary {
			n.Kind = NameStrongAKA
		}
		names = appendName(names, n)
	}
	return names, ok
}

func appendDate(ds []PartialDate, d PartialDate) []PartialDate {
	for _, x := range ds {
		if x == d {
			return ds
		}
	}
	return append(ds, d)
}

func containsAddress(as []Address, a Address) bool {
	for _, x := range as {
		if x == a {
			return true
		}
	}
	return false
}

func containsIdentifier(ids []Identifier, id Identifier) bool {
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}
