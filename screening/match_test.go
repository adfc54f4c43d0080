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
