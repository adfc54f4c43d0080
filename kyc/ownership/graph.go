package ownership

import (
	"fmt"
	"sort"

	"github.com/wardenhq/warden"
)

// FullBP is 100% in basis points.
const FullBP = 10000

// Kind says whether a party is a natural person or a legal entity.
type Kind string

// Party kinds.
const (
	Individual Kind = "individual"
	Entity     Kind = "entity"
)

// Party is a person or legal entity in an ownership structure. ControlPerson
// is meaningful for entities only: the ID of the individual (a Party in the
// same graph) with significant responsibility to control or manage it, as the
// CDD rule requires for a legal-entity customer.
type Party struct {
	ID            string
	Kind          Kind
	ControlPerson string
}

// Stake is a direct holding: Owner holds Basis basis points (1..10000, that is
// 0.01%..100%) of Owned.
type Stake struct {
	Owner string
	Owned string
	Basis int
}

// Graph is a validated ownership graph. It is immutable once built and safe
// for concurrent reads.
type Graph struct {
	parties map[string]Party
	owners  map[string][]Stake // owned -> its direct owners, sorted by owner ID
	held    map[string]int     // owned -> sum of direct stakes in it, bp
}

// NewGraph validates parties and stakes and builds a Graph. It returns the
// first problem found as a *warden.Error with code EINVALID and a field such
// as "parties[2].kind" or "stakes[0].basis_points":
//   - party IDs non-empty and unique, kind individual or entity;
//   - a control person only on an entity, naming a known individual;
//   - stakes between known parties, owner != owned, owned not an individual,
//     basis points in 1..10000, at most one stake per (owner, owned) pair;
//   - the direct stakes in one entity add up to at most 10000 bp.
func NewGraph(parties []Party, stakes []Stake) (*Graph, error) {
	g := &Graph{
		parties: make(map[string]Party, len(parties)),
		owners:  make(map[string][]Stake),
		held:    make(map[string]int),
	}
	for i, p := range parties {
		switch {
		case p.ID == "":
			return nil, warden.FieldErrorf(warden.EINVALID, fmt.Sprintf("parties[%d].id", i), "party has no id")
		case p.Kind != Individual && p.Kind != Entity:
			return nil, warden.FieldErrorf(warden.EINVALID, fmt.Sprintf("parties[%d].kind", i), "party %q has kind %q, want individual or entity", p.ID, p.Kind)
		}
		if _, dup := g.parties[p.ID]; dup {
			return nil, warden.FieldErrorf(warden.EINVALID, fmt.Sprintf("parties[%d].id", i), "party %q is listed twice", p.ID)
		}
		g.parties[p.ID] = p
	}
	for i, p := range parties {
		if p.ControlPerson == "" {
			continue
		}
		field := fmt.Sprintf("parties[%d].control_person", i)
		if p.Kind != Entity {
			return nil, warden.FieldErrorf(warden.EINVALID, field, "individual %q cannot have a control person", p.ID)
		}
		cp, ok := g.parties[p.ControlPerson]
		switch {
		case !ok:
			return nil, warden.FieldErrorf(warden.EINVALID, field, "control person %q of %q is not a known party", p.ControlPerson, p.ID)
		case cp.Kind != Individual:
			return nil, warden.FieldErrorf(warden.EINVALID, field, "control person %q of %q is not an individual", p.ControlPerson, p.ID)
		}
	}
	seen := make(map[[2]string]bool, len(stakes))
	for i, s := range stakes {
		f := func(name string) string { return fmt.Sprintf("stakes[%d].%s", i, name) }
		if _, ok := g.parties[s.Owner]; !ok {
			return nil, warden.FieldErrorf(warden.EINVALID, f("owner"), "owner %q is not a known party", s.Owner)
		}
		owned, ok := g.parties[s.Owned]
		switch {
		case !ok:
			return nil, warden.FieldErrorf(warden.EINVALID, f("owned"), "owned party %q is not a known party", s.Owned)
		case s.Owner == s.Owned:
			return nil, warden.FieldErrorf(warden.EINVALID, f("owned"), "party %q cannot own itself", s.Owned)
		case owned.Kind == Individual:
			return nil, warden.FieldErrorf(warden.EINVALID, f("owned"), "individual %q cannot be owned", s.Owned)
		case s.Basis < 1 || s.Basis > FullBP:
			return nil, warden.FieldErrorf(warden.EINVALID, f("basis_points"), "stake of %q in %q is %d bp, want 1..%d", s.Owner, s.Owned, s.Basis, FullBP)
		case seen[[2]string{s.Owner, s.Owned}]:
			return nil, warden.FieldErrorf(warden.EINVALID, f("owner"), "stake of %q in %q is listed twice", s.Owner, s.Owned)
		}
		seen[[2]string{s.Owner, s.Owned}] = true
		// Both operands are at most 10000 here, so no overflow.
		if g.held[s.Owned]+s.Basis > FullBP {
			return nil, warden.FieldErrorf(warden.EINVALID, f("basis_points"), "stakes in %q add up to %d bp, more than %d", s.Owned, g.held[s.Owned]+s.Basis, FullBP)
		}
		g.held[s.Owned] += s.Basis
		g.owners[s.Owned] = append(g.owners[s.Owned], s)
	}
	for _, ss := range g.owners {
		sort.Slice(ss, func(i, j int) bool { return ss[i].Owner < ss[j].Owner })
	}
	return g, nil
}

// Party returns the party with the given ID.
func (g *Graph) Party(id string) (Party, bool) {
	p, ok := g.parties[id]
	return p, ok
}

// Owners returns the direct stakes held in id, sorted by owner ID.
func (g *Graph) Owners(id string) []Stake {
	return append([]Stake(nil), g.owners[id]...)
}

// entityRoot checks that root names an entity in g.
func (g *Graph) entityRoot(root string) error {
	p, ok := g.parties[root]
	switch {
	case !ok:
		return warden.FieldErrorf(warden.ENOTFOUND, "root", "party %q is not in the ownership graph", root)
	case p.Kind != Entity:
		return warden.FieldErrorf(warden.EINVALID, "root", "party %q is an individual, not a legal entity", root)
	}
	return nil
}
