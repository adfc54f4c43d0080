package document

import (
	"strings"

	"github.com/wardenhq/warden"
)

// ValidateKenyaNationalID checks a Kenyan national ID card number: 7 or 8
// digits, not all zero. Surrounding spaces are trimmed. It returns the number
// or a *warden.Error (EINVALID, field "kenya_national_id").
func ValidateKenyaNationalID(s string) (string, error) {
	const field = "kenya_national_id"
	s = strings.TrimSpace(s)
	if len(s) < 7 || len(s) > 8 || !allDigits(s) {
		return "", warden.FieldErrorf(warden.EINVALID, field, "a Kenyan national ID number has 7 or 8 digits")
	}
	if strings.Trim(s, "0") == "" {
		return "", warden.FieldErrorf(warden.EINVALID, field, "a Kenyan national ID number cannot be all zeros")
	}
	return s, nil
}

// ValidateSSN checks a US Social Security number given as AAA-GG-SSSS or nine
// digits and returns it as AAA-GG-SSSS. Rejected, as never issued by the SSA:
// area 000, 666 and 900-999, group 00, serial 0000, and the numbers
// published in advertising (078-05-1120, the Woolworth wallet card, and
// 219-09-9999, a Social Security Board pamphlet). Errors are *warden.Error
// (EINVALID, field "ssn").
func ValidateSSN(s string) (string, error) {
	const field = "ssn"
	area, group, serial, ok := split9(s, 3, 2)
	if !ok {
		return "", warden.FieldErrorf(warden.EINVALID, field, "an SSN is AAA-GG-SSSS or nine digits")
	}
	switch {
	case area == "000" || area == "666" || area[0] == '9':
		return "", warden.FieldErrorf(warden.EINVALID, field, "SSN area %s is never issued", area)
	case group == "00":
		return "", warden.FieldErrorf(warden.EINVALID, field, "SSN group 00 is never issued")
	case serial == "0000":
		return "", warden.FieldErrorf(warden.EINVALID, field, "SSN serial 0000 is never issued")
	}
	n := area + "-" + group + "-" + serial
	if n == "078-05-1120" || n == "219-09-9999" {
		return "", warden.FieldErrorf(warden.EINVALID, field, "SSN %s was published in advertising and is void", n)
	}
	return n, nil
}

// ValidateITIN checks a US Individual Taxpayer Identification Number given as
// 9XX-GG-SSSS or nine digits and returns it as 9XX-GG-SSSS. The first digit
// is 9 and the group (fourth and fifth digits) is in 50-65, 70-88, 90-92 or
// 94-99 (IRS ITIN ranges). Errors are *warden.Error (EINVALID, field "itin").
func ValidateITIN(s string) (string, error) {
	const field = "itin"
	area, group, serial, ok := split9(s, 3, 2)
	if !ok {
		return "", warden.FieldErrorf(warden.EINVALID, field, "an ITIN is 9XX-GG-SSSS or nine digits")
	}
	if area[0] != '9' {
		return "", warden.FieldErrorf(warden.EINVALID, field, "an ITIN begins with 9")
	}
	g := int(group[0]-'0')*10 + int(group[1]-'0')
	if !(g >= 50 && g <= 65 || g >= 70 && g <= 88 || g >= 90 && g <= 92 || g >= 94) {
		return "", warden.FieldErrorf(warden.EINVALID, field, "ITIN group %s is outside 50-65, 70-88, 90-92 and 94-99", group)
	}
	return area + "-" + group + "-" + serial, nil
}

// validEINPrefixes are the EIN prefixes the IRS assigns, from the IRS page
// "How EINs are assigned and valid EIN prefixes"
// (https://www.irs.gov/businesses/small-businesses-self-employed/how-eins-are-assigned-and-valid-ein-prefixes):
//
//	Andover 10, 12; Atlanta 60, 67; Austin 50, 53;
//	Brookhaven 01-06, 11, 13, 14, 16, 21-23, 25, 34, 51, 52, 54-59, 65;
//	Cincinnati 30, 32, 35-38, 61; Fresno 15, 24; Kansas City 40, 44;
//	Memphis 94, 95; Ogden 80, 90;
//	Philadelphia 33, 39, 41-43, 46, 48, 62-64, 66, 68, 71-77, 85-88, 91-93, 98, 99;
//	Internet 20, 26, 27, 45-47, 81-88; Small Business Administration 31.
//
// Never assigned: 00, 07-09, 17-19, 28, 29, 49, 69, 70, 78, 79, 89, 96, 97.
var validEINPrefixes = func() [100]bool {
	var v [100]bool
	for _, p := range []int{
		1, 2, 3, 4, 5, 6, 10, 11, 12, 13, 14, 15, 16,
		20, 21, 22, 23, 24, 25, 26, 27,
		30, 31, 32, 33, 34, 35, 36, 37, 38, 39,
		40, 41, 42, 43, 44, 45, 46, 47, 48,
		50, 51, 52, 53, 54, 55, 56, 57, 58, 59,
		60, 61, 62, 63, 64, 65, 66, 67, 68,
		71, 72, 73, 74, 75, 76, 77,
		80, 81, 82, 83, 84, 85, 86, 87, 88,
		90, 91, 92, 93, 94, 95, 98, 99,
	} {
		v[p] = true
	}
	return v
}()

// ValidateEIN checks a US Employer Identification Number given as NN-NNNNNNN
// or nine digits, with a prefix the IRS assigns, and returns it as
// NN-NNNNNNN. Errors are *warden.Error (EINVALID, field "ein").
func ValidateEIN(s string) (string, error) {
	const field = "ein"
	prefix, serial, _, ok := split9(s, 2, 7)
	if !ok {
		return "", warden.FieldErrorf(warden.EINVALID, field, "an EIN is NN-NNNNNNN or nine digits")
	}
	if !validEINPrefixes[int(prefix[0]-'0')*10+int(prefix[1]-'0')] {
		return "", warden.FieldErrorf(warden.EINVALID, field, "EIN prefix %s is not assigned by the IRS", prefix)
	}
	return prefix + "-" + serial, nil
}

// split9 accepts nine digits, either bare or with hyphens after the first a
// and a+b digits (b+a == 9 leaves no third hyphen), and returns the parts.
func split9(s string, a, b int) (p1, p2, p3 string, ok bool) {
	s = strings.TrimSpace(s)
	var digits string
	switch {
	case len(s) == 9:
		digits = s
	case a+b == 9 && len(s) == 10 && s[a] == '-':
		digits = s[:a] + s[a+1:]
	case a+b < 9 && len(s) == 11 && s[a] == '-' && s[a+1+b] == '-':
		digits = s[:a] + s[a+1:a+1+b] + s[a+2+b:]
	default:
		return "", "", "", false
	}
	if !allDigits(digits) {
		return "", "", "", false
	}
	return digits[:a], digits[a : a+b], digits[a+b:], true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
