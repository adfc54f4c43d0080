// Package filing turns Warden's records (cases, CTRs, KYC customers,
// transactions) into the regulators' file formats: FinCEN SAR and CTR
// batches (reporting/fincen). It maps; the formats validate.
package filing

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/money"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/reporting/fincen"
)

// Sources are where the records come from.
type Sources struct {
	Customers    kyc.CustomerStore
	Documents    kyc.DocumentStore
	Alerts       cases.AlertStore
	Transactions interface {
		Transaction(ctx context.Context, id string) (*monitoring.StoredTransaction, error)
	}
	// History, when set, gives every transaction in the SAR's activity
	// period (the analyst's dates), not only the alerted ones.
	History ctr.Transactions
	Rates   ctr.Rates
	// Owners, when set, gives a legal-entity customer's ownership
	// structure: its beneficial owners and control person are the
	// directors of goAML's t_entity_my_client.
	Owners interface {
		CustomerOwners(ctx context.Context, customerID string) (*kyc.Owners, error)
	}
}

var regulators = map[string]string{"federal_reserve": fincen.RegulatorFederalReserve, "fdic": fincen.RegulatorFDIC, "ncua": fincen.RegulatorNCUA,
	"occ": fincen.RegulatorOCC, "sec": fincen.RegulatorSEC, "irs": fincen.RegulatorIRS, "cftc": fincen.RegulatorCFTC}

var orgTypes = map[string]int{"depository": fincen.OrgDepository, "msb": fincen.OrgMSB, "casino": fincen.OrgCasino, "securities": fincen.OrgSecurities, "other": fincen.OrgOther}

var digits = regexp.MustCompile(`[^0-9]`)

func address(a config.PostalAddress) fincen.Address {
	return fincen.Address{Street: a.Street, City: a.City, State: a.State, PostalCode: a.PostalCode, Country: a.Country}
}

// Filer maps the configured institution; missing settings are errors
// naming the configuration field.
func Filer(in config.Institution) (fincen.Filer, error) {
	reg, ok := regulators[in.PrimaryRegulator]
	if !ok {
		return fincen.Filer{}, warden.FieldErrorf(warden.EINVALID, "reporting.institution.primary_regulator", "set reporting.institution.primary_regulator (federal_reserve, fdic, ncua, occ, sec, irs or cftc) to file with FinCEN")
	}
	org, ok := orgTypes[in.Type]
	if !ok {
		return fincen.Filer{}, warden.FieldErrorf(warden.EINVALID, "reporting.institution.type", "set reporting.institution.type (depository, msb, casino, securities or other) to file with FinCEN")
	}
	if in.LegalName == "" || in.EIN == "" {
		return fincen.Filer{}, warden.FieldErrorf(warden.EINVALID, "reporting.institution.legal_name", "set reporting.institution.legal_name and ein to file with FinCEN")
	}
	return fincen.Filer{Institution: fincen.Institution{LegalName: in.LegalName, TIN: digits.ReplaceAllString(in.EIN, ""), TINType: fincen.IDTypeEIN,
		RSSD: in.RSSD, Address: address(in.Address), PrimaryRegulator: reg, OrganizationType: org},
		ContactOffice: in.ContactOffice, ContactPhone: fincen.Phone{Number: digits.ReplaceAllString(in.ContactPhone, "")}}, nil
}

// Batch maps the configured transmitter.
func Batch(t config.Transmitter, filed time.Time) (fincen.Batch, error) {
	if t.Name == "" || t.TIN == "" || t.TCC == "" {
		return fincen.Batch{}, warden.FieldErrorf(warden.EINVALID, "reporting.transmitter.tcc", "set reporting.transmitter name, tin and tcc (FinCEN's Transmitter Control Code) to write batch files")
	}
	return fincen.Batch{FilingDate: filed, Transmitter: fincen.Transmitter{Name: t.Name, TIN: digits.ReplaceAllString(t.TIN, ""), TCC: t.TCC,
		Address: address(t.Address), Phone: fincen.Phone{Number: digits.ReplaceAllString(t.Phone, "")}, ContactName: t.ContactName}}, nil
}

// person maps a KYC customer to name, birth date, address, contact and IDs.
func person(ctx context.Context, src Sources, id string) (*kyc.Customer, []fincen.Identification, error) {
	c, err := src.Customers.Customer(ctx, id)
	if err != nil {
		return nil, nil, fmt.Errorf("customer %s: %w", id, err)
	}
	var ids []fincen.Identification
	if src.Documents != nil {
		docs, err := src.Documents.CustomerDocuments(ctx, id)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range docs {
			if d.Status != kyc.DocVerified || d.Number == "" {
				continue
			}
			switch d.Kind {
			case kyc.DocSSN, kyc.DocITIN:
				ids = append(ids, fincen.Identification{Type: fincen.IDTypeSSN, Number: digits.ReplaceAllString(d.Number, "")})
			case kyc.DocEIN:
				ids = append(ids, fincen.Identification{Type: fincen.IDTypeEIN, Number: digits.ReplaceAllString(d.Number, "")})
			case kyc.DocPassport:
				ids = append(ids, fincen.Identification{Type: fincen.IDTypePassport, Number: d.Number, IssuerCountry: c.Nationality})
			case kyc.DocNationalID, kyc.DocIDCard:
				ids = append(ids, fincen.Identification{Type: fincen.IDTypeForeign, Number: d.Number, IssuerCountry: c.Country})
			}
		}
	}
	return c, ids, nil
}

