package kyc_test

import (
	"context"
	"testing"

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
