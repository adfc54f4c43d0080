package kyc

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
)

// SaltStore keeps each customer's secret salt. The audit log records
// personal data only as keyed hashes under that salt: enough to prove later
// that a record held a given value (whoever holds the salt recomputes the
// hash), and nothing once erasure has deleted the salt, so the append-only
// log never has to change to honour an erasure.
type SaltStore interface {
	// CustomerSalt returns the customer's salt, creating it on first use.
	CustomerSalt(ctx context.Context, customerID string) ([]byte, error)
}

// commitment hashes personal values for the audit log.
type commitment struct{ salt []byte }

func (s *Service) committer(ctx context.Context, customerID string) (commitment, error) {
	salts := s.Salts
	if salts == nil {
		salts, _ = s.Store.(SaltStore)
	}
	if salts == nil {
		return commitment{}, errors.New("kyc: a SaltStore is needed to audit personal data")
	}
	salt, err := salts.CustomerSalt(ctx, customerID)
	if err != nil {
		return commitment{}, err
	}
	return commitment{salt: salt}, nil
}

// Hash is the keyed hash of one field's value: HMAC-SHA256 over the field
// name, a zero byte and the value, under the customer's salt. Empty values
// stay empty (nothing to hide, and absence is itself useful to examiners).
func (c commitment) Hash(field, value string) string {
	if value == "" {
		return ""
	}
	m := hmac.New(sha256.New, c.salt)
	m.Write([]byte(field))
	m.Write([]byte{0})
	m.Write([]byte(value))
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
}

// data is a customer's data as the audit log records it: type, country,
// products and channels (needed to explain risk and reports) in clear,
// every personal field hashed.
func (c commitment) data(d CustomerData) map[string]any {
	out := map[string]any{"type": d.Type, "country": d.Country}
	if len(d.Products) > 0 {
		out["products"] = d.Products
	}
	if len(d.Channels) > 0 {
		out["channels"] = d.Channels
	}
	put := func(k, v string) {
		if h := c.Hash(k, v); h != "" {
			out[k] = h
		}
	}
	put("given_names", d.GivenNames)
	put("surname", d.Surname)
	put("date_of_birth", d.DateOfBirth)
	put("nationality", d.Nationality)
	put("occupation", d.Occupation)
	put("legal_name", d.LegalName)
	put("registration_number", d.RegistrationNumber)
	put("incorporation_date", d.IncorporationDate)
	put("business_type", d.BusinessType)
	put("email", d.Email)
	put("phone", d.Phone)
	put("address.line1", d.Address.Line1)
	put("address.line2", d.Address.Line2)
	put("address.city", d.Address.City)
	put("address.region", d.Address.Region)
	put("address.postal_code", d.Address.PostalCode)
	put("address.country", d.Address.Country)
	return out
}

// owners is an ownership structure as the audit log records it: ids, kinds,
// countries and stakes in clear, names and dates of birth hashed.
func (c commitment) owners(o Owners) Owners {
	out := Owners{Stakes: o.Stakes, ControlPerson: o.ControlPerson, Parties: make([]OwnerParty, len(o.Parties))}
	for i, p := range o.Parties {
		p.Name = c.Hash("parties."+p.ID+".name", p.Name)
		p.DateOfBirth = c.Hash("parties."+p.ID+".date_of_birth", p.DateOfBirth)
		out.Parties[i] = p
	}
	return out
}
