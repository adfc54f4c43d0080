package goaml

import "encoding/xml"

// The goAML 5.0.2 elements Warden writes, in xsd:sequence order (encoding/xml
// writes fields in declaration order). The schema has no target namespace.
// A pointer field is an element that is required in one context and
// optional in another (my-client vs other parties): nil omits it, non-nil
// writes it even when empty.

type xReport struct {
	XMLName        xml.Name       `xml:"report"`
	EntityID       int            `xml:"rentity_id"`
	Branch         string         `xml:"rentity_branch,omitempty"`
	SubmissionCode string         `xml:"submission_code"`
	ReportCode     string         `xml:"report_code"`
	Reference      string         `xml:"entity_reference"`
	FIURef         string         `xml:"fiu_ref_number,omitempty"`
	SubmissionDate string         `xml:"submission_date"`
	Currency       string         `xml:"currency_code_local"`
	Reporter       *xPerson       `xml:"reporting_person"`
	Location       *xAddress      `xml:"location"`
	Reason         string         `xml:"reason,omitempty"`
	Action         string         `xml:"action,omitempty"`
	Transaction    []xTransaction `xml:"transaction"`
	Indicators     xIndicators    `xml:"report_indicators"`
}

type xIndicators struct {
	Indicator []string `xml:"indicator"`
}

type xTransaction struct {
	Number      string `xml:"transactionnumber"`
	InternalRef string `xml:"internal_ref_number,omitempty"`
	Location    string `xml:"transaction_location"`
	Description string `xml:"transaction_description"`
	Date        string `xml:"date_transaction"`
	Mode        string `xml:"transmode_code"`
	ModeComment string `xml:"transmode_comment"`
	AmountLocal string `xml:"amount_local"`
	FromMy      *xFrom `xml:"t_from_my_client"`
	From        *xFrom `xml:"t_from"`
	ToMy        *xTo   `xml:"t_to_my_client"`
	To          *xTo   `xml:"t_to"`
	Comments    string `xml:"comments,omitempty"`
}

type xFrom struct {
	FundsCode    string    `xml:"from_funds_code"`
	FundsComment string    `xml:"from_funds_comment,omitempty"`
	Foreign      *xForeign `xml:"from_foreign_currency"`
	Account      *xAccount `xml:"from_account"`
	Person       *xPerson  `xml:"from_person"`
	Entity       *xEntity  `xml:"from_entity"`
	Country      string    `xml:"from_country"`
}

type xTo struct {
	FundsCode    string    `xml:"to_funds_code"`
	FundsComment string    `xml:"to_funds_comment,omitempty"`
	Foreign      *xForeign `xml:"to_foreign_currency"`
	Account      *xAccount `xml:"to_account"`
	Person       *xPerson  `xml:"to_person"`
	Entity       *xEntity  `xml:"to_entity"`
	Country      string    `xml:"to_country"`
}

type xForeign struct {
	Currency string `xml:"foreign_currency_code"`
	Amount   string `xml:"foreign_amount"`
	Rate     string `xml:"foreign_exchange_rate,omitempty"`
}

// xPerson serves t_person, t_person_my_client and
// t_person_registration_in_report: the elements Warden writes come in the
// same order in all three.
type xPerson struct {
	Gender         string            `xml:"gender,omitempty"`
	Title          string            `xml:"title,omitempty"`
	FirstName      string            `xml:"first_name"`
	MiddleName     string            `xml:"middle_name,omitempty"`
	LastName       string            `xml:"last_name"`
	BirthDate      string            `xml:"birthdate,omitempty"`
	BirthPlace     string            `xml:"birth_place,omitempty"`
	IDNumber       *string           `xml:"id_number"`
	Nationality    string            `xml:"nationality1,omitempty"`
	Residence      string            `xml:"residence,omitempty"`
	Phones         *xPhones          `xml:"phones"`
	Addresses      *xAddresses       `xml:"addresses"`
	Email          []string          `xml:"email"`
	Occupation     string            `xml:"occupation,omitempty"`
	Identification []xIdentification `xml:"identification"`
	TaxNumber      string            `xml:"tax_number,omitempty"`
	TaxRegNumber   string            `xml:"tax_reg_number,omitempty"`
}

type xPhones struct {
	Phone []xPhone `xml:"phone"`
}

type xPhone struct {
	ContactType       string `xml:"tph_contact_type"`
	CommunicationType string `xml:"tph_communication_type"`
	CountryPrefix     string `xml:"tph_country_prefix,omitempty"`
	Number            string `xml:"tph_number"`
}

type xAddresses struct {
	Address []xAddress `xml:"address"`
}

type xAddress struct {
	Type    string `xml:"address_type"`
	Address string `xml:"address"`
	Town    string `xml:"town,omitempty"`
	City    string `xml:"city"`
	Zip     string `xml:"zip,omitempty"`
	Country string `xml:"country_code"`
	State   string `xml:"state"`
}

type xIdentification struct {
	Type         string `xml:"type"`
	Number       string `xml:"number"`
	IssueDate    string `xml:"issue_date"`
	ExpiryDate   string `xml:"expiry_date"`
	IssuedBy     string `xml:"issued_by,omitempty"`
	IssueCountry string `xml:"issue_country"`
}

// xEntity serves t_entity and t_entity_my_client.
type xEntity struct {
	Name                string      `xml:"name"`
	CommercialName      string      `xml:"commercial_name,omitempty"`
	LegalForm           string      `xml:"incorporation_legal_form,omitempty"`
	IncorporationNumber string      `xml:"incorporation_number,omitempty"`
	Business            *string     `xml:"business"`
	Phones              *xPhones    `xml:"phones"`
	Addresses           *xAddresses `xml:"addresses"`
	Email               []string    `xml:"email"`
	IncorporationState  *string     `xml:"incorporation_state"`
	IncorporationCC     string      `xml:"incorporation_country_code,omitempty"`
	Director            []xDirector `xml:"director_id"`
	IncorporationDate   string      `xml:"incorporation_date,omitempty"`
	TaxNumber           string      `xml:"tax_number,omitempty"`
	TaxRegNumber        string      `xml:"tax_reg_number,omitempty"`
}

// xDirector is director_id: t_person extended with the role.
type xDirector struct {
	xPerson
	Role string `xml:"role,omitempty"`
}

// xAccount serves t_account and t_account_my_client.
type xAccount struct {
	InstitutionName    string       `xml:"institution_name,omitempty"`
	InstitutionCode    string       `xml:"institution_code,omitempty"`
	SWIFT              string       `xml:"swift,omitempty"`
	InstitutionCountry string       `xml:"institution_country,omitempty"`
	NonBank            *bool        `xml:"non_bank_institution"`
	Branch             string       `xml:"branch,omitempty"`
	Account            string       `xml:"account"`
	Currency           string       `xml:"currency_code,omitempty"`
	Name               string       `xml:"account_name"`
	Type               string       `xml:"personal_account_type,omitempty"`
	Signatory          []xSignatory `xml:"signatory"`
	Opened             string       `xml:"opened,omitempty"`
	Status             string       `xml:"status_code,omitempty"`
	Beneficiary        *string      `xml:"beneficiary"`
}

type xSignatory struct {
	IsPrimary string  `xml:"is_primary,omitempty"` // fixed "1" when set
	Person    xPerson `xml:"t_person"`
	Role      string  `xml:"role"`
}
