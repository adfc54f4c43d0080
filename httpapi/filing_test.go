package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/monitoring"
)

func withInstitution(c *config.Config) {
	addr := config.PostalAddress{Street: "1 Main Street", City: "Springfield", State: "IL", PostalCode: "62701", Country: "US"}
	c.Reporting.Institution = config.Institution{LegalName: "Harambee Community Bank", EIN: "12-3456789", PrimaryRegulator: "fdic", Type: "depository",
		Address: addr, ContactOffice: "BSA Office", ContactPhone: "2175550100"}
	c.Reporting.Transmitter = config.Transmitter{Name: "Harambee Community Bank", TIN: "123456789", TCC: "PABCD1234", Address: addr, Phone: "2175550100", ContactName: "Jane Officer"}
}

func xmllintOK(t *testing.T, xsd string, doc []byte) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "f.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", filepath.Join("..", "reporting", "fincen", "testdata", xsd), f).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", xsd, err, out)
	}
}

const usPerson = `{"type":"individual","given_names":"John","surname":"Doe","date_of_birth":"1980-02-03","nationality":"US","country":"US",
	"address":{"line1":"9 Elm Street","city":"Springfield","region":"IL","postal_code":"62702","country":"US"}}`

func TestRegulatorFilesOverHTTP(t *testing.T) {
	e := newEnv(t, withInstitution)
	svc := e.key(warden.RoleService)
	alice, bob := e.key(warden.RoleAnalyst), e.key(warden.RoleAnalyst)
	e.do("PUT", "/v1/customers/cust-1", svc, usPerson)
	// The last business day: three cash deposits just under $10,000 (structuring), $28,700 in all.
	day := time.Now().UTC().AddDate(0, 0, -1).Truncate(24 * time.Hour).Add(9 * time.Hour)
	for day.Weekday() == time.Saturday || day.Weekday() == time.Sunday {
		day = day.AddDate(0, 0, -1) // the last business day
	}
	for i, amt := range []int{950000, 940000, 980000} {
		body := fmt.Sprintf(`{"id":"t-%d","time":%q,"customer_id":"cust-1","account_id":"acct-%d","amount":%d,"currency":"USD","direction":"in","channel":"cash"}`,
			i, day.Add(time.Duration(i)*time.Hour).Format(time.RFC3339), i%2, amt)
		e.do("POST", "/v1/transactions", svc, body).decode(t, 200, &map[string]any{})
	}
	ctx := context.Background()
	if err := e.srv.monitoring.WaitAlerts(ctx); err != nil {
		t.Fatal(err)
	}
	var c cases.Case
	e.do("POST", "/v1/cases", alice, `{"customer_id":"cust-1"}`).decode(t, 201, &c)
	e.do("GET", "/v1/cases/"+c.ID+"/sar.xml", alice, "").wantError(t, 409, warden.ECONFLICT, "sar")
	e.do("POST", "/v1/cases/"+c.ID+"/sar", alice, `{"narrative":"`+strings.Repeat("Cash deposits just under the CTR threshold on one day. ", 3)+`","categories":["structuring"],"activity_from":"`+day.Format(time.DateOnly)+`","activity_to":"`+day.Format(time.DateOnly)+`"}`).decode(t, 200, &c)
	e.do("POST", "/v1/cases/"+c.ID+"/sar/approve", bob, "").decode(t, 200, &c)
	r := e.do("GET", "/v1/cases/"+c.ID+"/sar.xml", bob, "")
	if r.status != 200 || r.header.Get("Content-Type") != "application/xml" || r.header.Get("X-Content-SHA256") == "" {
		t.Fatalf("sar.xml %d %v\n%s", r.status, r.header, r.body)
	}
	xmllintOK(t, "EFL_SARXBatchSchema.xsd", r.body)
	if !strings.Contains(string(r.body), "Doe") || !strings.Contains(string(r.body), `TotalAmount="28700"`) {
		t.Fatalf("sar content:\n%s", r.body)
	}
	e.do("GET", "/v1/cases/"+c.ID+"/sar.xml", e.key(warden.RoleAuditor), "").wantError(t, 403, warden.EFORBIDDEN, "")

	// The day's close makes a CTR for John Doe ($28,700 in); approved, it exports as a CTRX batch once.
	date := day.Format(time.DateOnly)
	if res, err := e.srv.ctrs.Close(ctx, date); err != nil || res.Reports != 1 {
		t.Fatalf("close %+v %v", res, err)
	}
	e.do("GET", "/v1/ctrs/export?date="+date, alice, "").wantError(t, 404, warden.ENOTFOUND, "date")
	var list struct {
		Reports []struct {
			ID string `json:"id"`
		} `json:"reports"`
	}
	e.do("GET", "/v1/ctrs?date="+date, alice, "").decode(t, 200, &list)
	e.do("POST", "/v1/ctrs/"+list.Reports[0].ID+"/approve", alice, "").decode(t, 200, &map[string]any{})
	r = e.do("GET", "/v1/ctrs/export?date="+date, alice, "")
	if r.status != 200 {
		t.Fatalf("export %d %s", r.status, r.body)
	}
	xmllintOK(t, "EFL_CTRXBatchSchema.xsd", r.body)
	if !strings.Contains(string(r.body), `TotalAmount="28700"`) || !strings.Contains(string(r.body), `ActivityCount="1"`) {
		t.Fatalf("ctr content:\n%s", r.body)
	}
	e.do("GET", "/v1/ctrs/export?date="+date, alice, "").wantError(t, 404, warden.ENOTFOUND, "date")
	a := string(e.do("GET", "/v1/audit/entries?from=0&to=1000", e.admin, "").body)
	if !strings.Contains(a, `"case.sar_export"`) || !strings.Contains(a, `"ctr.export"`) {
		t.Fatal("exports not audited")
	}
}

