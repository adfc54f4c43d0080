package screening_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
)

var (
	realOnce  sync.Once
	realSnaps []*screening.Snapshot
	realIndex *screening.Index
	realErr   error
)

// realSnapshots loads the bundled OFAC SDN, OFAC consolidated and UN lists
// (real public data), once per test binary.
func realSnapshots(t testing.TB) []*screening.Snapshot {
	t.Helper()
	realOnce.Do(func() {
		realSnaps, realErr = bundled.Load()
		if realErr == nil {
			realIndex = screening.NewIndex(realSnaps...)
		}
	})
	if realErr != nil {
		t.Fatal(realErr)
	}
	return realSnaps
}

func loadRealIndex(t testing.TB) *screening.Index {
	realSnapshots(t)
	return realIndex
}

func TestNormalizeName(t *testing.T) {
	cases := map[string]string{
		"SALEK, Abdul-Hai":       "salek abdul hai",
		"José Ñúñez O'Brien":     "jose nunez obrien",
		"Mr. John SMITH":         "john smith",
		"Владимир Путин":         "vladimir putin",
		"Αλέξης Τσίπρας":         "alexis tsipras",
		"ACME TRADING CO., LTD.": "acme trading co ltd",
		// Compatibility forms (NFKC): full-width letters and punctuation,
		// ligatures; case folds that change length; letters without a
		// decomposition.
		"ＳＡＬＥＫ，Ａｂｄｕｌｈａｉ":      "salek abdulhai",
		"ﬁrst ﬂoor Trading":   "first floor trading",
		"Straße Øster Łukasz": "strasse oster lukasz",
		"ÆGIR Œuvre Đorđe":    "aegir oeuvre dorde",
		// Cyrillic й, ё and дж; Arabic script.
		"Юрий Пётр Джамал": "yuriy pyotr jamal",
		"محمد":             "mhmd",
		// Dotted company forms join, other dotted letters stay initials.
		"CIMEX, S.A.":                "cimex sa",
		"COMPLEJO, S.A. DE C.V.":     "complejo sa de cv",
		"IZ-KARTEX NAMED AFTER P.G.": "iz kartex named after p g",
		// Arabic abd al- in its spellings.
		"'Abd al-Rahman":     "abdul rahman",
		"ABDEL AZIZ":         "abdul aziz",
		"‘ABD AL-BASET":      "abdul baset",
		"Abd-el-Kader Abdul": "abdul kader abdul",
	}
	for in, want := range cases {
		var got []string
		for _, tk := range screening.NormalizeName(in) {
			got = append(got, tk.Text)
		}
		if strings.Join(got, " ") != want {
			t.Errorf("NormalizeName(%q) = %q, want %q", in, strings.Join(got, " "), want)
		}
	}
	toks := screening.NormalizeName("ACME TRADING CO., LTD.")
	if toks[0].Weak || !toks[2].Weak || !toks[3].Weak {
		t.Errorf("weak tokens: %+v", toks)
	}
	if toks := screening.NormalizeName("CIMEX, S.A."); len(toks) != 2 || toks[0].Weak || !toks[1].Weak {
		t.Errorf("S.A. is one weak token: %+v", toks)
	}
	for _, pair := range [][2]string{{"mohammed", "muhammad"}, {"mohamad", "muhammed"}, {"qaddafi", "gadafi"}} {
		if screening.PhoneticKey(pair[0]) != screening.PhoneticKey(pair[1]) {
			t.Errorf("phonetic keys differ: %s=%s %s=%s", pair[0], screening.PhoneticKey(pair[0]), pair[1], screening.PhoneticKey(pair[1]))
		}
	}
}

func topHit(t *testing.T, ix *screening.Index, q screening.Query) *screening.Hit {
	t.Helper()
	hits := ix.Search(q, 0.5, 5)
	if len(hits) == 0 {
		return nil
	}
	return &hits[0]
}

