package kyc_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/store/sqlite"
)

type recorder struct {
	actions []string
	records []audit.Record
}

func newService(t *testing.T) (*kyc.Service, *recorder) {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	return &kyc.Service{Store: db, Audit: auditFunc(rec), Now: func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }}, rec
}

func person() kyc.CustomerData {
	return kyc.CustomerData{Type: "individual", GivenNames: "Amina Wanjiru", Surname: "Otieno", DateOfBirth: "1990-05-01",
		Nationality: "ke", Country: "KE", Email: "amina@example.com", Phone: "+254712345678",
		Address: kyc.Address{Line1: "Moi Avenue 1", City: "Nairobi", Country: "KE"}}
}

func TestPutCreatesVersionsAndIsIdempotent(t *testing.T) {
	ctx := warden.NewContextWithActor(context.Background(), warden.Actor{Kind: warden.ActorAPIKey, ID: "core"})
	s, rec := newService(t)
	r, err := s.Put(ctx, "cust-1", person())
	if err != nil || !r.Created || !r.Changed || r.Customer.Version != 1 || r.Customer.Nationality != "KE" || r.Customer.UpdatedBy != "api_key:core" {
		t.Fatalf("create: %+v %v", r, err)
	}
	r, err = s.Put(ctx, "cust-1", person())
	if err != nil || r.Created || r.Changed || r.Customer.Version != 1 {
		t.Fatalf("same data again: %+v %v", r, err)
	}
	p := person()
	p.Surname = "Otieno-Kamau"
	r, err = s.Put(ctx, "cust-1", p)
	if err != nil || r.Created || !r.Changed || r.Customer.Version != 2 {
		t.Fatalf("update: %+v %v", r, err)
	}
	vs, err := s.Versions(ctx, "cust-1")
	if err != nil || len(vs) != 2 || vs[0].Surname != "Otieno" {
		t.Fatalf("versions: %+v %v", vs, err)
	}
	if len(rec.actions) != 2 || rec.actions[0] != "customer.create:cust-1" || rec.actions[1] != "customer.update:cust-1" {
		t.Fatalf("audit %v", rec.actions)
	}
	if _, err := s.Get(ctx, "nobody"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("missing: %v", err)
	}
	if _, err := s.Versions(ctx, "nobody"); warden.ErrorCode(err) != warden.ENOTFOUND {
		t.Fatalf("missing versions: %v", err)
	}
}

func TestPutValidatesFieldByField(t *testing.T) {
	s, rec := newService(t)
	cases := []struct {
		id    string
		edit  func(*kyc.CustomerData)
		field string
	}{
		{"", func(*kyc.CustomerData) {}, "id"},
		{"bad id!", func(*kyc.CustomerData) {}, "id"},
		{"c", func(d *kyc.CustomerData) { d.Type = "robot" }, "type"},
		{"c", func(d *kyc.CustomerData) { d.GivenNames = "" }, "given_names"},
		{"c", func(d *kyc.CustomerData) { d.Surname = "x\x00y" }, "surname"},
		{"c", func(d *kyc.CustomerData) { d.DateOfBirth = "01/05/1990" }, "date_of_birth"},
		{"c", func(d *kyc.CustomerData) { d.DateOfBirth = "2030-01-01" }, "date_of_birth"},
		{"c", func(d *kyc.CustomerData) { d.Nationality = "Kenya" }, "nationality"},
		{"c", func(d *kyc.CustomerData) { d.Country = "" }, "country"},
		{"c", func(d *kyc.CustomerData) { d.Email = "not an email" }, "email"},
		{"c", func(d *kyc.CustomerData) { d.Phone = "0712345678" }, "phone"},
		{"c", func(d *kyc.CustomerData) { d.Address.Country = "XX" }, "address.country"},
		{"c", func(d *kyc.CustomerData) { d.LegalName = "ACME" }, "type"},
		{"c", func(d *kyc.CustomerData) { *d = kyc.CustomerData{Type: "entity", Country: "KE"} }, "legal_name"},
		{"c", func(d *kyc.CustomerData) { *d = kyc.CustomerData{Type: "entity", LegalName: "ACME Ltd", Country: "KE"} }, "registration_number"},
		{"c", func(d *kyc.CustomerData) {
			*d = kyc.CustomerData{Type: "entity", LegalName: "ACME Ltd", RegistrationNumber: "PVT-1", Country: "KE", Surname: "x"}
		}, "type"},
	}
	for _, c := range cases {
		d := person()
		c.edit(&d)
		_, err := s.Put(context.Background(), c.id, d)
		var e *warden.Error
		if !errors.As(err, &e) || e.Code != warden.EINVALID || e.Field != c.field {
			t.Errorf("%s %+v: %v, want invalid %s", c.id, d, err, c.field)
		}
	}
	if len(rec.actions) != 0 {
		t.Fatalf("invalid customers were audited: %v", rec.actions)
	}
	ent := kyc.CustomerData{Type: "entity", LegalName: "Sunrise Trading Ltd", RegistrationNumber: "PVT-7XJ", Country: "KE", IncorporationDate: "2015-03-02"}
	if _, err := s.Put(context.Background(), "biz-1", ent); err != nil {
		t.Fatalf("valid entity: %v", err)
	}
}

func TestProductsAndChannelsAreValidated(t *testing.T) {
	s, _ := newService(t)
	ctx := context.Background()
	for field, edit := range map[string]func(*kyc.CustomerData){
		"products[1]": func(d *kyc.CustomerData) { d.Products = []string{"savings", "Wire Transfer"} },
		"channels[1]": func(d *kyc.CustomerData) { d.Channels = []string{"agent", "agent"} },
		"products":    func(d *kyc.CustomerData) { d.Products = make([]string, 21) },
	} {
		d := person()
		edit(&d)
		var we *warden.Error
		if _, err := s.Put(ctx, "c1", d); !asError(err, &we) || we.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	d := person()
	d.Products, d.Channels = []string{"international_wire"}, []string{"agent"}
	r, err := s.Put(ctx, "c1", d)
	if err != nil || len(r.Customer.Products) != 1 || r.Customer.Channels[0] != "agent" {
		t.Fatalf("%+v %v", r, err)
	}
}
