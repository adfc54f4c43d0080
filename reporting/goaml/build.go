package goaml

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
)

// emailPattern is the schema's email_address pattern (as patched for XSD
// 1.0), anchored.
var emailPattern = regexp.MustCompile(`^[_a-zA-Z0-9+-]+(\.[_a-zA-Z0-9+-]+)*@[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)*(\.[a-zA-Z]{2,15})$`)

// minDate is sql_date's lower bound.
var minDate = time.Date(1753, 1, 1, 0, 0, 0, 0, time.UTC)

type builder struct{ zone *time.Location }

func (b builder) date(field string, t time.Time, need bool) (string, error) {
	if t.IsZero() {
		if need {
			return "", warden.FieldErrorf(warden.EINVALID, field, "%s is required", field)
		}
		return "", nil
	}
	if b.zone != nil {
		t = t.In(b.zone)
	}
	if t.Before(minDate) || t.Year() > 9999 {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s is out of range", field)
	}
	return t.Format(dateLayout), nil
}

// day writes a calendar date (birth, incorporation, document dates) as
// midnight of that date: it is not shifted into Zone, which would move a
// birthday to the day before for dates held as UTC midnight.
func (b builder) day(field string, t time.Time, need bool) (string, error) {
	if t.IsZero() {
		return b.date(field, t, need)
	}
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return builder{}.date(field, d, need)
}

func (r *Report) build() (*xReport, error) {
	b := builder{zone: r.Zone}
	x := &xReport{SubmissionCode: SubmissionElectronic}
	var err error
	if x.ReportCode, err = code("code", r.Code, reportTypes, "report type"); err != nil {
		return nil, err
	}
	if r.EntityID < 1 {
		return nil, warden.FieldErrorf(warden.EINVALID, "entity_id", "entity_id (the goAML reporting entity id) must be a positive number")
	}
	x.EntityID = r.EntityID
	if x.Branch, err = text("branch", r.Branch, 255, false); err != nil {
		return nil, err
	}
	if x.Reference, err = text("reference", r.Reference, 255, true); err != nil {
		return nil, err
	}
	if x.FIURef, err = text("fiu_ref", r.FIURef, 255, false); err != nil {
		return nil, err
	}
	if x.SubmissionDate, err = b.date("submission_date", r.SubmissionDate, true); err != nil {
		return nil, err
	}
	if x.Currency, err = code("local_currency", string(r.LocalCurrency), currencies, "currency"); err != nil {
		return nil, err
	}
	if r.ReportingPerson != nil {
		if x.Reporter, err = b.person("reporting_person", *r.ReportingPerson, kindReporter); err != nil {
			return nil, err
		}
	}
	if r.Location != nil {
		if x.Location, err = address("location", *r.Location); err != nil {
			return nil, err
		}
	}
	if x.Reason, err = text("reason", r.Reason, 8000, false); err != nil {
		return nil, err
	}
	if x.Action, err = text("action", r.Action, 8000, false); err != nil {
		return nil, err
	}
	if len(r.Transactions) == 0 {
		// goAML's alternative, an activity report without transactions,
		// is not supported.
		return nil, warden.FieldErrorf(warden.EINVALID, "transactions", "at least one transaction is required")
	}
	for i := range r.Transactions {
		t, err := b.transaction(fmt.Sprintf("transactions[%d]", i), r.Transactions[i], r.LocalCurrency)
		if err != nil {
			return nil, err
		}
		x.Transaction = append(x.Transaction, t)
	}
	if len(r.Indicators) == 0 {
		return nil, warden.FieldErrorf(warden.EINVALID, "indicators", "at least one report indicator is required")
	}
	for i, ind := range r.Indicators {
		v, err := code(fmt.Sprintf("indicators[%d]", i), ind, reportIndicators, "report indicator")
		if err != nil {
			return nil, err
		}
		x.Indicators.Indicator = append(x.Indicators.Indicator, v)
	}
	return x, nil
}

