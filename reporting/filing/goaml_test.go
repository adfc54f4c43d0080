package filing_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/reporting/filing"
)

var frc = config.GoAML{EntityID: 1042, Branch: "NBI-001", LocalCurrency: "KES", Institution: "Harambee Mobile Money", Timezone: "Africa/Nairobi",
	Location:           config.PostalAddress{Street: "Moi Avenue 1", City: "Nairobi", State: "Nairobi County", Country: "KE"},
	ReportingFirstName: "Amina", ReportingLastName: "Otieno", ReportingPhone: "0202345678", PhonePrefix: "254",
	CashThresholdUSD: "15000.00", Rates: map[string]string{"KES": "129.25"}}

func validateGoAML(t *testing.T, doc []byte) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "r.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("xmllint", "--noout", "--schema", filepath.Join("..", "goaml", "testdata", "goAMLSchema-5.0.2.xsd"), f).CombinedOutput(); err != nil {
		t.Fatalf("goAML schema rejects the file: %v\n%s\n%s", err, out, doc)
	}
}

func TestGoAMLReportsValidate(t *testing.T) {
	db := store(t)
	ctx := context.Background()
	if err := db.PutCustomer(ctx, &kyc.Customer{ID: "cust-ke", Version: 1, UpdatedAt: time.Now().UTC(), UpdatedBy: "t", CustomerData: kyc.CustomerData{Type: "individual",
		GivenNames: "Wanjiru", Surname: "Ngũgĩ", DateOfBirth: "1985-04-12", Nationality: "KE", Country: "KE"}}); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 2, 8, 30, 0, 0, time.UTC)
	txs := []monitoring.Transaction{
		{ID: "ke-1", Time: at, CustomerID: "cust-ke", AccountID: "0712345678", Amount: 194000000, Currency: "KES", Direction: "in", Channel: "cash", Agent: "agent-7"},
		{ID: "ke-2", Time: at.Add(time.Hour), CustomerID: "cust-ke", AccountID: "0712345678", Amount: 1000000, Currency: "USD", Direction: "out", Channel: "wire",
			Counterparty: monitoring.Counterparty{Name: "Müller Handels GmbH", Country: "DE"}},
	}
	alerts := &cases.Alerts{Store: db}
	for _, tx := range txs {
		if _, err := db.SaveDecided(ctx, []*monitoring.Decided{{Transaction: tx, PayloadHash: "h", Decision: monitoring.Decision{TransactionID: tx.ID, Action: "review", DecidedAt: tx.Time, Reasons: []monitoring.Reason{}}}}); err != nil {
			t.Fatal(err)
		}
		ev, _ := json.Marshal(map[string]any{"transaction_id": tx.ID})
		if _, err := alerts.Raise(ctx, cases.Raise{CustomerID: "cust-ke", Source: "monitoring", RuleID: "rapid.in_out", RuleVersion: 1, Severity: "medium", Window: 72 * time.Hour, At: tx.Time, Evidence: ev}); err != nil {
			t.Fatal(err)
		}
	}
	cs := &cases.Cases{Store: db, Alerts: db}
	ctxA := warden.NewContextWithActor(ctx, warden.Actor{Kind: warden.ActorAPIKey, ID: "mlro"})
	c, err := cs.Open(ctxA, "cust-ke", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c, err = cs.PrepareSAR(ctxA, c.ID, cases.SARInput{Narrative: strings.Repeat("A large cash deposit at an agent, then most of it wired to Germany. ", 2), Categories: []string{"funnel_account"}}); err != nil {
		t.Fatal(err)
	}
	src := filing.Sources{Customers: db, Documents: db, Alerts: db, Transactions: db}
	base, th, err := filing.GoAMLBase(frc, at.Add(48*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	f, err := filing.GoAMLSTR(ctx, src, frc, base, c)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.XML
	validateGoAML(t, doc)
	for _, want := range []string{"<report_code>STR</report_code>", "<rentity_id>1042</rentity_id>", "<amount_local>1940000.00</amount_local>",
		"<amount_local>1292500.00</amount_local>", "Ngugi", "Muller Handels GmbH", "<foreign_amount>10000.00</foreign_amount>"} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("STR lacks %s", want)
		}
	}
	// No identity document: the customer is a plain t_person, and the
	// warnings say so.
	if strings.Contains(string(doc), "my_client") || !hasWarning(f.Warnings, "customer cust-ke is written as t_person, not t_person_my_client", "identification") {
		t.Errorf("want a plain customer with a warning, got warnings %q", f.Warnings)
	}
	// KES 1,940,000.00 at 129.25 is USD 15,009.67: the cash deposit reaches the FRC threshold.
	cash, err := filing.GoAMLCash(ctx, src, frc, base, th, "cust-ke", txs[:1])
	if err != nil {
		t.Fatal(err)
	}
	validateGoAML(t, cash.XML)
	below := txs[0]
	below.Amount = 190000000 // USD 14,700.19
	if _, err := filing.GoAMLCash(ctx, src, frc, base, th, "cust-ke", []monitoring.Transaction{below}); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("below the threshold: %v", err)
	}
	if _, _, err := filing.GoAMLBase(config.GoAML{Timezone: "UTC"}, at); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("unconfigured entity: %v", err)
	}
}
