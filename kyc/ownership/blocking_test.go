package ownership

import (
	"reflect"
	"testing"

	"github.com/wardenhq/warden"
)

func listedSet(ids ...string) func(string) bool {
	m := map[string]bool{}
	for _, id := range ids {
		m[id] = true
	}
	return func(id string) bool { return m[id] }
}

func TestBlockedByOwnership(t *testing.T) {
	for _, tc := range []struct {
		name      string
		parties   []Party
		stakes    []Stake
		listed    []string
		blocked   bool
		blockedBP int
		paths     []string
	}{
		{
			name:      "listed person owns 50% (FAQ 401)",
			parties:   parties("PA", "R"),
			stakes:    []Stake{st("PA", "R", 5000)},
			listed:    []string{"PA"},
			blocked:   true,
			blockedBP: 5000,
			paths:     []string{"PA -50.00%-> R"},
		},
		{
			name:      "listed person owns 49.99%",
			parties:   parties("PA", "R"),
			stakes:    []Stake{st("PA", "R", 4999)},
			listed:    []string{"PA"},
			blockedBP: 4999,
			paths:     []string{"PA -49.99%-> R"},
		},
		{
			name:      "listed person owns 40% (FAQ 401)",
			parties:   parties("PA", "R"),
			stakes:    []Stake{st("PA", "R", 4000)},
			listed:    []string{"PA"},
			blockedBP: 4000,
			paths:     []string{"PA -40.00%-> R"},
		},
		{
			name:      "two listed persons 25% each aggregate (FAQ 401)",
			parties:   parties("PA", "PB", "PC", "R"),
			stakes:    []Stake{st("PA", "R", 2500), st("PB", "R", 2500), st("PC", "R", 5000)},
			listed:    []string{"PA", "PB"},
			blocked:   true,
			blockedBP: 5000,
			paths:     []string{"PA -25.00%-> R", "PB -25.00%-> R"},
		},
		{
			name:      "50% of 50%: blocked entity passes its full stake (FAQ 401 ex. 1)",
			parties:   parties("PA", "X", "R"),
			stakes:    []Stake{st("PA", "X", 5000), st("X", "R", 5000)},
			listed:    []string{"PA"},
			blocked:   true,
			blockedBP: 5000,
			paths:     []string{"PA -50.00%-> X -50.00%-> R"},
		},
		{
			name:    "two blocked entities 25% each (FAQ 401 ex. 2)",
			parties: parties("PX", "A", "B", "R"),
			stakes: []Stake{
				st("PX", "A", 5000), st("PX", "B", 5000),
				st("A", "R", 2500), st("B", "R", 2500),
			},
			listed:    []string{"PX"},
			blocked:   true,
			blockedBP: 5000,
			paths:     []string{"PX -50.00%-> A -25.00%-> R", "PX -50.00%-> B -25.00%-> R"},
		},
		{
			name:      "direct plus through blocked entity (FAQ 401 ex. 3)",
			parties:   parties("PX", "A", "R"),
			stakes:    []Stake{st("PX", "A", 5000), st("PX", "R", 1000), st("A", "R", 4000)},
			listed:    []string{"PX"},
			blocked:   true,
			blockedBP: 5000,
			paths:     []string{"PX -50.00%-> A -40.00%-> R", "PX -10.00%-> R"},
		},
		{
			name:    "through an unblocked entity nothing counts, no multiplication",
			parties: parties("PX", "A", "R"),
			// Multiplying would give 0.49*0.98 + 0.02 = 50.02%; A is not blocked.
			stakes:    []Stake{st("PX", "A", 4900), st("A", "R", 9800), st("PX", "R", 200)},
			listed:    []string{"PX"},
			blockedBP: 200,
			paths:     []string{"PX -2.00%-> R"},
		},
		{
			name:    "four-level chain of 50% holdings",
			parties: parties("PX", "A", "B", "C", "R"),
			stakes:  []Stake{st("PX", "A", 5000), st("A", "B", 5000), st("B", "C", 5000), st("C", "R", 5000)},
			listed:  []string{"PX"},
			blocked: true, blockedBP: 5000,
			paths: []string{"PX -50.00%-> A -50.00%-> B -50.00%-> C -50.00%-> R"},
		},
		{
			name:    "listed entity in the chain",
			parties: parties("P1", "E", "X", "R"),
			stakes:  []Stake{st("P1", "E", 10000), st("E", "X", 6000), st("X", "R", 5000)},
			listed:  []string{"E"},
			blocked: true, blockedBP: 5000,
			paths: []string{"E -60.00%-> X -50.00%-> R"},
		},
		{
			name:    "listed root",
			parties: parties("P1", "R"),
			stakes:  []Stake{st("P1", "R", 10000)},
			listed:  []string{"R"},
			blocked: true,
		},
		{
			name:    "cross-holding alone does not block",
			parties: parties("PX", "A", "R"),
			// A and R hold 50% of each other; PX (listed) holds 10% of A.
			stakes:    []Stake{st("A", "R", 5000), st("R", "A", 5000), st("PX", "A", 1000)},
			listed:    []string{"PX"},
			blockedBP: 0,
		},
		{
			name:    "cycle with a real chain to a listed party",
			parties: parties("PX", "A", "B", "R"),
			// PX 50% of A -> A blocked; A 50% of B -> B blocked; B 50% of A
			// too (cycle); B 50% of R -> R blocked.
			stakes:  []Stake{st("PX", "A", 5000), st("A", "B", 5000), st("B", "A", 5000), st("B", "R", 5000)},
			listed:  []string{"PX"},
			blocked: true, blockedBP: 5000,
			paths: []string{"PX -50.00%-> A -50.00%-> B -50.00%-> R"},
		},
		{
			name:      "no sanctioned parties",
			parties:   parties("P1", "A", "R"),
			stakes:    []Stake{st("P1", "A", 10000), st("A", "R", 10000)},
			blockedBP: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := mustGraph(t, tc.parties, tc.stakes...)
			res, err := g.BlockedByOwnership("R", listedSet(tc.listed...))
			if err != nil {
				t.Fatal(err)
			}
			if res.Blocked != tc.blocked || res.BlockedBP != tc.blockedBP {
				t.Errorf("blocked = %v at %d bp, want %v at %d bp", res.Blocked, res.BlockedBP, tc.blocked, tc.blockedBP)
			}
			if res.ByOwnership != (tc.blockedBP >= 5000) {
				t.Errorf("by ownership = %v", res.ByOwnership)
			}
			var paths []string
			for _, p := range res.Paths {
				paths = append(paths, p.String())
			}
			if !reflect.DeepEqual(paths, tc.paths) {
				t.Errorf("paths = %q, want %q", paths, tc.paths)
			}
		})
	}
}

func TestBlockedParties(t *testing.T) {
	g := mustGraph(t, parties("PA", "PB", "X", "Y", "R"),
		st("PA", "X", 5000), st("X", "Y", 2000), st("PB", "Y", 3000), st("Y", "R", 1000))
	res, err := g.BlockedByOwnership("R", listedSet("PA", "PB"))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"PA", "PB", "X", "Y"}; !reflect.DeepEqual(res.BlockedParties, want) {
		t.Errorf("blocked parties = %v, want %v", res.BlockedParties, want)
	}
	if res.Blocked || res.BlockedBP != 1000 {
		t.Errorf("R blocked = %v at %d", res.Blocked, res.BlockedBP)
	}
}

func TestBlockedByOwnershipInvalid(t *testing.T) {
	g := mustGraph(t, parties("P1", "R"), st("P1", "R", 100))
	if _, err := g.BlockedByOwnership("R", nil); warden.ErrorCode(err) != warden.EINVALID {
		t.Errorf("nil predicate: %v", err)
	}
	if _, err := g.BlockedByOwnership("Q", listedSet()); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Errorf("unknown root: %v", err)
	}
}
