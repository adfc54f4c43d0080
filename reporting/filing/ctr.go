package filing

import (
	"context"
	"encoding/json"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/money"
	"github.com/wardenhq/warden/reporting/ctr"
	"github.com/wardenhq/warden/reporting/fincen"
)

// evidenceTransaction reads the transaction id monitoring puts in an
// alert's evidence.
func evidenceTransaction(ev json.RawMessage) string {
	var e struct {
		TransactionID string `json:"transaction_id"`
	}
	_ = json.Unmarshal(ev, &e)
	return e.TransactionID
}

func ctrPerson(ctx context.Context, src Sources, id, role string) (fincen.Person, error) {
	c, ids, err := person(ctx, src, id)
	if err != nil {
		return fincen.Person{}, err
	}
	p := fincen.Person{Role: role, IDs: ids}
	if len(p.IDs) > 2 {
		p.IDs = p.IDs[:2]
	}
	if c.Type == kyc.TypeEntity {
		p.Entity, p.Name = true, c.LegalName
	} else {
		p.LastName, p.FirstName, p.Occupation = c.Surname, c.GivenNames, c.Occupation
		if dob, err := time.Parse(time.DateOnly, c.DateOfBirth); err == nil {
			p.BirthDate = dob
		}
	}
	if as := customerAddress(c); len(as) > 0 {
		p.Address = as[0]
	}
	if c.Phone != "" {
		p.Phone = fincen.Phone{Number: digits.ReplaceAllString(c.Phone, "")}
	}
	p.Email = c.Email
	return p, nil
}

// CTR maps a business-day report to a FinCEN CTR: the person (and, for
// transactions conducted for them by someone else, the conductors), cash in
// as deposits and cash out as withdrawals, in USD, with the accounts.
func CTR(ctx context.Context, src Sources, filer fincen.Filer, r *ctr.Report) (fincen.CTR, error) {
	day, err := time.Parse(time.DateOnly, r.BusinessDay)
	if err != nil {
		return fincen.CTR{}, warden.FieldErrorf(warden.EINVALID, "business_day", "report %s has no valid business day", r.ID)
	}
	role := fincen.PersonOwnBehalf
	var conductors []string
	for _, c := range r.Conductors {
		if c != r.PersonID {
			conductors = append(conductors, c)
		}
	}
	if len(conductors) > 0 {
		role = fincen.PersonOnBehalfOf
	}
	main, err := ctrPerson(ctx, src, r.PersonID, role)
	if err != nil {
		return fincen.CTR{}, err
	}
	in, out := map[string]bool{}, map[string]bool{}
	for _, it := range r.Items {
		if it.Direction == "in" {
			in[it.AccountID] = true
		} else {
			out[it.AccountID] = true
		}
	}
	for a := range in {
		main.AccountsIn = append(main.AccountsIn, a)
	}
	for a := range out {
		main.AccountsOut = append(main.AccountsOut, a)
	}
	persons := []fincen.Person{main}
	for _, c := range conductors {
		p, err := ctrPerson(ctx, src, c, fincen.PersonForAnother)
		if err != nil {
			return fincen.CTR{}, err
		}
		persons = append(persons, p)
	}
	rep := fincen.CTR{Filer: filer, FilingType: fincen.FilingInitial, Locations: []fincen.Institution{filer.Institution}, Persons: persons,
		TransactionDate: day, Aggregated: len(r.Items) > 1}
	if r.CashIn > 0 {
		rep.CashIn = []fincen.CashItem{{Type: fincen.CashInDeposit, Amount: money.Amount{Minor: r.CashIn, Currency: "USD"}}}
	}
	if r.CashOut > 0 {
		rep.CashOut = []fincen.CashItem{{Type: fincen.CashOutWithdrawal, Amount: money.Amount{Minor: r.CashOut, Currency: "USD"}}}
	}
	return rep, nil
}
