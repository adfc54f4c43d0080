package fincen

import (
	"fmt"
	"net/mail"
	"sort"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
)

// CTRThresholdCents is what cash in or cash out must exceed for a CTR:
// more than $10,000.00 in either direction in one business day. CTRBatch
// refuses a report that exceeds it in neither direction.
const CTRThresholdCents = 1_000_000

// Roles of a person in a currency transaction (ActivityPartyTypeCode).
const (
	PersonOwnBehalf     = "50" // person conducting transaction on own behalf
	PersonForAnother    = "17" // person conducting transaction for another
	PersonOnBehalfOf    = "23" // person on whose behalf the transaction was conducted
	PersonCommonCarrier = "58" // common carrier
)

// Cash detail type codes (ValidateCurrencyTransactionActvityDetailCodeType).
// Casino codes of the schema are accepted as well.
const (
	CashInDeposit          = "55"
	CashInPayment          = "46"
	CashInWireOut          = "23" // currency received for wire transfer(s) out
	CashInInstrumentBought = "12"
	CashInExchange         = "14"
	CashInPrepaid          = "49"
	CashInForeign          = "53" // foreign currency in (US dollar equivalent); needs the country
	CashInOther            = "997"

	CashOutWithdrawal       = "56"
	CashOutAdvance          = "30"
	CashOutWireIn           = "32" // currency paid from wire transfer(s) in
	CashOutInstrumentCashed = "13"
	CashOutExchange         = "15"
	CashOutPrepaid          = "48"
	CashOutForeign          = "54" // foreign currency out (US dollar equivalent); needs the country
	CashOutOther            = "998"
)

var (
	cashInCodes  = map[string]bool{"55": true, "46": true, "23": true, "12": true, "14": true, "49": true, "18": true, "21": true, "25": true, "997": true, "53": true}
	cashOutCodes = map[string]bool{"56": true, "30": true, "32": true, "13": true, "15": true, "48": true, "28": true, "31": true, "33": true, "34": true, "998": true, "54": true}
)

// CTR is one currency transaction report: one person's (or several linked
// persons') cash transactions of one business day at one institution.
type CTR struct {
	Filer Filer
	// FilingType is FilingInitial or FilingCorrect; PriorBSAID is required
	// to correct.
	FilingType string
	PriorBSAID string
	// Locations are the institutions/branches where the transactions were
	// conducted; at least one.
	Locations []Institution
	// Persons are who conducted the transactions and on whose behalf.
	Persons         []Person
	TransactionDate time.Time
	// CashIn and CashOut are the cash amounts by type, in USD (foreign
	// currency at its US dollar equivalent). Items of the same type are
	// added up; see the package documentation for rounding.
	CashIn  []CashItem
	CashOut []CashItem
	// Indicators FinCEN asks for on the transaction.
	Aggregated, ArmoredCar, ATM, MailDeposit, NightDeposit, SharedBranching bool
}

// CashItem is an amount of one cash type.
type CashItem struct {
	Type   string
	Amount money.Amount
	// OtherText describes CashInOther/CashOutOther; ForeignCountry is the
	// ISO alpha-2 country of the currency for CashInForeign/CashOutForeign.
	OtherText      string
	ForeignCountry string
}

// Person is a party to a currency transaction.
type Person struct {
	// Role is one of the Person constants.
	Role string
	// Entity marks an organisation; Name is then its legal name.
	Entity     bool
	LastName   string
	FirstName  string
	MiddleName string
	Suffix     string
	Name       string
	// AlsoKnownAs is one alternate name (AKA, or DBA for an organisation):
	// the CTR schema allows two names per party.
	AlsoKnownAs string
	BirthDate   time.Time
	Gender      string // "F", "M" or empty
	Occupation  string
	// IDs: at most two (typically the TIN and the document presented).
	IDs     []Identification
	Address Address
	Phone   Phone
	Email   string
	// CashIn and CashOut are this person's part of the totals (optional,
	// recorded when several persons are involved).
	CashIn, CashOut money.Amount
	// AccountsIn and AccountsOut are the account numbers affected by cash
	// in and cash out.
	AccountsIn, AccountsOut []string
}

