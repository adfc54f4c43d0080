package tier

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"

	"github.com/wardenhq/warden"
	"gopkg.in/yaml.v3"
)

// maxProfileSize bounds what Load reads.
const maxProfileSize = 1 << 20

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)

// Load reads a profile from YAML and validates it strictly. The format:
//
//	name: ke-mobile-money          # [a-z0-9_-], at most 64
//	description: free text          # optional
//	tiers:                          # lowest first, at least one
//	  - name: minimal
//	    description: free text      # optional
//	    requires:                   # document kinds (see DocumentKinds)
//	      - phone
//	      - any_of: [national_id, passport]
//	    limits:                     # by ISO 4217 code, at least one
//	      KES:
//	        per_transaction: "150000.00"   # decimal, at most the currency's decimals
//	        per_day: "500000.00"
//	        per_month: unlimited           # "unlimited" or an amount; "0" allows nothing
//	        max_balance: "500000.00"
//
// All four limits must be given. Rejected, with the error naming the field
// (for example "tiers[1].limits.KES.per_day"): unknown or duplicate keys,
// aliases, a second YAML document, unknown document kinds or currencies,
// malformed amounts, per_transaction above per_day or per_day above
// per_month, duplicate tier names, a tier that does not require everything
// the tier below requires, and a tier whose limits in any currency of the
// tier below are lower than that tier's. Errors are *warden.Error (EINVALID).
func Load(r io.Reader) (*Profile, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxProfileSize+1))
	if err != nil {
		return nil, fmt.Errorf("tier: read profile: %w", err)
	}
	if len(data) > maxProfileSize {
		return nil, warden.Errorf(warden.EINVALID, "profile is larger than %d bytes", maxProfileSize)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return nil, warden.Errorf(warden.EINVALID, "profile is empty")
	} else if err != nil {
		return nil, warden.Errorf(warden.EINVALID, "profile is not valid YAML: %v", err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, warden.Errorf(warden.EINVALID, "profile is empty")
	}
	var second yaml.Node
	if err := dec.Decode(&second); !errors.Is(err, io.EOF) {
		return nil, warden.Errorf(warden.EINVALID, "profile must be a single YAML document")
	}
	return parseProfile(doc.Content[0])
}

func fieldErr(field string, n *yaml.Node, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if n != nil && n.Line > 0 {
		msg = fmt.Sprintf("line %d: %s", n.Line, msg)
	}
	return warden.FieldErrorf(warden.EINVALID, field, "%s", msg)
}

// mapping returns the key/value pairs of a mapping node, checking that
// every key is allowed and appears at most once, and that required keys are
// present.
func mapping(n *yaml.Node, field string, allowed, required []string) (map[string]*yaml.Node, error) {
	if err := noAlias(n, field); err != nil {
		return nil, err
	}
	if n.Kind != yaml.MappingNode {
		return nil, fieldErr(field, n, "must be a mapping")
	}
	m := make(map[string]*yaml.Node, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		kf := join(field, k.Value)
		if k.Kind != yaml.ScalarNode {
			return nil, fieldErr(field, k, "keys must be plain strings")
		}
		if allowed != nil && !slices.Contains(allowed, k.Value) {
			return nil, fieldErr(kf, k, "unknown key %q", k.Value)
		}
		if _, dup := m[k.Value]; dup {
			return nil, fieldErr(kf, k, "duplicate key %q", k.Value)
		}
		if err := noAlias(v, kf); err != nil {
			return nil, err
		}
		m[k.Value] = v
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			return nil, fieldErr(join(field, k), n, "is required")
		}
	}
	return m, nil
}

func noAlias(n *yaml.Node, field string) error {
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return fieldErr(field, n, "anchors and aliases are not allowed")
	}
	return nil
}

func join(field, key string) string {
	if field == "" {
		return key
	}
	return field + "." + key
}

func scalar(n *yaml.Node, field string) (string, error) {
	if err := noAlias(n, field); err != nil {
		return "", err
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", fieldErr(field, n, "must be a string")
	}
	return n.Value, nil
}

func name(n *yaml.Node, field string) (string, error) {
	s, err := scalar(n, field)
	if err != nil {
		return "", err
	}
	if !nameRE.MatchString(s) {
		return "", fieldErr(field, n, "%q is not a name: lower-case letters, digits, '_' and '-', at most 64", s)
	}
	return s, nil
}

