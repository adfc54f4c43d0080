package screening

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// OwnList is the kind of a list the institution keeps itself.
type OwnList string

const (
	OwnBlocklist OwnList = "blocklist" // parties the institution will not serve
	OwnPEP       OwnList = "pep"       // politically exposed persons; every entry has a role
)

func (k OwnList) source() (string, error) {
	switch k {
	case OwnBlocklist:
		return SourceOwnBlocklist, nil
	case OwnPEP:
		return SourceOwnPEP, nil
	}
	return "", fmt.Errorf("screening: unknown own list kind %q", string(k))
}

// ownEntry is one entry of an own list, in the JSON form of docs/lists.md.
// The CSV form maps its columns onto the same fields, "|" separating values.
type ownEntry struct {
	ID            string   `json:"id"`
	Type          string   `json:"type"`
	Name          string   `json:"name"`
	Aliases       []string `json:"aliases"`
	WeakAliases   []string `json:"weak_aliases"`
	FormerNames   []string `json:"former_names"`
	DatesOfBirth  []string `json:"dates_of_birth"`
	PlacesOfBirth []string `json:"places_of_birth"`
	Nationalities []string `json:"nationalities"`
	Countries     []string `json:"countries"`
	Identifiers   []ownID  `json:"identifiers"`
	Programs      []string `json:"programs"`
	Remarks       string   `json:"remarks"`
	Listed        string   `json:"listed"`
	PEP           *ownPEP  `json:"pep"`
}

type ownID struct {
	Kind    string `json:"kind"`
	Number  string `json:"number"`
	Country string `json:"country"`
}

type ownPEP struct {
	Role    string `json:"role"`
	Country string `json:"country"`
	Level   string `json:"level"`
	Scope   string `json:"scope"`
}

var ownCSVColumns = []string{"id", "type", "name", "aliases", "weak_aliases", "former_names",
	"dates_of_birth", "places_of_birth", "nationalities", "countries", "identifiers", "programs",
	"remarks", "listed", "pep_role", "pep_country", "pep_level", "pep_scope"}

// LoadOwnCSV loads an own list in the CSV form of docs/lists.md: a header
// row naming the columns (any order; id, type and name required; an unknown
// column is an error, since a misspelt one would silently lose data), then
// one row per entry.
func LoadOwnCSV(r io.Reader, file string, kind OwnList) (*Snapshot, error) {
	source, err := kind.source()
	if err != nil {
		return nil, err
	}
	data, err := readAllLimited(r, file)
	if err != nil {
		return nil, err
	}
	b := newBuilder(source)
	b.addFile(file, data)
	recs, err := readCSV(file, data, 0)
	if err != nil {
		return nil, err
	}
	if len(recs) == 0 {
		return nil, parseErrorf(file, 1, "no header row")
	}
	col := map[string]int{}
	for i, h := range recs[0].fields {
		h = strings.ToLower(strings.TrimSpace(h))
		if !slices.Contains(ownCSVColumns, h) {
			return nil, parseErrorf(file, recs[0].line, "unknown column %q", h)
		}
		if _, dup := col[h]; dup {
			return nil, parseErrorf(file, recs[0].line, "column %q appears twice", h)
		}
		col[h] = i
	}
	for _, req := range []string{"id", "type", "name"} {
		if _, ok := col[req]; !ok {
			return nil, parseErrorf(file, recs[0].line, "missing column %q", req)
		}
	}
	get := func(f []string, name string) string {
		if i, ok := col[name]; ok {
			return strings.TrimSpace(f[i])
		}
		return ""
	}
	list := func(f []string, name string) []string { return splitList(get(f, name)) }

	var entities []Entity
	var where []entityLine
	for _, rec := range recs[1:] {
		f := rec.fields
		o := ownEntry{ID: get(f, "id"), Type: get(f, "type"), Name: get(f, "name"),
			Aliases: list(f, "aliases"), WeakAliases: list(f, "weak_aliases"), FormerNames: list(f, "former_names"),
			DatesOfBirth: list(f, "dates_of_birth"), PlacesOfBirth: list(f, "places_of_birth"),
			Nationalities: list(f, "nationalities"), Countries: list(f, "countries"),
			Programs: list(f, "programs"), Remarks: get(f, "remarks"), Listed: get(f, "listed")}
		for _, s := range list(f, "identifiers") {
			id, err := parseOwnIDText(s)
			if err != nil {
				return nil, wrapParseError(file, rec.line, err, "entry %q", o.ID)
			}
			o.Identifiers = append(o.Identifiers, id)
		}
		if p := (ownPEP{Role: get(f, "pep_role"), Country: get(f, "pep_country"),
			Level: get(f, "pep_level"), Scope: get(f, "pep_scope")}); p != (ownPEP{}) {
			o.PEP = &p
		}
		e, err := o.entity(kind)
		if err != nil {
			return nil, wrapParseError(file, rec.line, err, "entry %q", o.ID)
		}
		entities = append(entities, e)
		where = append(where, entityLine{file: file, line: rec.line})
	}
	return b.finish(entities, where, "", time.Time{})
}

