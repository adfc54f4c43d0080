package bundled_test

import (
	"testing"

	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
)

func TestBundledListsLoad(t *testing.T) {
	snaps, err := bundled.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"ofac-sdn": 8976, "ofac-cons": 442, "un": 1003}
	for _, s := range snaps {
		if n, ok := want[s.Source]; !ok || len(s.Entities) != n {
			t.Errorf("%s: %d entities, want %d", s.Source, len(s.Entities), want[s.Source])
		}
		delete(want, s.Source)
	}
	if len(want) != 0 {
		t.Errorf("lists missing: %v", want)
	}
	ix := screening.NewIndex(snaps...)
	if hits := ix.Search(screening.Query{Name: "Banco Nacional de Cuba"}, 0.9, 1); len(hits) != 1 || hits[0].EntryID != "306" {
		t.Fatalf("bundled index: %+v", hits)
	}
}
