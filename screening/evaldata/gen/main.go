// Command gen writes Warden's labelled screening evaluation set from the
// bundled lists: variants of real list names (positives, each labelled with
// the list entry it must find) and common real-world names that are on no list
// (negatives). Everything is drawn from a fixed seed, so the output is the same
// on every run; the generated files are committed and read by
// screening/eval_test.go. docs/screening-quality.md describes the set.
//
//	go run ./screening/evaldata/gen            # from the repository root
//	go run ./screening/evaldata/gen -out DIR
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
)

// defaultSeed fixes every random choice of the committed set. Another seed
// (-seed) draws a fresh set from the same recipe, for a held-out check.
const defaultSeed = 20260227

// Positive is a variant of a list name and the entry it must find.
type Positive struct {
	ID         string `json:"id"`
	Query      string `json:"query"`
	Variant    string `json:"variant"`
	List       string `json:"list"`
	EntryID    string `json:"entry_id"`
	Type       string `json:"type"`
	SourceName string `json:"source_name"`
	SourceKind string `json:"source_kind"`
}

// Negative is a name on no list.
type Negative struct {
	ID     string `json:"id"`
	Query  string `json:"query"`
	Kind   string `json:"kind"` // person or company
	Region string `json:"region"`
}

// Excluded is a drawn negative that turned out to be a list name.
type Excluded struct {
	Query    string `json:"query"`
	Region   string `json:"region"`
	List     string `json:"list"`
	EntryID  string `json:"entry_id"`
	ListName string `json:"list_name"`
	Strict   bool   `json:"identical_including_weak_tokens"`
}

// quota is how many positives of each variant to draw, in output order.
var quota = []struct {
	variant string
	n       int
}{
	{"typo_substitute", 100}, {"typo_insert", 100}, {"typo_delete", 100}, {"typo_transpose", 100},
	{"order_swapped", 80}, {"comma_form", 80},
	{"dropped_middle", 110},
	{"initials", 110},
	{"translit_spelling", 120}, {"translit_cyrillic", 70},
	{"diacritics_added", 40}, {"diacritics_removed", 20},
	{"hyphen_space", 70},
	{"alias", 50}, {"alias_typo", 50}, {"alias_reorder", 50}, {"alias_original_script", 30},
	{"company_form", 60},
}

func main() {
	out := flag.String("out", "screening/evaldata", "directory to write the set to")
	seedFlag := flag.Uint64("seed", defaultSeed, "random seed")
	flag.Parse()
	seed := *seedFlag
	snaps, err := bundled.Load()
	if err != nil {
		fatal(err)
	}
	g := &gen{r: rand.New(rand.NewPCG(seed, seed>>1))}
	for _, s := range snaps {
		for i := range s.Entities {
			e := &s.Entities[i]
			if e.Type == screening.TypeAircraft {
				continue // aircraft are listed by registration mark, not a name
			}
			g.byList[listIndex(s.Source)] = append(g.byList[listIndex(s.Source)], e)
		}
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fatal(err)
	}
	pos := g.positives()
	neg, exc, strict := negatives(snaps, rand.New(rand.NewPCG(seed, seed>>2)))
	if err := writeJSONL(filepath.Join(*out, "positives.jsonl"), pos); err != nil {
		fatal(err)
	}
	if err := writeJSONL(filepath.Join(*out, "negatives.jsonl"), neg); err != nil {
		fatal(err)
	}
	if err := writeJSONL(filepath.Join(*out, "negatives_excluded.jsonl"), exc); err != nil {
		fatal(err)
	}
	perList := map[string]int{}
	for _, p := range pos {
		perList[p.List]++
	}
	fmt.Printf("positives: %d (ofac-sdn %d, ofac-cons %d, un %d)\n", len(pos), perList[screening.SourceOFACSDN], perList[screening.SourceOFACCons], perList[screening.SourceUN])
	fmt.Printf("negatives: %d kept, %d excluded as list-name collisions (%d identical including weak tokens)\n", len(neg), len(exc), strict)
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "gen:", err)
	os.Exit(1)
}

func writeJSONL[T any](path string, rows []T) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Lists are drawn 60% OFAC SDN, 15% OFAC consolidated, 25% UN, so that the
// smaller lists are represented beyond their share of entries.
var listOrder = []string{screening.SourceOFACSDN, screening.SourceOFACCons, screening.SourceUN}

