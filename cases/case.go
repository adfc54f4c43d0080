package cases

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

// Case states.
const (
	CaseOpen          = "open"
	CaseInvestigating = "investigating"
	CaseEscalated     = "escalated"
	CaseClosedNoSAR   = "closed_no_sar"
	CaseSARFiled      = "sar_filed"
)

// transitions lists the states each state may move to by hand; sar_filed is
// reached only by filing (four-eyes approved) and a closed case reopens.
var transitions = map[string][]string{
	CaseOpen:          {CaseInvestigating, CaseEscalated, CaseClosedNoSAR},
	CaseInvestigating: {CaseEscalated, CaseClosedNoSAR},
	CaseEscalated:     {CaseInvestigating, CaseClosedNoSAR},
	CaseClosedNoSAR:   {CaseInvestigating},
	CaseSARFiled:      {CaseInvestigating}, // continuing activity found at review
}

// SAR deadlines (31 CFR 1020.320(b)(3)): 30 calendar days from initial
// detection, 60 when no suspect is identified; continuing activity is
// reviewed every 90 days after a filing.
const (
	SARDue                = 30 * 24 * time.Hour
	SARDueNoSuspect       = 60 * 24 * time.Hour
	ContinuingReviewEvery = 90 * 24 * time.Hour
	DueSoon               = 7 * 24 * time.Hour
)

// Comment is an analyst's note.
type Comment struct {
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Attachment is a file kept with a case; its SHA-256 is recorded in the
// audit log so that the evidence can be proven unchanged.
type Attachment struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	ContentType string    `json:"content_type"`
	Size        int       `json:"size"`
	SHA256      string    `json:"sha256"`
	By          string    `json:"by"`
	At          time.Time `json:"at"`
}

// SAR is the filing prepared from a case.
type SAR struct {
	Narrative    string    `json:"narrative"`
	PreparedBy   string    `json:"prepared_by"`
	PreparedAt   time.Time `json:"prepared_at"`
	ApprovedBy   string    `json:"approved_by,omitempty"`
	ApprovedAt   time.Time `json:"approved_at,omitzero"`
	FiledBy      string    `json:"filed_by,omitempty"`
	FiledAt      time.Time `json:"filed_at,omitzero"`
	BSAID        string    `json:"bsa_id,omitempty"` // FinCEN's acknowledgement id, when known
	ActivityFrom string    `json:"activity_from,omitempty"`
	ActivityTo   string    `json:"activity_to,omitempty"`
	Categories   []string  `json:"categories,omitempty"`
}

// Case groups a customer's alerts for investigation.
type Case struct {
	ID                string       `json:"id"`
	CustomerID        string       `json:"customer_id"`
	Status            string       `json:"status"`
	AlertIDs          []string     `json:"alert_ids"`
	Assignee          string       `json:"assignee,omitempty"`
	OpenedBy          string       `json:"opened_by"`
	OpenedAt          time.Time    `json:"opened_at"`
	UpdatedAt         time.Time    `json:"updated_at"`
	DetectedAt        time.Time    `json:"detected_at"` // initial detection: the earliest alert
	SuspectIdentified bool         `json:"suspect_identified"`
	SARDueAt          time.Time    `json:"sar_due_at,omitzero"`
	ReviewDueAt       time.Time    `json:"review_due_at,omitzero"` // continuing activity
	ClosedReason      string       `json:"closed_reason,omitempty"`
	Comments          []Comment    `json:"comments"`
	Attachments       []Attachment `json:"attachments"`
	SAR               *SAR         `json:"sar,omitempty"`
	Version           int          `json:"version"`
}

// CaseFilter selects cases.
type CaseFilter struct {
	CustomerID string
	Status     string
	Assignee   string
	// DueBefore selects cases with a SAR or review deadline before it
	// (open deadlines only).
	DueBefore time.Time
	After     string
	Limit     int
}

// CaseStore keeps cases.
type CaseStore interface {
	// CreateCase stores a new case and links its alerts to it; ECONFLICT if
	// an alert is already in another case.
	CreateCase(ctx context.Context, c *Case) error
	// UpdateCase stores c if the stored version is c.Version-1 (ECONFLICT
	// otherwise).
	UpdateCase(ctx context.Context, c *Case) error
	Case(ctx context.Context, id string) (*Case, error)
	Cases(ctx context.Context, f CaseFilter) ([]*Case, error)
	PutAttachment(ctx context.Context, caseID string, a Attachment, content []byte) error
	AttachmentContent(ctx context.Context, caseID, id string) (*Attachment, []byte, error)
}

