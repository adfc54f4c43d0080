package probe

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Checks reported by Warden.
const (
	CheckWardenAudit  = "warden.audit_verifies"
	CheckWardenLists  = "warden.lists_fresh"
	CheckWardenKeyAge = "warden.api_key_age"
)

// WardenChecks are the checks Warden reports.
var WardenChecks = []string{CheckWardenAudit, CheckWardenLists, CheckWardenKeyAge}

// KeyFact is what the key-age check needs to know about one API key.
type KeyFact struct {
	ID        string
	Name      string
	CreatedAt time.Time
	Active    bool // neither revoked nor expired nor rotated away
}

// WardenFacts answers questions about a Warden deployment; the CLI
// implements it over the local store and audit log.
type WardenFacts interface {
	// VerifyAudit verifies the whole audit log; it returns how many entries
	// it checked.
	VerifyAudit(ctx context.Context) (int64, error)
	// ListsLoadedAt returns when each sanctions list in service was loaded.
	ListsLoadedAt(ctx context.Context) (map[string]time.Time, error)
	// APIKeys returns the API keys.
	APIKeys(ctx context.Context) ([]KeyFact, error)
}

// Warden checks Warden itself: the audit log verifies, every list in service
// was refreshed within maxListAge, and no active key is older than maxKeyAge.
func Warden(ctx context.Context, f WardenFacts, now time.Time, maxListAge, maxKeyAge time.Duration) []Finding {
	var out []Finding
	if n, err := f.VerifyAudit(ctx); err != nil {
		out = append(out, finding(CheckWardenAudit, Fail, "audit log does not verify: %v", err))
	} else {
		out = append(out, finding(CheckWardenAudit, Pass, "audit log verifies (%d entries, every checkpoint signature and tree hash)", n))
	}
	lists, err := f.ListsLoadedAt(ctx)
	switch {
	case err != nil:
		out = append(out, finding(CheckWardenLists, Error, "%v", err))
	case len(lists) == 0:
		out = append(out, finding(CheckWardenLists, Fail, "no sanctions list loaded"))
	default:
		var stale, fresh []string
		for src, at := range lists {
			if age := now.Sub(at); age > maxListAge {
				stale = append(stale, fmt.Sprintf("%s (loaded %s ago)", src, age.Round(time.Hour)))
			} else {
				fresh = append(fresh, src)
			}
		}
		slices.Sort(stale)
		slices.Sort(fresh)
		if len(stale) > 0 {
			out = append(out, finding(CheckWardenLists, Fail, "lists older than %s: %s", maxListAge, strings.Join(stale, ", ")))
		} else {
			out = append(out, finding(CheckWardenLists, Pass, "all %d lists refreshed within %s: %s", len(fresh), maxListAge, strings.Join(fresh, ", ")))
		}
	}
	keys, err := f.APIKeys(ctx)
	if err != nil {
		return append(out, finding(CheckWardenKeyAge, Error, "%v", err))
	}
	var old []string
	active := 0
	for _, k := range keys {
		if !k.Active {
			continue
		}
		active++
		if age := now.Sub(k.CreatedAt); age > maxKeyAge {
			old = append(old, fmt.Sprintf("%s %q (%s old)", k.ID, k.Name, days(age)))
		}
	}
	if len(old) > 0 {
		return append(out, finding(CheckWardenKeyAge, Fail, "active keys older than %s: %s", days(maxKeyAge), offenders(old)))
	}
	return append(out, finding(CheckWardenKeyAge, Pass, "all %d active keys younger than %s", active, days(maxKeyAge)))
}