func (b builder) transaction(field string, t Transaction, local money.Currency) (xTransaction, error) {
	x := xTransaction{}
	var err error
	if x.Number, err = text(field+".number", t.Number, 100, true); err != nil {
		return x, err
	}
	if x.InternalRef, err = text(field+".internal_ref", t.InternalRef, 100, false); err != nil {
		return x, err
	}
	if x.Location, err = text(field+".location", t.Location, 255, false); err != nil {
		return x, err
	}
	if x.Description, err = text(field+".description", t.Description, 8000, true); err != nil {
		return x, err
	}
	if x.Date, err = b.date(field+".date", t.Date, true); err != nil {
		return x, err
	}
	if x.Mode, err = code(field+".mode", t.Mode, conductionTypes, "conduction type"); err != nil {
		return x, err
	}
	x.ModeComment = "-"
	if t.ModeComment != "" {
		if len([]rune(t.ModeComment)) != 1 {
			return x, warden.FieldErrorf(warden.EINVALID, field+".mode_comment", "mode_comment is a single character")
		}
		x.ModeComment = t.ModeComment
	}
	if t.Amount.Currency != local {
		return x, warden.FieldErrorf(warden.EINVALID, field+".amount", "amount must be in the local currency %s", local)
	}
	if t.Amount.Minor <= 0 || t.Amount.Minor > 1e15 {
		return x, warden.FieldErrorf(warden.EINVALID, field+".amount", "amount must be positive")
	}
	x.AmountLocal = decimal(t.Amount)
	from, err := b.party(field+".from", t.From)
	if err != nil {
		return x, err
	}
	to, err := b.party(field+".to", t.To)
	if err != nil {
		return x, err
	}
	xf := &xFrom{FundsCode: from.funds, FundsComment: from.comment, Foreign: from.foreign, Account: from.account, Person: from.person, Entity: from.entity, Country: from.country}
	xt := &xTo{FundsCode: to.funds, FundsComment: to.comment, Foreign: to.foreign, Account: to.account, Person: to.person, Entity: to.entity, Country: to.country}
	if t.From.MyClient {
		x.FromMy = xf
	} else {
		x.From = xf
	}
	if t.To.MyClient {
		x.ToMy = xt
	} else {
		x.To = xt
	}
	if x.Comments, err = text(field+".comments", t.Comments, 8000, false); err != nil {
		return x, err
	}
	return x, nil
}

type side struct {
	funds, comment, country string
	foreign                 *xForeign
	account                 *xAccount
	person                  *xPerson
	entity                  *xEntity
}

func (b builder) party(field string, p Party) (side, error) {
	var s side
	var err error
	if s.funds, err = code(field+".funds_code", p.FundsCode, fundsTypes, "funds type"); err != nil {
		return s, err
	}
	if s.comment, err = text(field+".funds_comment", p.FundsComment, 255, false); err != nil {
		return s, err
	}
	if s.country, err = code(field+".country", p.Country, countries, "country"); err != nil {
		return s, err
	}
	if p.Foreign != nil {
		f := p.Foreign
		if _, err := code(field+".foreign.currency", string(f.Amount.Currency), currencies, "currency"); err != nil {
			return s, err
		}
		if f.Amount.Minor <= 0 {
			return s, warden.FieldErrorf(warden.EINVALID, field+".foreign.amount", "foreign amount must be positive")
		}
		s.foreign = &xForeign{Currency: string(f.Amount.Currency), Amount: decimal(f.Amount)}
		if f.Rate != "" {
			r, ok := new(big.Rat).SetString(f.Rate)
			if !ok || r.Sign() <= 0 || strings.ContainsAny(f.Rate, "/eE") {
				return s, warden.FieldErrorf(warden.EINVALID, field+".foreign.rate", "rate must be a positive decimal number")
			}
			s.foreign.Rate = strings.TrimSpace(f.Rate)
		}
	}
	n := 0
	kind := kindOther
	if p.MyClient {
		kind = kindClient
	}
	if p.Person != nil {
		n++
		if s.person, err = b.person(field+".person", *p.Person, kind); err != nil {
			return s, err
		}
	}
	if p.Entity != nil {
		n++
		if s.entity, err = b.entity(field+".entity", *p.Entity, p.MyClient); err != nil {
			return s, err
		}
	}
	if p.Account != nil {
		n++
		if s.account, err = b.account(field+".account", *p.Account, p.MyClient); err != nil {
			return s, err
		}
	}
	if n != 1 {
		return s, warden.FieldErrorf(warden.EINVALID, field, "%s needs exactly one of person, entity or account", field)
	}
	return s, nil
}

