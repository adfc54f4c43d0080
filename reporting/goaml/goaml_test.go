package goaml

import (
	"bytes"
	"encoding/xml"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
)

const xsd = "goAMLSchema-5.0.2.xsd"

var nairobi = time.FixedZone("EAT", 3*3600)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// xmllint validates doc against the schema copied into testdata.
func xmllint(t *testing.T, doc []byte) (string, error) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		// scripts/test.sh installs libxml2-utils: a missing validator fails,
		// it never passes or skips silently.
		t.Fatalf("xmllint is required (Debian libxml2-utils): %v", err)
	}
	f := filepath.Join(t.TempDir(), "report.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "--noout", "--schema", filepath.Join("testdata", xsd), f).CombinedOutput()
	return string(out), err
}

func validate(t *testing.T, doc []byte) {
	t.Helper()
	if out, err := xmllint(t, doc); err != nil {
		t.Fatalf("xmllint rejected the report: %v\n%s\n--- report ---\n%s", err, out, doc)
	}
}

func client() *Person {
	return &Person{
		Gender: "F", FirstName: "Wanjiru", LastName: "Ngũgĩ", BirthDate: at("1985-04-12T00:00:00Z"),
		IDNumber: "23456789", Nationality: "KE", Residence: "KE",
		Phones:     []Phone{{ContactType: "PRIVT", Kind: "M", CountryPrefix: "+254", Number: "712345678"}},
		Addresses:  []Address{{Type: "RES", Street: "Moi Avenue 12", City: "Nairobi", Country: "KE", State: "Nairobi County"}},
		Emails:     []string{"wanjiru@example.co.ke"},
		Occupation: "Trader",
		IDs:        []Identification{{Type: "PASSP", Number: "AK0123456", Issued: at("2020-01-15T00:00:00Z"), Expires: at("2030-01-14T00:00:00Z"), Country: "KE"}},
	}
}

func clientAccount() *Account {
	return &Account{
		InstitutionName: "Example Bank Kenya", SWIFT: "EXBKKENA", InstitutionCountry: "KE", Branch: "Moi Avenue",
		Number: "0100123456789", Currency: "KES", Name: "Wanjiru Ngũgĩ", Type: "B",
		Signatories: []Signatory{{Primary: true, Person: *client(), Role: "PAH"}},
		Opened:      at("2019-06-01T09:00:00Z"), Status: "A",
	}
}

func testSTR() Report {
	return Report{
		EntityID: 1042, Branch: "NBI-001", Reference: "CASE-2026-0042",
		SubmissionDate: at("2026-11-20T10:00:00+03:00"), LocalCurrency: "KES",
		ReportingPerson: &Person{FirstName: "Amina", LastName: "Otieno", Occupation: "MLRO",
			Phones: []Phone{{ContactType: "BU", Kind: "L", CountryPrefix: "254", Number: "202345678"}}},
		Location: &Address{Type: "BU", Street: "Moi Avenue 1", City: "Nairobi", Country: "KE", State: "Nairobi County"},
		Reason:   "Fourteen cash deposits just below the reporting threshold within five days, then a transfer abroad.",
		Action:   "Account placed under enhanced monitoring.",
		Zone:     nairobi,
		Transactions: []Transaction{
			{Number: "TX-1", Location: "Moi Avenue branch", Description: "Cash deposit", Date: at("2026-11-02T11:30:00+03:00"),
				Mode: "OCT", Amount: money.Amount{Minor: 190_000_000, Currency: "KES"},
				From: Party{MyClient: true, FundsCode: "CASH", Person: client(), Country: "KE"},
				To:   Party{MyClient: true, FundsCode: "BANKD", Account: clientAccount(), Country: "KE"}},
			{Number: "TX-2", Description: "Wire to Russia", Date: at("2026-11-06T15:00:00+03:00"),
				Mode: "SWIFT", Amount: money.Amount{Minor: 250_000_050, Currency: "KES"},
				From: Party{MyClient: true, FundsCode: "BANKD", Account: clientAccount(), Country: "KE"},
				To: Party{FundsCode: "SWF", Country: "RU",
					Person:  &Person{FirstName: "Фёдор", LastName: "Щукин", Nationality: "RU"},
					Foreign: &Foreign{Amount: money.Amount{Minor: 1_500_000, Currency: "USD"}, Rate: "166.6667"}}},
			{Number: "TX-3", Description: "Incoming transfer from a supplier", Date: at("2026-11-01T09:00:00+03:00"),
				Mode: "ELCFT", Amount: money.Amount{Minor: 50_000_000, Currency: "KES"},
				From: Party{FundsCode: "BANKD", Country: "DE", Entity: &Entity{Name: "Müller & Søhne GmbH"}},
				To: Party{MyClient: true, FundsCode: "BANKD", Country: "KE", Entity: &Entity{
					Name: "Ngũgĩ Traders Ltd", LegalForm: "FINSA", IncorporationNumber: "PVT-AB12CD", Business: "Wholesale",
					Addresses:          []Address{{Type: "BU", Street: "River Road 4", City: "Nairobi", Country: "KE", State: "Nairobi County"}},
					IncorporationState: "Nairobi", IncorporationCountry: "KE", IncorporationDate: at("2015-03-01T00:00:00Z"),
					Directors: []Director{{Person: Person{FirstName: "Łukasz", LastName: "Zoë-José"}, Role: "DIR"}},
				}}},
		},
		Indicators: []string{"STRUC"},
	}
}

