package tier

import (
	"math"
	"strings"

	"github.com/wardenhq/warden"
)

// currencyExponents maps each active ISO 4217 alphabetic code to its minor
// unit exponent (the number of decimal places of its minor unit), from the
// ISO 4217 "List One" (current currency and funds), as amended through 2025.
//
// Left out on purpose: codes with no minor unit defined ("N.A." in the
// standard: gold, silver, platinum, palladium, SDR, bond-market units, the
// testing code XTS and "no currency" XXX, the Sucre XSU and ADB unit XUA),
// and codes withdrawn from List One: HRK (2023, euro), SLL (replaced by
// SLE), ZWL (replaced by ZWG, 2024), CUC (2021), ANG (replaced by XCG,
// 2025) and BGN (2026, euro). Adding a currency is one line here.
var currencyExponents = map[string]int{
	// Exponent 0.
	"BIF": 0, "CLP": 0, "DJF": 0, "GNF": 0, "ISK": 0, "JPY": 0, "KMF": 0,
	"KRW": 0, "PYG": 0, "RWF": 0, "UGX": 0, "UYI": 0, "VND": 0, "VUV": 0,
	"XAF": 0, "XOF": 0, "XPF": 0,
	// Exponent 3.
	"BHD": 3, "IQD": 3, "JOD": 3, "KWD": 3, "LYD": 3, "OMR": 3, "TND": 3,
	// Exponent 4.
	"CLF": 4, "UYW": 4,
	// Exponent 2.
	"AED": 2, "AFN": 2, "ALL": 2, "AMD": 2, "AOA": 2, "ARS": 2, "AUD": 2,
	"AWG": 2, "AZN": 2, "BAM": 2, "BBD": 2, "BDT": 2, "BMD": 2, "BND": 2,
	"BOB": 2, "BOV": 2, "BRL": 2, "BSD": 2, "BTN": 2, "BWP": 2, "BYN": 2,
	"BZD": 2, "CAD": 2, "CDF": 2, "CHE": 2, "CHF": 2, "CHW": 2, "CNY": 2,
	"COP": 2, "COU": 2, "CRC": 2, "CUP": 2, "CVE": 2, "CZK": 2, "DKK": 2,
	"DOP": 2, "DZD": 2, "EGP": 2, "ERN": 2, "ETB": 2, "EUR": 2, "FJD": 2,
	"FKP": 2, "GBP": 2, "GEL": 2, "GHS": 2, "GIP": 2, "GMD": 2, "GTQ": 2,
	"GYD": 2, "HKD": 2, "HNL": 2, "HTG": 2, "HUF": 2, "IDR": 2, "ILS": 2,
	"INR": 2, "IRR": 2, "JMD": 2, "KES": 2, "KGS": 2, "KHR": 2, "KPW": 2,
	"KYD": 2, "KZT": 2, "LAK": 2, "LBP": 2, "LKR": 2, "LRD": 2, "LSL": 2,
	"MAD": 2, "MDL": 2, "MGA": 2, "MKD": 2, "MMK": 2, "MNT": 2, "MOP": 2,
	"MRU": 2, "MUR": 2, "MVR": 2, "MWK": 2, "MXN": 2, "MXV": 2, "MYR": 2,
	"MZN": 2, "NAD": 2, "NGN": 2, "NIO": 2, "NOK": 2, "NPR": 2, "NZD": 2,
	"PAB": 2, "PEN": 2, "PGK": 2, "PHP": 2, "PKR": 2, "PLN": 2, "QAR": 2,
	"RON": 2, "RSD": 2, "RUB": 2, "SAR": 2, "SBD": 2, "SCR": 2, "SDG": 2,
	"SEK": 2, "SGD": 2, "SHP": 2, "SLE": 2, "SOS": 2, "SRD": 2, "SSP": 2,
	"STN": 2, "SVC": 2, "SYP": 2, "SZL": 2, "THB": 2, "TJS": 2, "TMT": 2,
	"TOP": 2, "TRY": 2, "TTD": 2, "TWD": 2, "TZS": 2, "UAH": 2, "USD": 2,
	"USN": 2, "UYU": 2, "UZS": 2, "VED": 2, "VES": 2, "WST": 2, "XCD": 2,
	"XCG": 2, "YER": 2, "ZAR": 2, "ZMW": 2, "ZWG": 2,
}

// CurrencyExponent returns the minor unit exponent of an active ISO 4217
// alphabetic code (2 for KES and USD, 0 for JPY, 3 for KWD) and whether the
// code is known. Codes are upper case; "kes" is not a code.
func CurrencyExponent(code string) (int, bool) {
	e, ok := currencyExponents[code]
	return e, ok
}

// ParseAmount parses a non-negative decimal amount of currency, such as
// "150000.00" or "150000" for KES, into integer minor units (15000000). The
// syntax is digits, optionally followed by a point and at most as many
// digits as the currency's exponent ("150000.5" is 15000050 KES minor units;
// "150000.001" is rejected for KES, and any point is rejected for JPY).
// Rejected: signs, exponents ("1e5"), grouping ("150,000", "150_000"),
// leading zeros ("0150"), a point with no digits on either side, and
// amounts that do not fit in an int64. field names the input in errors,
// which are *warden.Error with code EINVALID.
func ParseAmount(s, currency, field string) (int64, error) {
	exp, ok := CurrencyExponent(currency)
	if !ok {
		return 0, warden.FieldErrorf(warden.EINVALID, field, "%q is not an active ISO 4217 currency code", currency)
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	switch {
	case whole == "" || !allDigits(whole) || !allDigits(frac):
		return 0, warden.FieldErrorf(warden.EINVALID, field, "amount %q is not a plain decimal number such as \"150000.00\"", s)
	case len(whole) > 1 && whole[0] == '0':
		return 0, warden.FieldErrorf(warden.EINVALID, field, "amount %q has a leading zero", s)
	case hasPoint && frac == "":
		return 0, warden.FieldErrorf(warden.EINVALID, field, "amount %q has no digits after the point", s)
	case len(frac) > exp:
		return 0, warden.FieldErrorf(warden.EINVALID, field, "amount %q has %d decimals; %s allows %d", s, len(frac), currency, exp)
	}
	frac += strings.Repeat("0", exp-len(frac))
	var n int64
	for _, c := range whole + frac {
		d := int64(c - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, warden.FieldErrorf(warden.EINVALID, field, "amount %q is too large", s)
		}
		n = n*10 + d
	}
	return n, nil
}

// FormatAmount formats minor units of currency as a decimal string with
// exactly the currency's exponent of decimals: 15000000 KES is "150000.00".
// Unknown currencies are formatted as plain minor units.
func FormatAmount(minor int64, currency string) string {
	exp, _ := CurrencyExponent(currency)
	neg := minor < 0
	var digits []byte
	u := uint64(minor)
	if neg {
		u = -u
	}
	for u > 0 || len(digits) <= exp {
		digits = append(digits, byte('0'+u%10))
		u /= 10
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i := len(digits) - 1; i >= 0; i-- {
		b.WriteByte(digits[i])
		if i == exp && exp > 0 {
			b.WriteByte('.')
		}
	}
	return b.String()
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
