package screening

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Name normalisation: the same rules for list names and query names, so that
// "SALEK, Abdul-Hai", "Abdulhai Salek" and "Абдулхай Салек" meet in the index.
//
//  1. Unicode compatibility folding (NFKD: full-width letters, ligatures,
//     circled and super-script forms become plain letters), then combining
//     marks removed, so diacritics fold (é → e, ç → c); letters with no
//     decomposition fold by table (ß → ss, ø → o, ł → l, æ → ae). The result
//     is what NFKC with case folding gives, minus the marks.
//  2. Cyrillic, Greek and Arabic letters transliterated to Latin.
//  3. Case folded; every character that is not a letter or digit splits
//     tokens; apostrophes and ʿayn signs join (O'Brien → obrien); dotted
//     company forms join (S.A. → sa, S.A.R.L. → sarl) while other dotted
//     letters stay initials (P.G. → p g).
//  4. Honorifics dropped; the Arabic "abd al", "abdel", "abdul" forms
//     written one way (abdul); company forms, connectors and other very common
//     words kept but marked weak.
//
// Name order is not part of the result: matching aligns tokens, not positions.

// Token is one normalised word of a name.
type Token struct {
	Text string
	// Weak tokens (LTD, LLC, AL, BIN, ...) say little about identity; they
	// count for a tenth of a normal token.
	Weak bool
}

// NormalizeName splits a name into normalised tokens.
func NormalizeName(s string) []Token {
	latin := foldName(s)
	var out []Token
	// raw tokens, and whether each was followed directly by "." and a letter
	// (the inside of a dotted abbreviation such as S.A.)
	var raw []string
	var dotted []bool
	var b strings.Builder
	flush := func(dot bool) {
		if b.Len() == 0 {
			return
		}
		raw = append(raw, b.String())
		dotted = append(dotted, dot)
		b.Reset()
	}
	for i, r := range latin {
		switch {
		case isJoiner(r):
			// joins: O'Brien, Ma'ruf, Ch'o'l
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		case r == '.':
			next, _ := utf8.DecodeRuneInString(latin[i+1:])
			flush(unicode.IsLetter(next))
		default:
			flush(false)
		}
	}
	flush(false)

	for i := 0; i < len(raw); i++ {
		t := raw[i]
		// A run of single letters joined by dots: S.A., S.A.R.L., C.V.
		if utf8.RuneCountInString(t) == 1 && dotted[i] {
			j := i
			var ab strings.Builder
			for j < len(raw) && utf8.RuneCountInString(raw[j]) == 1 {
				ab.WriteString(raw[j])
				j++
				if !dotted[j-1] {
					break
				}
			}
			if j-i >= 2 && weakTokens[ab.String()] {
				out = append(out, Token{Text: ab.String(), Weak: true})
				i = j - 1
				continue
			}
		}
		if honorifics[t] {
			continue
		}
		// Arabic "ʿabd al-X" is written abd al, abd el, abdel, abdal, abdul,
		// abdoul: one form, so that every spelling meets.
		if t == "abd" && i+1 < len(raw) && arabicArticle[raw[i+1]] {
			i++
			t = "abdul"
		} else if abdulForms[t] {
			t = "abdul"
		}
		out = append(out, Token{Text: t, Weak: weakTokens[t]})
	}
	return out
}

func isJoiner(r rune) bool {
	switch r {
	case '\'', '’', '‘', '`', 'ʼ', 'ʻ', 'ʿ', 'ʾ', '´':
		return true
	}
	return false
}

// arabicArticle is al- and its assimilated forms after "abd".
var arabicArticle = setOf("al", "el", "ul", "il", "ar", "ur", "as", "us", "ad", "ud", "an", "un", "at", "ut", "az", "uz", "ash", "ush", "ath", "uth")

var abdulForms = setOf("abdel", "abdal", "abdoul", "abdol", "abdil")

