package screening

import (
	"math"
	"math/bits"
	"sort"
	"time"
)

// Index answers name queries over loaded lists without scanning them: every
// list name is posted under its tokens, their phonetic keys and their
// one-letter deletions (so a typo still meets the right name), and a query
// only scores the names that share a key with it.
type Index struct {
	entities []*Entity
	names    []indexedName
	postings map[string][]int32
	df       map[string]int // names containing each token
	built    time.Time
}

type indexedName struct {
	entity  int32
	name    int32 // position in the entity's Names
	tokens  []Token
	phon    []string
	weights []float64 // filled once every name is counted
	total   float64
}

// NewIndex indexes every entity of the snapshots.
func NewIndex(snapshots ...*Snapshot) *Index {
	ix := &Index{postings: map[string][]int32{}, df: map[string]int{}, built: time.Now()}
	for _, s := range snapshots {
		for i := range s.Entities {
			e := &s.Entities[i]
			ei := int32(len(ix.entities))
			ix.entities = append(ix.entities, e)
			for ni, n := range e.Names {
				toks := NormalizeName(n.Text)
				if len(toks) == 0 {
					continue
				}
				id := int32(len(ix.names))
				in := indexedName{entity: ei, name: int32(ni), tokens: toks, phon: make([]string, len(toks))}
				seen := map[string]bool{}
				for ti, t := range toks {
					in.phon[ti] = PhoneticKey(t.Text)
					for _, k := range tokenKeys(t.Text, in.phon[ti]) {
						if !seen[k] {
							seen[k] = true
							ix.postings[k] = append(ix.postings[k], id)
						}
					}
					if !seen["df:"+t.Text] {
						seen["df:"+t.Text] = true
						ix.df[t.Text]++
					}
				}
				ix.names = append(ix.names, in)
			}
		}
	}
	for i := range ix.names {
		n := &ix.names[i]
		n.weights = make([]float64, len(n.tokens))
		for j, t := range n.tokens {
			n.weights[j] = ix.weight(t)
			n.total += n.weights[j]
		}
	}
	return ix
}

// Entities returns how many entities are indexed.
func (ix *Index) Entities() int { return len(ix.entities) }

// Names returns how many names are indexed.
func (ix *Index) Names() int { return len(ix.names) }

// tokenKeys are the posting keys of a token: itself, its phonetic key and,
// for tokens of four letters or more, its one-letter deletions (symmetric
// deletion: two tokens one edit apart share a key).
func tokenKeys(tok, phon string) []string {
	keys := []string{"t:" + tok}
	if len(phon) >= 2 {
		keys = append(keys, "p:"+phon)
	}
	if len(tok) >= 4 {
		keys = append(keys, "d:"+tok)
		for i := range len(tok) {
			keys = append(keys, "d:"+tok[:i]+tok[i+1:])
		}
	}
	return keys
}

// weight is a token's inverse document frequency: rare tokens say more.
func (ix *Index) weight(t Token) float64 {
	w := math.Log(1 + float64(len(ix.names)+1)/float64(ix.df[t.Text]+1))
	if t.Weak {
		w *= 0.1
	}
	return w
}

// candidates returns the ids of names that share a key with enough of the
// query's tokens: one for a query of one or two strong tokens, two beyond
// that. Weak tokens find candidates only when the query has nothing else.
func (ix *Index) candidates(q []Token, qp []string) []int32 {
	strong := 0
	for _, t := range q {
		if !t.Weak {
			strong++
		}
	}
	need := 1
	if strong > 2 {
		need = 2
	}
	hits := map[int32]uint64{}
	for qi, t := range q {
		if (strong > 0 && t.Weak) || len(t.Text) == 1 || qi >= 64 {
			continue // an initial alone would match half the list
		}
		for _, k := range tokenKeys(t.Text, qp[qi]) {
			for _, id := range ix.postings[k] {
				hits[id] |= 1 << qi
			}
		}
	}
	out := make([]int32, 0, len(hits))
	for id, mask := range hits {
		if bits.OnesCount64(mask) >= need {
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
