package fincen

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
)

const ctrXSD = "EFL_CTRXBatchSchema.xsd"

func usd(minor int64) money.Amount { return money.Amount{Minor: minor, Currency: "USD"} }

func testCTR() CTR {
	f := testFiler()
	return CTR{
		Filer:      f,
		FilingType: FilingInitial,
		Locations:  []Institution{f.Institution},
		Persons: []Person{
			{Role: PersonForAnother, LastName: "Ngũgĩ", FirstName: "Wanjiru", Gender: "F", BirthDate: day("1975-03-04"),
				IDs:     []Identification{{Type: IDTypeSSN, Number: "123456789"}, {Type: IDTypeDriversLicense, Number: "D1234567", IssuerState: "PA", IssuerCountry: "US"}},
				Address: Address{Street: "5 Pine Rd", City: "Philadelphia", State: "PA", PostalCode: "19103", Country: "US"},
				Phone:   Phone{Number: "2155550111"}, Occupation: "Bookkeeper", Email: "wanjiru@example.com"},
			{Role: PersonOnBehalfOf, Entity: true, Name: "Pine Road Grocers Inc", AlsoKnownAs: "Pine Grocers",
				IDs:        []Identification{{Type: IDTypeEIN, Number: "11-2233445"}},
				Address:    Address{Street: "7 Pine Rd", City: "Philadelphia", State: "PA", PostalCode: "19103", Country: "US"},
				CashIn:     usd(1_250_050),
				AccountsIn: []string{"000111222333"}, AccountsOut: []string{"000111222333"}},
		},
		TransactionDate: day("2026-11-18"),
		CashIn: []CashItem{
			{Type: CashInDeposit, Amount: usd(800_025)},                      // $8,000.25
			{Type: CashInDeposit, Amount: usd(400_025)},                      // + $4,000.25 = $12,000.50 -> 12,001
			{Type: CashInForeign, Amount: usd(50_000), ForeignCountry: "MX"}, // $500.00 -> 500
		},
		CashOut: []CashItem{
			{Type: CashOutOther, Amount: usd(30_001), OtherText: "Cash for payroll"}, // $300.01 -> 301
		},
		Aggregated: true,
	}
}

func TestCTRBatchValidates(t *testing.T) {
	second := testCTR()
	second.FilingType = FilingCorrect
	second.PriorBSAID = "31000987654321"
	second.Persons = []Person{{Role: PersonOwnBehalf, LastName: "Smith", FirstName: "Zoë",
		Address: Address{Street: "9 Oak St", City: "Trenton", State: "NJ", Country: "US"}}}
	second.CashIn = nil
	second.CashOut = []CashItem{{Type: CashOutWithdrawal, Amount: usd(1_000_001)}} // $10,000.01 -> 10,001
	second.Aggregated = false

	doc, err := CTRBatch(testBatch(), testCTR(), second)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, ctrXSD, doc)

	// Hand-computed. First CTR: deposits 8,000.25 + 4,000.25 = 12,000.50 ->
	// 12,001; foreign in 500; cash in 12,501; other out 300.01 -> 301.
	// Second CTR: withdrawal 10,000.01 -> 10,001. TotalAmount = 12,501 +
	// 301 + 10,001 = 22,803. Parties: 6 institutional (35, 37, 30, 8, 34)
	// is 5 + 2 persons = 7 in the first; 5 + 1 = 6 in the second: 13.
	h := readHeader(t, doc)
	if h.TotalAmount != "22803" || h.PartyCount != "13" || h.ActivityCount != "2" {
		t.Errorf("header = %+v, want TotalAmount 22803, PartyCount 13, ActivityCount 2", h)
	}
	for _, want := range []string{
		`<EFilingBatchXML xmlns="www.fincen.gov/base"`,
		`<FormTypeCode>CTRX</FormTypeCode>`,
		`<TotalCashInReceiveAmountText>12501</TotalCashInReceiveAmountText>`,
		`<TotalCashOutAmountText>301</TotalCashOutAmountText>`,
		`<DetailTransactionAmountText>12001</DetailTransactionAmountText>`,
		`<OtherForeignCurrencyCountryText>MX</OtherForeignCurrencyCountryText>`,
		`<IndividualEntityCashInAmountText>12501</IndividualEntityCashInAmountText>`,
		`<TotalCashInReceiveAmountText>0</TotalCashInReceiveAmountText>`,
		`<AggregateTransactionIndicator>Y</AggregateTransactionIndicator>`,
		`<RawEntityIndividualLastName>Ngũgĩ</RawEntityIndividualLastName>`,
	} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("document lacks %s", want)
		}
	}
}

