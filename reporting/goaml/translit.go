package goaml

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/wardenhq/warden"
)

// goAML's name elements (first_name, last_name, account_name, entity name
// ...) carry the pattern [a-zA-Z0-9 .'-]*: plain Latin letters, digits,
// space, dot, apostrophe and hyphen. Transliterate maps a name onto that
// alphabet:
//
//  1. Letters with diacritics are decomposed (NFD) and the combining marks
//     dropped: Müller -> Muller, José -> Jose, Ngũgĩ -> Ngugi, Zoë -> Zoe.
//  2. Latin letters that do not decompose come from a small table: ß -> ss,
//     Ø -> O, Ł -> L, Đ -> D, Æ -> AE, Œ -> OE, Þ -> TH, ı -> i and so on.
//  3. Cyrillic is transliterated with the ICAO Doc 9303 table, the one
//     passports' machine-readable zones use, so the name matches the
//     customer's travel document (Жанна -> Zhanna, Щукин -> Shchukin).
//  4. Typographic apostrophes and dashes become ' and -, "&" becomes "and",
//     a comma becomes a space, and runs of whitespace become one space.
//
// Any other script (Arabic, Chinese, Greek, Hebrew, Devanagari ...) is
// refused with a field error asking for the name in Latin letters as on the
// customer's identity document: a guessed romanisation of such names would
// differ from the one on the passport and would defeat the FIU's matching.
// Other punctuation (brackets, slashes, quotes) is refused rather than
// silently dropped.

// latin maps letters NFD does not decompose.
var latin = map[rune]string{
	'ß': "ss", 'ẞ': "SS", 'Ø': "O", 'ø': "o", 'Ł': "L", 'ł': "l", 'Đ': "D", 'đ': "d",
	'Ð': "D", 'ð': "d", 'Æ': "AE", 'æ': "ae", 'Œ': "OE", 'œ': "oe", 'Þ': "TH", 'þ': "th",
	'ı': "i", 'Ħ': "H", 'ħ': "h", 'Ŧ': "T", 'ŧ': "t", 'Ŋ': "NG", 'ŋ': "ng", 'ĸ': "k",
	'Ŀ': "L", 'ŀ': "l", 'ſ': "s", 'Ɖ': "D", 'ɖ': "d", 'Ɛ': "E", 'ɛ': "e", 'Ɔ': "O", 'ɔ': "o",
	// Apostrophes, okina and dashes that appear in names.
	'’': "'", '‘': "'", 'ʼ': "'", 'ʻ': "'", '`': "'", '´': "'",
	'‐': "-", '‑': "-", '‒': "-", '–': "-", '—': "-",
}

// cyrillic is ICAO Doc 9303 (8th edition, part 3, section 6) for Russian,
// Ukrainian, Belarusian, Serbian and Macedonian letters, upper case.
var cyrillic = map[rune]string{
	'А': "A", 'Б': "B", 'В': "V", 'Г': "G", 'Д': "D", 'Е': "E", 'Ё': "E", 'Ж': "ZH", 'З': "Z",
	'И': "I", 'Й': "I", 'К': "K", 'Л': "L", 'М': "M", 'Н': "N", 'О': "O", 'П': "P", 'Р': "R",
	'С': "S", 'Т': "T", 'У': "U", 'Ф': "F", 'Х': "KH", 'Ц': "TS", 'Ч': "CH", 'Ш': "SH",
	'Щ': "SHCH", 'Ъ': "IE", 'Ы': "Y", 'Ь': "", 'Э': "E", 'Ю': "IU", 'Я': "IA",
	'Ґ': "G", 'Є': "IE", 'І': "I", 'Ї': "I", 'Ў': "U", 'Ђ': "D", 'Ј': "J", 'Љ': "LJ",
	'Њ': "NJ", 'Ћ': "C", 'Џ': "DZ", 'Ѓ': "G", 'Ќ': "K", 'Ѕ': "DZ",
}

// nameAllowed is the schema's name character class.
func nameAllowed(r rune) bool {
	return r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == ' ' || r == '.' || r == '\'' || r == '-')
}

// Transliterate returns name in goAML's name alphabet, or an EINVALID error
// naming field when name holds a script other than Latin or Cyrillic or
// punctuation outside the pattern. It does not check emptiness or length.
func Transliterate(field, name string) (string, error) {
	var b strings.Builder
	runes := []rune(norm.NFD.String(name))
	for i, r := range runes {
		switch {
		case nameAllowed(r):
			b.WriteRune(r)
		case unicode.Is(unicode.Mn, r):
			// A combining mark from the decomposition: drop it.
		case unicode.IsSpace(r) || r == ',':
			// A comma only separates parts of a name ("Acme, Inc.").
			b.WriteByte(' ')
		case r == '&':
			b.WriteString(" and ")
		case latin[r] != "":
			t := latin[r]
			if unicode.IsUpper(r) {
				t = fitCase(t, runes, i)
			}
			b.WriteString(t)
		case unicode.Is(unicode.Cyrillic, r):
			up := unicode.ToUpper(r)
			t, ok := cyrillic[up]
			if !ok {
				return "", warden.FieldErrorf(warden.EINVALID, field, "%s: the Cyrillic letter %q has no transliteration; give the name in Latin letters as on the identity document", field, r)
			}
			if r != up {
				t = strings.ToLower(t)
			} else {
				t = fitCase(t, runes, i)
			}
			b.WriteString(t)
		case unicode.IsLetter(r):
			return "", warden.FieldErrorf(warden.EINVALID, field, "%s must be given in Latin letters as on the identity document (goAML allows only a-z, 0-9, space, . ' -): %q is not transliterated", field, r)
		default:
			return "", warden.FieldErrorf(warden.EINVALID, field, "%s may hold only letters, digits, space, . ' and - (goAML's name pattern): %q is not allowed", field, r)
		}
	}
	return strings.Join(strings.Fields(b.String()), " "), nil
}

// fitCase fits the upper-case transliteration t of the capital runes[i] to
// its word: title case before lower case (Жанна -> Zhanna, Þórunn ->
// Thorunn), upper case within an all-capital word (ЖАННА -> ZHANNA).
func fitCase(t string, runes []rune, i int) string {
	if len(t) < 2 {
		return t
	}
	next := i + 1
	for next < len(runes) && unicode.Is(unicode.Mn, runes[next]) {
		next++
	}
	if next < len(runes) && unicode.IsUpper(runes[next]) {
		return t
	}
	if i > 0 && unicode.IsUpper(runes[i-1]) {
		return t
	}
	return t[:1] + strings.ToLower(t[1:])
}

// name transliterates a required name and checks its length.
func name(field, s string, max int, need bool) (string, error) {
	v, err := Transliterate(field, s)
	if err != nil {
		return "", err
	}
	if v == "" && need {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s is required", field)
	}
	if len(v) > max {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s is %d characters after transliteration; goAML allows %d", field, len(v), max)
	}
	return v, nil
}