func listIndex(source string) int { return slices.Index(listOrder, source) }

type gen struct {
	r      *rand.Rand
	byList [3][]*screening.Entity
	seen   map[string]bool
}

// pick draws entities until ok accepts one (nil after many misses).
func (g *gen) pick(ok func(*screening.Entity) bool) *screening.Entity {
	for range 200000 {
		var li int
		switch x := g.r.Float64(); {
		case x < 0.60:
			li = 0
		case x < 0.75:
			li = 1
		default:
			li = 2
		}
		l := g.byList[li]
		e := l[g.r.IntN(len(l))]
		if ok(e) {
			return e
		}
	}
	return nil
}

func (g *gen) positives() []Positive {
	g.seen = map[string]bool{}
	var out []Positive
	for _, q := range quota {
		made, misses := 0, 0
		for made < q.n && misses < 100000 {
			p, ok := g.variant(q.variant)
			key := p.List + "\x00" + p.EntryID + "\x00" + p.Query
			if !ok || g.seen[key] || strings.TrimSpace(p.Query) == "" {
				misses++
				continue
			}
			g.seen[key] = true
			p.Variant = q.variant
			p.ID = fmt.Sprintf("pos-%04d", len(out)+1)
			out = append(out, p)
			made++
		}
		if made < q.n {
			fmt.Fprintf(os.Stderr, "gen: only %d of %d %s variants\n", made, q.n, q.variant)
		}
	}
	return out
}

func positive(e *screening.Entity, n screening.Name, query string) Positive {
	return Positive{Query: query, List: e.List, EntryID: e.ID, Type: string(e.Type), SourceName: n.Text, SourceKind: string(n.Kind)}
}

