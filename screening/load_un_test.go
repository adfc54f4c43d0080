package screening

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadUNCounts(t *testing.T) {
	s := loadRealUN(t)
	checkInvariants(t, s)
	c := s.Counts
	if c.Entities != 1003 || c.Individuals != 730 || c.Organizations != 273 || c.Identifiers != 454 {
		t.Errorf("counts %+v", c)
	}
	if s.Version != "2026-02-27T00:00:09.554Z" || !s.PublishedAt.Equal(time.Date(2026, 2, 27, 0, 0, 9, 554e6, time.UTC)) {
		t.Errorf("version %q published %v", s.Version, s.PublishedAt)
	}
	// Three dates of birth are prose the loader does not guess at ("30-35
	// years old", a Hijri date, "Between Aug. and Sep. 1977"); they are
	// reported, not dropped silently.
	if c.Warnings != 3 || len(s.Warnings) != 3 || !strings.Contains(s.Warnings[0], "30-35 years old") {
		t.Errorf("warnings %q", s.Warnings)
	}
	// Only "former Soviet Union" is not a country.
	unmapped := map[string]int{}
	for _, e := range s.Entities {
		for _, u := range e.UnmappedCountries {
			unmapped[u]++
		}
	}
	if !reflect.DeepEqual(unmapped, map[string]int{"former Soviet Union": 1}) {
		t.Errorf("unmapped countries %v", unmapped)
	}
}

func TestLoadUNKnownEntries(t *testing.T) {
	s := loadRealUN(t)
	t.Run("TAi.144 good and low aliases, BETWEEN date", func(t *testing.T) {
		e := mustEntity(t, s, "TAi.144")
		want := []Name{
			{"SIRAJUDDIN JALLALOUDINE HAQQANI", NamePrimary},
			{"سراج الدين جلال الدين حقانى", NameStrongAKA},
			{"Siraj Haqqani", NameStrongAKA}, {"Serajuddin Haqani", NameStrongAKA},
			{"Siraj Haqani", NameStrongAKA}, {"Saraj Haqani", NameStrongAKA},
			{"Khalifa", NameWeakAKA},
		}
		if !reflect.DeepEqual(e.Names, want) {
			t.Errorf("names %+v", e.Names)
		}
		if !reflect.DeepEqual(e.DatesOfBirth, []PartialDate{{Year: 1977, ToYear: 1978, Circa: true}}) {
			t.Errorf("dob %+v", e.DatesOfBirth)
		}
		if e.Type != TypeIndividual || !reflect.DeepEqual(e.Nationalities, []string{"AF"}) ||
			!reflect.DeepEqual(e.Countries, []string{"PK"}) || len(e.PlacesOfBirth) != 4 ||
			e.PlacesOfBirth[0] != "Danda, Miramshah, North Waziristan, Pakistan" ||
			!e.Listed.Equal(time.Date(2007, 9, 13, 0, 0, 0, 0, time.UTC)) ||
			!reflect.DeepEqual(e.Programs, []string{"Taliban"}) ||
			!reflect.DeepEqual(e.Positions, []string{"Na'ib Amir (Deputy Commander)"}) {
			t.Errorf("%+v", e)
		}
	})
	t.Run("CDi.040 passports, exact date and year, low aliases", func(t *testing.T) {
		e := mustEntity(t, s, "CDi.040")
		if e.PrimaryName() != "AHMAD MAHMOOD HASSAN" || len(e.Names) != 14 || e.Names[5] != (Name{"ABU WAQAS", NameWeakAKA}) {
			t.Errorf("names %+v", e.Names)
		}
		if !reflect.DeepEqual(e.DatesOfBirth, []PartialDate{{Year: 1997, Month: 7, Day: 21}, {Year: 1993}}) {
			t.Errorf("dob %+v", e.DatesOfBirth)
		}
		want := []Identifier{
			{Kind: IDPassport, Label: "Passport", Number: "AB850901", Country: "TZ", Note: "Expiration date: 2026-12-11."},
			{Kind: IDPassport, Label: "Passport", Number: "AB187304", Country: "TZ", Note: "Expired 28 Nov. 2016"},
		}
		if !reflect.DeepEqual(e.Identifiers, want) || !reflect.DeepEqual(e.Nationalities, []string{"TZ"}) {
			t.Errorf("identifiers %+v nat %v", e.Identifiers, e.Nationalities)
		}
	})
	t.Run("CDe.001 entity with a.k.a. and f.k.a.", func(t *testing.T) {
		e := mustEntity(t, s, "CDe.001")
		want := []Name{{"ADF", NamePrimary}, {"Allied Democratic Forces", NameStrongAKA},
			{"Forces Démocratiques Alliées-Armée Nationale de Libération de l’Ouganda", NameFKA},
			{"ADF/NALU", NameFKA}, {"NALU", NameFKA}}
		if e.Type != TypeEntity || !reflect.DeepEqual(e.Names, want) || !reflect.DeepEqual(e.Countries, []string{"CD"}) {
			t.Errorf("%+v", e)
		}
	})
	t.Run("document number only in prose is kept in remarks", func(t *testing.T) {
		found := false
		for _, e := range s.Entities {
			if strings.Contains(e.Remarks, "Document Passport: Tunisian passport number L 191609") {
				found = true
			}
		}
		if !found {
			t.Error("prose-only passport not kept in any entity's remarks")
		}
	})
}