func TestSTRValidates(t *testing.T) {
	doc, err := STR(testSTR())
	if err != nil {
		t.Fatal(err)
	}
	validate(t, doc)
	for _, want := range []string{
		"<report_code>STR</report_code>",
		"<submission_date>2026-11-20T10:00:00</submission_date>",
		"<date_transaction>2026-11-06T15:00:00</date_transaction>",
		"<amount_local>2500000.50</amount_local>",
		"<last_name>Ngugi</last_name>",
		"<first_name>Fedor</first_name>",
		"<last_name>Shchukin</last_name>",
		"<account_name>Wanjiru Ngugi</account_name>",
		"<foreign_amount>15000.00</foreign_amount>",
		"<tph_country_prefix>254</tph_country_prefix>",
		"<tax_reg_number>N</tax_reg_number>",
		"<t_from_my_client>", "<t_to_my_client>", "<t_from>", "<t_to>",
	} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("report lacks %s", want)
		}
	}
	// Names that do not fit the pattern would have failed xmllint; an
	// entity name with "&" fails our check first.
	if bytes.Contains(doc, []byte("Müller")) {
		t.Error("untransliterated name in the report")
	}
}

func TestCashReportValidates(t *testing.T) {
	r := testSTR()
	r.Reason = ""
	r.Indicators = []string{"LRGCS"}
	r.Transactions = r.Transactions[:1]
	th := DefaultThreshold(map[money.Currency]string{"KES": "129.25"})
	// KES 1,900,000.00 / 129.25 = USD 14,700.19: below.
	if _, err := CashReport(r, th); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("below threshold: err = %v", err)
	}
	// KES 1,938,750.00 / 129.25 = USD 15,000.00 exactly: reaches.
	r.Transactions[0].Amount.Minor = 193_875_000
	doc, err := CashReport(r, th)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, doc)
	if !bytes.Contains(doc, []byte("<report_code>AIFT</report_code>")) {
		t.Error("cash report code is not AIFT")
	}
	// Kenya FRC's own code, CTR, is not in this schema's enumeration: the
	// writer refuses it rather than write a file the schema rejects.
	r.Code = "CTR"
	if _, err := CashReport(r, th); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("CTR code: err = %v", err)
	}
	// And the schema really rejects it.
	broken := bytes.Replace(doc, []byte("<report_code>AIFT</report_code>"), []byte("<report_code>CTR</report_code>"), 1)
	if out, err := xmllint(t, broken); err == nil {
		t.Errorf("schema accepted report_code CTR\n%s", out)
	}
}

func TestGoAMLSchemaRejectsBroken(t *testing.T) {
	doc, err := STR(testSTR())
	if err != nil {
		t.Fatal(err)
	}
	for name, broken := range map[string][]byte{
		"no entity reference":  bytes.Replace(doc, []byte("<entity_reference>CASE-2026-0042</entity_reference>"), nil, 1),
		"untransliterated":     bytes.Replace(doc, []byte("<last_name>Ngugi</last_name>"), []byte("<last_name>Ngũgĩ</last_name>"), 1),
		"no indicators":        bytes.Replace(doc, []byte("<indicator>STRUC</indicator>"), nil, 1),
		"client w/o birthdate": bytes.Replace(doc, []byte("<birthdate>1985-04-12T00:00:00</birthdate>"), nil, 1),
	} {
		if bytes.Equal(broken, doc) {
			t.Fatalf("%s: the mutation did not apply", name)
		}
		if out, err := xmllint(t, broken); err == nil {
			t.Errorf("%s: xmllint accepted a broken report\n%s", name, out)
		}
	}
}