// variant draws one positive of the given kind.
func (g *gen) variant(kind string) (Positive, bool) {
	r := g.r
	primaryLatin := func(e *screening.Entity) bool { return isLatin(e.Names[0].Text) && letters(e.Names[0].Text) >= 4 }
	person := func(e *screening.Entity) bool { return e.Type == screening.TypeIndividual && primaryLatin(e) }
	switch kind {
	case "typo_substitute", "typo_insert", "typo_delete", "typo_transpose":
		e := g.pick(primaryLatin)
		n := e.Names[0]
		q, ok := typo(r, n.Text, strings.TrimPrefix(kind, "typo_"))
		return positive(e, n, g.casing(q)), ok
	case "order_swapped":
		e := g.pick(func(e *screening.Entity) bool { return primaryLatin(e) && len(words(e.Names[0].Text)) >= 2 })
		n := e.Names[0]
		w := words(n.Text)
		if allSame(w) {
			return Positive{}, false
		}
		p := slices.Clone(w)
		for slices.Equal(p, w) {
			r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
		}
		return positive(e, n, g.casing(strings.Join(p, " "))), true
	case "comma_form":
		e := g.pick(func(e *screening.Entity) bool { return person(e) && len(words(e.Names[0].Text)) >= 2 })
		n := e.Names[0]
		given, surname := nameParts(n.Text)
		if len(given) == 0 || len(surname) == 0 {
			return Positive{}, false
		}
		var q string
		if strings.Contains(n.Text, ",") { // OFAC "SURNAME, Given" -> "Given SURNAME"
			q = strings.Join(append(slices.Clone(given), surname...), " ")
		} else { // "FIRST MIDDLE LAST" -> "LAST, FIRST MIDDLE"
			q = strings.Join(surname, " ") + ", " + strings.Join(given, " ")
		}
		return positive(e, n, g.casing(q)), true
	case "dropped_middle":
		e := g.pick(func(e *screening.Entity) bool {
			if !person(e) {
				return false
			}
			given, _ := nameParts(e.Names[0].Text)
			return len(strongWords(given[min(1, len(given)):])) > 0
		})
		n := e.Names[0]
		given, surname := nameParts(n.Text)
		var middles []int
		for i := 1; i < len(given); i++ {
			if isStrongWord(given[i]) {
				middles = append(middles, i)
			}
		}
		drop := middles[r.IntN(len(middles))]
		given = slices.Delete(slices.Clone(given), drop, drop+1)
		return positive(e, n, g.casing(strings.Join(append(given, surname...), " "))), true
	case "initials":
		e := g.pick(func(e *screening.Entity) bool {
			if !person(e) {
				return false
			}
			given, surname := nameParts(e.Names[0].Text)
			return len(given) > 0 && len(surname) > 0 && len(strongWords(given)) == len(given) && len(strongWords(surname)) > 0
		})
		n := e.Names[0]
		given, surname := nameParts(n.Text)
		q := slices.Clone(given)
		from := 0
		if len(given) >= 2 && r.IntN(2) == 0 {
			from = 1 // "Victor J. PATINO": middle names as initials
		}
		for i := from; i < len(q); i++ {
			q[i] = initial(q[i])
		}
		return positive(e, n, g.casing(strings.Join(append(q, surname...), " "))), true
	case "translit_spelling":
		e := g.pick(func(e *screening.Entity) bool {
			return primaryLatin(e) && len(spellingSites(natural(e, e.Names[0].Text))) > 0
		})
		n := e.Names[0]
		w := natural(e, n.Text)
		q := respell(r, w)
		return positive(e, n, g.casing(strings.Join(q, " "))), true
	case "translit_cyrillic":
		e := g.pick(func(e *screening.Entity) bool {
			return primaryLatin(e) && (e.Type == screening.TypeIndividual || r.IntN(4) == 0)
		})
		n := e.Names[0]
		var cyr []string
		for _, w := range natural(e, n.Text) {
			cyr = append(cyr, toCyrillic(w))
		}
		return positive(e, n, strings.Join(cyr, " ")), true
	case "diacritics_added":
		e := g.pick(primaryLatin)
		n := e.Names[0]
		return positive(e, n, addDiacritics(r, g.casing(strings.Join(natural(e, n.Text), " ")))), true
	case "diacritics_removed":
		e := g.pick(func(e *screening.Entity) bool { return len(diacriticNames(e)) > 0 })
		if e == nil {
			return Positive{}, false
		}
		ns := diacriticNames(e)
		n := ns[r.IntN(len(ns))]
		return positive(e, n, stripMarks(n.Text)), true
	case "hyphen_space":
		e := g.pick(func(e *screening.Entity) bool { return primaryLatin(e) && len(words(e.Names[0].Text)) >= 2 })
		n := e.Names[0]
		q, ok := hyphenSpace(r, e, n.Text)
		return positive(e, n, g.casing(q)), ok
	case "alias", "alias_typo", "alias_reorder":
		e := g.pick(func(e *screening.Entity) bool { return len(latinAliases(e)) > 0 })
		al := latinAliases(e)
		n := al[r.IntN(len(al))]
		q := n.Text
		ok := true
		switch kind {
		case "alias_typo":
			q, ok = typo(r, q, []string{"substitute", "insert", "delete", "transpose"}[r.IntN(4)])
		case "alias_reorder":
			w := words(q)
			if len(w) < 2 || allSame(w) {
				return Positive{}, false
			}
			p := slices.Clone(w)
			for slices.Equal(p, w) {
				r.Shuffle(len(p), func(i, j int) { p[i], p[j] = p[j], p[i] })
			}
			q = strings.Join(p, " ")
		}
		return positive(e, n, g.casing(q)), ok
	case "alias_original_script":
		e := g.pick(func(e *screening.Entity) bool { return len(scriptAliases(e)) > 0 })
		al := scriptAliases(e)
		n := al[r.IntN(len(al))]
		return positive(e, n, n.Text), true
	case "company_form":
		e := g.pick(func(e *screening.Entity) bool { return e.Type == screening.TypeEntity && primaryLatin(e) })
		n := e.Names[0]
		q, ok := companyForm(r, n.Text)
		return positive(e, n, g.casing(q)), ok
	}
	panic("unknown variant " + kind)
}

// casing writes half the queries in title case, as customers type names.
func (g *gen) casing(s string) string {
	if g.r.IntN(2) == 0 {
		return s
	}
	var b strings.Builder
	start := true
	for _, c := range s {
		if unicode.IsLetter(c) {
			if start {
				b.WriteRune(unicode.ToUpper(c))
			} else {
				b.WriteRune(unicode.ToLower(c))
			}
			start = false
			continue
		}
		start = c == ' ' || c == '-' || c == ','
		b.WriteRune(c)
	}
	return b.String()
}

// words splits a name on spaces, dropping the comma of "SURNAME, Given".
func words(s string) []string {
	return strings.Fields(strings.ReplaceAll(s, ",", " "))
}

