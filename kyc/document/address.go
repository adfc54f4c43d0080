package document

import (
	"time"

	"github.com/wardenhq/warden"
)

// DefaultProofOfAddressMaxAge is how old a proof of address (utility bill,
// bank statement) may be when no other limit is configured.
const DefaultProofOfAddressMaxAge = 90 * 24 * time.Hour

// ValidateProofOfAddress checks the issue date of a proof of address at now:
// it must be set, not in the future, and at most maxAge old (maxAge <= 0
// means DefaultProofOfAddressMaxAge). A document exactly maxAge old is
// accepted. Errors are *warden.Error (EINVALID, field
// "proof_of_address.issued").
func ValidateProofOfAddress(issued, now time.Time, maxAge time.Duration) error {
	const field = "proof_of_address.issued"
	if maxAge <= 0 {
		maxAge = DefaultProofOfAddressMaxAge
	}
	switch {
	case issued.IsZero():
		return warden.FieldErrorf(warden.EINVALID, field, "proof of address has no issue date")
	case issued.After(now):
		return warden.FieldErrorf(warden.EINVALID, field, "proof of address is issued in the future (%s)", issued.Format(time.DateOnly))
	case now.Sub(issued) > maxAge:
		return warden.FieldErrorf(warden.EINVALID, field, "proof of address issued %s is older than %d days", issued.Format(time.DateOnly), int(maxAge/(24*time.Hour)))
	}
	return nil
}
