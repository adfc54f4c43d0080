package screening

import (
	_ "embed"
	"encoding/csv"
	"strings"
	"unicode"
)

// countriesCSV is the ISO 3166-1 table: every alpha-2 code with its English
// short name first, then the ISO full and common names, then the variants
// the lists use ("Korea, North", "Burma", "Iran (Islamic Republic of)",
// "Palestinian"). It was generated from Debian's iso-codes (iso_3166-1.json)
// and extended by hand; XK (Kosovo) is a user-assigned code in general use.
//
//go:embed countries.csv
var countriesCSV string

// countryTable is built once at start and never written afterwards.
var countryTable = buildCountryTable(countriesCSV)

type countries struct {
	byName map[string]string // normalised name -> alpha-2
	names  map[string]string // alpha-2 -> English short name
}

func buildCountryTable(src string) countries {
	rows, err := csv.NewReader(strings.NewReader(src)).ReadAll()
	if err != nil {
		panic("screening: embedded countries.csv: " + err.Error()) // a build defect, caught by every test
	}
	t := countries{byName: make(map[string]string), names: make(map[string]string)}
	for _, r := range rows[1:] {
		code, name := r[0], r[1]
		if _, ok := t.names[code]; !ok {
			t.names[code] = name
		}
		t.byName[normCountry(name)] = code
	}
	return t
}

// CountryCode maps an English country name (ISO, OFAC or UN spelling) or an
// upper-case ISO alpha-2 code to the alpha-2 code. Regions ("Region: Crimea"),
// historical states and unknown names return false: the caller keeps them
// verbatim.
func CountryCode(name string) (string, bool) {
	name = strings.TrimSpace(name)
	if len(name) == 2 && name == strings.ToUpper(name) {
		if _, ok := countryTable.names[name]; ok {
			return name, true
		}
	}
	code, ok := countryTable.byName[normCountry(name)]
	return code, ok
}

// CountryName returns the English short name of an alpha-2 code, or "".
func CountryName(code string) string { return countryTable.names[code] }

// ValidCountryCode reports whether code is in the table.
func ValidCountryCode(code string) bool {
	_, ok := countryTable.names[code]
	return ok
}

// foldAccents covers the accented letters that occur in country names
// ("Côte d'Ivoire", "Türkiye", "Curaçao", "Réunion", "Åland").
var foldAccents = strings.NewReplacer(
	"á", "a", "à", "a", "â", "a", "ä", "a", "ã", "a", "å", "a",
	"é", "e", "è", "e", "ê", "e", "ë", "e",
	"í", "i", "ì", "i", "î", "i", "ï", "i",
	"ó", "o", "ò", "o", "ô", "o", "ö", "o", "õ", "o",
	"ú", "u", "ù", "u", "û", "u", "ü", "u",
	"ç", "c", "ñ", "n", "ÿ", "y", "ý", "y",
)

// normCountry folds case, accents, punctuation and spacing so that
// "Cote d Ivoire", "Côte d'Ivoire" and "COTE D'IVOIRE." compare equal.
func normCountry(s string) string {
	s = foldAccents.Replace(strings.ToLower(s))
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		case r == '&':
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString("and")
			space = true
		default: // punctuation and spaces separate words
			space = true
		}
	}
	return b.String()
}

// countrySet accumulates mapped codes and unmapped names without duplicates,
// in first-seen order.
type countrySet struct {
	codes    []string
	unmapped []string
}

// add maps name and records it; it returns the code ("" when unmapped or
// empty). Placeholders that mean "no value" are ignored.
func (s *countrySet) add(name string) string {
	name = strings.TrimSpace(name)
	if isNoValue(name) {
		return ""
	}
	if code, ok := CountryCode(name); ok {
		s.codes = appendUnique(s.codes, code)
		return code
	}
	s.unmapped = appendUnique(s.unmapped, name)
	return ""
}

// isNoValue reports the placeholders lists write for an empty field.
func isNoValue(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "-0-", "na", "n/a", "none", "unknown", "undetermined":
		return true
	}
	return false
}

func appendUnique(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