func TestExportsNeedTheInstitution(t *testing.T) {
	e := newEnv(t, nil)
	e.do("GET", "/v1/ctrs/export?date=2026-01-02", e.key(warden.RoleAnalyst), "").wantError(t, 404, warden.ENOTFOUND, "date")
}

func TestComplianceReportOverHTTP(t *testing.T) {
	e := newEnv(t, nil)
	e.do("PUT", "/v1/customers/cust-1", e.key(warden.RoleService), usPerson)
	today := time.Now().UTC().Format(time.DateOnly)
	from := time.Now().UTC().AddDate(0, -1, 0).Format(time.DateOnly)
	var rep struct {
		Screening struct {
			Customers, Screened int
		}
		Audit struct {
			OK      bool  `json:"ok"`
			Entries int64 `json:"entries"`
		}
		Lists []any
	}
	auditor := e.key(warden.RoleAuditor)
	e.do("GET", "/v1/reports/compliance?from="+from+"&to="+today, auditor, "").decode(t, 200, &rep)
	if rep.Screening.Customers != 1 || rep.Screening.Screened != 1 || !rep.Audit.OK || rep.Audit.Entries < 2 || len(rep.Lists) == 0 {
		t.Fatalf("report %+v", rep)
	}
	r := e.do("GET", "/v1/reports/compliance?from="+from+"&to="+today+"&format=html", auditor, "")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "Compliance report") {
		t.Fatalf("html %d %s", r.status, r.body)
	}
	e.do("GET", "/v1/reports/compliance?from="+today+"&to="+from, auditor, "").wantError(t, 400, warden.EINVALID, "to")
	e.do("GET", "/v1/reports/compliance?from="+from+"&to="+today+"&format=pdf", auditor, "").wantError(t, 400, warden.EINVALID, "format")
	e.do("GET", "/v1/reports/compliance?from="+from+"&to="+today, e.key(warden.RoleService), "").wantError(t, 403, warden.EFORBIDDEN, "")
}

