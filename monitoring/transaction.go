// Package monitoring decides on transactions as they happen: CEL rules over
// the transaction, the customer and sliding-window aggregates per customer,
// account, counterparty and agent, returning allow, review or block with the
// reasons. It owns the TransactionStore and RuleStore interfaces that
// store/sqlite and store/postgres implement.
package monitoring

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/money"
	"github.com/wardenhq/warden/screening"
)

// Directions.
const (
	DirectionIn  = "in"
	DirectionOut = "out"
)

// Channels Warden knows; others are refused so that rules can rely on them.
var Channels = []string{"cash", "wire", "ach", "card", "mobile_money", "internal", "check", "rtp", "crypto", "other"}

// Counterparty is the other side of a transaction.
type Counterparty struct {
	Name        string `json:"name,omitempty"`
	Account     string `json:"account,omitempty"`
	Institution string `json:"institution,omitempty"`
	Country     string `json:"country,omitempty"` // ISO 3166-1 alpha-2
}

// Transaction is what the core system submits.
type Transaction struct {
	ID           string       `json:"id"`
	Time         time.Time    `json:"time"`
	CustomerID   string       `json:"customer_id"`
	AccountID    string       `json:"account_id"`
	Counterparty Counterparty `json:"counterparty,omitzero"`
	// Amount is in minor units of Currency (KES 1,500.00 is 150000).
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	Direction string `json:"direction"`
	Channel   string `json:"channel"`
	Branch    string `json:"branch,omitempty"`
	Agent     string `json:"agent,omitempty"`
	// BalanceAfter is the account balance after the transaction, in minor
	// units, when the core system sends it (maximum-balance limits).
	BalanceAfter *int64            `json:"balance_after,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
}

var (
	metaKeyRegex = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// MaxAmount bounds amounts so that sums over windows cannot overflow int64.
const MaxAmount int64 = 1e15

func printable(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
}

// Validate checks a transaction field by field; now bounds its time (at
// most 5 minutes ahead for clock skew, at most 400 days back for replays of
// history).
func (t *Transaction) Validate(now time.Time) error {
	switch {
	case !validTxID(t.ID):
		return warden.FieldErrorf(warden.EINVALID, "id", "id must be 1 to 128 letters, digits, '.', '_', ':' or '-'")
	case t.Time.IsZero():
		return warden.FieldErrorf(warden.EINVALID, "time", "time is required (RFC 3339)")
	case t.Time.After(now.Add(5 * time.Minute)):
		return warden.FieldErrorf(warden.EINVALID, "time", "time is in the future")
	case t.Time.Before(now.AddDate(0, 0, -400)):
		return warden.FieldErrorf(warden.EINVALID, "time", "time is more than 400 days ago")
	case !validRef(t.CustomerID):
		return warden.FieldErrorf(warden.EINVALID, "customer_id", "customer_id is required: 1 to 128 letters, digits, '.', '_', ':', '/' or '-'")
	case !validRef(t.AccountID):
		return warden.FieldErrorf(warden.EINVALID, "account_id", "account_id is required: 1 to 128 letters, digits, '.', '_', ':', '/' or '-'")
	case t.Amount <= 0 || t.Amount > MaxAmount:
		return warden.FieldErrorf(warden.EINVALID, "amount", "amount must be a positive whole number of minor units, at most 10^15")
	case t.Direction != DirectionIn && t.Direction != DirectionOut:
		return warden.FieldErrorf(warden.EINVALID, "direction", "direction must be in or out")
	case !validChannel(t.Channel):
		return warden.FieldErrorf(warden.EINVALID, "channel", "channel must be one of %s", strings.Join(Channels, ", "))
	case t.Branch != "" && !validRef(t.Branch):
		return warden.FieldErrorf(warden.EINVALID, "branch", "branch must be 1 to 128 letters, digits, '.', '_', ':', '/' or '-'")
	case t.Agent != "" && !validRef(t.Agent):
		return warden.FieldErrorf(warden.EINVALID, "agent", "agent must be 1 to 128 letters, digits, '.', '_', ':', '/' or '-'")
	case t.BalanceAfter != nil && (*t.BalanceAfter < -MaxAmount || *t.BalanceAfter > MaxAmount):
		return warden.FieldErrorf(warden.EINVALID, "balance_after", "balance_after must be within ±10^15 minor units")
	}
	if _, err := money.ParseCurrency(t.Currency); err != nil {
		return warden.FieldErrorf(warden.EINVALID, "currency", "%s", err.Error())
	}
	cp := t.Counterparty
	for _, f := range []struct{ name, v string }{{"counterparty.name", cp.Name}, {"counterparty.account", cp.Account}, {"counterparty.institution", cp.Institution}} {
		if utf8.RuneCountInString(f.v) > 200 || !printable(f.v) {
			return warden.FieldErrorf(warden.EINVALID, f.name, "%s must be at most 200 printable characters", f.name)
		}
	}
	if cp.Country != "" && !screening.ValidCountryCode(cp.Country) {
		return warden.FieldErrorf(warden.EINVALID, "counterparty.country", "counterparty.country must be an ISO 3166-1 alpha-2 code such as KE")
	}
	if len(t.Metadata) > 20 {
		return warden.FieldErrorf(warden.EINVALID, "metadata", "metadata holds at most 20 entries")
	}
	for k, v := range t.Metadata {
		if !metaKeyRegex.MatchString(k) {
			return warden.FieldErrorf(warden.EINVALID, "metadata."+k, "metadata keys are snake_case, at most 40 characters")
		}
		if utf8.RuneCountInString(v) > 500 || !printable(v) {
			return warden.FieldErrorf(warden.EINVALID, "metadata."+k, "metadata values are at most 500 printable characters")
		}
	}
	return nil
}

func validChannel(c string) bool {
	for _, v := range Channels {
		if c == v {
			return true
		}
	}
	return false
}

// CounterpartyKey identifies a counterparty across transactions: its
// account at its institution when given, else its normalised name.
func (t *Transaction) CounterpartyKey() string {
	cp := t.Counterparty
	switch {
	case cp.Account != "":
		return "acct:" + strings.ToUpper(cp.Institution) + "/" + cp.Account
	case cp.Name != "":
		return "name:" + strings.Join(strings.Fields(strings.ToUpper(cp.Name)), " ")
	}
	return ""
}

// Actions, weakest first.
const (
	ActionAllow  = "allow"
	ActionReview = "review"
	ActionBlock  = "block"
)

func actionRank(a string) int {
	switch a {
	case ActionBlock:
		return 2
	case ActionReview:
		return 1
	}
	return 0
}

// Reason is one rule that fired.
type Reason struct {
	RuleID      string         `json:"rule_id"`
	RuleVersion int            `json:"rule_version"`
	Description string         `json:"description"`
	Action      string         `json:"action"`
	Score       int            `json:"score"`
	Severity    string         `json:"severity"`
	Evidence    map[string]any `json:"evidence,omitempty"`
}

// Decision is the answer for one transaction.
type Decision struct {
	TransactionID string    `json:"transaction_id"`
	Action        string    `json:"action"`
	Score         int       `json:"score"`
	Reasons       []Reason  `json:"reasons"`
	DecidedAt     time.Time `json:"decided_at"`
	// Replayed is true when the transaction was submitted before and this
	// is the first decision again (nothing was counted twice).
	Replayed bool `json:"replayed,omitempty"`
}

func (d *Decision) String() string {
	return fmt.Sprintf("%s %s score %d (%d reasons)", d.TransactionID, d.Action, d.Score, len(d.Reasons))
}

// validTxID is ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$ and validRef the same
// with '/', written out because they run on every transaction.
func validTxID(s string) bool { return validIdent(s, "._:-") }
func validRef(s string) bool  { return validIdent(s, "._:/-") }

func validIdent(s, punct string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
			continue
		}
		if i == 0 || strings.IndexByte(punct, c) < 0 {
			return false
		}
	}
	return true
}
