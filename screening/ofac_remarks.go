package screening

import (
	"sort"
	"strings"
)

// OFAC publishes much of what identifies a party only in the free-text
// Remarks column, as "; "-separated statements: "DOB 01 Jan 1960; alt. DOB
// 1961; POB Tehran, Iran; nationality Iran; Passport A1234 (Iran); a.k.a.
// 'X'; Linked To: Y." The a.k.a.s written there are OFAC's weak (low
// quality) aliases; strong ones are in alt.csv. This file reads those
// statements into the Entity; everything else stays in Remarks only.

// idLabel maps a label OFAC writes before a number to an identifier kind.
type idLabel struct {
	label string
	kind  IdentifierKind
}

// ofacIDLabels, longest first so that "Passport Booklet" wins over
// "Passport". Built once, never written.
var ofacIDLabels = sortedLabels([]idLabel{
	{"Passport", IDPassport}, {"Diplomatic Passport", IDPassport}, {"Passport Booklet", IDPassport},
	{"Travel Document Number", IDPassport},

	{"National ID No.", IDNationalID}, {"Cedula No.", IDNationalID}, {"D.N.I.", IDNationalID},
	{"Identification Number", IDNationalID}, {"Personal ID Card", IDNationalID},
	{"Kenyan ID No.", IDNationalID}, {"Turkish Identification Number", IDNationalID},
	{"Tazkira National ID Card", IDNationalID}, {"C.U.R.P.", IDNationalID}, {"C.U.R.P. #", IDNationalID},
	{"National Foreign ID Number", IDNationalID}, {"Citizen's Card Number", IDNationalID},
	{"Numero de Identidad", IDNationalID}, {"SSN", IDNationalID}, {"Residency Number", IDNationalID},
	{"Credencial electoral", IDNationalID}, {"I.F.E.", IDNationalID}, {"Electoral Registry No.", IDNationalID},
	{"C.U.I.", IDNationalID}, {"NIE", IDNationalID},

	{"Tax ID No.", IDTaxID}, {"NIT #", IDTaxID}, {"RUC #", IDTaxID}, {"RIF #", IDTaxID},
	{"R.F.C.", IDTaxID}, {"C.U.I.T.", IDTaxID}, {"V.A.T. Number", IDTaxID}, {"US FEIN", IDTaxID},
	{"C.I.F.", IDTaxID}, {"RTN", IDTaxID}, {"Italian Fiscal Code", IDTaxID},
	{"Numero Unico de Identificacao Tributaria (NUIT)", IDTaxID}, {"N.I.F.", IDTaxID},

	{"Vessel Registration Identification", IDIMO},
	{"MMSI", IDMMSI},
	{"SWIFT/BIC", IDSwiftBIC},

	{"Registration ID", IDRegistration}, {"Registration Number", IDRegistration},
	{"Company Number", IDRegistration}, {"UK Company Number", IDRegistration},
	{"Commercial Registry Number", IDRegistration}, {"Business Registration Number", IDRegistration},
	{"Business Registration Document #", IDRegistration}, {"Matricula Mercantil No", IDRegistration},
	{"Folio Mercantil No.", IDRegistration}, {"Government Gazette Number", IDRegistration},
	{"Trade License No.", IDRegistration}, {"Chamber of Commerce Number", IDRegistration},
	{"C.R. No.", IDRegistration}, {"Legal Entity Number", IDRegistration},
	{"Public Registration Number", IDRegistration}, {"Certificate of Incorporation Number", IDRegistration},
	{"Enterprise Number", IDRegistration}, {"Branch Unit Number", IDRegistration},
	{"Registered Charity No.", IDRegistration}, {"D-U-N-S Number", IDRegistration},
	{"LE Number", IDRegistration}, {"Business Number", IDRegistration},
	{"Dubai Chamber of Commerce Membership No.", IDRegistration},
	{"Unified Social Credit Code (USCC)", IDRegistration},
	{"United Social Credit Code Certificate (USCCC)", IDRegistration},
	{"Aircraft Tail Number", IDRegistration},

	{"Aircraft Manufacturer's Serial Number (MSN)", IDOther},
	{"Aircraft Construction Number (also called L/N or S/N or F/N)", IDOther},
	{"Aircraft Mode S Transponder Code", IDOther}, {"Aircraft Serial Identification", IDOther},
	{"Driver's License No.", IDOther}, {"Birth Certificate Number", IDOther},
	{"Immigration No.", IDOther}, {"Cartilla de Servicio Militar Nacional", IDOther},
	{"ISIN", IDOther}, {"BIK (RU)", IDOther}, {"Chinese Commercial Code", IDOther},
	{"Digital Currency Address -", IDOther},
})

func sortedLabels(l []idLabel) []idLabel {
	sort.SliceStable(l, func(i, j int) bool { return len(l[i].label) > len(l[j].label) })
	return l
}

// remarkResult is what applyOFACRemarks could not place in the entity.
type remarkResult struct {
	unreadDOBs []string // "DOB" statements in an unknown date form
}