func customerAddress(c *kyc.Customer) []fincen.Address {
	a := c.Address
	if a.Line1 == "" && a.City == "" {
		return nil
	}
	country := a.Country
	if country == "" {
		country = c.Country
	}
	street := strings.TrimSpace(a.Line1 + " " + a.Line2)
	return []fincen.Address{{Street: street, City: a.City, State: a.Region, PostalCode: a.PostalCode, Country: country}}
}

// categories maps the analyst's SAR categories to FinCEN subtypes.
var categories = map[string]int{
	"structuring": fincen.SubStructuringBelowCTR, "structuring_avoid_ctr": fincen.SubStructuringAvoidCTR,
	"money_laundering": fincen.SubMLOutOfPattern, "funnel_account": fincen.SubMLFunnelAccount, "multiple_accounts": fincen.SubMLMultipleAccounts,
	"suspicious_wire": fincen.SubMLSuspiciousEFT, "source_of_funds": fincen.SubMLSourceOfFunds, "straw_man": fincen.SubMLThirdParty,
	"terrorist_financing": fincen.SubTerroristKnown, "wire_fraud": fincen.SubFraudWire, "ach_fraud": fincen.SubFraudACH,
	"no_apparent_purpose": fincen.SubOtherNoPurpose, "high_risk_jurisdiction": fincen.SubOtherHighRiskJurisdiction,
	"identity_theft": fincen.SubOtherIdentityTheft, "account_takeover": fincen.SubOtherAccountTakeover, "unlicensed_msb": fincen.SubOtherUnlicensedMSB,
}

// Categories lists the SAR categories Warden maps to FinCEN codes.
func Categories() []string {
	out := make([]string, 0, len(categories))
	for k := range categories {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// SAR maps a case with a prepared SAR to a FinCEN SAR: the customer as the
// subject, the accounts and amounts of the alerted transactions (in USD at
// the configured rates), the analyst's categories and narrative.
func SAR(ctx context.Context, src Sources, filer fincen.Filer, c *cases.Case) (fincen.SAR, error) {
	if c.SAR == nil {
		return fincen.SAR{}, warden.FieldErrorf(warden.ECONFLICT, "sar", "case %s has no SAR draft", c.ID)
	}
	cust, ids, err := person(ctx, src, c.CustomerID)
	if err != nil {
		return fincen.SAR{}, err
	}
	subj := fincen.Subject{IDs: ids, Addresses: customerAddress(cust), Relationships: []string{fincen.RelCustomer}, InstitutionTIN: filer.TIN,
		AccountInstitutionTIN: filer.TIN}
	if cust.Type == kyc.TypeEntity {
		subj.Entity, subj.Name = true, cust.LegalName
	} else {
		subj.LastName, subj.FirstName = cust.Surname, cust.GivenNames
		subj.Occupation = cust.Occupation
		if dob, err := time.Parse(time.DateOnly, cust.DateOfBirth); err == nil {
			subj.BirthDate = dob
		}
	}
	if cust.Phone != "" {
		subj.Phones = []fincen.Phone{{Number: digits.ReplaceAllString(cust.Phone, "")}}
	}
	if cust.Email != "" {
		subj.Emails = []string{cust.Email}
	}
	// The transactions give accounts, dates and the amount: every one of
	// the customer's in the analyst's activity period when given, else the
	// alerted ones.
	txs, err := caseTransactions(ctx, src, c)
	if err != nil {
		return fincen.SAR{}, err
	}
	var total int64
	accounts := map[string]bool{}
	var first, last time.Time
	for _, t := range txs {
		if usd, ok := src.Rates.USDCents(t.Amount, t.Currency); ok {
			total += usd
		}
		accounts[t.AccountID] = true
		if first.IsZero() || t.Time.Before(first) {
			first = t.Time
		}
		if t.Time.After(last) {
			last = t.Time
		}
	}
	for acct := range accounts {
		subj.Accounts = append(subj.Accounts, fincen.SubjectAccount{Number: acct})
	}
	sort.Slice(subj.Accounts, func(i, j int) bool { return subj.Accounts[i].Number < subj.Accounts[j].Number })
	from, to := first, last
	if c.SAR.ActivityFrom != "" {
		from, _ = time.Parse(time.DateOnly, c.SAR.ActivityFrom)
	}
	if c.SAR.ActivityTo != "" {
		to, _ = time.Parse(time.DateOnly, c.SAR.ActivityTo)
	}
	if from.IsZero() {
		from, to = c.DetectedAt, c.DetectedAt
	}
	out := fincen.SAR{Filer: filer, FilingType: fincen.FilingInitial, Subjects: []fincen.Subject{subj}, ActivityFrom: from, ActivityTo: to,
		Narrative: c.SAR.Narrative, Locations: []fincen.Location{{Institution: filer.Institution}}}
	if total > 0 {
		out.TotalAmount = money.Amount{Minor: total, Currency: "USD"}
	} else {
		out.AmountUnknown, out.TotalAmount = true, money.Amount{Currency: "USD"}
	}
	for _, cat := range c.SAR.Categories {
		code, ok := categories[cat]
		if !ok {
			out.Characterizations = append(out.Characterizations, fincen.Characterization{SubtypeID: fincen.OtherSuspicious, OtherText: cat})
			continue
		}
		out.Characterizations = append(out.Characterizations, fincen.Characterization{SubtypeID: code})
	}
	if len(out.Characterizations) == 0 {
		return fincen.SAR{}, warden.FieldErrorf(warden.EINVALID, "categories", "the SAR draft needs at least one category (%s)", strings.Join(Categories(), ", "))
	}
	return out, nil
}
