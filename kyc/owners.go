package kyc

import (
	"context"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/kyc/ownership"
)

// OwnerParty is a person or entity in a customer's ownership structure.
type OwnerParty struct {
	ID            string `json:"id"`
	Kind          string `json:"kind"` // individual or entity
	Name          string `json:"name"`
	DateOfBirth   string `json:"date_of_birth,omitempty"`
	Country       string `json:"country,omitempty"`
	ControlPerson string `json:"control_person,omitempty"`
}

// OwnerStake is a direct holding in basis points (2500 = 25%).
type OwnerStake struct {
	Owner       string `json:"owner"`
	Owned       string `json:"owned"`
	BasisPoints int    `json:"basis_points"`
}

// Owners is a legal-entity customer's ownership structure. The customer
// itself is the party whose id is the customer's id; its control person is
// ControlPerson.
type Owners struct {
	Parties       []OwnerParty `json:"parties"`
	Stakes        []OwnerStake `json:"stakes"`
	ControlPerson string       `json:"control_person"`
}

// OwnersStore keeps the latest ownership structure of each customer and
// the latest screening of its parties.
type OwnersStore interface {
	// PutOwners stores the structure with its parties' screening in one
	// transaction, replacing any earlier screening: a nil sc stores none (the
	// parties are screened when the structure is next read).
	PutOwners(ctx context.Context, customerID string, o Owners, sc *OwnerScreening, at time.Time) error
	// CustomerOwners returns the structure, or ENOTFOUND.
	CustomerOwners(ctx context.Context, customerID string) (*Owners, error)
	OwnerScreeningStore
}

// OwnerPath explains a figure: the parties from owner to customer and the
// stake of each hop.
type OwnerPath struct {
	Parties     []string `json:"parties"`
	BasisPoints []int    `json:"basis_points"`
}

// BeneficialOwner is an individual at or over 25%.
type BeneficialOwner struct {
	PartyID     string      `json:"party_id"`
	Name        string      `json:"name"`
	BasisPoints int         `json:"basis_points"` // rounded down; the 25% test is exact
	Paths       []OwnerPath `json:"paths"`
}

// OwnershipAnalysis is the CDD and sanctions picture of a structure.
type OwnershipAnalysis struct {
	Owners            Owners            `json:"owners"`
	BeneficialOwners  []BeneficialOwner `json:"beneficial_owners"`
	ControlPerson     string            `json:"control_person,omitempty"`
	Findings          []string          `json:"findings,omitempty"`
	SanctionedParties []string          `json:"sanctioned_parties,omitempty"`
	// BlockedByOwnership applies OFAC's 50% rule to the customer.
	BlockedByOwnership bool        `json:"blocked_by_ownership"`
	BlockedBasisPoints int         `json:"blocked_basis_points"`
	BlockedPaths       []OwnerPath `json:"blocked_paths,omitempty"`
}

// sanctionsLists are the lists whose hits make a party blocked for the 50%
// rule (PEP and internal lists do not).
var sanctionsLists = map[string]bool{"ofac-sdn": true, "un": true, "eu": true, "uk": true}

func paths(ps []ownership.Path) []OwnerPath {
	out := make([]OwnerPath, 0, len(ps))
	for _, p := range ps {
		out = append(out, OwnerPath{Parties: p.Parties, BasisPoints: p.Basis})
	}
	return out
}

// Graph is the ownership graph of the customer customerID (an entity, the
// root) with these owners and stakes.
func (o Owners) Graph(customerID string) (*ownership.Graph, error) {
	parties := []ownership.Party{{ID: customerID, Kind: ownership.Entity, ControlPerson: o.ControlPerson}}
	for _, p := range o.Parties {
		parties = append(parties, ownership.Party{ID: p.ID, Kind: ownership.Kind(p.Kind), ControlPerson: p.ControlPerson})
	}
	stakes := make([]ownership.Stake, len(o.Stakes))
	for i, st := range o.Stakes {
		stakes[i] = ownership.Stake{Owner: st.Owner, Owned: st.Owned, Basis: st.BasisPoints}
	}
	return ownership.NewGraph(parties, stakes)
}

