package document

import (
	"reflect"
	"testing"
	"time"
)

func TestCrossCheck(t *testing.T) {
	base := func() *MRZ {
		m, err := ParseMRZAt(td3L1+"\n"+td3L2, testNow)
		if err != nil {
			t.Fatal(err)
		}
		m.Expiry = day(2030, 1, 1)
		return m
	}
	anna := Person{Surname: "Eriksson", GivenNames: "Anna Maria", DateOfBirth: day(1974, 8, 12), Nationality: "UTO"}
	type want struct{ field, severity string }
	for _, tc := range []struct {
		name   string
		mrz    func(*MRZ)
		record func(*Person)
		now    time.Time
		want   []want
	}{
		{name: "all agree"},
		{name: "mixed case and punctuation", record: func(p *Person) { p.Surname = " eriksson "; p.GivenNames = "Anna-Maria" }},
		{name: "record with diacritics", mrz: func(m *MRZ) { m.Surname = "MULLER" }, record: func(p *Person) { p.Surname = "Müller" }},
		{name: "ICAO umlaut expansion", mrz: func(m *MRZ) { m.Surname = "MUELLER" }, record: func(p *Person) { p.Surname = "Müller" }},
		{name: "eszett", mrz: func(m *MRZ) { m.Surname = "STRASSE" }, record: func(p *Person) { p.Surname = "Straße" }},
		{name: "decomposed accents", mrz: func(m *MRZ) { m.GivenNames = "JOSE" }, record: func(p *Person) { p.GivenNames = "Jose\u0301" }},
		{name: "scandinavian o slash", mrz: func(m *MRZ) { m.Surname = "SOERENSEN" }, record: func(p *Person) { p.Surname = "Sørensen" }},
		{name: "wrong expansion", mrz: func(m *MRZ) { m.Surname = "MUILLER" }, record: func(p *Person) { p.Surname = "Müller" },
			want: []want{{"surname", SeverityMismatch}}},
		{name: "truncated MRZ name accepted as prefix", mrz: func(m *MRZ) { m.GivenNames = "ANNA MA"; m.NameTruncated = true }},
		{name: "prefix not accepted without truncation", mrz: func(m *MRZ) { m.GivenNames = "ANNA MA" },
			want: []want{{"given_names", SeverityMismatch}}},
		{name: "surname mismatch", record: func(p *Person) { p.Surname = "Eriksen" }, want: []want{{"surname", SeverityMismatch}}},
		{name: "names swapped", record: func(p *Person) { p.Surname, p.GivenNames = p.GivenNames, p.Surname },
			want: []want{{"surname", SeverityMismatch}, {"given_names", SeverityMismatch}}},
		{name: "given names missing in record", record: func(p *Person) { p.GivenNames = "" }, want: []want{{"given_names", SeverityMissing}}},
		{name: "date of birth mismatch", record: func(p *Person) { p.DateOfBirth = day(1974, 8, 13) }, want: []want{{"date_of_birth", SeverityMismatch}}},
		{name: "date of birth other century tolerated", record: func(p *Person) { p.DateOfBirth = day(1874, 8, 12) }},
		{name: "date of birth with time of day", record: func(p *Person) { p.DateOfBirth = time.Date(1974, 8, 12, 15, 0, 0, 0, time.UTC) }},
		{name: "date of birth missing", record: func(p *Person) { p.DateOfBirth = time.Time{} }, want: []want{{"date_of_birth", SeverityMissing}}},
		{name: "nationality mismatch", record: func(p *Person) { p.Nationality = "SWE" }, want: []want{{"nationality", SeverityMismatch}}},
		{name: "nationality lower case", record: func(p *Person) { p.Nationality = "uto" }},
		{name: "germany D", mrz: func(m *MRZ) { m.Nationality = "D" }, record: func(p *Person) { p.Nationality = "DEU" }},
		{name: "nationality missing", record: func(p *Person) { p.Nationality = "" }, want: []want{{"nationality", SeverityMissing}}},
		{name: "expired", now: day(2030, 1, 2), want: []want{{"expiry", SeverityExpired}}},
		{name: "expires today", now: time.Date(2030, 1, 1, 18, 0, 0, 0, time.UTC)},
		{name: "several", record: func(p *Person) { p.Surname = "Smith"; p.Nationality = "SWE" }, now: day(2031, 1, 1),
			want: []want{{"surname", SeverityMismatch}, {"nationality", SeverityMismatch}, {"expiry", SeverityExpired}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, rec, now := base(), anna, testNow
			if tc.mrz != nil {
				tc.mrz(m)
			}
			if tc.record != nil {
				tc.record(&rec)
			}
			if !tc.now.IsZero() {
				now = tc.now
			}
			var got []want
			for _, f := range CrossCheck(m, rec, now) {
				if f.Message == "" {
					t.Errorf("finding %+v has no message", f)
				}
				got = append(got, want{f.Field, f.Severity})
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("findings = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAlpha3(t *testing.T) {
	for a2, a3 := range map[string]string{"KE": "KEN", "de": "DEU", "GB": "GBR", "US": "USA", "": "", "KEN": "", "1A": ""} {
		if got := Alpha3(a2); got != a3 {
			t.Errorf("Alpha3(%q) = %q, want %q", a2, got, a3)
		}
	}
	// ICAO's variants compare equal to the ISO code.
	for icao, iso := range map[string]string{"D": "DEU", "GBD": "GBR", "RKS": "XKK", "KEN": "KEN"} {
		if got := icaoToISO(icao); got != iso {
			t.Errorf("icaoToISO(%q) = %q, want %q", icao, got, iso)
		}
	}
}
