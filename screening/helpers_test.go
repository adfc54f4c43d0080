package screening

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// realListsDir returns the directory holding the real published lists: the
// repository's own copy (screening/bundled/data), or the shared data folder beside
// the repository. A missing copy fails the test: these tests exist to prove
// the loaders on real data.
func realListsDir(t testing.TB) string {
	t.Helper()
	for _, d := range []string{"bundled/data", "../../shared/data/lists"} {
		if _, err := os.Stat(filepath.Join(d, "ofac-sdn-2021", "sdn.csv")); err == nil {
			return d
		}
	}
	t.Fatal("real list files not found in bundled/data or ../../shared/data/lists")
	return ""
}

func realFS(t testing.TB, sub string) fs.FS {
	return os.DirFS(filepath.Join(realListsDir(t), sub))
}

func loadRealSDN(t testing.TB) *Snapshot {
	t.Helper()
	s, err := LoadOFACSDN(realFS(t, "ofac-sdn-2021"))
	if err != nil {
		t.Fatalf("LoadOFACSDN: %v", err)
	}
	return s
}

func loadRealUN(t testing.TB) *Snapshot {
	t.Helper()
	f, err := os.Open(filepath.Join(realListsDir(t), "un", "un_consolidated.xml"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s, err := LoadUN(f, "un_consolidated.xml")
	if err != nil {
		t.Fatalf("LoadUN: %v", err)
	}
	return s
}

func openFixture(t testing.TB, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func mustEntity(t testing.TB, s *Snapshot, id string) *Entity {
	t.Helper()
	e := s.Lookup(id)
	if e == nil {
		t.Fatalf("%s: entry %s not found", s.Source, id)
	}
	return e
}

// wantParseError checks that err is a *ParseError for file at line whose
// reason contains want.
func wantParseError(t testing.TB, err error, file string, line int, want string) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("error = %v (%T), want *ParseError", err, err)
	}
	if pe.File != file || pe.Line != line || !strings.Contains(pe.Reason, want) {
		t.Fatalf("error = %q, want %s:%d: ...%s...", pe.Error(), file, line, want)
	}
}

// checkInvariants holds for every snapshot any loader returns.
func checkInvariants(t testing.TB, s *Snapshot) {
	t.Helper()
	ids := map[string]bool{}
	for i := range s.Entities {
		e := &s.Entities[i]
		if e.List != s.Source {
			t.Errorf("%s: list %q, want %q", e.ID, e.List, s.Source)
		}
		if e.ID == "" || ids[e.ID] {
			t.Errorf("id %q empty or duplicate", e.ID)
		}
		ids[e.ID] = true
		if len(e.Names) == 0 || strings.TrimSpace(e.Names[0].Text) == "" || e.Names[0].Kind != NamePrimary {
			t.Errorf("%s: no primary name: %+v", e.ID, e.Names)
		}
		for _, n := range e.Names[1:] {
			if n.Kind == NamePrimary || strings.TrimSpace(n.Text) == "" {
				t.Errorf("%s: bad alias %+v", e.ID, n)
			}
		}
		switch e.Type {
		case TypeIndividual, TypeEntity, TypeVessel, TypeAircraft, TypeUnknown:
		default:
			t.Errorf("%s: type %q", e.ID, e.Type)
		}
		codes := append(append([]string{}, e.Nationalities...), e.Countries...)
		for _, a := range e.Addresses {
			if a.Country != "" {
				codes = append(codes, a.Country)
			}
		}
		for _, id := range e.Identifiers {
			if id.Number == "" {
				t.Errorf("%s: identifier without number %+v", e.ID, id)
			}
			if id.Country != "" {
				codes = append(codes, id.Country)
			}
		}
		if e.PEP != nil {
			codes = append(codes, e.PEP.Country)
		}
		for _, c := range codes {
			if !ValidCountryCode(c) {
				t.Errorf("%s: country code %q is not ISO 3166-1 alpha-2", e.ID, c)
			}
		}
		for _, d := range e.DatesOfBirth {
			if !d.Valid() {
				t.Errorf("%s: invalid date of birth %+v", e.ID, d)
			}
		}
	}
	if s.Counts.Entities != len(s.Entities) {
		t.Errorf("Counts.Entities = %d, have %d entities", s.Counts.Entities, len(s.Entities))
	}
	if len(s.ContentSHA256) != 64 || s.Version == "" || s.LoadedAt.IsZero() || len(s.Files) == 0 {
		t.Errorf("snapshot metadata incomplete: %q %q %v %v", s.ContentSHA256, s.Version, s.LoadedAt, s.Files)
	}
}
