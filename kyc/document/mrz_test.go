package document

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
)

const (
	td3L1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
	td3L2 = "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
	td1L1 = "I<UTOD231458907<<<<<<<<<<<<<<<"
	td1L2 = "7408122F1204159UTO<<<<<<<<<<<6"
	td1L3 = "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"
)

var testNow = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// setAt returns s with the byte at i replaced by c.
func setAt(s string, i int, c byte) string { return s[:i] + string(c) + s[i+1:] }

// bump changes a check digit to a different digit.
func bump(s string, i int) string { return setAt(s, i, '0'+(s[i]-'0'+1)%10) }

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var e *warden.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *warden.Error", err)
	}
	if e.Code != warden.EINVALID {
		t.Fatalf("code = %q, want %q", e.Code, warden.EINVALID)
	}
	return e.Field
}

func TestCheckDigit(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want byte
	}{
		{"L898902C3", '6'},
		{"740812", '2'},
		{"120415", '9'},
		{"ZE184226B<<<<<", '1'},
		{"D23145890", '7'},
		{"<<<", '0'},
		{"", '0'},
	} {
		got, ok := CheckDigit(tc.in)
		if !ok || got != tc.want {
			t.Errorf("CheckDigit(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	if _, ok := CheckDigit("ab"); ok {
		t.Error("CheckDigit accepted lower case")
	}
}

func TestParseMRZSpecimens(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		want MRZ
	}{
		{"TD3", td3L1 + "\n" + td3L2, MRZ{
			Format: FormatTD3, DocumentType: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "L898902C3", Nationality: "UTO", DateOfBirth: day(1974, 8, 12), Sex: "F",
			Expiry: day(2012, 4, 15), PersonalNumber: "ZE184226B",
		}},
		{"TD3 CRLF and spaces", "  " + td3L1 + " \r\n\t" + td3L2 + "\r\n\r\n", MRZ{
			Format: FormatTD3, DocumentType: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "L898902C3", Nationality: "UTO", DateOfBirth: day(1974, 8, 12), Sex: "F",
			Expiry: day(2012, 4, 15), PersonalNumber: "ZE184226B",
		}},
		{"TD3 empty personal number with filler check", td3L1 + "\n" + "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<<8", MRZ{
			Format: FormatTD3, DocumentType: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "L898902C3", Nationality: "UTO", DateOfBirth: day(1974, 8, 12), Sex: "F",
			Expiry: day(2012, 4, 15),
		}},
		{"TD3 empty personal number with zero check", td3L1 + "\n" + "L898902C36UTO7408122F1204159<<<<<<<<<<<<<<08", MRZ{
			Format: FormatTD3, DocumentType: "P", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "L898902C3", Nationality: "UTO", DateOfBirth: day(1974, 8, 12), Sex: "F",
			Expiry: day(2012, 4, 15),
		}},
		{"TD1", td1L1 + "\n" + td1L2 + "\n" + td1L3, MRZ{
			Format: FormatTD1, DocumentType: "I", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "D23145890", Nationality: "UTO", DateOfBirth: day(1974, 8, 12), Sex: "F",
			Expiry: day(2012, 4, 15),
		}},
		{"TD1 long document number", "I<UTOD23145890<7349<<<<<<<<<<<\n" + td1L2 + "\n" + td1L3, MRZ{
			Format: FormatTD1, DocumentType: "I", IssuingState: "UTO", Surname: "ERIKSSON", GivenNames: "ANNA MARIA",
			DocumentNumber: "D23145890734", Nationality: "UTO", DateOfBirth: day(1974, 8, 12), Sex: "F",
			Expiry: day(2012, 4, 15),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseMRZAt(tc.text, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if *got != tc.want {
				t.Errorf("got  %+v\nwant %+v", *got, tc.want)
			}
		})
	}
}

func TestParseMRZCheckDigits(t *testing.T) {
	td3 := func(l2 string) string { return td3L1 + "\n" + l2 }
	td1 := func(l1, l2 string) string { return l1 + "\n" + l2 + "\n" + td1L3 }
	for _, tc := range []struct {
		name, text, field string
	}{
		{"TD3 document number", td3(bump(td3L2, 9)), "mrz.document_number_check"},
		{"TD3 date of birth", td3(bump(td3L2, 19)), "mrz.date_of_birth_check"},
		{"TD3 expiry", td3(bump(td3L2, 27)), "mrz.expiry_check"},
		{"TD3 personal number", td3(bump(td3L2, 42)), "mrz.personal_number_check"},
		{"TD3 personal number filler check on non-empty number", td3(setAt(td3L2, 42, '<')), "mrz.personal_number_check"},
		{"TD3 composite", td3(bump(td3L2, 43)), "mrz.composite_check"},
		{"TD3 document number data changed", td3(setAt(td3L2, 0, 'M')), "mrz.document_number_check"},
		{"TD3 sex is outside the composite", td3(setAt(td3L2, 20, 'Q')), "mrz.sex"},
		{"TD1 document number", td1(bump(td1L1, 14), td1L2), "mrz.document_number_check"},
		{"TD1 date of birth", td1(td1L1, bump(td1L2, 6)), "mrz.date_of_birth_check"},
		{"TD1 expiry", td1(td1L1, bump(td1L2, 14)), "mrz.expiry_check"},
		{"TD1 composite", td1(td1L1, bump(td1L2, 29)), "mrz.composite_check"},
		{"TD1 optional data changed", td1(setAt(td1L1, 20, 'X'), td1L2), "mrz.composite_check"},
		{"TD1 long document number check", td1("I<UTOD23145890<7348<<<<<<<<<<<", td1L2), "mrz.document_number_check"},
		{"TD1 long document number without check", td1("I<UTOD23145890<7<<<<<<<<<<<<<<", td1L2), "mrz.document_number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMRZAt(tc.text, testNow)
			if err == nil {
				t.Fatalf("accepted: %+v", m)
			}
			if f := fieldOf(t, err); f != tc.field {
				t.Errorf("field = %q, want %q (%v)", f, tc.field, err)
			}
		})
	}
}

