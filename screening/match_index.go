package screening

import (
	"math"
	"sort"
	"strings"
	"sync"
	"time"
)

// Index answers name queries over loaded lists without scanning them.
//
// Every distinct normalised token of every list name is one vocabulary entry
// with a posting list (the names holding it) and a weight (its inverse
// document frequency: rare tokens say more). Vocabulary entries are found
// by the token itself, by its one-letter deletions (symmetric deletion: two
// tokens one edit apart share a key, so a typo meets the right token) and by
// its phonetic key (MOHAMMED meets MUHAMMAD). Two neighbouring tokens of a
// name are also indexed written as one word (ABDUL RAHMAN as ABDULRAHMAN,
// GUPTA, RAJESH as RAJESHGUPTA).
//
// A query compares each of its tokens with the few vocabulary entries its
// keys reach, once, then scores only the names posted under the entries that
// matched (the candidates): no per-query scan of the lists, and no string
// comparison per candidate.
type Index struct {
	entities  []*Entity
	names     []indexedName
	vocab     []vocabEntry
	tokenID   map[string]int32   // real tokens
	joinedID  map[string]int32   // two neighbouring tokens written as one
	dels      map[uint64][]int32 // hash of a token or of a one-letter deletion → real tokens
	phon      map[string][]int32 // phonetic key → real tokens of four letters or more
	weakShort []int32            // weak tokens of two or three letters (CO, AG, SA, DE, AL)
	unknown   float64            // the weight of a token no list name holds
	maxWeight float64            // the heaviest list token's weight
	pool      sync.Pool          // *scratch
	built     time.Time
}

type vocabEntry struct {
	text   string
	phon   string
	weight float64
	weak   bool
	joined bool    // two neighbouring tokens written as one
	names  []int32 // the names holding it, ascending
}

type indexedName struct {
	entity   int32
	name     int32   // position in the entity's Names
	toks     []int32 // vocabulary ids, in the name's order
	middle   uint64  // bit i: token i is a middle name (individuals only)
	joined   []joinedPair
	forced   uint64 // bit i: token i is strong here though usually weak
	person   bool
	initials bool // a person's name with a one-letter token
	sum      nameSummary
}

// nameSummary is what bound needs to know of a name: the weights of its
// strong tokens and what leaving each unaligned costs, largest first, as
// running sums (wTop[k] is the sum of the k+1 heaviest), the total cost, the
// weight of its weak tokens and how many strong tokens it has.
type nameSummary struct {
	wTop, cTop   [4]float64
	cTotal, weak float64
	strong       int
}

// joinedPair is toks[a] and toks[b] written as one word (vocabulary id).
type joinedPair struct {
	id   int32
	a, b uint8
}

const (
	maxNameTokens  = 48 // longer names are indexed by their first 48 tokens
	maxQueryTokens = 24
	// initialWeight is the weight of a one-letter token (an initial): it
	// narrows a name down but identifies nobody.
	initialWeight = 1.5
	weakFactor    = 0.1
)

// NewIndex indexes every entity of the snapshots.
func NewIndex(snapshots ...*Snapshot) *Index {
	ix := &Index{tokenID: map[string]int32{}, joinedID: map[string]int32{}, built: time.Now()}
	var toks []Token
	for _, s := range snapshots {
		for i := range s.Entities {
			e := &s.Entities[i]
			ei := int32(len(ix.entities))
			ix.entities = append(ix.entities, e)
			person := e.Type == TypeIndividual
			for ni, n := range e.Names {
				var middle uint64
				var natural []int
				toks, middle, natural = nameTokens(n.Text, person)
				if len(toks) == 0 {
					continue
				}
				if len(toks) > maxNameTokens {
					toks, natural = toks[:maxNameTokens], natural[:0]
					for k := range maxNameTokens {
						natural = append(natural, k)
					}
				}
				id := int32(len(ix.names))
				in := indexedName{entity: ei, name: int32(ni), toks: make([]int32, len(toks)), middle: middle, person: person}
				for ti, t := range toks {
					v := ix.intern(t.Text, weakTokens[t.Text], false)
					if !t.Weak && ix.vocab[v].weak && ti < 64 {
						in.forced |= 1 << ti
					}
					in.toks[ti] = v
					ix.post(v, id)
					in.initials = in.initials || person && len(t.Text) == 1
				}
				in.joined = ix.joinNeighbours(toks, natural, id, in.joined)
				ix.names = append(ix.names, in)
			}
		}
	}
	ix.unknown = idf(len(ix.names), 0)
	ix.dels = make(map[uint64][]int32, len(ix.tokenID)*6)
	ix.phon = make(map[string][]int32, len(ix.tokenID)/2)
	for v := range ix.vocab {
		e := &ix.vocab[v]
		switch {
		case len(e.text) == 1:
			e.weight = initialWeight
		case e.joined:
			continue // weighed as its two tokens
		default:
			e.weight = idf(len(ix.names), len(e.names))
		}
		ix.maxWeight = max(ix.maxWeight, e.weight) // before weak scaling: some names hold weak tokens as strong
		if e.weak {
			e.weight *= weakFactor
		}
		if len(e.text) < 2 {
			continue
		}
		id := int32(v)
		if e.weak && len(e.text) <= 3 {
			ix.weakShort = append(ix.weakShort, id)
		}
		forDeletions(e.text, func(h uint64) {
			l := ix.dels[h]
			if len(l) == 0 || l[len(l)-1] != id {
				ix.dels[h] = append(l, id)
			}
		})
		if len(e.text) >= 4 && len(e.phon) >= 2 {
			ix.phon[e.phon] = append(ix.phon[e.phon], id)
		}
	}
	for i := range ix.names {
		ix.summarise(&ix.names[i])
	}
	return ix
}

