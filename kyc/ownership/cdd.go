package ownership

import (
	"fmt"
	"sort"

	"github.com/wardenhq/warden"
)

// DefaultThresholdBP is the CDD rule's beneficial-ownership threshold: 25%.
const DefaultThresholdBP = 2500

// Finding codes: things a reviewer must resolve before the CDD record is
// complete. They are results, not errors.
const (
	FindingMissingControlPerson = "missing_control_person"
	FindingOwnershipCycle       = "ownership_cycle"
)

// Finding is a problem found in an otherwise valid ownership structure.
type Finding struct {
	Code    string
	PartyID string
	Message string
	Cycle   *Cycle // for FindingOwnershipCycle
}

// CDD is the beneficial-ownership picture of a legal-entity customer.
type CDD struct {
	Root        string
	ThresholdBP int
	// Owners are the individuals whose effective ownership is at or over the
	// threshold (exact comparison), largest share first, then by ID.
	Owners        []*Ownership
	ControlPerson string // "" when missing (see Findings)
	Cycles        []Cycle
	Findings      []Finding
}

// Complete reports whether the record has no findings left to resolve.
func (c *CDD) Complete() bool { return len(c.Findings) == 0 }

// BeneficialOwners applies the CDD rule to the entity root: every individual
// owning thresholdBP or more (0 means DefaultThresholdBP) directly or through
// chains of entities, with the paths that explain it, and the root's control
// person. A missing control person and each ownership cycle are reported as
// Findings. Errors: thresholdBP outside 0..10000 (EINVALID, field
// "threshold_bp") and those of EffectiveOwnership.
func (g *Graph) BeneficialOwners(root string, thresholdBP int) (*CDD, error) {
	if thresholdBP == 0 {
		thresholdBP = DefaultThresholdBP
	}
	if thresholdBP < 1 || thresholdBP > FullBP {
		return nil, warden.FieldErrorf(warden.EINVALID, "threshold_bp", "threshold is %d bp, want 1..%d", thresholdBP, FullBP)
	}
	eff, err := g.EffectiveOwnership(root)
	if err != nil {
		return nil, err
	}
	res := &CDD{Root: root, ThresholdBP: thresholdBP, Cycles: eff.Cycles}
	for _, o := range eff.Owners {
		if atLeast(o.Share, thresholdBP) {
			res.Owners = append(res.Owners, o)
		}
	}
	sort.Slice(res.Owners, func(i, j int) bool {
		a, b := res.Owners[i], res.Owners[j]
		if c := a.Share.Cmp(b.Share); c != 0 {
			return c > 0
		}
		return a.PartyID < b.PartyID
	})
	if f := g.ControlPersonFinding(root); f != nil {
		res.Findings = append(res.Findings, *f)
	} else {
		res.ControlPerson = g.parties[root].ControlPerson
	}
	for i := range eff.Cycles {
		c := eff.Cycles[i]
		res.Findings = append(res.Findings, Finding{
			Code:    FindingOwnershipCycle,
			PartyID: c.Parties[0],
			Message: fmt.Sprintf("ownership cycle %v: cyclic holdings are not counted in effective ownership; review manually", c.Parties),
			Cycle:   &c,
		})
	}
	return res, nil
}

// ControlPersonFinding returns a FindingMissingControlPerson if the entity id
// has no control person, and nil otherwise (including for individuals and
// unknown parties, which need none here). NewGraph has already checked that a
// control person, when given, is a known individual.
func (g *Graph) ControlPersonFinding(id string) *Finding {
	p, ok := g.parties[id]
	if !ok || p.Kind != Entity || p.ControlPerson != "" {
		return nil
	}
	return &Finding{
		Code:    FindingMissingControlPerson,
		PartyID: id,
		Message: fmt.Sprintf("legal entity %q has no control person", id),
	}
}
