package screening

import (
	"math"
	"strings"
)

// adjust moves a name score by what the other attributes say.
func adjust(score float64, q Query, e *Entity) (float64, []AttributeCheck) {
	var checks []AttributeCheck
	add := func(attr, qv, lv, result string, effect float64) {
		score += effect
		checks = append(checks, AttributeCheck{Attribute: attr, Query: qv, List: lv, Result: result, Effect: effect})
	}
	for _, qi := range q.Identifiers {
		for _, li := range e.Identifiers {
			if qi.Number != "" && normalizeID(qi.Number) == normalizeID(li.Number) && (qi.Kind == "" || qi.Kind == li.Kind) {
				add("identifier", string(qi.Kind)+" "+qi.Number, string(li.Kind)+" "+li.Number, "agree", math.Max(0, 0.99-score))
			}
		}
	}
	if q.DateOfBirth != nil && len(e.DatesOfBirth) > 0 {
		agree, closest := false, ""
		for _, d := range e.DatesOfBirth {
			if datesAgree(*q.DateOfBirth, d) {
				agree, closest = true, d.String()
				break
			}
			closest = d.String()
		}
		if agree {
			add("date_of_birth", q.DateOfBirth.String(), closest, "agree", dobAgreeEffect)
		} else {
			add("date_of_birth", q.DateOfBirth.String(), closest, "conflict", -0.15)
		}
	}
	if q.Country != "" {
		all := append(append([]string{}, e.Nationalities...), e.Countries...)
		if len(all) > 0 {
			if contains(all, strings.ToUpper(q.Country)) {
				add("country", q.Country, strings.ToUpper(q.Country), "agree", countryAgreeEffect)
			} else {
				add("country", q.Country, strings.Join(all, ","), "conflict", -0.05)
			}
		}
	}
	if q.Type != "" && q.Type != TypeUnknown && e.Type != TypeUnknown && q.Type != e.Type {
		add("type", string(q.Type), string(e.Type), "conflict", -0.15)
	}
	return math.Max(0, math.Min(1, score)), checks
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func normalizeID(s string) string {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// datesAgree: equal on every part both know, within a year for circa dates,
// or inside a range.
func datesAgree(q, l PartialDate) bool {
	if l.ToYear != 0 {
		return q.Year >= l.Year && q.Year <= l.ToYear
	}
	if l.Circa || q.Circa {
		return abs(q.Year-l.Year) <= 1
	}
	if q.Year != l.Year {
		return false
	}
	if q.Month != 0 && l.Month != 0 && q.Month != l.Month {
		return false
	}
	return q.Day == 0 || l.Day == 0 || q.Day == l.Day
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// jaroWinkler is the Jaro-Winkler similarity of two ASCII-folded tokens.
func jaroWinkler(a, b string) float64 {
	if a == b {
		return 1
	}
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	if la > 64 || lb > 64 {
		return 0
	}
	window := max(la, lb)/2 - 1
	window = max(window, 0)
	var am, bm [64]bool
	m := 0
	for i := range la {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for j := lo; j < hi; j++ {
			if !bm[j] && a[i] == b[j] {
				am[i], bm[j] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for i := range la {
		if !am[i] {
			continue
		}
		for !bm[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	mf := float64(m)
	jaro := (mf/float64(la) + mf/float64(lb) + (mf-float64(t)/2)/mf) / 3
	prefix := 0
	for prefix < min(4, la, lb) && a[prefix] == b[prefix] {
		prefix++
	}
	return jaro + float64(prefix)*0.1*(1-jaro)
}