func TestParseMRZMalformed(t *testing.T) {
	for _, tc := range []struct {
		name, text, field string
	}{
		{"empty", "", "mrz"},
		{"one line", td3L2, "mrz"},
		{"TD3 short line", td3L1 + "\n" + td3L2[:43], "mrz"},
		{"TD3 long line", td3L1 + "<\n" + td3L2, "mrz"},
		{"TD1 two lines", td1L1 + "\n" + td1L2, "mrz"},
		{"TD1 short line", td1L1 + "\n" + td1L2 + "\n" + td1L3[:29], "mrz"},
		{"mixed lengths", td3L1 + "\n" + td1L2, "mrz"},
		{"lower case", strings.ToLower(td3L1) + "\n" + td3L2, "mrz"},
		{"inner space", setAt(td3L1, 10, ' ') + "\n" + td3L2, "mrz"},
		{"punctuation", td3L1 + "\n" + setAt(td3L2, 30, '-'), "mrz"},
		{"non-ASCII", "P<UTOÉRIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<\n" + td3L2, "mrz"},
		{"TD3 not a passport", setAt(td3L1, 0, 'V') + "\n" + td3L2, "mrz.document_type"},
		{"TD1 wrong type", setAt(td1L1, 0, 'P') + "\n" + td1L2 + "\n" + td1L3, "mrz.document_type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMRZAt(tc.text, testNow)
			if err == nil {
				t.Fatalf("accepted: %+v", m)
			}
			if f := fieldOf(t, err); f != tc.field {
				t.Errorf("field = %q, want %q (%v)", f, tc.field, err)
			}
		})
	}
}

// td3With builds a valid TD3 MRZ with the given date of birth, sex and expiry
// (YYMMDD), recomputing the check digits.
func td3With(t *testing.T, dob string, sex byte, expiry string) string {
	t.Helper()
	cd := func(s string) string { c, _ := CheckDigit(s); return string(c) }
	l2 := "L898902C36UTO" + dob + cd(dob) + string(sex) + expiry + cd(expiry) + "ZE184226B<<<<<1"
	return td3L1 + "\n" + l2 + cd(l2[0:10]+l2[13:20]+l2[21:43])
}