// Cases runs the case workflow.
type Cases struct {
	Store  CaseStore
	Alerts AlertStore
	Audit  Recorder
	Now    func() time.Time
}

var caseIDPattern = regexp.MustCompile(`^case_[0-9a-f]{16}$`)

// ValidCaseID checks a case id's shape.
func ValidCaseID(id string) error {
	if !caseIDPattern.MatchString(id) {
		return warden.FieldErrorf(warden.EINVALID, "id", "case ids look like case_ and 16 hex digits")
	}
	return nil
}

func (s *Cases) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Microsecond)
	}
	return time.Now().UTC().Truncate(time.Microsecond)
}

func actor(ctx context.Context) string {
	if a, ok := warden.ActorFromContext(ctx); ok {
		return a.String()
	}
	return "unknown"
}

func text(field, v string, minLen, maxLen int) (string, error) {
	v = strings.TrimSpace(v)
	if n := utf8.RuneCountInString(v); n < minLen || n > maxLen {
		return "", warden.FieldErrorf(warden.EINVALID, field, "%s must be %d to %d characters", field, minLen, maxLen)
	}
	return v, nil
}

// save stores a case with its audit record in one transaction (the audit
// outbox) and returns once the record is in the log.
func (s *Cases) save(ctx context.Context, action string, c *Case, change map[string]any, put func(context.Context, *Case) error) error {
	if change == nil {
		change = map[string]any{}
	}
	change["status"], change["version"] = c.Status, c.Version
	return audit.Do(ctx, s.Audit, func(ctx context.Context) error { return put(ctx, c) },
		audit.Record{Action: action, Subject: audit.Subject{Type: "case", ID: c.ID}, Change: change})
}