func (ix *Index) summarise(n *indexedName) {
	var ws, cs []float64
	for ci := range n.toks {
		w, strong := ix.weight(n, ci)
		if !strong {
			n.sum.weak += w
			continue
		}
		c := w
		if n.person && n.middle&(1<<ci) != 0 {
			c *= middleFactor
		}
		ws, cs = append(ws, w), append(cs, c)
		n.sum.cTotal += c
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(ws)))
	sort.Sort(sort.Reverse(sort.Float64Slice(cs)))
	n.sum.strong = len(ws)
	var w, c float64
	for k := range n.sum.wTop {
		if k < len(ws) {
			w, c = w+ws[k], c+cs[k]
		}
		n.sum.wTop[k], n.sum.cTop[k] = w, c
	}
}

// idf is the inverse document frequency of a token held by df of n names.
func idf(n, df int) float64 {
	return math.Log(1 + float64(n+1)/float64(df+1))
}

// intern returns the vocabulary id of a token, adding it if new.
func (ix *Index) intern(text string, weak, joined bool) int32 {
	m := ix.tokenID
	if joined {
		m = ix.joinedID
	}
	if v, ok := m[text]; ok {
		return v
	}
	v := int32(len(ix.vocab))
	ix.vocab = append(ix.vocab, vocabEntry{text: text, phon: PhoneticKey(text), weak: weak, joined: joined})
	m[text] = v
	return v
}

// weight is the weight of a name's token ci, and whether it is strong.
func (ix *Index) weight(n *indexedName, ci int) (float64, bool) {
	e := &ix.vocab[n.toks[ci]]
	if e.weak && n.forced&(1<<ci) != 0 {
		return e.weight / weakFactor, true
	}
	return e.weight, !e.weak
}

// post adds name id to a vocabulary entry's postings (once per name).
func (ix *Index) post(v, id int32) {
	p := ix.vocab[v].names
	if len(p) == 0 || p[len(p)-1] != id {
		ix.vocab[v].names = append(p, id)
	}
}

// joinNeighbours indexes each pair of neighbouring tokens, in the name's
// order and in reading order ("Given SURNAME" for "SURNAME, Given"), as one
// word in both orders.
func (ix *Index) joinNeighbours(toks []Token, natural []int, id int32, out []joinedPair) []joinedPair {
	add := func(a, b int) {
		if a >= 256 || b >= 256 || len(toks[a].Text) < 2 || len(toks[b].Text) < 2 {
			return
		}
		for _, p := range [2][2]int{{a, b}, {b, a}} {
			v := ix.intern(toks[p[0]].Text+toks[p[1]].Text, false, true)
			dup := false
			for _, j := range out {
				if j.id == v {
					dup = true
					break
				}
			}
			if !dup {
				out = append(out, joinedPair{id: v, a: uint8(p[0]), b: uint8(p[1])})
				ix.post(v, id)
			}
		}
	}
	for i := 0; i+1 < len(toks); i++ {
		add(i, i+1)
	}
	for i := 0; i+1 < len(natural); i++ {
		if a, b := natural[i], natural[i+1]; b != a+1 && a != b+1 {
			add(a, b)
		}
	}
	return out
}