func TestSearchRealLists(t *testing.T) {
	ix := loadRealIndex(t)
	if ix.Entities() < 9000 {
		t.Fatalf("only %d entities indexed", ix.Entities())
	}
	// Variants of a real SDN entry: "BANCO NACIONAL DE CUBA" (ent_num 306).
	for _, q := range []string{"Banco Nacional de Cuba", "NACIONAL BANCO CUBA", "Banco Nacionall de Cuba", "National Bank of Cuba"} {
		h := topHit(t, ix, screening.Query{Name: q})
		if h == nil || h.EntryID != "306" || h.Score < 0.85 {
			t.Errorf("%q: top hit %+v", q, h)
		}
	}
	// Explanations name the tokens.
	h := topHit(t, ix, screening.Query{Name: "Banco Nacionall de Cuba"})
	found := false
	for _, tm := range h.Explanation.Tokens {
		if tm.Query == "nacionall" && tm.List == "nacional" && tm.How == "fuzzy" {
			found = true
		}
	}
	if !found {
		t.Errorf("explanation lacks the fuzzy token: %+v", h.Explanation.Tokens)
	}
	// A company form alone matches nothing strongly.
	for _, h := range ix.Search(screening.Query{Name: "CORP"}, 0.5, 10) {
		t.Errorf("CORP matched %s %q with %.2f", h.List, h.EntryName, h.Score)
	}
	// A common name that is not listed stays below the threshold.
	if hits := ix.Search(screening.Query{Name: "Emily Johnson"}, 0.85, 5); len(hits) > 0 {
		t.Errorf("Emily Johnson matched %q %.2f", hits[0].EntryName, hits[0].Score)
	}
}

