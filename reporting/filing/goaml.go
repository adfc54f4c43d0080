package filing

import (
	"context"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/money"
	"github.com/wardenhq/warden/monitoring"
	"github.com/wardenhq/warden/reporting/goaml"
)

// GoAMLBase maps the configured reporting entity; missing settings are
// errors naming the configuration field.
func GoAMLBase(c config.GoAML, submitted time.Time) (goaml.Report, goaml.Threshold, error) {
	if c.EntityID <= 0 {
		return goaml.Report{}, goaml.Threshold{}, warden.FieldErrorf(warden.EINVALID, "reporting.goaml.entity_id", "set reporting.goaml.entity_id (the FRC's rentity_id) to export goAML reports")
	}
	if c.ReportingFirstName == "" || c.ReportingLastName == "" || c.Institution == "" {
		return goaml.Report{}, goaml.Threshold{}, warden.FieldErrorf(warden.EINVALID, "reporting.goaml.reporting_last_name", "set reporting.goaml institution_name, reporting_first_name and reporting_last_name")
	}
	loc, err := time.LoadLocation(c.Timezone)
	if err != nil {
		return goaml.Report{}, goaml.Threshold{}, warden.FieldErrorf(warden.EINVALID, "reporting.goaml.timezone", "reporting.goaml.timezone: %v", err)
	}
	cur, err := money.ParseCurrency(c.LocalCurrency)
	if err != nil {
		return goaml.Report{}, goaml.Threshold{}, warden.FieldErrorf(warden.EINVALID, "reporting.goaml.local_currency", "%s", err.Error())
	}
	r := goaml.Report{EntityID: c.EntityID, Branch: c.Branch, SubmissionDate: submitted, LocalCurrency: cur, Zone: loc,
		ReportingPerson: &goaml.Person{FirstName: c.ReportingFirstName, LastName: c.ReportingLastName, Occupation: "MLRO"}}
	if c.ReportingPhone != "" {
		r.ReportingPerson.Phones = []goaml.Phone{{ContactType: "BU", Kind: "L", CountryPrefix: c.PhonePrefix, Number: digits.ReplaceAllString(c.ReportingPhone, "")}}
	}
	if c.Location.City != "" {
		r.Location = &goaml.Address{Type: "BU", Street: c.Location.Street, City: c.Location.City, Country: c.Location.Country, State: c.Location.State, Zip: c.Location.PostalCode}
	}
	cents, ok := new(big.Rat).SetString(c.CashThresholdUSD)
	if !ok || cents.Sign() <= 0 {
		return goaml.Report{}, goaml.Threshold{}, warden.FieldErrorf(warden.EINVALID, "reporting.goaml.cash_threshold_usd", "cash_threshold_usd must be a positive decimal such as 15000.00")
	}
	cents.Mul(cents, big.NewRat(100, 1))
	rates := map[money.Currency]string{}
	for k, v := range c.Rates {
		rates[money.Currency(k)] = v
	}
	th := goaml.Threshold{Amount: money.Amount{Minor: new(big.Int).Quo(cents.Num(), cents.Denom()).Int64(), Currency: "USD"}, Rates: rates}
	return r, th, nil
}

// localAmount converts a transaction amount to the report's local currency
// at the configured rates (units per USD), with the foreign part kept.
func localAmount(c config.GoAML, t monitoring.Transaction) (money.Amount, *goaml.Foreign, error) {
	if t.Currency == c.LocalCurrency {
		return money.Amount{Minor: t.Amount, Currency: money.Currency(t.Currency)}, nil, nil
	}
	localPerUSD, ok1 := new(big.Rat).SetString(c.Rates[c.LocalCurrency])
	curPerUSD := big.NewRat(1, 1)
	ok2 := true
	if t.Currency != "USD" {
		curPerUSD, ok2 = new(big.Rat).SetString(c.Rates[t.Currency])
	}
	if !ok1 || !ok2 {
		return money.Amount{}, nil, warden.FieldErrorf(warden.EINVALID, "reporting.goaml.rates", "no rate for %s or %s in reporting.goaml.rates", t.Currency, c.LocalCurrency)
	}
	// local minor = amount minor / 10^d(cur) * (local/USD)/(cur/USD) * 10^d(local)
	rate := new(big.Rat).Quo(localPerUSD, curPerUSD)
	v := new(big.Rat).Mul(new(big.Rat).SetInt64(t.Amount), rate)
	v.Mul(v, pow10Rat(money.Currency(c.LocalCurrency).MinorDigits()-money.Currency(t.Currency).MinorDigits()))
	minor := new(big.Int).Quo(new(big.Int).Add(new(big.Int).Mul(v.Num(), big.NewInt(2)), v.Denom()), new(big.Int).Mul(v.Denom(), big.NewInt(2))) // half up
	return money.Amount{Minor: minor.Int64(), Currency: money.Currency(c.LocalCurrency)},
		&goaml.Foreign{Amount: money.Amount{Minor: t.Amount, Currency: money.Currency(t.Currency)}, Rate: rate.FloatString(6)}, nil
}

