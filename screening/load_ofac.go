package screening

import (
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// ofacFiles names the four CSV files of an OFAC list: the main file (one row
// per entry, OFAC's "SDN CSV file format"), addresses, alternate names and
// the continuation of Remarks longer than the main file's 1,000 characters.
type ofacFiles struct {
	main, add, alt, comments string
}

var (
	sdnFiles  = ofacFiles{main: "sdn.csv", add: "add.csv", alt: "alt.csv", comments: "sdn_comments.csv"}
	consFiles = ofacFiles{main: "cons_prim.csv", add: "cons_add.csv", alt: "cons_alt.csv", comments: "cons_comments.csv"}
)

// LoadOFACSDN loads OFAC's Specially Designated Nationals list from the CSV
// release: sdn.csv, add.csv, alt.csv and sdn_comments.csv at the root of
// fsys (os.DirFS of the download directory, or an embed.FS). All four must be
// present: a missing alt.csv would silently lose every strong alias.
//
// OFAC's CSV files carry no publication date, so Version is derived from the
// content hash; the caller may set PublishedAt from the download's metadata.
func LoadOFACSDN(fsys fs.FS) (*Snapshot, error) {
	return loadOFACSet(fsys, SourceOFACSDN, sdnFiles)
}

// ofacEntry is an entry being assembled from the four files.
type ofacEntry struct {
	e          Entity
	line       int
	remarks    string
	nat, other countrySet
}

func loadOFACSet(fsys fs.FS, source string, files ofacFiles) (*Snapshot, error) {
	b := newBuilder(source)
	var data [4][]byte
	for i, name := range []string{files.main, files.add, files.alt, files.comments} {
		d, err := readFSFile(fsys, name)
		if err != nil {
			return nil, err
		}
		b.addFile(name, d)
		data[i] = d
	}

	entries, byID, err := readOFACMain(files.main, data[0])
	if err != nil {
		return nil, err
	}
	// Comments first: they complete Remarks, which are read last.
	if err := readOFACComments(files.comments, data[3], entries, byID); err != nil {
		return nil, err
	}
	if err := readOFACAlt(files.alt, data[2], entries, byID); err != nil {
		return nil, err
	}
	if err := readOFACAdd(files.add, data[1], entries, byID); err != nil {
		return nil, err
	}

	out := make([]Entity, len(entries))
	where := make([]entityLine, len(entries))
	for i := range entries {
		x := &entries[i]
		x.e.Remarks = x.remarks
		res := applyOFACRemarks(&x.e, x.remarks, &x.nat, &x.other)
		for _, s := range res.unreadDOBs {
			b.warnf(files.main, x.line, "entry %s: date of birth not understood, kept in remarks: %q", x.e.ID, s)
		}
		x.e.Nationalities = x.nat.codes
		x.e.Countries = x.other.codes
		x.e.UnmappedCountries = appendAll(x.nat.unmapped, x.other.unmapped)
		out[i] = x.e
		where[i] = entityLine{file: files.main, line: x.line}
	}
	return b.finish(out, where, "", time.Time{})
}

// readOFACMain reads the main file: ent_num, SDN_Name, SDN_Type, Program,
// Title, Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner, Remarks.
func readOFACMain(name string, data []byte) ([]ofacEntry, map[string]int, error) {
	recs, err := readCSV(name, data, 12)
	if err != nil {
		return nil, nil, err
	}
	entries := make([]ofacEntry, 0, len(recs))
	byID := make(map[string]int, len(recs))
	for _, r := range recs {
		f := r.fields
		id, err := ofacEntNum(name, r.line, f[0])
		if err != nil {
			return nil, nil, err
		}
		if first, dup := byID[id]; dup {
			return nil, nil, parseErrorf(name, r.line, "duplicate ent_num %s (first at line %d)", id, entries[first].line)
		}
		x := ofacEntry{line: r.line, remarks: ofacField(f[11])}
		x.e.ID = id
		primary := ofacField(f[1])
		if primary == "" {
			return nil, nil, parseErrorf(name, r.line, "entry %s has no name", id)
		}
		x.e.Names = []Name{{Text: primary, Kind: NamePrimary}}
		switch t := strings.ToLower(ofacField(f[2])); t {
		case "individual":
			x.e.Type = TypeIndividual
		case "vessel":
			x.e.Type = TypeVessel
		case "aircraft":
			x.e.Type = TypeAircraft
		case "", "entity":
			x.e.Type = TypeEntity // OFAC leaves the type empty for entities
		default:
			return nil, nil, parseErrorf(name, r.line, "entry %s: unknown SDN_Type %q", id, t)
		}
		x.e.Programs = splitPrograms(ofacField(f[3]))
		if t := ofacField(f[4]); t != "" {
			x.e.Positions = []string{t}
		}
		if v := ofacVessel(f[5:11]); v != nil {
			x.e.Vessel = v
		}
		byID[id] = len(entries)
		entries = append(entries, x)
	}
	return entries, byID, nil
}

// ofacEntNum validates an ent_num: OFAC's ids are positive integers, and a
// non-numeric one means the file is not what it claims to be.
func ofacEntNum(file string, line int, s string) (string, error) {
	s = strings.TrimSpace(s)
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil || n == 0 {
		return "", parseErrorf(file, line, "ent_num %q is not a positive integer", s)
	}
	return strconv.FormatUint(n, 10), nil
}

// splitPrograms splits OFAC's "SDGT] [IFSR" into its program tags.
func splitPrograms(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "] [") {
		if p = strings.Trim(strings.TrimSpace(p), "[]"); p != "" {
			out = appendUnique(out, p)
		}
	}
	return out
}

