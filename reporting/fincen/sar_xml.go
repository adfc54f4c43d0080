package fincen

import "encoding/xml"

// The SARX batch as EFL_SARXBatchSchema.xsd orders it. Only the elements
// Warden fills are declared; everything else in the schema is optional.

type sarBatchXML struct {
	XMLName                 xml.Name      `xml:"www.fincen.gov/base EFilingBatchXML"`
	TotalAmount             int64         `xml:"TotalAmount,attr"`
	PartyCount              int64         `xml:"PartyCount,attr"`
	ActivityCount           int64         `xml:"ActivityCount,attr"`
	ActivityAttachmentCount int64         `xml:"ActivityAttachmentCount,attr"`
	AttachmentCount         int64         `xml:"AttachmentCount,attr"`
	FormTypeCode            string        `xml:"FormTypeCode"`
	Activity                []sarActivity `xml:"Activity"`
}

type sarActivity struct {
	SeqNum              int64               `xml:"SeqNum,attr"`
	PriorDocumentNumber string              `xml:"EFilingPriorDocumentNumber,omitempty"`
	FilingDate          string              `xml:"FilingDateText"`
	NoteToFinCEN        string              `xml:"FilingInstitutionNotetoFinCEN,omitempty"`
	Association         sarActivityAssoc    `xml:"ActivityAssociation"`
	Party               []sarParty          `xml:"Party"`
	SuspiciousActivity  sarSuspiciousAct    `xml:"SuspiciousActivity"`
	IPAddress           []sarIPAddress      `xml:"ActivityIPAddress"`
	Narrative           []sarNarrativeBlock `xml:"ActivityNarrativeInformation"`
}

type sarActivityAssoc struct {
	SeqNum     int64  `xml:"SeqNum,attr"`
	Continuing string `xml:"ContinuingActivityReportIndicator,omitempty"`
	Corrects   string `xml:"CorrectsAmendsPriorReportIndicator,omitempty"`
	Initial    string `xml:"InitialReportIndicator,omitempty"`
	Joint      string `xml:"JointReportIndicator,omitempty"`
}

// sarParty is PartyType extended by the Party element's sequence.
type sarParty struct {
	SeqNum                 int64  `xml:"SeqNum,attr"`
	ActivityPartyTypeCode  string `xml:"ActivityPartyTypeCode"`
	AdmissionConfessionNo  string `xml:"AdmissionConfessionNoIndicator,omitempty"`
	AdmissionConfessionYes string `xml:"AdmissionConfessionYesIndicator,omitempty"`
	BirthDateUnknown       string `xml:"BirthDateUnknownIndicator,omitempty"`
	BothSenderReceiver     string `xml:"BothPurchaserSenderPayeeReceiveIndicator,omitempty"`
	Female                 string `xml:"FemaleGenderIndicator,omitempty"`
	BirthDate              string `xml:"IndividualBirthDateText,omitempty"`
	Male                   string `xml:"MaleGenderIndicator,omitempty"`
	NoBranchActivity       string `xml:"NoBranchActivityInvolvedIndicator,omitempty"`
	NoKnownAccount         string `xml:"NoKnownAccountInvolvedIndicator,omitempty"`
	NonUSFinancialInst     string `xml:"NonUSFinancialInstitutionIndicator,omitempty"`
	Entity                 string `xml:"PartyAsEntityOrganizationIndicator,omitempty"`
	Receiver               string `xml:"PayeeReceiverIndicator,omitempty"`
	PrimaryRegulator       string `xml:"PrimaryRegulatorTypeCode,omitempty"`
	Sender                 string `xml:"PurchaserSenderIndicator,omitempty"`
	UnknownGender          string `xml:"UnknownGenderIndicator,omitempty"`

	PartyName          []xPartyName          `xml:"PartyName"`
	Address            []xAddress            `xml:"Address"`
	PhoneNumber        []sarPhone            `xml:"PhoneNumber"`
	Identification     []xIdentification     `xml:"PartyIdentification"`
	OrgClass           []xOrgClass           `xml:"OrganizationClassificationTypeSubtype"`
	Occupation         *xOccupation          `xml:"PartyOccupationBusiness"`
	ElectronicAddress  []sarElectronicAddr   `xml:"ElectronicAddress"`
	Association        []sarPartyAssociation `xml:"PartyAssociation"`
	AccountAssociation *sarPartyAccountAssoc `xml:"PartyAccountAssociation"`
}

// sarPhone adds the SAR's optional phone type code to the shared phone.
type sarPhone struct {
	SeqNum    int64  `xml:"SeqNum,attr"`
	Extension string `xml:"PhoneNumberExtensionText,omitempty"`
	Number    string `xml:"PhoneNumberText,omitempty"`
	Type      string `xml:"PhoneNumberTypeCode,omitempty"`
}