// LoadOwnJSON loads an own list in the JSON form of docs/lists.md: an object
// with an optional "version" and "published_at" and an array "entries".
// Unknown fields are errors, for the same reason as unknown CSV columns.
// The object is read token by token so that an error names its line.
func LoadOwnJSON(r io.Reader, file string, kind OwnList) (*Snapshot, error) {
	source, err := kind.source()
	if err != nil {
		return nil, err
	}
	data, err := readAllLimited(r, file)
	if err != nil {
		return nil, err
	}
	b := newBuilder(source)
	b.addFile(file, data)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	fail := func(err error) (*Snapshot, error) { return nil, jsonError(file, data, err) }

	if tok, err := dec.Token(); err != nil {
		return fail(err)
	} else if tok != json.Delim('{') {
		return nil, parseErrorf(file, 1, "not a JSON object")
	}
	var (
		version    string
		published  time.Time
		entities   []Entity
		where      []entityLine
		sawEntries bool
	)
	for dec.More() {
		keyOff := skipSep(data, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		switch key, _ := tok.(string); key {
		case "version":
			err = dec.Decode(&version)
		case "published_at":
			err = dec.Decode(&published)
		case "entries":
			if sawEntries {
				return nil, parseErrorf(file, lineOf(data, keyOff), `"entries" appears twice`)
			}
			sawEntries = true
			entities, where, err = decodeOwnEntries(dec, data, file, kind)
		default:
			return nil, parseErrorf(file, lineOf(data, keyOff), "unknown field %q", key)
		}
		if err != nil {
			var pe *ParseError
			if errors.As(err, &pe) {
				return nil, err
			}
			return fail(err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return fail(err)
	}
	if off := dec.InputOffset(); len(bytes.TrimSpace(data[off:])) != 0 {
		return nil, parseErrorf(file, lineOf(data, skipSep(data, off)), "data after the JSON object")
	}
	if !sawEntries {
		return nil, parseErrorf(file, 1, `missing "entries"`)
	}
	return b.finish(entities, where, strings.TrimSpace(version), published.UTC())
}

// decodeOwnEntries reads the "entries" array, entry by entry.
func decodeOwnEntries(dec *json.Decoder, data []byte, file string, kind OwnList) ([]Entity, []entityLine, error) {
	off := dec.InputOffset()
	if tok, err := dec.Token(); err != nil {
		return nil, nil, err
	} else if tok != json.Delim('[') {
		return nil, nil, parseErrorf(file, lineOf(data, off), `"entries" is not an array`)
	}
	var entities []Entity
	var where []entityLine
	for dec.More() {
		// InputOffset is just past the previous value; step over the comma
		// and white space to the entry's first line. Errors inside an entry
		// are reported at that line: encoding/json's offsets within a
		// streamed value are not reliable enough to do better.
		line := lineOf(data, skipSep(data, dec.InputOffset()))
		var o ownEntry
		if err := dec.Decode(&o); err != nil {
			return nil, nil, jsonErrorAt(file, line, err)
		}
		e, err := o.entity(kind)
		if err != nil {
			return nil, nil, wrapParseError(file, line, err, "entry %q", o.ID)
		}
		entities = append(entities, e)
		where = append(where, entityLine{file: file, line: line})
	}
	if _, err := dec.Token(); err != nil { // the closing bracket
		return nil, nil, err
	}
	return entities, where, nil
}

// jsonErrorAt reports a decoding error inside the entry starting at line.
func jsonErrorAt(file string, line int, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return wrapParseError(file, line, err, "malformed JSON in the entry starting here")
	case errors.As(err, &typ):
		return wrapParseError(file, line, err, "wrong JSON type in the entry starting here")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return wrapParseError(file, line, err, "truncated JSON in the entry starting here")
	}
	return wrapParseError(file, line, err, "invalid entry")
}

func jsonError(file string, data []byte, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return wrapParseError(file, lineOf(data, syn.Offset), err, "malformed JSON")
	case errors.As(err, &typ):
		return wrapParseError(file, lineOf(data, typ.Offset), err, "wrong JSON type")
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return wrapParseError(file, lineOf(data, int64(len(data))), err, "truncated JSON")
	}
	return wrapParseError(file, 0, err, "invalid JSON")
}

// skipSep moves an offset past JSON separators and white space.
func skipSep(data []byte, off int64) int64 {
	for off >= 0 && off < int64(len(data)) && strings.IndexByte(", \t\r\n", data[off]) >= 0 {
		off++
	}
	return off
}

// lineOf returns the 1-based line of a byte offset.
func lineOf(data []byte, off int64) int {
	off = max(0, min(off, int64(len(data))))
	return 1 + bytes.Count(data[:off], []byte{'\n'})
}

// splitList splits a CSV cell on "|", dropping empty values.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, "|") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// parseOwnIDText reads "kind:number" or "kind:number:CC".
func parseOwnIDText(s string) (ownID, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok {
		return ownID{}, fmt.Errorf("identifier %q is not kind:number[:country]", s)
	}
	id := ownID{Kind: strings.TrimSpace(kind), Number: strings.TrimSpace(rest)}
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && len(strings.TrimSpace(rest[i+1:])) == 2 {
		id.Number, id.Country = strings.TrimSpace(rest[:i]), strings.TrimSpace(rest[i+1:])
	}
	return id, nil
}

// entity validates an own entry and converts it. Own lists are curated by
// the institution, so they are held to a stricter standard than published
// lists: an unknown country, type or identifier kind is an error to fix at
// the source rather than a value kept verbatim.
func (o *ownEntry) entity(kind OwnList) (Entity, error) {
	e := Entity{ID: strings.TrimSpace(o.ID), Remarks: strings.TrimSpace(o.Remarks)}
	if e.ID == "" {
		return Entity{}, errors.New("no id")
	}
	switch t := EntityType(strings.ToLower(strings.TrimSpace(o.Type))); t {
	case TypeIndividual, TypeEntity, TypeVessel, TypeAircraft:
		e.Type = t
	default:
		return Entity{}, fmt.Errorf("type %q is not individual, entity, vessel or aircraft", o.Type)
	}
	name := strings.TrimSpace(o.Name)
	if name == "" {
		return Entity{}, errors.New("no name")
	}
	e.Names = []Name{{Text: name, Kind: NamePrimary}}
	for _, g := range []struct {
		names []string
		kind  NameKind
	}{{o.Aliases, NameStrongAKA}, {o.WeakAliases, NameWeakAKA}, {o.FormerNames, NameFKA}} {
		for _, n := range g.names {
			if n = strings.TrimSpace(n); n != "" {
				e.Names = appendName(e.Names, Name{Text: n, Kind: g.kind})
			}
		}
	}
	for _, s := range o.DatesOfBirth {
		d, ok := parseOwnDate(s)
		if !ok {
			return Entity{}, fmt.Errorf("date of birth %q is not YYYY, YYYY-MM or YYYY-MM-DD (~ for circa, A/B for a range)", s)
		}
		e.DatesOfBirth = append(e.DatesOfBirth, d)
	}
	for _, p := range o.PlacesOfBirth {
		if p = strings.TrimSpace(p); p != "" {
			e.PlacesOfBirth = append(e.PlacesOfBirth, p)
		}
	}
	var err error
	if e.Nationalities, err = ownCountries(o.Nationalities); err != nil {
		return Entity{}, err
	}
	if e.Countries, err = ownCountries(o.Countries); err != nil {
		return Entity{}, err
	}
	for _, id := range o.Identifiers {
		k := IdentifierKind(strings.ToLower(strings.TrimSpace(id.Kind)))
		if !slices.Contains([]IdentifierKind{IDPassport, IDNationalID, IDTaxID, IDIMO, IDMMSI, IDSwiftBIC, IDRegistration, IDOther}, k) {
			return Entity{}, fmt.Errorf("identifier kind %q is unknown", id.Kind)
		}
		x := Identifier{Kind: k, Number: strings.TrimSpace(id.Number)}
		if x.Number == "" {
			return Entity{}, fmt.Errorf("identifier of kind %s has no number", k)
		}
		if c := strings.TrimSpace(id.Country); c != "" {
			code, ok := CountryCode(c)
			if !ok {
				return Entity{}, fmt.Errorf("identifier country %q is not a known country", c)
			}
			x.Country = code
		}
		e.Identifiers = append(e.Identifiers, x)
	}
	for _, p := range o.Programs {
		if p = strings.TrimSpace(p); p != "" {
			e.Programs = appendUnique(e.Programs, p)
		}
	}
	if l := strings.TrimSpace(o.Listed); l != "" {
		t, ok := parseISOTime(l)
		if !ok || len(l) != len("2006-01-02") {
			return Entity{}, fmt.Errorf("listed %q is not YYYY-MM-DD", l)
		}
		e.Listed = t
	}
	if o.PEP != nil {
		p, err := o.PEP.info()
		if err != nil {
			return Entity{}, err
		}
		e.PEP = p
	}
	if kind == OwnPEP && e.PEP == nil {
		return Entity{}, errors.New("a PEP list entry needs pep_role, pep_country and pep_level")
	}
	return e, nil
}

func (p *ownPEP) info() (*PEPInfo, error) {
	info := &PEPInfo{Role: strings.TrimSpace(p.Role), Level: strings.ToLower(strings.TrimSpace(p.Level)),
		Scope: strings.ToLower(strings.TrimSpace(p.Scope))}
	if info.Role == "" {
		return nil, errors.New("PEP has no role")
	}
	code, ok := CountryCode(strings.TrimSpace(p.Country))
	if !ok {
		return nil, fmt.Errorf("PEP country %q is not a known country", p.Country)
	}
	info.Country = code
	switch info.Level {
	case PEPLevelNational, PEPLevelRegional, PEPLevelLocal, PEPLevelInternational:
	default:
		return nil, fmt.Errorf("PEP level %q is not national, regional, local or international_org", p.Level)
	}
	switch info.Scope {
	case "", PEPScopeDomestic, PEPScopeForeign:
	default:
		return nil, fmt.Errorf("PEP scope %q is not domestic or foreign", p.Scope)
	}
	return info, nil
}

func ownCountries(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		code, ok := CountryCode(n)
		if !ok {
			return nil, fmt.Errorf("country %q is not a known country", n)
		}
		out = appendUnique(out, code)
	}
	return out, nil
}

// parseOwnDate reads the own-list date syntax: an ISO date, year-month or
// year, "~" before it for circa, and "A/B" for a range.
func parseOwnDate(s string) (PartialDate, bool) {
	s = strings.TrimSpace(s)
	circa := strings.HasPrefix(s, "~")
	s = strings.TrimPrefix(s, "~")
	from, to, isRange := strings.Cut(s, "/")
	d, ok := parseISODate(from)
	if !ok || len(strings.TrimSpace(from)) > len("2006-01-02") {
		return PartialDate{}, false
	}
	if isRange {
		t, ok := parseISODate(to)
		if !ok || len(strings.TrimSpace(to)) > len("2006-01-02") {
			return PartialDate{}, false
		}
		d.ToYear, d.ToMonth, d.ToDay = t.Year, t.Month, t.Day
	}
	d.Circa = circa
	return d, d.Valid()
}
