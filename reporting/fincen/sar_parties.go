package fincen

import (
	"fmt"
	"net/mail"

	"github.com/wardenhq/warden"
)

// institutionParties writes the five parties every SAR carries besides its
// subjects: transmitter (35), transmitter contact (37), filing institution
// (30), contact office (8) and each institution where the activity
// occurred (34, with its branch as a 46 under PartyAssociation).
func (r *SAR) institutionParties(s *seq, tr Transmitter) ([]sarParty, error) {
	t, err := transmitterParty(s, tr)
	if err != nil {
		return nil, err
	}
	contactName, err := required("transmitter.contact_name", tr.ContactName, 150)
	if err != nil {
		return nil, err
	}
	tc := sarParty{SeqNum: s.next(), ActivityPartyTypeCode: partyTransmitterContact, PartyName: []xPartyName{legalName(s, contactName)}}

	f := r.Filer
	filer := sarParty{SeqNum: s.next(), ActivityPartyTypeCode: partyFiler}
	if filer.PrimaryRegulator, err = regulator("filer.primary_regulator", f.PrimaryRegulator, true); err != nil {
		return nil, err
	}
	inst, err := institution(s, "filer", f.Institution, true)
	if err != nil {
		return nil, err
	}
	filer.PartyName, filer.Address, filer.Identification = inst.names, []xAddress{*inst.addr}, inst.ids
	filer.OrgClass = []xOrgClass{*inst.org}

	office, err := required("filer.contact_office", f.ContactOffice, 150)
	if err != nil {
		return nil, err
	}
	co := sarParty{SeqNum: s.next(), ActivityPartyTypeCode: partyContactOffice, PartyName: []xPartyName{legalName(s, office)}}
	ph, err := phone(s, "filer.contact_phone", f.ContactPhone)
	if err != nil {
		return nil, err
	}
	if ph == nil {
		return nil, warden.FieldErrorf(warden.EINVALID, "filer.contact_phone", "filer.contact_phone is required")
	}
	co.PhoneNumber = []sarPhone{{SeqNum: ph.SeqNum, Number: ph.Number, Extension: ph.Extension}}

	parties := []sarParty{t, tc, filer, co}
	if len(r.Locations) == 0 {
		return nil, warden.FieldErrorf(warden.EINVALID, "locations", "at least one institution where the activity occurred is required")
	}
	if len(r.Locations) > 99 {
		return nil, warden.FieldErrorf(warden.EINVALID, "locations", "at most 99 locations")
	}
	for i, l := range r.Locations {
		field := fmt.Sprintf("locations[%d]", i)
		p := sarParty{SeqNum: s.next(), ActivityPartyTypeCode: partyLocation}
		if p.PrimaryRegulator, err = regulator(field+".primary_regulator", l.PrimaryRegulator, true); err != nil {
			return nil, err
		}
		inst, err := institution(s, field, l.Institution, true)
		if err != nil {
			return nil, err
		}
		p.PartyName, p.Address, p.Identification = inst.names, []xAddress{*inst.addr}, inst.ids
		p.OrgClass = []xOrgClass{*inst.org}
		if l.Branch == nil {
			p.NoBranchActivity = "Y"
		} else {
			br := sarBranchParty{SeqNum: s.next(), ActivityPartyTypeCode: partyBranch}
			a, err := address(s, field+".branch", *l.Branch)
			if err != nil {
				return nil, err
			}
			br.Address = *a
			if l.BranchRSSD != "" {
				id, err := identification(s, field+".branch_rssd", Identification{Type: IDTypeRSSD, Number: l.BranchRSSD})
				if err != nil {
					return nil, err
				}
				br.Identification = &id
			}
			p.Association = []sarPartyAssociation{{SeqNum: s.next(), Party: []sarBranchParty{br}}}
		}
		parties = append(parties, p)
	}
	return parties, nil
}

