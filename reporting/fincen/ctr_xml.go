package fincen

import "encoding/xml"

// The CTRX batch as EFL_CTRXBatchSchema.xsd orders it.

type ctrBatchXML struct {
	XMLName       xml.Name      `xml:"www.fincen.gov/base EFilingBatchXML"`
	TotalAmount   int64         `xml:"TotalAmount,attr"`
	PartyCount    int64         `xml:"PartyCount,attr"`
	ActivityCount int64         `xml:"ActivityCount,attr"`
	FormTypeCode  string        `xml:"FormTypeCode"`
	Activity      []ctrActivity `xml:"Activity"`
}

type ctrActivity struct {
	SeqNum              int64            `xml:"SeqNum,attr"`
	PriorDocumentNumber string           `xml:"EFilingPriorDocumentNumber,omitempty"`
	FilingDate          string           `xml:"FilingDateText"`
	Association         ctrActivityAssoc `xml:"ActivityAssociation"`
	Party               []ctrParty       `xml:"Party"`
	Transaction         ctrTransaction   `xml:"CurrencyTransactionActivity"`
}

// ctrActivityAssoc: all three indicators are required elements, empty
// unless set.
type ctrActivityAssoc struct {
	SeqNum         int64  `xml:"SeqNum,attr"`
	Corrects       string `xml:"CorrectsAmendsPriorReportIndicator"`
	DirectBackFile string `xml:"FinCENDirectBackFileIndicator"`
	Initial        string `xml:"InitialReportIndicator"`
}

type ctrParty struct {
	SeqNum                int64  `xml:"SeqNum,attr"`
	ActivityPartyTypeCode string `xml:"ActivityPartyTypeCode"`
	BirthDateUnknown      string `xml:"BirthDateUnknownIndicator,omitempty"`
	Female                string `xml:"FemaleGenderIndicator,omitempty"`
	BirthDate             string `xml:"IndividualBirthDateText,omitempty"`
	CashIn                string `xml:"IndividualEntityCashInAmountText,omitempty"`
	CashOut               string `xml:"IndividualEntityCashOutAmountText,omitempty"`
	Male                  string `xml:"MaleGenderIndicator,omitempty"`
	MultipleTransactions  string `xml:"MultipleTransactionsPersonsIndividualsIndicator,omitempty"`
	Entity                string `xml:"PartyAsEntityOrganizationIndicator,omitempty"`
	PrimaryRegulator      string `xml:"PrimaryRegulatorTypeCode,omitempty"`
	UnknownGender         string `xml:"UnknownGenderIndicator,omitempty"`

	PartyName         []xPartyName      `xml:"PartyName"`
	Address           *xAddress         `xml:"Address"`
	PhoneNumber       *xPhone           `xml:"PhoneNumber"`
	Identification    []xIdentification `xml:"PartyIdentification"`
	OrgClass          *xOrgClass        `xml:"OrganizationClassificationTypeSubtype"`
	Occupation        *xOccupation      `xml:"PartyOccupationBusiness"`
	ElectronicAddress *ctrElectronic    `xml:"ElectronicAddress"`
	Account           []ctrAccount      `xml:"Account"`
}

type ctrElectronic struct {
	SeqNum int64  `xml:"SeqNum,attr"`
	Text   string `xml:"ElectronicAddressText"`
}

type ctrAccount struct {
	SeqNum      int64          `xml:"SeqNum,attr"`
	Number      string         `xml:"AccountNumberText"`
	Association ctrAccountCode `xml:"PartyAccountAssociation"`
}

type ctrAccountCode struct {
	SeqNum   int64  `xml:"SeqNum,attr"`
	TypeCode string `xml:"PartyAccountAssociationTypeCode"`
}

// ctrTransaction: the six indicators are required elements, empty unless
// set.
type ctrTransaction struct {
	SeqNum          int64       `xml:"SeqNum,attr"`
	Aggregate       string      `xml:"AggregateTransactionIndicator"`
	ArmoredCar      string      `xml:"ArmoredCarServiceIndicator"`
	ATM             string      `xml:"ATMIndicator"`
	MailDeposit     string      `xml:"MailDepositShipmentIndicator"`
	NightDeposit    string      `xml:"NightDepositIndicator"`
	SharedBranching string      `xml:"SharedBranchingIndicator"`
	TotalCashIn     string      `xml:"TotalCashInReceiveAmountText"`
	TotalCashOut    string      `xml:"TotalCashOutAmountText"`
	Date            string      `xml:"TransactionDateText"`
	Detail          []ctrDetail `xml:"CurrencyTransactionActivityDetail"`
}

// ctrDetail: all four children are required elements; the two "other"
// texts are empty unless the code needs them.
type ctrDetail struct {
	SeqNum         int64  `xml:"SeqNum,attr"`
	TypeCode       string `xml:"CurrencyTransactionActivityDetailTypeCode"`
	Amount         string `xml:"DetailTransactionAmountText"`
	OtherText      string `xml:"OtherCurrencyTransactionActivityDetailText"`
	ForeignCountry string `xml:"OtherForeignCurrencyCountryText"`
}