// nameParts splits a person's name into given names and surname: OFAC
// writes "SURNAME, Given Names"; other names are taken as "Given ... SURNAME".
func nameParts(s string) (given, surname []string) {
	if i := strings.Index(s, ","); i >= 0 {
		return strings.Fields(strings.ReplaceAll(s[i+1:], ",", " ")), strings.Fields(s[:i])
	}
	w := strings.Fields(s)
	if len(w) < 2 {
		return nil, w
	}
	return w[:len(w)-1], w[len(w)-1:]
}

// natural writes a name in reading order: "Given SURNAME" for people.
func natural(e *screening.Entity, s string) []string {
	if e.Type == screening.TypeIndividual && strings.Contains(s, ",") {
		given, surname := nameParts(s)
		return append(given, surname...)
	}
	return words(s)
}

func allSame(w []string) bool {
	for _, x := range w {
		if x != w[0] {
			return false
		}
	}
	return true
}

// connectors are particles and company forms: not given or middle names.
var connectors = map[string]bool{
	"AL": true, "EL": true, "BIN": true, "IBN": true, "BINT": true, "BINTI": true, "BEN": true, "ABU": true, "ABD": true, "UL": true,
	"DE": true, "DEL": true, "LA": true, "LOS": true, "LAS": true, "DA": true, "DOS": true, "DAS": true, "VAN": true, "VON": true, "DER": true,
	"OULD": true, "Y": true, "E": true, "JR": true, "SR": true, "II": true, "III": true,
}

func isStrongWord(w string) bool {
	u := strings.ToUpper(strings.Trim(w, ".,;:()\"'"))
	return letters(u) >= 2 && !connectors[u]
}

func strongWords(w []string) []string {
	var out []string
	for _, x := range w {
		if isStrongWord(x) {
			out = append(out, x)
		}
	}
	return out
}

func letters(s string) int {
	n := 0
	for _, c := range s {
		if unicode.IsLetter(c) {
			n++
		}
	}
	return n
}

// isLatin: every letter of s is a Latin letter.
func isLatin(s string) bool {
	for _, c := range s {
		if unicode.IsLetter(c) && !unicode.Is(unicode.Latin, c) {
			return false
		}
	}
	return true
}

func isASCIILetter(c rune) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func hasLatinDiacritic(s string) bool {
	for _, c := range s {
		if unicode.Is(unicode.Latin, c) && c > 0x7f {
			return true
		}
	}
	return false
}

// diacriticNames are an entity's primary and strong names written in Latin
// letters with diacritics.
func diacriticNames(e *screening.Entity) []screening.Name {
	var out []screening.Name
	for _, n := range e.Names {
		if n.Kind != screening.NameWeakAKA && isLatin(n.Text) && hasLatinDiacritic(n.Text) {
			out = append(out, n)
		}
	}
	return out
}

// initial is a name's first letter and a full stop.
func initial(w string) string {
	for _, c := range w {
		if unicode.IsLetter(c) {
			return string(c) + "."
		}
	}
	return w
}

func stripMarks(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, _ := transform.String(t, s)
	return out
}

func latinAliases(e *screening.Entity) []screening.Name {
	var out []screening.Name
	for _, n := range e.Names[1:] {
		if (n.Kind == screening.NameStrongAKA || n.Kind == screening.NameFKA) && isLatin(n.Text) && letters(n.Text) >= 4 {
			out = append(out, n)
		}
	}
	return out
}

func scriptAliases(e *screening.Entity) []screening.Name {
	var out []screening.Name
	for _, n := range e.Names[1:] {
		if n.Kind == screening.NameStrongAKA && !isLatin(n.Text) {
			out = append(out, n)
		}
	}
	return out
}

// QWERTY neighbours: typos are mostly a key next to the intended one.
var keyboard = map[rune]string{
	'q': "wa", 'w': "qeas", 'e': "wrsd", 'r': "etdf", 't': "ryfg", 'y': "tugh", 'u': "yihj", 'i': "uojk", 'o': "ipkl", 'p': "ol",
	'a': "qwsz", 's': "awedxz", 'd': "serfcx", 'f': "drtgvc", 'g': "ftyhbv", 'h': "gyujnb", 'j': "huikmn", 'k': "jiolm", 'l': "kop",
	'z': "asx", 'x': "zsdc", 'c': "xdfv", 'v': "cfgb", 'b': "vghn", 'n': "bhjm", 'm': "njk",
}