func TestParseMRZDates(t *testing.T) {
	for _, tc := range []struct {
		name, dob, expiry string
		sex               byte
		wantDOB, wantExp  time.Time
		wantSex           string
		field             string
	}{
		{"past century birth", "740812", "320415", 'M', day(1974, 8, 12), day(2032, 4, 15), "M", ""},
		{"this century birth", "100101", "301231", 'F', day(2010, 1, 1), day(2030, 12, 31), "F", ""},
		{"birth year now, earlier in year", "260101", "360101", 'X', day(2026, 1, 1), day(2036, 1, 1), "X", ""},
		{"birth later this year is last century", "261231", "360101", '<', day(1926, 12, 31), day(2036, 1, 1), "X", ""},
		{"birth next year is last century", "270101", "370101", 'M', day(1927, 1, 1), day(2037, 1, 1), "M", ""},
		{"expiry far in the past century", "740812", "990101", 'M', day(1974, 8, 12), day(1999, 1, 1), "M", ""},
		{"leap day", "000229", "280229", 'M', day(2000, 2, 29), day(2028, 2, 29), "M", ""},
		{"bad month", "741312", "320415", 'M', time.Time{}, time.Time{}, "", "mrz.date_of_birth"},
		{"bad day", "740231", "320415", 'M', time.Time{}, time.Time{}, "", "mrz.date_of_birth"},
		{"day zero", "740800", "320415", 'M', time.Time{}, time.Time{}, "", "mrz.date_of_birth"},
		{"unknown day", "7408<<", "320415", 'M', time.Time{}, time.Time{}, "", "mrz.date_of_birth"},
		{"bad expiry", "740812", "270229", 'M', time.Time{}, time.Time{}, "", "mrz.expiry"},
		{"bad sex", "740812", "320415", 'Z', time.Time{}, time.Time{}, "", "mrz.sex"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMRZAt(td3With(t, tc.dob, tc.sex, tc.expiry), testNow)
			if tc.field != "" {
				if err == nil {
					t.Fatalf("accepted: %+v", m)
				}
				if f := fieldOf(t, err); f != tc.field {
					t.Errorf("field = %q, want %q (%v)", f, tc.field, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !m.DateOfBirth.Equal(tc.wantDOB) || !m.Expiry.Equal(tc.wantExp) || m.Sex != tc.wantSex {
				t.Errorf("got dob %v expiry %v sex %q; want %v %v %q", m.DateOfBirth, m.Expiry, m.Sex, tc.wantDOB, tc.wantExp, tc.wantSex)
			}
		})
	}
}

func TestParseMRZNames(t *testing.T) {
	full := "P<UTOVANDERBERGHE<HOOGSTRATEN<<JEAN<PIERRE<M"
	for _, tc := range []struct {
		name, l1, surname, given string
		truncated                bool
	}{
		{"specimen", td3L1, "ERIKSSON", "ANNA MARIA", false},
		{"surname only", "P<UTOERIKSSON" + strings.Repeat("<", 31), "ERIKSSON", "", false},
		{"full field", full, "VANDERBERGHE HOOGSTRATEN", "JEAN PIERRE M", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMRZAt(tc.l1+"\n"+td3L2, testNow)
			if err != nil {
				t.Fatal(err)
			}
			if m.Surname != tc.surname || m.GivenNames != tc.given || m.NameTruncated != tc.truncated {
				t.Errorf("got %q %q %v; want %q %q %v", m.Surname, m.GivenNames, m.NameTruncated, tc.surname, tc.given, tc.truncated)
			}
		})
	}
}

func TestMRZExpired(t *testing.T) {
	m := &MRZ{Expiry: day(2026, 5, 1)}
	for _, tc := range []struct {
		now  time.Time
		want bool
	}{
		{time.Date(2026, 4, 30, 23, 0, 0, 0, time.UTC), false},
		{time.Date(2026, 5, 1, 23, 59, 0, 0, time.UTC), false},
		{time.Date(2026, 5, 2, 0, 0, 1, 0, time.UTC), true},
	} {
		if got := m.Expired(tc.now); got != tc.want {
			t.Errorf("Expired(%v) = %v, want %v", tc.now, got, tc.want)
		}
	}
}

func FuzzParseMRZ(f *testing.F) {
	f.Add(td3L1 + "\n" + td3L2)
	f.Add(td1L1 + "\r\n" + td1L2 + "\r\n" + td1L3)
	f.Add("I<UTOD23145890<7349<<<<<<<<<<<\n" + td1L2 + "\n" + td1L3)
	f.Add("I<UTOD23145890<<<<<<<<<<<<<<<<\n" + td1L2 + "\n" + td1L3)
	f.Add("I<UTO<<<<<<<<<<<<<<<<<<<<<<<<<\n" + td1L2 + "\n" + td1L3)
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		m, err := ParseMRZAt(s, testNow)
		if err != nil {
			fieldOf(t, err)
			return
		}
		if m.DocumentNumber == "" || m.DateOfBirth.After(testNow) {
			t.Errorf("accepted an implausible MRZ: %+v", m)
		}
	})
}