// nameTokens normalises a name and marks its middle names. A person's name
// written "SURNAME, Given Middle" (OFAC's form) has its surname before the
// comma; otherwise the first token is a given name and the last the surname.
// natural lists the token positions in reading order (given names first).
func nameTokens(text string, person bool) (toks []Token, middle uint64, natural []int) {
	if i := strings.IndexByte(text, ','); person && i >= 0 {
		sur := NormalizeName(text[:i])
		giv := NormalizeName(text[i+1:])
		toks = append(sur, giv...)
		endConnector(toks, sur)
		endConnector(toks, giv)
		for k := range giv {
			natural = append(natural, len(sur)+k)
		}
		for k := range sur {
			natural = append(natural, k)
		}
		first := true
		for k, t := range giv {
			if t.Weak {
				continue
			}
			if first {
				first = false
				continue
			}
			if p := len(sur) + k; p < 64 {
				middle |= 1 << p
			}
		}
		return toks, middle, natural
	}
	toks = NormalizeName(text)
	for k := range toks {
		natural = append(natural, k)
	}
	if person {
		endConnector(toks, toks)
		var strong []int
		for k, t := range toks {
			if !t.Weak && k < 64 {
				strong = append(strong, k)
			}
		}
		if len(strong) >= 3 {
			for _, k := range strong[1 : len(strong)-1] {
				middle |= 1 << k
			}
		}
	}
	return toks, middle, natural
}

// endConnector makes a connector that ends a person's name, or the part of
// it before or after the comma, strong: it connects nothing, so it is a name
// ("XU, Bin", "Sadia DAS", "LI, Da").
// part is a sub-slice of name; the name must hold a strong token besides.
func endConnector(name, part []Token) {
	n := len(part)
	if n == 0 || !connectors[part[n-1].Text] {
		return
	}
	strong := 0
	for _, t := range name {
		if !t.Weak {
			strong++
		}
	}
	if strong > 0 {
		part[n-1].Weak = false
	}
}

// forDeletions calls f with the hash of s and, for tokens of three letters
// or more, the hash of each one-letter deletion of s.
func forDeletions(s string, f func(uint64)) {
	f(hashSkip(s, -1))
	if len(s) < 3 {
		return
	}
	for i := range len(s) {
		if i > 0 && s[i] == s[i-1] {
			continue // deleting either of a double letter gives the same string
		}
		f(hashSkip(s, i))
	}
}

// hashSkip is the FNV-1a hash of s without its byte at skip.
func hashSkip(s string, skip int) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		if i == skip {
			continue
		}
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// Entities returns how many entities are indexed.
func (ix *Index) Entities() int { return len(ix.entities) }

// Names returns how many names are indexed.
func (ix *Index) Names() int { return len(ix.names) }

// scratch is one search's working memory, reused through the index's pool.
// Per-name, per-entity and per-vocabulary slots are valid only when their
// generation equals gen, so nothing is cleared between searches.
type scratch struct {
	gen      uint32
	nameGen  []uint32
	nameMask []uint64
	touched  []int32
	vocGen   []uint32
	vocHead  []int32 // first match of a vocabulary entry in matches
	vocSeen  []uint32
	seen     uint32
	matches  []tokMatch
	entries  []int32 // vocabulary entries with a match
	entGen   []uint32
	entBest  []entBest
	entities []int32
	pairs    []pair
}

// tokMatch is a query item that met a vocabulary entry.
type tokMatch struct {
	item int32
	next int32 // the entry's next match, or -1
	sim  float64
	how  uint8
}

type entBest struct {
	score float64
	name  int32
}

func (ix *Index) getScratch() *scratch {
	if sc, ok := ix.pool.Get().(*scratch); ok {
		sc.gen++
		if sc.gen == 0 { // wrapped: forget every slot
			clear(sc.nameGen)
			clear(sc.vocGen)
			clear(sc.entGen)
			sc.gen = 1
		}
		sc.touched, sc.matches, sc.entities, sc.entries = sc.touched[:0], sc.matches[:0], sc.entities[:0], sc.entries[:0]
		return sc
	}
	return &scratch{
		gen:      1,
		nameGen:  make([]uint32, len(ix.names)),
		nameMask: make([]uint64, len(ix.names)),
		vocGen:   make([]uint32, len(ix.vocab)),
		vocHead:  make([]int32, len(ix.vocab)),
		vocSeen:  make([]uint32, len(ix.vocab)),
		entGen:   make([]uint32, len(ix.entities)),
		entBest:  make([]entBest, len(ix.entities)),
	}
}

// nextSeen starts a new "compared already" set over the vocabulary.
func (sc *scratch) nextSeen() {
	sc.seen++
	if sc.seen == 0 {
		clear(sc.vocSeen)
		sc.seen = 1
	}
}

// addMatch records that query item it met vocabulary entry v.
func (sc *scratch) addMatch(v int32, it int, sim float64, how uint8) {
	next := int32(-1)
	if sc.vocGen[v] == sc.gen {
		next = sc.vocHead[v]
	} else {
		sc.entries = append(sc.entries, v)
	}
	sc.vocGen[v] = sc.gen
	sc.vocHead[v] = int32(len(sc.matches))
	sc.matches = append(sc.matches, tokMatch{item: int32(it), next: next, sim: sim, how: how})
}
