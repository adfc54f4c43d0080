// Package screening holds Warden's sanctions and PEP list model and the
// loaders that turn each published list format into it. One model serves all
// lists so that the index, the matcher and the explanations never need to know
// where an entry came from beyond its List and ID.
//
// The package is pure domain: it reads bytes handed to it (an io.Reader or an
// fs.FS) and never opens network connections or talks to a store.
package screening

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"
)

// EntityType says what kind of party a list entry designates.
type EntityType string

const (
	TypeIndividual EntityType = "individual"
	TypeEntity     EntityType = "entity" // a company, organisation or group
	TypeVessel     EntityType = "vessel"
	TypeAircraft   EntityType = "aircraft"
	TypeUnknown    EntityType = "unknown"
)

// NameKind grades a name. Lists distinguish a.k.a.s that identify the party
// well (strong) from broad ones (weak, "low quality") that alone should not
// raise an alert; the matcher weighs them differently.
type NameKind string

const (
	NamePrimary   NameKind = "primary"
	NameStrongAKA NameKind = "strong_aka"
	NameWeakAKA   NameKind = "weak_aka"
	NameFKA       NameKind = "fka" // formerly known as
)

// IdentifierKind classifies an identity document or registry number.
type IdentifierKind string

const (
	IDPassport     IdentifierKind = "passport"
	IDNationalID   IdentifierKind = "national_id"
	IDTaxID        IdentifierKind = "tax_id"
	IDIMO          IdentifierKind = "imo"
	IDMMSI         IdentifierKind = "mmsi"
	IDSwiftBIC     IdentifierKind = "swift_bic"
	IDRegistration IdentifierKind = "registration"
	IDOther        IdentifierKind = "other"
)

// Entity is one list entry: a designated person, organisation, vessel or
// aircraft, or an internal blocklist or PEP record.
type Entity struct {
	List          string        `json:"list"` // the Snapshot's Source
	ID            string        `json:"id"`   // the publisher's id, unique within List
	Type          EntityType    `json:"type"`
	Names         []Name        `json:"names"` // Names[0] is the primary name
	Gender        string        `json:"gender,omitempty"`
	DatesOfBirth  []PartialDate `json:"dates_of_birth,omitempty"`
	PlacesOfBirth []string      `json:"places_of_birth,omitempty"`
	// Nationalities and Countries hold ISO 3166-1 alpha-2 codes. Countries are
	// those of addresses and citizenship. A country name the table does not
	// know is kept verbatim in UnmappedCountries rather than dropped.
	Nationalities     []string     `json:"nationalities,omitempty"`
	Countries         []string     `json:"countries,omitempty"`
	UnmappedCountries []string     `json:"unmapped_countries,omitempty"`
	Addresses         []Address    `json:"addresses,omitempty"`
	Identifiers       []Identifier `json:"identifiers,omitempty"`
	Programs          []string     `json:"programs,omitempty"`
	Positions         []string     `json:"positions,omitempty"` // titles and functions held
	LinkedTo          []string     `json:"linked_to,omitempty"` // names of linked list entries
	Vessel            *Vessel      `json:"vessel,omitempty"`
	PEP               *PEPInfo     `json:"pep,omitempty"`
	Remarks           string       `json:"remarks,omitempty"` // the publisher's free text, verbatim
	Listed            time.Time    `json:"listed,omitzero"`
}

// Name is one name of an entity.
type Name struct {
	Text string   `json:"text"`
	Kind NameKind `json:"kind"`
}

// PartialDate is a date known to a year, a month or a day, possibly only
// approximately, or a range. Lists rarely know a full date of birth, and a
// matcher must not treat "1960" as "1960-01-01".
type PartialDate struct {
	Year  int  `json:"year"`
	Month int  `json:"month,omitempty"`
	Day   int  `json:"day,omitempty"`
	Circa bool `json:"circa,omitempty"`
	// A range ("between 1965 and 1969"): the date lies between the date above
	// and this one, both inclusive. ToYear is zero for a single date.
	ToYear  int `json:"to_year,omitempty"`
	ToMonth int `json:"to_month,omitempty"`
	ToDay   int `json:"to_day,omitempty"`
}

// Identifier is an identity document or a registry number.
type Identifier struct {
	Kind IdentifierKind `json:"kind"`
	// Label is the publisher's name for the identifier ("Cedula No.", "NIT #"),
	// kept because the kind alone loses what an analyst needs to check it.
	Label   string `json:"label,omitempty"`
	Number  string `json:"number"`
	Country string `json:"country,omitempty"` // ISO alpha-2 of the issuer
	// CountryName is the issuer as written when it is not a known country.
	CountryName string `json:"country_name,omitempty"`
	Note        string `json:"note,omitempty"` // issue and expiry dates and the like
}

// Address is a listed address. Any part may be empty.
type Address struct {
	Street     string `json:"street,omitempty"`
	City       string `json:"city,omitempty"`
	Region     string `json:"region,omitempty"`
	PostalCode string `json:"postal_code,omitempty"`
	Country    string `json:"country,omitempty"`      // ISO alpha-2
	CountryRaw string `json:"country_name,omitempty"` // as written, when not a known country
}

// Vessel holds the ship particulars OFAC publishes in its own columns.
type Vessel struct {
	CallSign string `json:"call_sign,omitempty"`
	Type     string `json:"type,omitempty"`
	Tonnage  string `json:"tonnage,omitempty"`
	GRT      string `json:"grt,omitempty"`
	Flag     string `json:"flag,omitempty"`      // ISO alpha-2
	FlagName string `json:"flag_name,omitempty"` // as written, when not a known country
	Owner    string `json:"owner,omitempty"`
}

// PEP levels and scopes (FATF Recommendation 12 and its guidance).
const (
	PEPLevelNational      = "national"
	PEPLevelRegional      = "regional"
	PEPLevelLocal         = "local"
	PEPLevelInternational = "international_org" // senior role at an international organisation

	PEPScopeDomestic = "domestic"
	PEPScopeForeign  = "foreign"
)

// PEPInfo describes a politically exposed person's public function.
type PEPInfo struct {
	Role    string `json:"role"`
	Country string `json:"country,omitempty"` // ISO alpha-2 of the office
	Level   string `json:"level"`
	Scope   string `json:"scope,omitempty"` // domestic or foreign, from the institution's view
}

// PrimaryName returns Names[0].Text, or "" for an entity without names
// (which no loader produces).
func (e *Entity) PrimaryName() string {
	if len(e.Names) == 0 {
		return ""
	}
	return e.Names[0].Text
}

// ContentHash is a stable SHA-256 over the entity's content (hex). Diff uses
// it to tell a changed entry from an unchanged one; the encoding is
// encoding/json of the struct, whose field order is fixed by the type.
func (e *Entity) ContentHash() string {
	b, err := json.Marshal(e)
	if err != nil {
		// Only a Listed time outside years 0-9999 makes Marshal fail; hash
		// it as a number instead so that the result stays deterministic.
		c := *e
		c.Listed = time.Time{}
		b, _ = json.Marshal(&c)
		b = strconv.AppendInt(b, e.Listed.Unix(), 10)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