// applyOFACRemarks reads the statements of an OFAC Remarks text into e. It
// never fails: a statement it does not understand stays in e.Remarks, which
// the caller sets to the full text.
func applyOFACRemarks(e *Entity, remarks string, nat, other *countrySet) remarkResult {
	var res remarkResult
	segs := strings.Split(remarks, ";")
	for i, seg := range segs {
		seg = strings.TrimSpace(seg)
		if i == len(segs)-1 {
			seg = trimFinalPeriod(seg)
		}
		if seg == "" {
			continue
		}
		body, _ := cutPrefixFold(seg, "alt. ")
		body = strings.TrimSpace(body)
		switch {
		case hasWord(body, "DOB"):
			text := strings.TrimSpace(body[len("DOB"):])
			if d, ok := parseOFACDate(text); ok {
				e.DatesOfBirth = append(e.DatesOfBirth, d)
			} else {
				res.unreadDOBs = append(res.unreadDOBs, seg)
			}
		case hasWord(body, "POB"):
			if p := strings.TrimSpace(body[len("POB"):]); p != "" {
				e.PlacesOfBirth = appendUnique(e.PlacesOfBirth, p)
			}
		case hasWord(body, "nationality"):
			nat.add(body[len("nationality"):])
		case hasWord(body, "citizen"):
			other.add(body[len("citizen"):])
		case body == "Gender Male" || body == "Gender Female":
			e.Gender = strings.ToLower(body[len("Gender "):])
		case hasWord(body, "a.k.a."), hasWord(body, "f.k.a."), hasWord(body, "n.k.a."):
			if n, ok := quotedName(body[len("a.k.a."):]); ok {
				kind := NameWeakAKA
				if strings.HasPrefix(body, "f.k.a.") {
					kind = NameFKA
				}
				e.Names = appendName(e.Names, Name{Text: n, Kind: kind})
			}
		case strings.HasPrefix(body, "Linked To:"):
			if n := strings.TrimSpace(body[len("Linked To:"):]); n != "" {
				e.LinkedTo = appendUnique(e.LinkedTo, n)
			}
		default:
			if id, ok := parseOFACIdentifier(body); ok {
				e.Identifiers = append(e.Identifiers, id)
			}
		}
	}
	return res
}

// hasWord reports whether s starts with w followed by a space or the end.
func hasWord(s, w string) bool {
	return strings.HasPrefix(s, w) && (len(s) == len(w) || s[len(w)] == ' ')
}

// trimFinalPeriod drops the full stop OFAC ends a Remarks text with, but
// keeps one that ends an abbreviation in a name ("S.A.", "INC.", "LTDA."),
// since the statement may be "Linked To: GALAPAGOS S.A.".
func trimFinalPeriod(s string) string {
	if !strings.HasSuffix(s, ".") {
		return s
	}
	body := s[:len(s)-1]
	if strings.HasPrefix(s, "Linked To:") {
		// The last word without its period: an abbreviation is short and
		// upper case, or itself dotted.
		i := strings.LastIndexAny(body, " .,")
		word := body[i+1:]
		if i >= 0 && body[i] == '.' || (len(word) >= 1 && len(word) <= 4 && strings.ToUpper(word) == word && isLetters(word)) {
			return s
		}
	}
	return body
}

func isLetters(s string) bool {
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return s != ""
}

// quotedName returns the text between the first and the last single quote:
// names keep their own apostrophes ("a.k.a. 'ABU-'UMAR'").
func quotedName(s string) (string, bool) {
	i, j := strings.IndexByte(s, '\''), strings.LastIndexByte(s, '\'')
	if i < 0 || j <= i {
		return "", false
	}
	n := strings.TrimSpace(s[i+1 : j])
	return n, n != ""
}

// appendName adds a name unless the same text is already there.
func appendName(names []Name, n Name) []Name {
	for _, x := range names {
		if x.Text == n.Text {
			return names
		}
	}
	return append(names, n)
}

// parseOFACIdentifier reads "Label NUMBER (Country) issued ... expires ...".
func parseOFACIdentifier(s string) (Identifier, bool) {
	for _, l := range ofacIDLabels {
		if !strings.HasPrefix(s, l.label) {
			continue
		}
		rest := s[len(l.label):]
		if rest != "" && rest[0] != ' ' && rest[0] != ':' && !strings.HasSuffix(l.label, "-") {
			continue // "SSNumber" is not "SSN"
		}
		id := Identifier{Kind: l.kind, Label: l.label}
		rest = strings.TrimLeft(rest, " :")
		if l.label == "Digital Currency Address -" {
			// "Digital Currency Address - XBT 12Qt...": the currency is part of the label.
			cur, addr, ok := strings.Cut(rest, " ")
			if !ok {
				return Identifier{}, false
			}
			id.Label += " " + cur
			rest = addr
		}
		id.Number, id.CountryName, id.Note = splitIDText(rest)
		if num, ok := strings.CutPrefix(id.Number, "IMO "); ok {
			// "Vessel Registration Identification IMO 9187629", and IMO company
			// numbers written as "Company Number IMO 5055293".
			id.Kind, id.Number = IDIMO, strings.TrimSpace(num)
		}
		if code, ok := CountryCode(id.CountryName); ok {
			id.Country, id.CountryName = code, ""
		}
		if id.Number == "" {
			return Identifier{}, false
		}
		return id, true
	}
	return Identifier{}, false
}

// splitIDText splits "A1234 (Iran) issued 01 Jan 2000 expires 31 Dec 2010"
// into the number, the parenthesised issuer and the note.
func splitIDText(s string) (number, country, note string) {
	s = strings.TrimSpace(s)
	cut := -1
	for _, kw := range []string{" issued ", " expires ", " expired "} {
		if i := strings.Index(s, kw); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut >= 0 {
		note = strings.TrimSpace(s[cut:])
		s = strings.TrimSpace(s[:cut])
	}
	if strings.HasSuffix(s, ")") {
		if i := strings.LastIndex(s, " ("); i >= 0 {
			country = strings.TrimSpace(s[i+2 : len(s)-1])
			s = strings.TrimSpace(s[:i])
		}
	}
	return s, country, note
}
