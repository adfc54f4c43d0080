package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/kyc"
)

func testImportCustomers(t *testing.T, s Store) {
	ctx := context.Background()
	im, ok := s.(interface {
		ImportCustomers(context.Context, []*kyc.Customer) error
	})
	if !ok {
		t.Fatal("store cannot import customers")
	}
	at := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	var cs []*kyc.Customer
	for i := range 1203 {
		cs = append(cs, &kyc.Customer{ID: fmt.Sprintf("imp-%05d", i), Version: 1, UpdatedAt: at, UpdatedBy: "import",
			CustomerData: kyc.CustomerData{Type: "individual", GivenNames: "A", Surname: fmt.Sprint(i), DateOfBirth: "1990-01-01", Country: "KE"},
			Screening:    &kyc.ScreeningSummary{Hits: []kyc.ScreeningHit{}}})
	}
	if err := im.ImportCustomers(ctx, cs); err != nil {
		t.Fatal(err)
	}
	lister := s.(kyc.CustomerLister)
	n, after := 0, ""
	for {
		page, err := lister.CustomersAfter(ctx, after, 500)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		n, after = n+len(page), page[len(page)-1].ID
	}
	got, err := s.(kyc.CustomerStore).Customer(ctx, "imp-01202")
	if n != 1203 || err != nil || got.Surname != "1202" || got.Screening == nil {
		t.Fatalf("imported %d, last %+v %v", n, got, err)
	}
	// An existing id fails its batch.
	if err := im.ImportCustomers(ctx, cs[:1]); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("re-import: %v", err)
	}
}

func testCustomers(t *testing.T, s Store) {
	ctx := context.Background()
	cs, ok := s.(kyc.CustomerStore)
	if !ok {
		t.Fatal("store does not keep customers")
	}
	if _, err := cs.Customer(ctx, "c1"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("missing customer: %v", err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.UTC)
	v1 := &kyc.Customer{ID: "c1", Version: 1, UpdatedAt: at, UpdatedBy: "api_key:x",
		CustomerData: kyc.CustomerData{Type: "individual", GivenNames: "Amina", Surname: "Otieno", DateOfBirth: "1990-05-01", Country: "KE"}}
	if err := cs.PutCustomer(ctx, v1); err != nil {
		t.Fatal(err)
	}
	// A stale version is a conflict and stores nothing.
	stale := *v1
	stale.Surname = "Other"
	if err := cs.PutCustomer(ctx, &stale); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("stale put: %v", err)
	}
	v2 := *v1
	v2.Version, v2.Surname = 2, "Otieno-Wanjiru"
	if err := cs.PutCustomer(ctx, &v2); err != nil {
		t.Fatal(err)
	}
	got, err := cs.Customer(ctx, "c1")
	if err != nil || got.Version != 2 || got.Surname != "Otieno-Wanjiru" || !got.UpdatedAt.Equal(at) || got.UpdatedBy != "api_key:x" {
		t.Fatalf("latest %+v %v", got, err)
	}
	all, err := cs.CustomerVersions(ctx, "c1")
	if err != nil || len(all) != 2 || all[0].Surname != "Otieno" || all[1].Version != 2 {
		t.Fatalf("versions %+v %v", all, err)
	}
	// Paging gives the latest version of each customer, by id.
	for _, id := range []string{"c3", "c0", "c2"} {
		c := *v1
		c.ID = id
		if err := cs.PutCustomer(ctx, &c); err != nil {
			t.Fatal(err)
		}
	}
	pager := s.(kyc.CustomerLister)
	page, err := pager.CustomersAfter(ctx, "c0", 2)
	if err != nil || len(page) != 2 || page[0].ID != "c1" || page[0].Version != 2 || page[1].ID != "c2" {
		t.Fatalf("page %+v %v", page, err)
	}
	if rest, _ := pager.CustomersAfter(ctx, "c2", 10); len(rest) != 1 || rest[0].ID != "c3" {
		t.Fatalf("last page %+v", rest)
	}
}