func neighbour(r *rand.Rand, c rune) rune {
	lower := unicode.ToLower(c)
	ns := keyboard[lower]
	if ns == "" {
		return c
	}
	n := rune(ns[r.IntN(len(ns))])
	if unicode.IsUpper(c) {
		n = unicode.ToUpper(n)
	}
	return n
}

// typo makes one keystroke error at a letter drawn uniformly from the name.
func typo(r *rand.Rand, s, op string) (string, bool) {
	rs := []rune(s)
	var at []int
	for i, c := range rs {
		if !isASCIILetter(c) {
			continue
		}
		if op == "transpose" && (i+1 >= len(rs) || !isASCIILetter(rs[i+1]) || unicode.ToLower(rs[i+1]) == unicode.ToLower(c)) {
			continue
		}
		at = append(at, i)
	}
	if len(at) == 0 {
		return "", false
	}
	i := at[r.IntN(len(at))]
	switch op {
	case "substitute":
		rs[i] = neighbour(r, rs[i])
	case "insert":
		rs = slices.Insert(rs, i+1, neighbour(r, rs[i]))
	case "delete":
		rs = slices.Delete(rs, i, i+1)
	case "transpose":
		rs[i], rs[i+1] = rs[i+1], rs[i]
	}
	return string(rs), true
}

// spellings are groups of common romanisations of one name (Arabic, Persian,
// Russian and Korean names as they appear on lists, passports and in the
// press). A multi-word member is one name written in parts.
var spellings = [][]string{
	{"MOHAMMED", "MUHAMMAD", "MOHAMMAD", "MOHAMAD", "MOHAMED", "MUHAMMED", "MUHAMAD"},
	{"AHMED", "AHMAD", "AHMET"},
	{"MAHMOUD", "MAHMUD", "MAHMOOD"},
	{"HUSSEIN", "HUSAYN", "HUSSAIN", "HOSSEIN", "HUSEIN", "HUSAIN"},
	{"HASSAN", "HASAN", "HASSANE"},
	{"YUSUF", "YOUSEF", "YOUSSEF", "YUSSUF", "YOUSUF", "YOUSIF"},
	{"OSAMA", "USAMA", "OUSSAMA", "USAMAH"},
	{"OMAR", "UMAR", "OMER"},
	{"OTHMAN", "UTHMAN", "OSMAN", "USMAN"},
	{"ABDUL", "ABDEL", "ABD AL", "ABDOUL", "ABD EL", "ABDAL"},
	{"ABDULLAH", "ABDALLAH", "ABDULLA", "ABDELLAH"},
	{"ALI", "ALY", "ALIY"},
	{"KHALID", "KHALED", "KHALEED"},
	{"MUSTAFA", "MOSTAFA", "MUSTAPHA", "MOUSTAFA"},
	{"IBRAHIM", "EBRAHIM", "IBRAHEEM", "IBRAGIM"},
	{"ISMAIL", "ISMAEL", "ESMAIL", "ISMAEEL"},
	{"SULEIMAN", "SULAYMAN", "SULAIMAN", "SOLEIMAN", "SULEYMAN"},
	{"YAHYA", "YEHIA", "YAHIA"},
	{"ABU", "ABOU"},
	{"SAID", "SAEED", "SAEID", "SAYID"},
	{"JAMAL", "GAMAL", "DJAMAL"},
	{"QASIM", "KASSEM", "QASSEM", "KASIM", "QASEM"},
	{"AZIZ", "AZEEZ"},
	{"RAHMAN", "REHMAN", "RAHMANE"},
	{"NASIR", "NASSER", "NASER"},
	{"HAMID", "HAMEED", "HAMED"},
	{"RASHID", "RACHID", "RASHEED", "RASHED"},
	{"FAISAL", "FAYSAL", "FAYCAL"},
	{"ZAYD", "ZAID", "ZEID"},
	{"HAMZA", "HAMZAH"},
	{"SALEH", "SALIH", "SALAH"},
	{"MUSA", "MOUSSA", "MOUSA"},
	{"ISSA", "ISA", "EISA"},
	{"YASIN", "YASSIN", "YASEEN", "YASSINE"},
	{"JAFAR", "JAAFAR", "JAFFAR"},
	{"HAYDAR", "HAIDAR", "HAIDER"},
	{"ABBAS", "ABBASS"},
	{"MAHDI", "MEHDI"},
	{"HABIB", "HABEEB"},
	{"KARIM", "KAREEM"},
	{"AMIN", "AMEEN"},
	{"NUR", "NOOR", "NOUR"},
	{"SHARIF", "SHERIF", "CHERIF", "SHAREEF"},
	{"QADDAFI", "GADDAFI", "KADHAFI", "GADHAFI", "QADHAFI"},
	{"ALEKSANDR", "ALEXANDER", "ALEKSANDER", "OLEKSANDR"},
	{"SERGEY", "SERGEI", "SERGIY", "SERHIY"},
	{"YURI", "YURIY", "IURII", "YURY"},
	{"ALEKSEY", "ALEXEI", "ALEKSEI", "ALEXEY"},
	{"DMITRY", "DMITRI", "DMITRIY"},
	{"EVGENY", "YEVGENIY", "EVGENII", "YEVGENY", "EVGENIY"},
	{"ANDREY", "ANDREI", "ANDRIY"},
	{"NIKOLAY", "NIKOLAI", "MYKOLA"},
	{"VIKTOR", "VICTOR"},
	{"VALERIY", "VALERY", "VALERII"},
	{"VLADIMIR", "VOLODYMYR", "WLADIMIR"},
	{"GENNADY", "GENNADIY", "GENNADII"},
	{"ARKADY", "ARKADIY", "ARKADII"},
	{"MIKHAIL", "MIKHAYL", "MYKHAILO"},
	{"CHOE", "CHOI"},
	{"PAK", "PARK"},
	{"RI", "RYI", "LEE"},
	{"JONG", "CHONG"},
	{"KIM", "GIM"},
}

