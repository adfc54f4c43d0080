package fincen

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
)

// MaxNarrative is the longest SAR narrative FinCEN accepts, in characters:
// five ActivityNarrativeInformation blocks of at most 4,000 characters, the
// fifth covering characters 16,001 to 17,000 (the schema's own annotation).
const MaxNarrative = 17000

const narrativeBlock = 4000

// Subject roles in the suspicious activity.
const (
	RoleSender   = "sender"   // purchaser/sender
	RoleReceiver = "receiver" // payee/receiver
	RoleBoth     = "both"
)

// Relationships of a subject to the institution (PartyAssociation).
const (
	RelAccountant       = "accountant"
	RelAgent            = "agent"
	RelAppraiser        = "appraiser"
	RelAttorney         = "attorney"
	RelBorrower         = "borrower"
	RelCustomer         = "customer"
	RelDirector         = "director"
	RelEmployee         = "employee"
	RelNone             = "no_relationship"
	RelOfficer          = "officer"
	RelOwnerShareholder = "owner_shareholder"
	RelOther            = "other"
)

// SAR is one suspicious activity report, built from a case.
type SAR struct {
	Filer Filer
	// FilingType is FilingInitial, FilingCorrect or FilingContinuing;
	// PriorBSAID (the 14-digit BSA ID FinCEN acknowledged) is required to
	// correct a report and recorded when given for a continuing one.
	FilingType string
	PriorBSAID string
	Joint      bool
	// NoteToFinCEN is the optional 50-character note (e.g. an advisory key
	// term such as "COVID19 FIN-2020-A002").
	NoteToFinCEN string
	Subjects     []Subject
	ActivityFrom time.Time
	ActivityTo   time.Time
	// TotalAmount is the suspicious amount in USD; see Dollars for the
	// rounding. AmountUnknown files "amount unknown" instead and requires a
	// zero TotalAmount.
	TotalAmount   money.Amount
	AmountUnknown bool
	// Characterizations classify the activity; at least one is required.
	Characterizations []Characterization
	// Narrative is the SAR narrative, at most MaxNarrative characters.
	Narrative string
	// Locations are the institutions (and branches) where the activity
	// occurred; at least one is required.
	Locations   []Location
	IPAddresses []IPAddress
}

// Subject is a person or an organisation the SAR is about.
type Subject struct {
	// Entity marks an organisation: Name is then its legal name and the
	// individual fields are ignored.
	Entity bool
	// Individuals: LastName is required; FirstName is required unless
	// FirstNameUnknown.
	LastName   string
	FirstName  string
	MiddleName string
	Suffix     string
	// Name is an organisation's legal name.
	Name string
	// AlsoKnownAs are AKA names (DBA names for an organisation).
	AlsoKnownAs []string
	BirthDate   time.Time
	// Gender is "F", "M" or empty (unknown).
	Gender     string
	Occupation string
	IDs        []Identification
	Addresses  []Address
	Phones     []Phone
	Emails     []string
	// Accounts are the subject's accounts the activity affected, held at the
	// institution identified by AccountInstitutionTIN.
	Accounts              []SubjectAccount
	AccountInstitutionTIN string
	// Relationships to the institution (Rel constants), with
	// RelationshipOther describing RelOther; InstitutionTIN names the
	// institution the relationship is with.
	Relationships     []string
	RelationshipOther string
	InstitutionTIN    string
	// Role in the activity (Role constants), optional.
	Role string
}

// SubjectAccount is an account of a subject.
type SubjectAccount struct {
	Number string
	Closed bool
}

// Location is a financial institution where the activity occurred, with the
// branch if one was involved.
type Location struct {
	Institution
	Branch *Address
	// BranchRSSD identifies the branch when it has an RSSD number.
	BranchRSSD string
}

// Characterization is one suspicious activity category: SubtypeID is a
// code of the schema's ValidateSuspiciousActivitySubtypeID enumeration (see
// the Sub constants); its category is derived from it. The "other" subtypes
// (Other* constants) need OtherText.
type Characterization struct {
	SubtypeID int
	OtherText string
}