const unFixture = `<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-01-01T00:00:00Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <FIRST_NAME>JOHN</FIRST_NAME>
      <SECOND_NAME>DOE</SECOND_NAME>
      <REFERENCE_NUMBER>XXi.001</REFERENCE_NUMBER>
      <LISTED_ON>2020-01-02</LISTED_ON>
      <NATIONALITY><VALUE>Iran (Islamic Republic of)</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>JOHNNY DOE</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>JD</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1960</FROM_YEAR><TO_YEAR>1965</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><NOTE>Nov. 1973</NOTE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>P123</NUMBER><ISSUING_COUNTRY>Iran (Islamic Republic of)</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <FIRST_NAME>ACME</FIRST_NAME>
      <REFERENCE_NUMBER>XXe.001</REFERENCE_NUMBER>
      <LISTED_ON>2020-01-02</LISTED_ON>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>
`

func TestLoadUNFixture(t *testing.T) {
	s, err := LoadUN(strings.NewReader(unFixture), "un.xml")
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, s)
	e := mustEntity(t, s, "XXi.001")
	if !reflect.DeepEqual(e.DatesOfBirth, []PartialDate{{Year: 1960, ToYear: 1965}, {Year: 1973, Month: 11}}) ||
		!reflect.DeepEqual(e.Names[1:], []Name{{"JOHNNY DOE", NameStrongAKA}, {"JD", NameWeakAKA}}) ||
		e.Identifiers[0] != (Identifier{Kind: IDPassport, Label: "Passport", Number: "P123", Country: "IR"}) {
		t.Errorf("%+v", e)
	}
}

func TestLoadUNMalformed(t *testing.T) {
	cases := []struct {
		name, xml string
		line      int
		reason    string
	}{
		{"truncated", unFixture[:strings.Index(unFixture, "<ENTITIES>")], 17, "unexpected EOF"},
		{"mismatched tag", strings.Replace(unFixture, "</SECOND_NAME>", "</SECOND>", 1), 6, "malformed XML"},
		{"entry with no name", strings.Replace(unFixture, "<FIRST_NAME>ACME</FIRST_NAME>", "", 1), 18, `entry "XXe.001" has no name`},
		{"entry with no id", strings.Replace(unFixture, "<REFERENCE_NUMBER>XXe.001</REFERENCE_NUMBER>", "", 1), 18, "entry has no id"},
		{"duplicate id", strings.Replace(unFixture, "XXe.001", "XXi.001", 1), 18, `duplicate id "XXi.001" (first at line 4)`},
		{"wrong root", "<?xml version=\"1.0\"?>\n<export/>", 2, "root element is <export>"},
		{"bad dateGenerated", strings.Replace(unFixture, "2026-01-01T00:00:00Z", "yesterday", 1), 2, "dateGenerated"},
		{"no entries", "<CONSOLIDATED_LIST>\n</CONSOLIDATED_LIST>", 0, "no INDIVIDUAL or ENTITY"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadUN(strings.NewReader(c.xml), "un.xml")
			wantParseError(t, err, "un.xml", c.line, c.reason)
		})
	}
}

func FuzzLoadUN(f *testing.F) {
	f.Add([]byte(unFixture))
	f.Add([]byte("<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"))
	f.Add([]byte("<CONSOLIDATED_LIST><ENTITIES><ENTITY><FIRST_NAME>A</FIRST_NAME><REFERENCE_NUMBER>1</REFERENCE_NUMBER><LISTED_ON>9999-99-99</LISTED_ON></ENTITY></ENTITIES></CONSOLIDATED_LIST>"))
	// A real entry from the published list.
	if data, err := os.ReadFile(filepath.Join("bundled", "data", "un", "un_consolidated.xml")); err == nil {
		i := strings.Index(string(data), "<INDIVIDUAL>")
		j := strings.Index(string(data), "</INDIVIDUAL>")
		f.Add([]byte("<CONSOLIDATED_LIST><INDIVIDUALS>" + string(data[i:j]) + "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>"))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadUN(strings.NewReader(string(data)), "f.xml")
		checkFuzzResult(t, s, err)
	})
}

// checkFuzzResult: a loader either fails with a *ParseError or returns a
// snapshot that satisfies the invariants.
func checkFuzzResult(t *testing.T, s *Snapshot, err error) {
	t.Helper()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error %v (%T) is not a *ParseError", err, err)
		}
		if s != nil {
			t.Fatal("snapshot returned with an error")
		}
		return
	}
	checkInvariants(t, s)
}
