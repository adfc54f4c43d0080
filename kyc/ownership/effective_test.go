package ownership

import (
	"errors"
	"math/big"
	"reflect"
	"testing"

	"github.com/wardenhq/warden"
)

func rat(a, b int64) *big.Rat { return big.NewRat(a, b) }

func TestEffectiveOwnership(t *testing.T) {
	for _, tc := range []struct {
		name    string
		parties []Party
		stakes  []Stake
		want    map[string]*big.Rat // exact shares
		wantBP  map[string]int
		paths   map[string][]string // rendered paths, in order
		cycles  [][]string
	}{
		{
			name:    "direct",
			parties: parties("P1", "P2", "R"),
			stakes:  []Stake{st("P1", "R", 6000), st("P2", "R", 4000)},
			want:    map[string]*big.Rat{"P1": rat(3, 5), "P2": rat(2, 5)},
			wantBP:  map[string]int{"P1": 6000, "P2": 4000},
			paths:   map[string][]string{"P1": {"P1 -60.00%-> R"}},
		},
		{
			name:    "four levels multiply",
			parties: parties("P1", "A", "B", "C", "R"),
			// P1 80% of A, A 60% of B, B 50% of C, C 90% of R: 0.8*0.6*0.5*0.9 = 0.216
			stakes: []Stake{st("P1", "A", 8000), st("A", "B", 6000), st("B", "C", 5000), st("C", "R", 9000)},
			want:   map[string]*big.Rat{"P1": rat(216, 1000)},
			wantBP: map[string]int{"P1": 2160},
			paths:  map[string][]string{"P1": {"P1 -80.00%-> A -60.00%-> B -50.00%-> C -90.00%-> R"}},
		},
		{
			name:    "cross paths add",
			parties: parties("P1", "P2", "A", "B", "R"),
			// P1 holds 10% directly, 50% of A (A holds 20% of R) and 50% of
			// B (B holds 30% of R): 0.1 + 0.1 + 0.15 = 0.35. P2 holds 50% of
			// A and B: 0.1 + 0.15 = 0.25.
			stakes: []Stake{
				st("P1", "R", 1000), st("A", "R", 2000), st("B", "R", 3000),
				st("P1", "A", 5000), st("P2", "A", 5000),
				st("P1", "B", 5000), st("P2", "B", 5000),
			},
			want:   map[string]*big.Rat{"P1": rat(35, 100), "P2": rat(25, 100)},
			wantBP: map[string]int{"P1": 3500, "P2": 2500},
			paths: map[string][]string{
				"P1": {"P1 -50.00%-> A -20.00%-> R", "P1 -50.00%-> B -30.00%-> R", "P1 -10.00%-> R"},
				"P2": {"P2 -50.00%-> A -20.00%-> R", "P2 -50.00%-> B -30.00%-> R"},
			},
		},
		{
			name:    "diamond through shared holding",
			parties: parties("P1", "A", "B", "C", "R"),
			// P1 owns C fully; C owns 50% of A and of B; A and B own 50% of R each.
			stakes: []Stake{st("P1", "C", 10000), st("C", "A", 5000), st("C", "B", 5000), st("A", "R", 5000), st("B", "R", 5000)},
			want:   map[string]*big.Rat{"P1": rat(1, 2)},
			wantBP: map[string]int{"P1": 5000},
		},
		{
			name:    "rounding down for display",
			parties: parties("P1", "A", "R"),
			// 0.4999 * 0.5001 = 0.24999999 -> 2499 bp, not 2500.
			stakes: []Stake{st("P1", "A", 4999), st("A", "R", 5001)},
			want:   map[string]*big.Rat{"P1": rat(4999*5001, 100000000)},
			wantBP: map[string]int{"P1": 2499},
		},
		{
			name:    "two-party cycle ignored and reported",
			parties: parties("P1", "P2", "A", "R"),
			// R and A hold 40% of each other; P1 60% of R, P2 60% of A.
			stakes: []Stake{st("A", "R", 4000), st("R", "A", 4000), st("P1", "R", 6000), st("P2", "A", 6000)},
			want:   map[string]*big.Rat{"P1": rat(3, 5), "P2": rat(24, 100)},
			wantBP: map[string]int{"P1": 6000, "P2": 2400},
			cycles: [][]string{{"A", "R"}},
		},
		{
			name:    "cycle above the root",
			parties: parties("P1", "A", "B", "C", "R"),
			// R <- A <- B <- C <- A (A, B, C form a ring); P1 owns 50% of C.
			stakes: []Stake{st("A", "R", 10000), st("B", "A", 5000), st("C", "B", 5000), st("A", "C", 5000), st("P1", "C", 5000)},
			want:   map[string]*big.Rat{"P1": rat(1, 8)},
			wantBP: map[string]int{"P1": 1250},
			cycles: [][]string{{"A", "C", "B"}},
		},
		{
			name:    "three cycles, one through the root",
			parties: parties("P1", "A", "B", "R"),
			stakes:  []Stake{st("A", "R", 5000), st("B", "R", 5000), st("R", "A", 1000), st("B", "A", 1000), st("A", "B", 1000), st("P1", "A", 100)},
			want:    map[string]*big.Rat{"P1": rat(5000*100+5000*1000*100/10000, 10000*10000)},
			cycles:  [][]string{{"A", "B"}, {"A", "B", "R"}, {"A", "R"}},
		},
		{
			name:    "entity with no recorded owners",
			parties: parties("A", "R"),
			stakes:  []Stake{st("A", "R", 10000)},
			want:    map[string]*big.Rat{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := mustGraph(t, tc.parties, tc.stakes...)
			eff, err := g.EffectiveOwnership("R")
			if err != nil {
				t.Fatal(err)
			}
			if len(eff.Owners) != len(tc.want) {
				t.Fatalf("owners = %v, want %v", keys(eff.Owners), tc.want)
			}
			for id, want := range tc.want {
				o := eff.Owners[id]
				if o == nil {
					t.Fatalf("no ownership for %s", id)
				}
				if o.Share.Cmp(want) != 0 {
					t.Errorf("%s share = %s, want %s", id, o.Share, want)
				}
				// The paths explain the figure exactly.
				sum := new(big.Rat)
				for _, p := range o.Paths {
					sum.Add(sum, p.Share())
					if p.Parties[len(p.Parties)-1] != "R" || p.Parties[0] != id || len(p.Basis) != len(p.Parties)-1 {
						t.Errorf("bad path %v", p)
					}
				}
				if sum.Cmp(o.Share) != 0 {
					t.Errorf("%s paths add up to %s, share %s", id, sum, o.Share)
				}
			}
			for id, want := range tc.wantBP {
				if got := eff.Owners[id].BP; got != want {
					t.Errorf("%s bp = %d, want %d", id, got, want)
				}
			}
			for id, want := range tc.paths {
				var got []string
				for _, p := range eff.Owners[id].Paths {
					got = append(got, p.String())
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s paths = %q, want %q", id, got, want)
				}
			}
			var cycles [][]string
			for _, c := range eff.Cycles {
				cycles = append(cycles, c.Parties)
				if len(c.Basis) != len(c.Parties) {
					t.Errorf("bad cycle %v", c)
				}
			}
			if !reflect.DeepEqual(cycles, tc.cycles) {
				t.Errorf("cycles = %v, want %v", cycles, tc.cycles)
			}
		})
	}
}

