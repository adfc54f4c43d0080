package kyc_test

import (
	"context"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
	"github.com/wardenhq/warden/store/sqlstore"
)

func TestOwnersBeneficialOwnersAndFiftyPercentRule(t *testing.T) {
	snaps, err := bundled.Load()
	if err != nil {
		t.Fatal(err)
	}
	s, rec := newService(t)
	s.Owners = s.Store.(*sqlstore.DB)
	s.Screening = &screening.Service{Screener: screening.NewScreener(snaps...)}
	ctx := context.Background()
	if _, err := s.Put(ctx, "biz-1", kyc.CustomerData{Type: "entity", LegalName: "Lakeview Holdings", RegistrationNumber: "R-1", Country: "KE"}); err != nil {
		t.Fatal(err)
	}
	o := kyc.Owners{
		Parties: []kyc.OwnerParty{
			{ID: "amina", Kind: "individual", Name: "Amina Otieno", DateOfBirth: "1990-05-01"},
			{ID: "kim", Kind: "individual", Name: "Kim Jong Un", DateOfBirth: "1984-01-08"},
			{ID: "bank", Kind: "entity", Name: "Banco Nacional de Cuba"},
			{ID: "mid", Kind: "entity", Name: "Midway Investments"},
		},
		Stakes: []kyc.OwnerStake{
			{Owner: "amina", Owned: "mid", BasisPoints: 10000},
			{Owner: "mid", Owned: "biz-1", BasisPoints: 4500},
			{Owner: "kim", Owned: "biz-1", BasisPoints: 3000},
			{Owner: "bank", Owned: "biz-1", BasisPoints: 2500},
		},
		ControlPerson: "amina",
	}
	a, err := s.PutOwners(ctx, "biz-1", o)
	if err != nil {
		t.Fatal(err)
	}
	bo := map[string]int{}
	for _, b := range a.BeneficialOwners {
		bo[b.PartyID] = b.BasisPoints
	}
	if len(bo) != 2 || bo["amina"] != 4500 || bo["kim"] != 3000 || a.ControlPerson != "amina" {
		t.Fatalf("beneficial owners %+v, control %q", a.BeneficialOwners, a.ControlPerson)
	}
	// Kim (SDN) 30% and the bank (SDN) 25%: 55% in aggregate, blocked.
	if !a.BlockedByOwnership || a.BlockedBasisPoints != 5500 || len(a.SanctionedParties) != 2 || len(a.BlockedPaths) != 2 {
		t.Fatalf("50%% rule: %+v", a)
	}
	// The screening the analysis used was stored with the structure.
	sc, err := s.Owners.OwnerScreening(ctx, "biz-1")
	if err != nil || sc == nil || len(sc.Parties) != 4 || len(sc.Parties["kim"]) == 0 || len(sc.Parties["bank"]) == 0 || len(sc.Parties["amina"]) != 0 {
		t.Fatalf("stored owner screening %+v %v", sc, err)
	}
	// Without the bank, 30% is not enough.
	o.Stakes = o.Stakes[:3]
	if a, err = s.PutOwners(ctx, "biz-1", o); err != nil || a.BlockedByOwnership {
		t.Fatalf("30%%: %+v %v", a, err)
	}
	got, err := s.GetOwners(ctx, "biz-1")
	if err != nil || len(got.Owners.Stakes) != 3 {
		t.Fatalf("get: %+v %v", got, err)
	}
	// Bad structures name the field; individuals have no owners.
	bad := o
	bad.Stakes = append([]kyc.OwnerStake(nil), o.Stakes...)
	bad.Stakes[0].BasisPoints = 20000
	if _, err := s.PutOwners(ctx, "biz-1", bad); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("bad stake: %v", err)
	}
	if _, err := s.Put(ctx, "p1", kyc.CustomerData{Type: "individual", GivenNames: "A", Surname: "B", DateOfBirth: "1980-01-01", Country: "KE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutOwners(ctx, "p1", o); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("owners of an individual: %v", err)
	}
	if n := countActions(rec, "customer.owners:biz-1"); n != 2 {
		t.Fatalf("audited %d owner changes, want 2", n)
	}
}

func countActions(r *recorder, a string) int {
	n := 0
	for _, x := range r.actions {
		if x == a {
			n++
		}
	}
	return n
}