func transmitterParty(s *seq, tr Transmitter) (sarParty, error) {
	p := sarParty{SeqNum: s.next(), ActivityPartyTypeCode: partyTransmitter}
	name, err := required("transmitter.name", tr.Name, 150)
	if err != nil {
		return p, err
	}
	p.PartyName = []xPartyName{legalName(s, name)}
	a, err := address(s, "transmitter.address", tr.Address)
	if err != nil {
		return p, err
	}
	p.Address = []xAddress{*a}
	ph, err := phone(s, "transmitter.phone", tr.Phone)
	if err != nil {
		return p, err
	}
	if ph == nil {
		return p, warden.FieldErrorf(warden.EINVALID, "transmitter.phone", "transmitter.phone is required")
	}
	p.PhoneNumber = []sarPhone{{SeqNum: ph.SeqNum, Number: ph.Number, Extension: ph.Extension}}
	tin, err := identification(s, "transmitter.tin", Identification{Type: IDTypeTIN, Number: tr.TIN})
	if err != nil {
		return p, err
	}
	tcc, err := identification(s, "transmitter.tcc", Identification{Type: IDTypeTCC, Number: tr.TCC})
	if err != nil {
		return p, err
	}
	p.Identification = []xIdentification{tin, tcc}
	return p, nil
}

var sarRegulators = map[string]bool{"1": true, "2": true, "3": true, "4": true, "6": true, "7": true, "9": true, "13": true, "99": true}

func regulator(field, code string, sar bool) (string, error) {
	ok := sarRegulators[code]
	if !sar {
		ok = ctrRegulators[code]
	}
	if !ok {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s %q is not a FinCEN primary federal regulator code", field, code)
	}
	return code, nil
}

// party writes a subject (33).
func (sub *Subject) party(s *seq, field string) (sarParty, error) {
	p := sarParty{SeqNum: s.next(), ActivityPartyTypeCode: partySubject}
	f, err := personName(field, sub.Entity, sub.Name, sub.LastName, sub.FirstName, sub.MiddleName, sub.Suffix, sub.Gender, sub.BirthDate)
	if err != nil {
		return p, err
	}
	name := f.name
	p.Entity, p.Female, p.Male, p.UnknownGender, p.BirthDateUnknown, p.BirthDate = f.entity, f.female, f.male, f.unknownGender, f.birthUnknown, f.dob
	switch sub.Role {
	case "":
	case RoleSender:
		p.Sender = "Y"
	case RoleReceiver:
		p.Receiver = "Y"
	case RoleBoth:
		p.BothSenderReceiver = "Y"
	default:
		return p, warden.FieldErrorf(warden.EINVALID, field+".role", "%s.role must be sender, receiver or both", field)
	}
	name.SeqNum = s.next()
	p.PartyName = append(p.PartyName, name)
	aka := "AKA"
	if sub.Entity {
		aka = "DBA"
	}
	for i, n := range sub.AlsoKnownAs {
		v, err := required(fmt.Sprintf("%s.also_known_as[%d]", field, i), n, 150)
		if err != nil {
			return p, err
		}
		p.PartyName = append(p.PartyName, xPartyName{SeqNum: s.next(), PartyNameTypeCode: aka, FullName: v})
	}
	for i, a := range sub.Addresses {
		x, err := address(s, fmt.Sprintf("%s.addresses[%d]", field, i), a)
		if err != nil {
			return p, err
		}
		p.Address = append(p.Address, *x)
	}
	for i, ph := range sub.Phones {
		x, err := phone(s, fmt.Sprintf("%s.phones[%d]", field, i), ph)
		if err != nil {
			return p, err
		}
		if x != nil {
			p.PhoneNumber = append(p.PhoneNumber, sarPhone{SeqNum: x.SeqNum, Number: x.Number, Extension: x.Extension})
		}
	}
	for i, id := range sub.IDs {
		x, err := identification(s, fmt.Sprintf("%s.ids[%d]", field, i), id)
		if err != nil {
			return p, err
		}
		p.Identification = append(p.Identification, x)
	}
	if occ, err := clean(field+".occupation", sub.Occupation, 50); err != nil {
		return p, err
	} else if occ != "" {
		p.Occupation = &xOccupation{SeqNum: s.next(), Text: occ}
	}
	for i, e := range sub.Emails {
		f := fmt.Sprintf("%s.emails[%d]", field, i)
		a, err := mail.ParseAddress(e)
		if err != nil || a.Name != "" || len(a.Address) > 517 {
			return p, warden.FieldErrorf(warden.EINVALID, f, "%s is not an e-mail address", f)
		}
		p.ElectronicAddress = append(p.ElectronicAddress, sarElectronicAddr{SeqNum: s.next(), Text: a.Address, Type: "E"})
	}
	if err := sub.association(s, field, &p); err != nil {
		return p, err
	}
	if err := sub.accounts(s, field, &p); err != nil {
		return p, err
	}
	return p, nil
}

