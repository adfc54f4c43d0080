package screening

import (
	"encoding/csv"
	"strings"
	"testing"
)

func TestCountryTable(t *testing.T) {
	rows, err := csv.NewReader(strings.NewReader(countriesCSV)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	owner := map[string]string{}
	for _, r := range rows[1:] {
		code, name := r[0], r[1]
		if len(code) != 2 || strings.ToUpper(code) != code || name == "" {
			t.Errorf("bad row %q", r)
		}
		codes[code] = true
		// One normalised name must not mean two countries.
		if prev, ok := owner[normCountry(name)]; ok && prev != code {
			t.Errorf("%q maps to both %s and %s", name, prev, code)
		}
		owner[normCountry(name)] = code
	}
	// ISO 3166-1 has 249 officially assigned codes; XK (Kosovo) is the one
	// user-assigned code added.
	if len(codes) != 250 || !codes["XK"] {
		t.Errorf("%d codes", len(codes))
	}
}

func TestCountryCode(t *testing.T) {
	cases := map[string]string{
		// OFAC spellings
		"Cuba": "CU", "Iran": "IR", "Korea, North": "KP", "Korea, South": "KR", "Russia": "RU", "Syria": "SY",
		"Burma": "MM", "Congo, Democratic Republic of the": "CD", "Congo, Republic of the": "CG",
		"Cote d Ivoire": "CI", "Bahamas, The": "BS", "The Gambia": "GM", "Virgin Islands, British": "VG",
		"Macau": "MO", "Palestinian": "PS", "West Bank": "PS", "Kosovo": "XK", "Laos": "LA", "Brunei": "BN",
		"Macedonia, The Former Yugoslav Republic of": "MK", "Czech Republic": "CZ", "Turkey": "TR", "Hong Kong": "HK",
		// UN spellings
		"Iran (Islamic Republic of)": "IR", "Democratic People's Republic of Korea": "KP", "Russian Federation": "RU",
		"Syrian Arab Republic": "SY", "United Republic of Tanzania": "TZ", "Viet Nam": "VN", "Türkiye": "TR",
		"United Kingdom of Great Britain and Northern Ireland": "GB", "State of Palestine": "PS", "Myanmar": "MM",
		"China, Hong Kong Special Administrative Region": "HK", "British Virgin Islands": "VG",
		// case, accents, punctuation and codes
		"CÔTE D’IVOIRE": "CI", "  united states  ": "US", "Trinidad & Tobago": "TT", "Cabo Verde.": "CV", "DE": "DE",
	}
	for name, want := range cases {
		if got, ok := CountryCode(name); !ok || got != want {
			t.Errorf("CountryCode(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
	// Regions, historical states and placeholders are not countries; "na"
	// is the UN's "not available", not Namibia.
	for _, name := range []string{"Region: Crimea", "former Soviet Union", "Netherlands Antilles", "na", "de", "Korea", "", "undetermined"} {
		if code, ok := CountryCode(name); ok {
			t.Errorf("CountryCode(%q) = %q", name, code)
		}
	}
	if CountryName("KP") != "North Korea" || CountryName("ZZ") != "" {
		t.Errorf("CountryName: %q", CountryName("KP"))
	}
}
