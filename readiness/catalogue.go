// Package readiness is Warden's production-readiness scanner: a catalogue of
// the 70-item go-live checklist bound to automated checks and attestations,
// the scan that runs the probes (readiness/probe) against a described
// deployment, scores per phase and per regulatory framework, and the report
// formats examiners and CI systems read (table, JSON, SARIF, JUnit, HTML,
// Markdown). The catalogue is data (catalogue.yaml), not code, so that the
// mapping to GLBA, BSA/AML, SOX, PCI DSS and FFIEC can be reviewed on its own.
package readiness

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wardenhq/warden"
)

//go:embed catalogue.yaml
var catalogueYAML []byte

// Frameworks are the regulatory frameworks the catalogue maps items to, in
// report order.
var Frameworks = []string{"GLBA", "BSA/AML", "SOX", "PCI-DSS", "FFIEC"}

// Severity weighs an item in the scores.
type Severity string

const (
	SeverityCritical Severity = "critical"
	SeverityHigh     Severity = "high"
	SeverityMedium   Severity = "medium"
	SeverityLow      Severity = "low"
)

// Weight is the severity's weight in the scores: a critical item counts four
// times a low one, so that a deployment cannot reach a good score by passing
// many cosmetic checks while failing the ones an examiner cares about.
func (s Severity) Weight() float64 {
	switch s {
	case SeverityCritical:
		return 4
	case SeverityHigh:
		return 3
	case SeverityMedium:
		return 2
	case SeverityLow:
		return 1
	}
	return 0
}

// Phase groups checklist items.
type Phase struct {
	ID    string `yaml:"id" json:"id"`
	Title string `yaml:"title" json:"title"`
	First int    `yaml:"first" json:"first"`
	Last  int    `yaml:"last" json:"last"`
}

// Check describes one automated check a probe reports.
type Check struct {
	ID          string   `yaml:"id" json:"id"`
	Title       string   `yaml:"title" json:"title"`
	Severity    Severity `yaml:"severity" json:"severity"`
	Remediation string   `yaml:"remediation" json:"remediation"`
	// Phase is that of the lowest-numbered item bound to the check.
	Phase string `yaml:"-" json:"phase"`
}

// Item is one checklist item.
type Item struct {
	N           int                 `yaml:"n" json:"n"`
	Phase       string              `yaml:"phase" json:"phase"`
	Title       string              `yaml:"title" json:"title"`
	Severity    Severity            `yaml:"severity" json:"severity"`
	Checks      []string            `yaml:"checks" json:"checks,omitempty"`
	Attestation bool                `yaml:"attestation" json:"attestation,omitempty"`
	ValidFor    string              `yaml:"valid_for" json:"valid_for,omitempty"`
	Remediation string              `yaml:"remediation" json:"remediation"`
	Frameworks  map[string][]string `yaml:"frameworks" json:"frameworks"`
}

// ID is the item's identifier in reports and attestations, e.g. "RD-030".
func (it *Item) ID() string { return fmt.Sprintf("RD-%03d", it.N) }

// validity is how long an attestation of the item stays good.
func (it *Item) validity() time.Duration {
	d, err := warden.ParseDuration(it.ValidFor)
	if it.ValidFor == "" || err != nil {
		return 365 * 24 * time.Hour
	}
	return d
}

// CheckRef is a parsed check reference: a check id, optionally limited to one
// kind of target ("tls.protocol@postgres").
type CheckRef struct {
	ID   string
	Kind string
}

// ParseCheckRef splits "ID@KIND".
func ParseCheckRef(s string) CheckRef {
	id, kind, _ := strings.Cut(s, "@")
	return CheckRef{ID: id, Kind: kind}
}

// Matches reports whether a result answers the reference.
func (r CheckRef) Matches(res *Result) bool {
	return res.CheckID == r.ID && (r.Kind == "" || r.Kind == res.Kind)
}

