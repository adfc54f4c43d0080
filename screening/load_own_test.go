package screening

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestLoadOwnBlocklistCSVAndJSONAgree(t *testing.T) {
	c, err := LoadOwnCSV(openFixture(t, "own_blocklist.csv"), "own_blocklist.csv", OwnBlocklist)
	if err != nil {
		t.Fatal(err)
	}
	j, err := LoadOwnJSON(openFixture(t, "own_blocklist.json"), "own_blocklist.json", OwnBlocklist)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Snapshot{c, j} {
		checkInvariants(t, s)
		if s.Source != SourceOwnBlocklist || s.Counts.Entities != 3 || s.Counts.Vessels != 1 {
			t.Errorf("%s %+v", s.Source, s.Counts)
		}
	}
	// The two forms of the same list load to the same entities.
	if !reflect.DeepEqual(c.Entities, j.Entities) {
		t.Errorf("CSV and JSON differ:\n%+v\n%+v", c.Entities, j.Entities)
	}
	if d := Diff(c, j); !d.Empty() {
		t.Errorf("diff %+v", d)
	}
	if j.Version != "2025-03-01" || !j.PublishedAt.Equal(time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)) {
		t.Errorf("version %q published %v", j.Version, j.PublishedAt)
	}
	e := mustEntity(t, c, "BL-0001")
	want := Entity{
		List: SourceOwnBlocklist, ID: "BL-0001", Type: TypeIndividual,
		Names:         []Name{{"DOE, John Quincy", NamePrimary}, {"Johnny Doe", NameStrongAKA}, {"J. Q. Doe", NameStrongAKA}, {"JD", NameWeakAKA}},
		DatesOfBirth:  []PartialDate{{Year: 1970, Month: 3, Day: 15}, {Year: 1971, Circa: true}},
		PlacesOfBirth: []string{"Mombasa, Kenya"}, Nationalities: []string{"KE"}, Countries: []string{"KE", "TZ"},
		Identifiers: []Identifier{{Kind: IDPassport, Number: "A1234567", Country: "KE"}, {Kind: IDNationalID, Number: "12345678", Country: "KE"}},
		Programs:    []string{"FRAUD"}, Remarks: "Chargeback fraud ring, case 2024-118",
		Listed: time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC),
	}
	if !reflect.DeepEqual(*e, want) {
		t.Errorf("got  %+v\nwant %+v", *e, want)
	}
}

func TestLoadOwnPEP(t *testing.T) {
	c, err := LoadOwnCSV(openFixture(t, "own_pep.csv"), "own_pep.csv", OwnPEP)
	if err != nil {
		t.Fatal(err)
	}
	j, err := LoadOwnJSON(openFixture(t, "own_pep.json"), "own_pep.json", OwnPEP)
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, c)
	if !reflect.DeepEqual(c.Entities, j.Entities) {
		t.Errorf("CSV and JSON differ:\n%+v\n%+v", c.Entities, j.Entities)
	}
	want := map[string]PEPInfo{
		"PEP-0001": {Role: "Cabinet Secretary for Finance", Country: "KE", Level: PEPLevelNational, Scope: PEPScopeDomestic},
		"PEP-0002": {Role: "Governor of Example State", Country: "NG", Level: PEPLevelRegional, Scope: PEPScopeForeign},
		"PEP-0003": {Role: "Deputy Director-General of an international organisation", Country: "CH", Level: PEPLevelInternational, Scope: PEPScopeForeign},
	}
	for id, p := range want {
		if e := mustEntity(t, c, id); e.PEP == nil || *e.PEP != p {
			t.Errorf("%s: pep %+v, want %+v", id, e.PEP, p)
		}
	}
	if d := mustEntity(t, c, "PEP-0003").DatesOfBirth; !reflect.DeepEqual(d, []PartialDate{{Year: 1959, Month: 12, ToYear: 1960, ToMonth: 1}}) {
		t.Errorf("range %+v", d)
	}
}

