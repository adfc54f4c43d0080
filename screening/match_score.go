package screening

import (
	"math/bits"
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
	How        string  `json:"how"` // exact, fuzzy, phonetic, initial, joined, none
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

// How two tokens met.
const (
	howNone uint8 = iota
	howExact
	howFuzzy
	howPhonetic
	howInitial
	howJoined
)

var howNames = [...]string{"none", "exact", "fuzzy", "phonetic", "initial", "joined"}

// Scoring constants. A name score is
//
//	½ × (matched share of the query) + ½ × (matched share of the list name)
//
// where each share is the similarity-weighted weight of the aligned tokens
// over that weight plus the weight of the side's unaligned tokens (an aligned
// pair weighs what its list tokens weigh). Both sides count alike: a query
// that says something the list name does not, and a list name with parts the
// query lacks, are equally evidence of another party (measured: giving the
// query side 0.4 or 0.6 trades recall and false positives worse at every
// threshold, docs/screening-quality.md).
const (
	queryShare = 0.5
	// initialSim is how far an initial agrees with a name it begins.
	initialSim = 0.85
	// middleFactor discounts an unaligned middle name of a person, on either
	// side: lists record full names, customers often give fewer, and the
	// other way round.
	middleFactor = 0.5
	// weakAKAFactor scales scores on a.k.a.s the list itself grades weak.
	weakAKAFactor = 0.9
	// weakOnlyFactor scales a name score when only weak tokens (company
	// forms, connectors) agreed.
	weakOnlyFactor = 0.3
	// phoneticSim is the similarity of two spellings of one sound
	// (MOHAMMED and MUHAMMAD, HUSSEIN and HUSAYN).
	phoneticSim = 0.9
	// What agreeing attributes add to a score (an agreeing identifier
	// lifts it to 0.99).
	dobAgreeEffect     = 0.05
	countryAgreeEffect = 0.03
	// knownPenalty lowers an edit-distance match when the query token is
	// itself a token of some list name.
	knownPenalty = 0.05
	// shortWeakSim is the similarity of two letters no list holds to a
	// company form or connector one edit away.
	shortWeakSim = 0.7
)

// tokenSimilarity compares two different tokens in [0,1], saying how. Two
// tokens are alike when one edit (a letter inserted, dropped, replaced, or
// two neighbours swapped) turns one into the other, scored by length: an
// edit matters more in a short token; a differing first letter costs more,
// since typing rarely gets it wrong. Spellings of four letters or more with
// one phonetic key, lengths at most two apart and Jaro-Winkler similarity of
// at least 0.75 score phoneticSim, less 0.05 for a key of under three sounds
// and 0.05 for differing first letters. Initials agree with the names they
// begin.
func tokenSimilarity(q, c, qp, cp string) (float64, uint8) {
	if q == c {
		return 1, howExact
	}
	lq, lc := len(q), len(c)
	if lq == 0 || lc == 0 {
		return 0, howNone
	}
	if lq == 1 || lc == 1 {
		if q[0] == c[0] {
			return initialSim, howInitial
		}
		return 0, howNone
	}
	sim, how := 0.0, howNone
	if l := max(lq, lc); l >= 3 && oneEdit(q, c) {
		sim, how = 1-0.5/float64(l), howFuzzy
		if q[0] != c[0] {
			sim -= 0.05
		}
	}
	if sim < phoneticSim && qp == cp && len(qp) >= 2 && min(lq, lc) >= 4 && abs(lq-lc) <= 2 && jaroWinkler(q, c) >= 0.75 {
		ps := phoneticSim
		if len(qp) < 3 {
			ps -= 0.05
		}
		if q[0] != c[0] {
			ps -= 0.05
		}
		if ps > sim {
			sim, how = ps, howPhonetic
		}
	}
	return sim, how
}

// oneEdit reports whether a and b (different) are one insertion, deletion,
// substitution or transposition of neighbours apart.
func oneEdit(a, b string) bool {
	la, lb := len(a), len(b)
	if la < lb {
		a, b, la, lb = b, a, lb, la
	}
	if la-lb > 1 {
		return false
	}
	i := 0
	for i < lb && a[i] == b[i] {
		i++
	}
	if la != lb { // one deletion from a
		return a[i+1:] == b[i:]
	}
	if a[i+1:] == b[i+1:] { // substitution
		return true
	}
	return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
}

// queryItem is a query token, or two neighbouring query tokens written as
// one (to meet a list name that writes them as one word).
type queryItem struct {
	text    string
	phon    string
	mask    uint64 // the query tokens it stands for
	cmask   uint64 // the same, a repeated token standing for its first occurrence
	weak    bool
	initial bool
	joined  bool
}

type preparedQuery struct {
	toks     []Token
	items    []queryItem
	weights  []float64 // per query token
	middle   uint64
	strong   uint64 // tokens that find candidates
	need     int
	initials []int  // query tokens of one letter
	canon    []int  // a token's first occurrence in the query
	distinct uint64 // first occurrences
	// for bound
	maxW      []float64
	cost      []float64
	weakMass  float64
	coverable int // the most list tokens the query can align with
}

// prepare compares every query token (and neighbouring pair) with the
// vocabulary entries its keys reach and records the matches in sc.
func (ix *Index) prepare(toks []Token, middle uint64, sc *scratch) *preparedQuery {
	pq := &preparedQuery{toks: toks, middle: middle, weights: make([]float64, len(toks))}
	for i, t := range toks {
		pq.items = append(pq.items, queryItem{text: t.Text, phon: PhoneticKey(t.Text), mask: 1 << i, weak: t.Weak, initial: len(t.Text) == 1})
		switch v, ok := ix.tokenID[t.Text]; {
		case ok && ix.vocab[v].weak && !t.Weak:
			pq.weights[i] = ix.vocab[v].weight / weakFactor
		case ok:
			pq.weights[i] = ix.vocab[v].weight
		case len(t.Text) == 1:
			pq.weights[i] = initialWeight
		case t.Weak:
			pq.weights[i] = ix.unknown * weakFactor
		default:
			pq.weights[i] = ix.unknown
		}
		if len(t.Text) == 1 {
			pq.initials = append(pq.initials, i)
		} else if !t.Weak {
			pq.strong |= 1 << i
		}
	}
	for i := 0; i+1 < len(toks); i++ {
		a, b := toks[i], toks[i+1]
		if len(a.Text) >= 2 && len(b.Text) >= 2 {
			text := a.Text + b.Text
			pq.items = append(pq.items, queryItem{text: text, phon: PhoneticKey(text), mask: 3 << i, weak: a.Weak && b.Weak, joined: true})
		}
	}
	// A token said twice (MOHAMMED ... MOHAMMED) is one piece of evidence
	// when finding candidates.
	pq.canon = make([]int, len(toks))
	for i, t := range toks {
		pq.canon[i] = i
		for j := range i {
			if toks[j].Text == t.Text {
				pq.canon[i] = j
				break
			}
		}
	}
	for it := range pq.items {
		for b := pq.items[it].mask; b != 0; b &= b - 1 {
			pq.items[it].cmask |= 1 << pq.canon[bits.TrailingZeros64(b)]
		}
	}
	for i := range toks {
		if pq.canon[i] != i {
			pq.distinct &^= 1 << i
		} else {
			pq.distinct |= 1 << i
		}
	}
	switch n := bits.OnesCount64(pq.strong & pq.distinct); {
	case n == 0:
		// Only company forms, connectors or initials: they alone find
		// candidates (scored low unless the list name is as bare).
		for i, t := range toks {
			if len(t.Text) > 1 || len(toks) == len(pq.initials) {
				pq.strong |= 1 << i
			}
		}
		pq.need = 1
	case n <= 2:
		pq.need = 1
	default:
		pq.need = 2
	}

	defer pq.measure(ix, sc)
	for it := range pq.items {
		item := &pq.items[it]
		sc.nextSeen()
		v, known := ix.tokenID[item.text]
		if known {
			sc.vocSeen[v] = sc.seen
			sc.addMatch(v, it, 1, howExact)
		}
		if !item.joined {
			if v, ok := ix.joinedID[item.text]; ok {
				sc.addMatch(v, it, 1, howJoined)
			}
		}
		if item.initial || item.joined {
			continue // two query tokens written as one meet a list token only exactly
		}
		compare := func(v int32) {
			if sc.vocSeen[v] == sc.seen {
				return
			}
			sc.vocSeen[v] = sc.seen
			e := &ix.vocab[v]
			sim, how := tokenSimilarity(item.text, e.text, item.phon, e.phon)
			if how == howFuzzy && known {
				// One edit from a list token, but itself a name the lists
				// hold: more likely another name than a typo (YONG, RYONG).
				sim -= knownPenalty
			}
			if sim > 0 {
				sc.addMatch(v, it, sim, how)
			}
		}
		if !known && len(item.text) == 2 {
			// Two letters no list name holds, one edit from a company form
			// or connector, are that form mistyped (GA for AG, ED for DE).
			for _, v := range ix.weakShort {
				if e := &ix.vocab[v]; oneEdit(item.text, e.text) {
					sc.vocSeen[v] = sc.seen
					sc.addMatch(v, it, shortWeakSim, howFuzzy)
				}
			}
		}
		forDeletions(item.text, func(h uint64) {
			for _, v := range ix.dels[h] {
				compare(v)
			}
		})
		if len(item.text) >= 4 && len(item.phon) >= 2 {
			for _, v := range ix.phon[item.phon] {
				compare(v)
			}
		}
	}
	return pq
}

// measure records, for bound, the heaviest vocabulary entry each query token
// met and what leaving each unaligned costs.
func (pq *preparedQuery) measure(ix *Index, sc *scratch) {
	pq.maxW = make([]float64, len(pq.toks))
	pq.cost = make([]float64, len(pq.toks))
	var metJoined uint64 // query tokens that met two list tokens written as one
	for _, v := range sc.entries {
		w := ix.vocab[v].weight
		switch {
		case ix.vocab[v].joined:
			w = 2 * ix.maxWeight
		case ix.vocab[v].weak:
			w /= weakFactor // strong in some names
		}
		for m := sc.vocHead[v]; m >= 0; m = sc.matches[m].next {
			mask := pq.items[sc.matches[m].item].mask
			if ix.vocab[v].joined {
				metJoined |= mask
			}
			for b := mask; b != 0; b &= b - 1 {
				i := bits.TrailingZeros64(b)
				pq.maxW[i] = max(pq.maxW[i], w)
			}
		}
	}
	pq.coverable = len(pq.toks) + bits.OnesCount64(metJoined)
	for i := range pq.toks {
		if pq.strong&(1<<i) == 0 {
			pq.weakMass += pq.maxW[i] // may align and raise the share
			continue
		}
		pq.cost[i] = pq.weights[i]
		if pq.middle&(1<<i) != 0 {
			pq.cost[i] *= middleFactor
		}
	}
}

// pair is one possible alignment of query tokens with list tokens.
type pair struct {
	qm, cm uint64 // query and list tokens covered
	sim    float64
	w      float64 // weight of the list tokens covered
	item   int32   // query item
	jc     int32   // list joined pair index, or -1
	how    uint8
	strong bool
}

// scoreName aligns the query with one list name (order ignored, each token
// used once, best pairs first) and scores the alignment. With ex non-nil it
// also writes the token explanation.
func (ix *Index) scoreName(pq *preparedQuery, n *indexedName, sc *scratch, ex *Explanation) float64 {
	pairs := sc.pairs[:0]
	for ci, v := range n.toks {
		ct := ix.vocab[v].text
		cw, cStrong := ix.weight(n, ci)
		if sc.vocGen[v] == sc.gen {
			for m := sc.vocHead[v]; m >= 0; m = sc.matches[m].next {
				tm := &sc.matches[m]
				it := &pq.items[tm.item]
				pairs = append(pairs, pair{qm: it.mask, cm: 1 << ci, sim: tm.sim, w: cw, item: tm.item, jc: -1, how: tm.how, strong: cStrong && !it.weak})
			}
		}
		if !n.person {
			continue // a company's single letters are an acronym, not initials
		}
		if len(ct) == 1 {
			// A list initial meets the query names it begins.
			for i, t := range pq.toks {
				if len(t.Text) > 1 && t.Text[0] == ct[0] {
					pairs = append(pairs, pair{qm: 1 << i, cm: 1 << ci, sim: initialSim, w: cw, item: int32(i), jc: -1, how: howInitial, strong: !t.Weak})
				}
			}
			continue
		}
		for _, i := range pq.initials {
			if pq.toks[i].Text[0] == ct[0] {
				pairs = append(pairs, pair{qm: 1 << i, cm: 1 << ci, sim: initialSim, w: cw, item: int32(i), jc: -1, how: howInitial, strong: cStrong})
			}
		}
	}
	for j, jp := range n.joined {
		if sc.vocGen[jp.id] != sc.gen {
			continue
		}
		for m := sc.vocHead[jp.id]; m >= 0; m = sc.matches[m].next {
			tm := &sc.matches[m]
			it := &pq.items[tm.item]
			if it.joined {
				continue
			}
			wa, sa := ix.weight(n, int(jp.a))
			wb, sb := ix.weight(n, int(jp.b))
			pairs = append(pairs, pair{qm: it.mask, cm: 1<<jp.a | 1<<jp.b, sim: tm.sim, w: wa + wb, item: tm.item, jc: int32(j), how: howJoined, strong: !it.weak && (sa || sb)})
		}
	}
	sc.pairs = pairs
	if len(pairs) == 0 {
		return 0
	}
	// Best pairs first; between equals, the heavier first.
	for i := 1; i < len(pairs); i++ {
		for j := i; j > 0 && better(&pairs[j], &pairs[j-1]); j-- {
			pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
		}
	}
	var qUsed, cUsed uint64
	var num, matched float64
	strong := false
	for k := range pairs {
		p := &pairs[k]
		if p.qm&qUsed != 0 || p.cm&cUsed != 0 {
			continue
		}
		qUsed |= p.qm
		cUsed |= p.cm
		w := p.w
		num += p.sim * w
		matched += w
		strong = strong || p.strong
		if ex != nil {
			ix.explainPair(pq, n, p, w, ex)
		}
	}
	var uq, uc float64
	for i := range pq.toks {
		if qUsed&(1<<i) == 0 {
			w := pq.weights[i]
			if n.person && pq.middle&(1<<i) != 0 {
				w *= middleFactor
			}
			uq += w
		}
	}
	for ci, v := range n.toks {
		if cUsed&(1<<ci) == 0 {
			w, _ := ix.weight(n, ci)
			if n.person && n.middle&(1<<ci) != 0 {
				w *= middleFactor
			}
			uc += w
			if ex != nil {
				ex.UnmatchedList = append(ex.UnmatchedList, ix.vocab[v].text)
			}
		}
	}
	if num == 0 {
		return 0
	}
	score := queryShare*num/(matched+uq) + (1-queryShare)*num/(matched+uc)
	if !strong {
		score *= weakOnlyFactor
	}
	return score
}

func better(a, b *pair) bool {
	if a.sim != b.sim {
		return a.sim > b.sim
	}
	return a.w > b.w
}

// explainPair writes one aligned pair into the explanation's tokens.
func (ix *Index) explainPair(pq *preparedQuery, n *indexedName, p *pair, w float64, ex *Explanation) {
	list := ""
	if p.jc >= 0 {
		jp := n.joined[p.jc]
		list = ix.vocab[n.toks[jp.a]].text + " " + ix.vocab[n.toks[jp.b]].text
	} else {
		list = ix.vocab[n.toks[bits.TrailingZeros64(p.cm)]].text
	}
	for m := p.qm; m != 0; m &= m - 1 {
		i := bits.TrailingZeros64(m)
		ex.Tokens[i] = TokenMatch{Query: pq.toks[i].Text, List: list, Similarity: round3(p.sim), Weight: round3(w), How: howNames[p.how]}
	}
}
