package kyc_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/kyc/document"
	"github.com/wardenhq/warden/kyc/tier"
	"github.com/wardenhq/warden/store/sqlstore"
)

func cd(s string) string { c, _ := document.CheckDigit(s); return string(c) }

// td3 builds a passport MRZ with correct check digits (the ICAO specimen's
// data with the given surname and expiry YYMMDD).
func td3(surname, expiry string) string {
	l1 := "P<UTO" + surname + "<<ANNA<MARIA"
	l1 += strings.Repeat("<", 44-len(l1))
	doc, dob, opt := "L898902C3", "740812", "ZE184226B<<<<<"
	l2 := doc + cd(doc) + "KEN" + dob + cd(dob) + "F" + expiry + cd(expiry) + opt + cd(opt)
	l2 += cd(doc + cd(doc) + dob + cd(dob) + expiry + cd(expiry) + opt + cd(opt))
	return l1 + "\n" + l2
}

func documentService(t *testing.T) (*kyc.Service, *recorder) {
	s, rec := newService(t)
	s.Documents = s.Store.(*sqlstore.DB)
	p, err := tier.Builtin("ke-mobile-money")
	if err != nil {
		t.Fatal(err)
	}
	s.Profile = p
	return s, rec
}

func TestDocumentsLifecycleAndTier(t *testing.T) {
	analyst := warden.NewContextWithActor(context.Background(), warden.Actor{Kind: warden.ActorAPIKey, ID: "analyst", Role: warden.RoleAnalyst})
	s, rec := documentService(t)
	ctx := context.Background()
	if _, err := s.SubmitDocument(ctx, "nobody", kyc.DocumentInput{Kind: "national_id", Number: "12345678"}); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("unknown customer: %v", err)
	}
	p := kyc.CustomerData{Type: "individual", GivenNames: "Anna Maria", Surname: "Eriksson", DateOfBirth: "1974-08-12", Nationality: "KE", Country: "KE", Phone: "+254712345678"}
	r, err := s.Put(ctx, "c1", p)
	if err != nil {
		t.Fatal(err)
	}
	pl, err := s.Tier(ctx, r.Customer)
	if err != nil || pl.Tier != "minimal" {
		t.Fatalf("tier with a phone only: %+v %v", pl, err)
	}
	// A passport that agrees with the record has no findings; its printed
	// issue date is kept.
	good, err := s.SubmitDocument(ctx, "c1", kyc.DocumentInput{Kind: "passport", MRZ: td3("ERIKSSON", "320415"), IssuedOn: "2022-04-16"})
	if err != nil || good.Status != "submitted" || len(good.Findings) != 0 || good.Number != "L898902C3" || good.ExpiresOn != "2032-04-15" || good.Expired ||
		good.IssuedOn != "2022-04-16" {
		t.Fatalf("good passport: %+v %v", good, err)
	}
	// The MRZ's alpha-3 nationality is compared with the record's alpha-2.
	p2 := p
	p2.Nationality = "TZ"
	if _, err := s.Put(ctx, "c2", p2); err != nil {
		t.Fatal(err)
	}
	if tz, err := s.SubmitDocument(ctx, "c2", kyc.DocumentInput{Kind: "passport", MRZ: td3("ERIKSSON", "320415")}); err != nil || len(tz.Findings) != 1 || tz.Findings[0].Field != "nationality" {
		t.Fatalf("nationality mismatch: %+v %v", tz, err)
	}
	// One in another name is recorded with the discrepancy.
	other, err := s.SubmitDocument(ctx, "c1", kyc.DocumentInput{Kind: "passport", MRZ: td3("SMITH", "320415")})
	if err != nil || len(other.Findings) != 1 || other.Findings[0].Field != "surname" {
		t.Fatalf("mismatching passport: %+v %v", other, err)
	}
	// An expired one is flagged and cannot be verified.
	old, err := s.SubmitDocument(ctx, "c1", kyc.DocumentInput{Kind: "passport", MRZ: td3("ERIKSSON", "120415")})
	if err != nil || !old.Expired {
		t.Fatalf("expired passport: %+v %v", old, err)
	}
	if _, err := s.DecideDocument(analyst, old.ID, true, ""); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("verify expired: %v", err)
	}
	if _, err := s.DecideDocument(analyst, other.ID, false, ""); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("reject without reason: %v", err)
	}
	if d, err := s.DecideDocument(analyst, other.ID, false, "name does not match"); err != nil || d.Status != "rejected" || d.DecidedBy != "api_key:analyst" {
		t.Fatalf("reject: %+v %v", d, err)
	}
	if d, err := s.DecideDocument(analyst, good.ID, true, ""); err != nil || d.Status != "verified" {
		t.Fatalf("verify: %+v %v", d, err)
	}
	if _, err := s.DecideDocument(analyst, good.ID, false, "changed my mind"); warden.ErrorCode(err) != warden.ECONFLICT {
		t.Fatalf("decide twice: %v", err)
	}
	// The verified passport lifts the customer to full KYC.
	pl, _ = s.Tier(ctx, r.Customer)
	if pl.Tier != "full" {
		t.Fatalf("tier after a verified passport: %+v", pl)
	}
	ds, _ := s.CustomerDocuments(ctx, "c1")
	expiredSeen := 0
	for _, d := range ds {
		if d.Expired != (d.ID == old.ID) {
			t.Fatalf("document %s expired=%v", d.ID, d.Expired)
		}
		if d.Expired {
			expiredSeen++
		}
	}
	if len(ds) != 3 || expiredSeen != 1 {
		t.Fatalf("documents %d, expired %d", len(ds), expiredSeen)
	}
	got := strings.Join(rec.actions, " ")
	if strings.Count(got, "document.submit") != 4 || !strings.Contains(got, "document.verify:"+good.ID) || !strings.Contains(got, "document.reject:"+other.ID) {
		t.Fatalf("audit %s", got)
	}
}