// analyse builds the graph (validating it) and applies the CDD rule and the
// 50% rule, with the owner parties' screening sc (nil: none screened).
func (s *Service) analyse(c *Customer, o Owners, sc *OwnerScreening) (*OwnershipAnalysis, error) {
	names := map[string]OwnerParty{}
	for i, p := range o.Parties {
		if p.ID == c.ID {
			return nil, warden.FieldErrorf(warden.EINVALID, fmt.Sprintf("parties[%d].id", i), "the customer itself is implied; list only its owners")
		}
		if err := validText(fmt.Sprintf("parties[%d].name", i), p.Name, 300, true); err != nil {
			return nil, err
		}
		names[p.ID] = p
	}
	g, err := o.Graph(c.ID)
	if err != nil {
		return nil, err
	}
	cdd, err := g.BeneficialOwners(c.ID, 0)
	if err != nil {
		return nil, err
	}
	a := &OwnershipAnalysis{Owners: o, ControlPerson: cdd.ControlPerson, BeneficialOwners: []BeneficialOwner{}}
	for _, bo := range cdd.Owners {
		a.BeneficialOwners = append(a.BeneficialOwners, BeneficialOwner{PartyID: bo.PartyID, Name: names[bo.PartyID].Name, BasisPoints: bo.BP, Paths: paths(bo.Paths)})
	}
	for _, f := range cdd.Findings {
		a.Findings = append(a.Findings, f.Message)
	}
	sanctioned := map[string]bool{}
	if sc != nil {
		for id, hits := range sc.Parties {
			for _, h := range hits {
				if sanctionsLists[h.List] {
					sanctioned[id] = true
				}
			}
		}
	}
	for id := range sanctioned {
		a.SanctionedParties = append(a.SanctionedParties, id)
	}
	b, err := g.BlockedByOwnership(c.ID, func(id string) bool { return sanctioned[id] })
	if err != nil {
		return nil, err
	}
	a.BlockedByOwnership, a.BlockedBasisPoints, a.BlockedPaths = b.ByOwnership, b.BlockedBP, paths(b.Paths)
	return a, nil
}

// PutOwners records a legal-entity customer's ownership structure, screens
// every owner and returns the analysis; the change is audited.
func (s *Service) PutOwners(ctx context.Context, id string, o Owners) (*OwnershipAnalysis, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := refuseErased(c); err != nil {
		return nil, err
	}
	if c.Type != TypeEntity {
		return nil, warden.FieldErrorf(warden.EINVALID, "id", "customer %s is an individual: only legal entities have owners", id)
	}
	// Validate the structure before screening anyone.
	if _, err := s.analyse(c, o, nil); err != nil {
		return nil, err
	}
	sc, err := s.screenOwners(ctx, c.ID, o)
	if err != nil {
		return nil, err
	}
	a, err := s.analyse(c, o, sc)
	if err != nil {
		return nil, err
	}
	var recs []audit.Record
	if s.Audit != nil {
		commit, err := s.committer(ctx, id)
		if err != nil {
			return nil, err
		}
		bos := make([]map[string]any, 0, len(a.BeneficialOwners))
		for _, bo := range a.BeneficialOwners {
			bos = append(bos, map[string]any{"party_id": bo.PartyID, "basis_points": bo.BasisPoints})
		}
		recs = append(recs, audit.Record{Action: "customer.owners", Subject: audit.Subject{Type: "customer", ID: id},
			Change: map[string]any{"owners": commit.owners(o), "beneficial_owners": bos, "blocked_by_ownership": a.BlockedByOwnership,
				"sanctioned_parties": a.SanctionedParties}})
	}
	// The structure, the owners' screening it was analysed with and the
	// record commit together (the audit outbox).
	if err := audit.Do(ctx, s.Audit, func(ctx context.Context) error { return s.Owners.PutOwners(ctx, id, o, sc, s.now()) }, recs...); err != nil {
		return nil, err
	}
	return a, nil
}

// GetOwners returns the stored structure with its analysis, from the stored
// screening of the owners (kept current by re-screening on list changes).
func (s *Service) GetOwners(ctx context.Context, id string) (*OwnershipAnalysis, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	o, err := s.Owners.CustomerOwners(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.ownership(ctx, c, *o)
}

// ownership analyses a stored structure with its stored screening, screening
// (and storing) afresh only when none is stored.
func (s *Service) ownership(ctx context.Context, c *Customer, o Owners) (*OwnershipAnalysis, error) {
	sc, err := s.Owners.OwnerScreening(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if sc == nil {
		if sc, err = s.screenOwners(ctx, c.ID, o); err != nil {
			return nil, err
		}
		if sc != nil {
			if err := s.Owners.PutOwnerScreening(ctx, c.ID, sc); err != nil && warden.ErrorCode(err) != warden.ENOTFOUND {
				return nil, err
			}
		}
	}
	return s.analyse(c, o, sc)
}
