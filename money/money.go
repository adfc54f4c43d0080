// Package money holds amounts as integer minor units with an ISO 4217
// currency: never a float.
package money

import (
	"fmt"
	"strings"

	"golang.org/x/text/currency"
)

// Currency is a validated ISO 4217 alphabetic code.
type Currency string

// ParseCurrency validates an ISO 4217 code (upper-case, three letters, a
// currency ISO lists, not a fund or precious-metal code such as XAU).
func ParseCurrency(s string) (Currency, error) {
	if len(s) != 3 || strings.ToUpper(s) != s {
		return "", fmt.Errorf("currency must be an ISO 4217 code of three capital letters such as KES")
	}
	u, err := currency.ParseISO(s)
	if err != nil || u.String() != s {
		return "", fmt.Errorf("currency %q is not an ISO 4217 code", s)
	}
	switch s {
	case "XAU", "XAG", "XPT", "XPD", "XDR", "XXX", "XTS", "XBA", "XBB", "XBC", "XBD", "XSU", "XUA":
		return "", fmt.Errorf("currency %q is not a currency of payment", s)
	}
	return Currency(s), nil
}

// MinorDigits is the number of decimal places of the currency's minor unit
// (KES 2, JPY 0, BHD 3), as ISO 4217 lists it.
func (c Currency) MinorDigits() int {
	u, err := currency.ParseISO(string(c))
	if err != nil {
		return 2
	}
	scale, _ := currency.Standard.Rounding(u)
	return scale
}

// Amount is a sum of money in minor units.
type Amount struct {
	Minor    int64    `json:"minor"`
	Currency Currency `json:"currency"`
}

// String formats the amount with its currency's decimals, e.g. "KES 1500.00".
func (a Amount) String() string {
	d := a.Currency.MinorDigits()
	neg := a.Minor < 0
	v := a.Minor
	if neg {
		v = -v
	}
	s := fmt.Sprint(v)
	if d > 0 {
		for len(s) <= d {
			s = "0" + s
		}
		s = s[:len(s)-d] + "." + s[len(s)-d:]
	}
	if neg {
		s = "-" + s
	}
	return string(a.Currency) + " " + s
}