func optionalText(m map[string]*yaml.Node, key, field string) (string, error) {
	n, ok := m[key]
	if !ok {
		return "", nil
	}
	return scalar(n, join(field, key))
}

func sequence(n *yaml.Node, field string) ([]*yaml.Node, error) {
	if err := noAlias(n, field); err != nil {
		return nil, err
	}
	if n.Kind != yaml.SequenceNode {
		return nil, fieldErr(field, n, "must be a list")
	}
	return n.Content, nil
}

func parseProfile(root *yaml.Node) (*Profile, error) {
	m, err := mapping(root, "", []string{"name", "description", "tiers"}, []string{"name", "tiers"})
	if err != nil {
		return nil, err
	}
	p := &Profile{}
	if p.Name, err = name(m["name"], "name"); err != nil {
		return nil, err
	}
	if p.Description, err = optionalText(m, "description", ""); err != nil {
		return nil, err
	}
	tiers, err := sequence(m["tiers"], "tiers")
	if err != nil {
		return nil, err
	}
	if len(tiers) == 0 {
		return nil, fieldErr("tiers", m["tiers"], "at least one tier is required")
	}
	for i, tn := range tiers {
		field := fmt.Sprintf("tiers[%d]", i)
		t, err := parseTier(tn, field)
		if err != nil {
			return nil, err
		}
		if p.Tier(t.Name) != nil {
			return nil, fieldErr(field+".name", tn, "duplicate tier name %q", t.Name)
		}
		if i > 0 {
			if err := checkAbove(&p.Tiers[i-1], &t, field, tn); err != nil {
				return nil, err
			}
		}
		p.Tiers = append(p.Tiers, t)
	}
	return p, nil
}

func parseTier(n *yaml.Node, field string) (Tier, error) {
	var t Tier
	m, err := mapping(n, field, []string{"name", "description", "requires", "limits"}, []string{"name", "requires", "limits"})
	if err != nil {
		return t, err
	}
	if t.Name, err = name(m["name"], field+".name"); err != nil {
		return t, err
	}
	if t.Description, err = optionalText(m, "description", field); err != nil {
		return t, err
	}
	reqs, err := sequence(m["requires"], field+".requires")
	if err != nil {
		return t, err
	}
	for j, rn := range reqs {
		rf := fmt.Sprintf("%s.requires[%d]", field, j)
		r, err := parseRequirement(rn, rf)
		if err != nil {
			return t, err
		}
		for _, prev := range t.Requires {
			if slices.ContainsFunc(r.AnyOf, func(k DocumentKind) bool { return slices.Contains(prev.AnyOf, k) }) {
				return t, fieldErr(rf, rn, "%s overlaps the earlier requirement %s", r, prev)
			}
		}
		t.Requires = append(t.Requires, r)
	}
	lm, err := mapping(m["limits"], field+".limits", nil, nil)
	if err != nil {
		return t, err
	}
	if len(lm) == 0 {
		return t, fieldErr(field+".limits", m["limits"], "at least one currency is required")
	}
	t.Limits = make(map[string]Limits, len(lm))
	for _, cur := range slices.Sorted(maps.Keys(lm)) {
		ln := lm[cur]
		cf := field + ".limits." + cur
		if _, ok := CurrencyExponent(cur); !ok {
			return t, fieldErr(cf, ln, "%q is not an active ISO 4217 currency code", cur)
		}
		l, err := parseLimits(ln, cur, cf)
		if err != nil {
			return t, err
		}
		t.Limits[cur] = l
	}
	return t, nil
}