// TestSearchMatchKinds checks each way a query token meets a list token on
// real entries, and that the explanation names it.
func TestSearchMatchKinds(t *testing.T) {
	ix := loadRealIndex(t)
	cases := []struct {
		query, list, id string
		token, how      string // a query token and how it must have matched
		min             float64
	}{
		{"P. Gadet", "ofac-sdn", "16912", "p", "initial", 0.9},                            // GADET, Peter
		{"Abdulrauf Khadem", "un", "TAi.025", "abdulrauf", "joined", 0.95},                // ABDUL RAUF KHADEM
		{"Хамис Муаммар Каддафи", "un", "LYi.011", "kaddafi", "phonetic", 0.9},            // KHAMIS MUAMMAR QADHAFI
		{"Sergei PODOPRIGOROV", "ofac-sdn", "15891", "podoprigorov", "exact", 0.95},       // PODOPRIGOROV, Sergei G.
		{"Podoprigorov Sergie", "ofac-sdn", "15891", "sergie", "fuzzy", 0.88},             // a transposition
		{"ＳＡＬＥＫ，Ａｂｄｕｌｈａｉ", "un", "TAi.108", "abdulhai", "exact", 0.99},                    // ABDULHAI SALEK
		{"Gabriel Jok Riakmakol", "un", "SSi.001", "riakmakol", "joined", 0.9},            // GABRIEL JOK RIAK MAKOL
		{"Usama bin Ladin", "ofac-sdn", "6365", "bin", "exact", 0.99},                     // BIN LADIN, Usama
		{"Mohamed Ben Belgacem Aouadi", "ofac-sdn", "7203", "mohamed", "exact", 0.95},     // AOUADI, Mohamed Ben Belgacem
		{"Muhammad Ben Belgacem Aouadi", "ofac-sdn", "7203", "muhammad", "phonetic", 0.9}, // a transliteration
	}
	for _, c := range cases {
		var hit *screening.Hit
		for _, h := range ix.Search(screening.Query{Name: c.query}, 0.5, 50) {
			if h.List == c.list && h.EntryID == c.id {
				hit = &h
				break
			}
		}
		if hit == nil {
			t.Errorf("%q: %s/%s not found", c.query, c.list, c.id)
			continue
		}
		if hit.Score < c.min {
			t.Errorf("%q: %s/%s scored %.3f < %.2f: %+v", c.query, c.list, c.id, hit.Score, c.min, hit.Explanation.Tokens)
		}
		found := false
		for _, tm := range hit.Explanation.Tokens {
			if tm.Query == c.token && tm.How == c.how && tm.List != "" && tm.Similarity > 0 {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: token %q not matched %s: %+v", c.query, c.token, c.how, hit.Explanation.Tokens)
		}
	}
}

// TestSearchAliases checks that every name of an entry is searched, and
// that a.k.a.s the list grades weak count less than strong ones.
func TestSearchAliases(t *testing.T) {
	snaps := realSnapshots(t)
	ix := loadRealIndex(t)
	strong := func(s string) int {
		n := 0
		for _, tk := range screening.NormalizeName(s) {
			if !tk.Weak && len(tk.Text) > 2 {
				n++
			}
		}
		return n
	}
	var strongTried, weakTried int
	for _, e := range snaps[0].Entities {
		if strongTried >= 20 && weakTried >= 20 {
			break
		}
		for _, n := range e.Names[1:] {
			if strong(n.Text) < 2 || strings.EqualFold(n.Text, e.PrimaryName()) {
				continue
			}
			var hit *screening.Hit
			for _, h := range ix.Search(screening.Query{Name: n.Text}, 0.5, 50) {
				if h.List == e.List && h.EntryID == e.ID {
					hit = &h
					break
				}
			}
			switch n.Kind {
			case screening.NameStrongAKA:
				if strongTried >= 20 {
					continue
				}
				strongTried++
				if hit == nil || hit.Score < 0.99 {
					t.Errorf("strong a.k.a. %q of %s: hit %+v", n.Text, e.ID, hit)
				}
			case screening.NameWeakAKA:
				if weakTried >= 20 {
					continue
				}
				weakTried++
				// The weak a.k.a. is found, but scores below an exact strong name.
				if hit == nil || hit.Score >= 0.99 && hit.Explanation.NameKind == screening.NameWeakAKA {
					t.Errorf("weak a.k.a. %q of %s: hit %+v", n.Text, e.ID, hit)
				} else if hit.Explanation.NameKind == screening.NameWeakAKA && hit.Score > 0.9 {
					t.Errorf("weak a.k.a. %q of %s scored %.3f > 0.9", n.Text, e.ID, hit.Score)
				}
			}
		}
	}
	if strongTried < 20 || weakTried < 20 {
		t.Fatalf("only %d strong and %d weak a.k.a.s tried", strongTried, weakTried)
	}
}

// TestSearchCommonWordsAlone: company forms and connectors on their own, or
// with each other, match nothing.
func TestSearchCommonWordsAlone(t *testing.T) {
	ix := loadRealIndex(t)
	for _, q := range []string{"CORP", "THE", "Trading Company Limited", "Al", "International Holdings Group", "S.A. de C.V."} {
		for _, h := range ix.Search(screening.Query{Name: q}, 0.5, 10) {
			t.Errorf("%q matched %s %q with %.2f", q, h.List, h.MatchedName, h.Score)
		}
	}
}

// TestSearchOddInputs: scripts the normaliser does not transliterate, marks
// without letters, very long names and single letters are screened without
// failing, and a name is always found by its own text.
func TestSearchOddInputs(t *testing.T) {
	ix := loadRealIndex(t)
	for _, q := range []string{
		"习近平", "김정은", "สมชาย ใจดี", "😀 Ali 😀", "\u200f\u202eAli Hassan", "e\u0301\u0301\u0301", "A", "A B C D E F",
		strings.Repeat("Mohammed ", 200), strings.Repeat("x", 300), "Ali-Ali-Ali-Ali", "S.A.S.A.S.A.", "'''", "ab cd ef gh ij kl mn op qr st uv wx yz",
	} {
		for _, h := range ix.Search(screening.Query{Name: q}, 0.5, 50) {
			if h.Score < 0.5 || h.Score > 1 || len(h.Explanation.Tokens) == 0 {
				t.Errorf("%q: hit %+v", q, h)
			}
		}
	}
	// Every name of every third entry finds its entry as an exact match
	// (0.9 for a weak a.k.a.), except names with no strong token ("SL" for
	// S.L., "SRA", an honorific) and names longer than a query may be.
	for _, s := range realSnapshots(t) {
		for i, e := range s.Entities {
			if i%3 != 0 {
				continue
			}
			for _, n := range e.Names {
				toks := screening.NormalizeName(n.Text)
				strong := 0
				for _, tk := range toks {
					if !tk.Weak {
						strong++
					}
				}
				if strong == 0 || len(toks) > 24 {
					continue
				}
				found := false
				for _, h := range ix.Search(screening.Query{Name: n.Text}, 0.5, 0) {
					found = found || h.List == e.List && h.EntryID == e.ID && h.Score >= 0.89
				}
				if !found {
					t.Errorf("%s/%s: its name %q (%s) does not find it", e.List, e.ID, n.Text, n.Kind)
				}
			}
		}
	}
}
