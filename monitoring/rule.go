package monitoring

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/common/types"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/cases"
)

// Rule is one monitoring rule as written (YAML or the API).
type Rule struct {
	ID          string `json:"id" yaml:"id"`
	Description string `json:"description" yaml:"description"`
	// Expression is a CEL expression over tx, customer, params, the
	// windows (by_customer, by_account, by_counterparty, by_agent), today
	// and this_month; it must be bool. The windows hold the transactions
	// before this one (docs/monitoring.md).
	Expression string `json:"expression" yaml:"expression"`
	// Action is review or block when the expression is true.
	Action   string `json:"action" yaml:"action"`
	Score    int    `json:"score" yaml:"score"`
	Severity string `json:"severity" yaml:"severity"`
	// AlertWindow deduplicates alerts: another hit for the same customer
	// within it extends the open alert (e.g. "72h"; empty: 24h).
	AlertWindow string `json:"alert_window,omitempty" yaml:"alert_window,omitempty"`
	// Evidence names CEL expressions evaluated when the rule fires and kept
	// with the decision, to show why.
	Evidence map[string]string `json:"evidence,omitempty" yaml:"evidence,omitempty"`
	// Params are constants the expressions read as params.NAME, so that
	// thresholds can change without touching the expression.
	Params  map[string]any `json:"params,omitempty" yaml:"params,omitempty"`
	Enabled *bool          `json:"enabled,omitempty" yaml:"enabled,omitempty"`
}

// StoredRule is one version of a rule.
type StoredRule struct {
	Rule
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	CreatedBy string    `json:"created_by"`
	Source    string    `json:"source"` // builtin, file or api
}

// IsEnabled reports whether the rule runs (default true).
func (r *Rule) IsEnabled() bool { return r.Enabled == nil || *r.Enabled }

var (
	ruleIDPattern    = regexp.MustCompile(`^[a-z][a-z0-9_.-]{1,63}$`)
	evidenceKeyRegex = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

// ValidRuleID checks a rule id's shape.
func ValidRuleID(id string) error {
	if !ruleIDPattern.MatchString(id) {
		return warden.FieldErrorf(warden.EINVALID, "id", "rule ids are 2 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter")
	}
	return nil
}

// compiled is a rule ready to evaluate.
type compiled struct {
	rule     StoredRule
	prog     cel.Program
	evidence map[string]cel.Program
	params   any
	window   time.Duration
}

// Compiler checks and compiles rules against the monitoring environment.
type Compiler struct {
	env *cel.Env
}

// NewCompiler builds the CEL environment once.
func NewCompiler() (*Compiler, error) {
	env, err := windowEnv()
	if err != nil {
		return nil, fmt.Errorf("monitoring: CEL environment: %w", err)
	}
	return &Compiler{env: env}, nil
}

func (c *Compiler) program(field, expr string, want *cel.Type) (cel.Program, error) {
	ast, iss := c.env.Compile(expr)
	if iss != nil && iss.Err() != nil {
		return nil, warden.FieldErrorf(warden.EINVALID, field, "%s does not compile: %s", field, iss.Err())
	}
	if want != nil && !ast.OutputType().IsExactType(want) && ast.OutputType() != cel.DynType {
		return nil, warden.FieldErrorf(warden.EINVALID, field, "%s must be %s, not %s", field, want, ast.OutputType())
	}
	// No runtime cost limit: tracking cost took a third of evaluation time.
	// Evaluation stays bounded because windows hold at most maxPoints
	// transactions, so one comprehension over txns() is at most that long.
	prg, err := c.env.Program(ast, cel.EvalOptions(cel.OptOptimize))
	if err != nil {
		return nil, warden.FieldErrorf(warden.EINVALID, field, "%s: %s", field, err)
	}
	return prg, nil
}

// Check validates a rule and compiles every expression; errors name the
// field and carry the CEL compiler's message.
func (c *Compiler) Check(r *Rule) error {
	_, err := c.compile(StoredRule{Rule: *r})
	return err
}

func (c *Compiler) compile(sr StoredRule) (*compiled, error) {
	r := sr.Rule
	if err := ValidRuleID(r.ID); err != nil {
		return nil, err
	}
	switch {
	case strings.TrimSpace(r.Description) == "" || utf8.RuneCountInString(r.Description) > 500:
		return nil, warden.FieldErrorf(warden.EINVALID, "description", "description is required, at most 500 characters")
	case strings.TrimSpace(r.Expression) == "" || len(r.Expression) > 10000:
		return nil, warden.FieldErrorf(warden.EINVALID, "expression", "expression is required, at most 10000 bytes")
	case r.Action != ActionReview && r.Action != ActionBlock:
		return nil, warden.FieldErrorf(warden.EINVALID, "action", "action must be review or block")
	case r.Score < 0 || r.Score > 100:
		return nil, warden.FieldErrorf(warden.EINVALID, "score", "score must be between 0 and 100")
	case !cases.ValidSeverity(r.Severity):
		return nil, warden.FieldErrorf(warden.EINVALID, "severity", "severity must be low, medium, high or critical")
	case len(r.Evidence) > 10:
		return nil, warden.FieldErrorf(warden.EINVALID, "evidence", "at most 10 evidence expressions")
	case len(r.Params) > 20:
		return nil, warden.FieldErrorf(warden.EINVALID, "params", "at most 20 params")
	}
	out := &compiled{rule: sr, window: 24 * time.Hour, evidence: map[string]cel.Program{}}
	if r.AlertWindow != "" {
		d, err := warden.ParseDuration(r.AlertWindow)
		if err != nil || d <= 0 || d > 400*24*time.Hour {
			return nil, warden.FieldErrorf(warden.EINVALID, "alert_window", "alert_window must be a duration such as 72h or 30d, at most 400d")
		}
		out.window = d
	}
	params := map[string]any{}
	for k, v := range r.Params {
		if !evidenceKeyRegex.MatchString(k) {
			return nil, warden.FieldErrorf(warden.EINVALID, "params."+k, "param names are snake_case, at most 40 characters")
		}
		switch x := v.(type) {
		case int:
			params[k] = int64(x)
		case int64, string, bool:
			params[k] = x
		case float64:
			if x != float64(int64(x)) {
				return nil, warden.FieldErrorf(warden.EINVALID, "params."+k, "params are whole numbers (amounts in minor units), strings, booleans or lists of strings")
			}
			params[k] = int64(x)
		case []any:
			var ss []string
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, warden.FieldErrorf(warden.EINVALID, "params."+k, "list params hold strings only")
				}
				ss = append(ss, s)
			}
			params[k] = ss
		case []string:
			params[k] = slices.Clone(x)
		default:
			return nil, warden.FieldErrorf(warden.EINVALID, "params."+k, "params are whole numbers (amounts in minor units), strings, booleans or lists of strings")
		}
	}
	// Made a CEL value once: every evaluation of the rule reads it.
	out.params = types.NewStringInterfaceMap(types.DefaultTypeAdapter, params)
	var err error
	if out.prog, err = c.program("expression", r.Expression, cel.BoolType); err != nil {
		return nil, err
	}
	for k, e := range r.Evidence {
		if !evidenceKeyRegex.MatchString(k) {
			return nil, warden.FieldErrorf(warden.EINVALID, "evidence."+k, "evidence names are snake_case, at most 40 characters")
		}
		if out.evidence[k], err = c.program("evidence."+k, e, nil); err != nil {
			return nil, err
		}
	}
	return out, nil
}