type site struct{ at, size, group, member int }

func spellingSites(w []string) []site {
	var out []site
	for i := 0; i < len(w); i++ {
		found := false
		for gi, grp := range spellings {
			for mi, m := range grp {
				mw := strings.Fields(m)
				if i+len(mw) > len(w) {
					continue
				}
				match := true
				for k := range mw {
					if !strings.EqualFold(strings.Trim(w[i+k], ".,"), mw[k]) {
						match = false
						break
					}
				}
				if match {
					out = append(out, site{i, len(mw), gi, mi})
					i += len(mw) - 1
					found = true
					break
				}
			}
			if found {
				break
			}
		}
	}
	return out
}

// respell writes every romanised name the table knows another way.
func respell(r *rand.Rand, w []string) []string {
	sites := spellingSites(w)
	var out []string
	last := 0
	for _, s := range sites {
		out = append(out, w[last:s.at]...)
		grp := spellings[s.group]
		m := s.member
		for grp[m] == grp[s.member] {
			m = r.IntN(len(grp))
		}
		out = append(out, strings.Fields(grp[m])...)
		last = s.at + s.size
	}
	return append(out, w[last:]...)
}

// cyrillic renders Latin spelling the way a Russian clerk would write the
// name: longest letter groups first.
var cyrillic = []struct{ lat, cyr string }{
	{"shch", "щ"}, {"sch", "ш"}, {"sh", "ш"}, {"ch", "ч"}, {"zh", "ж"}, {"kh", "х"}, {"ts", "ц"}, {"tz", "ц"},
	{"ya", "я"}, {"yu", "ю"}, {"ye", "е"}, {"yo", "ё"}, {"ia", "ия"}, {"iy", "ий"}, {"ph", "ф"}, {"th", "т"}, {"ck", "к"},
	{"ou", "у"}, {"oo", "у"}, {"ee", "и"}, {"j", "дж"}, {"x", "кс"}, {"w", "в"}, {"q", "к"}, {"c", "к"},
	{"a", "а"}, {"b", "б"}, {"v", "в"}, {"g", "г"}, {"d", "д"}, {"e", "е"}, {"z", "з"}, {"i", "и"}, {"y", "й"}, {"k", "к"},
	{"l", "л"}, {"m", "м"}, {"n", "н"}, {"o", "о"}, {"p", "п"}, {"r", "р"}, {"s", "с"}, {"t", "т"}, {"u", "у"}, {"f", "ф"}, {"h", "х"},
}