// CTRBatch validates ctrs and writes one CTRX batch holding them, one
// Activity each. Header: TotalAmount is the sum of every
// DetailTransactionAmountText in the batch (so the sum of all cash in and
// cash out totals), PartyCount counts every Party element and ActivityCount
// the activities, as FinCEN's CTR XML user guide defines them.
func CTRBatch(b Batch, ctrs ...CTR) ([]byte, error) {
	if len(ctrs) == 0 {
		return nil, warden.FieldErrorf(warden.EINVALID, "ctrs", "a batch needs at least one CTR")
	}
	filed, err := date("filing_date", b.FilingDate)
	if err != nil {
		return nil, err
	}
	s := &seq{}
	doc := ctrBatchXML{FormTypeCode: FormTypeCTR}
	for i := range ctrs {
		act, dollars, err := ctrs[i].activity(s, b.Transmitter, filed)
		if err != nil {
			return nil, fmt.Errorf("ctr %d: %w", i, err)
		}
		doc.Activity = append(doc.Activity, act)
		doc.TotalAmount += dollars
		doc.PartyCount += int64(len(act.Party))
	}
	doc.ActivityCount = int64(len(doc.Activity))
	return encode(doc)
}

func (r *CTR) activity(s *seq, tr Transmitter, filed string) (ctrActivity, int64, error) {
	act := ctrActivity{SeqNum: s.next(), FilingDate: filed}
	switch r.FilingType {
	case FilingInitial:
		act.Association.Initial = "Y"
	case FilingCorrect:
		act.Association.Corrects = "Y"
		id, err := digits("prior_bsa_id", r.PriorBSAID, 14, true)
		if err != nil {
			return act, 0, err
		}
		act.PriorDocumentNumber = id
	default:
		return act, 0, warden.FieldErrorf(warden.EINVALID, "filing_type", "filing_type must be initial or correct")
	}
	act.Association.SeqNum = s.next()

	parties, err := r.institutionParties(s, tr)
	if err != nil {
		return act, 0, err
	}
	act.Party = parties
	if err := r.checkPersons(); err != nil {
		return act, 0, err
	}
	for i := range r.Persons {
		p, err := r.Persons[i].party(s, fmt.Sprintf("persons[%d]", i))
		if err != nil {
			return act, 0, err
		}
		act.Party = append(act.Party, p)
	}
	if len(act.Party) > 2002 {
		return act, 0, warden.FieldErrorf(warden.EINVALID, "persons", "too many parties for one CTR (the schema allows 2,002)")
	}
	dollars, err := r.transaction(s, &act.Transaction)
	return act, dollars, err
}

func (r *CTR) checkPersons() error {
	if len(r.Persons) == 0 {
		return warden.FieldErrorf(warden.EINVALID, "persons", "at least one person is required")
	}
	var forAnother, onBehalf bool
	for i, p := range r.Persons {
		switch p.Role {
		case PersonForAnother:
			forAnother = true
		case PersonOnBehalfOf:
			onBehalf = true
		case PersonOwnBehalf, PersonCommonCarrier:
		default:
			return warden.FieldErrorf(warden.EINVALID, fmt.Sprintf("persons[%d].role", i), "role must be 50 (own behalf), 17 (for another), 23 (on whose behalf) or 58 (common carrier)")
		}
	}
	if forAnother && !onBehalf {
		return warden.FieldErrorf(warden.EINVALID, "persons", "a person conducting a transaction for another needs the person on whose behalf it was conducted (role 23)")
	}
	return nil
}

// transaction totals the cash by type. Each type's amount is rounded up to
// whole dollars once (after adding the items of that type), and the totals
// are the sums of those rounded details, so the file is self-consistent:
// TotalCashIn equals the sum of its cash-in details.
func (r *CTR) transaction(s *seq, x *ctrTransaction) (int64, error) {
	var err error
	if x.Date, err = date("transaction_date", r.TransactionDate); err != nil {
		return 0, err
	}
	x.Aggregate, x.ArmoredCar, x.ATM = y(r.Aggregated), y(r.ArmoredCar), y(r.ATM)
	x.MailDeposit, x.NightDeposit, x.SharedBranching = y(r.MailDeposit), y(r.NightDeposit), y(r.SharedBranching)

	in, inMinor, err := details("cash_in", r.CashIn, cashInCodes)
	if err != nil {
		return 0, err
	}
	out, outMinor, err := details("cash_out", r.CashOut, cashOutCodes)
	if err != nil {
		return 0, err
	}
	if inMinor <= CTRThresholdCents && outMinor <= CTRThresholdCents {
		return 0, warden.FieldErrorf(warden.EINVALID, "cash_in", "neither cash in (%s) nor cash out (%s) exceeds USD 10000.00: no CTR is required",
			money.Amount{Minor: inMinor, Currency: "USD"}, money.Amount{Minor: outMinor, Currency: "USD"})
	}
	x.SeqNum = s.next()
	var totalIn, totalOut int64
	for _, d := range in {
		totalIn += d.dollars
	}
	for _, d := range out {
		totalOut += d.dollars
	}
	x.TotalCashIn, x.TotalCashOut = itoa(totalIn), itoa(totalOut)
	for _, d := range append(in, out...) {
		x.Detail = append(x.Detail, ctrDetail{SeqNum: s.next(), TypeCode: d.code, Amount: itoa(d.dollars), OtherText: d.other, ForeignCountry: d.country})
	}
	if len(x.Detail) > 219 {
		return 0, warden.FieldErrorf(warden.EINVALID, "cash_in", "too many cash details")
	}
	return totalIn + totalOut, nil
}

