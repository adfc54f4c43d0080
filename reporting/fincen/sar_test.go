package fincen

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
)

const sarXSD = "EFL_SARXBatchSchema.xsd"

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func testBatch() Batch {
	return Batch{
		Transmitter: Transmitter{
			Name: "Warden Filing Services LLC", TIN: "12-3456789", TCC: "PTCC1234",
			Address:     Address{Street: "1 Main Street", City: "Wilmington", State: "DE", PostalCode: "19801", Country: "US"},
			Phone:       Phone{Number: "302-555-0100"},
			ContactName: "Filing Desk",
		},
		FilingDate: day("2026-11-20"),
	}
}

func testFiler() Filer {
	return Filer{
		Institution: Institution{
			LegalName: "First Example Bank, N.A.", DBAName: "Example Bank", TIN: "987654321", RSSD: "1234567",
			Address:          Address{Street: "100 Market St", City: "Philadelphia", State: "PA", PostalCode: "19106", Country: "US"},
			PrimaryRegulator: RegulatorOCC, OrganizationType: OrgDepository,
		},
		ContactOffice: "BSA Compliance Office",
		ContactPhone:  Phone{Number: "2155550199", Extension: "42"},
	}
}

func testSAR() SAR {
	f := testFiler()
	branch := Address{Street: "200 Elm St", City: "Camden", State: "NJ", PostalCode: "08101", Country: "US"}
	return SAR{
		Filer:      f,
		FilingType: FilingInitial,
		Subjects: []Subject{
			{
				LastName: "Müller", FirstName: "Jonas", MiddleName: "K", Gender: "M",
				AlsoKnownAs: []string{"Jon Miller"}, BirthDate: day("1980-10-25"), Occupation: "Used car dealer",
				IDs: []Identification{
					{Type: IDTypeSSN, Number: "123-45-6789"},
					{Type: IDTypePassport, Number: "C01X00T47", IssuerCountry: "DE"},
				},
				Addresses:             []Address{{Street: "12  Oak\tAve", City: "Camden", State: "NJ", PostalCode: "08102", Country: "US"}},
				Phones:                []Phone{{Number: "(856) 555-0123"}},
				Emails:                []string{"jonas@example.com"},
				Accounts:              []SubjectAccount{{Number: "000123456789"}, {Number: "000987654321", Closed: true}},
				AccountInstitutionTIN: "987654321",
				Relationships:         []string{RelCustomer}, InstitutionTIN: "987654321",
				Role: RoleBoth,
			},
			{Entity: true, Name: "Oak Avenue Motors LLC", AlsoKnownAs: []string{"Oak Motors"},
				IDs: []Identification{{Type: IDTypeEIN, Number: "45-6789012"}}, Relationships: []string{RelNone}},
		},
		ActivityFrom: day("2026-09-01"),
		ActivityTo:   day("2026-10-15"),
		TotalAmount:  money.Amount{Minor: 4_850_025, Currency: "USD"}, // $48,500.25 -> 48,501
		Characterizations: []Characterization{
			{SubtypeID: SubStructuringBelowCTR},
			{SubtypeID: SubMLFunnelAccount},
			{SubtypeID: OtherSuspicious, OtherText: "Rapid cash-in, wire-out"},
		},
		Narrative:   "Between 1 September and 15 October 2026 the subject made 14 cash deposits of $9,000 to $9,900.\nFunds were wired out within two days.",
		Locations:   []Location{{Institution: f.Institution, Branch: &branch, BranchRSSD: "7654321"}, {Institution: f.Institution}},
		IPAddresses: []IPAddress{{Address: "203.0.113.7", Time: time.Date(2026, 9, 3, 14, 5, 0, 0, time.UTC)}, {Address: "2001:db8::1"}},
	}
}

// header reads the batch attributes back from the document.
type header struct {
	TotalAmount   string `xml:"TotalAmount,attr"`
	PartyCount    string `xml:"PartyCount,attr"`
	ActivityCount string `xml:"ActivityCount,attr"`
}

