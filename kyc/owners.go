package kyc

import (
	"context"
	"fmt"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/kyc/ownership"
	"github.com/wardenhq/warden/screening"
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

// OwnersStore keeps the latest ownership structure of each customer.
type OwnersStore interface {
	PutOwners(ctx context.Context, customerID string, o Owners, at time.Time) error
	// CustomerOwners returns the structure, or ENOTFOUND.
	CustomerOwners(ctx context.Context, customerID string) (*Owners, error)
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

// analyse builds the graph (validating it) and applies the CDD rule and the
// 50% rule, screening every owner party.
func (s *Service) analyse(ctx context.Context, c *Customer, o Owners) (*OwnershipAnalysis, error) {
	parties := []ownership.Party{{ID: c.ID, Kind: ownership.Entity, ControlPerson: o.ControlPerson}}
	names := map[string]OwnerParty{}
	for i, p := range o.Parties {
		if p.ID == c.ID {
			return nil, warden.FieldErrorf(warden.EINVALID, fmt.Sprintf("parties[%d].id", i), "the customer itself is implied; list only its owners")
		}
		if err := validText(fmt.Sprintf("parties[%d].name", i), p.Name, 300, true); err != nil {
			return nil, err
		}
		names[p.ID] = p
		parties = append(parties, ownership.Party{ID: p.ID, Kind: ownership.Kind(p.Kind), ControlPerson: p.ControlPerson})
	}
	stakes := make([]ownership.Stake, len(o.Stakes))
	for i, st := range o.Stakes {
		stakes[i] = ownership.Stake{Owner: st.Owner, Owned: st.Owned, Basis: st.BasisPoints}
	}
	g, err := ownership.NewGraph(parties, stakes)
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
	if s.Screening != nil {
		for _, p := range o.Parties {
			typ := screening.TypeIndividual
			if p.Kind == string(ownership.Entity) {
				typ = screening.TypeEntity
			}
			res, err := s.Screening.Screen(ctx, screening.ScreenRequest{Subject: c.ID + "/" + p.ID, Name: p.Name, Type: string(typ), DateOfBirth: p.DateOfBirth, Country: p.Country})
			if err != nil {
				return nil, fmt.Errorf("screen owner %s: %w", p.ID, err)
			}
			for _, h := range res.Hits {
				if sanctionsLists[h.List] {
					sanctioned[p.ID] = true
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
	if c.Type != TypeEntity {
		return nil, warden.FieldErrorf(warden.EINVALID, "id", "customer %s is an individual: only legal entities have owners", id)
	}
	a, err := s.analyse(ctx, c, o)
	if err != nil {
		return nil, err
	}
	if err := s.Owners.PutOwners(ctx, id, o, s.now()); err != nil {
		return nil, err
	}
	if s.Audit != nil {
		if _, err := s.Audit.Append(ctx, audit.Record{Action: "customer.owners", Subject: audit.Subject{Type: "customer", ID: id},
			Change: map[string]any{"owners": o, "beneficial_owners": a.BeneficialOwners, "blocked_by_ownership": a.BlockedByOwnership}}); err != nil {
			return nil, err
		}
	}
	return a, nil
}

// GetOwners returns the stored structure with a fresh analysis (lists change).
func (s *Service) GetOwners(ctx context.Context, id string) (*OwnershipAnalysis, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	o, err := s.Owners.CustomerOwners(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.analyse(ctx, c, *o)
}
