package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/wardenhq/warden"
)

// SARInput is what an analyst prepares.
type SARInput struct {
	Narrative         string   `json:"narrative"`
	SuspectIdentified *bool    `json:"suspect_identified,omitempty"`
	ActivityFrom      string   `json:"activity_from,omitempty"` // YYYY-MM-DD
	ActivityTo        string   `json:"activity_to,omitempty"`
	Categories        []string `json:"categories,omitempty"` // e.g. structuring, money_laundering
}

// MaxNarrative is the SAR narrative's limit (FinCEN SAR field: 17,000
// characters).
const MaxNarrative = 17000

// PrepareSAR drafts (or redrafts) the case's SAR. A redraft clears any
// approval: the approver must see what is filed.
func (s *Cases) PrepareSAR(ctx context.Context, id string, in SARInput) (*Case, error) {
	narrative, err := text("narrative", in.Narrative, 50, MaxNarrative)
	if err != nil {
		return nil, err
	}
	for _, f := range []struct{ name, v string }{{"activity_from", in.ActivityFrom}, {"activity_to", in.ActivityTo}} {
		if f.v != "" {
			if _, err := time.Parse(time.DateOnly, f.v); err != nil {
				return nil, warden.FieldErrorf(warden.EINVALID, f.name, "%s must be a date YYYY-MM-DD", f.name)
			}
		}
	}
	if in.ActivityFrom != "" && in.ActivityTo != "" && in.ActivityTo < in.ActivityFrom {
		return nil, warden.FieldErrorf(warden.EINVALID, "activity_to", "activity_to must not be before activity_from")
	}
	return s.change(ctx, id, "case.sar_prepare", func(c *Case) (map[string]any, error) {
		if c.Status == CaseClosedNoSAR || c.Status == CaseSARFiled {
			return nil, warden.FieldErrorf(warden.ECONFLICT, "status", "a case %s takes no SAR draft; reopen it (investigating) first", c.Status)
		}
		if in.SuspectIdentified != nil {
			c.SuspectIdentified = *in.SuspectIdentified
		}
		c.SARDueAt = c.DetectedAt.Add(SARDue)
		if !c.SuspectIdentified {
			c.SARDueAt = c.DetectedAt.Add(SARDueNoSuspect)
		}
		c.SAR = &SAR{Narrative: narrative, PreparedBy: actor(ctx), PreparedAt: s.now(), ActivityFrom: in.ActivityFrom, ActivityTo: in.ActivityTo, Categories: in.Categories}
		h := sha256.Sum256([]byte(narrative))
		return map[string]any{"narrative_sha256": hex.EncodeToString(h[:]), "sar_due_at": c.SARDueAt}, nil
	})
}

// ApproveSAR approves the draft: whoever prepared it cannot (four eyes).
func (s *Cases) ApproveSAR(ctx context.Context, id string) (*Case, error) {
	return s.change(ctx, id, "case.sar_approve", func(c *Case) (map[string]any, error) {
		switch {
		case c.SAR == nil:
			return nil, warden.FieldErrorf(warden.ECONFLICT, "sar", "the case has no SAR draft to approve")
		case !c.SAR.FiledAt.IsZero():
			return nil, warden.FieldErrorf(warden.ECONFLICT, "sar", "the SAR was filed already")
		case c.SAR.PreparedBy == actor(ctx):
			return nil, warden.FieldErrorf(warden.EFORBIDDEN, "sar", "four-eyes rule: %s prepared this SAR and cannot approve it", c.SAR.PreparedBy)
		}
		c.SAR.ApprovedBy, c.SAR.ApprovedAt = actor(ctx), s.now()
		return map[string]any{"prepared_by": c.SAR.PreparedBy}, nil
	})
}

// FileSAR records that the approved SAR was filed; continuing-activity
// reviews fall due every 90 days from then.
func (s *Cases) FileSAR(ctx context.Context, id, bsaID string) (*Case, error) {
	if len(bsaID) > 64 {
		return nil, warden.FieldErrorf(warden.EINVALID, "bsa_id", "bsa_id is at most 64 characters")
	}
	return s.change(ctx, id, "case.sar_file", func(c *Case) (map[string]any, error) {
		switch {
		case c.SAR == nil || c.SAR.ApprovedBy == "":
			return nil, warden.FieldErrorf(warden.ECONFLICT, "sar", "only an approved SAR can be filed")
		case !c.SAR.FiledAt.IsZero():
			return nil, warden.FieldErrorf(warden.ECONFLICT, "sar", "the SAR was filed already")
		}
		now := s.now()
		c.SAR.FiledBy, c.SAR.FiledAt, c.SAR.BSAID = actor(ctx), now, bsaID
		c.Status = CaseSARFiled
		c.ReviewDueAt = now.Add(ContinuingReviewEvery)
		return map[string]any{"on_time": !now.After(c.SARDueAt), "sar_due_at": c.SARDueAt, "bsa_id": bsaID}, nil
	})
}

// Deadline is one open deadline.
type Deadline struct {
	CaseID     string    `json:"case_id"`
	CustomerID string    `json:"customer_id"`
	Kind       string    `json:"kind"` // sar or continuing_review
	DueAt      time.Time `json:"due_at"`
	Overdue    bool      `json:"overdue"`
}

// Deadlines lists SAR filings and continuing-activity reviews that are
// overdue or due within DueSoon, soonest first.
func (s *Cases) Deadlines(ctx context.Context) ([]Deadline, error) {
	now := s.now()
	cs, err := s.Store.Cases(ctx, CaseFilter{DueBefore: now.Add(DueSoon), Limit: 10000})
	if err != nil {
		return nil, err
	}
	out := []Deadline{}
	for _, c := range cs {
		if d, ok := openDeadline(c); ok && d.DueAt.Before(now.Add(DueSoon)) {
			d.Overdue = d.DueAt.Before(now)
			out = append(out, d)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].DueAt.Before(out[j-1].DueAt); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out, nil
}

// openDeadline is a case's running deadline: the SAR while none is filed
// and the case is open, the continuing review after a filing.
func openDeadline(c *Case) (Deadline, bool) {
	switch c.Status {
	case CaseOpen, CaseInvestigating, CaseEscalated:
		return Deadline{CaseID: c.ID, CustomerID: c.CustomerID, Kind: "sar", DueAt: c.SARDueAt}, true
	case CaseSARFiled:
		return Deadline{CaseID: c.ID, CustomerID: c.CustomerID, Kind: "continuing_review", DueAt: c.ReviewDueAt}, true
	}
	return Deadline{}, false
}

// NextDeadline is the case's running deadline for storage and filtering.
func (c *Case) NextDeadline() time.Time {
	d, _ := openDeadline(c)
	return d.DueAt
}
