package screening

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// String renders the date as ISO 8601: "1960", "1960-01", "1960-01-02", a
// range as "1965/1969", prefixed with "~" when approximate.
func (d PartialDate) String() string {
	s := isoPart(d.Year, d.Month, d.Day)
	if d.ToYear != 0 {
		s += "/" + isoPart(d.ToYear, d.ToMonth, d.ToDay)
	}
	if d.Circa {
		s = "~" + s
	}
	return s
}

func isoPart(y, m, d int) string {
	switch {
	case m == 0:
		return fmt.Sprintf("%04d", y)
	case d == 0:
		return fmt.Sprintf("%04d-%02d", y, m)
	}
	return fmt.Sprintf("%04d-%02d-%02d", y, m, d)
}

// Valid reports whether the date is a real calendar date (or year, or month)
// between years 1 and 9999 and a range ends no earlier than it starts.
func (d PartialDate) Valid() bool {
	if !validPart(d.Year, d.Month, d.Day) {
		return false
	}
	if d.ToYear == 0 {
		return d.ToMonth == 0 && d.ToDay == 0
	}
	if !validPart(d.ToYear, d.ToMonth, d.ToDay) {
		return false
	}
	return [3]int{d.Year, d.Month, d.Day} != [3]int{d.ToYear, d.ToMonth, d.ToDay} &&
		!less(d.ToYear, d.ToMonth, d.ToDay, d.Year, d.Month, d.Day)
}

func validPart(y, m, d int) bool {
	switch {
	case y < 1 || y > 9999 || m < 0 || m > 12 || d < 0:
		return false
	case m == 0:
		return d == 0
	case d == 0:
		return true
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	return t.Day() == d // rejects 31 Feb
}

// less compares two partial dates by their earliest possible day.
func less(y1, m1, d1, y2, m2, d2 int) bool {
	if y1 != y2 {
		return y1 < y2
	}
	if m1 != m2 {
		return m1 < m2
	}
	return d1 < d2
}

var monthAbbr = map[string]int{
	"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
	"jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
	"january": 1, "february": 2, "march": 3, "april": 4, "june": 6, "july": 7,
	"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
}

// parseOFACDate reads the date forms OFAC writes after "DOB": "02 Jan 1960",
// "Jan 1960", "1960", "circa 1960", "1960 to 1962", "01 Jan 1960 to 31 Dec
// 1962", "circa 1950-1955".
func parseOFACDate(s string) (PartialDate, bool) {
	s = strings.TrimSpace(s)
	var d PartialDate
	if rest, ok := cutPrefixFold(s, "circa "); ok {
		d.Circa = true
		s = strings.TrimSpace(rest)
	}
	from, to, isRange := strings.Cut(s, " to ")
	if !isRange {
		// "1950-1955": a year range written with a hyphen.
		if a, b, ok := strings.Cut(s, "-"); ok && isYear(a) && isYear(b) {
			from, to, isRange = a, b, true
		}
	}
	var ok bool
	if d.Year, d.Month, d.Day, ok = parseDMY(from); !ok {
		return PartialDate{}, false
	}
	if isRange {
		if d.ToYear, d.ToMonth, d.ToDay, ok = parseDMY(to); !ok {
			return PartialDate{}, false
		}
		if [3]int{d.Year, d.Month, d.Day} == [3]int{d.ToYear, d.ToMonth, d.ToDay} {
			d.ToYear, d.ToMonth, d.ToDay = 0, 0, 0 // "01 Jan 1960 to 01 Jan 1960"
		}
	}
	return d, d.Valid()
}

// parseDMY reads "02 Jan 1960", "Jan 1960", "Jan. 1960", "January 1960" or "1960".
func parseDMY(s string) (y, m, d int, ok bool) {
	f := strings.Fields(s)
	switch len(f) {
	case 1:
		y, ok = atoiYear(f[0])
		return y, 0, 0, ok
	case 2:
		m, ok = monthAbbr[strings.ToLower(strings.TrimSuffix(f[0], "."))]
		if !ok {
			return 0, 0, 0, false
		}
		y, ok = atoiYear(f[1])
		return y, m, 0, ok
	case 3:
		dd, err := strconv.Atoi(f[0])
		if err != nil || dd < 1 || dd > 31 {
			return 0, 0, 0, false
		}
		m, ok = monthAbbr[strings.ToLower(strings.TrimSuffix(f[1], "."))]
		if !ok {
			return 0, 0, 0, false
		}
		y, ok = atoiYear(f[2])
		return y, m, dd, ok
	}
	return 0, 0, 0, false
}

func isYear(s string) bool { _, ok := atoiYear(strings.TrimSpace(s)); return ok }

func atoiYear(s string) (int, bool) {
	if len(s) != 4 {
		return 0, false
	}
	y, err := strconv.Atoi(s)
	return y, err == nil && y >= 1
}

// parseISODate reads "1960", "1960-01" or "1960-01-02"; it ignores a time or
// zone suffix after the day ("2015-04-07-04:00" in the UN list).
func parseISODate(s string) (PartialDate, bool) {
	s = strings.TrimSpace(s)
	var d PartialDate
	var ok bool
	if d.Year, ok = atoiYear(prefix(s, 4)); !ok {
		return PartialDate{}, false
	}
	if len(s) == 4 {
		return d, true
	}
	if len(s) < 7 || s[4] != '-' {
		return PartialDate{}, false
	}
	if d.Month, ok = atoi2(s[5:7]); !ok {
		return PartialDate{}, false
	}
	if len(s) > 7 {
		if len(s) < 10 || s[7] != '-' {
			return PartialDate{}, false
		}
		if d.Day, ok = atoi2(s[8:10]); !ok {
			return PartialDate{}, false
		}
	}
	return d, d.Valid()
}

// parseISOTime reads a full ISO date (with optional suffix) as a UTC day.
func parseISOTime(s string) (time.Time, bool) {
	d, ok := parseISODate(s)
	if !ok || d.Day == 0 {
		return time.Time{}, false
	}
	return time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC), true
}

func atoi2(s string) (int, bool) {
	if len(s) != 2 || s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

func prefix(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

// cutPrefixFold is strings.CutPrefix ignoring ASCII case.
func cutPrefixFold(s, p string) (string, bool) {
	if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
		return s[len(p):], true
	}
	return s, false
}
