package document

import (
	"fmt"
	"testing"
)

type idCase struct {
	in, want string // want "" means rejected
}

func runIDCases(t *testing.T, name, field string, fn func(string) (string, error), cases []idCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(name+"/"+tc.in, func(t *testing.T) {
			got, err := fn(tc.in)
			if tc.want == "" {
				if err == nil {
					t.Fatalf("accepted as %q", got)
				}
				if f := fieldOf(t, err); f != field {
					t.Errorf("field = %q, want %q", f, field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestValidateKenyaNationalID(t *testing.T) {
	runIDCases(t, "kenya", "kenya_national_id", ValidateKenyaNationalID, []idCase{
		{"1234567", "1234567"},
		{"12345678", "12345678"},
		{" 01234567 ", "01234567"},
		{"123456", ""},
		{"123456789", ""},
		{"1234567a", ""},
		{"1234-567", ""},
		{"0000000", ""},
		{"00000000", ""},
		{"", ""},
	})
}

func TestValidateSSN(t *testing.T) {
	runIDCases(t, "ssn", "ssn", ValidateSSN, []idCase{
		{"123-45-6789", "123-45-6789"},
		{"123456789", "123-45-6789"},
		{" 001-01-0001 ", "001-01-0001"},
		{"899-99-9999", "899-99-9999"},
		{"665-12-3456", "665-12-3456"},
		{"000-12-3456", ""},
		{"666-12-3456", ""},
		{"900-12-3456", ""},
		{"999-12-3456", ""},
		{"123-00-4567", ""},
		{"123-45-0000", ""},
		{"078-05-1120", ""},
		{"078051120", ""},
		{"219-09-9999", ""},
		{"12-345-6789", ""},
		{"123-456789", ""},
		{"123 45 6789", ""},
		{"12345678", ""},
		{"1234567890", ""},
		{"123-45-678a", ""},
		{"", ""},
	})
}

func TestValidateITIN(t *testing.T) {
	cases := []idCase{
		{"912345678", ""}, // group 23 is not an ITIN group
		{"812-70-1234", ""},
		{"9127012345", ""},
		{"912-7O-1234", ""},
	}
	// Every group from 00 to 99, so each boundary is exercised.
	for g := 0; g < 100; g++ {
		ok := g >= 50 && g <= 65 || g >= 70 && g <= 88 || g >= 90 && g <= 92 || g >= 94
		s := fmt.Sprintf("900-%02d-1234", g)
		want := ""
		if ok {
			want = s
		}
		cases = append(cases, idCase{s, want})
	}
	cases = append(cases, idCase{"999701234", "999-70-1234"}, idCase{"984-88-0000", "984-88-0000"})
	// Spot checks against the rule so a broken loop cannot pass silently.
	for _, s := range []string{"900-49-1234", "900-66-1234", "900-69-1234", "900-89-1234", "900-93-1234"} {
		if _, err := ValidateITIN(s); err == nil {
			t.Errorf("ValidateITIN(%q) accepted", s)
		}
	}
	runIDCases(t, "itin", "itin", ValidateITIN, cases)
}

func TestValidateEIN(t *testing.T) {
	invalid := map[int]bool{0: true, 7: true, 8: true, 9: true, 17: true, 18: true, 19: true, 28: true, 29: true,
		49: true, 69: true, 70: true, 78: true, 79: true, 89: true, 96: true, 97: true}
	var cases []idCase
	for p := 0; p < 100; p++ {
		s := fmt.Sprintf("%02d-1234567", p)
		want := s
		if invalid[p] {
			want = ""
		}
		cases = append(cases, idCase{s, want})
	}
	cases = append(cases,
		idCase{"123456789", "12-3456789"},
		idCase{" 31-0000001 ", "31-0000001"},
		idCase{"071234567", ""},
		idCase{"123-456789", ""},
		idCase{"12-345-6789", ""},
		idCase{"12-34567890", ""},
		idCase{"12-345678", ""},
		idCase{"1a-3456789", ""},
		idCase{"", ""},
	)
	runIDCases(t, "ein", "ein", ValidateEIN, cases)
}
