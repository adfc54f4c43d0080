package screening

import (
	"reflect"
	"strings"
	"testing"
)

func TestApplyOFACRemarks(t *testing.T) {
	remarks := "DOB 01 Jan 1960; alt. DOB 1961; alt. DOB circa 1950-1955; DOB 13 Mar 1945 to 31 Feb 1946; " +
		"POB Tehran, Iran; nationality Iran; alt. nationality Korea, North; citizen Cuba; citizen Atlantis; Gender Female; " +
		"Passport A1234 (Iran) issued 01 Jan 2000 expires 31 Dec 2010; alt. Passport Booklet: B99 (Pakistan); " +
		"National ID No. D489833(9) (Hong Kong); Cedula No. 123 (Medellin); NIT # 800-1 (Colombia); " +
		"Vessel Registration Identification IMO 1234567; Company Number IMO 7654321; MMSI 123456789; SWIFT/BIC ABCDIRTH; " +
		"Digital Currency Address - ETH 0xabc; SSNumber 5; Website www.example.com; " +
		"a.k.a. 'ABU-'UMAR'; f.k.a. 'OLD NAME'; n.k.a. 'NEW NAME'; a.k.a. ''; Linked To: ACME S.A.; Linked To: GALAPAGOS S.A."
	e := Entity{Names: []Name{{"X", NamePrimary}}}
	var nat, other countrySet
	res := applyOFACRemarks(&e, remarks, &nat, &other)

	wantDates := []PartialDate{{Year: 1960, Month: 1, Day: 1}, {Year: 1961}, {Year: 1950, ToYear: 1955, Circa: true}}
	if !reflect.DeepEqual(e.DatesOfBirth, wantDates) {
		t.Errorf("dates %+v", e.DatesOfBirth)
	}
	// 31 Feb does not exist: reported, not guessed.
	if !reflect.DeepEqual(res.unreadDOBs, []string{"DOB 13 Mar 1945 to 31 Feb 1946"}) {
		t.Errorf("unread %q", res.unreadDOBs)
	}
	if !reflect.DeepEqual(e.PlacesOfBirth, []string{"Tehran, Iran"}) || e.Gender != "female" ||
		!reflect.DeepEqual(nat.codes, []string{"IR", "KP"}) || !reflect.DeepEqual(other.codes, []string{"CU"}) ||
		!reflect.DeepEqual(other.unmapped, []string{"Atlantis"}) {
		t.Errorf("pob %v gender %q nat %v other %+v", e.PlacesOfBirth, e.Gender, nat.codes, other)
	}
	wantIDs := []Identifier{
		{Kind: IDPassport, Label: "Passport", Number: "A1234", Country: "IR", Note: "issued 01 Jan 2000 expires 31 Dec 2010"},
		{Kind: IDPassport, Label: "Passport Booklet", Number: "B99", Country: "PK"},
		{Kind: IDNationalID, Label: "National ID No.", Number: "D489833(9)", Country: "HK"},
		{Kind: IDNationalID, Label: "Cedula No.", Number: "123", CountryName: "Medellin"},
		{Kind: IDTaxID, Label: "NIT #", Number: "800-1", Country: "CO"},
		{Kind: IDIMO, Label: "Vessel Registration Identification", Number: "1234567"},
		{Kind: IDIMO, Label: "Company Number", Number: "7654321"},
		{Kind: IDMMSI, Label: "MMSI", Number: "123456789"},
		{Kind: IDSwiftBIC, Label: "SWIFT/BIC", Number: "ABCDIRTH"},
		{Kind: IDOther, Label: "Digital Currency Address - ETH", Number: "0xabc"},
	}
	if !reflect.DeepEqual(e.Identifiers, wantIDs) {
		t.Errorf("identifiers\n%+v\nwant\n%+v", e.Identifiers, wantIDs)
	}
	wantNames := []Name{{"X", NamePrimary}, {"ABU-'UMAR", NameWeakAKA}, {"OLD NAME", NameFKA}, {"NEW NAME", NameWeakAKA}}
	if !reflect.DeepEqual(e.Names, wantNames) {
		t.Errorf("names %+v", e.Names)
	}
	// The final period belongs to the abbreviation, not only to the text.
	if !reflect.DeepEqual(e.LinkedTo, []string{"ACME S.A.", "GALAPAGOS S.A."}) {
		t.Errorf("linked %q", e.LinkedTo)
	}
}

func TestTrimFinalPeriod(t *testing.T) {
	cases := map[string]string{
		"Linked To: LAZARUS GROUP.": "Linked To: LAZARUS GROUP",
		"Linked To: ACME INC.":      "Linked To: ACME INC.",
		"Linked To: ACME S.A.":      "Linked To: ACME S.A.",
		"Linked To: AL-QA'IDA.":     "Linked To: AL-QA'IDA",
		"a.k.a. 'BNC'.":             "a.k.a. 'BNC'",
		"Passport 1 (Iran).":        "Passport 1 (Iran)",
		"ICTY indictee":             "ICTY indictee",
	}
	for in, want := range cases {
		if got := trimFinalPeriod(in); got != want {
			t.Errorf("trimFinalPeriod(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzOFACRemarks(f *testing.F) {
	for _, s := range []string{
		"DOB 01 Jan 1960; alt. DOB circa 1950-1955; POB Tehran, Iran; nationality Iran; a.k.a. 'X'; Linked To: Y.",
		"Passport A1234 (Iran) issued 01 Jan 2000 expires 31 Dec 2010; Digital Currency Address - ; MMSI",
		"DOB 99 Foo 0000 to ; a.k.a. '; f.k.a. ''''; citizen ; Gender Male; National ID No. (Iran)",
		"Vessel Registration Identification IMO ; SWIFT/BIC; DOB circa circa 1; DOB 1960 to 1950.",
		";;;;.; alt. ; alt. alt. DOB 1960",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, remarks string) {
		e := Entity{Names: []Name{{"X", NamePrimary}}}
		var nat, other countrySet
		applyOFACRemarks(&e, remarks, &nat, &other)
		for _, d := range e.DatesOfBirth {
			if !d.Valid() {
				t.Errorf("invalid date %+v from %q", d, remarks)
			}
		}
		for _, c := range append(nat.codes, other.codes...) {
			if !ValidCountryCode(c) {
				t.Errorf("invalid code %q", c)
			}
		}
		for _, n := range e.Names[1:] {
			if strings.TrimSpace(n.Text) == "" || n.Kind == NamePrimary {
				t.Errorf("bad name %+v", n)
			}
		}
		for _, id := range e.Identifiers {
			if id.Number == "" || (id.Country != "" && !ValidCountryCode(id.Country)) {
				t.Errorf("bad identifier %+v", id)
			}
		}
	})
}

// FuzzLoadOFACSDN feeds arbitrary bytes as sdn.csv (with a fixed alias
// file): the loader must return a snapshot or a *ParseError, never panic.
func FuzzLoadOFACSDN(f *testing.F) {
	f.Add([]byte(sdnRow("10", "DOE, John", `"individual"`, `"DOB 1960; a.k.a. 'J'."`) + "\x1a"))
	f.Add([]byte("10,\"A\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"unterminated\r\n"))
	f.Add([]byte("\xef\xbb\xbf10,\"\xc9\",\"vessel\",\"[X] [Y]\",-0- ,CALL,T,1,2,\"Korea, North\",O,-0- \r\n"))
	f.Fuzz(func(t *testing.T, main []byte) {
		s, err := LoadOFACSDN(sdnSet(string(main), "", "10,1,\"aka\",\"B\",-0- \r\n", ""))
		checkFuzzResult(t, s, err)
	})
}
