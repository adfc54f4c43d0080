package readiness

import (
	"context"
	"time"
)

// Status is the outcome of a check or an item.
type Status string

const (
	StatusPass    Status = "pass"
	StatusWarn    Status = "warn"
	StatusFail    Status = "fail"
	StatusError   Status = "error"   // the probe could not decide (target down, timeout)
	StatusSkipped Status = "skipped" // not configured in the targets file
)

// value is the status's contribution to a score; skipped items are left out
// of the denominator instead. An error scores like a failure: a control that
// cannot be shown to work does not count as working.
func (s Status) value() float64 {
	switch s {
	case StatusPass:
		return 1
	case StatusWarn:
		return 0.5
	}
	return 0
}

// rank orders statuses from best to worst when combining several results.
func (s Status) rank() int {
	switch s {
	case StatusSkipped:
		return 0
	case StatusPass:
		return 1
	case StatusWarn:
		return 2
	case StatusError:
		return 3
	case StatusFail:
		return 4
	}
	return 5
}

// Result is one check's outcome on one target.
type Result struct {
	CheckID     string   `json:"check_id"`
	Title       string   `json:"title"`
	Phase       string   `json:"phase"`
	Severity    Severity `json:"severity"`
	Target      string   `json:"target"`
	Kind        string   `json:"kind"`
	Status      Status   `json:"status"`
	Evidence    string   `json:"evidence"`
	Remediation string   `json:"remediation,omitempty"`
	DurationMS  int64    `json:"duration_ms"`
}

// Attestation is a person's signed-off statement that a checklist item a
// machine cannot check (a DR drill, a sign-off) is done, with evidence.
type Attestation struct {
	ID         string    `json:"id"`
	Item       int       `json:"item"`
	By         string    `json:"by"`
	Evidence   string    `json:"evidence"`
	Note       string    `json:"note,omitempty"`
	AttestedAt time.Time `json:"attested_at"`
	// ExpiresAt is when the attestation lapses; zero means the item's own
	// validity period (e.g. 92 days for a quarterly drill) applies alone.
	ExpiresAt  time.Time `json:"expires_at,omitzero"`
	RecordedBy string    `json:"recorded_by,omitempty"`
}

// ScanRecord is one stored scan: its scores for the trend, and the whole
// report for re-rendering later.
type ScanRecord struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	StartedAt  time.Time `json:"started_at"`
	FinishedAt time.Time `json:"finished_at"`
	Overall    float64   `json:"overall"`
	Report     []byte    `json:"-"`
}

// Store keeps scan history and attestations.
type Store interface {
	// SaveReadinessScan stores a finished scan.
	SaveReadinessScan(ctx context.Context, rec ScanRecord) error
	// ReadinessScans returns up to limit scans, newest first, without their
	// reports.
	ReadinessScans(ctx context.Context, limit int) ([]ScanRecord, error)
	// ReadinessScan returns one scan with its report; ENOTFOUND if absent.
	ReadinessScan(ctx context.Context, id string) (ScanRecord, error)
	// PutAttestation records an attestation; earlier ones are kept as history.
	PutAttestation(ctx context.Context, a Attestation) error
	// Attestations returns every attestation, oldest first.
	Attestations(ctx context.Context) ([]Attestation, error)
}
