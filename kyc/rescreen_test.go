package kyc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
	"github.com/wardenhq/warden/store/sqlstore"
)

func TestRescreenTouchesOnlyAffectedCustomers(t *testing.T) {
	snaps, err := bundled.Load()
	if err != nil {
		t.Fatal(err)
	}
	s, rec := newService(t)
	db := s.Store.(*sqlstore.DB)
	lists := &screening.Service{Screener: screening.NewScreener(snaps...), Lists: db}
	s.Screening = lists
	ctx := context.Background()
	for id, name := range map[string]string{"biz-acme": "Zorblax Trading Ltd", "biz-bakery": "Panaderia La Esquina", "biz-cafe": "Cafe Tortoni"} {
		if _, err := s.Put(ctx, id, kyc.CustomerData{Type: "entity", LegalName: name, RegistrationNumber: "R-" + id, Country: "KE"}); err != nil {
			t.Fatal(err)
		}
	}
	// A new SDN version lists ZORBLAX TRADING LTD.
	sdn := lists.Screener.Snapshot("ofac-sdn")
	next := *sdn
	next.Entities = append(append([]screening.Entity(nil), sdn.Entities...), screening.Entity{List: "ofac-sdn", ID: "999999", Type: screening.TypeEntity,
		Names: []screening.Name{{Text: "ZORBLAX TRADING LTD", Kind: screening.NamePrimary}}})
	next.ContentSHA256 = "v2"
	diff, err := lists.Load(ctx, &next)
	if err != nil || len(diff.Added) != 1 {
		t.Fatalf("%+v %v", diff, err)
	}
	res, err := s.Rescreen(ctx, db, map[string]*screening.Snapshot{"ofac-sdn": &next}, []screening.ListDiff{diff})
	if err != nil || res.Customers != 3 || res.Rescreened != 1 || res.NewHits != 1 || res.Updated != 1 {
		t.Fatalf("rescreen after adding: %+v %v", res, err)
	}
	c, _ := s.Get(ctx, "biz-acme")
	if c.Version != 2 || c.UpdatedBy != "system:rescreen" || len(c.Screening.Hits) != 1 || c.Screening.Hits[0].EntryID != "999999" {
		t.Fatalf("acme after rescreen: %+v", c)
	}
	// The entry is delisted: the customer holding the hit is rescreened and
	// the hit goes; nobody else is touched.
	after := *sdn
	after.ContentSHA256 = "v3"
	diff, _ = lists.Load(ctx, &after)
	res, err = s.Rescreen(ctx, db, map[string]*screening.Snapshot{"ofac-sdn": &after}, []screening.ListDiff{diff})
	if err != nil || res.Rescreened != 1 || res.NewHits != 0 || res.Updated != 1 {
		t.Fatalf("rescreen after removal: %+v %v", res, err)
	}
	if c, _ := s.Get(ctx, "biz-acme"); len(c.Screening.Hits) != 0 || c.Version != 3 {
		t.Fatalf("acme after delisting: %+v", c.Screening)
	}
	if n := countActions(rec, "customer.rescreen:biz-acme"); n != 2 {
		t.Fatalf("audited %d rescreens", n)
	}
}