func toCyrillic(w string) string {
	s := strings.ToLower(w)
	var b strings.Builder
	first := true
	for len(s) > 0 {
		matched := false
		for _, p := range cyrillic {
			if strings.HasPrefix(s, p.lat) {
				out := p.cyr
				if first {
					rs := []rune(out)
					rs[0] = unicode.ToUpper(rs[0])
					out = string(rs)
				}
				b.WriteString(out)
				s = s[len(p.lat):]
				matched = true
				break
			}
		}
		if !matched {
			c := []rune(s)[0]
			b.WriteRune(c)
			s = s[len(string(c)):]
		}
		first = false
	}
	return b.String()
}

var accents = map[rune][]rune{
	'a': []rune("áàäâã"), 'e': []rune("éèëê"), 'i': []rune("íïî"), 'o': []rune("óöôõ"), 'u': []rune("úüû"),
	'n': []rune("ñ"), 'c': []rune("ç"), 's': []rune("šş"), 'z': []rune("ž"), 'g': []rune("ğ"), 'y': []rune("ý"),
}

// addDiacritics puts marks on one to three letters.
func addDiacritics(r *rand.Rand, s string) string {
	rs := []rune(s)
	var at []int
	for i, c := range rs {
		if _, ok := accents[unicode.ToLower(c)]; ok {
			at = append(at, i)
		}
	}
	if len(at) == 0 {
		return s
	}
	r.Shuffle(len(at), func(i, j int) { at[i], at[j] = at[j], at[i] })
	for _, i := range at[:min(len(at), 1+r.IntN(3))] {
		opts := accents[unicode.ToLower(rs[i])]
		c := opts[r.IntN(len(opts))]
		if unicode.IsUpper(rs[i]) {
			c = unicode.ToUpper(c)
		}
		rs[i] = c
	}
	return string(rs)
}

// hyphenSpace changes how a name's parts are joined: a hyphen becomes a space
// or disappears, or two parts are written as one word or hyphenated. Parts
// that are commonly run together (ABDUL RAHMAN, AL QAIDA, ABU BAKR) are
// preferred; otherwise any neighbouring pair.
func hyphenSpace(r *rand.Rand, e *screening.Entity, s string) (string, bool) {
	if strings.Contains(s, "-") && r.IntN(2) == 0 {
		if r.IntN(2) == 0 {
			return strings.ReplaceAll(s, "-", " "), true
		}
		return strings.ReplaceAll(s, "-", ""), true
	}
	w := natural(e, s)
	if len(w) < 2 {
		return "", false
	}
	var pairs []int
	for i := 0; i+1 < len(w); i++ {
		a := strings.ToUpper(strings.Trim(w[i], ".,"))
		if connectors[a] || strings.HasPrefix(a, "ABD") || len(a) <= 4 {
			pairs = append(pairs, i)
		}
	}
	var i int
	if len(pairs) > 0 {
		i = pairs[r.IntN(len(pairs))]
	} else {
		i = r.IntN(len(w) - 1)
	}
	sep := ""
	if r.IntN(3) == 0 {
		sep = "-"
	}
	out := append(slices.Clone(w[:i]), strings.Trim(w[i], ",")+sep+strings.Trim(w[i+1], ","))
	return strings.Join(append(out, w[i+2:]...), " "), true
}

// companyForms are legal-form words as lists write them.
var companyForms = map[string]bool{
	"LTD": true, "LTD.": true, "LIMITED": true, "LLC": true, "L.L.C.": true, "INC": true, "INC.": true, "CO": true, "CO.": true,
	"COMPANY": true, "CORP": true, "CORP.": true, "CORPORATION": true, "S.A.": true, "SA": true, "S.A": true, "GMBH": true,
	"JSC": true, "OJSC": true, "CJSC": true, "PJSC": true, "OOO": true, "ZAO": true, "OAO": true, "AO": true, "PAO": true,
	"PLC": true, "SARL": true, "S.A.R.L.": true, "S.R.L.": true, "SRL": true, "B.V.": true, "N.V.": true, "FZE": true,
	"FZCO": true, "FZC": true, "LLP": true, "PTE": true, "PTY": true, "BHD": true, "SDN": true, "C.V.": true, "S.L.": true,
	"SPA": true, "S.P.A.": true, "DE": true,
}

var replacementForms = []string{"LTD", "LIMITED", "LLC", "CO. LTD", "INC", "S.A.", "GMBH", "COMPANY", "CORP", "JSC"}

