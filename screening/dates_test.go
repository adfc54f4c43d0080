package screening

import "testing"

func TestParseOFACDate(t *testing.T) {
	cases := map[string]PartialDate{
		"01 Jan 1960":                {Year: 1960, Month: 1, Day: 1},
		"Jan 1960":                   {Year: 1960, Month: 1},
		"1960":                       {Year: 1960},
		"circa 1960":                 {Year: 1960, Circa: true},
		"circa 01 Jul 1960":          {Year: 1960, Month: 7, Day: 1, Circa: true},
		"1960 to 1962":               {Year: 1960, ToYear: 1962},
		"Mar 1945 to Feb 1946":       {Year: 1945, Month: 3, ToYear: 1946, ToMonth: 2},
		"01 Jan 1960 to 31 Dec 1962": {Year: 1960, Month: 1, Day: 1, ToYear: 1962, ToMonth: 12, ToDay: 31},
		"01 Jan 1960 to 01 Jan 1960": {Year: 1960, Month: 1, Day: 1},
		"circa 1950-1955":            {Year: 1950, ToYear: 1955, Circa: true},
	}
	for in, want := range cases {
		if got, ok := parseOFACDate(in); !ok || got != want {
			t.Errorf("parseOFACDate(%q) = %+v, %v; want %+v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "31 Feb 1960", "1962 to 1960", "Foo 1960", "196", "01 Jan", "00 Jan 1960", "circa", "1960 to"} {
		if got, ok := parseOFACDate(in); ok {
			t.Errorf("parseOFACDate(%q) = %+v, want failure", in, got)
		}
	}
}

func TestPartialDateString(t *testing.T) {
	cases := map[string]PartialDate{
		"1960":            {Year: 1960},
		"1960-04":         {Year: 1960, Month: 4},
		"1960-04-02":      {Year: 1960, Month: 4, Day: 2},
		"~1960/1965":      {Year: 1960, ToYear: 1965, Circa: true},
		"1959-12/1960-01": {Year: 1959, Month: 12, ToYear: 1960, ToMonth: 1},
	}
	for want, d := range cases {
		if got := d.String(); got != want {
			t.Errorf("%+v.String() = %q, want %q", d, got, want)
		}
		if back, ok := parseOwnDate(want); !ok || back != d {
			t.Errorf("parseOwnDate(%q) = %+v, %v", want, back, ok)
		}
	}
}

func TestParseISODate(t *testing.T) {
	for in, want := range map[string]PartialDate{
		"2015-04-07-04:00": {Year: 2015, Month: 4, Day: 7},
		"1971":             {Year: 1971},
		"1971-05":          {Year: 1971, Month: 5},
	} {
		if got, ok := parseISODate(in); !ok || got != want {
			t.Errorf("parseISODate(%q) = %+v, %v", in, got, ok)
		}
	}
	for _, in := range []string{"1971-13-01", "1971-02-30", "19710", "1971-5", "abcd", "0000"} {
		if got, ok := parseISODate(in); ok {
			t.Errorf("parseISODate(%q) = %+v", in, got)
		}
	}
}
