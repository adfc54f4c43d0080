package goaml

import (
	"fmt"

	"github.com/wardenhq/warden"
)

// Which goAML person type is being written: the three share element order
// but not which elements are required.
type personKind int

const (
	kindOther    personKind = iota // t_person: only the names are required
	kindClient                     // t_person_my_client: the full KYC record
	kindReporter                   // t_person_registration_in_report
)

func (b builder) person(field string, p Person, kind personKind) (*xPerson, error) {
	x := &xPerson{}
	var err error
	if x.FirstName, err = name(field+".first_name", p.FirstName, 100, true); err != nil {
		return nil, err
	}
	if x.MiddleName, err = name(field+".middle_name", p.MiddleName, 100, false); err != nil {
		return nil, err
	}
	if x.LastName, err = name(field+".last_name", p.LastName, 100, true); err != nil {
		return nil, err
	}
	switch p.Gender {
	case "M", "F":
		x.Gender = p.Gender
	case "":
		if kind == kindClient {
			x.Gender = "-" // required for a client; "-" is the schema's "unspecified"
		}
	default:
		return nil, warden.FieldErrorf(warden.EINVALID, field+".gender", "%s.gender must be M, F or empty", field)
	}
	if x.Title, err = text(field+".title", p.Title, 30, false); err != nil {
		return nil, err
	}
	if x.BirthDate, err = b.day(field+".birth_date", p.BirthDate, kind == kindClient); err != nil {
		return nil, err
	}
	if x.BirthPlace, err = text(field+".birth_place", p.BirthPlace, 255, false); err != nil {
		return nil, err
	}
	id, err := text(field+".id_number", p.IDNumber, 255, false)
	if err != nil {
		return nil, err
	}
	if id != "" || kind == kindClient {
		x.IDNumber = &id
	}
	for _, c := range []struct {
		name, v string
		dst     *string
	}{{"nationality", p.Nationality, &x.Nationality}, {"residence", p.Residence, &x.Residence}} {
		if c.v == "" && kind != kindClient {
			continue
		}
		if *c.dst, err = code(field+"."+c.name, c.v, countries, "country"); err != nil {
			return nil, err
		}
	}
	if x.Phones, err = phones(field+".phones", p.Phones, kind == kindClient); err != nil {
		return nil, err
	}
	if x.Addresses, err = addresses(field+".addresses", p.Addresses, false); err != nil {
		return nil, err
	}
	if x.Email, err = emails(field+".emails", p.Emails); err != nil {
		return nil, err
	}
	if x.Occupation, err = text(field+".occupation", p.Occupation, 255, false); err != nil {
		return nil, err
	}
	if kind == kindClient && len(p.IDs) == 0 {
		return nil, warden.FieldErrorf(warden.EINVALID, field+".ids", "a client needs at least one identity document (goAML's t_person_my_client requires it)")
	}
	for i, id := range p.IDs {
		xi, err := b.identification(fmt.Sprintf("%s.ids[%d]", field, i), id)
		if err != nil {
			return nil, err
		}
		x.Identification = append(x.Identification, xi)
	}
	if x.TaxNumber, err = text(field+".tax_number", p.TaxNumber, 100, false); err != nil {
		return nil, err
	}
	if kind == kindClient {
		x.TaxRegNumber = yn(p.TaxRegistered)
	}
	return x, nil
}

func (b builder) identification(field string, id Identification) (xIdentification, error) {
	x := xIdentification{}
	var err error
	if x.Type, err = code(field+".type", id.Type, identifierTypes, "identifier type"); err != nil {
		return x, err
	}
	if x.Number, err = text(field+".number", id.Number, 255, true); err != nil {
		return x, err
	}
	if x.IssueDate, err = b.day(field+".issued", id.Issued, true); err != nil {
		return x, err
	}
	if x.ExpiryDate, err = b.day(field+".expires", id.Expires, true); err != nil {
		return x, err
	}
	if id.Expires.Before(id.Issued) {
		return x, warden.FieldErrorf(warden.EINVALID, field+".expires", "%s.expires is before %s.issued", field, field)
	}
	if x.IssuedBy, err = text(field+".issued_by", id.IssuedBy, 255, false); err != nil {
		return x, err
	}
	if x.IssueCountry, err = code(field+".country", id.Country, countries, "country"); err != nil {
		return x, err
	}
	return x, nil
}

