package document

import (
	"fmt"
	"golang.org/x/text/language"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Finding severities.
const (
	SeverityMismatch = "mismatch" // the document disagrees with the customer record
	SeverityExpired  = "expired"  // the document expired before the check
	SeverityMissing  = "missing"  // the customer record lacks the field, so it was not compared
)

// Finding is one discrepancy found by CrossCheck.
type Finding struct {
	Field    string // "surname", "given_names", "date_of_birth", "nationality", "expiry"
	Severity string // one of the Severity constants
	Message  string
}

// Person is the part of a customer record an identity document is checked
// against. Nationality is an ISO 3166-1 alpha-3 code.
type Person struct {
	Surname     string
	GivenNames  string
	DateOfBirth time.Time
	Nationality string
}

// CrossCheck compares a parsed MRZ with the customer record and reports every
// discrepancy; no findings means the document agrees with the record and has
// not expired at now.
//
// Names are compared after transliteration to the MRZ alphabet: diacritics
// are dropped, and the ICAO 9303 expansions (Ä→AE, Ö→OE, Ü→UE, Å→AA, ß→SS,
// Æ→AE, Ø→OE, Þ→TH, ...) are accepted as well; everything but letters is
// ignored. When the MRZ name field was full (possibly truncated), a record
// name that begins with the MRZ name is accepted. Dates of birth are compared
// on the two-digit year, month and day printed in the MRZ, so a century
// chosen wrongly by the parser's pivot does not cause a false mismatch.
func CrossCheck(m *MRZ, record Person, now time.Time) []Finding {
	var fs []Finding
	checkName := func(field, mrzName, recName string) {
		if strings.TrimSpace(recName) == "" {
			if mrzName != "" {
				fs = append(fs, Finding{Field: field, Severity: SeverityMissing, Message: "customer record has no " + strings.ReplaceAll(field, "_", " ")})
			}
			return
		}
		if !namesMatch(mrzName, recName, m.NameTruncated) {
			fs = append(fs, Finding{Field: field, Severity: SeverityMismatch,
				Message: fmt.Sprintf("document has %q, customer record has %q", mrzName, recName)})
		}
	}
	checkName("surname", m.Surname, record.Surname)
	checkName("given_names", m.GivenNames, record.GivenNames)

	if record.DateOfBirth.IsZero() {
		fs = append(fs, Finding{Field: "date_of_birth", Severity: SeverityMissing, Message: "customer record has no date of birth"})
	} else {
		ry, rm, rd := record.DateOfBirth.Date()
		my, mm, md := m.DateOfBirth.Date()
		if ry%100 != my%100 || rm != mm || rd != md {
			fs = append(fs, Finding{Field: "date_of_birth", Severity: SeverityMismatch,
				Message: fmt.Sprintf("document has %s, customer record has %s", m.DateOfBirth.Format(time.DateOnly), record.DateOfBirth.Format(time.DateOnly))})
		}
	}

	if nat := strings.ToUpper(strings.TrimSpace(record.Nationality)); nat == "" {
		fs = append(fs, Finding{Field: "nationality", Severity: SeverityMissing, Message: "customer record has no nationality"})
	} else if icaoToISO(m.Nationality) != icaoToISO(nat) {
		fs = append(fs, Finding{Field: "nationality", Severity: SeverityMismatch,
			Message: fmt.Sprintf("document has %q, customer record has %q", m.Nationality, nat)})
	}

	if m.Expired(now) {
		fs = append(fs, Finding{Field: "expiry", Severity: SeverityExpired,
			Message: fmt.Sprintf("document expired on %s", m.Expiry.Format(time.DateOnly))})
	}
	return fs
}

// icaoToISO maps the ICAO 9303 codes that differ from ISO 3166-1 alpha-3.
func icaoToISO(code string) string {
	switch code {
	case "D":
		return "DEU"
	case "GBD", "GBN", "GBO", "GBP", "GBS":
		// British citizens' and nationals' variants (ICAO 9303 part 3).
		return "GBR"
	case "RKS":
		return "XKK" // Kosovo: ICAO's code, ISO's user-assigned XK
	}
	return code
}

// Alpha3 converts an ISO 3166-1 alpha-2 code (as customer records keep
// nationality) to alpha-3 (as MRZs carry it); "" when unknown.
func Alpha3(alpha2 string) string {
	r, err := language.ParseRegion(strings.ToUpper(alpha2))
	if err != nil || len(alpha2) != 2 {
		return ""
	}
	return r.ISO3()
}

// namesMatch compares an MRZ name (A-Z and spaces) with a record name in any
// script that transliterates to Latin letters.
func namesMatch(mrzName, recName string, truncated bool) bool {
	want := lettersOnly(mrzName)
	for _, cand := range transliterations(recName) {
		if cand == want || truncated && want != "" && strings.HasPrefix(cand, want) {
			return true
		}
	}
	return false
}

func lettersOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'A' && r <= 'Z' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ICAO 9303 Part 3 recommended transliterations of characters that do not
// simply lose a diacritic. The German umlauts and Å have an alternative
// (the bare letter), produced by the second, diacritic-stripping variant.
var expansions = map[rune]string{
	'Ä': "AE", 'Ö': "OE", 'Ü': "UE", 'Å': "AA",
	'ß': "SS", 'ẞ': "SS", 'Æ': "AE", 'Ø': "OE", 'Œ': "OE",
	'Þ': "TH", 'Ð': "D", 'Đ': "D", 'Ł': "L", 'Ħ': "H", 'Ŧ': "T", 'Ŋ': "N", 'Ĳ': "IJ", 'ı': "I",
}

// transliterations returns the record name upper-cased and reduced to A-Z in
// two ways: with the ICAO expansions, and with diacritics simply dropped.
func transliterations(name string) []string {
	upper := strings.ToUpper(name) // Ä, Ø, ... upper-case; ß stays ß
	var icao, plain strings.Builder
	for _, r := range norm.NFC.String(upper) {
		if e, ok := expansions[r]; ok {
			icao.WriteString(e)
			if r == 'Ä' || r == 'Ö' || r == 'Ü' || r == 'Å' {
				plain.WriteString(stripMarks(r))
			} else {
				plain.WriteString(e)
			}
			continue
		}
		s := stripMarks(r)
		icao.WriteString(s)
		plain.WriteString(s)
	}
	if icao.String() == plain.String() {
		return []string{icao.String()}
	}
	return []string{icao.String(), plain.String()}
}

// stripMarks decomposes r and keeps only its A-Z letters.
func stripMarks(r rune) string {
	var b strings.Builder
	for _, d := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		if d >= 'A' && d <= 'Z' {
			b.WriteRune(d)
		}
	}
	return b.String()
}