func testDocuments(t *testing.T, s Store) {
	ctx := context.Background()
	ds, ok := s.(kyc.DocumentStore)
	if !ok {
		t.Fatal("store does not keep documents")
	}
	at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	d := &kyc.Document{ID: "doc_1", CustomerID: "c1", Kind: "national_id", Number: "12345678", Status: "submitted", SubmittedAt: at}
	if err := ds.PutDocument(ctx, d); err != nil {
		t.Fatal(err)
	}
	if err := ds.PutDocument(ctx, &kyc.Document{ID: "doc_2", CustomerID: "c1", Kind: "ssn", Number: "123-45-6789", Status: "submitted", SubmittedAt: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	d.Status, d.DecidedBy = "verified", "api_key:a"
	if err := ds.PutDocument(ctx, d); err != nil {
		t.Fatal(err)
	}
	got, err := ds.Document(ctx, "doc_1")
	if err != nil || got.Status != "verified" || got.Number != "12345678" || !got.SubmittedAt.Equal(at) {
		t.Fatalf("%+v %v", got, err)
	}
	if _, err := ds.Document(ctx, "doc_x"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("missing: %v", err)
	}
	all, err := ds.CustomerDocuments(ctx, "c1")
	if err != nil || len(all) != 2 || all[0].ID != "doc_1" || all[1].Kind != "ssn" {
		t.Fatalf("%+v %v", all, err)
	}
}

func testOwners(t *testing.T, s Store) {
	ctx := context.Background()
	os, ok := s.(kyc.OwnersStore)
	if !ok {
		t.Fatal("store does not keep owners")
	}
	if _, err := os.CustomerOwners(ctx, "biz"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("missing: %v", err)
	}
	o := kyc.Owners{Parties: []kyc.OwnerParty{{ID: "p1", Kind: "individual", Name: "Amina"}}, Stakes: []kyc.OwnerStake{{Owner: "p1", Owned: "biz", BasisPoints: 6000}}, ControlPerson: "p1"}
	for _, bp := range []int{6000, 7000} {
		o.Stakes[0].BasisPoints = bp
		if err := os.PutOwners(ctx, "biz", o, nil, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.CustomerOwners(ctx, "biz")
	if err != nil || got.Stakes[0].BasisPoints != 7000 || got.ControlPerson != "p1" || got.Parties[0].Name != "Amina" {
		t.Fatalf("%+v %v", got, err)
	}

	// Owner screenings: stored per structure, forgotten when it changes.
	if sc, err := os.OwnerScreening(ctx, "biz"); sc != nil || err != nil {
		t.Fatalf("no screening yet: %+v %v", sc, err)
	}
	if err := os.PutOwnerScreening(ctx, "nobody", &kyc.OwnerScreening{}); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("screening without a structure: %v", err)
	}
	sc := &kyc.OwnerScreening{ScreenedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Parties: map[string][]kyc.ScreeningHit{"p1": {{List: "ofac-sdn", EntryID: "306", Score: 0.91}}}}
	if err := os.PutOwnerScreening(ctx, "biz", sc); err != nil {
		t.Fatal(err)
	}
	if got, err := os.OwnerScreening(ctx, "biz"); err != nil || len(got.Parties["p1"]) != 1 || got.Parties["p1"][0].EntryID != "306" {
		t.Fatalf("screening read back %+v %v", got, err)
	}
	if err := os.PutOwners(ctx, "abc", o, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	page, err := os.OwnersAfter(ctx, "", 10)
	if err != nil || len(page) != 2 || page[0].CustomerID != "abc" || page[0].Screening != nil || page[1].Screening == nil || page[1].Owners.ControlPerson != "p1" {
		t.Fatalf("owners page %+v %v", page, err)
	}
	if page, err := os.OwnersAfter(ctx, "abc", 10); err != nil || len(page) != 1 || page[0].CustomerID != "biz" {
		t.Fatalf("owners page after abc %+v %v", page, err)
	}
	if err := os.PutOwners(ctx, "biz", o, nil, time.Now()); err != nil {
		t.Fatal(err)
	}
	if sc, err := os.OwnerScreening(ctx, "biz"); sc != nil || err != nil {
		t.Fatalf("a changed structure keeps a stale screening: %+v %v", sc, err)
	}

	// A structure and the screening it was analysed with are stored in one
	// transaction: both, or neither when it rolls back.
	o.Stakes[0].BasisPoints = 8000
	if err := os.PutOwners(ctx, "biz", o, sc, time.Now()); err != nil {
		t.Fatal(err)
	}
	wantOwners := func(what string, bp int, entryID string) {
		t.Helper()
		got, err := os.CustomerOwners(ctx, "biz")
		if err != nil || got.Stakes[0].BasisPoints != bp {
			t.Fatalf("%s: structure %+v %v, want %d basis points", what, got, err, bp)
		}
		gotSc, err := os.OwnerScreening(ctx, "biz")
		if err != nil || gotSc == nil || !gotSc.ScreenedAt.Equal(sc.ScreenedAt) || len(gotSc.Parties["p1"]) != 1 || gotSc.Parties["p1"][0].EntryID != entryID {
			t.Fatalf("%s: screening %+v %v, want the hit on %s", what, gotSc, err, entryID)
		}
	}
	wantOwners("stored with its screening", 8000, "306")
	rescreened := &kyc.OwnerScreening{ScreenedAt: sc.ScreenedAt, Parties: map[string][]kyc.ScreeningHit{"p1": {{List: "un", EntryID: "QDi.1", Score: 0.95}}}}
	rollback := errors.New("roll back")
	err = audit.Atomically(ctx, s, func(ctx context.Context) error {
		o.Stakes[0].BasisPoints = 9000
		if err := os.PutOwners(ctx, "biz", o, rescreened, time.Now()); err != nil {
			return err
		}
		return rollback
	})
	if !errors.Is(err, rollback) {
		t.Fatalf("scope: %v", err)
	}
	wantOwners("after a rolled-back put", 8000, "306")
	err = audit.Atomically(ctx, s, func(ctx context.Context) error { return os.PutOwners(ctx, "biz", o, rescreened, time.Now()) })
	if err != nil {
		t.Fatal(err)
	}
	wantOwners("after a committed put", 9000, "QDi.1")

	// Salts: one per customer, stable, created on first use.
	ss, ok := s.(kyc.SaltStore)
	if !ok {
		t.Fatal("store keeps no salts")
	}
	s1, err := ss.CustomerSalt(ctx, "biz")
	if err != nil || len(s1) != 32 {
		t.Fatalf("salt %x %v", s1, err)
	}
	s2, err := ss.CustomerSalt(ctx, "biz")
	s3, _ := ss.CustomerSalt(ctx, "abc")
	if err != nil || string(s1) != string(s2) || string(s1) == string(s3) {
		t.Fatalf("salts %x %x %x %v", s1, s2, s3, err)
	}
}