func (b builder) entity(field string, e Entity, client bool) (*xEntity, error) {
	x := &xEntity{}
	var err error
	if x.Name, err = name(field+".name", e.Name, 255, true); err != nil {
		return nil, err
	}
	if x.CommercialName, err = name(field+".commercial_name", e.CommercialName, 255, false); err != nil {
		return nil, err
	}
	if e.LegalForm != "" || client {
		if x.LegalForm, err = code(field+".legal_form", e.LegalForm, legalForms, "legal form"); err != nil {
			return nil, err
		}
	}
	if x.IncorporationNumber, err = text(field+".incorporation_number", e.IncorporationNumber, 50, client); err != nil {
		return nil, err
	}
	business, err := text(field+".business", e.Business, 255, false)
	if err != nil {
		return nil, err
	}
	if business != "" || client {
		x.Business = &business
	}
	if x.Phones, err = phones(field+".phones", e.Phones, false); err != nil {
		return nil, err
	}
	if client && len(e.Addresses) == 0 {
		return nil, warden.FieldErrorf(warden.EINVALID, field+".addresses", "a client entity needs its address")
	}
	if x.Addresses, err = addresses(field+".addresses", e.Addresses, false); err != nil {
		return nil, err
	}
	if x.Email, err = emails(field+".emails", e.Emails); err != nil {
		return nil, err
	}
	state, err := text(field+".incorporation_state", e.IncorporationState, 255, false)
	if err != nil {
		return nil, err
	}
	if state != "" || client {
		x.IncorporationState = &state
	}
	if e.IncorporationCountry != "" || client {
		if x.IncorporationCC, err = code(field+".incorporation_country", e.IncorporationCountry, countries, "country"); err != nil {
			return nil, err
		}
	}
	if client && len(e.Directors) == 0 {
		return nil, warden.FieldErrorf(warden.EINVALID, field+".directors", "a client entity needs at least one director")
	}
	for i, d := range e.Directors {
		f := fmt.Sprintf("%s.directors[%d]", field, i)
		p, err := b.person(f, d.Person, kindOther)
		if err != nil {
			return nil, err
		}
		xd := xDirector{xPerson: *p}
		if d.Role != "" {
			if xd.Role, err = code(f+".role", d.Role, entityRoles, "entity person role"); err != nil {
				return nil, err
			}
		}
		x.Director = append(x.Director, xd)
	}
	if x.IncorporationDate, err = b.day(field+".incorporation_date", e.IncorporationDate, client); err != nil {
		return nil, err
	}
	if x.TaxNumber, err = text(field+".tax_number", e.TaxNumber, 100, false); err != nil {
		return nil, err
	}
	if client {
		x.TaxRegNumber = yn(e.TaxRegistered)
	}
	return x, nil
}

func (b builder) account(field string, a Account, client bool) (*xAccount, error) {
	x := &xAccount{}
	var err error
	if x.InstitutionName, err = text(field+".institution_name", a.InstitutionName, 255, client); err != nil {
		return nil, err
	}
	switch {
	case a.InstitutionCode != "" && a.SWIFT != "":
		return nil, warden.FieldErrorf(warden.EINVALID, field+".swift", "give the institution code or the SWIFT code, not both")
	case a.SWIFT != "":
		if x.SWIFT, err = text(field+".swift", a.SWIFT, 11, true); err != nil {
			return nil, err
		}
	default:
		if x.InstitutionCode, err = text(field+".institution_code", a.InstitutionCode, 50, true); err != nil {
			return nil, err
		}
	}
	if a.InstitutionCountry != "" {
		if x.InstitutionCountry, err = code(field+".institution_country", a.InstitutionCountry, countries, "country"); err != nil {
			return nil, err
		}
	}
	if client {
		nb := a.NonBank
		x.NonBank = &nb
	}
	if x.Branch, err = text(field+".branch", a.Branch, 255, client); err != nil {
		return nil, err
	}
	if x.Account, err = text(field+".number", a.Number, 255, true); err != nil {
		return nil, err
	}
	if a.Currency != "" || client {
		if x.Currency, err = code(field+".currency", string(a.Currency), currencies, "currency"); err != nil {
			return nil, err
		}
	}
	if x.Name, err = name(field+".name", a.Name, 255, true); err != nil {
		return nil, err
	}
	if a.Type != "" || client {
		if x.Type, err = code(field+".type", a.Type, accountTypes, "account type"); err != nil {
			return nil, err
		}
	}
	if client && len(a.Signatories) == 0 {
		return nil, warden.FieldErrorf(warden.EINVALID, field+".signatories", "a client account needs at least one signatory")
	}
	kind := kindOther
	if client {
		kind = kindClient
	}
	for i, s := range a.Signatories {
		f := fmt.Sprintf("%s.signatories[%d]", field, i)
		p, err := b.person(f+".person", s.Person, kind)
		if err != nil {
			return nil, err
		}
		role, err := code(f+".role", s.Role, accountRoles, "account person role")
		if err != nil {
			return nil, err
		}
		xs := xSignatory{Person: *p, Role: role}
		if s.Primary {
			xs.IsPrimary = "1" // the schema fixes the value: present means primary
		}
		x.Signatory = append(x.Signatory, xs)
	}
	if x.Opened, err = b.day(field+".opened", a.Opened, client); err != nil {
		return nil, err
	}
	if a.Status != "" || client {
		if x.Status, err = code(field+".status", a.Status, accountStatuses, "account status"); err != nil {
			return nil, err
		}
	}
	beneficiary, err := text(field+".beneficiary", a.Beneficiary, 50, false)
	if err != nil {
		return nil, err
	}
	if beneficiary != "" || client {
		x.Beneficiary = &beneficiary
	}
	return x, nil
}
