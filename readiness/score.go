package readiness

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// ItemResult is a checklist item's outcome in a scan.
type ItemResult struct {
	ID          string              `json:"id"`
	N           int                 `json:"n"`
	Title       string              `json:"title"`
	Phase       string              `json:"phase"`
	Severity    Severity            `json:"severity"`
	Status      Status              `json:"status"`
	Evidence    string              `json:"evidence"`
	Remediation string              `json:"remediation"`
	Checks      []string            `json:"checks,omitempty"`
	Attestation *Attestation        `json:"attestation,omitempty"`
	Frameworks  map[string][]string `json:"frameworks"`
}

// Score summarises a set of items. Percent is the severity-weighted share of
// the assessed items' value (pass 1, warn 0.5, fail and error 0); items not
// configured (skipped) are left out and counted in Skipped.
type Score struct {
	Percent  float64 `json:"percent"`
	Assessed int     `json:"assessed"`
	Total    int     `json:"total"`
	Pass     int     `json:"pass"`
	Warn     int     `json:"warn"`
	Fail     int     `json:"fail"`
	Error    int     `json:"error"`
	Skipped  int     `json:"skipped"`
}

func (s Score) String() string {
	if s.Assessed == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f%%", s.Percent)
}

// PhaseScore is one phase's score.
type PhaseScore struct {
	Phase string `json:"phase"`
	Title string `json:"title"`
	Score
}

// FrameworkScore is one framework's score over the items mapped to it.
type FrameworkScore struct {
	Framework string `json:"framework"`
	Score
}

// TrendPoint is a previous scan's overall score.
type TrendPoint struct {
	ScanID  string    `json:"scan_id"`
	At      time.Time `json:"at"`
	Overall float64   `json:"overall"`
}

// Report is a complete scan: results, items, scores and the trend.
type Report struct {
	ScanID     string           `json:"scan_id,omitempty"`
	Name       string           `json:"name"`
	StartedAt  time.Time        `json:"started_at"`
	FinishedAt time.Time        `json:"finished_at"`
	Overall    Score            `json:"overall"`
	Phases     []PhaseScore     `json:"phases"`
	Frameworks []FrameworkScore `json:"frameworks"`
	Items      []ItemResult     `json:"items"`
	Results    []Result         `json:"results"`
	Trend      []TrendPoint     `json:"trend"`
}

// Evaluate decides every item from the check results and attestations at
// time now and computes the scores.
func Evaluate(c *Catalogue, results []Result, atts []Attestation, now time.Time) *Report {
	r := &Report{Results: results, Trend: []TrendPoint{}}
	latest := latestAttestations(atts)
	for i := range c.Items {
		it := &c.Items[i]
		ir := ItemResult{ID: it.ID(), N: it.N, Title: it.Title, Phase: it.Phase, Severity: it.Severity,
			Remediation: it.Remediation, Checks: it.Checks, Frameworks: it.Frameworks}
		if it.Attestation {
			ir.Status, ir.Evidence, ir.Attestation = attestationStatus(it, latest[it.N], now)
		} else {
			ir.Status, ir.Evidence = combine(it.Checks, results)
		}
		r.Items = append(r.Items, ir)
	}
	r.Overall = score(r.Items, func(*ItemResult) bool { return true })
	for _, p := range c.Phases {
		r.Phases = append(r.Phases, PhaseScore{Phase: p.ID, Title: p.Title,
			Score: score(r.Items, func(it *ItemResult) bool { return it.Phase == p.ID })})
	}
	for _, fw := range Frameworks {
		r.Frameworks = append(r.Frameworks, FrameworkScore{Framework: fw,
			Score: score(r.Items, func(it *ItemResult) bool { return len(it.Frameworks[fw]) > 0 })})
	}
	return r
}

// combine decides an automated item: the worst status among the results its
// check references select; skipped when no configured target produced any.
func combine(refs []string, results []Result) (Status, string) {
	worst := StatusSkipped
	var notes []string
	matched := 0
	for _, s := range refs {
		ref := ParseCheckRef(s)
		for i := range results {
			res := &results[i]
			if !ref.Matches(res) || res.Status == StatusSkipped {
				continue
			}
			matched++
			if res.Status.rank() > worst.rank() {
				worst = res.Status
			}
			if res.Status != StatusPass {
				notes = append(notes, fmt.Sprintf("%s %s on %s: %s", res.CheckID, res.Status, res.Target, res.Evidence))
			}
		}
	}
	switch {
	case matched == 0:
		return StatusSkipped, "not configured: no target in the targets file produces " + strings.Join(refs, ", ")
	case len(notes) == 0:
		return StatusPass, fmt.Sprintf("%d check result(s) passed", matched)
	}
	return worst, strings.Join(notes, "; ")
}

// latestAttestations keeps the newest attestation per item.
func latestAttestations(atts []Attestation) map[int]*Attestation {
	out := map[int]*Attestation{}
	for i := range atts {
		a := &atts[i]
		if cur, ok := out[a.Item]; !ok || !a.AttestedAt.Before(cur.AttestedAt) {
			out[a.Item] = a
		}
	}
	return out
}

// attestationStatus decides an item only a person can vouch for. A missing
// or lapsed attestation fails: an unevidenced DR drill did not happen as far
// as an examiner is concerned.
func attestationStatus(it *Item, a *Attestation, now time.Time) (Status, string, *Attestation) {
	if a == nil {
		return StatusFail, "not attested: record one with warden readiness attest " + it.ID() + " --by NAME --evidence URL", nil
	}
	expires := a.AttestedAt.Add(it.validity())
	if !a.ExpiresAt.IsZero() && a.ExpiresAt.Before(expires) {
		expires = a.ExpiresAt
	}
	if !now.Before(expires) {
		return StatusFail, fmt.Sprintf("attestation by %s on %s lapsed on %s (evidence %s)", a.By, a.AttestedAt.Format(time.DateOnly), expires.Format(time.DateOnly), a.Evidence), a
	}
	if expires.Sub(now) < 14*24*time.Hour {
		return StatusWarn, fmt.Sprintf("attested by %s on %s, lapses on %s (evidence %s)", a.By, a.AttestedAt.Format(time.DateOnly), expires.Format(time.DateOnly), a.Evidence), a
	}
	return StatusPass, fmt.Sprintf("attested by %s on %s until %s (evidence %s)", a.By, a.AttestedAt.Format(time.DateOnly), expires.Format(time.DateOnly), a.Evidence), a
}

func score(items []ItemResult, in func(*ItemResult) bool) Score {
	var s Score
	var got, max float64
	for i := range items {
		it := &items[i]
		if !in(it) {
			continue
		}
		s.Total++
		switch it.Status {
		case StatusSkipped:
			s.Skipped++
			continue
		case StatusPass:
			s.Pass++
		case StatusWarn:
			s.Warn++
		case StatusFail:
			s.Fail++
		case StatusError:
			s.Error++
		}
		s.Assessed++
		w := it.Severity.Weight()
		got += w * it.Status.value()
		max += w
	}
	if max > 0 {
		s.Percent = math.Round(1000*got/max) / 10
	}
	return s
}

// Failing returns the non-passing items, worst severity first.
func (r *Report) Failing() []ItemResult {
	var out []ItemResult
	for _, it := range r.Items {
		if it.Status == StatusFail || it.Status == StatusError || it.Status == StatusWarn {
			out = append(out, it)
		}
	}
	slices.SortStableFunc(out, func(a, b ItemResult) int { return int(b.Severity.Weight() - a.Severity.Weight()) })
	return out
}
