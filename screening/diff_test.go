package screening

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
)

// modifiedSDN returns the real SDN set with entry 424 removed (with its
// address), an entry 99999 added and entry 36 renamed.
func modifiedSDN(t *testing.T) fstest.MapFS {
	t.Helper()
	dir := filepath.Join(realListsDir(t), "ofac-sdn-2021")
	fsys := fstest.MapFS{}
	for _, name := range []string{"sdn.csv", "add.csv", "alt.csv", "sdn_comments.csv"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: data}
	}
	edit := func(name, old, new string) {
		t.Helper()
		s := string(fsys[name].Data)
		if strings.Count(s, old) != 1 {
			t.Fatalf("%s: %q occurs %d times", name, old, strings.Count(s, old))
		}
		fsys[name].Data = []byte(strings.Replace(s, old, new, 1))
	}
	edit("sdn.csv", "424,\"BOUTIQUE LA MAISON\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n", "")
	edit("add.csv", "424,247,\"42 Via Brasil\",\"Panama City\",\"Panama\",-0- \r\n", "")
	edit("sdn.csv", "36,\"AEROCARIBBEAN AIRLINES\",", "36,\"AEROCARIBBEAN AIRLINES S.A.\",")
	edit("sdn.csv", "\r\n\x1a", "\r\n"+sdnRow("99999", "NEW EXAMPLE TRADING LLC", "-0- ", `"Linked To: AEROCARIBBEAN AIRLINES S.A."`)+"\x1a")
	return fsys
}

func TestDiffRealSDN(t *testing.T) {
	old := loadRealSDN(t)
	new, err := LoadOFACSDN(modifiedSDN(t))
	if err != nil {
		t.Fatal(err)
	}
	d := Diff(old, new)
	want := ListDiff{
		Source: SourceOFACSDN, FromVersion: old.Version, ToVersion: new.Version,
		Added: []string{"99999"}, Removed: []string{"424"}, Changed: []string{"36"},
		ChangedFields: map[string][]string{"36": {"names"}},
	}
	if !reflect.DeepEqual(d, want) {
		t.Errorf("diff\n%+v\nwant\n%+v", d, want)
	}
	if old.Version == new.Version || old.ContentSHA256 == new.ContentSHA256 {
		t.Error("modified set has the same version")
	}
	if same := Diff(old, loadRealSDN(t)); !same.Empty() {
		t.Errorf("diff of the same list: %+v", same)
	}
	first := Diff(nil, old)
	if len(first.Added) != 8976 || len(first.Removed) != 0 || first.Added[0] != "36" || first.Added[8975] != "32391" {
		t.Errorf("first load: %d added, first %q", len(first.Added), first.Added[0])
	}
}

func TestDiffChangedFields(t *testing.T) {
	a := &Snapshot{Source: "x", Version: "1", Entities: []Entity{
		{ID: "1", Names: []Name{{"A", NamePrimary}}, Remarks: "r"},
		{ID: "2", Names: []Name{{"B", NamePrimary}}},
		{ID: "10", Names: []Name{{"C", NamePrimary}}},
	}}
	b := &Snapshot{Source: "x", Version: "2", Entities: []Entity{
		{ID: "1", Names: []Name{{"A", NamePrimary}}, Remarks: "changed", DatesOfBirth: []PartialDate{{Year: 1960}}},
		{ID: "9", Names: []Name{{"D", NamePrimary}}},
		{ID: "10", Names: []Name{{"C", NamePrimary}}},
		{ID: "100", Names: []Name{{"E", NamePrimary}}},
	}}
	d := Diff(a, b)
	if !reflect.DeepEqual(d.Added, []string{"9", "100"}) || !reflect.DeepEqual(d.Removed, []string{"2"}) ||
		!reflect.DeepEqual(d.ChangedFields, map[string][]string{"1": {"dates_of_birth", "remarks"}}) {
		t.Errorf("%+v", d)
	}
}

func TestListsRefreshKeepsPreviousOnFailure(t *testing.T) {
	var l Lists
	d, err := l.Refresh(func() (*Snapshot, error) { return LoadOFACSDN(realFS(t, "ofac-sdn-2021")) })
	if err != nil || len(d.Added) != 8976 || d.FromVersion != "" {
		t.Fatalf("first load: %v, %d added", err, len(d.Added))
	}
	inService := l.Current(SourceOFACSDN)

	// A broken release: the list in service stays.
	broken := modifiedSDN(t)
	broken["sdn.csv"].Data = append(broken["sdn.csv"].Data[:len(broken["sdn.csv"].Data)-1:len(broken["sdn.csv"].Data)-1], []byte("123,\"UNTERMINATED\r\n")...)
	_, err = l.Refresh(func() (*Snapshot, error) { return LoadOFACSDN(broken) })
	var pe *ParseError
	if !errors.As(err, &pe) || pe.File != "sdn.csv" || pe.Line != 8977 {
		t.Fatalf("broken release: %v", err)
	}
	if l.Current(SourceOFACSDN) != inService {
		t.Fatal("a failed refresh replaced the list in service")
	}

	// The same content again changes nothing.
	d, err = l.Refresh(func() (*Snapshot, error) { return LoadOFACSDN(realFS(t, "ofac-sdn-2021")) })
	if err != nil || !d.Empty() || l.Current(SourceOFACSDN) != inService {
		t.Fatalf("same content: %v %+v", err, d)
	}

	// A good new release replaces it and reports the change.
	d, err = l.Refresh(func() (*Snapshot, error) { return LoadOFACSDN(modifiedSDN(t)) })
	if err != nil || !reflect.DeepEqual(d.Added, []string{"99999"}) || l.Current(SourceOFACSDN) == inService {
		t.Fatalf("new release: %v %+v", err, d)
	}
	if got := l.Sources(); !reflect.DeepEqual(got, []string{SourceOFACSDN}) {
		t.Errorf("sources %v", got)
	}
}

func TestListsConcurrentReaders(t *testing.T) {
	var l Lists
	snap := &Snapshot{Source: "x", Version: "1", ContentSHA256: "a", Entities: []Entity{{ID: "1", Names: []Name{{"A", NamePrimary}}}}}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				if i%2 == 0 {
					_, _ = l.Refresh(func() (*Snapshot, error) { return snap, nil })
				} else if s := l.Current("x"); s != nil && s != snap {
					t.Error("unexpected snapshot")
				}
			}
		}()
	}
	wg.Wait()
}