type sarElectronicAddr struct {
	SeqNum int64  `xml:"SeqNum,attr"`
	Text   string `xml:"ElectronicAddressText"`
	Type   string `xml:"ElectronicAddressTypeCode"`
}

type sarPartyAssociation struct {
	SeqNum                int64  `xml:"SeqNum,attr"`
	Accountant            string `xml:"AccountantIndicator,omitempty"`
	ActionTakenDate       string `xml:"ActionTakenDateText,omitempty"`
	Agent                 string `xml:"AgentIndicator,omitempty"`
	Appraiser             string `xml:"AppraiserIndicator,omitempty"`
	Attorney              string `xml:"AttorneyIndicator,omitempty"`
	Borrower              string `xml:"BorrowerIndicator,omitempty"`
	Customer              string `xml:"CustomerIndicator,omitempty"`
	Director              string `xml:"DirectorIndicator,omitempty"`
	Employee              string `xml:"EmployeeIndicator,omitempty"`
	NoRelationship        string `xml:"NoRelationshipToInstitutionIndicator,omitempty"`
	Officer               string `xml:"OfficerIndicator,omitempty"`
	OtherText             string `xml:"OtherPartyAssociationTypeText,omitempty"`
	Other                 string `xml:"OtherRelationshipIndicator,omitempty"`
	OwnerShareholder      string `xml:"OwnerShareholderIndicator,omitempty"`
	RelationshipContinues string `xml:"RelationshipContinuesIndicator,omitempty"`
	Resigned              string `xml:"ResignedIndicator,omitempty"`
	InstitutionTIN        string `xml:"SubjectRelationshipFinancialInstitutionTINText,omitempty"`
	SuspendedBarred       string `xml:"SuspendedBarredIndicator,omitempty"`
	Terminated            string `xml:"TerminatedIndicator,omitempty"`
	// Party is the branch (type 46) under a transaction location.
	Party []sarBranchParty `xml:"Party"`
}

type sarBranchParty struct {
	SeqNum                int64            `xml:"SeqNum,attr"`
	ActivityPartyTypeCode string           `xml:"ActivityPartyTypeCode"`
	Address               xAddress         `xml:"Address"`
	Identification        *xIdentification `xml:"PartyIdentification"`
}

type sarPartyAccountAssoc struct {
	SeqNum   int64            `xml:"SeqNum,attr"`
	TypeCode string           `xml:"PartyAccountAssociationTypeCode"`
	Party    []sarAccountInst `xml:"Party"`
}

// sarAccountInst is the institution (type 41) where subject accounts are
// held, with those accounts.
type sarAccountInst struct {
	SeqNum                int64            `xml:"SeqNum,attr"`
	ActivityPartyTypeCode string           `xml:"ActivityPartyTypeCode"`
	NonUSFinancialInst    string           `xml:"NonUSFinancialInstitutionIndicator,omitempty"`
	Identification        *xIdentification `xml:"PartyIdentification"`
	Account               []sarAccount     `xml:"Account"`
}

type sarAccount struct {
	SeqNum      int64              `xml:"SeqNum,attr"`
	Number      string             `xml:"AccountNumberText,omitempty"`
	Association sarAccountAssocRef `xml:"PartyAccountAssociation"`
}

type sarAccountAssocRef struct {
	SeqNum        int64  `xml:"SeqNum,attr"`
	AccountClosed string `xml:"AccountClosedIndicator,omitempty"`
	TypeCode      string `xml:"PartyAccountAssociationTypeCode"`
}

type sarSuspiciousAct struct {
	SeqNum          int64               `xml:"SeqNum,attr"`
	AmountUnknown   string              `xml:"AmountUnknownIndicator,omitempty"`
	NoAmount        string              `xml:"NoAmountInvolvedIndicator,omitempty"`
	FromDate        string              `xml:"SuspiciousActivityFromDateText"`
	ToDate          string              `xml:"SuspiciousActivityToDateText,omitempty"`
	TotalAmount     string              `xml:"TotalSuspiciousAmountText,omitempty"`
	Classifications []sarClassification `xml:"SuspiciousActivityClassification"`
}

type sarClassification struct {
	SeqNum    int64  `xml:"SeqNum,attr"`
	OtherText string `xml:"OtherSuspiciousActivityTypeText,omitempty"`
	SubtypeID int    `xml:"SuspiciousActivitySubtypeID"`
	TypeID    int    `xml:"SuspiciousActivityTypeID"`
}

type sarIPAddress struct {
	SeqNum    int64  `xml:"SeqNum,attr"`
	Date      string `xml:"ActivityIPAddressDateText,omitempty"`
	TimeStamp string `xml:"ActivityIPAddressTimeStampText,omitempty"`
	IP        string `xml:"IPAddressText"`
}

type sarNarrativeBlock struct {
	SeqNum int64  `xml:"SeqNum,attr"`
	Number int    `xml:"ActivityNarrativeSequenceNumber"`
	Text   string `xml:"ActivityNarrativeText"`
}
