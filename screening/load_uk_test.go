package screening

import (
	"io"
	"reflect"
	"strings"
	"testing"
	"time"
)

// The UK loader is written from OFSI's ConList.csv format description and
// tested on hand-written fixtures only (no real OFSI file is in testdata).

func TestLoadUKFixture(t *testing.T) {
	s, err := LoadUK(openFixture(t, "uk_conlist_sample.csv"), "uk_conlist_sample.csv")
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, s)
	if c := s.Counts; c.Entities != 3 || c.Individuals != 1 || c.Organizations != 1 || c.Vessels != 1 || c.Warnings != 0 {
		t.Errorf("counts %+v warnings %q", c, s.Warnings)
	}
	if s.Version != "2025-03-14" || !s.PublishedAt.Equal(time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("version %q published %v", s.Version, s.PublishedAt)
	}
	p := mustEntity(t, s, "90001")
	// The "Primary name" row is the third; it still comes first.
	wantNames := []Name{{"Sergei Ivanovich PETROV", NamePrimary}, {"Сергей Иванович Петров", NameStrongAKA}, {"Sergey PETROV", NameWeakAKA}}
	if !reflect.DeepEqual(p.Names, wantNames) {
		t.Errorf("names %+v", p.Names)
	}
	if !reflect.DeepEqual(p.DatesOfBirth, []PartialDate{{Year: 1964}, {Year: 1964, Month: 11, Day: 5}}) ||
		!reflect.DeepEqual(p.Nationalities, []string{"RU", "CY"}) || !reflect.DeepEqual(p.PlacesOfBirth, []string{"Omsk, Russia"}) {
		t.Errorf("dob %+v nat %v pob %v", p.DatesOfBirth, p.Nationalities, p.PlacesOfBirth)
	}
	wantIDs := []Identifier{
		{Kind: IDPassport, Number: "752345678", Note: "(1) Russian passport (2) Cypriot passport"},
		{Kind: IDPassport, Number: "530012345", Note: "(1) Russian passport (2) Cypriot passport"},
	}
	if !reflect.DeepEqual(p.Identifiers, wantIDs) || !reflect.DeepEqual(p.Positions, []string{"Member of the State Duma"}) ||
		!reflect.DeepEqual(p.Programs, []string{"Russia"}) || !p.Listed.Equal(time.Date(2022, 3, 16, 0, 0, 0, 0, time.UTC)) ||
		p.Remarks != "Invented fixture entry." || len(p.Addresses) != 1 || p.Addresses[0] != (Address{City: "Moscow", Country: "RU"}) {
		t.Errorf("%+v", p)
	}
	o := mustEntity(t, s, "90002")
	if o.Type != TypeEntity || o.PrimaryName() != "EXAMPLE SHIPPING LLC" || !reflect.DeepEqual(o.Countries, []string{"AE"}) ||
		o.Addresses[0] != (Address{Street: "Office 5, Port Road", City: "Dubai", Country: "AE"}) {
		t.Errorf("%+v", o)
	}
	if v := mustEntity(t, s, "90003"); v.Type != TypeVessel || v.PrimaryName() != "OCEAN EXAMPLE" {
		t.Errorf("%+v", v)
	}
}

func TestLoadUKOldLayout(t *testing.T) {
	s, err := LoadUK(openFixture(t, "uk_conlist_old.csv"), "uk_conlist_old.csv")
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, s)
	e := mustEntity(t, s, "11001")
	if s.Version != "2021-01-07" || !reflect.DeepEqual(e.Names, []Name{{"Abdul Karim AL-EXAMPLE", NamePrimary}, {"Karim EXAMPLE", NameStrongAKA}}) ||
		!reflect.DeepEqual(e.DatesOfBirth, []PartialDate{{Year: 1970, Month: 5}}) ||
		!reflect.DeepEqual(e.Identifiers, []Identifier{{Kind: IDPassport, Number: "N012345"}}) ||
		!reflect.DeepEqual(e.Nationalities, []string{"SY"}) {
		t.Errorf("%+v", e)
	}
}

func TestLoadUKMalformed(t *testing.T) {
	head := "Last Updated,01/02/2024\nName 6,Name 1,DOB,Group Type,Alias Type,Group ID\n"
	row := "DOE,John,01/01/1960,Individual,Primary name,1\n"
	cases := []struct {
		name, csv string
		line      int
		reason    string
	}{
		{"wrong column count", head + row + "X,Y,Individual,Primary name,2\n", 4, "wrong number of fields: got 5, want 6"},
		{"unterminated quote", head + row + "\"X,Y,,Entity,Primary name,2\n" + row, 4, "quote"},
		{"no name", head + row + ",,,Entity,Primary name,2\n", 4, "row of group 2 has no name"},
		{"no group id", head + row + "X,,,Entity,Primary name,\n", 4, "row has no Group ID"},
		{"missing column", "Last Updated,01/02/2024\nName 6,Name 1,Group Type\n", 2, `missing column "Group ID"`},
		{"bad last updated", "Last Updated,2024-02-01\n" + head[24:] + row, 1, "not DD/MM/YYYY"},
		{"no rows", head, 2, "no entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadUK(strings.NewReader(c.csv), "uk.csv")
			wantParseError(t, err, "uk.csv", c.line, c.reason)
		})
	}
	if _, err := LoadUK(strings.NewReader(head+row), "uk.csv"); err != nil {
		t.Errorf("baseline: %v", err)
	}
}

func FuzzLoadUK(f *testing.F) {
	fixture, err := io.ReadAll(openFixture(f, "uk_conlist_sample.csv"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(fixture)
	f.Add([]byte("Name 6,Group Type,Group ID,DOB,Nationality\nA,Ship,1,00/13/0000,(1) (2) Iran\n"))
	f.Add([]byte("Last Updated,31/02/2024\nName 6,Group Type,Group ID,Alias Type\nA,,1,AKA\nB,,1,Primary name\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := LoadUK(strings.NewReader(string(data)), "f.csv")
		checkFuzzResult(t, s, err)
	})
}