func parseRequirement(n *yaml.Node, field string) (Requirement, error) {
	if n.Kind == yaml.MappingNode {
		m, err := mapping(n, field, []string{"any_of"}, []string{"any_of"})
		if err != nil {
			return Requirement{}, err
		}
		items, err := sequence(m["any_of"], field+".any_of")
		if err != nil {
			return Requirement{}, err
		}
		if len(items) < 2 {
			return Requirement{}, fieldErr(field+".any_of", m["any_of"], "any_of needs at least two kinds; name a single kind directly")
		}
		var r Requirement
		for k, in := range items {
			kind, err := documentKind(in, fmt.Sprintf("%s.any_of[%d]", field, k))
			if err != nil {
				return r, err
			}
			if slices.Contains(r.AnyOf, kind) {
				return r, fieldErr(fmt.Sprintf("%s.any_of[%d]", field, k), in, "duplicate kind %q", kind)
			}
			r.AnyOf = append(r.AnyOf, kind)
		}
		return r, nil
	}
	kind, err := documentKind(n, field)
	if err != nil {
		return Requirement{}, err
	}
	return Requirement{AnyOf: []DocumentKind{kind}}, nil
}

func documentKind(n *yaml.Node, field string) (DocumentKind, error) {
	s, err := scalar(n, field)
	if err != nil {
		return "", err
	}
	if !slices.Contains(DocumentKinds, DocumentKind(s)) {
		return "", fieldErr(field, n, "unknown document kind %q", s)
	}
	return DocumentKind(s), nil
}

var limitKeys = []string{LimitPerTransaction, LimitPerDay, LimitPerMonth, LimitMaxBalance}

func parseLimits(n *yaml.Node, cur, field string) (Limits, error) {
	m, err := mapping(n, field, limitKeys, limitKeys)
	if err != nil {
		return Limits{}, err
	}
	var v [4]int64
	for i, k := range limitKeys {
		f := field + "." + k
		s, err := scalar(m[k], f)
		if err != nil {
			return Limits{}, err
		}
		if s == "unlimited" {
			v[i] = Unlimited
			continue
		}
		if v[i], err = ParseAmount(s, cur, f); err != nil {
			return Limits{}, fieldErr(f, m[k], "%s", warden.ErrorMessage(err))
		}
	}
	l := Limits{PerTransaction: v[0], PerDay: v[1], PerMonth: v[2], MaxBalance: v[3]}
	if !atMost(l.PerTransaction, l.PerDay) {
		return l, fieldErr(field+"."+LimitPerTransaction, m[LimitPerTransaction], "per_transaction %s is above per_day %s", show(l.PerTransaction, cur), show(l.PerDay, cur))
	}
	if !atMost(l.PerDay, l.PerMonth) {
		return l, fieldErr(field+"."+LimitPerDay, m[LimitPerDay], "per_day %s is above per_month %s", show(l.PerDay, cur), show(l.PerMonth, cur))
	}
	return l, nil
}

// atMost reports a <= b where Unlimited is above every amount.
func atMost(a, b int64) bool {
	switch {
	case b == Unlimited:
		return true
	case a == Unlimited:
		return false
	}
	return a <= b
}

func show(v int64, cur string) string {
	if v == Unlimited {
		return "unlimited"
	}
	return cur + " " + FormatAmount(v, cur)
}

// checkAbove checks that t, the tier right above lower, requires at least
// what lower requires and allows at least as much in every currency.
func checkAbove(lower, t *Tier, field string, n *yaml.Node) error {
	for _, lr := range lower.Requires {
		if !slices.ContainsFunc(t.Requires, func(r Requirement) bool { return r.implies(lr) }) {
			return fieldErr(field+".requires", n, "tier %q must also require %s, as tier %q below it does", t.Name, lr, lower.Name)
		}
	}
	for _, cur := range slices.Sorted(maps.Keys(lower.Limits)) {
		ll := lower.Limits[cur]
		cf := field + ".limits." + cur
		l, ok := t.Limits[cur]
		if !ok {
			return fieldErr(cf, n, "tier %q must allow %s, as tier %q below it does", t.Name, cur, lower.Name)
		}
		for _, c := range []struct {
			key       string
			low, high int64
		}{
			{LimitPerTransaction, ll.PerTransaction, l.PerTransaction},
			{LimitPerDay, ll.PerDay, l.PerDay},
			{LimitPerMonth, ll.PerMonth, l.PerMonth},
			{LimitMaxBalance, ll.MaxBalance, l.MaxBalance},
		} {
			if !atMost(c.low, c.high) {
				return fieldErr(cf+"."+c.key, n, "%s %s is below %s in tier %q below it", c.key, show(c.high, cur), show(c.low, cur), lower.Name)
			}
		}
	}
	return nil
}