func TestDocumentInputErrors(t *testing.T) {
	s, _ := documentService(t)
	ctx := context.Background()
	if _, err := s.Put(ctx, "c1", kyc.CustomerData{Type: "individual", GivenNames: "A", Surname: "B", DateOfBirth: "1980-01-01", Country: "KE"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		in    kyc.DocumentInput
		field string
	}{
		{kyc.DocumentInput{Kind: "selfie"}, "kind"},
		{kyc.DocumentInput{Kind: "passport"}, "mrz"},
		{kyc.DocumentInput{Kind: "passport", MRZ: strings.Replace(td3("B", "320415"), "L898902C3", "L898902C4", 1)}, "mrz.document_number_check"},
		{kyc.DocumentInput{Kind: "national_id", Number: "12"}, "kenya_national_id"},
		{kyc.DocumentInput{Kind: "ssn", Number: "666-12-3456"}, "ssn"},
		{kyc.DocumentInput{Kind: "proof_of_address", IssuedOn: "2020-01-01"}, "proof_of_address.issued"},
		{kyc.DocumentInput{Kind: "proof_of_address", IssuedOn: "yesterday"}, "issued_on"},
		// A passport's printed issue date: a date, not ahead, before expiry,
		// not before the holder's birth (1980-01-01).
		{kyc.DocumentInput{Kind: "passport", MRZ: td3("B", "320415"), IssuedOn: "15/04/2022"}, "issued_on"},
		{kyc.DocumentInput{Kind: "passport", MRZ: td3("B", "320415"), IssuedOn: "2099-01-01"}, "issued_on"},
		{kyc.DocumentInput{Kind: "passport", MRZ: td3("B", "320415"), IssuedOn: "1970-01-01"}, "issued_on"},
	} {
		_, err := s.SubmitDocument(ctx, "c1", c.in)
		var e *warden.Error
		if err == nil || !asError(err, &e) || e.Code != warden.EINVALID || e.Field != c.field {
			t.Errorf("%+v: %v, want invalid %s", c.in, err, c.field)
		}
	}
}