// Catalogue is the checklist with its checks.
type Catalogue struct {
	Phases []Phase `yaml:"phases" json:"phases"`
	Checks []Check `yaml:"checks" json:"checks"`
	Items  []Item  `yaml:"items" json:"items"`
}

// Kinds of target, as used in check references.
var Kinds = []string{"postgres", "mysql", "redis", "kafka", "elasticsearch", "zeebe", "keycloak", "http", "tls", "kubernetes", "backup", "warden"}

// LoadCatalogue parses and validates the embedded catalogue.
func LoadCatalogue() (*Catalogue, error) { return ParseCatalogue(catalogueYAML) }

// ParseCatalogue parses and validates a catalogue document.
func ParseCatalogue(b []byte) (*Catalogue, error) {
	var c Catalogue
	if err := yaml.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("readiness catalogue: %w", err)
	}
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("readiness catalogue: %w", err)
	}
	return &c, nil
}

func (c *Catalogue) validate() error {
	phases := map[string]Phase{}
	for _, p := range c.Phases {
		phases[p.ID] = p
	}
	checks := map[string]*Check{}
	for i := range c.Checks {
		ch := &c.Checks[i]
		if _, dup := checks[ch.ID]; dup {
			return fmt.Errorf("check %s defined twice", ch.ID)
		}
		if ch.Severity.Weight() == 0 || ch.Title == "" || ch.Remediation == "" {
			return fmt.Errorf("check %s: needs title, remediation and a severity of critical, high, medium or low", ch.ID)
		}
		checks[ch.ID] = ch
	}
	for i := range c.Items {
		it := &c.Items[i]
		if it.N != i+1 {
			return fmt.Errorf("item %d is at position %d: items must be numbered 1..N in order", it.N, i+1)
		}
		p, ok := phases[it.Phase]
		if !ok || it.N < p.First || it.N > p.Last {
			return fmt.Errorf("item %d: phase %q does not cover it", it.N, it.Phase)
		}
		if it.Severity.Weight() == 0 || it.Title == "" || it.Remediation == "" {
			return fmt.Errorf("item %d: needs title, remediation and a valid severity", it.N)
		}
		if it.Attestation == (len(it.Checks) > 0) {
			return fmt.Errorf("item %d: needs either checks or attestation: true, not both", it.N)
		}
		if it.ValidFor != "" {
			if _, err := warden.ParseDuration(it.ValidFor); err != nil {
				return fmt.Errorf("item %d: valid_for: %w", it.N, err)
			}
		}
		for _, s := range it.Checks {
			ref := ParseCheckRef(s)
			ch, ok := checks[ref.ID]
			if !ok {
				return fmt.Errorf("item %d: unknown check %s", it.N, ref.ID)
			}
			if ref.Kind != "" && !slices.Contains(Kinds, ref.Kind) {
				return fmt.Errorf("item %d: unknown target kind %q in %s", it.N, ref.Kind, s)
			}
			if ch.Phase == "" {
				ch.Phase = it.Phase
			}
		}
		if len(it.Frameworks) == 0 {
			return fmt.Errorf("item %d: maps to no framework", it.N)
		}
		for fw := range it.Frameworks {
			if !slices.Contains(Frameworks, fw) {
				return fmt.Errorf("item %d: unknown framework %q (want one of %s)", it.N, fw, strings.Join(Frameworks, ", "))
			}
		}
	}
	for _, ch := range c.Checks {
		if ch.Phase == "" {
			return fmt.Errorf("check %s is bound to no item", ch.ID)
		}
	}
	return nil
}

// Check returns the check with the id.
func (c *Catalogue) Check(id string) (*Check, bool) {
	for i := range c.Checks {
		if c.Checks[i].ID == id {
			return &c.Checks[i], true
		}
	}
	return nil, false
}

// Item returns the item numbered n, or named "RD-0NN".
func (c *Catalogue) Item(ref string) (*Item, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(ref)), "RD-"))
	if err != nil || n < 1 || n > len(c.Items) {
		return nil, false
	}
	return &c.Items[n-1], true
}
