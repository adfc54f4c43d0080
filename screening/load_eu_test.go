package screening

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The EU loader is written from the FSF XML 1.1 format description and
// tested on a hand-written fixture only (no real EU file is in testdata).

func TestLoadEUFixture(t *testing.T) {
	s, err := LoadEU(openFixture(t, "eu_fsf_sample.xml"), "eu_fsf_sample.xml")
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, s)
	if c := s.Counts; c.Entities != 3 || c.Individuals != 2 || c.Organizations != 1 || c.Warnings != 0 {
		t.Errorf("counts %+v warnings %q", c, s.Warnings)
	}
	if s.Version != "2025-03-14T18:02:35.409+01:00" || !s.PublishedAt.Equal(time.Date(2025, 3, 14, 17, 2, 35, 409e6, time.UTC)) {
		t.Errorf("version %q published %v", s.Version, s.PublishedAt)
	}

	p := mustEntity(t, s, "9001")
	wantNames := []Name{{"Ivan Petrovich Sidorov", NamePrimary}, {"Иван Петрович Сидоров", NameStrongAKA}, {"Vanya", NameWeakAKA}}
	if !reflect.DeepEqual(p.Names, wantNames) || p.Gender != "male" || p.Type != TypeIndividual {
		t.Errorf("names %+v gender %q", p.Names, p.Gender)
	}
	if !reflect.DeepEqual(p.DatesOfBirth, []PartialDate{{Year: 1961, Month: 4, Day: 12}, {Year: 1962, Circa: true}}) ||
		!reflect.DeepEqual(p.PlacesOfBirth, []string{"Tula, RUSSIAN FEDERATION"}) {
		t.Errorf("dob %+v pob %v", p.DatesOfBirth, p.PlacesOfBirth)
	}
	wantIDs := []Identifier{
		{Kind: IDPassport, Label: "National passport", Number: "720012345", Country: "RU", Note: "issued 2015-06-01"},
		{Kind: IDTaxID, Label: "Tax identification number", Number: "771234567890", Country: "RU"},
	}
	if !reflect.DeepEqual(p.Identifiers, wantIDs) {
		t.Errorf("identifiers %+v", p.Identifiers)
	}
	if !reflect.DeepEqual(p.Nationalities, []string{"RU"}) || !reflect.DeepEqual(p.Countries, []string{"RU"}) ||
		p.Addresses[0] != (Address{Street: "Tverskaya 1", City: "Moscow", PostalCode: "125009", Country: "RU"}) {
		t.Errorf("nat %v countries %v addr %+v", p.Nationalities, p.Countries, p.Addresses)
	}
	// Listed by the earliest regulation; programmes from all of them.
	if !p.Listed.Equal(time.Date(2014, 7, 30, 0, 0, 0, 0, time.UTC)) || !reflect.DeepEqual(p.Programs, []string{"RUS", "UKR"}) ||
		!reflect.DeepEqual(p.Positions, []string{"Deputy Minister of Energy"}) ||
		!strings.HasPrefix(p.Remarks, "EU reference number EU.9001.10\nResponsible for") {
		t.Errorf("listed %v programs %v positions %v remarks %q", p.Listed, p.Programs, p.Positions, p.Remarks)
	}

	o := mustEntity(t, s, "9002")
	if o.Type != TypeEntity || !reflect.DeepEqual(o.Names, []Name{{"Example Relief Foundation", NamePrimary}, {"ERF", NameWeakAKA}}) ||
		o.Identifiers[0] != (Identifier{Kind: IDSwiftBIC, Label: "SWIFT BIC", Number: "EXMPLBICXXX"}) ||
		!reflect.DeepEqual(o.Countries, []string{"PS"}) || !strings.Contains(o.Remarks, "UN id QDe.115") {
		t.Errorf("%+v", o)
	}

	// A name built from its parts, a country given only as a description
	// ("00" code) and a year range.
	r := mustEntity(t, s, "9003")
	if r.PrimaryName() != "Abu Example" || r.Gender != "female" || !reflect.DeepEqual(r.Nationalities, []string{"SY"}) ||
		!reflect.DeepEqual(r.DatesOfBirth, []PartialDate{{Year: 1970, ToYear: 1975}}) {
		t.Errorf("%+v", r)
	}
}

func TestLoadEUMalformed(t *testing.T) {
	good := `<export generationDate="2025-01-01T00:00:00Z">
  <sanctionEntity logicalId="1">
    <subjectType code="person"/>
    <nameAlias wholeName="A B"/>
  </sanctionEntity>
  <sanctionEntity logicalId="2">
    <subjectType code="enterprise"/>
    <nameAlias wholeName="C"/>
  </sanctionEntity>
</export>`
	cases := []struct {
		name, xml string
		line      int
		reason    string
	}{
		{"unclosed element", strings.Replace(good, "<nameAlias wholeName=\"C\"/>", "<nameAlias wholeName=\"C\">", 1), 9, "malformed XML"},
		{"bad attribute quoting", strings.Replace(good, `wholeName="C"`, `wholeName=C`, 1), 8, "malformed XML"},
		{"no name", strings.Replace(good, `<nameAlias wholeName="C"/>`, `<nameAlias wholeName=" "/>`, 1), 6, `entry "2" has no name`},
		{"no id", strings.Replace(good, `logicalId="2"`, ``, 1), 6, "entry has no id"},
		{"wrong root", "<CONSOLIDATED_LIST/>", 1, "want <export>"},
		{"bad generationDate", strings.Replace(good, "2025-01-01T00:00:00Z", "2025-01-01", 1), 1, "generationDate"},
		{"truncated", good[:len(good)-20], 9, "unexpected EOF"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadEU(strings.NewReader(c.xml), "eu.xml")
			wantParseError(t, err, "eu.xml", c.line, c.reason)
		})
	}
	if _, err := LoadEU(strings.NewReader(good), "eu.xml"); err != nil {
		t.Errorf("baseline: %v", err)
	}
}

func FuzzLoadEU(f *testing.F) {
	fixture, err := io.ReadAll(openFixture(f, "eu_fsf_sample.xml"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte(`<export><sanctionEntity logicalId="1"><nameAlias wholeName="A"/><birthdate year="0" monthOfYear="13" dayOfMonth="40"/></sanctionEntity></export>`))
	f.Add([]byte(`<export><sanctionEntity logicalId="1"><nameAlias firstName="A"/><birthdate yearRangeFrom="1999" yearRangeTo="1990"/><regulation publicationDate="0000-00-00"/></sanctionEntity></export>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadEU(strings.NewReader(string(data)), "f.xml")
		checkFuzzResult(t, s, err)
	})
}