type detail struct {
	code, other, country string
	minor, dollars       int64
}

// details merges items by type (and, for other/foreign, by description or
// country), checks them, and returns them in code order with the unrounded
// total in cents.
func details(field string, items []CashItem, codes map[string]bool) ([]detail, int64, error) {
	merged := map[[3]string]*detail{}
	var total int64
	for i, it := range items {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !codes[it.Type] {
			return nil, 0, warden.FieldErrorf(warden.EINVALID, f+".type", "%s.type %q is not a %s type code", f, it.Type, field)
		}
		if _, err := Dollars(f+".amount", it.Amount); err != nil {
			return nil, 0, err
		}
		if it.Amount.Minor == 0 {
			return nil, 0, warden.FieldErrorf(warden.EINVALID, f+".amount", "%s.amount must be positive", f)
		}
		d := detail{code: it.Type}
		var err error
		switch it.Type {
		case CashInOther, CashOutOther:
			if d.other, err = required(f+".other_text", it.OtherText, 50); err != nil {
				return nil, 0, err
			}
		case CashInForeign, CashOutForeign:
			if !countryCode.MatchString(it.ForeignCountry) {
				return nil, 0, warden.FieldErrorf(warden.EINVALID, f+".foreign_country", "%s.foreign_country must be the ISO alpha-2 country of the currency", f)
			}
			d.country = it.ForeignCountry
		}
		k := [3]string{d.code, d.other, d.country}
		if merged[k] == nil {
			merged[k] = &d
		}
		merged[k].minor += it.Amount.Minor
		total += it.Amount.Minor
		if total > 1e15 {
			return nil, 0, warden.FieldErrorf(warden.EINVALID, f+".amount", "%s total is out of range", field)
		}
	}
	out := make([]detail, 0, len(merged))
	for _, d := range merged {
		d.dollars = (d.minor + 99) / 100
		out = append(out, *d)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.code != b.code {
			return a.code < b.code
		}
		return a.other+a.country < b.other+b.country
	})
	return out, total, nil
}

func (r *CTR) institutionParties(s *seq, tr Transmitter) ([]ctrParty, error) {
	t, err := transmitterParty(s, tr)
	if err != nil {
		return nil, err
	}
	contactName, err := required("transmitter.contact_name", tr.ContactName, 150)
	if err != nil {
		return nil, err
	}
	parties := []ctrParty{
		{SeqNum: t.SeqNum, ActivityPartyTypeCode: partyTransmitter, PartyName: t.PartyName, Address: &t.Address[0],
			PhoneNumber: &xPhone{SeqNum: t.PhoneNumber[0].SeqNum, Number: t.PhoneNumber[0].Number, Extension: t.PhoneNumber[0].Extension}, Identification: t.Identification},
		{SeqNum: s.next(), ActivityPartyTypeCode: partyTransmitterContact, PartyName: []xPartyName{legalName(s, contactName)}},
	}
	filer, err := ctrInstitution(s, "filer", partyFiler, r.Filer.Institution)
	if err != nil {
		return nil, err
	}
	office, err := required("filer.contact_office", r.Filer.ContactOffice, 150)
	if err != nil {
		return nil, err
	}
	co := ctrParty{SeqNum: s.next(), ActivityPartyTypeCode: partyContactOffice, PartyName: []xPartyName{legalName(s, office)}}
	if co.PhoneNumber, err = phone(s, "filer.contact_phone", r.Filer.ContactPhone); err != nil {
		return nil, err
	}
	if co.PhoneNumber == nil {
		return nil, warden.FieldErrorf(warden.EINVALID, "filer.contact_phone", "filer.contact_phone is required")
	}
	parties = append(parties, filer, co)
	if len(r.Locations) == 0 {
		return nil, warden.FieldErrorf(warden.EINVALID, "locations", "at least one transaction location is required")
	}
	for i, l := range r.Locations {
		p, err := ctrInstitution(s, fmt.Sprintf("locations[%d]", i), partyLocation, l)
		if err != nil {
			return nil, err
		}
		parties = append(parties, p)
	}
	return parties, nil
}

