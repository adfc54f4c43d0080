package screening

import (
	"math"
	"sort"
	"strings"
)

// Query is what is screened.
type Query struct {
	Name        string
	Type        EntityType   // optional
	DateOfBirth *PartialDate // optional
	Country     string       // optional ISO alpha-2 (nationality, citizenship or residence)
	Identifiers []Identifier // optional
	Lists       []string     // optional: only these lists
}

// TokenMatch explains how one query token met one list token.
type TokenMatch struct {
	Query      string  `json:"query"`
	List       string  `json:"list,omitempty"`
	Similarity float64 `json:"similarity"`
	Weight     float64 `json:"weight"`
	How        string  `json:"how"` // exact, fuzzy, phonetic, initial, none
}

// AttributeCheck explains how an attribute moved the score.
type AttributeCheck struct {
	Attribute string  `json:"attribute"`
	Query     string  `json:"query"`
	List      string  `json:"list"`
	Result    string  `json:"result"` // agree, conflict
	Effect    float64 `json:"effect"`
}

// Explanation says why an entity matched.
type Explanation struct {
	QueryName     string           `json:"query_name"`
	MatchedName   string           `json:"matched_name"`
	NameKind      NameKind         `json:"name_kind"`
	NameScore     float64          `json:"name_score"`
	Tokens        []TokenMatch     `json:"tokens"`
	UnmatchedList []string         `json:"unmatched_list_tokens,omitempty"`
	Attributes    []AttributeCheck `json:"attributes,omitempty"`
}

// Hit is one matching list entry.
type Hit struct {
	Entity      *Entity     `json:"-"`
	List        string      `json:"list"`
	EntryID     string      `json:"entry_id"`
	EntryName   string      `json:"entry_name"`
	EntryType   EntityType  `json:"entry_type"`
	MatchedName string      `json:"matched_alias"`
	Score       float64     `json:"score"`
	Explanation Explanation `json:"explanation"`
}

type simResult struct {
	sim float64
	how string
}

// tokenSimilarity compares two tokens in [0,1], saying how.
func tokenSimilarity(q, c string, qp, cp string) (float64, string) {
	if q == c {
		return 1, "exact"
	}
	if len(q) == 1 || len(c) == 1 {
		if q[0] == c[0] {
			return 0.8, "initial"
		}
		return 0, "none"
	}
	sim := jaroWinkler(q, c)
	how := "fuzzy"
	// Sounding alike lifts a fair spelling match (Mohammed, Muhammad), never
	// an unrelated short word.
	if qp == cp && len(qp) >= 3 && len(q) >= 4 && len(c) >= 4 && sim >= 0.7 && sim < 0.9 {
		sim, how = 0.9, "phonetic"
	}
	if sim < 0.8 {
		return 0, "none"
	}
	return sim, how
}