func readHeader(t *testing.T, doc []byte) header {
	t.Helper()
	var h header
	if err := xml.Unmarshal(doc, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestSARBatchValidates(t *testing.T) {
	second := testSAR()
	second.FilingType = FilingCorrect
	second.PriorBSAID = "31000123456789"
	second.Subjects = second.Subjects[:1]
	second.TotalAmount = money.Amount{Minor: 1_200_000, Currency: "USD"}           // exactly $12,000
	second.Narrative = strings.Repeat("x", 4000) + strings.Repeat("y", 4000) + "z" // three blocks

	doc, err := SARBatch(testBatch(), testSAR(), second)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, sarXSD, doc)

	// Hand-computed: 48,500.25 rounds up to 48,501; plus 12,000 = 60,501.
	// Subjects: 2 in the first SAR, 1 in the second = 3 parties of type 33.
	h := readHeader(t, doc)
	if h.TotalAmount != "60501" || h.PartyCount != "3" || h.ActivityCount != "2" {
		t.Errorf("header = %+v, want TotalAmount 60501, PartyCount 3, ActivityCount 2", h)
	}
	for _, want := range []string{
		`<EFilingBatchXML xmlns="www.fincen.gov/base"`,
		`<FormTypeCode>SARX</FormTypeCode>`,
		`<TotalSuspiciousAmountText>48501</TotalSuspiciousAmountText>`,
		`<RawStreetAddress1Text>12 Oak Ave</RawStreetAddress1Text>`,
		`<PartyIdentificationNumberText>123456789</PartyIdentificationNumberText>`,
		`<SuspiciousActivitySubtypeID>9999</SuspiciousActivitySubtypeID>`,
		`<ActivityNarrativeSequenceNumber>3</ActivityNarrativeSequenceNumber>`,
		`<EFilingPriorDocumentNumber>31000123456789</EFilingPriorDocumentNumber>`,
		`<ActivityIPAddressTimeStampText>14:05:00</ActivityIPAddressTimeStampText>`,
	} {
		if !bytes.Contains(doc, []byte(want)) {
			t.Errorf("document lacks %s", want)
		}
	}
}

func TestSARSeqNumsUnique(t *testing.T) {
	doc, err := SARBatch(testBatch(), testSAR(), testSAR())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	dec := xml.NewDecoder(bytes.NewReader(doc))
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		if se, ok := tok.(xml.StartElement); ok {
			for _, a := range se.Attr {
				if a.Name.Local == "SeqNum" {
					if seen[a.Value] {
						t.Fatalf("SeqNum %s used twice", a.Value)
					}
					seen[a.Value] = true
				}
			}
		}
	}
	if len(seen) < 50 {
		t.Fatalf("only %d SeqNums", len(seen))
	}
}

// TestSARSchemaRejectsBroken proves the validation is real: the same
// document with a required element removed, or a duplicated SeqNum, fails.
func TestSARSchemaRejectsBroken(t *testing.T) {
	doc, err := SARBatch(testBatch(), testSAR())
	if err != nil {
		t.Fatal(err)
	}
	for name, broken := range map[string][]byte{
		"no FormTypeCode":  bytes.Replace(doc, []byte("<FormTypeCode>SARX</FormTypeCode>"), nil, 1),
		"wrong FormType":   bytes.Replace(doc, []byte("<FormTypeCode>SARX</FormTypeCode>"), []byte("<FormTypeCode>CTRX</FormTypeCode>"), 1),
		"no filing date":   regexpRemove(doc, `<FilingDateText>\d+</FilingDateText>`),
		"no namespace":     bytes.Replace(doc, []byte(` xmlns="www.fincen.gov/base"`), nil, 1),
		"duplicate SeqNum": bytes.Replace(doc, []byte(`SeqNum="3"`), []byte(`SeqNum="2"`), 1),
	} {
		if out, err := xmllint(t, sarXSD, broken); err == nil {
			t.Errorf("%s: xmllint accepted a broken document\n%s", name, out)
		}
	}
}

