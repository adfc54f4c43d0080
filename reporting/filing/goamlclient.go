package filing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/config"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/money"
	"github.com/wardenhq/warden/reporting/goaml"
)

// goamlSubject is the institution's own customer as one side of a goAML
// transaction: a my-client person or entity when the KYC record holds
// everything goAML's t_person_my_client / t_entity_my_client require, else
// the plain t_person / t_entity, with warnings saying why.
type goamlSubject struct {
	person   *goaml.Person
	entity   *goaml.Entity
	myClient bool
	warnings []string
}

// goamlCustomer maps the customer: my-client when complete, plain (as
// goamlPerson) otherwise. Nothing the record lacks is made up: gender, legal
// form and address type, which KYC does not hold, are written as the
// schema's "-" (unknown), and incorporation_state is left empty.
func goamlCustomer(ctx context.Context, src Sources, c config.GoAML, cust *kyc.Customer) (goamlSubject, error) {
	var docs []*kyc.Document
	if src.Documents != nil {
		var err error
		if docs, err = src.Documents.CustomerDocuments(ctx, cust.ID); err != nil {
			return goamlSubject{}, fmt.Errorf("documents of customer %s: %w", cust.ID, err)
		}
	}
	var (
		party   goaml.Party
		missing []string
		notes   []string
		plain   = "t_person"
		client  = "t_person_my_client"
	)
	if cust.Type == kyc.TypeEntity {
		plain, client = "t_entity", "t_entity_my_client"
		e, miss, skipped, err := clientEntity(ctx, src, c, cust, docs)
		if err != nil {
			return goamlSubject{}, err
		}
		party.Entity, missing, notes = e, miss, skipped
	} else {
		party.Person, missing = clientPerson(c, cust, docs)
	}
	if len(missing) == 0 {
		party.MyClient, party.FundsCode, party.Country = true, "CASH", cust.Country
		if problem := myClientProblem(c, party); problem != "" {
			missing = append(missing, problem)
		}
	}
	if len(missing) == 0 {
		return goamlSubject{person: party.Person, entity: party.Entity, myClient: true, warnings: notes}, nil
	}
	person, entity := goamlPerson(cust, docs)
	w := fmt.Sprintf("customer %s is written as %s, not %s: %s", cust.ID, plain, client, strings.Join(missing, "; "))
	return goamlSubject{person: person, entity: entity, warnings: append(notes, w)}, nil
}

// clientPerson maps an individual to t_person_my_client and names what the
// record lacks for it.
func clientPerson(c config.GoAML, cust *kyc.Customer, docs []*kyc.Document) (*goaml.Person, []string) {
	p := &goaml.Person{FirstName: cust.GivenNames, LastName: cust.Surname, Nationality: cust.Nationality, Residence: cust.Country,
		Occupation: cust.Occupation, Phones: customerPhones(c, cust, "PRIVT")}
	var missing []string
	if strings.TrimSpace(p.FirstName) == "" || strings.TrimSpace(p.LastName) == "" {
		missing = append(missing, "given_names and surname")
	}
	if dob, err := time.Parse(time.DateOnly, cust.DateOfBirth); err == nil {
		p.BirthDate = dob
	} else {
		missing = append(missing, "date_of_birth")
	}
	if p.Nationality == "" {
		missing = append(missing, "nationality")
	}
	if p.Residence == "" {
		missing = append(missing, "country (residence)")
	}
	if a, ok := goamlAddress(cust); ok {
		p.Addresses = []goaml.Address{a}
	}
	var gaps []string
	for _, d := range docs {
		if d.Status != kyc.DocVerified {
			continue
		}
		switch d.Kind {
		case kyc.DocNationalID:
			p.IDNumber = d.Number
		case kyc.DocSSN, kyc.DocITIN:
			p.TaxNumber, p.TaxRegistered = digits.ReplaceAllString(d.Number, ""), true
		}
		if id, lacks, ok := identification(cust, d); ok {
			if len(lacks) == 0 {
				p.IDs = append(p.IDs, id)
			} else {
				gaps = append(gaps, fmt.Sprintf("%s %s has no %s", d.Kind, d.ID, strings.Join(lacks, ", ")))
			}
		}
	}
	if len(p.IDs) == 0 {
		m := "identification (a verified passport, id_card or national_id with number, issue date, expiry date and issuing country)"
		if len(gaps) > 0 {
			m += ": " + strings.Join(gaps, "; ")
		}
		missing = append(missing, m)
	}
	return p, missing
}