func pow10Rat(n int) *big.Rat {
	if n >= 0 {
		return new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil))
	}
	return new(big.Rat).SetFrac(big.NewInt(1), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-n)), nil))
}

var modes = map[string]string{"cash": "OCT", "wire": "SWIFT", "mobile_money": "MB", "card": "ELCFT", "ach": "ELCFT", "internal": "INTRN", "rtp": "ELCFT", "check": "OCT"}

// goamlPerson is the plain t_person / t_entity of a customer whose KYC
// record lacks what goAML's my-client structures require.
func goamlPerson(c *kyc.Customer, docs []*kyc.Document) (*goaml.Person, *goaml.Entity) {
	if c.Type == kyc.TypeEntity {
		return nil, &goaml.Entity{Name: c.LegalName, IncorporationNumber: c.RegistrationNumber, IncorporationCountry: c.Country}
	}
	p := &goaml.Person{FirstName: c.GivenNames, LastName: c.Surname, Nationality: c.Nationality, Residence: c.Country, Occupation: c.Occupation}
	if dob, err := time.Parse(time.DateOnly, c.DateOfBirth); err == nil {
		p.BirthDate = dob
	}
	for _, d := range docs {
		if d.Status == kyc.DocVerified && d.Kind == kyc.DocNationalID {
			p.IDNumber = d.Number
		}
	}
	return p, nil
}

// GoAMLFile is a goAML report as written, with the warnings of its mapping:
// parties written in goAML's plain structures (t_person, t_entity,
// t_account) instead of the my-client ones the FIU expects for the
// institution's own customers, and why.
type GoAMLFile struct {
	XML      []byte
	Warnings []string
}

// goamlTransactions maps stored transactions of a customer, with the
// warnings of the customer's side.
func goamlTransactions(ctx context.Context, src Sources, c config.GoAML, cust *kyc.Customer, sts []monitoring.Transaction) ([]goaml.Transaction, []string, error) {
	subj, err := goamlCustomer(ctx, src, c, cust)
	if err != nil {
		return nil, nil, err
	}
	home := c.Location.Country
	if home == "" {
		home = "KE"
	}
	var out []goaml.Transaction
	for _, t := range sts {
		amt, foreign, err := localAmount(c, t)
		if err != nil {
			return nil, nil, err
		}
		funds := "BANKD"
		if t.Channel == "cash" {
			funds = "CASH"
		}
		account := &goaml.Account{InstitutionName: c.Institution, SWIFT: c.SWIFT, InstitutionCountry: home, Number: t.AccountID,
			Currency: money.Currency(c.LocalCurrency), Name: cust.Name()}
		if c.SWIFT == "" {
			account.InstitutionCode, account.NonBank = c.Institution, true
		}
		// The account stays t_account: t_account_my_client needs its
		// opening date, status and type, which Warden does not keep.
		own := goaml.Party{FundsCode: "BANKD", Account: account, Country: home}
		other := goaml.Party{MyClient: subj.myClient, FundsCode: funds, Person: subj.person, Entity: subj.entity, Country: cust.Country, Foreign: foreign}
		if cp := t.Counterparty; cp.Name != "" {
			// goAML needs a country for each side and has no "unknown": a
			// counterparty without one is placed where the transaction was
			// made (the institution's country).
			country := cp.Country
			if country == "" {
				country = home
			}
			other = goaml.Party{FundsCode: funds, Entity: &goaml.Entity{Name: cp.Name}, Country: country, Foreign: foreign}
		}
		gt := goaml.Transaction{Number: t.ID, InternalRef: t.ID, Location: strings.TrimSpace(t.Branch + " " + t.Agent), Description: t.Channel + " " + t.Direction,
			Date: t.Time, Mode: modes[t.Channel], Amount: amt}
		if gt.Mode == "" {
			gt.Mode = "ELCFT"
		}
		if t.Direction == monitoring.DirectionIn {
			gt.From, gt.To = other, own
		} else {
			gt.From, gt.To = own, other
		}
		out = append(out, gt)
	}
	return out, append(subj.warnings, accountWarning), nil
}