func TestCycleBasis(t *testing.T) {
	g := mustGraph(t, parties("A", "B", "C", "R"), st("A", "R", 100), st("B", "A", 200), st("C", "B", 300), st("A", "C", 400))
	eff, err := g.EffectiveOwnership("R")
	if err != nil {
		t.Fatal(err)
	}
	// A owns 40% of C, C 3% of B, B 2% of A.
	want := []Cycle{{Parties: []string{"A", "C", "B"}, Basis: []int{400, 300, 200}}}
	if !reflect.DeepEqual(eff.Cycles, want) {
		t.Fatalf("cycles = %+v, want %+v", eff.Cycles, want)
	}
}

func TestEffectiveOwnershipRoot(t *testing.T) {
	g := mustGraph(t, parties("P1", "R"), st("P1", "R", 100))
	for root, code := range map[string]string{"nobody": warden.ENOTFOUND, "P1": warden.EINVALID} {
		_, err := g.EffectiveOwnership(root)
		var we *warden.Error
		if !errors.As(err, &we) || we.Code != code || we.Field != "root" {
			t.Errorf("root %s: err = %v, want %s on root", root, err, code)
		}
	}
}

func TestTooComplex(t *testing.T) {
	// A ladder of 40 entities where each level is owned 50/50 by the next
	// two: the number of paths doubles per level.
	var ps []Party
	var ss []Stake
	ids := []string{"R"}
	for i := 0; i < 40; i++ {
		ids = append(ids, string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	for _, id := range ids {
		ps = append(ps, Party{ID: id, Kind: Entity})
	}
	for i := 0; i+2 < len(ids); i++ {
		ss = append(ss, st(ids[i+1], ids[i], 5000), st(ids[i+2], ids[i], 5000))
	}
	g := mustGraph(t, ps, ss...)
	if _, err := g.EffectiveOwnership("R"); warden.ErrorCode(err) != warden.EUNPROCESSABLE {
		t.Fatalf("err = %v, want unprocessable", err)
	}
}

func TestFloorAndFormat(t *testing.T) {
	for _, tc := range []struct {
		r  *big.Rat
		bp int
	}{{rat(1, 4), 2500}, {rat(24999, 100000), 2499}, {rat(1, 3), 3333}, {rat(2, 3), 6666}, {rat(0, 1), 0}, {rat(1, 1), 10000}} {
		if got := FloorBP(tc.r); got != tc.bp {
			t.Errorf("FloorBP(%s) = %d, want %d", tc.r, got, tc.bp)
		}
	}
	if got := FormatBP(2501); got != "25.01%" {
		t.Errorf("FormatBP = %q", got)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
