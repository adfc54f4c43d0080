package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/wardenhq/warden"
)

func TestLoadOFACSDNCounts(t *testing.T) {
	s := loadRealSDN(t)
	checkInvariants(t, s)
	// sdn.csv holds 8,976 records (ent_num 36 to 32391, all distinct; the
	// data README's "8,975" is one short). By SDN_Type: 4,620 individual,
	// 406 vessel, 277 aircraft, and 3,673 left empty, which OFAC uses for
	// entities.
	want := Counts{Entities: 8976, Individuals: 4620, Organizations: 3673, Vessels: 406, Aircraft: 277,
		Names: 23321, Identifiers: 7057}
	if s.Counts != want {
		t.Errorf("Counts = %+v\nwant     %+v", s.Counts, want)
	}
	if len(s.Warnings) != 0 {
		t.Errorf("warnings: %q", s.Warnings)
	}
	if s.Source != SourceOFACSDN || s.Version != "sha256:"+s.ContentSHA256[:12] {
		t.Errorf("source %q version %q", s.Source, s.Version)
	}
	// The content hash is the SHA-256 of a sha256sum manifest of the four
	// files, so an operator can recompute it with coreutils.
	var manifest strings.Builder
	for _, f := range s.Files {
		fmt.Fprintf(&manifest, "%s  %s\n", f.SHA256, f.Name)
	}
	sum := sha256.Sum256([]byte(manifest.String()))
	if got := hex.EncodeToString(sum[:]); got != s.ContentSHA256 {
		t.Errorf("ContentSHA256 = %s, manifest hash %s", s.ContentSHA256, got)
	}
	if s.Files[0].Name != "sdn.csv" || s.Files[0].SHA256 != "2a08fac873a3be0b92208f8874b2e7c138b7938190eeeb7ef991c15ba60e855b" {
		t.Errorf("Files[0] = %+v", s.Files[0])
	}
	// Every alt.csv row is a strong alias or fka; the 2021 release marks
	// none weak in alt_remarks. Weak a.k.a.s come from Remarks.
	var strong, fka, weak int
	for _, e := range s.Entities {
		for _, n := range e.Names {
			switch n.Kind {
			case NameStrongAKA:
				strong++
			case NameFKA:
				fka++
			case NameWeakAKA:
				weak++
			}
		}
	}
	if strong == 0 || fka == 0 || weak == 0 || strong+fka+weak+8976 != want.Names {
		t.Errorf("strong %d fka %d weak %d", strong, fka, weak)
	}
}