func ctrInstitution(s *seq, field, code string, in Institution) (ctrParty, error) {
	p := ctrParty{SeqNum: s.next(), ActivityPartyTypeCode: code}
	var err error
	if p.PrimaryRegulator, err = regulator(field+".primary_regulator", in.PrimaryRegulator, false); err != nil {
		return p, err
	}
	parts, err := institution(s, field, in, true)
	if err != nil {
		return p, err
	}
	p.PartyName, p.Address, p.Identification, p.OrgClass = parts.names, parts.addr, parts.ids, parts.org
	return p, nil
}

func (pe *Person) party(s *seq, field string) (ctrParty, error) {
	p := ctrParty{SeqNum: s.next(), ActivityPartyTypeCode: pe.Role}
	f, err := personName(field, pe.Entity, pe.Name, pe.LastName, pe.FirstName, pe.MiddleName, pe.Suffix, pe.Gender, pe.BirthDate)
	if err != nil {
		return p, err
	}
	name := f.name
	p.Entity, p.Female, p.Male, p.UnknownGender, p.BirthDateUnknown, p.BirthDate = f.entity, f.female, f.male, f.unknownGender, f.birthUnknown, f.dob
	alt := "AKA"
	if pe.Entity {
		alt = "DBA"
	}
	for _, c := range []struct {
		name string
		a    money.Amount
		dst  *string
	}{{"cash_in", pe.CashIn, &p.CashIn}, {"cash_out", pe.CashOut, &p.CashOut}} {
		if c.a == (money.Amount{}) {
			continue
		}
		d, err := Dollars(field+"."+c.name, c.a)
		if err != nil {
			return p, err
		}
		if d > 0 {
			*c.dst = itoa(d)
		}
	}
	name.SeqNum = s.next()
	p.PartyName = []xPartyName{name}
	if aka, err := clean(field+".also_known_as", pe.AlsoKnownAs, 150); err != nil {
		return p, err
	} else if aka != "" {
		p.PartyName = append(p.PartyName, xPartyName{SeqNum: s.next(), PartyNameTypeCode: alt, FullName: aka})
	}
	if p.Address, err = address(s, field+".address", pe.Address); err != nil {
		return p, err
	}
	if p.PhoneNumber, err = phone(s, field+".phone", pe.Phone); err != nil {
		return p, err
	}
	if len(pe.IDs) > 2 {
		return p, warden.FieldErrorf(warden.EINVALID, field+".ids", "the CTR schema allows at most two identifications per person")
	}
	for i, id := range pe.IDs {
		x, err := identification(s, fmt.Sprintf("%s.ids[%d]", field, i), id)
		if err != nil {
			return p, err
		}
		p.Identification = append(p.Identification, x)
	}
	if occ, err := clean(field+".occupation", pe.Occupation, 50); err != nil {
		return p, err
	} else if occ != "" {
		p.Occupation = &xOccupation{SeqNum: s.next(), Text: occ}
	}
	if pe.Email != "" {
		a, err := mail.ParseAddress(pe.Email)
		if err != nil || a.Name != "" || len(a.Address) > 517 {
			return p, warden.FieldErrorf(warden.EINVALID, field+".email", "%s.email is not an e-mail address", field)
		}
		p.ElectronicAddress = &ctrElectronic{SeqNum: s.next(), Text: a.Address}
	}
	for _, acc := range []struct {
		name, code string
		list       []string
	}{{"accounts_in", "8", pe.AccountsIn}, {"accounts_out", "9", pe.AccountsOut}} {
		for i, n := range acc.list {
			num, err := required(fmt.Sprintf("%s.%s[%d]", field, acc.name, i), n, 40)
			if err != nil {
				return p, err
			}
			p.Account = append(p.Account, ctrAccount{SeqNum: s.next(), Number: num, Association: ctrAccountCode{SeqNum: s.next(), TypeCode: acc.code}})
		}
	}
	if len(p.Account) > 198 {
		return p, warden.FieldErrorf(warden.EINVALID, field+".accounts_in", "at most 198 accounts per person")
	}
	return p, nil
}
