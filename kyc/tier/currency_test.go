package tier

import (
	"errors"
	"testing"

	"github.com/wardenhq/warden"
)

func fieldOf(t *testing.T, err error) string {
	t.Helper()
	var e *warden.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *warden.Error", err)
	}
	if e.Code != warden.EINVALID {
		t.Fatalf("code = %q, want %q (%v)", e.Code, warden.EINVALID, err)
	}
	return e.Field
}

func TestCurrencyExponent(t *testing.T) {
	for code, want := range map[string]int{"KES": 2, "USD": 2, "EUR": 2, "JPY": 0, "KRW": 0, "UGX": 0, "KWD": 3, "BHD": 3, "CLF": 4} {
		if got, ok := CurrencyExponent(code); !ok || got != want {
			t.Errorf("CurrencyExponent(%s) = %d, %v; want %d", code, got, ok, want)
		}
	}
	for _, code := range []string{"kes", "XAU", "XXX", "XTS", "HRK", "ZWL", "", "KE", "KESS"} {
		if _, ok := CurrencyExponent(code); ok {
			t.Errorf("CurrencyExponent(%q) known", code)
		}
	}
	for code, e := range currencyExponents {
		if len(code) != 3 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z' || code[2] < 'A' || code[2] > 'Z' {
			t.Errorf("bad code %q", code)
		}
		if e < 0 || e > 4 {
			t.Errorf("%s exponent %d", code, e)
		}
	}
}

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct {
		in, cur string
		want    int64 // -1: rejected
	}{
		{"150000.00", "KES", 15000000},
		{"150000", "KES", 15000000},
		{"150000.5", "KES", 15000050},
		{"500000.00", "KES", 50000000},
		{"0", "KES", 0},
		{"0.00", "KES", 0},
		{"0.01", "KES", 1},
		{"1", "JPY", 1},
		{"1000", "JPY", 1000},
		{"1.000", "KWD", 1000},
		{"1.5", "KWD", 1500},
		{"92233720368547758.07", "USD", 9223372036854775807},
		{"92233720368547758.08", "USD", -1},
		{"9223372036854775807", "JPY", 9223372036854775807},
		{"9223372036854775808", "JPY", -1},
		{"99999999999999999999999", "JPY", -1},
		{"150000.001", "KES", -1},
		{"150000.000", "KES", -1},
		{"1.0", "JPY", -1},
		{"1.", "JPY", -1},
		{"1.", "KES", -1},
		{".50", "KES", -1},
		{".", "KES", -1},
		{"", "KES", -1},
		{"1e5", "KES", -1},
		{"1E5", "KES", -1},
		{"-1.00", "KES", -1},
		{"+1.00", "KES", -1},
		{"150,000.00", "KES", -1},
		{"150_000.00", "KES", -1},
		{" 150000.00", "KES", -1},
		{"0150000.00", "KES", -1},
		{"00", "KES", -1},
		{"0x10", "KES", -1},
		{"1.2.3", "KES", -1},
		{"١٢٣", "KES", -1}, // Arabic-Indic digits
		{"NaN", "KES", -1},
		{"Inf", "KES", -1},
		{"10.00", "kes", -1},
		{"10.00", "XAU", -1},
	} {
		t.Run(tc.cur+"/"+tc.in, func(t *testing.T) {
			got, err := ParseAmount(tc.in, tc.cur, "amt")
			if tc.want < 0 {
				if err == nil {
					t.Fatalf("accepted as %d", got)
				}
				if f := fieldOf(t, err); f != "amt" {
					t.Errorf("field = %q", f)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestFormatAmount(t *testing.T) {
	for _, tc := range []struct {
		minor int64
		cur   string
		want  string
	}{
		{15000000, "KES", "150000.00"},
		{1, "KES", "0.01"},
		{0, "KES", "0.00"},
		{-150, "USD", "-1.50"},
		{1000, "JPY", "1000"},
		{0, "JPY", "0"},
		{1500, "KWD", "1.500"},
		{9223372036854775807, "USD", "92233720368547758.07"},
		{-9223372036854775808, "USD", "-92233720368547758.08"},
	} {
		if got := FormatAmount(tc.minor, tc.cur); got != tc.want {
			t.Errorf("FormatAmount(%d, %s) = %q, want %q", tc.minor, tc.cur, got, tc.want)
		}
		if tc.minor >= 0 {
			if back, err := ParseAmount(tc.want, tc.cur, "x"); err != nil || back != tc.minor {
				t.Errorf("round trip %q = %d, %v", tc.want, back, err)
			}
		}
	}
}
