package money

import "testing"

func TestParseCurrency(t *testing.T) {
	for _, ok := range []string{"KES", "USD", "EUR", "JPY", "BHD", "TZS", "UGX"} {
		if c, err := ParseCurrency(ok); err != nil || string(c) != ok {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "kes", "KE", "KESS", "ABC", "XAU", "XXX", "US$"} {
		if _, err := ParseCurrency(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestMinorDigitsAndString(t *testing.T) {
	for cur, want := range map[Currency]int{"KES": 2, "JPY": 0, "BHD": 3, "USD": 2} {
		if got := cur.MinorDigits(); got != want {
			t.Errorf("%s: %d digits, want %d", cur, got, want)
		}
	}
	for a, want := range map[Amount]string{
		{Minor: 150000, Currency: "KES"}: "KES 1500.00",
		{Minor: 5, Currency: "USD"}:      "USD 0.05",
		{Minor: -1234, Currency: "JPY"}:  "JPY -1234",
		{Minor: 1, Currency: "BHD"}:      "BHD 0.001",
	} {
		if got := a.String(); got != want {
			t.Errorf("%+v: %q, want %q", a, got, want)
		}
	}
}