func address(field string, a Address) (*xAddress, error) {
	x := &xAddress{Type: a.Type}
	var err error
	if x.Type == "" {
		x.Type = "-"
	}
	if _, err = code(field+".type", x.Type, contactTypes, "contact type"); err != nil {
		return nil, err
	}
	if x.Address, err = text(field+".street", a.Street, 100, true); err != nil {
		return nil, err
	}
	if x.Town, err = text(field+".town", a.Town, 255, false); err != nil {
		return nil, err
	}
	if x.City, err = text(field+".city", a.City, 255, true); err != nil {
		return nil, err
	}
	if x.Zip, err = text(field+".zip", a.Zip, 10, false); err != nil {
		return nil, err
	}
	if x.Country, err = code(field+".country", a.Country, countries, "country"); err != nil {
		return nil, err
	}
	if x.State, err = text(field+".state", a.State, 255, true); err != nil {
		return nil, err
	}
	return x, nil
}

func phones(field string, ps []Phone, always bool) (*xPhones, error) {
	if len(ps) == 0 && !always {
		return nil, nil
	}
	x := &xPhones{}
	for i, p := range ps {
		f := fmt.Sprintf("%s[%d]", field, i)
		ct, kind := p.ContactType, p.Kind
		if ct == "" {
			ct = "-"
		}
		if kind == "" {
			kind = "-"
		}
		if _, err := code(f+".contact_type", ct, contactTypes, "contact type"); err != nil {
			return nil, err
		}
		if _, err := code(f+".kind", kind, communicationTypes, "communication type"); err != nil {
			return nil, err
		}
		prefix, err := text(f+".country_prefix", strings.TrimPrefix(p.CountryPrefix, "+"), 4, false)
		if err != nil {
			return nil, err
		}
		num, err := text(f+".number", p.Number, 50, true)
		if err != nil {
			return nil, err
		}
		x.Phone = append(x.Phone, xPhone{ContactType: ct, CommunicationType: kind, CountryPrefix: prefix, Number: num})
	}
	return x, nil
}

func addresses(field string, as []Address, always bool) (*xAddresses, error) {
	if len(as) == 0 && !always {
		return nil, nil
	}
	x := &xAddresses{}
	for i, a := range as {
		xa, err := address(fmt.Sprintf("%s[%d]", field, i), a)
		if err != nil {
			return nil, err
		}
		x.Address = append(x.Address, *xa)
	}
	return x, nil
}

func emails(field string, es []string) ([]string, error) {
	if len(es) > 5 {
		return nil, warden.FieldErrorf(warden.EINVALID, field, "goAML takes at most five e-mail addresses")
	}
	out := make([]string, 0, len(es))
	for i, e := range es {
		e = strings.TrimSpace(e)
		if len(e) > 255 || !emailPattern.MatchString(e) {
			f := fmt.Sprintf("%s[%d]", field, i)
			return nil, warden.FieldErrorf(warden.EINVALID, f, "%s is not an e-mail address goAML accepts", f)
		}
		out = append(out, e)
	}
	return out, nil
}

func yn(b bool) string {
	if b {
		return "Y"
	}
	return "N"
}