func TestLoadOFACSDNKnownEntries(t *testing.T) {
	s := loadRealSDN(t)

	t.Run("306 bank with strong and weak aka", func(t *testing.T) {
		e := mustEntity(t, s, "306")
		wantNames := []Name{{"BANCO NACIONAL DE CUBA", NamePrimary}, {"NATIONAL BANK OF CUBA", NameStrongAKA}, {"BNC", NameWeakAKA}}
		if !reflect.DeepEqual(e.Names, wantNames) || e.Type != TypeEntity {
			t.Errorf("names %+v type %s", e.Names, e.Type)
		}
		if !reflect.DeepEqual(e.Countries, []string{"CH", "ES", "JP", "PA"}) || len(e.Addresses) != 4 ||
			e.Addresses[0] != (Address{Street: "Zweierstrasse 35", City: "Zurich CH-8022", Country: "CH"}) {
			t.Errorf("countries %v addresses %+v", e.Countries, e.Addresses)
		}
		if !reflect.DeepEqual(e.Programs, []string{"CUBA"}) || e.Remarks != "a.k.a. 'BNC'." {
			t.Errorf("programs %v remarks %q", e.Programs, e.Remarks)
		}
	})
	t.Run("2676 DOB POB passports", func(t *testing.T) {
		e := mustEntity(t, s, "2676")
		if e.PrimaryName() != "AL ZAWAHIRI, Dr. Ayman" || e.Type != TypeIndividual {
			t.Errorf("%q %s", e.PrimaryName(), e.Type)
		}
		if !reflect.DeepEqual(e.DatesOfBirth, []PartialDate{{Year: 1951, Month: 6, Day: 19}}) ||
			!reflect.DeepEqual(e.PlacesOfBirth, []string{"Giza, Egypt"}) {
			t.Errorf("dob %+v pob %v", e.DatesOfBirth, e.PlacesOfBirth)
		}
		want := []Identifier{
			{Kind: IDPassport, Label: "Passport", Number: "1084010", Country: "EG"},
			{Kind: IDPassport, Label: "Passport", Number: "19820215"},
		}
		if !reflect.DeepEqual(e.Identifiers, want) {
			t.Errorf("identifiers %+v", e.Identifiers)
		}
		if !reflect.DeepEqual(e.Positions, []string{"Operational and Military Leader of JIHAD GROUP"}) {
			t.Errorf("positions %v", e.Positions)
		}
	})
	t.Run("28264 remarks continued in sdn_comments.csv", func(t *testing.T) {
		e := mustEntity(t, s, "28264")
		// The last 3 statements are only in sdn_comments.csv.
		if !strings.HasSuffix(e.Remarks, "a.k.a. 'blackjack1987'; a.k.a. 'khaleesi'; Linked To: LAZARUS GROUP.") ||
			!strings.Contains(e.Remarks, "sections 510.201 and 510.210; Phone Number 8613314257947") {
			t.Errorf("remarks not continued: ...%q", e.Remarks[max(0, len(e.Remarks)-120):])
		}
		wantNames := []Name{{"LI, Jiadong", NamePrimary}, {"blackjack1987", NameWeakAKA}, {"khaleesi", NameWeakAKA}}
		if !reflect.DeepEqual(e.Names, wantNames) {
			t.Errorf("names %+v", e.Names)
		}
		if !reflect.DeepEqual(e.Nationalities, []string{"CN"}) || e.Gender != "male" ||
			!reflect.DeepEqual(e.LinkedTo, []string{"LAZARUS GROUP"}) ||
			!reflect.DeepEqual(e.DatesOfBirth, []PartialDate{{Year: 1987, Month: 1, Day: 10}}) {
			t.Errorf("nat %v gender %q linked %v dob %v", e.Nationalities, e.Gender, e.LinkedTo, e.DatesOfBirth)
		}
		last := e.Identifiers[len(e.Identifiers)-1]
		if last != (Identifier{Kind: IDNationalID, Label: "Identification Number", Number: "210302198701102136", Country: "CN"}) {
			t.Errorf("last identifier %+v", last)
		}
		if e.Identifiers[0] != (Identifier{Kind: IDOther, Label: "Digital Currency Address - XBT", Number: "1EfMVkxQQuZfBdocpJu6RUsCJvenQWbQyE"}) {
			t.Errorf("first identifier %+v", e.Identifiers[0])
		}
	})
	t.Run("15036 vessel IMO MMSI flag fka", func(t *testing.T) {
		e := mustEntity(t, s, "15036")
		if e.Type != TypeVessel || e.PrimaryName() != "ARTAVIL" {
			t.Errorf("%s %q", e.Type, e.PrimaryName())
		}
		wantV := Vessel{CallSign: "T2EU4", Type: "Crude/Oil Products Tanker", Tonnage: "99,144", GRT: "56,068", Flag: "IR"}
		if e.Vessel == nil || *e.Vessel != wantV {
			t.Errorf("vessel %+v", e.Vessel)
		}
		want := []Identifier{
			{Kind: IDIMO, Label: "Vessel Registration Identification", Number: "9187629"},
			{Kind: IDMMSI, Label: "MMSI", Number: "572469210"},
		}
		if !reflect.DeepEqual(e.Identifiers, want) {
			t.Errorf("identifiers %+v", e.Identifiers)
		}
		if !reflect.DeepEqual(e.Names[1:], []Name{{"ABADAN", NameFKA}, {"SHONA", NameFKA}, {"ALPHA", NameFKA}}) ||
			!reflect.DeepEqual(e.LinkedTo, []string{"NATIONAL IRANIAN TANKER COMPANY"}) {
			t.Errorf("names %+v linked %v", e.Names, e.LinkedTo)
		}
	})
	t.Run("906 SWIFT/BIC and company number", func(t *testing.T) {
		e := mustEntity(t, s, "906")
		want := []Identifier{
			{Kind: IDSwiftBIC, Label: "SWIFT/BIC", Number: "HAVIGB2L"},
			{Kind: IDRegistration, Label: "Company Number", Number: "01074897", Country: "GB"},
		}
		if !reflect.DeepEqual(e.Identifiers, want) {
			t.Errorf("identifiers %+v", e.Identifiers)
		}
	})
	t.Run("dates: circa, ranges, month only", func(t *testing.T) {
		cases := map[string][]PartialDate{
			"7782":  {{Year: 1951, Circa: true}},
			"15962": {{Year: 1961, Month: 1, Day: 1, ToYear: 1962, ToMonth: 12, ToDay: 31}},
			"12057": {{Year: 1951, ToYear: 1953}, {Year: 1960, ToYear: 1962}, {Year: 1961, Month: 4}, {Year: 1953}},
		}
		for id, want := range cases {
			if got := mustEntity(t, s, id).DatesOfBirth; !reflect.DeepEqual(got, want) {
				t.Errorf("%s: dates %+v, want %+v", id, got, want)
			}
		}
		if got := mustEntity(t, s, "12057").PlacesOfBirth; !reflect.DeepEqual(got, []string{"Najaf, Iraq", "Tehran, Iran"}) {
			t.Errorf("12057 pob %v", got)
		}
		if got := mustEntity(t, s, "12057").Programs; !reflect.DeepEqual(got, []string{"SDGT", "NPWMD", "IRGC", "IFSR", "IRAN-HR", "IRAN-EO13876"}) {
			t.Errorf("12057 programs %v", got)
		}
	})
	t.Run("6905 palestinian nationality and issued passport", func(t *testing.T) {
		e := mustEntity(t, s, "6905")
		if !reflect.DeepEqual(e.Nationalities, []string{"PS"}) {
			t.Errorf("nationalities %v", e.Nationalities)
		}
		want := Identifier{Kind: IDPassport, Label: "Passport", Number: "484824", Country: "EG", Note: "issued 18 Jan 1984"}
		if len(e.Identifiers) != 1 || e.Identifiers[0] != want {
			t.Errorf("identifiers %+v", e.Identifiers)
		}
	})
	t.Run("alt types: nka strong, fka", func(t *testing.T) {
		if n := mustEntity(t, s, "8244").Names; !reflect.DeepEqual(n[3:5], []Name{{"NUEVO CONTINENTE S.A.", NameStrongAKA}, {"NUEVOCONTINENTE S.A.", NameStrongAKA}}) {
			t.Errorf("8244 names %+v", n)
		}
		if n := mustEntity(t, s, "4307").Names; !reflect.DeepEqual(n[1], Name{"CORTEZ, Oliverio Abril", NameFKA}) {
			t.Errorf("4307 names %+v", n)
		}
	})
	t.Run("15431 aircraft", func(t *testing.T) {
		e := mustEntity(t, s, "15431")
		if e.Type != TypeAircraft || e.PrimaryName() != "EP-GOM" || len(e.Identifiers) != 2 ||
			e.Identifiers[1] != (Identifier{Kind: IDOther, Label: "Aircraft Manufacturer's Serial Number (MSN)", Number: "1023409321"}) {
			t.Errorf("%+v", e)
		}
	})
}