// foldName applies steps 1 and 2 and folds case.
func foldName(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		// й, ё and ї lose their identity in decomposition (й = и + breve);
		// transliterate them first.
		s = cyrillicPre.Replace(s)
		t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)))
		if out, _, err := transform.String(t, s); err == nil {
			s = out
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := unicode.ToLower(rs[i])
		if r < utf8.RuneSelf {
			b.WriteRune(r)
			continue
		}
		// Cyrillic дж is an English or Arabic j (Джамал, Jamal).
		if r == 'д' && i+1 < len(rs) && unicode.ToLower(rs[i+1]) == 'ж' {
			b.WriteByte('j')
			i++
			continue
		}
		if lat, ok := translit[r]; ok {
			b.WriteString(lat)
			continue
		}
		if lat, ok := latinFolds[r]; ok {
			b.WriteString(lat)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var cyrillicPre = strings.NewReplacer("й", "y", "Й", "Y", "ё", "yo", "Ё", "Yo", "ї", "yi", "Ї", "Yi")

// latinFolds are Latin letters that do not decompose into a base letter and
// a mark, and the case folds that change length.
var latinFolds = map[rune]string{
	'ß': "ss", 'ẞ': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d", 'ł': "l", 'þ': "th",
	'ı': "i", 'ħ': "h", 'ŧ': "t", 'ŋ': "n", 'ĸ': "k", 'ŀ': "l", 'ƒ': "f", 'ɗ': "d", 'ɓ': "b", 'ƙ': "k", 'ƴ': "y",
}

// honorifics are dropped: they are not part of anyone's name.
var honorifics = setOf("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "mme", "mlle", "herr", "frau", "sr", "sra", "srta", "messrs")

// weakTokens are company forms, name connectors and other words so common
// in names that on their own they are no evidence of identity ("CORP" must
// not match every corporation).
var weakTokens = setOf(
	"ltd", "limited", "llc", "llp", "lp", "inc", "incorporated", "corp", "corporation", "co", "company", "cia",
	"sa", "sas", "sarl", "sl", "srl", "spa", "gmbh", "ag", "kg", "bv", "nv", "plc", "pte", "pty", "bhd", "sdn",
	"cv", "ltda", "lda", "sae", "sac", "saic", "sro", "kft", "eood", "ood", "doo", "wll", "pvt", "private", "public",
	"oao", "ooo", "zao", "ojsc", "cjsc", "jsc", "pjsc", "ao", "pao", "fze", "fzco", "fzc", "dmcc", "est", "ent",
	"joint", "stock", "open", "closed",
	"group", "holding", "holdings", "international", "intl", "trading", "enterprise", "enterprises", "industries",
	// the same words in the languages of the lists' company names
	"grupo", "groupe", "gruppa", "compania", "companhia", "compagnie", "sociedad", "sociedade", "societe", "anonima",
	"limitada", "internacional", "jr",
	"the", "of", "and", "for", "de", "del", "la", "le", "du", "van", "von", "der", "da", "dos", "das", "y", "e",
	"al", "el", "bin", "ibn", "bint", "ben", "abu", "ould",
)

// connectors are the weak tokens that join names (AL, BIN, DE, VAN); one
// that ends a person's name joins nothing and is a name itself.
var connectors = setOf("the", "of", "and", "for", "de", "del", "la", "le", "du", "van", "von", "der", "da", "dos", "das", "y", "e",
	"al", "el", "bin", "ibn", "bint", "ben", "abu", "ould")

func setOf(words ...string) map[string]bool {
	m := make(map[string]bool, len(words))
	for _, w := range words {
		m[w] = true
	}
	return m
}

// translit maps lower-case Cyrillic (BGN/PCGN-style), Greek (ELOT 743-style)
// and Arabic letters to Latin. Arabic vowels are mostly unwritten, so Arabic
// script names meet their Latin forms through the phonetic key, not letters.
var translit = map[rune]string{
	// Cyrillic
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z", 'и': "i",
	'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r", 'с': "s", 'т': "t",
	'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh", 'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "",
	'э': "e", 'ю': "yu", 'я': "ya", 'і': "i", 'ї': "yi", 'є': "ye", 'ґ': "g", 'ў': "u", 'ј': "j", 'љ': "lj",
	'њ': "nj", 'ћ': "c", 'ђ': "dj", 'џ': "dz", 'ќ': "k", 'ѓ': "g", 'ѕ': "dz",
	// Greek
	'α': "a", 'β': "v", 'γ': "g", 'δ': "d", 'ε': "e", 'ζ': "z", 'η': "i", 'θ': "th", 'ι': "i", 'κ': "k",
	'λ': "l", 'μ': "m", 'ν': "n", 'ξ': "x", 'ο': "o", 'π': "p", 'ρ': "r", 'σ': "s", 'ς': "s", 'τ': "t",
	'υ': "y", 'φ': "f", 'χ': "ch", 'ψ': "ps", 'ω': "o",
	// Arabic (and the Persian/Urdu letters)
	'ا': "a", 'أ': "a", 'إ': "i", 'آ': "a", 'ٱ': "a", 'ب': "b", 'ت': "t", 'ث': "th", 'ج': "j", 'ح': "h",
	'خ': "kh", 'د': "d", 'ذ': "dh", 'ر': "r", 'ز': "z", 'س': "s", 'ش': "sh", 'ص': "s", 'ض': "d", 'ط': "t",
	'ظ': "z", 'ع': "", 'غ': "gh", 'ف': "f", 'ق': "q", 'ك': "k", 'ل': "l", 'م': "m", 'ن': "n", 'ه': "h",
	'و': "w", 'ي': "y", 'ى': "a", 'ة': "a", 'ء': "", 'ؤ': "", 'ئ': "", 'پ': "p", 'چ': "ch", 'ژ': "zh",
	'گ': "g", 'ک': "k", 'ی': "y", 'ٹ': "t", 'ڈ': "d", 'ڑ': "r", 'ں': "n", 'ے': "e",
}

// PhoneticKey is a coarse sound key for a token: transliteration spellings
// (MOHAMMED, MUHAMMAD, MOHAMAD) share it. It keeps the first letter, maps
// letters that sound alike together, drops later vowels and h/w/y, and
// collapses repeats.
func PhoneticKey(tok string) string {
	if tok == "" {
		return ""
	}
	var buf [32]byte
	b := buf[:0]
	var last byte
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		// Common digraphs first.
		if i+1 < len(tok) {
			switch tok[i : i+2] {
			case "ph":
				c, i = 'f', i+1
			case "kh", "gh", "ch", "sh", "zh", "th", "dh":
				c, i = digraph(tok[i:i+2]), i+1
			}
		}
		if i == 0 && c == 'y' && len(tok) > 1 && strings.IndexByte("aeiou", tok[1]) >= 0 {
			c = 'e' // YEVGENY and EVGENY, YURI and IURI, YAKOV and IAKOV
		}
		if c == 'x' && len(b) > 0 {
			// x inside a name is ks (ALEXANDER, ALEKSANDR)
			if last != 'k' {
				b = append(b, 'k')
			}
			c, last = 's', 'k'
		}
		k := soundClass(c)
		if len(b) == 0 {
			switch {
			case strings.IndexByte("aeiou", c) >= 0:
				k = 'a' // names starting with a vowel all start alike (Osama, Usama)
			case k == 0:
				k = c // h, w, y start a name audibly (Hassan is not Yassin)
			}
			b = append(b, k)
			last = k
			continue
		}
		if k == 0 || k == last {
			last = k
			continue
		}
		b = append(b, k)
		last = k
	}
	return string(b)
}

func digraph(s string) byte {
	switch s {
	case "kh":
		return 'h' // Russian and Arabic kh is often written h (KHASAN, HASAN)
	case "gh":
		return 'g'
	case "ch", "sh", "zh":
		return 'x'
	case "th":
		return 't'
	case "dh":
		return 'd'
	}
	return s[0]
}

// soundClass maps a letter to its class; 0 for vowels and h, w, y.
func soundClass(c byte) byte {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'h', 'w':
		return 0
	case 'b', 'p', 'f', 'v':
		return 'b'
	case 'c', 'k', 'q', 'g', 'j':
		return 'k'
	case 'x':
		return 'x'
	case 's', 'z':
		return 's'
	case 'd', 't':
		return 'd'
	case 'l':
		return 'l'
	case 'm':
		return 'm'
	case 'n':
		return 'n'
	case 'r':
		return 'r'
	}
	return c // digits and other letters stand for themselves
}
