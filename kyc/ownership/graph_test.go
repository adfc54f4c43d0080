package ownership

import (
	"errors"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
)

// parties builds parties from compact specs: IDs starting with "P" are
// individuals, others entities; "A>P1" gives entity A control person P1.
func parties(specs ...string) []Party {
	var out []Party
	for _, s := range specs {
		id, cp, _ := strings.Cut(s, ">")
		k := Entity
		if strings.HasPrefix(id, "P") {
			k = Individual
		}
		out = append(out, Party{ID: id, Kind: k, ControlPerson: cp})
	}
	return out
}

func st(owner, owned string, bp int) Stake { return Stake{Owner: owner, Owned: owned, Basis: bp} }

func mustGraph(t testing.TB, ps []Party, ss ...Stake) *Graph {
	t.Helper()
	g, err := NewGraph(ps, ss)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestNewGraphInvalid(t *testing.T) {
	ok := parties("P1", "P2", "A>P1", "B")
	for _, tc := range []struct {
		name    string
		parties []Party
		stakes  []Stake
		field   string
	}{
		{"empty id", append(parties("P1"), Party{Kind: Entity}), nil, "parties[1].id"},
		{"bad kind", []Party{{ID: "X", Kind: "trust"}}, nil, "parties[0].kind"},
		{"no kind", []Party{{ID: "X"}}, nil, "parties[0].kind"},
		{"duplicate party", parties("P1", "A", "P1"), nil, "parties[2].id"},
		{"control person on individual", []Party{{ID: "P1", Kind: Individual, ControlPerson: "P2"}, {ID: "P2", Kind: Individual}}, nil, "parties[0].control_person"},
		{"unknown control person", parties("A>P9"), nil, "parties[0].control_person"},
		{"entity control person", parties("A>B", "B"), nil, "parties[0].control_person"},
		{"unknown owner", ok, []Stake{st("P9", "A", 100)}, "stakes[0].owner"},
		{"unknown owned", ok, []Stake{st("P1", "A", 100), st("P1", "Z", 100)}, "stakes[1].owned"},
		{"self ownership", ok, []Stake{st("A", "A", 100)}, "stakes[0].owned"},
		{"individual owned", ok, []Stake{st("A", "P1", 100)}, "stakes[0].owned"},
		{"zero bp", ok, []Stake{st("P1", "A", 0)}, "stakes[0].basis_points"},
		{"negative bp", ok, []Stake{st("P1", "A", -5)}, "stakes[0].basis_points"},
		{"over 100%", ok, []Stake{st("P1", "A", 10001)}, "stakes[0].basis_points"},
		{"duplicate stake", ok, []Stake{st("P1", "A", 100), st("P1", "A", 100)}, "stakes[1].owner"},
		{"sum over 100%", ok, []Stake{st("P1", "A", 6000), st("P2", "A", 3000), st("B", "A", 1001)}, "stakes[2].basis_points"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewGraph(tc.parties, tc.stakes)
			var we *warden.Error
			if !errors.As(err, &we) {
				t.Fatalf("err = %v, want *warden.Error", err)
			}
			if we.Code != warden.EINVALID || we.Field != tc.field {
				t.Fatalf("got %s on %q (%s), want invalid on %q", we.Code, we.Field, we.Message, tc.field)
			}
		})
	}
}

func TestNewGraphValid(t *testing.T) {
	// Exactly 100% in one entity, 100% single stakes, empty graph.
	mustGraph(t, parties("P1", "P2", "B", "A>P1"), st("P1", "A", 6000), st("P2", "A", 3000), st("B", "A", 1000), st("P2", "B", 10000))
	mustGraph(t, nil)
}

func FuzzNewGraph(f *testing.F) {
	f.Add("P1 P2 A B C", "P1A5000 P2A5000 AB10000 BC9999 CA1")
	f.Add("A B", "AB5000 BA5000")
	f.Add("P A", "AP1 PA0 PA10001")
	f.Fuzz(func(t *testing.T, ps, ss string) {
		var parts []Party
		for i, id := range strings.Fields(ps) {
			k := Entity
			if strings.HasPrefix(id, "P") {
				k = Individual
			}
			p := Party{ID: id, Kind: k}
			if i%3 == 2 && k == Entity {
				p.ControlPerson = "P1"
			}
			parts = append(parts, p)
		}
		var stakes []Stake
		for _, f := range strings.Fields(ss) {
			if len(f) < 3 || len(parts) == 0 {
				continue
			}
			// f[0], f[1] pick owner and owned; the rest gives basis points,
			// deliberately ranging past both ends of 1..10000.
			bp := 0
			for _, c := range f[2:] {
				bp = (bp*10 + int(c-'0')) % 20000
			}
			n := len(parts)
			stakes = append(stakes, Stake{Owner: parts[int(f[0])%n].ID, Owned: parts[int(f[1])%n].ID, Basis: bp - 2000})
			if f[0] == '?' {
				stakes[len(stakes)-1].Owner = "unknown"
			}
		}
		g, err := NewGraph(parts, stakes)
		if err != nil {
			var we *warden.Error
			if !errors.As(err, &we) || we.Code != warden.EINVALID || we.Field == "" {
				t.Fatalf("bad error %v", err)
			}
			return
		}
		for _, p := range parts {
			if p.Kind != Entity {
				continue
			}
			eff, err := g.EffectiveOwnership(p.ID)
			if err != nil {
				if warden.ErrorCode(err) != warden.EUNPROCESSABLE {
					t.Fatal(err)
				}
				continue
			}
			total := 0
			for _, o := range eff.Owners {
				total += o.BP
			}
			if total > FullBP {
				t.Fatalf("effective ownership of %s adds up to %d bp", p.ID, total)
			}
			if _, err := g.BlockedByOwnership(p.ID, func(id string) bool { return strings.HasSuffix(id, "X") }); err != nil && warden.ErrorCode(err) != warden.EUNPROCESSABLE {
				t.Fatal(err)
			}
			if _, err := g.BeneficialOwners(p.ID, 0); err != nil && warden.ErrorCode(err) != warden.EUNPROCESSABLE {
				t.Fatal(err)
			}
		}
	})
}
