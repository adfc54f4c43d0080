package filing_test

import (
	"context"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/reporting/filing"
	"github.com/wardenhq/warden/store/sqlstore"
)

// The parts of a goAML report the my-client tests read.
type gReport struct {
	Transactions []gTransaction `xml:"transaction"`
}

type gTransaction struct {
	FromMy *gSide `xml:"t_from_my_client"`
	From   *gSide `xml:"t_from"`
	ToMy   *gSide `xml:"t_to_my_client"`
	To     *gSide `xml:"t_to"`
}

type gSide struct {
	FromPerson  *gPerson  `xml:"from_person"`
	ToPerson    *gPerson  `xml:"to_person"`
	FromEntity  *gEntity  `xml:"from_entity"`
	ToEntity    *gEntity  `xml:"to_entity"`
	FromAccount *struct{} `xml:"from_account"`
	ToAccount   *struct{} `xml:"to_account"`
}

type gPerson struct {
	Gender      string `xml:"gender"`
	FirstName   string `xml:"first_name"`
	LastName    string `xml:"last_name"`
	BirthDate   string `xml:"birthdate"`
	IDNumber    string `xml:"id_number"`
	Nationality string `xml:"nationality1"`
	Residence   string `xml:"residence"`
	Phones      []struct {
		Prefix string `xml:"tph_country_prefix"`
		Number string `xml:"tph_number"`
	} `xml:"phones>phone"`
	Addresses []struct {
		Street string `xml:"address"`
		City   string `xml:"city"`
		Zip    string `xml:"zip"`
		State  string `xml:"state"`
	} `xml:"addresses>address"`
	Occupation string `xml:"occupation"`
	IDs        []struct {
		Type    string `xml:"type"`
		Number  string `xml:"number"`
		Issued  string `xml:"issue_date"`
		Expires string `xml:"expiry_date"`
		Country string `xml:"issue_country"`
	} `xml:"identification"`
	TaxNumber string `xml:"tax_number"`
	TaxReg    string `xml:"tax_reg_number"`
	Role      string `xml:"role"`
}

type gEntity struct {
	Name                 string    `xml:"name"`
	LegalForm            string    `xml:"incorporation_legal_form"`
	IncorporationNumber  string    `xml:"incorporation_number"`
	Business             string    `xml:"business"`
	AddressStates        []string  `xml:"addresses>address>state"`
	IncorporationCountry string    `xml:"incorporation_country_code"`
	Directors            []gPerson `xml:"director_id"`
	IncorporationDate    string    `xml:"incorporation_date"`
	TaxNumber            string    `xml:"tax_number"`
	TaxReg               string    `xml:"tax_reg_number"`
}

func hasWarning(ws []string, parts ...string) bool {
	for _, w := range ws {
		all := true
		for _, p := range parts {
			all = all && strings.Contains(w, p)
		}
		if all {
			return true
		}
	}
	return false
}

func putCustomer(t *testing.T, db *sqlstore.DB, id string, d kyc.CustomerData) {
	t.Helper()
	if err := db.PutCustomer(context.Background(), &kyc.Customer{ID: id, Version: 1, UpdatedAt: time.Now().UTC(), UpdatedBy: "t", CustomerData: d}); err != nil {
		t.Fatal(err)
	}
}

func putDocs(t *testing.T, db *sqlstore.DB, customerID string, docs ...kyc.Document) {
	t.Helper()
	for _, d := range docs {
		d.CustomerID, d.SubmittedAt = customerID, time.Now().UTC()
		if err := db.PutDocument(context.Background(), &d); err != nil {
			t.Fatal(err)
		}
	}
}

