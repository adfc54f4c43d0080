package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/wardenhq/warden/kyc"
)

func testEraseCustomer(t *testing.T, s Store) {
	ctx := context.Background()
	cs := s.(kyc.CustomerStore)
	es, ok := s.(kyc.EraseStore)
	if !ok {
		t.Fatal("store cannot erase")
	}
	ds, os, ss := s.(kyc.DocumentStore), s.(kyc.OwnersStore), s.(kyc.SaltStore)
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for v, name := range []string{"Harbor Holdings", "Harbor Holdings Ltd"} {
		if err := cs.PutCustomer(ctx, &kyc.Customer{ID: "biz", Version: v + 1, UpdatedAt: at, UpdatedBy: "k",
			CustomerData: kyc.CustomerData{Type: "entity", LegalName: name, RegistrationNumber: "R-1", Country: "KE"}}); err != nil {
			t.Fatal(err)
		}
	}
	doc := &kyc.Document{ID: "doc_0000000000000001", CustomerID: "biz", Kind: "ein", Number: "12-3456789", Status: "submitted", SubmittedAt: at}
	if err := ds.PutDocument(ctx, doc); err != nil {
		t.Fatal(err)
	}
	o := kyc.Owners{ControlPerson: "p1", Parties: []kyc.OwnerParty{{ID: "p1", Kind: "individual", Name: "Jane"}}, Stakes: []kyc.OwnerStake{{Owner: "p1", Owned: "biz", BasisPoints: 10000}}}
	if err := os.PutOwners(ctx, "biz", o, &kyc.OwnerScreening{Parties: map[string][]kyc.ScreeningHit{"p1": {}}}, at); err != nil {
		t.Fatal(err)
	}
	salt, _ := ss.CustomerSalt(ctx, "biz")
	er := &kyc.Erasure{At: at.AddDate(6, 0, 0), By: "k", Reason: "request"}
	red := kyc.Redaction{CustomerID: "biz", Owners: &kyc.Owners{ControlPerson: "p1", Parties: []kyc.OwnerParty{{ID: "p1", Kind: "individual", Name: kyc.ErasedName}}, Stakes: o.Stakes}}
	for v := 1; v <= 2; v++ {
		red.Versions = append(red.Versions, &kyc.Customer{ID: "biz", Version: v, UpdatedAt: at, UpdatedBy: "k", CustomerData: kyc.CustomerData{Type: "entity", Country: "KE"}, Erased: er})
	}
	rd := *doc
	rd.Number = ""
	red.Documents = []*kyc.Document{&rd}
	if err := es.EraseCustomer(ctx, red); err != nil {
		t.Fatal(err)
	}
	vs, err := cs.CustomerVersions(ctx, "biz")
	if err != nil || len(vs) != 2 || vs[0].LegalName != "" || vs[1].LegalName != "" || vs[1].Erased == nil || vs[1].Erased.Reason != "request" || !vs[0].UpdatedAt.Equal(at) {
		t.Fatalf("versions after erasure %+v %v", vs, err)
	}
	if d, err := ds.Document(ctx, doc.ID); err != nil || d.Number != "" || d.Kind != "ein" {
		t.Fatalf("document after erasure %+v %v", d, err)
	}
	if got, err := os.CustomerOwners(ctx, "biz"); err != nil || got.Parties[0].Name != kyc.ErasedName {
		t.Fatalf("owners after erasure %+v %v", got, err)
	}
	if sc, err := os.OwnerScreening(ctx, "biz"); sc != nil || err != nil {
		t.Fatalf("owner screening after erasure %+v %v", sc, err)
	}
	if again, _ := ss.CustomerSalt(ctx, "biz"); string(again) == string(salt) {
		t.Fatal("salt survived erasure")
	}
}
