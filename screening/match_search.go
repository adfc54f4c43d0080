package screening

import (
	"math/bits"
	"sort"
)

// Search screens q against the index and returns hits scoring at least
// threshold, best first, at most limit.
func (ix *Index) Search(q Query, threshold float64, limit int) []Hit {
	toks, middle, _ := nameTokens(q.Name, true)
	if len(toks) == 0 {
		return nil
	}
	if len(toks) > maxQueryTokens {
		toks = toks[:maxQueryTokens]
		middle &= 1<<maxQueryTokens - 1
	}
	// floor: the name score below which no hit can reach the threshold.
	floor := threshold - 0.0005 // scores are rounded to three places
	if q.DateOfBirth != nil {
		floor -= dobAgreeEffect
	}
	if q.Country != "" {
		floor -= countryAgreeEffect
	}
	if len(q.Identifiers) > 0 {
		floor = 0 // an identifier agreeing lifts any candidate
	}
	weakOnly := true
	for _, t := range toks {
		weakOnly = weakOnly && t.Weak
	}
	if weakOnly && floor > weakOnlyFactor {
		return nil // company forms and connectors alone ("CORP", "THE") never reach it
	}
	sc := ix.getScratch()
	defer ix.pool.Put(sc)
	pq := ix.prepare(toks, middle, sc)

	// Candidates: names posted under the entries the query's strong tokens met.
	ix.collect(pq, sc)
	filter := len(q.Lists) > 0
	for _, id := range sc.touched {
		mask := sc.nameMask[id]
		if bits.OnesCount64(mask) < pq.need {
			continue
		}
		n := &ix.names[id]
		if pq.bound(mask, n) < floor {
			continue
		}
		e := ix.entities[n.entity]
		if filter && !contains(q.Lists, e.List) {
			continue
		}
		s := ix.scoreName(pq, n, sc, nil)
		if s == 0 {
			continue
		}
		if e.Names[n.name].Kind == NameWeakAKA {
			s *= weakAKAFactor // broad a.k.a.s are weaker evidence
		}
		if sc.entGen[n.entity] != sc.gen {
			sc.entGen[n.entity] = sc.gen
			sc.entBest[n.entity] = entBest{score: s, name: id}
			sc.entities = append(sc.entities, n.entity)
		} else if s > sc.entBest[n.entity].score {
			sc.entBest[n.entity] = entBest{score: s, name: id}
		}
	}

	var hits []Hit
	for _, ei := range sc.entities {
		b := sc.entBest[ei]
		if b.score < floor {
			continue
		}
		e := ix.entities[ei]
		score, checks := adjust(round3(b.score), q, e)
		if round3(score) < threshold {
			continue
		}
		n := &ix.names[b.name]
		name := e.Names[n.name]
		ex := Explanation{QueryName: q.Name, MatchedName: name.Text, NameKind: name.Kind, NameScore: round3(b.score), Tokens: make([]TokenMatch, len(toks))}
		for i, t := range toks {
			ex.Tokens[i] = TokenMatch{Query: t.Text, Weight: round3(pq.weights[i]), How: "none"}
		}
		ix.scoreName(pq, n, sc, &ex)
		ex.Attributes = checks
		hits = append(hits, Hit{Entity: e, List: e.List, EntryID: e.ID, EntryName: e.PrimaryName(), EntryType: e.Type,
			MatchedName: name.Text, Score: round3(score), Explanation: ex})
	}
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		if hits[i].List != hits[j].List {
			return hits[i].List < hits[j].List
		}
		return hits[i].EntryID < hits[j].EntryID
	})
	if limit > 0 && len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

// bound is the most scoreName can give a name whose candidate-finding
// query tokens met only the tokens in mask. On the query side every token
// outside mask stays unaligned and every token in it aligns with the heaviest
// entry it met. On the list side, each query token aligns with at most one
// list token (two if it met two written as one), so the rest of the name's
// strong tokens stay unaligned: at best the lightest. Initials can align
// outside mask, so names and queries with initials are not bounded.
func (pq *preparedQuery) bound(mask uint64, n *indexedName) float64 {
	if n.person && (n.initials || len(pq.initials) > 0) {
		return 1
	}
	x, c := pq.weakMass, 0.0
	for i := range pq.toks {
		switch {
		case mask&(1<<pq.canon[i]) != 0:
			x += pq.maxW[i]
		case pq.strong&(1<<i) != 0:
			c += pq.cost[i]
		}
	}
	if x == 0 {
		return 0
	}
	listShare := 1.0
	if k := pq.coverable; k < n.sum.strong && k <= len(n.sum.wTop) {
		w := n.sum.wTop[k-1] + n.sum.weak
		if rest := n.sum.cTotal - n.sum.cTop[k-1]; rest > 0 {
			listShare = w / (w + rest)
		}
	}
	return queryShare*x/(x+c) + (1-queryShare)*listShare + 1e-9
}

// collect marks every name posted under a vocabulary entry that a
// candidate-finding query item met, with the query tokens it met.
func (ix *Index) collect(pq *preparedQuery, sc *scratch) {
	for _, v := range sc.entries {
		var mask uint64
		for m := sc.vocHead[v]; m >= 0; m = sc.matches[m].next {
			mask |= pq.items[sc.matches[m].item].cmask
		}
		mask &= pq.strong & pq.distinct
		if mask == 0 {
			continue
		}
		for _, id := range ix.vocab[v].names {
			if sc.nameGen[id] != sc.gen {
				sc.nameGen[id] = sc.gen
				sc.nameMask[id] = 0
				sc.touched = append(sc.touched, id)
			}
			sc.nameMask[id] |= mask
		}
	}
}
