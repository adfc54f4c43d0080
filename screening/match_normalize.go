package screening

import (
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Name normalisation: the same rules for list names and query names, so that
// "SALEK, Abdul-Hai", "Abdulhai Salek" and "Абдулхай Салек" meet in the index.
//
//  1. NFKD, then combining marks removed (diacritics fold: é → e, ç → c).
//  2. Cyrillic, Greek and Arabic letters transliterated to Latin.
//  3. Lower case; every character that is not a letter or digit splits tokens;
//     apostrophes join (O'Brien → obrien).
//  4. Honorifics dropped; company forms and connectors kept but marked weak.
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
	latin := transliterate(foldMarks(s))
	var out []Token
	var b strings.Builder
	flush := func() {
		if b.Len() == 0 {
			return
		}
		t := b.String()
		b.Reset()
		if honorifics[t] {
			return
		}
		out = append(out, Token{Text: t, Weak: weakTokens[t]})
	}
	for _, r := range latin {
		switch {
		case r == '\'' || r == '’' || r == '`' || r == 'ʼ':
			// joins: O'Brien, Ma'ruf
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

func foldMarks(s string) string {
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		return s
	}
	return out
}

func transliterate(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if lat, ok := translit[unicode.ToLower(r)]; ok {
			b.WriteString(lat)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// honorifics are dropped: they are not part of anyone's name.
var honorifics = setOf("mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "madam", "mme", "mlle", "herr", "frau", "sr", "sra", "srta", "messrs")

// weakTokens are company forms and name connectors: frequent, and on their
// own no evidence of identity ("CORP" must not match every corporation).
var weakTokens = setOf(
	"ltd", "limited", "llc", "llp", "lp", "inc", "incorporated", "corp", "corporation", "co", "company", "cia",
	"sa", "sas", "sarl", "sl", "srl", "spa", "gmbh", "ag", "kg", "bv", "nv", "plc", "pte", "pty", "bhd", "sdn",
	"oao", "ooo", "zao", "ojsc", "cjsc", "jsc", "pjsc", "ao", "pao", "fze", "fzco", "fzc", "dmcc", "est", "ent",
	"group", "holding", "holdings", "international", "intl", "trading", "enterprise", "enterprises", "industries",
	"the", "of", "and", "for", "de", "del", "la", "le", "du", "van", "von", "der", "da", "dos", "das",
	"al", "el", "bin", "ibn", "bint", "ben", "abu", "ould",
)

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
	var b strings.Builder
	var last byte
	for i := 0; i < len(tok); i++ {
		c := tok[i]
		// Common digraphs first.
		if i+1 < len(tok) {
			switch tok[i : i+2] {
			case "ph":
				c, i = 'f', i+1
			case "kh", "gh", "ch", "sh", "zh", "th", "dh":
				c, i = digraph[tok[i:i+2]], i+1
			}
		}
		k := soundClass(c)
		if i == 0 {
			switch {
			case strings.IndexByte("aeiou", c) >= 0:
				k = 'a' // names starting with a vowel all start alike (Osama, Usama)
			case k == 0:
				k = c // h, w, y start a name audibly (Hassan is not Yassin)
			}
			b.WriteByte(k)
			last = k
			continue
		}
		if k == 0 || k == last {
			last = k
			continue
		}
		b.WriteByte(k)
		last = k
	}
	return b.String()
}

var digraph = map[string]byte{"kh": 'k', "gh": 'g', "ch": 'x', "sh": 'x', "zh": 'x', "th": 't', "dh": 'd'}

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
	case 'm', 'n':
		return 'm'
	case 'r':
		return 'r'
	}
	return c // digits and other letters stand for themselves
}