func TestRescreenCoversOwnersAndRaisesAlerts(t *testing.T) {
	snaps, err := bundled.Load()
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newService(t)
	db := s.Store.(*sqlstore.DB)
	lists := &screening.Service{Screener: screening.NewScreener(snaps...), Lists: db}
	alerts := &cases.Alerts{Store: db}
	s.Screening, s.Owners, s.Alerts = lists, db, alerts
	ctx := context.Background()
	if _, err := s.Put(ctx, "biz-acme", kyc.CustomerData{Type: "entity", LegalName: "Zorblax Trading Ltd", RegistrationNumber: "R-1", Country: "KE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, "biz-hold", kyc.CustomerData{Type: "entity", LegalName: "Harbor Holdings", RegistrationNumber: "R-2", Country: "KE"}); err != nil {
		t.Fatal(err)
	}
	owners := kyc.Owners{ControlPerson: "p2",
		Parties: []kyc.OwnerParty{{ID: "p1", Kind: "entity", Name: "Zorblax Trading Ltd", Country: "AE"}, {ID: "p2", Kind: "individual", Name: "Jane Wambui", DateOfBirth: "1980-01-01"}},
		Stakes:  []kyc.OwnerStake{{Owner: "p1", Owned: "biz-hold", BasisPoints: 6000}, {Owner: "p2", Owned: "biz-hold", BasisPoints: 4000}}}
	a, err := s.PutOwners(ctx, "biz-hold", owners)
	if err != nil || a.BlockedByOwnership {
		t.Fatalf("owners before listing: %+v %v", a, err)
	}
	// ZORBLAX TRADING LTD is listed: the customer and, through its owner,
	// the holding company are re-screened and alerted; the holding company
	// is now blocked by OFAC's 50% rule.
	sdn := lists.Screener.Snapshot("ofac-sdn")
	next := *sdn
	next.Entities = append(append([]screening.Entity(nil), sdn.Entities...), screening.Entity{List: "ofac-sdn", ID: "999999", Type: screening.TypeEntity,
		Names: []screening.Name{{Text: "ZORBLAX TRADING LTD", Kind: screening.NamePrimary}}})
	next.ContentSHA256 = "v2"
	diff, err := lists.Load(ctx, &next)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Rescreen(ctx, db, map[string]*screening.Snapshot{"ofac-sdn": &next}, []screening.ListDiff{diff})
	if err != nil || res.NewHits != 1 || res.Structures != 1 || res.StructuresRescreened != 1 || res.OwnerNewHits != 1 || res.Alerts != 2 {
		t.Fatalf("rescreen: %+v %v", res, err)
	}
	for cust, rule := range map[string]string{"biz-acme": kyc.RuleNewHit, "biz-hold": kyc.RuleOwnerNewHit} {
		as, err := alerts.List(ctx, cases.Filter{CustomerID: cust})
		if err != nil || len(as) != 1 || as[0].RuleID != rule || as[0].Source != cases.SourceScreening || as[0].Severity != "high" {
			t.Fatalf("%s alerts: %+v %v", cust, as, err)
		}
		if !strings.Contains(string(as[0].Evidence[0]), `"999999"`) {
			t.Fatalf("%s evidence: %s", cust, as[0].Evidence[0])
		}
	}
	// The stored owner screening answers reads without screening again.
	s.Screening = nil
	a, err = s.GetOwners(ctx, "biz-hold")
	if err != nil || !a.BlockedByOwnership || len(a.SanctionedParties) != 1 || a.SanctionedParties[0] != "p1" {
		t.Fatalf("owners after listing: %+v %v", a, err)
	}
	s.Screening = lists
	// The same change again finds nothing new: no alert is extended.
	res, err = s.Rescreen(ctx, db, map[string]*screening.Snapshot{"ofac-sdn": &next}, []screening.ListDiff{diff})
	if err != nil || res.NewHits != 0 || res.OwnerNewHits != 0 || res.Alerts != 0 {
		t.Fatalf("second rescreen: %+v %v", res, err)
	}
	// An unrelated change touches no structure.
	other := next
	other.ContentSHA256 = "v3"
	other.Entities = append(append([]screening.Entity(nil), next.Entities...), screening.Entity{List: "ofac-sdn", ID: "999998", Type: screening.TypeEntity,
		Names: []screening.Name{{Text: "QUUXCORP MARITIME", Kind: screening.NamePrimary}}})
	diff, _ = lists.Load(ctx, &other)
	res, err = s.Rescreen(ctx, db, map[string]*screening.Snapshot{"ofac-sdn": &other}, []screening.ListDiff{diff})
	if err != nil || res.Rescreened != 0 || res.StructuresRescreened != 0 {
		t.Fatalf("unrelated change: %+v %v", res, err)
	}
}
