package goaml

import (
	"fmt"
	"math/big"
	"strings"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
)

// DefaultThresholdMinor is Kenya's cash reporting threshold, USD 15,000.00,
// in cents: cash transactions of that amount or more (or the equivalent in
// another currency) are reported to the Financial Reporting Centre.
const DefaultThresholdMinor = 1_500_000

// Threshold decides whether a cash amount reaches the reporting threshold.
// Rates come from configuration: Rates[c] is how many units of currency c
// one unit of Amount's currency buys, as a decimal string ("129.25" for KES
// when the threshold is in USD: USD 1 = KES 129.25). Conversion is exact
// (math/big.Rat); no float is involved anywhere.
type Threshold struct {
	Amount money.Amount
	Rates  map[money.Currency]string
}

// DefaultThreshold returns the USD 15,000.00 threshold with the given rates.
func DefaultThreshold(rates map[money.Currency]string) Threshold {
	return Threshold{Amount: money.Amount{Minor: DefaultThresholdMinor, Currency: "USD"}, Rates: rates}
}

// Validate checks the threshold and every rate: a rate must be a positive
// decimal number such as "129.25" (no exponent, no fraction syntax).
func (t Threshold) Validate() error {
	if _, err := money.ParseCurrency(string(t.Amount.Currency)); err != nil {
		return warden.FieldErrorf(warden.EINVALID, "threshold.currency", "threshold currency: %s", err.Error())
	}
	if t.Amount.Minor <= 0 {
		return warden.FieldErrorf(warden.EINVALID, "threshold.amount", "the threshold must be positive")
	}
	for c, r := range t.Rates {
		if _, err := parseRate(c, r); err != nil {
			return err
		}
	}
	return nil
}

func parseRate(c money.Currency, s string) (*big.Rat, error) {
	field := "threshold.rates." + string(c)
	if _, err := money.ParseCurrency(string(c)); err != nil {
		return nil, warden.FieldErrorf(warden.EINVALID, field, "%s", err.Error())
	}
	s = strings.TrimSpace(s)
	// big.Rat.SetString also takes "1/3" and "1e3"; configuration is
	// a plain decimal so that what an auditor reads is what is used.
	if s == "" || strings.ContainsAny(s, "/eE+-") {
		return nil, warden.FieldErrorf(warden.EINVALID, field, "rate for %s must be a positive decimal number such as 129.25", c)
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok || r.Sign() <= 0 {
		return nil, warden.FieldErrorf(warden.EINVALID, field, "rate for %s must be a positive decimal number such as 129.25", c)
	}
	return r, nil
}

// major returns an amount in major units as an exact rational (KES 1500.50
// is 150050/100).
func major(a money.Amount) *big.Rat {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(a.Currency.MinorDigits())), nil)
	return new(big.Rat).SetFrac(big.NewInt(a.Minor), scale)
}

// Convert returns a in the threshold's currency: exactly, as a rational of
// major units, and rounded half away from zero to minor units for display
// and for the report's foreign-currency fields.
func (t Threshold) Convert(a money.Amount) (money.Amount, *big.Rat, error) {
	if a.Currency == t.Amount.Currency {
		return a, major(a), nil
	}
	s, ok := t.Rates[a.Currency]
	if !ok {
		return money.Amount{}, nil, warden.FieldErrorf(warden.EINVALID, "currency", "no exchange rate configured for %s", a.Currency)
	}
	rate, err := parseRate(a.Currency, s)
	if err != nil {
		return money.Amount{}, nil, err
	}
	exact := new(big.Rat).Quo(major(a), rate)
	return money.Amount{Minor: roundMinor(exact, t.Amount.Currency.MinorDigits()), Currency: t.Amount.Currency}, exact, nil
}

// roundMinor rounds a major-unit rational to minor units, half away from
// zero.
func roundMinor(r *big.Rat, digits int) int64 {
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
	v := new(big.Rat).Mul(r, new(big.Rat).SetInt(scale))
	num, den := v.Num(), v.Denom()
	q, m := new(big.Int).QuoRem(num, den, new(big.Int))
	// Compare 2*|remainder| with the denominator.
	m.Abs(m).Mul(m, big.NewInt(2))
	if m.Cmp(den) >= 0 {
		if num.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	return q.Int64()
}

// Reaches reports whether a, converted exactly, is at least the threshold.
// The comparison uses the exact value, so KES 1,938,749.99 at 129.25 (USD
// 14,999.99994...) does not reach USD 15,000 although it rounds to it.
func (t Threshold) Reaches(a money.Amount) (bool, error) {
	if err := t.Validate(); err != nil {
		return false, err
	}
	if a.Minor < 0 {
		return false, warden.FieldErrorf(warden.EINVALID, "amount", "amount must not be negative")
	}
	_, exact, err := t.Convert(a)
	if err != nil {
		return false, fmt.Errorf("threshold: %w", err)
	}
	return exact.Cmp(major(t.Amount)) >= 0, nil
}