// scoreName aligns query tokens with a list name's tokens (order ignored,
// each list token used once, best pairs first) and scores the alignment.
// The query side counts more: a list name with an extra middle name still
// matches, a query with an extra unrelated word matches less.
func (ix *Index) scoreName(q []Token, qp []string, qw []float64, qTotal float64, memo []map[string]simResult, n *indexedName) (float64, []TokenMatch, []string) {
	type pair struct {
		qi, ci int
		sim    float64
		how    string
	}
	var pairs []pair
	for qi, qt := range q {
		for ci, ct := range n.tokens {
			r, ok := memo[qi][ct.Text]
			if !ok {
				r.sim, r.how = tokenSimilarity(qt.Text, ct.Text, qp[qi], n.phon[ci])
				memo[qi][ct.Text] = r
			}
			if r.sim > 0 {
				pairs = append(pairs, pair{qi, ci, r.sim, r.how})
			}
		}
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].sim > pairs[j].sim })
	qUsed, cUsed := make([]int, len(q)), make([]bool, len(n.tokens))
	for i := range qUsed {
		qUsed[i] = -1
	}
	matches := make([]TokenMatch, len(q))
	for qi, qt := range q {
		matches[qi] = TokenMatch{Query: qt.Text, Weight: round3(qw[qi]), How: "none"}
	}
	var qMatched, cMatched, strongMatched float64
	for _, p := range pairs {
		if qUsed[p.qi] >= 0 || cUsed[p.ci] {
			continue
		}
		qUsed[p.qi], cUsed[p.ci] = p.ci, true
		wq, wc := qw[p.qi], n.weights[p.ci]
		qMatched += wq * p.sim
		cMatched += wc * p.sim
		if !q[p.qi].Weak && !n.tokens[p.ci].Weak {
			strongMatched += wq * p.sim
		}
		matches[p.qi].List, matches[p.qi].Similarity, matches[p.qi].How = n.tokens[p.ci].Text, round3(p.sim), p.how
	}
	cTotal := n.total
	var unmatched []string
	for ci, t := range n.tokens {
		if !cUsed[ci] {
			unmatched = append(unmatched, t.Text)
		}
	}
	if qTotal == 0 || cTotal == 0 {
		return 0, matches, unmatched
	}
	score := 0.6*qMatched/qTotal + 0.4*cMatched/cTotal
	if strongMatched == 0 {
		score *= 0.3 // only company forms and connectors agreed
	}
	return score, matches, unmatched
}

// Search screens q against the index and returns hits scoring at least
// threshold, best first, at most limit.
func (ix *Index) Search(q Query, threshold float64, limit int) []Hit {
	toks := NormalizeName(q.Name)
	if len(toks) == 0 {
		return nil
	}
	qp := make([]string, len(toks))
	for i, t := range toks {
		qp[i] = PhoneticKey(t.Text)
	}
	qw := make([]float64, len(toks))
	var qTotal float64
	memo := make([]map[string]simResult, len(toks))
	for i, t := range toks {
		qw[i] = ix.weight(t)
		qTotal += qw[i]
		memo[i] = map[string]simResult{}
	}
	lists := map[string]bool{}
	for _, l := range q.Lists {
		lists[l] = true
	}
	best := map[int32]Hit{}
	for _, id := range ix.candidates(toks, qp) {
		n := &ix.names[id]
		e := ix.entities[n.entity]
		if len(lists) > 0 && !lists[e.List] {
			continue
		}
		s, tm, unmatched := ix.scoreName(toks, qp, qw, qTotal, memo, n)
		name := e.Names[n.name]
		if name.Kind == NameWeakAKA {
			s *= 0.9 // broad a.k.a.s are weaker evidence
		}
		if h, ok := best[n.entity]; ok && h.Explanation.NameScore >= s {
			continue
		}
		best[n.entity] = Hit{Entity: e, List: e.List, EntryID: e.ID, EntryName: e.PrimaryName(), EntryType: e.Type, MatchedName: name.Text,
			Explanation: Explanation{QueryName: q.Name, MatchedName: name.Text, NameKind: name.Kind, NameScore: round3(s), Tokens: tm, UnmatchedList: unmatched}}
	}
	var hits []Hit
	for _, h := range best {
		score, checks := adjust(h.Explanation.NameScore, q, h.Entity)
		h.Score, h.Explanation.Attributes = round3(score), checks
		if h.Score >= threshold {
			hits = append(hits, h)
		}
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].List+hits[i].EntryID < hits[j].List+hits[j].EntryID
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

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
			add("date_of_birth", q.DateOfBirth.String(), closest, "agree", 0.05)
		} else {
			add("date_of_birth", q.DateOfBirth.String(), closest, "conflict", -0.15)
		}
	}
	if q.Country != "" {
		all := append(append([]string{}, e.Nationalities...), e.Countries...)
		if len(all) > 0 {
			if contains(all, strings.ToUpper(q.Country)) {
				add("country", q.Country, strings.ToUpper(q.Country), "agree", 0.03)
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
	window := max(la, lb)/2 - 1
	window = max(window, 0)
	am, bm := make([]bool, la), make([]bool, lb)
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