func (sub *Subject) association(s *seq, field string, p *sarParty) error {
	if len(sub.Relationships) == 0 {
		return nil
	}
	a := sarPartyAssociation{}
	for _, rel := range sub.Relationships {
		switch rel {
		case RelAccountant:
			a.Accountant = "Y"
		case RelAgent:
			a.Agent = "Y"
		case RelAppraiser:
			a.Appraiser = "Y"
		case RelAttorney:
			a.Attorney = "Y"
		case RelBorrower:
			a.Borrower = "Y"
		case RelCustomer:
			a.Customer = "Y"
		case RelDirector:
			a.Director = "Y"
		case RelEmployee:
			a.Employee = "Y"
		case RelNone:
			a.NoRelationship = "Y"
		case RelOfficer:
			a.Officer = "Y"
		case RelOwnerShareholder:
			a.OwnerShareholder = "Y"
		case RelOther:
			a.Other = "Y"
			var err error
			if a.OtherText, err = required(field+".relationship_other", sub.RelationshipOther, 50); err != nil {
				return err
			}
		default:
			return warden.FieldErrorf(warden.EINVALID, field+".relationships", "%s.relationships: unknown relationship %q", field, rel)
		}
	}
	var err error
	if a.InstitutionTIN, err = digits(field+".institution_tin", sub.InstitutionTIN, 25, false); err != nil {
		return err
	}
	a.SeqNum = s.next()
	p.Association = []sarPartyAssociation{a}
	return nil
}

// accounts writes the subject's affected accounts: a PartyAccountAssociation
// (7, activity affected account) holding the institution (41) where they are
// held, identified by its TIN, and the accounts themselves.
func (sub *Subject) accounts(s *seq, field string, p *sarParty) error {
	if len(sub.Accounts) == 0 {
		return nil
	}
	if len(sub.Accounts) > 99 {
		return warden.FieldErrorf(warden.EINVALID, field+".accounts", "at most 99 accounts per subject")
	}
	assoc := &sarPartyAccountAssoc{SeqNum: s.next(), TypeCode: "7"}
	inst := sarAccountInst{SeqNum: s.next(), ActivityPartyTypeCode: partyAccountInstitution}
	tin, err := identification(s, field+".account_institution_tin", Identification{Type: IDTypeEIN, Number: sub.AccountInstitutionTIN})
	if err != nil {
		return err
	}
	inst.Identification = &tin
	for i, a := range sub.Accounts {
		n, err := required(fmt.Sprintf("%s.accounts[%d].number", field, i), a.Number, 40)
		if err != nil {
			return err
		}
		inst.Account = append(inst.Account, sarAccount{SeqNum: s.next(), Number: n,
			Association: sarAccountAssocRef{SeqNum: s.next(), AccountClosed: y(a.Closed), TypeCode: "5"}})
	}
	assoc.Party = []sarAccountInst{inst}
	p.AccountAssociation = assoc
	return nil
}
