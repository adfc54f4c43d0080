package monitoring

import (
	"bytes"
	_ "embed"
	"fmt"

	"gopkg.in/yaml.v3"
)

//go:embed pack/rules.yaml
var builtinRules []byte

// BuiltinRules returns the built-in rule pack.
func BuiltinRules() ([]Rule, error) { return ParseRules(builtinRules) }

// ParseRules reads a rules file: `rules:` and a list of rules, strictly
// (unknown fields are errors naming the line).
func ParseRules(b []byte) ([]Rule, error) {
	var f struct {
		Rules []Rule `yaml:"rules"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("rules file: %w", err)
	}
	seen := map[string]bool{}
	for i, r := range f.Rules {
		if seen[r.ID] {
			return nil, fmt.Errorf("rules file: rule %d repeats id %q", i+1, r.ID)
		}
		seen[r.ID] = true
	}
	return f.Rules, nil
}
