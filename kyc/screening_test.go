package kyc_test

import (
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/screening"
	"github.com/wardenhq/warden/screening/bundled"
)

func TestCustomersAreScreenedOnCreateAndOnIdentityChanges(t *testing.T) {
	snaps, err := bundled.Load()
	if err != nil {
		t.Fatal(err)
	}
	s, rec := newService(t)
	s.Screening = &screening.Service{Screener: screening.NewScreener(snaps...)}
	clock := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return clock }
	ctx := context.Background()
	bank := kyc.CustomerData{Type: "entity", LegalName: "Banco Nacional de Cuba", RegistrationNumber: "R-1", Country: "CU"}
	r, err := s.Put(ctx, "biz-9", bank)
	if err != nil {
		t.Fatal(err)
	}
	sc := r.Customer.Screening
	if sc == nil || len(sc.Hits) == 0 || sc.Hits[0].EntryID != "306" || len(sc.ListVersions) != 3 || !sc.ScreenedAt.Equal(clock) {
		t.Fatalf("screening on create: %+v", sc)
	}
	// A change that does not touch identity keeps the earlier screening.
	clock = clock.Add(time.Hour)
	bank.Address.City = "Havana"
	r, _ = s.Put(ctx, "biz-9", bank)
	if r.Customer.Version != 2 || r.Customer.Screening == nil || !r.Customer.Screening.ScreenedAt.Equal(clock.Add(-time.Hour)) {
		t.Fatalf("address change re-screened or lost the screening: %+v", r.Customer.Screening)
	}
	// A new name is screened again.
	bank.LegalName = "Panaderia La Esquina"
	r, _ = s.Put(ctx, "biz-9", bank)
	if !r.Customer.Screening.ScreenedAt.Equal(clock) || len(r.Customer.Screening.Hits) != 0 {
		t.Fatalf("rename: %+v", r.Customer.Screening)
	}
	got, _ := s.Get(ctx, "biz-9")
	if got.Screening == nil || !got.Screening.ScreenedAt.Equal(clock) {
		t.Fatalf("stored screening: %+v", got.Screening)
	}
	if len(rec.actions) != 3 {
		t.Fatalf("audit %v", rec.actions)
	}
}