func TestSARInputErrors(t *testing.T) {
	cases := map[string]struct {
		field  string
		mutate func(*SAR)
	}{
		"no subject name":  {"subjects[0].last_name", func(s *SAR) { s.Subjects[0].LastName = " " }},
		"no first name":    {"subjects[0].first_name", func(s *SAR) { s.Subjects[0].FirstName = "" }},
		"no entity name":   {"subjects[1].name", func(s *SAR) { s.Subjects[1].Name = "" }},
		"negative amount":  {"total_amount", func(s *SAR) { s.TotalAmount.Minor = -1 }},
		"zero amount":      {"total_amount", func(s *SAR) { s.TotalAmount.Minor = 0 }},
		"euro amount":      {"total_amount", func(s *SAR) { s.TotalAmount.Currency = "EUR" }},
		"empty narrative":  {"narrative", func(s *SAR) { s.Narrative = " \n " }},
		"long narrative":   {"narrative", func(s *SAR) { s.Narrative = strings.Repeat("é", MaxNarrative+1) }},
		"dates reversed":   {"activity_to", func(s *SAR) { s.ActivityTo = s.ActivityFrom.AddDate(0, 0, -1) }},
		"no from date":     {"activity_from", func(s *SAR) { s.ActivityFrom = time.Time{} }},
		"bad subtype":      {"characterizations[0].subtype_id", func(s *SAR) { s.Characterizations[0].SubtypeID = 115 }},
		"dup subtype":      {"characterizations[1].subtype_id", func(s *SAR) { s.Characterizations[1].SubtypeID = s.Characterizations[0].SubtypeID }},
		"other w/o text":   {"characterizations[2].other_text", func(s *SAR) { s.Characterizations[2].OtherText = "" }},
		"no subjects":      {"subjects", func(s *SAR) { s.Subjects = nil }},
		"correct w/o id":   {"prior_bsa_id", func(s *SAR) { s.FilingType = FilingCorrect }},
		"bad filing type":  {"filing_type", func(s *SAR) { s.FilingType = "amended" }},
		"long first name":  {"subjects[0].first_name", func(s *SAR) { s.Subjects[0].FirstName = strings.Repeat("a", 36) }},
		"bad ip":           {"ip_addresses[0]", func(s *SAR) { s.IPAddresses[0].Address = "300.1.1.1" }},
		"bad email":        {"subjects[0].emails[0]", func(s *SAR) { s.Subjects[0].Emails[0] = "nope" }},
		"no US state":      {"subjects[0].addresses[0].state", func(s *SAR) { s.Subjects[0].Addresses[0].State = "" }},
		"no locations":     {"locations", func(s *SAR) { s.Locations = nil }},
		"bad regulator":    {"filer.primary_regulator", func(s *SAR) { s.Filer.PrimaryRegulator = "14" }},
		"unknown w/amount": {"total_amount", func(s *SAR) { s.AmountUnknown = true }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			s := testSAR()
			c.mutate(&s)
			_, err := SARBatch(testBatch(), s)
			var we *warden.Error
			if !errors.As(err, &we) || we.Code != warden.EINVALID || we.Field != c.field {
				t.Fatalf("err = %v, want EINVALID on field %s", err, c.field)
			}
		})
	}
}

func TestSARAmountUnknownValidates(t *testing.T) {
	s := testSAR()
	s.TotalAmount = money.Amount{Currency: "USD"}
	s.AmountUnknown = true
	s.Narrative = strings.Repeat("n", MaxNarrative) // five blocks, the maximum
	doc, err := SARBatch(testBatch(), s)
	if err != nil {
		t.Fatal(err)
	}
	validate(t, sarXSD, doc)
	if h := readHeader(t, doc); h.TotalAmount != "0" {
		t.Errorf("TotalAmount = %s, want 0", h.TotalAmount)
	}
}

func TestDollarsRoundsUp(t *testing.T) {
	for minor, want := range map[int64]int64{0: 0, 1: 1, 99: 1, 100: 1, 101: 2, 526525: 5266, 1_000_000: 10_000, 1_000_001: 10_001} {
		got, err := Dollars("amount", money.Amount{Minor: minor, Currency: "USD"})
		if err != nil || got != want {
			t.Errorf("Dollars(%d) = %d, %v; want %d", minor, got, err, want)
		}
	}
}
