package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// List sources. A snapshot's Source is also every entity's List.
const (
	SourceOFACSDN       = "ofac-sdn"
	SourceOFACCons      = "ofac-cons"
	SourceUN            = "un"
	SourceEU            = "eu-fsf"
	SourceUK            = "uk-ofsi"
	SourceOwnBlocklist  = "own-blocklist"
	SourceOwnPEP        = "own-pep"
	maxWarningsRecorded = 200
)

// Snapshot is one loaded version of one list. It is immutable once a loader
// returns it: the index and the matcher share it without locks.
type Snapshot struct {
	Source string `json:"source"`
	// Version is the publisher's version when the format carries one (the
	// UN's dateGenerated, the EU's generationDate, the UK's "Last Updated"),
	// otherwise "sha256:" and the first 12 hex digits of ContentSHA256.
	Version     string    `json:"version"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	LoadedAt    time.Time `json:"loaded_at"`
	// ContentSHA256 identifies the exact input: the SHA-256 of a sha256sum
	// style manifest, one line "<hex sha256>  <file name>\n" per file in
	// the order Files lists them (docs/lists.md).
	ContentSHA256 string       `json:"content_sha256"`
	Files         []SourceFile `json:"files"`
	Counts        Counts       `json:"counts"`
	// Warnings record content the loader kept only verbatim (in Remarks or
	// UnmappedCountries) because it could not read it, such as a date of
	// birth in an unknown form. At most maxWarningsRecorded are kept;
	// Counts.Warnings has the total.
	Warnings []string `json:"warnings,omitempty"`
	Entities []Entity `json:"entities"`
}

// SourceFile is one input file of a snapshot.
type SourceFile struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// Counts summarise a snapshot, for operators and for a sanity check against
// the publisher's own figures.
type Counts struct {
	Entities      int `json:"entities"` // all entries
	Individuals   int `json:"individuals"`
	Organizations int `json:"organizations"`
	Vessels       int `json:"vessels"`
	Aircraft      int `json:"aircraft"`
	Unknown       int `json:"unknown"`
	Names         int `json:"names"` // primary names and aliases
	Identifiers   int `json:"identifiers"`
	Warnings      int `json:"warnings"`
}

// Lookup returns the entity with the given id, or nil. It scans; the index
// (a later part of this package) is the fast path.
func (s *Snapshot) Lookup(id string) *Entity {
	for i := range s.Entities {
		if s.Entities[i].ID == id {
			return &s.Entities[i]
		}
	}
	return nil
}

// builder collects what a loader reads and finishes it into a Snapshot.
type builder struct {
	source   string
	files    []SourceFile
	warnings []string
	nwarn    int
}

func newBuilder(source string) *builder { return &builder{source: source} }

// addFile records an input file's name and digest.
func (b *builder) addFile(name string, data []byte) {
	sum := sha256.Sum256(data)
	b.files = append(b.files, SourceFile{Name: name, SHA256: hex.EncodeToString(sum[:]), Size: int64(len(data))})
}

// warnf records content kept only verbatim.
func (b *builder) warnf(file string, line int, format string, args ...any) {
	b.nwarn++
	if len(b.warnings) < maxWarningsRecorded {
		b.warnings = append(b.warnings, fmt.Sprintf("%s:%d: ", file, line)+fmt.Sprintf(format, args...))
	}
}

// entityLine pairs an entity with where it starts, for errors raised while
// finishing.
type entityLine struct {
	file string
	line int
}

// finish validates the entities and builds the snapshot. Every entity must
// have an id unique in the list and a non-empty primary name, and its
// dates and times must be representable; otherwise the list is rejected.
func (b *builder) finish(entities []Entity, where []entityLine, version string, published time.Time) (*Snapshot, error) {
	s := &Snapshot{
		Source:      b.source,
		PublishedAt: published,
		LoadedAt:    time.Now().UTC(),
		Files:       b.files,
		Entities:    entities,
	}
	var manifest strings.Builder
	for _, f := range b.files {
		fmt.Fprintf(&manifest, "%s  %s\n", f.SHA256, f.Name)
	}
	sum := sha256.Sum256([]byte(manifest.String()))
	s.ContentSHA256 = hex.EncodeToString(sum[:])
	s.Version = version
	if s.Version == "" {
		s.Version = "sha256:" + s.ContentSHA256[:12]
	}

	seen := make(map[string]int, len(entities))
	for i := range entities {
		e := &entities[i]
		w := where[i]
		e.List = b.source
		if e.ID == "" {
			return nil, parseErrorf(w.file, w.line, "entry has no id")
		}
		if j, dup := seen[e.ID]; dup {
			return nil, parseErrorf(w.file, w.line, "duplicate id %q (first at line %d)", e.ID, where[j].line)
		}
		seen[e.ID] = i
		if len(e.Names) == 0 || strings.TrimSpace(e.Names[0].Text) == "" || e.Names[0].Kind != NamePrimary {
			return nil, parseErrorf(w.file, w.line, "entry %q has no primary name", e.ID)
		}
		if y := e.Listed.Year(); !e.Listed.IsZero() && (y < 1 || y > 9999) {
			return nil, parseErrorf(w.file, w.line, "entry %q: listing date out of range", e.ID)
		}
		s.Counts.add(e)
	}
	s.Counts.Warnings = b.nwarn
	s.Warnings = b.warnings
	return s, nil
}

func (c *Counts) add(e *Entity) {
	c.Entities++
	switch e.Type {
	case TypeIndividual:
		c.Individuals++
	case TypeEntity:
		c.Organizations++
	case TypeVessel:
		c.Vessels++
	case TypeAircraft:
		c.Aircraft++
	default:
		c.Unknown++
	}
	c.Names += len(e.Names)
	c.Identifiers += len(e.Identifiers)
}
