package document

import (
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden"
)

// MRZ formats.
const (
	FormatTD3 = "TD3" // passports: 2 lines of 44 characters
	FormatTD1 = "TD1" // ID cards: 3 lines of 30 characters
)

// MRZ is a parsed and check-digit-verified machine-readable zone. Text fields
// keep the MRZ alphabet (A-Z, 0-9) with fillers removed; names have '<'
// separators turned into single spaces.
type MRZ struct {
	Format         string
	DocumentType   string // "P", "I", "ID", "AC", ...
	IssuingState   string // ICAO 9303 three-letter code (Germany is "D")
	Surname        string
	GivenNames     string
	NameTruncated  bool // the name field was full, so the name may be truncated
	DocumentNumber string
	Nationality    string
	DateOfBirth    time.Time // UTC midnight
	Sex            string    // "M", "F" or "X" (unspecified)
	Expiry         time.Time // UTC midnight; the document is valid through this day
	// PersonalNumber is the TD3 personal number (optional data, line 2).
	PersonalNumber string
	// OptionalData is TD1 optional data: line 1 (after any document number
	// overflow) followed by line 2, separated by a space when both are present.
	OptionalData string
}

// Expired reports whether the document expired before now's calendar day
// (in UTC). A document is valid through its expiry date.
func (m *MRZ) Expired(now time.Time) bool {
	y, mo, d := now.UTC().Date()
	today := time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
	return m.Expiry.Before(today)
}

// ParseMRZ parses a TD3 or TD1 machine-readable zone and verifies every check
// digit, resolving two-digit birth years against the current time. See
// ParseMRZAt.
func ParseMRZ(text string) (*MRZ, error) {
	return ParseMRZAt(text, time.Now())
}

// ParseMRZAt parses a TD3 (2 × 44) or TD1 (3 × 30) machine-readable zone.
// Lines may be separated by LF or CRLF; surrounding spaces and blank lines are
// ignored. Two-digit years are resolved against now: a birth year that would
// lie in the future is taken as 19xx; an expiry year is placed in the century
// that puts it nearest to now. Every check digit is verified, and the error
// names the field of the failing one (for example "mrz.document_number_check").
// Errors are *warden.Error with code EINVALID.
func ParseMRZAt(text string, now time.Time) (*MRZ, error) {
	var lines []string
	for _, l := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		l = strings.TrimSpace(l)
		if l != "" {
			lines = append(lines, l)
		}
	}
	for i, l := range lines {
		for j := 0; j < len(l); j++ {
			if !isMRZChar(l[j]) {
				return nil, warden.FieldErrorf(warden.EINVALID, "mrz", "line %d has a character outside A-Z, 0-9 and '<' at position %d", i+1, j+1)
			}
		}
	}
	switch {
	case len(lines) == 2 && len(lines[0]) == 44 && len(lines[1]) == 44:
		return parseTD3(lines, now)
	case len(lines) == 3 && len(lines[0]) == 30 && len(lines[1]) == 30 && len(lines[2]) == 30:
		return parseTD1(lines, now)
	}
	lens := make([]string, len(lines))
	for i, l := range lines {
		lens[i] = strconv.Itoa(len(l))
	}
	return nil, warden.FieldErrorf(warden.EINVALID, "mrz", "not a TD3 (2 lines of 44) or TD1 (3 lines of 30) MRZ: %d lines of lengths [%s]", len(lines), strings.Join(lens, " "))
}

func parseTD3(lines []string, now time.Time) (*MRZ, error) {
	l1, l2 := lines[0], lines[1]
	if l1[0] != 'P' {
		return nil, warden.FieldErrorf(warden.EINVALID, "mrz.document_type", "TD3 document type must start with P, got %q", l1[0:2])
	}
	m := &MRZ{
		Format:         FormatTD3,
		DocumentType:   unfill(l1[0:2]),
		IssuingState:   unfill(l1[2:5]),
		DocumentNumber: unfill(l2[0:9]),
		Nationality:    unfill(l2[10:13]),
		PersonalNumber: unfill(l2[28:42]),
	}
	m.Surname, m.GivenNames, m.NameTruncated = parseName(l1[5:44])
	if err := verifyCheck(l2[0:9], l2[9], "mrz.document_number_check", "document number"); err != nil {
		return nil, err
	}
	if err := verifyCheck(l2[13:19], l2[19], "mrz.date_of_birth_check", "date of birth"); err != nil {
		return nil, err
	}
	if err := verifyCheck(l2[21:27], l2[27], "mrz.expiry_check", "expiry date"); err != nil {
		return nil, err
	}
	// An empty personal number may carry '<' (or 0) as its check digit.
	if !(m.PersonalNumber == "" && l2[42] == '<') {
		if err := verifyCheck(l2[28:42], l2[42], "mrz.personal_number_check", "personal number"); err != nil {
			return nil, err
		}
	}
	if err := verifyCheck(l2[0:10]+l2[13:20]+l2[21:43], l2[43], "mrz.composite_check", "composite"); err != nil {
		return nil, err
	}
	return finish(m, l2[13:19], l2[20], l2[21:27], now)
}

