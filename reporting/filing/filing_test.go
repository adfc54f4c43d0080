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
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/reporting/filing"
	"github.com/wardenhq/warden/reporting/fincen"
	"github.com/wardenhq/warden/store/sqlite"
	"github.com/wardenhq/warden/store/sqlstore"
)

func validate(t *testing.T, xsd string, doc []byte) {
	t.Helper()
	bin, err := exec.LookPath("xmllint")
	if err != nil {
		t.Fatalf("xmllint is required (Debian libxml2-utils): %v", err)
	}
	f := filepath.Join(t.TempDir(), "batch.xml")
	if err := os.WriteFile(f, doc, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "--noout", "--schema", filepath.Join("..", "fincen", "testdata", xsd), f).CombinedOutput(); err != nil {
		t.Fatalf("%s rejects the file: %v\n%s\n%s", xsd, err, out, doc)
	}
}

var institution = config.Institution{LegalName: "Harambee Community Bank", EIN: "12-3456789", PrimaryRegulator: "fdic", Type: "depository",
	Address:       config.PostalAddress{Street: "1 Main Street", City: "Springfield", State: "IL", PostalCode: "62701", Country: "US"},
	ContactOffice: "BSA Office", ContactPhone: "217-555-0100"}

var transmitter = config.Transmitter{Name: "Harambee Community Bank", TIN: "123456789", TCC: "PABCD1234",
	Address: config.PostalAddress{Street: "1 Main Street", City: "Springfield", State: "IL", PostalCode: "62701", Country: "US"},
	Phone:   "2175550100", ContactName: "Jane Officer"}

func store(t *testing.T) *sqlstore.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

func customer(t *testing.T, db *sqlstore.DB, id, given, surname string) {
	t.Helper()
	c := &kyc.Customer{ID: id, Version: 1, UpdatedAt: time.Now().UTC(), UpdatedBy: "t", CustomerData: kyc.CustomerData{Type: "individual", GivenNames: given, Surname: surname,
		DateOfBirth: "1980-02-03", Country: "US", Nationality: "US", Phone: "+12175550199",
		Address: kyc.Address{Line1: "9 Elm Street", City: "Springfield", Region: "IL", PostalCode: "62702", Country: "US"}}}
	if err := db.PutCustomer(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if err := db.PutDocument(context.Background(), &kyc.Document{ID: "doc_" + strings.Repeat("0", 12) + id[len(id)-4:], CustomerID: id, Kind: kyc.DocSSN,
		Number: "123-45-6789", Status: kyc.DocVerified, SubmittedAt: time.Now().UTC()}); err != nil {
		t.Fatal(err)
	}
}

func TestSARFromACaseValidates(t *testing.T) {
	db := store(t)
	ctx := context.Background()
	customer(t, db, "cust-0001", "John", "Doe")
	at := time.Date(2026, 4, 20, 15, 0, 0, 0, time.UTC)
	alerts := &cases.Alerts{Store: db}
	for i, amt := range []int64{950000, 940000, 980000} {
		tx := monitoring.Transaction{ID: []string{"t1", "t2", "t3"}[i], Time: at.Add(time.Duration(i) * 24 * time.Hour), CustomerID: "cust-0001",
			AccountID: []string{"acct-1", "acct-2", "acct-1"}[i], Amount: amt, Currency: "USD", Direction: "in", Channel: "cash"}
		if _, err := db.SaveDecided(ctx, []*monitoring.Decided{{Transaction: tx, PayloadHash: "h", Decision: monitoring.Decision{TransactionID: tx.ID, Action: "review", DecidedAt: tx.Time, Reasons: []monitoring.Reason{}}}}); err != nil {
			t.Fatal(err)
		}
		ev, _ := json.Marshal(map[string]any{"transaction_id": tx.ID})
		if _, err := alerts.Raise(ctx, cases.Raise{CustomerID: "cust-0001", Source: cases.SourceMonitoring, RuleID: "structuring.cash", RuleVersion: 1,
			Severity: "high", Window: 7 * 24 * time.Hour, At: tx.Time, Evidence: ev}); err != nil {
			t.Fatal(err)
		}
	}
	cs := &cases.Cases{Store: db, Alerts: db}
	alice := warden.NewContextWithActor(ctx, warden.Actor{Kind: warden.ActorAPIKey, ID: "alice"})
	c, err := cs.Open(alice, "cust-0001", nil)
	if err != nil {
		t.Fatal(err)
	}
	c, err = cs.PrepareSAR(alice, c.ID, cases.SARInput{Narrative: strings.Repeat("Three cash deposits just under $10,000 on consecutive days at two accounts. ", 3),
		Categories: []string{"structuring", "unusual_pattern_x"}})
	if err != nil {
		t.Fatal(err)
	}
	rates, _ := ctr.ParseRates(nil)
	src := filing.Sources{Customers: db, Documents: db, Alerts: db, Transactions: db, Rates: rates}
	filer, err := filing.Filer(institution)
	if err != nil {
		t.Fatal(err)
	}
	sar, err := filing.SAR(ctx, src, filer, c)
	if err != nil {
		t.Fatal(err)
	}
	if sar.TotalAmount.Minor != 2870000 || len(sar.Subjects[0].Accounts) != 2 || sar.Subjects[0].LastName != "Doe" || len(sar.Characterizations) != 2 {
		t.Fatalf("sar %+v", sar)
	}
	b, err := filing.Batch(transmitter, at.AddDate(0, 0, 10))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := fincen.SARBatch(b, sar)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "EFL_SARXBatchSchema.xsd", doc)
	if !strings.Contains(string(doc), `TotalAmount="28700"`) || !strings.Contains(string(doc), "Doe") {
		t.Fatalf("batch header or subject missing:\n%s", doc)
	}
	// Configuration gaps are named.
	if _, err := filing.Filer(config.Institution{LegalName: "x"}); warden.ErrorCode(err) != warden.EINVALID {
		t.Fatalf("incomplete institution: %v", err)
	}
}

func TestCTRFromAReportValidates(t *testing.T) {
	db := store(t)
	ctx := context.Background()
	customer(t, db, "cust-0002", "Mary", "Owner")
	customer(t, db, "cust-0003", "Carl", "Clerk")
	r := &ctr.Report{ID: ctr.ReportID("2026-05-27", "cust-0002"), BusinessDay: "2026-05-27", PersonID: "cust-0002", CashIn: 1100050,
		Conductors: []string{"cust-0002", "cust-0003"}, Items: []ctr.Item{
			{TransactionID: "t1", ConductedBy: "cust-0002", AccountID: "acct-9", Direction: "in", Amount: 500000, Currency: "USD", USDCents: 500000},
			{TransactionID: "t2", ConductedBy: "cust-0003", AccountID: "acct-9", Direction: "in", Amount: 600050, Currency: "USD", USDCents: 600050}}}
	filer, _ := filing.Filer(institution)
	rep, err := filing.CTR(ctx, filing.Sources{Customers: db, Documents: db}, filer, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Persons) != 2 || rep.Persons[0].Role != fincen.PersonOnBehalfOf || rep.Persons[1].Role != fincen.PersonForAnother {
		t.Fatalf("persons %+v", rep.Persons)
	}
	b, _ := filing.Batch(transmitter, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC))
	doc, err := fincen.CTRBatch(b, rep)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, "EFL_CTRXBatchSchema.xsd", doc)
	// $11,000.50 is recorded as $11,001 (cents round up).
	if !strings.Contains(string(doc), `TotalAmount="11001"`) {
		t.Fatalf("total:\n%s", doc)
	}
}