func TestLoadOwnCSVMalformed(t *testing.T) {
	head := "id,type,name,nationalities,identifiers,dates_of_birth,pep_role,pep_country,pep_level\n"
	row := "P1,individual,A B,KE,passport:X1:KE,1960,Minister,KE,national\n"
	cases := []struct {
		name, csv string
		kind      OwnList
		line      int
		reason    string
	}{
		{"unknown column", "id,type,name,nationalty\nP1,individual,A,KE\n", OwnBlocklist, 1, `unknown column "nationalty"`},
		{"missing name column", "id,type\nP1,individual\n", OwnBlocklist, 1, `missing column "name"`},
		{"empty name", head + row + "P2,individual,,KE,,,Minister,KE,national\n", OwnPEP, 3, "no name"},
		{"wrong column count", head + row + "P2,individual\n", OwnPEP, 3, "wrong number of fields: got 2, want 9"},
		{"unterminated quote", head + row + "P2,\"individual,x,KE,,,,,\n" + row, OwnPEP, 3, "quote"},
		{"unknown country", head + "P1,individual,A,Atlantis,,,,,\n", OwnBlocklist, 2, `country "Atlantis" is not a known country`},
		{"bad type", head + "P1,person,A,,,,,,\n", OwnBlocklist, 2, `type "person"`},
		{"bad identifier kind", head + "P1,individual,A,,ssn:1,,,,\n", OwnBlocklist, 2, `identifier kind "ssn"`},
		{"bad identifier", head + "P1,individual,A,,12345,,,,\n", OwnBlocklist, 2, "not kind:number"},
		{"bad date", head + "P1,individual,A,,,1960-13-01,,,\n", OwnBlocklist, 2, "date of birth"},
		{"PEP without role", head + "P1,individual,A,,,,,KE,national\n", OwnPEP, 2, "PEP has no role"},
		{"PEP list entry without PEP data", head + "P1,individual,A,,,,,,\n", OwnPEP, 2, "needs pep_role"},
		{"bad PEP level", head + "P1,individual,A,,,,Mayor,KE,municipal\n", OwnPEP, 2, `PEP level "municipal"`},
		{"duplicate id", head + row + row, OwnPEP, 3, `duplicate id "P1" (first at line 2)`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadOwnCSV(strings.NewReader(c.csv), "own.csv", c.kind)
			wantParseError(t, err, "own.csv", c.line, c.reason)
		})
	}
	if _, err := LoadOwnCSV(strings.NewReader(head+row), "own.csv", OwnPEP); err != nil {
		t.Errorf("baseline: %v", err)
	}
	if _, err := LoadOwnCSV(strings.NewReader(head+row), "own.csv", OwnList("other")); err == nil {
		t.Error("unknown kind accepted")
	}
}

func TestLoadOwnJSONMalformed(t *testing.T) {
	good := `{
  "version": "1",
  "entries": [
    {"id": "A", "type": "individual", "name": "A B"},
    {"id": "B", "type": "entity", "name": "C"}
  ]
}`
	cases := []struct {
		name, json string
		line       int
		reason     string
	}{
		{"syntax error", strings.Replace(good, `"name": "C"}`, `"name": "C"`, 1), 5, "malformed JSON"},
		{"unknown entry field", strings.Replace(good, `"name": "C"`, `"name": "C", "nam": "D"`, 1), 5, `unknown field "nam"`},
		{"unknown top-level field", strings.Replace(good, `"version"`, `"versio"`, 1), 2, `unknown field "versio"`},
		{"wrong type", strings.Replace(good, `"name": "C"`, `"name": 7`, 1), 5, "wrong JSON type"},
		{"empty name", strings.Replace(good, `"name": "C"`, `"name": " "`, 1), 5, `entry "B": no name`},
		{"entries not array", `{"entries": {}}`, 1, "not an array"},
		{"unknown field after a known one", strings.Replace(good, `"entries"`, `"x": 1, "entries"`, 1), 3, `unknown field "x"`},
		{"no entries", `{"version": "1"}`, 1, `missing "entries"`},
		{"truncated", good[:40], 4, "truncated JSON"},
		{"not an object", `[]`, 1, "not a JSON object"},
		{"trailing data", good + "\n{}", 8, "data after the JSON object"},
		{"entries twice", `{"entries": [],` + "\n" + `"entries": []}`, 2, "appears twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadOwnJSON(strings.NewReader(c.json), "own.json", OwnBlocklist)
			wantParseError(t, err, "own.json", c.line, c.reason)
		})
	}
	if _, err := LoadOwnJSON(strings.NewReader(good), "own.json", OwnBlocklist); err != nil {
		t.Errorf("baseline: %v", err)
	}
}

func FuzzLoadOwnJSON(f *testing.F) {
	f.Add([]byte(`{"entries":[{"id":"A","type":"individual","name":"B","dates_of_birth":["~1960/1961"],"pep":{"role":"r","country":"KE","level":"local"}}]}`))
	f.Add([]byte(`{"version":"x","published_at":"2025-01-01T00:00:00Z","entries":[]}`))
	f.Add([]byte(`{"entries":[{"id":"A","type":"vessel","name":"B","identifiers":[{"kind":"imo","number":"1"}],"listed":"2020-02-30"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadOwnJSON(strings.NewReader(string(data)), "f.json", OwnPEP)
		checkFuzzResult(t, s, err)
	})
}