func parseTD1(lines []string, now time.Time) (*MRZ, error) {
	l1, l2, l3 := lines[0], lines[1], lines[2]
	switch l1[0] {
	case 'I', 'A', 'C':
	default:
		return nil, warden.FieldErrorf(warden.EINVALID, "mrz.document_type", "TD1 document type must start with I, A or C, got %q", l1[0:2])
	}
	m := &MRZ{
		Format:       FormatTD1,
		DocumentType: unfill(l1[0:2]),
		IssuingState: unfill(l1[2:5]),
		Nationality:  unfill(l2[15:18]),
	}
	m.Surname, m.GivenNames, m.NameTruncated = parseName(l3)
	opt1 := l1[15:30]
	if l1[14] == '<' && unfill(l1[5:14]) != "" && opt1[0] != '<' {
		// Long document number (ICAO 9303-5 note j): the first nine characters
		// in positions 6-14, a filler at 15, then the rest in the optional data
		// followed by its check digit and a filler.
		end := strings.IndexByte(opt1, '<')
		if end < 0 {
			end = len(opt1)
		}
		if end < 2 {
			return nil, warden.FieldErrorf(warden.EINVALID, "mrz.document_number", "long document number overflow has no check digit")
		}
		number := l1[5:14] + opt1[:end-1]
		if err := verifyCheck(number, opt1[end-1], "mrz.document_number_check", "document number"); err != nil {
			return nil, err
		}
		m.DocumentNumber = number
		opt1 = opt1[end:]
	} else {
		if err := verifyCheck(l1[5:14], l1[14], "mrz.document_number_check", "document number"); err != nil {
			return nil, err
		}
		m.DocumentNumber = unfill(l1[5:14])
	}
	m.OptionalData = strings.TrimSpace(unfill(opt1) + " " + unfill(l2[18:29]))
	if err := verifyCheck(l2[0:6], l2[6], "mrz.date_of_birth_check", "date of birth"); err != nil {
		return nil, err
	}
	if err := verifyCheck(l2[8:14], l2[14], "mrz.expiry_check", "expiry date"); err != nil {
		return nil, err
	}
	if err := verifyCheck(l1[5:30]+l2[0:7]+l2[8:15]+l2[18:29], l2[29], "mrz.composite_check", "composite"); err != nil {
		return nil, err
	}
	return finish(m, l2[0:6], l2[7], l2[8:14], now)
}

// finish decodes the dates and sex shared by both formats.
func finish(m *MRZ, dob string, sex byte, expiry string, now time.Time) (*MRZ, error) {
	if m.DocumentNumber == "" {
		return nil, warden.FieldErrorf(warden.EINVALID, "mrz.document_number", "document number is empty")
	}
	switch sex {
	case 'M', 'F', 'X':
		m.Sex = string(sex)
	case '<':
		m.Sex = "X"
	default:
		return nil, warden.FieldErrorf(warden.EINVALID, "mrz.sex", "sex must be M, F, X or '<', got %q", sex)
	}
	nowYear := now.UTC().Year()
	d, ok := parseYYMMDD(dob, func(yy int) int {
		y := nowYear/100*100 + yy
		if y > nowYear {
			y -= 100
		}
		return y
	})
	if !ok {
		return nil, warden.FieldErrorf(warden.EINVALID, "mrz.date_of_birth", "date of birth %q is not a valid YYMMDD date", dob)
	}
	if d.After(now) { // same year but later in it
		d = d.AddDate(-100, 0, 0)
	}
	m.DateOfBirth = d
	e, ok := parseYYMMDD(expiry, func(yy int) int {
		y := nowYear/100*100 + yy
		if y > nowYear+50 {
			y -= 100
		} else if y <= nowYear-50 {
			y += 100
		}
		return y
	})
	if !ok {
		return nil, warden.FieldErrorf(warden.EINVALID, "mrz.expiry", "expiry date %q is not a valid YYMMDD date", expiry)
	}
	m.Expiry = e
	return m, nil
}

func parseYYMMDD(s string, century func(yy int) int) (time.Time, bool) {
	if len(s) != 6 {
		return time.Time{}, false
	}
	for i := 0; i < 6; i++ {
		if s[i] < '0' || s[i] > '9' {
			return time.Time{}, false
		}
	}
	yy := int(s[0]-'0')*10 + int(s[1]-'0')
	mm := int(s[2]-'0')*10 + int(s[3]-'0')
	dd := int(s[4]-'0')*10 + int(s[5]-'0')
	y := century(yy)
	t := time.Date(y, time.Month(mm), dd, 0, 0, 0, 0, time.UTC)
	if mm < 1 || mm > 12 || dd < 1 || t.Month() != time.Month(mm) || t.Day() != dd {
		return time.Time{}, false
	}
	return t, true
}

// parseName splits an MRZ name field: primary identifier, "<<", secondary
// identifier, with '<' between name parts.
func parseName(field string) (surname, given string, truncated bool) {
	truncated = field[len(field)-1] != '<'
	s := strings.TrimRight(field, "<")
	primary, secondary, _ := strings.Cut(s, "<<")
	return nameSpaces(primary), nameSpaces(secondary), truncated
}

func nameSpaces(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '<' }), " ")
}

// unfill removes trailing and leading fillers and turns inner fillers into spaces.
func unfill(s string) string { return nameSpaces(s) }

// CheckDigit computes the ICAO 9303 check digit of s: weights 7, 3, 1 repeated,
// digits count as their value, A-Z as 10-35 and the filler '<' as 0. It
// reports false if s holds any other character.
func CheckDigit(s string) (byte, bool) {
	weights := [3]int{7, 3, 1}
	sum := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		var v int
		switch {
		case c >= '0' && c <= '9':
			v = int(c - '0')
		case c >= 'A' && c <= 'Z':
			v = int(c-'A') + 10
		case c == '<':
			v = 0
		default:
			return 0, false
		}
		sum += v * weights[i%3]
	}
	return byte('0' + sum%10), true
}

func verifyCheck(data string, got byte, field, what string) error {
	want, ok := CheckDigit(data)
	if !ok {
		return warden.FieldErrorf(warden.EINVALID, field, "%s contains characters outside the MRZ alphabet", what)
	}
	if got != want {
		return warden.FieldErrorf(warden.EINVALID, field, "%s check digit is %q, computed %q", what, got, want)
	}
	return nil
}

func isMRZChar(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '<'
}