// identification maps a verified identity document to goAML's, with what
// it lacks; ok is false for documents that are not identity documents.
// The issuing country is only what the kind implies: a national_id is
// Kenyan, a passport is issued by the holder's nationality, and an ID card
// by the holder's country when nationality and residence agree (a national
// card and a residence permit would both be that country's).
func identification(cust *kyc.Customer, d *kyc.Document) (goaml.Identification, []string, bool) {
	id := goaml.Identification{Number: strings.TrimSpace(d.Number), Type: "-"} // the schema has no national ID card code
	switch d.Kind {
	case kyc.DocPassport:
		id.Type, id.Country = "PASSP", cust.Nationality
	case kyc.DocIDCard:
		if cust.Nationality != "" && cust.Nationality == cust.Country {
			id.Country = cust.Country
		}
	case kyc.DocNationalID:
		id.Country = "KE"
	default:
		return id, nil, false
	}
	var lacks []string
	if id.Number == "" {
		lacks = append(lacks, "number")
	}
	issued, err := time.Parse(time.DateOnly, d.IssuedOn)
	if err != nil {
		lacks = append(lacks, "issue date")
	}
	expires, err := time.Parse(time.DateOnly, d.ExpiresOn)
	if err != nil {
		lacks = append(lacks, "expiry date")
	}
	if id.Country == "" {
		lacks = append(lacks, "issuing country")
	}
	if len(lacks) == 0 && expires.Before(issued) {
		lacks = append(lacks, "expiry date on or after its issue date")
	}
	id.Issued, id.Expires = issued, expires
	return id, lacks, true
}

// clientEntity maps a legal entity to t_entity_my_client and names what the
// record lacks for it; skipped notes owners left out of the directors.
func clientEntity(ctx context.Context, src Sources, c config.GoAML, cust *kyc.Customer, docs []*kyc.Document) (*goaml.Entity, []string, []string, error) {
	e := &goaml.Entity{Name: cust.LegalName, LegalForm: "-", IncorporationNumber: cust.RegistrationNumber, Business: cust.BusinessType,
		IncorporationCountry: cust.Country, Phones: customerPhones(c, cust, "BU")}
	var missing []string
	if strings.TrimSpace(e.Name) == "" {
		missing = append(missing, "legal_name")
	}
	if strings.TrimSpace(e.IncorporationNumber) == "" {
		missing = append(missing, "registration_number")
	}
	if e.IncorporationCountry == "" {
		missing = append(missing, "country (incorporation)")
	}
	if d, err := time.Parse(time.DateOnly, cust.IncorporationDate); err == nil {
		e.IncorporationDate = d
	} else {
		missing = append(missing, "incorporation_date")
	}
	if a, ok := goamlAddress(cust); ok {
		e.Addresses = []goaml.Address{a}
	} else {
		missing = append(missing, "address (line1 of at most 100 characters with line2, city, region and country)")
	}
	for _, d := range docs {
		if d.Status == kyc.DocVerified && d.Kind == kyc.DocEIN && d.Number != "" {
			e.TaxNumber, e.TaxRegistered = digits.ReplaceAllString(d.Number, ""), true
		}
	}
	directors, skipped, why, err := goamlDirectors(ctx, src, cust)
	if err != nil {
		return nil, nil, nil, err
	}
	e.Directors = directors
	if len(directors) == 0 {
		missing = append(missing, "directors ("+why+")")
	}
	return e, missing, skipped, nil
}

// goamlDirectors are the entity's beneficial owners (role UBO) and its
// control person (no role: the CDD record does not say which office they
// hold) from the recorded ownership structure. An owner's one recorded name
// is split at its last word into first names and surname; an owner with a
// one-word name, or one goAML cannot spell, is left out with a note (which,
// like every warning, names no personal value: warnings are audited). why
// explains an empty list.
func goamlDirectors(ctx context.Context, src Sources, cust *kyc.Customer) (ds []goaml.Director, skipped []string, why string, err error) {
	if src.Owners == nil {
		return nil, nil, "no ownership structure available", nil
	}
	o, err := src.Owners.CustomerOwners(ctx, cust.ID)
	if warden.ErrorCode(err) == warden.ENOTFOUND {
		return nil, nil, "no ownership structure recorded", nil
	}
	if err != nil {
		return nil, nil, "", fmt.Errorf("owners of customer %s: %w", cust.ID, err)
	}
	byID := map[string]kyc.OwnerParty{}
	for _, p := range o.Parties {
		byID[p.ID] = p
	}
	g, err := o.Graph(cust.ID)
	if err != nil {
		var we *warden.Error
		if errors.As(err, &we) {
			return nil, nil, "the recorded ownership structure is invalid: " + we.Message, nil
		}
		return nil, nil, "", fmt.Errorf("ownership of customer %s: %w", cust.ID, err)
	}
	cdd, err := g.BeneficialOwners(cust.ID, 0)
	if err != nil {
		return nil, nil, "", fmt.Errorf("beneficial owners of customer %s: %w", cust.ID, err)
	}
	type pick struct{ id, role string }
	var picks []pick
	for _, bo := range cdd.Owners {
		picks = append(picks, pick{bo.PartyID, "UBO"})
	}
	if cp := cdd.ControlPerson; cp != "" && !slices.ContainsFunc(picks, func(p pick) bool { return p.id == cp }) {
		picks = append(picks, pick{cp, ""})
	}
	for _, pk := range picks {
		p := byID[pk.id]
		first, last, ok := splitName(p.Name)
		if !ok {
			skipped = append(skipped, fmt.Sprintf("owner %s of customer %s is not listed as a director: goAML needs a first and a last name, the ownership record has one word", p.ID, cust.ID))
			continue
		}
		if _, err := goaml.Transliterate("name", p.Name); err != nil {
			skipped = append(skipped, fmt.Sprintf("owner %s of customer %s is not listed as a director: the name is not in Latin or Cyrillic letters goAML can write", p.ID, cust.ID))
			continue
		}
		d := goaml.Director{Person: goaml.Person{FirstName: first, LastName: last}, Role: pk.role}
		if dob, err := time.Parse(time.DateOnly, p.DateOfBirth); err == nil {
			d.BirthDate = dob
		}
		ds = append(ds, d)
	}
	switch {
	case len(picks) == 0:
		why = "the ownership structure names no beneficial owner and no control person"
	case len(ds) == 0:
		why = "no beneficial owner or control person has a name goAML can write"
	}
	return ds, skipped, why, nil
}