// Open groups alerts of one customer into a new case: the given ones, or
// every open alert of the customer not yet in a case.
func (s *Cases) Open(ctx context.Context, customerID string, alertIDs []string) (*Case, error) {
	if strings.TrimSpace(customerID) == "" || len(customerID) > 128 {
		return nil, warden.FieldErrorf(warden.EINVALID, "customer_id", "customer_id is required")
	}
	var alerts []*Alert
	if len(alertIDs) == 0 {
		all, err := s.Alerts.Alerts(ctx, Filter{CustomerID: customerID, Status: StatusOpen, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, a := range all {
			if a.CaseID == "" {
				alerts = append(alerts, a)
			}
		}
		if len(alerts) == 0 {
			return nil, warden.FieldErrorf(warden.EINVALID, "alert_ids", "customer %s has no open alert outside a case", customerID)
		}
	}
	for i, id := range alertIDs {
		if err := ValidAlertID(id); err != nil {
			return nil, warden.FieldErrorf(warden.EINVALID, "alert_ids", "alert_ids[%d]: %s", i, err.(*warden.Error).Message)
		}
		a, err := s.Alerts.Alert(ctx, id)
		if err != nil {
			return nil, err
		}
		if a.CustomerID != customerID {
			return nil, warden.FieldErrorf(warden.EINVALID, "alert_ids", "alert %s is about customer %s, not %s", id, a.CustomerID, customerID)
		}
		alerts = append(alerts, a)
	}
	now := s.now()
	c := &Case{ID: warden.NewID("case"), CustomerID: customerID, Status: CaseOpen, OpenedBy: actor(ctx), OpenedAt: now, UpdatedAt: now,
		SuspectIdentified: true, Comments: []Comment{}, Attachments: []Attachment{}, Version: 1}
	for _, a := range alerts {
		c.AlertIDs = append(c.AlertIDs, a.ID)
		if c.DetectedAt.IsZero() || a.FirstAt.Before(c.DetectedAt) {
			c.DetectedAt = a.FirstAt
		}
	}
	c.SARDueAt = c.DetectedAt.Add(SARDue)
	if err := s.save(ctx, "case.open", c, map[string]any{"customer_id": customerID, "alert_ids": c.AlertIDs, "sar_due_at": c.SARDueAt}, s.Store.CreateCase); err != nil {
		return nil, err
	}
	return c, nil
}

// Get returns one case.
func (s *Cases) Get(ctx context.Context, id string) (*Case, error) {
	if err := ValidCaseID(id); err != nil {
		return nil, err
	}
	return s.Store.Case(ctx, id)
}

// List returns cases matching f.
func (s *Cases) List(ctx context.Context, f CaseFilter) ([]*Case, error) {
	if f.Status != "" {
		if _, ok := transitions[f.Status]; !ok {
			return nil, warden.FieldErrorf(warden.EINVALID, "status", "status must be open, investigating, escalated, closed_no_sar or sar_filed")
		}
	}
	if f.After != "" && ValidCaseID(f.After) != nil {
		return nil, warden.FieldErrorf(warden.EINVALID, "after", "after must be a case id")
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 100
	}
	return s.Store.Cases(ctx, f)
}

// change loads a case, applies fn and stores the next version, audited.
func (s *Cases) change(ctx context.Context, id, action string, fn func(c *Case) (map[string]any, error)) (*Case, error) {
	c, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	audited, err := fn(c)
	if err != nil {
		return nil, err
	}
	c.Version++
	c.UpdatedAt = s.now()
	if err := s.save(ctx, action, c, audited, s.Store.UpdateCase); err != nil {
		return nil, err
	}
	return c, nil
}

// Assign gives the case to an analyst.
func (s *Cases) Assign(ctx context.Context, id, assignee string) (*Case, error) {
	assignee, err := text("assignee", assignee, 1, 200)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, id, "case.assign", func(c *Case) (map[string]any, error) {
		c.Assignee = assignee
		return map[string]any{"assignee": assignee}, nil
	})
}

// Transition moves a case to another state; closing without a SAR needs a
// reason.
func (s *Cases) Transition(ctx context.Context, id, to, reason string) (*Case, error) {
	return s.change(ctx, id, "case.transition", func(c *Case) (map[string]any, error) {
		ok := false
		for _, t := range transitions[c.Status] {
			ok = ok || t == to
		}
		if !ok {
			return nil, warden.FieldErrorf(warden.ECONFLICT, "status", "a case %s cannot move to %q (allowed: %s)", c.Status, to, strings.Join(transitions[c.Status], ", "))
		}
		if to == CaseClosedNoSAR {
			r, err := text("reason", reason, 10, 2000)
			if err != nil {
				return nil, warden.FieldErrorf(warden.EINVALID, "reason", "closing without a SAR needs a reason of 10 to 2000 characters")
			}
			c.ClosedReason = r
		}
		from := c.Status
		c.Status = to
		return map[string]any{"from": from, "to": to, "reason": c.ClosedReason}, nil
	})
}

// Comment adds a note.
func (s *Cases) Comment(ctx context.Context, id, body string) (*Case, error) {
	body, err := text("text", body, 1, 10000)
	if err != nil {
		return nil, err
	}
	return s.change(ctx, id, "case.comment", func(c *Case) (map[string]any, error) {
		c.Comments = append(c.Comments, Comment{By: actor(ctx), At: s.now(), Text: body})
		h := sha256.Sum256([]byte(body))
		return map[string]any{"comment_sha256": hex.EncodeToString(h[:])}, nil
	})
}

// MaxAttachment bounds one attachment.
const MaxAttachment = 10 << 20

// Attach stores a file with the case; the audit log records its SHA-256.
func (s *Cases) Attach(ctx context.Context, id, name, contentType string, content []byte) (*Case, error) {
	name, err := text("name", name, 1, 255)
	if err != nil {
		return nil, err
	}
	if strings.ContainsAny(name, "/\\\x00") {
		return nil, warden.FieldErrorf(warden.EINVALID, "name", "name must be a file name without a path")
	}
	if len(content) == 0 || len(content) > MaxAttachment {
		return nil, warden.FieldErrorf(warden.EINVALID, "content", "content must be 1 byte to 10 MiB")
	}
	if contentType == "" {
		contentType = "application/octet-stream"
	}
	h := sha256.Sum256(content)
	a := Attachment{ID: warden.NewID("att"), Name: name, ContentType: contentType, Size: len(content), SHA256: hex.EncodeToString(h[:]), By: actor(ctx), At: s.now()}
	if _, err := s.Get(ctx, id); err != nil {
		return nil, err
	}
	if err := s.Store.PutAttachment(ctx, id, a, content); err != nil {
		return nil, err
	}
	return s.change(ctx, id, "case.attach", func(c *Case) (map[string]any, error) {
		c.Attachments = append(c.Attachments, a)
		return map[string]any{"attachment": a}, nil
	})
}