func TestGoAMLOverHTTP(t *testing.T) {
	e := newEnv(t, func(c *config.Config) {
		c.Reporting.GoAML = config.GoAML{EntityID: 1042, LocalCurrency: "KES", Institution: "Harambee Mobile Money", Timezone: "Africa/Nairobi",
			ReportingFirstName: "Amina", ReportingLastName: "Otieno", CashThresholdUSD: "15000.00", Rates: map[string]string{"KES": "129.25"}}
	})
	svc, alice, bob := e.key(warden.RoleService), e.key(warden.RoleAnalyst), e.key(warden.RoleAnalyst)
	e.do("PUT", "/v1/customers/cust-ke", svc, `{"type":"individual","given_names":"Wanjiru","surname":"Ngũgĩ","date_of_birth":"1985-04-12","nationality":"KE","country":"KE"}`)
	when := time.Now().UTC().Add(-2 * time.Hour)
	body := fmt.Sprintf(`{"id":"ke-1","time":%q,"customer_id":"cust-ke","account_id":"0712345678","amount":194000000,"currency":"KES","direction":"in","channel":"cash","counterparty":{"name":"Banco Nacional de Cuba"}}`, when.Format(time.RFC3339))
	e.do("POST", "/v1/transactions", svc, body).decode(t, 200, &map[string]any{})
	if err := e.srv.monitoring.WaitAlerts(context.Background()); err != nil {
		t.Fatal(err)
	}
	var c cases.Case
	e.do("POST", "/v1/cases", alice, `{"customer_id":"cust-ke"}`).decode(t, 201, &c)
	e.do("POST", "/v1/cases/"+c.ID+"/sar", alice, `{"narrative":"`+strings.Repeat("Cash from a sanctioned bank's name at an agent. ", 3)+`","categories":["money_laundering"]}`).decode(t, 200, &c)
	e.do("POST", "/v1/cases/"+c.ID+"/sar/approve", bob, "").decode(t, 200, &c)
	r := e.do("GET", "/v1/cases/"+c.ID+"/goaml.xml", alice, "")
	if r.status != 200 {
		t.Fatalf("goaml.xml %d %s", r.status, r.body)
	}
	xmllintGoAML(t, r.body)
	// That deposit was blocked (an unverified customer has no tier limits
	// to spend), so it did not happen; an allowed one, as a verified
	// customer's would be, makes the cash report.
	allowed := monitoring.Transaction{ID: "ke-2", Time: when, CustomerID: "cust-ke", AccountID: "0712345678", Amount: 194000000, Currency: "KES", Direction: "in", Channel: "cash"}
	if _, err := e.db.SaveDecided(context.Background(), []*monitoring.Decided{{Transaction: allowed, PayloadHash: "h",
		Decision: monitoring.Decision{TransactionID: "ke-2", Action: "allow", DecidedAt: when, Reasons: []monitoring.Reason{}}}}); err != nil {
		t.Fatal(err)
	}
	r = e.do("GET", "/v1/reports/goaml/cash?date="+when.In(mustNairobi(t)).Format(time.DateOnly)+"&customer=cust-ke", alice, "")
	if r.status != 200 {
		t.Fatalf("cash %d %s", r.status, r.body)
	}
	xmllintGoAML(t, r.body)
	// cust-ke has no verified identity document: written as a plain person,
	// and the answer says so, naming ids and fields only (warnings are
	// audited, so no name and no account number).
	warns := r.header.Values("X-Warden-Warning")
	if len(warns) < 2 || !strings.Contains(strings.Join(warns, "\n"), "cust-ke") {
		t.Fatalf("cash report warnings %q", warns)
	}
	for _, w := range warns {
		if strings.Contains(w, "Wanjiru") || strings.Contains(w, "0712345678") {
			t.Fatalf("a warning carries personal data: %q", w)
		}
	}
	if bytes.Contains(r.body, []byte("t_from_my_client")) || bytes.Contains(r.body, []byte("t_to_my_client")) {
		t.Fatal("an undocumented customer was written as a my-client")
	}
	e.do("GET", "/v1/reports/goaml/cash?date=2020-01-01&customer=cust-ke", alice, "").wantError(t, 404, warden.ENOTFOUND, "customer")
}

func mustNairobi(t *testing.T) *time.Location {
	loc, err := time.LoadLocation("Africa/Nairobi")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func xmllintGoAML(t *testing.T, doc []byte) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "g.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", filepath.Join("..", "reporting", "goaml", "testdata", "goAMLSchema-5.0.2.xsd"), f).CombinedOutput(); err != nil {
		t.Fatalf("goAML: %v\n%s\n%s", err, out, doc)
	}
}