// sdnRow builds a 12-field sdn.csv row.
func sdnRow(id, name, typ, remarks string) string {
	return fmt.Sprintf("%s,%q,%s,\"SDGT\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,%s\r\n", id, name, typ, remarks)
}

func sdnSet(main, add, alt, comments string) fstest.MapFS {
	return fstest.MapFS{
		"sdn.csv":          {Data: []byte(main)},
		"add.csv":          {Data: []byte(add)},
		"alt.csv":          {Data: []byte(alt)},
		"sdn_comments.csv": {Data: []byte(comments)},
	}
}

func TestLoadOFACSmallSet(t *testing.T) {
	main := sdnRow("10", "DOE, John", `"individual"`, `"DOB 1960; nationality Iran."`) +
		sdnRow("11", "ACME LTD", "-0- ", "-0- ") + "\x1a"
	alt := "10,1,\"aka\",\"DOE, Johnny\",\"weak\"\r\n11,2,\"fka\",\"ACME OLD\",-0- \r\n"
	add := "11,5,\"1 Main St\",\"Tehran\",\"Iran\",-0- \r\n11,6,-0- ,-0- ,\"Region: Crimea\",-0- \r\n"
	// ISO 8859-1 in a name: decoded, not rejected.
	comments := "10,\"; a.k.a. 'JOS\xc9'\"\r\n"
	s, err := LoadOFACSDN(sdnSet(main, add, alt, comments))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, s)
	e := mustEntity(t, s, "10")
	want := []Name{{"DOE, John", NamePrimary}, {"DOE, Johnny", NameWeakAKA}, {"JOSÉ", NameWeakAKA}}
	if !reflect.DeepEqual(e.Names, want) || !reflect.DeepEqual(e.Nationalities, []string{"IR"}) {
		t.Errorf("names %+v nat %v", e.Names, e.Nationalities)
	}
	o := mustEntity(t, s, "11")
	if o.Type != TypeEntity || !reflect.DeepEqual(o.Countries, []string{"IR"}) ||
		!reflect.DeepEqual(o.UnmappedCountries, []string{"Region: Crimea"}) ||
		o.Addresses[1] != (Address{CountryRaw: "Region: Crimea"}) {
		t.Errorf("%+v", o)
	}
}