// IPAddress is an IP address used in the activity, with the UTC time of use
// when known.
type IPAddress struct {
	Address string
	Time    time.Time
}

// SARBatch validates sars and writes one SARX batch file holding them, in
// order, one Activity each. The header's TotalAmount is the sum of the
// TotalSuspiciousAmountText values, PartyCount counts the subject parties
// (ActivityPartyTypeCode 33) and ActivityCount the activities, as FinCEN's
// SAR XML user guide defines them; attachments are not supported (both
// attachment counts are 0).
func SARBatch(b Batch, sars ...SAR) ([]byte, error) {
	if len(sars) == 0 {
		return nil, warden.FieldErrorf(warden.EINVALID, "sars", "a batch needs at least one SAR")
	}
	filed, err := date("filing_date", b.FilingDate)
	if err != nil {
		return nil, err
	}
	s := &seq{}
	doc := sarBatchXML{FormTypeCode: FormTypeSAR}
	for i, r := range sars {
		act, dollars, subjects, err := r.activity(s, b.Transmitter, filed)
		if err != nil {
			return nil, fmt.Errorf("sar %d: %w", i, err)
		}
		doc.Activity = append(doc.Activity, act)
		doc.TotalAmount += dollars
		doc.PartyCount += subjects
	}
	doc.ActivityCount = int64(len(doc.Activity))
	return encode(doc)
}

func (r *SAR) activity(s *seq, tr Transmitter, filed string) (sarActivity, int64, int64, error) {
	act := sarActivity{SeqNum: s.next(), FilingDate: filed}
	var err error
	switch r.FilingType {
	case FilingInitial:
		act.Association.Initial = "Y"
	case FilingCorrect:
		act.Association.Corrects = "Y"
		if r.PriorBSAID == "" {
			return act, 0, 0, warden.FieldErrorf(warden.EINVALID, "prior_bsa_id", "prior_bsa_id is required to correct a prior report")
		}
	case FilingContinuing:
		act.Association.Continuing = "Y"
	default:
		return act, 0, 0, warden.FieldErrorf(warden.EINVALID, "filing_type", "filing_type must be initial, correct or continuing")
	}
	if r.PriorBSAID != "" {
		if act.PriorDocumentNumber, err = digits("prior_bsa_id", r.PriorBSAID, 14, true); err != nil {
			return act, 0, 0, err
		}
	}
	act.Association.Joint = y(r.Joint)
	if act.NoteToFinCEN, err = clean("note_to_fincen", r.NoteToFinCEN, 50); err != nil {
		return act, 0, 0, err
	}
	act.Association.SeqNum = s.next()

	// Parties in the order FinCEN's guide lists them: transmitter,
	// transmitter contact, filer, contact office, locations, subjects.
	parties, err := r.institutionParties(s, tr)
	if err != nil {
		return act, 0, 0, err
	}
	act.Party = parties
	if len(r.Subjects) == 0 {
		return act, 0, 0, warden.FieldErrorf(warden.EINVALID, "subjects", "at least one subject is required")
	}
	if len(r.Subjects) > 999 {
		return act, 0, 0, warden.FieldErrorf(warden.EINVALID, "subjects", "at most 999 subjects per SAR")
	}
	for i := range r.Subjects {
		p, err := r.Subjects[i].party(s, fmt.Sprintf("subjects[%d]", i))
		if err != nil {
			return act, 0, 0, err
		}
		act.Party = append(act.Party, p)
	}

	dollars, err := r.suspiciousActivity(s, &act)
	if err != nil {
		return act, 0, 0, err
	}
	for i, ip := range r.IPAddresses {
		field := fmt.Sprintf("ip_addresses[%d]", i)
		a, err := netip.ParseAddr(strings.TrimSpace(ip.Address))
		if err != nil {
			return act, 0, 0, warden.FieldErrorf(warden.EINVALID, field, "%s is not an IPv4 or IPv6 address", field)
		}
		x := sarIPAddress{SeqNum: s.next(), IP: a.String()}
		if !ip.Time.IsZero() {
			t := ip.Time.UTC()
			if x.Date, err = date(field+".time", t); err != nil {
				return act, 0, 0, err
			}
			x.TimeStamp = t.Format("15:04:05")
		}
		act.IPAddress = append(act.IPAddress, x)
	}
	if len(act.IPAddress) > 99 {
		return act, 0, 0, warden.FieldErrorf(warden.EINVALID, "ip_addresses", "at most 99 IP addresses per SAR")
	}
	if act.Narrative, err = narrative(s, r.Narrative); err != nil {
		return act, 0, 0, err
	}
	return act, dollars, int64(len(r.Subjects)), nil
}

