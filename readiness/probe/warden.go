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
	CheckWardenOutbox = "warden.audit_outbox_drained"
	CheckWardenLists  = "warden.lists_fresh"
	CheckWardenKeyAge = "warden.api_key_age"
)

// WardenChecks are the checks Warden reports.
var WardenChecks = []string{CheckWardenAudit, CheckWardenOutbox, CheckWardenLists, CheckWardenKeyAge}

// OutboxStuckAfter is how long an audit record may wait in the outbox
// before the check fails: every process relays at start and every few
// seconds, so a record this old means relays fail and the log is behind.
const OutboxStuckAfter = 5 * time.Minute

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
	// AuditOutbox returns how many audit records wait to be relayed into
	// the log and when the oldest was written (zero when none wait).
	AuditOutbox(ctx context.Context) (int64, time.Time, error)
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
	switch waiting, oldest, err := f.AuditOutbox(ctx); {
	case err != nil:
		out = append(out, finding(CheckWardenOutbox, Error, "%v", err))
	case waiting > 0 && now.Sub(oldest) > OutboxStuckAfter:
		out = append(out, finding(CheckWardenOutbox, Fail, "%d audit records committed with their changes have waited for the log since %s: relays are failing",
			waiting, oldest.UTC().Format(time.RFC3339)))
	default:
		out = append(out, finding(CheckWardenOutbox, Pass, "%d audit records waiting for the log, none for more than %s", waiting, OutboxStuckAfter))
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
