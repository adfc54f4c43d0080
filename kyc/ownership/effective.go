package ownership

import (
	"math/big"
	"sort"
	"strings"

	"github.com/wardenhq/warden"
)

// MaxSteps bounds the work of one path enumeration (effective ownership,
// cycles, blocking paths). Simple paths can grow exponentially with the size
// of a dense graph; past this many steps the analysis stops with EUNPROCESSABLE
// rather than run away. Real ownership structures are far below it.
const MaxSteps = 1 << 17

// Path is a chain of direct stakes: Parties[0] owns Basis[0] bp of
// Parties[1], which owns Basis[1] bp of Parties[2], and so on; the last party
// is the root of the analysis. len(Basis) == len(Parties)-1.
type Path struct {
	Parties []string
	Basis   []int
}

// Share is the exact product of the path's stakes as a fraction of 1.
func (p Path) Share() *big.Rat {
	r := big.NewRat(1, 1)
	for _, b := range p.Basis {
		r.Mul(r, big.NewRat(int64(b), FullBP))
	}
	return r
}

// String renders the path as "P -50.00%-> A -25.00%-> R".
func (p Path) String() string {
	var b strings.Builder
	for i, id := range p.Parties {
		if i > 0 {
			b.WriteString(" -" + FormatBP(p.Basis[i-1]) + "-> ")
		}
		b.WriteString(id)
	}
	return b.String()
}

// Cycle is a cross-holding: Parties[i] owns Basis[i] bp of Parties[i+1], and
// the last party owns Basis[len-1] bp of Parties[0]. It starts at its smallest
// party ID, so one cycle has one representation.
type Cycle struct {
	Parties []string
	Basis   []int
}

func (c Cycle) key() string { return strings.Join(c.Parties, "\x00") }

// Ownership is one individual's effective ownership of the root.
type Ownership struct {
	PartyID string
	Share   *big.Rat // exact fraction of the root, 0 < Share <= 1
	BP      int      // Share in basis points, rounded down
	Paths   []Path   // the simple paths whose shares add up to Share
}

// Effective is the result of EffectiveOwnership.
type Effective struct {
	Root string
	// Owners maps each individual with a simple ownership path to the root
	// to its effective ownership.
	Owners map[string]*Ownership
	// Cycles lists every cycle reachable from the root by following owners,
	// sorted; their cyclic paths are not counted in Owners.
	Cycles []Cycle
}

// FloorBP converts an exact fraction to basis points, rounding down.
func FloorBP(r *big.Rat) int {
	n := new(big.Int).Mul(r.Num(), big.NewInt(FullBP))
	n.Quo(n, r.Denom()) // r >= 0 here, so truncation is floor
	return int(n.Int64())
}

// FormatBP renders basis points as a percentage with two decimals.
func FormatBP(bp int) string {
	return big.NewRat(int64(bp), 100).FloatString(2) + "%"
}

// atLeast reports whether r >= bp/10000, exactly.
func atLeast(r *big.Rat, bp int) bool {
	return r.Cmp(big.NewRat(int64(bp), FullBP)) >= 0
}

// EffectiveOwnership computes, for each individual, the exact share of the
// entity root it owns through every simple chain of stakes: stakes multiply
// along a path and add across paths. Cycles are reported, not followed (see
// the package documentation). Errors: root unknown (ENOTFOUND) or an
// individual (EINVALID), or the graph too complex (EUNPROCESSABLE).
func (g *Graph) EffectiveOwnership(root string) (*Effective, error) {
	if err := g.entityRoot(root); err != nil {
		return nil, err
	}
	res := &Effective{Root: root, Owners: make(map[string]*Ownership)}
	cycles := make(map[string]Cycle)

	// stack holds the current path from the root upwards: stack[i+1] owns
	// basis[i] of stack[i].
	stack := []string{root}
	basis := []int{}
	onStack := map[string]int{root: 0}
	steps := 0
	var walk func(id string) error
	walk = func(id string) error {
		for _, s := range g.owners[id] {
			if steps++; steps > MaxSteps {
				return warden.FieldErrorf(warden.EUNPROCESSABLE, "stakes", "ownership graph of %q is too complex to analyse (more than %d steps)", root, MaxSteps)
			}
			if j, ok := onStack[s.Owner]; ok {
				c := cycleFrom(stack[j:], basis[j:], s.Basis)
				cycles[c.key()] = c
				continue
			}
			stack = append(stack, s.Owner)
			basis = append(basis, s.Basis)
			onStack[s.Owner] = len(stack) - 1
			if g.parties[s.Owner].Kind == Individual {
				res.add(s.Owner, upward(stack, basis))
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
	for _, o := range res.Owners {
		o.BP = FloorBP(o.Share)
	}
	res.Cycles = sortedCycles(cycles)
	return res, nil
}

func (e *Effective) add(id string, p Path) {
	o := e.Owners[id]
	if o == nil {
		o = &Ownership{PartyID: id, Share: new(big.Rat)}
		e.Owners[id] = o
	}
	o.Share.Add(o.Share, p.Share())
	o.Paths = append(o.Paths, p)
}

// upward turns a root-first stack (stack[i+1] owns basis[i] of stack[i]) into
// an owner-first Path ending at the root.
func upward(stack []string, basis []int) Path {
	p := Path{Parties: make([]string, len(stack)), Basis: make([]int, len(basis))}
	for i := range stack {
		p.Parties[len(stack)-1-i] = stack[i]
	}
	for i := range basis {
		p.Basis[len(basis)-1-i] = basis[i]
	}
	return p
}

// cycleFrom builds the cycle closed when the last party of seg turns out to
// be owned (closing bp) by seg[0]. In seg, seg[i+1] owns basis[i] of seg[i].
func cycleFrom(seg []string, basis []int, closing int) Cycle {
	p := upward(seg, basis[:len(seg)-1])
	c := Cycle{Parties: p.Parties, Basis: append(p.Basis, closing)}
	// c.Parties ends with seg[0], which owns closing bp of the last of seg,
	// now c.Parties[0]: the Cycle convention.
	min := 0
	for i, id := range c.Parties {
		if id < c.Parties[min] {
			min = i
		}
	}
	n := len(c.Parties)
	r := Cycle{Parties: make([]string, n), Basis: make([]int, n)}
	for i := 0; i < n; i++ {
		r.Parties[i] = c.Parties[(min+i)%n]
		r.Basis[i] = c.Basis[(min+i)%n]
	}
	return r
}

func sortedCycles(m map[string]Cycle) []Cycle {
	out := make([]Cycle, 0, len(m))
	for _, c := range m {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key() < out[j].key() })
	return out
}