// ofacVessel reads Call_Sign, Vess_type, Tonnage, GRT, Vess_flag, Vess_owner.
func ofacVessel(f []string) *Vessel {
	v := Vessel{CallSign: ofacField(f[0]), Type: ofacField(f[1]), Tonnage: ofacField(f[2]),
		GRT: ofacField(f[3]), FlagName: ofacField(f[4]), Owner: ofacField(f[5])}
	if v == (Vessel{}) {
		return nil
	}
	if code, ok := CountryCode(v.FlagName); ok {
		v.Flag, v.FlagName = code, ""
	}
	return &v
}

// readOFACComments appends each continuation (ent_num, text) to the entry's
// Remarks, in file order. OFAC cuts Remarks mid-word, so no separator.
func readOFACComments(name string, data []byte, entries []ofacEntry, byID map[string]int) error {
	recs, err := readCSV(name, data, 2)
	if err != nil {
		return err
	}
	for _, r := range recs {
		i, err := ofacRef(name, r.line, r.fields[0], byID)
		if err != nil {
			return err
		}
		entries[i].remarks += ofacField(r.fields[1])
	}
	return nil
}

// readOFACAlt reads alternate names: ent_num, alt_num, alt_type, alt_name,
// alt_remarks. alt_type is "aka", "fka" or "nka". OFAC lists strong a.k.a.s
// here and weak ones in Remarks; should alt_remarks ever say "weak" (the
// format allows it; the 2021 release never does) the alias is graded weak.
func readOFACAlt(name string, data []byte, entries []ofacEntry, byID map[string]int) error {
	recs, err := readCSV(name, data, 5)
	if err != nil {
		return err
	}
	for _, r := range recs {
		f := r.fields
		i, err := ofacRef(name, r.line, f[0], byID)
		if err != nil {
			return err
		}
		text := ofacField(f[3])
		if text == "" {
			return parseErrorf(name, r.line, "alias of entry %s has no name", entries[i].e.ID)
		}
		var kind NameKind
		switch t := strings.ToLower(ofacField(f[2])); t {
		case "aka", "nka":
			kind = NameStrongAKA
			if strings.Contains(strings.ToLower(f[4]), "weak") {
				kind = NameWeakAKA
			}
		case "fka":
			kind = NameFKA
		default:
			return parseErrorf(name, r.line, "alias of entry %s: unknown alt_type %q", entries[i].e.ID, t)
		}
		entries[i].e.Names = appendName(entries[i].e.Names, Name{Text: text, Kind: kind})
	}
	return nil
}

// readOFACAdd reads addresses: ent_num, add_num, address,
// city/state/province/postal code, country, add_remarks.
func readOFACAdd(name string, data []byte, entries []ofacEntry, byID map[string]int) error {
	recs, err := readCSV(name, data, 6)
	if err != nil {
		return err
	}
	for _, r := range recs {
		f := r.fields
		i, err := ofacRef(name, r.line, f[0], byID)
		if err != nil {
			return err
		}
		a := Address{Street: ofacField(f[2]), City: ofacField(f[3])}
		if c := ofacField(f[4]); c != "" {
			if a.Country = entries[i].other.add(c); a.Country == "" {
				a.CountryRaw = c
			}
		}
		if a != (Address{}) {
			entries[i].e.Addresses = append(entries[i].e.Addresses, a)
		}
	}
	return nil
}

// ofacRef resolves the ent_num of a record in a secondary file. A reference
// to an entry the main file lacks means the set is inconsistent (files from
// two different releases), so the set is rejected.
func ofacRef(file string, line int, s string, byID map[string]int) (int, error) {
	id, err := ofacEntNum(file, line, s)
	if err != nil {
		return 0, err
	}
	i, ok := byID[id]
	if !ok {
		return 0, parseErrorf(file, line, "ent_num %s is not in the main file", id)
	}
	return i, nil
}

func appendAll(a, b []string) []string {
	for _, v := range b {
		a = appendUnique(a, v)
	}
	return a
}