// narrative splits the narrative into the schema's 4,000-character blocks,
// numbered 1 to 5. Line breaks are kept: RestrictString4000 has no pattern.
func narrative(s *seq, text string) ([]sarNarrativeBlock, error) {
	text = strings.TrimSpace(text)
	n := utf8.RuneCountInString(text)
	switch {
	case n == 0:
		return nil, warden.FieldErrorf(warden.EINVALID, "narrative", "narrative is required")
	case n > MaxNarrative:
		return nil, warden.FieldErrorf(warden.EINVALID, "narrative", "narrative is %d characters; FinCEN accepts at most %d", n, MaxNarrative)
	}
	var blocks []sarNarrativeBlock
	runes := []rune(text)
	for i := 0; i < len(runes); i += narrativeBlock {
		end := min(i+narrativeBlock, len(runes))
		blocks = append(blocks, sarNarrativeBlock{SeqNum: s.next(), Number: len(blocks) + 1, Text: string(runes[i:end])})
	}
	return blocks, nil
}

func (r *SAR) suspiciousActivity(s *seq, act *sarActivity) (int64, error) {
	sa := &act.SuspiciousActivity
	var err error
	if sa.FromDate, err = date("activity_from", r.ActivityFrom); err != nil {
		return 0, err
	}
	if !r.ActivityTo.IsZero() {
		if r.ActivityTo.Before(r.ActivityFrom) {
			return 0, warden.FieldErrorf(warden.EINVALID, "activity_to", "activity_to is before activity_from")
		}
		if sa.ToDate, err = date("activity_to", r.ActivityTo); err != nil {
			return 0, err
		}
	}
	var dollars int64
	if r.AmountUnknown {
		if r.TotalAmount.Minor != 0 {
			return 0, warden.FieldErrorf(warden.EINVALID, "total_amount", "total_amount must be zero when amount_unknown is set")
		}
		sa.AmountUnknown = "Y"
	} else {
		if dollars, err = Dollars("total_amount", r.TotalAmount); err != nil {
			return 0, err
		}
		if dollars == 0 {
			return 0, warden.FieldErrorf(warden.EINVALID, "total_amount", "total_amount must be positive (or set amount_unknown)")
		}
		sa.TotalAmount = itoa(dollars)
	}
	if len(r.Characterizations) == 0 {
		return 0, warden.FieldErrorf(warden.EINVALID, "characterizations", "at least one characterization of the suspicious activity is required")
	}
	seen := map[int]bool{}
	for i, c := range r.Characterizations {
		field := fmt.Sprintf("characterizations[%d]", i)
		typ, ok := activityType(c.SubtypeID)
		if !ok {
			return 0, warden.FieldErrorf(warden.EINVALID, field+".subtype_id", "%d is not a FinCEN suspicious activity subtype code", c.SubtypeID)
		}
		// The schema declares the subtype unique within an activity.
		if seen[c.SubtypeID] {
			return 0, warden.FieldErrorf(warden.EINVALID, field+".subtype_id", "subtype %d is listed twice", c.SubtypeID)
		}
		seen[c.SubtypeID] = true
		x := sarClassification{SubtypeID: c.SubtypeID, TypeID: typ}
		if c.SubtypeID%1000 == 999 {
			if x.OtherText, err = required(field+".other_text", c.OtherText, 50); err != nil {
				return 0, err
			}
		}
		x.SeqNum = s.next()
		sa.Classifications = append(sa.Classifications, x)
	}
	if len(sa.Classifications) > 99 {
		return 0, warden.FieldErrorf(warden.EINVALID, "characterizations", "at most 99 characterizations")
	}
	sa.SeqNum = s.next()
	return dollars, nil
}
