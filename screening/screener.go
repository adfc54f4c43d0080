package screening

import (
	"context"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden"
)

// DefaultThreshold is the score from which a hit is reported, chosen from
// the labelled evaluation set: both targets (recall >= 0.98, false positives
// <= 1%) hold from 0.84 to 0.86 (docs/screening-quality.md).
const DefaultThreshold = 0.85

// maxHits bounds one answer.
const maxHits = 50

// ListVersion identifies a list snapshot in service.
type ListVersion struct {
	Source        string    `json:"source"`
	Version       string    `json:"version"`
	ContentSHA256 string    `json:"content_sha256"`
	LoadedAt      time.Time `json:"loaded_at"`
	Entities      int       `json:"entities"`
}

// Screener screens names against the lists in service. Loading new lists
// swaps the whole index at once; screenings in flight finish on the old one.
type Screener struct {
	state atomic.Pointer[screenerState]
	// ListThresholds override DefaultThreshold per list source when a request
	// names no threshold (configuration: screening.thresholds). Set before use.
	ListThresholds map[string]float64
}

type screenerState struct {
	index    *Index
	versions []ListVersion
	sources  map[string]bool
	snaps    map[string]*Snapshot
}

// NewScreener indexes the snapshots.
func NewScreener(snaps ...*Snapshot) *Screener {
	s := &Screener{}
	s.Load(snaps...)
	return s
}

// Load puts these snapshots in service in place of all current ones.
func (s *Screener) Load(snaps ...*Snapshot) {
	st := &screenerState{index: NewIndex(snaps...), sources: map[string]bool{}, snaps: map[string]*Snapshot{}}
	for _, sn := range snaps {
		st.versions = append(st.versions, VersionOf(sn))
		st.sources[sn.Source] = true
		st.snaps[sn.Source] = sn
	}
	sort.Slice(st.versions, func(i, j int) bool { return st.versions[i].Source < st.versions[j].Source })
	s.state.Store(st)
}

// Replace puts snap in service in place of the snapshot of the same source,
// keeping the others.
func (s *Screener) Replace(snaps ...*Snapshot) {
	cur := s.state.Load()
	repl := map[string]bool{}
	for _, sn := range snaps {
		repl[sn.Source] = true
	}
	var all []*Snapshot
	for src, sn := range cur.snaps {
		if !repl[src] {
			all = append(all, sn)
		}
	}
	s.Load(append(all, snaps...)...)
}

// Snapshot returns the snapshot of a source in service, or nil.
func (s *Screener) Snapshot(source string) *Snapshot { return s.state.Load().snaps[source] }

// Lists returns the versions in service.
func (s *Screener) Lists() []ListVersion {
	return append([]ListVersion(nil), s.state.Load().versions...)
}

// ScreenRequest is a screening as callers send it.
type ScreenRequest struct {
	// Subject names who is screened (a customer id) so that hits an analyst
	// cleared for this subject are suppressed; optional.
	Subject     string            `json:"subject,omitempty"`
	Name        string            `json:"name"`
	Type        string            `json:"type,omitempty"`
	DateOfBirth string            `json:"date_of_birth,omitempty"`
	Country     string            `json:"country,omitempty"`
	Identifiers []IdentifierInput `json:"identifiers,omitempty"`
	Lists       []string          `json:"lists,omitempty"`
	Threshold   *float64          `json:"threshold,omitempty"`
}

// IdentifierInput is an identity document given with a screening.
type IdentifierInput struct {
	Kind   string `json:"kind,omitempty"`
	Number string `json:"number"`
}

// ScreenResult is the answer.
type ScreenResult struct {
	Hits []Hit `json:"hits"`
	// Cleared are hits suppressed by a clearance for the subject, shown so
	// that the suppression is never silent.
	Cleared      []ClearedHit  `json:"cleared,omitempty"`
	Threshold    float64       `json:"threshold"`
	ListVersions []ListVersion `json:"list_versions"`
}

