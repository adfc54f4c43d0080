package goaml

import (
	"errors"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
)

func kes(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "KES"} }

func TestThresholdConversion(t *testing.T) {
	th := DefaultThreshold(map[money.Currency]string{"KES": "129.25", "EUR": "0.92", "JPY": "151.3", "BHD": "0.376"})
	cases := []struct {
		in        money.Amount
		wantMinor int64
		wantExact string
		reaches   bool
	}{
		// 1,938,750.00 / 129.25 = 15,000 exactly: reaches (>=).
		{kes(193_875_000), 1_500_000, "15000/1", true},
		// One cent less: 1,938,749.99 / 129.25 = 14,999.99992263...: rounds
		// to 15,000.00 for display but does not reach.
		{kes(193_874_999), 1_500_000, "193874999/12925", false},
		// KES 100.00 / 129.25 = 0.77369... -> USD 0.77.
		{kes(10_000), 77, "400/517", false},
		// EUR 13,800.00 / 0.92 = USD 15,000 exactly.
		{money.Amount{Minor: 1_380_000, Currency: "EUR"}, 1_500_000, "15000/1", true},
		// JPY has no minor unit: 2,269,500 / 151.3 = 15,000.
		{money.Amount{Minor: 2_269_500, Currency: "JPY"}, 1_500_000, "15000/1", true},
		// BHD has three decimals: 5,640.000 / 0.376 = 15,000.
		{money.Amount{Minor: 5_640_000, Currency: "BHD"}, 1_500_000, "15000/1", true},
		// USD is compared as is.
		{money.Amount{Minor: 1_499_999, Currency: "USD"}, 1_499_999, "1499999/100", false},
		// Half a cent rounds away from zero: KES 0.65 / 129.25 = 0.005029 -> 0.01.
		{kes(65), 1, "13/2585", false},
	}
	for _, c := range cases {
		got, exact, err := th.Convert(c.in)
		if err != nil {
			t.Fatalf("Convert(%s): %v", c.in, err)
		}
		if got.Minor != c.wantMinor || got.Currency != "USD" || exact.String() != c.wantExact {
			t.Errorf("Convert(%s) = %s (%s), want %d cents (%s)", c.in, got, exact, c.wantMinor, c.wantExact)
		}
		r, err := th.Reaches(c.in)
		if err != nil || r != c.reaches {
			t.Errorf("Reaches(%s) = %v, %v; want %v", c.in, r, err, c.reaches)
		}
	}
}

func TestThresholdConfigured(t *testing.T) {
	// A threshold in KES itself, for an FIU that sets it locally.
	th := Threshold{Amount: kes(100_000_000), Rates: map[money.Currency]string{"USD": "0.0077369439"}}
	r, err := th.Reaches(money.Amount{Minor: 773_695, Currency: "USD"}) // USD 7,736.95 / 0.0077369439 = KES 1,000,000.0...
	if err != nil || !r {
		t.Fatalf("Reaches = %v, %v", r, err)
	}
}

func TestThresholdErrors(t *testing.T) {
	for name, c := range map[string]struct {
		th    Threshold
		field string
	}{
		"no rate":      {DefaultThreshold(nil), "currency"},
		"float syntax": {DefaultThreshold(map[money.Currency]string{"KES": "1.2925e2"}), "threshold.rates.KES"},
		"fraction":     {DefaultThreshold(map[money.Currency]string{"KES": "517/4"}), "threshold.rates.KES"},
		"zero":         {DefaultThreshold(map[money.Currency]string{"KES": "0"}), "threshold.rates.KES"},
		"negative":     {DefaultThreshold(map[money.Currency]string{"KES": "-129"}), "threshold.rates.KES"},
		"bad currency": {DefaultThreshold(map[money.Currency]string{"KES": "129", "XAU": "1"}), "threshold.rates.XAU"},
		"zero amount":  {Threshold{Amount: money.Amount{Currency: "USD"}}, "threshold.amount"},
	} {
		_, err := c.th.Reaches(kes(100))
		var we *warden.Error
		if !errors.As(err, &we) || we.Field != c.field {
			t.Errorf("%s: err = %v, want field %s", name, err, c.field)
		}
	}
}
