package kyc_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/store/sqlstore"
)

func TestEraseWaitsForRetentionThenRedactsEverything(t *testing.T) {
	s, rec := newService(t)
	db := s.Store.(*sqlstore.DB)
	s.Documents, s.Owners = db, db
	alerts := &cases.Alerts{Store: db}
	s.Alerts = alerts
	now := time.Date(2020, 1, 10, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	ctx := warden.NewContextWithActor(context.Background(), warden.Actor{Kind: warden.ActorAPIKey, ID: "dpo"})
	if _, err := s.Put(ctx, "cust-1", person()); err != nil {
		t.Fatal(err)
	}
	doc, err := s.SubmitDocument(ctx, "cust-1", kyc.DocumentInput{Kind: kyc.DocNationalID, Number: "12345678"})
	if err != nil {
		t.Fatal(err)
	}
	oldSalt, _ := db.CustomerSalt(ctx, "cust-1")
	req := kyc.EraseRequest{Reason: "data subject request DSR-2031-17", RelationshipEndedOn: "2020-06-30"}

	// Inputs are checked first.
	for field, bad := range map[string]kyc.EraseRequest{
		"reason":                {Reason: "please", RelationshipEndedOn: "2020-06-30"},
		"relationship_ended_on": {Reason: req.Reason, RelationshipEndedOn: "30/06/2020"},
	} {
		var we *warden.Error
		if _, err := s.Erase(ctx, "cust-1", bad); !asError(err, &we) || we.Code != warden.EINVALID || we.Field != field {
			t.Fatalf("bad %s: %v", field, err)
		}
	}
	// Within five years of the relationship's end: refused, with the date.
	now = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	_, err = s.Erase(ctx, "cust-1", req)
	if warden.ErrorCode(err) != warden.ECONFLICT || !strings.Contains(err.Error(), "2025-07-01") {
		t.Fatalf("erase within retention: %v", err)
	}
	if c, _ := s.Get(ctx, "cust-1"); c.Surname != "Otieno" || c.Erased != nil {
		t.Fatalf("a refused erasure changed the customer: %+v", c)
	}
	// An open alert holds the records too.
	now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	a, err := alerts.Raise(ctx, cases.Raise{CustomerID: "cust-1", Source: cases.SourceScreening, RuleID: "x", RuleVersion: 1, Severity: "low", At: now})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Erase(ctx, "cust-1", req); warden.ErrorCode(err) != warden.ECONFLICT || !strings.Contains(err.Error(), a.ID) {
		t.Fatalf("erase with an open alert: %v", err)
	}
	s.Alerts = nil // as if the alert were closed (cases close alerts)

	c, err := s.Erase(ctx, "cust-1", req)
	if err != nil {
		t.Fatal(err)
	}
	if c.Erased == nil || c.Erased.By != "api_key:dpo" || c.Surname != "" || c.Type != "individual" || c.Country != "KE" {
		t.Fatalf("erased customer %+v", c)
	}
	vs, err := s.Versions(ctx, "cust-1")
	if err != nil {
		t.Fatal(err)
	}
	all, _ := json.Marshal(vs)
	d, err := s.Documents.Document(ctx, doc.ID)
	if err != nil {
		t.Fatal(err)
	}
	dj, _ := json.Marshal(d)
	for _, secret := range []string{"Otieno", "Amina", "1990-05-01", "amina@example.com", "Moi Avenue"} {
		if strings.Contains(string(all), secret) {
			t.Errorf("versions still hold %q: %s", secret, all)
		}
	}
	if d.Number != "" || strings.Contains(string(dj), "12345678") || d.Kind != kyc.DocNationalID {
		t.Errorf("document after erasure: %s", dj)
	}
	// The salt is gone: a new one would not reproduce the audit hashes.
	newSalt, _ := db.CustomerSalt(ctx, "cust-1")
	if string(newSalt) == string(oldSalt) {
		t.Fatal("salt survived erasure")
	}
	if countActions(rec, "customer.erase:cust-1") != 1 {
		t.Fatalf("erasure not audited: %v", rec.actions)
	}
	// Erased customers stay erased.
	if _, err := s.Put(ctx, "cust-1", person()); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("put after erasure: %v", err)
	}
	if _, err := s.SubmitDocument(ctx, "cust-1", kyc.DocumentInput{Kind: kyc.DocNationalID, Number: "12345678"}); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("document after erasure: %v", err)
	}
	if _, err := s.Erase(ctx, "cust-1", req); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("second erasure: %v", err)
	}
	if _, err := s.Erase(ctx, "nobody", req); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("unknown customer: %v", err)
	}
}

func TestEraseRedactsOwners(t *testing.T) {
	s, _ := newService(t)
	db := s.Store.(*sqlstore.DB)
	s.Owners = db
	now := time.Date(2018, 1, 1, 0, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	ctx := context.Background()
	if _, err := s.Put(ctx, "biz", kyc.CustomerData{Type: "entity", LegalName: "Harbor Holdings", RegistrationNumber: "R-2", Country: "KE"}); err != nil {
		t.Fatal(err)
	}
	o := kyc.Owners{ControlPerson: "p1", Parties: []kyc.OwnerParty{{ID: "p1", Kind: "individual", Name: "Jane Wambui", DateOfBirth: "1980-01-01"}},
		Stakes: []kyc.OwnerStake{{Owner: "p1", Owned: "biz", BasisPoints: 10000}}}
	if _, err := s.PutOwners(ctx, "biz", o); err != nil {
		t.Fatal(err)
	}
	now = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.Erase(ctx, "biz", kyc.EraseRequest{Reason: "dissolved company, registry request", RelationshipEndedOn: "2018-02-01"}); err != nil {
		t.Fatal(err)
	}
	got, err := db.CustomerOwners(ctx, "biz")
	if err != nil || got.Parties[0].Name != kyc.ErasedName || got.Parties[0].DateOfBirth != "" || got.Stakes[0].BasisPoints != 10000 {
		t.Fatalf("owners after erasure %+v %v", got, err)
	}
	if _, err := s.PutOwners(ctx, "biz", o); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("owners after erasure: %v", err)
	}
}