// splitName splits a full name at its last word.
func splitName(full string) (first, last string, ok bool) {
	w := strings.Fields(full)
	if len(w) < 2 {
		return "", "", false
	}
	return strings.Join(w[:len(w)-1], " "), w[len(w)-1], true
}

// goamlAddress is the customer's address when it has what goAML's address
// requires (street of at most 100 characters, city, state, country). The
// region is the state (Kenya's county); the zip is dropped when longer than
// goAML's 10 characters. KYC does not say what kind of address it is, so the
// type is "-".
func goamlAddress(cust *kyc.Customer) (goaml.Address, bool) {
	a := cust.Address
	street := strings.TrimSpace(strings.TrimSpace(a.Line1) + " " + strings.TrimSpace(a.Line2))
	country := a.Country
	if country == "" {
		country = cust.Country
	}
	if strings.TrimSpace(a.Line1) == "" || strings.TrimSpace(a.City) == "" || strings.TrimSpace(a.Region) == "" || country == "" || utf8.RuneCountInString(street) > 100 {
		return goaml.Address{}, false
	}
	out := goaml.Address{Type: "-", Street: street, City: a.City, State: a.Region, Country: country}
	if utf8.RuneCountInString(a.PostalCode) <= 10 {
		out.Zip = a.PostalCode
	}
	return out, true
}

// customerPhones is the customer's E.164 phone: split into the configured
// country prefix and the national number when it carries that prefix, else
// kept whole. Whether it is a mobile or a landline is not recorded ("-").
func customerPhones(c config.GoAML, cust *kyc.Customer, contact string) []goaml.Phone {
	if cust.Phone == "" {
		return nil
	}
	p := goaml.Phone{ContactType: contact, Kind: "-", Number: cust.Phone}
	if c.PhonePrefix != "" && strings.HasPrefix(cust.Phone, "+"+c.PhonePrefix) {
		p.CountryPrefix, p.Number = c.PhonePrefix, strings.TrimPrefix(cust.Phone, "+"+c.PhonePrefix)
	}
	return []goaml.Phone{p}
}

// myClientProblem runs the goAML writer's own checks on a my-client party
// in a throwaway one-transaction report and describes what it refuses, if
// anything, so a record the writer would refuse (a value too long, a date
// out of range, a code outside the schema's tables) is written plainly with
// a warning instead of failing the whole export.
func myClientProblem(c config.GoAML, p goaml.Party) string {
	at := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	cur := money.Currency(c.LocalCurrency)
	r := goaml.Report{Code: goaml.ReportSTR, EntityID: 1, Reference: "check", SubmissionDate: at, LocalCurrency: cur, Indicators: []string{"NOPUR"},
		Transactions: []goaml.Transaction{{Number: "check", Description: "check", Date: at, Mode: "-", Amount: money.Amount{Minor: 1, Currency: cur},
			From: p, To: goaml.Party{FundsCode: p.FundsCode, Entity: &goaml.Entity{Name: "check"}, Country: p.Country}}}}
	_, err := goaml.Write(r)
	var we *warden.Error
	if err == nil || !errors.As(err, &we) || !strings.HasPrefix(we.Field, "transactions[0].from.") {
		return "" // not about the party: the real export reports it
	}
	field := strings.TrimPrefix(we.Field, "transactions[0].from.")
	return fmt.Sprintf("the goAML writer refuses %s: %s", field, strings.ReplaceAll(we.Message, "transactions[0].from.", ""))
}

// accountWarning explains why the customer's accounts stay plain
// t_account: Warden keeps no account records. Warnings go to the audit log,
// so they name no account number (a mobile-money account is a phone number).
const accountWarning = "the customer's accounts are written as t_account, not t_account_my_client: Warden keeps no account records (opening date, status, account type) that goAML's my-client account requires"
