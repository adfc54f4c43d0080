package ownership

import (
	"sort"

	"github.com/wardenhq/warden"
)

// BlockedThresholdBP is OFAC's 50 Percent Rule threshold.
const BlockedThresholdBP = 5000

// Blocking is the result of BlockedByOwnership for one root.
type Blocking struct {
	Root string
	// Blocked is true if the root is listed or blocked by ownership.
	Blocked bool
	// Listed is true if isBlocked said so for the root itself.
	Listed bool
	// ByOwnership is true if the root's blocked owners hold 50% or more.
	ByOwnership bool
	// BlockedBP is the sum of the direct stakes in the root held by blocked
	// parties (listed, or entities blocked by ownership). Exact integer.
	BlockedBP int
	// Paths explain BlockedBP: each runs from a listed party through
	// entities blocked by ownership to the root; each hop is a full stake.
	// Holdings of a blocked owner whose only chain to a listed party passes
	// through the root itself are counted but have no path.
	Paths []Path
	// BlockedParties lists every party upstream of the root (owners, owners
	// of owners...) found blocked, listed or by ownership, sorted.
	BlockedParties []string
}

// BlockedByOwnership applies OFAC's 50 Percent Rule to the entity root.
// isBlocked reports whether a party is itself listed (SDN or other blocked
// person); it is called once for each party upstream of the root and for the
// root.
//
// Rule: a party is blocked if it is listed, or if it is an entity and the
// direct stakes in it held by blocked parties add up to 50% or more. A
// blocked entity's stake counts in full; a stake held by an entity that is
// not blocked counts not at all, however the blocked persons own that entity
// (OFAC FAQ 401: "indirectly" means through entities 50% or more owned by
// blocked persons). This is computed as a least fixed point, so with cross-
// holdings a party is blocked only through a finite chain back to a listed
// party.
func (g *Graph) BlockedByOwnership(root string, isBlocked func(partyID string) bool) (*Blocking, error) {
	if err := g.entityRoot(root); err != nil {
		return nil, err
	}
	if isBlocked == nil {
		return nil, warden.FieldErrorf(warden.EINVALID, "is_blocked", "no sanctions predicate given")
	}
	// Upstream parties, root included, in BFS order.
	up := []string{root}
	seen := map[string]bool{root: true}
	for i := 0; i < len(up); i++ {
		for _, s := range g.owners[up[i]] {
			if !seen[s.Owner] {
				seen[s.Owner] = true
				up = append(up, s.Owner)
			}
		}
	}
	listed := make(map[string]bool)
	blocked := make(map[string]bool)
	for _, id := range up {
		if isBlocked(id) {
			listed[id] = true
			blocked[id] = true
		}
	}
	// Least fixed point: monotone, each pass adds at least one party or stops.
	for changed := true; changed; {
		changed = false
		for _, id := range up {
			if blocked[id] || g.parties[id].Kind != Entity {
				continue
			}
			if g.blockedBP(id, blocked) >= BlockedThresholdBP {
				blocked[id] = true
				changed = true
			}
		}
	}
	res := &Blocking{
		Root:      root,
		Listed:    listed[root],
		Blocked:   blocked[root],
		BlockedBP: g.blockedBP(root, blocked),
	}
	res.ByOwnership = res.BlockedBP >= BlockedThresholdBP
	for _, id := range up {
		if blocked[id] && id != root {
			res.BlockedParties = append(res.BlockedParties, id)
		}
	}
	sort.Strings(res.BlockedParties)

	// Explanatory paths: simple paths upwards through blocked parties,
	// ending at the first listed party.
	stack := []string{root}
	basis := []int{}
	onStack := map[string]bool{root: true}
	steps := 0
	var walk func(id string) error
	walk = func(id string) error {
		for _, s := range g.owners[id] {
			if !blocked[s.Owner] || onStack[s.Owner] {
				continue
			}
			if steps++; steps > MaxSteps {
				return warden.FieldErrorf(warden.EUNPROCESSABLE, "stakes", "ownership graph of %q is too complex to analyse (more than %d steps)", root, MaxSteps)
			}
			stack = append(stack, s.Owner)
			basis = append(basis, s.Basis)
			onStack[s.Owner] = true
			if listed[s.Owner] {
				res.Paths = append(res.Paths, upward(stack, basis))
			} else if err := walk(s.Owner); err != nil {
				return err
			}
			delete(onStack, s.Owner)
			stack = stack[:len(stack)-1]
			basis = basis[:len(basis)-1]
		}
		return nil
	}
	if err := walk(root); err != nil {
		return nil, err
	}
	return res, nil
}

// blockedBP sums the direct stakes in id held by parties in blocked.
func (g *Graph) blockedBP(id string, blocked map[string]bool) int {
	sum := 0
	for _, s := range g.owners[id] {
		if blocked[s.Owner] {
			sum += s.Basis
		}
	}
	return sum
}