func TestLoadOFACMalformed(t *testing.T) {
	good := sdnRow("10", "DOE, John", `"individual"`, "-0- ")
	cases := []struct {
		name                     string
		main, add, alt, comments string
		file                     string
		line                     int
		reason                   string
	}{
		{name: "wrong column count", main: good + "11,\"X\",-0- ,-0- \r\n", file: "sdn.csv", line: 2, reason: "wrong number of fields: got 4, want 12"},
		{name: "unterminated quote", main: good + good + "12,\"UNCLOSED,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n" + good,
			file: "sdn.csv", line: 3, reason: "quote"},
		{name: "entry with no name", main: good + sdnRow("11", "", "-0- ", "-0- "), file: "sdn.csv", line: 2, reason: "entry 11 has no name"},
		{name: "non-numeric ent_num", main: good + sdnRow("1x", "X", "-0- ", "-0- "), file: "sdn.csv", line: 2, reason: `ent_num "1x" is not a positive integer`},
		{name: "duplicate ent_num", main: good + good, file: "sdn.csv", line: 2, reason: "duplicate ent_num 10 (first at line 1)"},
		{name: "unknown SDN_Type", main: sdnRow("10", "X", `"person"`, "-0- "), file: "sdn.csv", line: 1, reason: `unknown SDN_Type "person"`},
		{name: "alias of unknown entry", main: good, alt: "10,1,\"aka\",\"A\",-0- \r\n99,2,\"aka\",\"B\",-0- \r\n", file: "alt.csv", line: 2, reason: "ent_num 99 is not in the main file"},
		{name: "alias without name", main: good, alt: "10,1,\"aka\",-0- ,-0- \r\n", file: "alt.csv", line: 1, reason: "alias of entry 10 has no name"},
		{name: "unknown alt_type", main: good, alt: "10,1,\"xyz\",\"A\",-0- \r\n", file: "alt.csv", line: 1, reason: `unknown alt_type "xyz"`},
		{name: "address of unknown entry", main: good, add: "7,1,-0- ,-0- ,\"Cuba\",-0- \r\n", file: "add.csv", line: 1, reason: "ent_num 7 is not in the main file"},
		{name: "comment of unknown entry", main: good, comments: "8,\"more\"\r\n", file: "sdn_comments.csv", line: 1, reason: "ent_num 8 is not in the main file"},
		{name: "multi-line record error names its first line", main: good + "11,\"A\nB\",-0- \r\n", file: "sdn.csv", line: 2, reason: "wrong number of fields"},
		{name: "EOF byte mid-file", main: good + "\x1a" + good, file: "sdn.csv", line: 2, reason: "end-of-file byte"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadOFACSDN(sdnSet(c.main, c.add, c.alt, c.comments))
			wantParseError(t, err, c.file, c.line, c.reason)
			if warden.ErrorCode(err) != warden.EINVALID || !strings.Contains(warden.ErrorMessage(err), c.file) {
				t.Errorf("application error: %s %q", warden.ErrorCode(err), warden.ErrorMessage(err))
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		fsys := sdnSet(good, "", "", "")
		delete(fsys, "alt.csv")
		_, err := LoadOFACSDN(fsys)
		wantParseError(t, err, "alt.csv", 0, "open")
	})
}

func TestLoadOFACConsolidated(t *testing.T) {
	s, err := LoadOFACConsolidated(realFS(t, "ofac-cons"))
	if err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, s)
	// cons_prim.csv: 442 records, 79 typed individual and 363 left empty.
	if c := s.Counts; c.Entities != 442 || c.Individuals != 79 || c.Organizations != 363 || c.Warnings != 0 {
		t.Errorf("counts %+v", c)
	}
	e := mustEntity(t, s, "9647")
	wantNames := []Name{{"ZAHHAR, Mahmoud Khaled", NamePrimary}, {"AL ZAHAR, Mahmoud Khaled", NameStrongAKA},
		{"ZAHAR, Mahmoud", NameWeakAKA}, {"AL-ZAHAR, Mahmoud", NameWeakAKA}}
	if !reflect.DeepEqual(e.Names, wantNames) || !reflect.DeepEqual(e.Programs, []string{"SDGT", "NS-PLC"}) ||
		!reflect.DeepEqual(e.Nationalities, []string{"PS"}) || !reflect.DeepEqual(e.DatesOfBirth, []PartialDate{{Year: 1945}}) ||
		!reflect.DeepEqual(e.LinkedTo, []string{"HAMAS"}) {
		t.Errorf("%+v", e)
	}
	// 17016's Remarks continue in cons_comments.csv mid-word ("'Effec" + "tive Date").
	r := mustEntity(t, s, "17016")
	if !strings.Contains(r.Remarks, "'Effective Date (EO 14024 Directive)'") {
		t.Errorf("remarks not joined: %q", r.Remarks)
	}
	want := Identifier{Kind: IDTaxID, Label: "Tax ID No.", Number: "7744001497", Country: "RU"}
	found := false
	for _, id := range r.Identifiers {
		found = found || id == want
	}
	if !found {
		t.Errorf("17016 identifiers %+v lack %+v", r.Identifiers, want)
	}
}