// GoAMLSTR maps a case with an approved SAR draft to a goAML suspicious
// transaction report: the case's alerted transactions (or the activity
// period's), the narrative as the reason. The customer's side is written in
// the my-client structures when its KYC record is complete enough; the
// file's Warnings say where it is not.
func GoAMLSTR(ctx context.Context, src Sources, c config.GoAML, base goaml.Report, cs *cases.Case) (GoAMLFile, error) {
	if cs.SAR == nil {
		return GoAMLFile{}, warden.FieldErrorf(warden.ECONFLICT, "sar", "case %s has no SAR draft", cs.ID)
	}
	cust, err := src.Customers.Customer(ctx, cs.CustomerID)
	if err != nil {
		return GoAMLFile{}, err
	}
	txs, err := caseTransactions(ctx, src, cs)
	if err != nil {
		return GoAMLFile{}, err
	}
	if len(txs) == 0 {
		return GoAMLFile{}, warden.FieldErrorf(warden.EINVALID, "alert_ids", "case %s names no transaction to report", cs.ID)
	}
	r := base
	r.Reference, r.Reason, r.Action = cs.ID, cs.SAR.Narrative, "Case "+cs.Status
	r.Indicators = []string{"STRUC"}
	if !hasCategory(cs.SAR.Categories, "structuring") {
		r.Indicators = []string{"NOPUR"} // no apparent purpose: the generic indicator
	}
	var f GoAMLFile
	if r.Transactions, f.Warnings, err = goamlTransactions(ctx, src, c, cust, txs); err != nil {
		return GoAMLFile{}, err
	}
	if f.XML, err = goaml.STR(r); err != nil {
		return GoAMLFile{}, err
	}
	return f, nil
}

func hasCategory(cs []string, c string) bool {
	for _, x := range cs {
		if strings.HasPrefix(x, c) {
			return true
		}
	}
	return false
}

// GoAMLCash maps one customer's cash transactions reaching the threshold to
// a goAML cash report, with the customer's side as in GoAMLSTR.
func GoAMLCash(ctx context.Context, src Sources, c config.GoAML, base goaml.Report, th goaml.Threshold, customerID string, txs []monitoring.Transaction) (GoAMLFile, error) {
	cust, err := src.Customers.Customer(ctx, customerID)
	if err != nil {
		return GoAMLFile{}, err
	}
	r := base
	r.Reference, r.Indicators = fmt.Sprintf("CASH-%s-%s", customerID, txs[0].Time.Format("20060102")), []string{"LRGCS"}
	var f GoAMLFile
	if r.Transactions, f.Warnings, err = goamlTransactions(ctx, src, c, cust, txs); err != nil {
		return GoAMLFile{}, err
	}
	if f.XML, err = goaml.CashReport(r, th); err != nil {
		return GoAMLFile{}, err
	}
	return f, nil
}

// caseTransactions are the transactions a SAR covers: the activity
// period's when the analyst gave one, else the alerted ones.
func caseTransactions(ctx context.Context, src Sources, cs *cases.Case) ([]monitoring.Transaction, error) {
	var out []monitoring.Transaction
	if src.History != nil && cs.SAR.ActivityFrom != "" && cs.SAR.ActivityTo != "" {
		from, _ := time.Parse(time.DateOnly, cs.SAR.ActivityFrom)
		to, _ := time.Parse(time.DateOnly, cs.SAR.ActivityTo)
		after := int64(0)
		for {
			page, err := src.History.TransactionsAfter(ctx, after, from, to.AddDate(0, 0, 1), 1000)
			if err != nil {
				return nil, err
			}
			if len(page) == 0 {
				return out, nil
			}
			for _, st := range page {
				after = st.Seq
				if st.Transaction.CustomerID == cs.CustomerID && st.Decision.Action != monitoring.ActionBlock {
					out = append(out, st.Transaction)
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, aid := range cs.AlertIDs {
		a, err := src.Alerts.Alert(ctx, aid)
		if err != nil {
			return nil, err
		}
		for _, ev := range a.Evidence {
			id := evidenceTransaction(ev)
			if id == "" || seen[id] {
				continue
			}
			seen[id] = true
			if st, err := src.Transactions.Transaction(ctx, id); err == nil {
				out = append(out, st.Transaction)
			}
		}
	}
	return out, nil
}