// query validates the request field by field.
func (r *ScreenRequest) query(sources map[string]bool) (Query, float64, error) {
	var q Query
	name := strings.TrimSpace(r.Name)
	switch {
	case name == "":
		return q, 0, warden.FieldErrorf(warden.EINVALID, "name", "name is required")
	case utf8.RuneCountInString(name) > 300:
		return q, 0, warden.FieldErrorf(warden.EINVALID, "name", "name must be at most 300 characters")
	case len(NormalizeName(name)) == 0:
		return q, 0, warden.FieldErrorf(warden.EINVALID, "name", "name has no letters or digits")
	}
	q.Name = name
	if len(r.Subject) > 128 || strings.ContainsFunc(r.Subject, func(c rune) bool { return c < 0x20 }) {
		return q, 0, warden.FieldErrorf(warden.EINVALID, "subject", "subject must be at most 128 printable characters")
	}
	switch EntityType(r.Type) {
	case "", TypeUnknown:
	case TypeIndividual, TypeEntity, TypeVessel, TypeAircraft:
		q.Type = EntityType(r.Type)
	default:
		return q, 0, warden.FieldErrorf(warden.EINVALID, "type", "type must be individual, entity, vessel or aircraft")
	}
	if r.DateOfBirth != "" {
		d, ok := parseISODate(r.DateOfBirth)
		if !ok || len(r.DateOfBirth) > 10 || d.Year < 1850 || d.Year > time.Now().Year() {
			return q, 0, warden.FieldErrorf(warden.EINVALID, "date_of_birth", "date_of_birth must be YYYY, YYYY-MM or YYYY-MM-DD")
		}
		q.DateOfBirth = &d
	}
	if r.Country != "" {
		c := strings.ToUpper(r.Country)
		if !ValidCountryCode(c) {
			return q, 0, warden.FieldErrorf(warden.EINVALID, "country", "country must be an ISO 3166-1 alpha-2 code such as KE")
		}
		q.Country = c
	}
	if len(r.Identifiers) > 20 {
		return q, 0, warden.FieldErrorf(warden.EINVALID, "identifiers", "at most 20 identifiers")
	}
	for _, id := range r.Identifiers {
		if n := normalizeID(id.Number); len(n) < 3 || len(id.Number) > 64 {
			return q, 0, warden.FieldErrorf(warden.EINVALID, "identifiers", "identifier numbers must have 3 to 64 characters")
		}
		q.Identifiers = append(q.Identifiers, Identifier{Kind: IdentifierKind(id.Kind), Number: id.Number})
	}
	for _, l := range r.Lists {
		if !sources[l] {
			return q, 0, warden.FieldErrorf(warden.EINVALID, "lists", "list %q is not loaded", l)
		}
		q.Lists = append(q.Lists, l)
	}
	threshold := DefaultThreshold
	if r.Threshold != nil {
		if *r.Threshold < 0.5 || *r.Threshold > 1 {
			return q, 0, warden.FieldErrorf(warden.EINVALID, "threshold", "threshold must be between 0.5 and 1")
		}
		threshold = *r.Threshold
	}
	return q, threshold, nil
}

// Screen validates the request and screens it against the lists in service.
func (s *Screener) Screen(ctx context.Context, r ScreenRequest) (*ScreenResult, error) {
	st := s.state.Load()
	q, threshold, err := r.query(st.sources)
	if err != nil {
		return nil, err
	}
	var hits []Hit
	if r.Threshold != nil || len(s.ListThresholds) == 0 {
		hits = st.index.Search(q, threshold, maxHits)
	} else {
		// Search at the lowest threshold in force, then apply each list's own.
		lowest := threshold
		for _, t := range s.ListThresholds {
			lowest = min(lowest, t)
		}
		for _, h := range st.index.Search(q, lowest, 0) {
			t, ok := s.ListThresholds[h.List]
			if !ok {
				t = threshold
			}
			if h.Score >= t && len(hits) < maxHits {
				hits = append(hits, h)
			}
		}
	}
	if hits == nil {
		hits = []Hit{}
	}
	return &ScreenResult{Hits: hits, Threshold: threshold, ListVersions: append([]ListVersion(nil), st.versions...)}, nil
}

// ClearedHit is a hit suppressed by a clearance.
type ClearedHit struct {
	Hit       Hit       `json:"hit"`
	Clearance Clearance `json:"clearance"`
}