func TestGoAMLInputErrors(t *testing.T) {
	cases := map[string]struct {
		field  string
		mutate func(*Report)
	}{
		"arabic name":     {"transactions[1].to.person.first_name", func(r *Report) { r.Transactions[1].To.Person.FirstName = "محمد" }},
		"no reason":       {"reason", func(r *Report) { r.Reason = " " }},
		"no reference":    {"reference", func(r *Report) { r.Reference = "" }},
		"bad indicator":   {"indicators[0]", func(r *Report) { r.Indicators = []string{"NOPE"} }},
		"bad mode":        {"transactions[0].mode", func(r *Report) { r.Transactions[0].Mode = "CASH" }},
		"wrong currency":  {"transactions[0].amount", func(r *Report) { r.Transactions[0].Amount.Currency = "USD" }},
		"client no birth": {"transactions[0].from.person.birth_date", func(r *Report) { r.Transactions[0].From.Person.BirthDate = time.Time{} }},
		"client no ids":   {"transactions[0].from.person.ids", func(r *Report) { r.Transactions[0].From.Person.IDs = nil }},
		"two parties":     {"transactions[0].from", func(r *Report) { r.Transactions[0].From.Account = clientAccount() }},
		"bad country":     {"transactions[1].to.country", func(r *Report) { r.Transactions[1].To.Country = "XX" }},
		"entity bracket":  {"transactions[2].from.entity.name", func(r *Report) { r.Transactions[2].From.Entity.Name = "A (B)" }},
		"no entity id":    {"entity_id", func(r *Report) { r.EntityID = 0 }},
		"bad email":       {"transactions[0].from.person.emails[0]", func(r *Report) { r.Transactions[0].From.Person.Emails = []string{"a@b"} }},
		"no transactions": {"transactions", func(r *Report) { r.Transactions = nil }},
		"long first name": {"reporting_person.first_name", func(r *Report) { r.ReportingPerson.FirstName = strings.Repeat("a", 101) }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := testSTR()
			c.mutate(&r)
			_, err := STR(r)
			var we *warden.Error
			if !errors.As(err, &we) || we.Code != warden.EINVALID || we.Field != c.field {
				t.Fatalf("err = %v, want EINVALID on field %s", err, c.field)
			}
		})
	}
}

// TestEnumerationsMatchSchema reads the enumerations back from the XSD so
// that the constant tables in enums.go cannot drift from it.
func TestEnumerationsMatchSchema(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", xsd))
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Simple []struct {
			Name  string `xml:"name,attr"`
			Enums []struct {
				Value string `xml:"value,attr"`
			} `xml:"restriction>enumeration"`
		} `xml:"simpleType"`
	}
	if err := xml.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	tables := map[string]map[string]bool{
		"country_type": countries, "currency_type": currencies, "conduction_type": conductionTypes,
		"funds_type": fundsTypes, "identifier_type": identifierTypes, "contact_type": contactTypes,
		"communication_type": communicationTypes, "report_indicator_type": reportIndicators,
		"report_type": reportTypes, "account_type": accountTypes, "account_status_type": accountStatuses,
		"account_person_role_type": accountRoles, "entity_person_role_type": entityRoles, "legal_form_type": legalForms,
	}
	found := 0
	for _, st := range schema.Simple {
		table, ok := tables[st.Name]
		if !ok {
			continue
		}
		found++
		inSchema := map[string]bool{}
		for _, e := range st.Enums {
			inSchema[e.Value] = true
			if !table[e.Value] {
				t.Errorf("%s: %q is in the schema, not in the table", st.Name, e.Value)
			}
		}
		for v := range table {
			if !inSchema[v] {
				t.Errorf("%s: %q is in the table, not in the schema", st.Name, v)
			}
		}
	}
	if found != len(tables) {
		t.Fatalf("found %d of %d enumerations in the schema", found, len(tables))
	}
}