// cashReport writes a cash report of a deposit (the customer on the from
// side) and a withdrawal (the customer on the to side), validates it against
// the schema and returns it parsed.
func cashReport(t *testing.T, db *sqlstore.DB, customerID string) (filing.GoAMLFile, gReport) {
	t.Helper()
	at := time.Date(2026, 11, 2, 8, 30, 0, 0, time.UTC)
	txs := []monitoring.Transaction{
		{ID: customerID + "-in", Time: at, CustomerID: customerID, AccountID: "0712345678", Amount: 150000000, Currency: "KES", Direction: "in", Channel: "cash", Branch: "NBI-001"},
		{ID: customerID + "-out", Time: at.Add(time.Hour), CustomerID: customerID, AccountID: "0712345678", Amount: 50000000, Currency: "KES", Direction: "out", Channel: "cash"},
	}
	base, th, err := filing.GoAMLBase(frc, at.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f, err := filing.GoAMLCash(context.Background(), filing.Sources{Customers: db, Documents: db, Owners: db}, frc, base, th, customerID, txs)
	if err != nil {
		t.Fatal(err)
	}
	validateGoAML(t, f.XML)
	var r gReport
	if err := xml.Unmarshal(f.XML, &r); err != nil {
		t.Fatal(err)
	}
	if len(r.Transactions) != 2 {
		t.Fatalf("want 2 transactions, got %d:\n%s", len(r.Transactions), f.XML)
	}
	return f, r
}

var kenyanAddress = kyc.Address{Line1: "Kenyatta Avenue 12", Line2: "3rd floor", City: "Nairobi", Region: "Nairobi County", PostalCode: "00100", Country: "KE"}

func TestGoAMLDocumentedIndividualIsMyClient(t *testing.T) {
	db := store(t)
	putCustomer(t, db, "cust-full", kyc.CustomerData{Type: kyc.TypeIndividual, GivenNames: "Wanjiru", Surname: "Ngũgĩ", DateOfBirth: "1985-04-12",
		Nationality: "KE", Country: "KE", Occupation: "Trader", Phone: "+254712345678", Address: kenyanAddress})
	putDocs(t, db, "cust-full",
		kyc.Document{ID: "doc_passport01", Kind: kyc.DocPassport, Number: "AK1234567", IssuedOn: "2019-03-01", ExpiresOn: "2029-02-28", Status: kyc.DocVerified},
		kyc.Document{ID: "doc_natid00001", Kind: kyc.DocNationalID, Number: "12345678", Status: kyc.DocVerified},
		// Not verified: not written.
		kyc.Document{ID: "doc_idcard0001", Kind: kyc.DocIDCard, Number: "X0000000", IssuedOn: "2020-01-01", ExpiresOn: "2030-01-01", Status: kyc.DocSubmitted})
	f, r := cashReport(t, db, "cust-full")

	in, out := r.Transactions[0], r.Transactions[1]
	if in.FromMy == nil || in.FromMy.FromPerson == nil || in.From != nil {
		t.Fatalf("the deposit's from side is not t_from_my_client with from_person:\n%s", f.XML)
	}
	if out.ToMy == nil || out.ToMy.ToPerson == nil || out.To != nil {
		t.Fatalf("the withdrawal's to side is not t_to_my_client with to_person:\n%s", f.XML)
	}
	// The account side stays plain.
	if in.To == nil || in.To.ToAccount == nil || in.ToMy != nil || out.From == nil || out.From.FromAccount == nil {
		t.Fatalf("the account side should be plain t_to/t_from:\n%s", f.XML)
	}
	p := in.FromMy.FromPerson
	if p.Gender != "-" || p.FirstName != "Wanjiru" || p.LastName != "Ngugi" || p.BirthDate != "1985-04-12T00:00:00" || p.IDNumber != "12345678" ||
		p.Nationality != "KE" || p.Residence != "KE" || p.Occupation != "Trader" || p.TaxReg != "N" {
		t.Errorf("person %+v", p)
	}
	if len(p.Phones) != 1 || p.Phones[0].Prefix != "254" || p.Phones[0].Number != "712345678" {
		t.Errorf("phones %+v", p.Phones)
	}
	if len(p.Addresses) != 1 || p.Addresses[0].Street != "Kenyatta Avenue 12 3rd floor" || p.Addresses[0].City != "Nairobi" ||
		p.Addresses[0].State != "Nairobi County" || p.Addresses[0].Zip != "00100" {
		t.Errorf("addresses %+v", p.Addresses)
	}
	if len(p.IDs) != 1 {
		t.Fatalf("want the verified passport only (a national ID has no dates), got %+v", p.IDs)
	}
	if id := p.IDs[0]; id.Type != "PASSP" || id.Number != "AK1234567" || id.Issued != "2019-03-01T00:00:00" || id.Expires != "2029-02-28T00:00:00" || id.Country != "KE" {
		t.Errorf("identification %+v", id)
	}
	if out.ToMy.ToPerson.LastName != "Ngugi" || len(out.ToMy.ToPerson.IDs) != 1 {
		t.Errorf("to person %+v", out.ToMy.ToPerson)
	}
	// The only warning is about the accounts, which Warden cannot complete.
	if len(f.Warnings) != 1 || !hasWarning(f.Warnings, "t_account_my_client") || strings.Contains(f.Warnings[0], "0712345678") {
		t.Errorf("warnings %q", f.Warnings)
	}
}

func TestGoAMLDocumentedEntityIsMyClient(t *testing.T) {
	db := store(t)
	ctx := context.Background()
	putCustomer(t, db, "ent-full", kyc.CustomerData{Type: kyc.TypeEntity, LegalName: "Ngũgĩ Traders Ltd", RegistrationNumber: "PVT-AB12CD",
		IncorporationDate: "2015-03-01", BusinessType: "Wholesale of textiles", Country: "KE", Phone: "+254202345678", Address: kenyanAddress})
	putDocs(t, db, "ent-full", kyc.Document{ID: "doc_ein0000001", Kind: kyc.DocEIN, Number: "12-3456789", Status: kyc.DocVerified})
	// Amina holds 60% and Cher 30% (beneficial owners); Joseph holds 10% and
	// is the control person. Cher's one-word name cannot be written.
	owners := kyc.Owners{ControlPerson: "p-joseph", Parties: []kyc.OwnerParty{
		{ID: "p-amina", Kind: "individual", Name: "Amina Wanjiku Otieno", DateOfBirth: "1970-01-02", Country: "KE"},
		{ID: "p-joseph", Kind: "individual", Name: "Joseph Kamau"},
		{ID: "p-cher", Kind: "individual", Name: "Cher"},
	}, Stakes: []kyc.OwnerStake{{Owner: "p-amina", Owned: "ent-full", BasisPoints: 6000}, {Owner: "p-cher", Owned: "ent-full", BasisPoints: 3000},
		{Owner: "p-joseph", Owned: "ent-full", BasisPoints: 1000}}}
	if err := db.PutOwners(ctx, "ent-full", owners, nil, time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	f, r := cashReport(t, db, "ent-full")

	in, out := r.Transactions[0], r.Transactions[1]
	if in.FromMy == nil || in.FromMy.FromEntity == nil || in.From != nil {
		t.Fatalf("the deposit's from side is not t_from_my_client with from_entity:\n%s", f.XML)
	}
	if out.ToMy == nil || out.ToMy.ToEntity == nil || out.To != nil {
		t.Fatalf("the withdrawal's to side is not t_to_my_client with to_entity:\n%s", f.XML)
	}
	e := in.FromMy.FromEntity
	if e.Name != "Ngugi Traders Ltd" || e.LegalForm != "-" || e.IncorporationNumber != "PVT-AB12CD" || e.Business != "Wholesale of textiles" ||
		e.IncorporationCountry != "KE" || e.IncorporationDate != "2015-03-01T00:00:00" || e.TaxNumber != "123456789" || e.TaxReg != "Y" ||
		len(e.AddressStates) != 1 || e.AddressStates[0] != "Nairobi County" {
		t.Errorf("entity %+v", e)
	}
	if len(e.Directors) != 2 {
		t.Fatalf("want Amina (UBO) and Joseph (control person) as directors, got %+v", e.Directors)
	}
	if d := e.Directors[0]; d.FirstName != "Amina Wanjiku" || d.LastName != "Otieno" || d.Role != "UBO" || d.BirthDate != "1970-01-02T00:00:00" {
		t.Errorf("first director %+v", d)
	}
	if d := e.Directors[1]; d.FirstName != "Joseph" || d.LastName != "Kamau" || d.Role != "" {
		t.Errorf("second director %+v", d)
	}
	if !hasWarning(f.Warnings, "owner p-cher of customer ent-full is not listed as a director") || hasWarning(f.Warnings, "Cher") {
		t.Errorf("want a note on the one-word owner that does not repeat the name, got %q", f.Warnings)
	}
	if hasWarning(f.Warnings, "is written as t_entity") {
		t.Errorf("the entity fell back: %q", f.Warnings)
	}
}

// A record missing what the my-client structures require is written plainly
// (and still validates), with a warning naming what is missing.
func TestGoAMLIncompleteCustomerIsPlain(t *testing.T) {
	full := kyc.CustomerData{Type: kyc.TypeIndividual, GivenNames: "Wanjiru", Surname: "Ngũgĩ", DateOfBirth: "1985-04-12", Nationality: "KE", Country: "KE"}
	passport := kyc.Document{ID: "doc_passport01", Kind: kyc.DocPassport, Number: "AK1234567", IssuedOn: "2019-03-01", ExpiresOn: "2029-02-28", Status: kyc.DocVerified}
	entity := kyc.CustomerData{Type: kyc.TypeEntity, LegalName: "Ngugi Traders Ltd", RegistrationNumber: "PVT-AB12CD", IncorporationDate: "2015-03-01",
		Country: "KE", Address: kenyanAddress}
	oneOwner := &kyc.Owners{ControlPerson: "p-1", Parties: []kyc.OwnerParty{{ID: "p-1", Kind: "individual", Name: "Joseph Kamau"}}}
	for _, tc := range []struct {
		name   string
		data   func(*kyc.CustomerData)
		base   kyc.CustomerData
		docs   []kyc.Document
		owners *kyc.Owners
		want   []string
	}{
		{name: "passport without issue date", base: full, docs: []kyc.Document{{ID: "doc_passport01", Kind: kyc.DocPassport, Number: "AK1234567", ExpiresOn: "2029-02-28", Status: kyc.DocVerified}},
			want: []string{"written as t_person, not t_person_my_client", "identification", "passport doc_passport01 has no issue date"}},
		{name: "no documents", base: full, want: []string{"written as t_person, not t_person_my_client", "identification"}},
		{name: "rejected passport", base: full, docs: []kyc.Document{func() kyc.Document { d := passport; d.Status = kyc.DocRejected; return d }()},
			want: []string{"written as t_person, not t_person_my_client", "identification"}},
		{name: "no nationality", base: full, data: func(d *kyc.CustomerData) { d.Nationality = "" }, docs: []kyc.Document{passport},
			want: []string{"written as t_person, not t_person_my_client", "nationality", "passport doc_passport01 has no issuing country"}},
		{name: "ID card of a foreign resident", base: full, data: func(d *kyc.CustomerData) { d.Country = "UG" },
			docs: []kyc.Document{{ID: "doc_idcard0001", Kind: kyc.DocIDCard, Number: "X1234567", IssuedOn: "2020-01-01", ExpiresOn: "2030-01-01", Status: kyc.DocVerified}},
			want: []string{"written as t_person, not t_person_my_client", "id_card doc_idcard0001 has no issuing country"}},
		{name: "date the goAML writer refuses", base: full,
			docs: []kyc.Document{func() kyc.Document { d := passport; d.IssuedOn = "1700-01-01"; return d }()},
			want: []string{"written as t_person, not t_person_my_client", "the goAML writer refuses person.ids[0].issued: person.ids[0].issued is out of range"}},
		{name: "entity without ownership", base: entity, want: []string{"written as t_entity, not t_entity_my_client", "directors (no ownership structure recorded)"}},
		{name: "entity without incorporation date", base: entity, data: func(d *kyc.CustomerData) { d.IncorporationDate = "" }, owners: oneOwner,
			want: []string{"written as t_entity, not t_entity_my_client", "incorporation_date"}},
		{name: "entity without region", base: entity, data: func(d *kyc.CustomerData) { d.Address.Region = "" }, owners: oneOwner,
			want: []string{"written as t_entity, not t_entity_my_client", "address"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := store(t)
			d := tc.base
			if tc.data != nil {
				tc.data(&d)
			}
			putCustomer(t, db, "cust-gap", d)
			putDocs(t, db, "cust-gap", tc.docs...)
			if tc.owners != nil {
				o := *tc.owners
				o.Stakes = []kyc.OwnerStake{{Owner: "p-1", Owned: "cust-gap", BasisPoints: 5000}}
				if err := db.PutOwners(context.Background(), "cust-gap", o, nil, time.Now().UTC()); err != nil {
					t.Fatal(err)
				}
			}
			f, r := cashReport(t, db, "cust-gap")
			if strings.Contains(string(f.XML), "my_client") {
				t.Errorf("written as my-client:\n%s", f.XML)
			}
			in := r.Transactions[0]
			if in.From == nil || (in.From.FromPerson == nil && in.From.FromEntity == nil) {
				t.Errorf("the customer is not the plain from side:\n%s", f.XML)
			}
			if !hasWarning(f.Warnings, append([]string{"customer cust-gap"}, tc.want...)...) {
				t.Errorf("want a warning with %q, got %q", tc.want, f.Warnings)
			}
			if hasWarning(f.Warnings, "transactions[") {
				t.Errorf("a warning names the writer's check report instead of the customer's field: %q", f.Warnings)
			}
		})
	}
}