func TestCTRSchemaRejectsBroken(t *testing.T) {
	doc, err := CTRBatch(testBatch(), testCTR())
	if err != nil {
		t.Fatal(err)
	}
	for name, broken := range map[string][]byte{
		"no FormTypeCode":     bytes.Replace(doc, []byte("<FormTypeCode>CTRX</FormTypeCode>"), nil, 1),
		"no transaction date": regexpRemove(doc, `<TransactionDateText>\d+</TransactionDateText>`),
		"no ATM indicator":    regexpRemove(doc, `<ATMIndicator></ATMIndicator>`),
		"no PartyCount":       regexpRemove(doc, ` PartyCount="\d+"`),
		"duplicate SeqNum":    bytes.Replace(doc, []byte(`SeqNum="3"`), []byte(`SeqNum="2"`), 1),
		"bad detail code":     bytes.Replace(doc, []byte(">55</CurrencyTransactionActivityDetailTypeCode>"), []byte(">57</CurrencyTransactionActivityDetailTypeCode>"), 1),
	} {
		if bytes.Equal(broken, doc) {
			t.Fatalf("%s: the mutation did not apply", name)
		}
		if out, err := xmllint(t, ctrXSD, broken); err == nil {
			t.Errorf("%s: xmllint accepted a broken document\n%s", name, out)
		}
	}
}

func TestCTRInputErrors(t *testing.T) {
	cases := map[string]struct {
		field  string
		mutate func(*CTR)
	}{
		"below threshold":   {"cash_in", func(c *CTR) { c.CashIn = []CashItem{{Type: CashInDeposit, Amount: usd(1_000_000)}}; c.CashOut = nil }},
		"negative":          {"cash_in[0].amount", func(c *CTR) { c.CashIn[0].Amount.Minor = -5 }},
		"euro":              {"cash_out[0].amount", func(c *CTR) { c.CashOut[0].Amount.Currency = "EUR" }},
		"in code as out":    {"cash_out[0].type", func(c *CTR) { c.CashOut[0].Type = CashInDeposit }},
		"other w/o text":    {"cash_out[0].other_text", func(c *CTR) { c.CashOut[0].OtherText = "" }},
		"foreign w/o cntry": {"cash_in[2].foreign_country", func(c *CTR) { c.CashIn[2].ForeignCountry = "" }},
		"no person name":    {"persons[0].last_name", func(c *CTR) { c.Persons[0].LastName = "" }},
		"no entity name":    {"persons[1].name", func(c *CTR) { c.Persons[1].Name = "" }},
		"for another alone": {"persons", func(c *CTR) { c.Persons = c.Persons[:1] }},
		"bad role":          {"persons[0].role", func(c *CTR) { c.Persons[0].Role = "33" }},
		"no persons":        {"persons", func(c *CTR) { c.Persons = nil }},
		"three ids": {"persons[0].ids", func(c *CTR) {
			c.Persons[0].IDs = append(c.Persons[0].IDs, Identification{Type: IDTypePassport, Number: "X1"})
		}},
		"no date":        {"transaction_date", func(c *CTR) { c.TransactionDate = day("1899-12-31") }},
		"sar regulator":  {"filer.primary_regulator", func(c *CTR) { c.Filer.PrimaryRegulator = "13" }},
		"correct w/o id": {"prior_bsa_id", func(c *CTR) { c.FilingType = FilingCorrect }},
		"continuing":     {"filing_type", func(c *CTR) { c.FilingType = FilingContinuing }},
		"long city":      {"persons[0].address.city", func(c *CTR) { c.Persons[0].Address.City = strings.Repeat("c", 51) }},
		"no locations":   {"locations", func(c *CTR) { c.Locations = nil }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			r := testCTR()
			c.mutate(&r)
			_, err := CTRBatch(testBatch(), r)
			var we *warden.Error
			if !errors.As(err, &we) || we.Code != warden.EINVALID || we.Field != c.field {
				t.Fatalf("err = %v, want EINVALID on field %s", err, c.field)
			}
		})
	}
}