// companyForm drops a company's legal form or writes another one.
func companyForm(r *rand.Rand, s string) (string, bool) {
	w := words(s)
	isForm := func(x string) bool { return companyForms[strings.ToUpper(strings.Trim(x, ","))] }
	lo, hi := 0, len(w)
	for hi > lo && isForm(w[hi-1]) {
		hi--
	}
	for lo < hi && isForm(w[lo]) && w[lo] != "DE" {
		lo++
	}
	core := w[lo:hi]
	if len(core) == 0 {
		return "", false
	}
	hadForm := lo > 0 || hi < len(w)
	if hadForm && r.IntN(2) == 0 {
		return strings.Join(core, " "), true
	}
	f := replacementForms[r.IntN(len(replacementForms))]
	q := strings.Join(core, " ") + " " + f
	if strings.EqualFold(q, strings.Join(w, " ")) {
		return "", false
	}
	return q, true
}

// negatives draws common names from every region and company-style names,
// then excludes those whose normalised tokens equal a list name's: such a
// name is a genuine collision, not a false positive. Equality is over strong
// tokens (weak tokens such as LTD, AL, BIN are ignored), order ignored.
func negatives(snaps []*screening.Snapshot, r *rand.Rand) ([]Negative, []Excluded, int) {
	type ref struct {
		list, id, name string
		strict         string
	}
	listKeys := map[string][]ref{}
	for _, s := range snaps {
		for _, e := range s.Entities {
			for _, n := range e.Names {
				k, all := nameKey(n.Text)
				if k != "" {
					listKeys[k] = append(listKeys[k], ref{s.Source, e.ID, n.Text, all})
				}
			}
		}
	}
	var drawn []Negative
	seen := map[string]bool{}
	add := func(q, kind, region string) bool {
		k := strings.ToLower(q)
		if seen[k] {
			return false
		}
		seen[k] = true
		drawn = append(drawn, Negative{Query: q, Kind: kind, Region: region})
		return true
	}
	for _, rg := range regions {
		for made, tries := 0, 0; made < rg.count && tries < 100000; tries++ {
			given := rg.given[r.IntN(len(rg.given))]
			sur := rg.surname[r.IntN(len(rg.surname))]
			parts := []string{given, sur}
			if r.Float64() < rg.triple {
				switch rg.name {
				case "hispanic": // two surnames
					sur2 := rg.surname[r.IntN(len(rg.surname))]
					if sur2 == sur {
						continue
					}
					parts = []string{given, sur, sur2}
				default: // a second given or father's name
					g2 := rg.given[r.IntN(len(rg.given))]
					if g2 == given {
						continue
					}
					parts = []string{given, g2, sur}
				}
			}
			if given == sur {
				continue
			}
			if rg.order == "sg" {
				parts = []string{sur, given}
			}
			if add(strings.Join(parts, " "), "person", rg.name) {
				made++
			}
		}
	}
	for made, tries := 0, 0; made < companyCount && tries < 100000; tries++ {
		q := companyWords[r.IntN(len(companyWords))] + " " + companyLines[r.IntN(len(companyLines))]
		if f := negativeForms[r.IntN(len(negativeForms))]; f != "" {
			q += " " + f
		}
		if add(q, "company", "company") {
			made++
		}
	}
	var kept []Negative
	var exc []Excluded
	strict := 0
	for _, n := range drawn {
		k, all := nameKey(n.Query)
		if refs := listKeys[k]; len(refs) > 0 {
			x := Excluded{Query: n.Query, Region: n.Region, List: refs[0].list, EntryID: refs[0].id, ListName: refs[0].name}
			for _, rf := range refs {
				if rf.strict == all {
					x.List, x.EntryID, x.ListName, x.Strict = rf.list, rf.id, rf.name, true
					strict++
					break
				}
			}
			exc = append(exc, x)
			continue
		}
		n.ID = fmt.Sprintf("neg-%04d", len(kept)+1)
		kept = append(kept, n)
	}
	return kept, exc, strict
}

// nameKey is the sorted strong normalised tokens of a name (all tokens if
// none is strong), and the sorted full token list.
func nameKey(s string) (string, string) {
	var strong, all []string
	for _, t := range screening.NormalizeName(s) {
		all = append(all, t.Text)
		if !t.Weak {
			strong = append(strong, t.Text)
		}
	}
	if len(strong) == 0 {
		strong = slices.Clone(all)
	}
	slices.Sort(strong)
	slices.Sort(all)
	return strings.Join(strong, " "), strings.Join(all, " ")
}
