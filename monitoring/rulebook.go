package monitoring

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

// Recorder is the audit log; *audit.Log implements it. Records are staged
// so that they commit with the rule version they describe (the audit
// outbox).
type Recorder interface {
	audit.Stager
}

// ruleSet is the compiled rules in force, swapped atomically.
type ruleSet struct {
	rules []*compiled
	byID  map[string]*compiled
}

// RuleBook keeps the rules: every change is a new version in the store,
// audited; the latest enabled version of each rule is in force. Replicas
// pick up each other's changes with Refresh.
type RuleBook struct {
	compiler *Compiler
	store    RuleStore
	audit    Recorder
	now      func() time.Time

	mu  sync.Mutex // serialises changes from this process
	cur atomic.Pointer[ruleSet]
}

// NewRuleBook returns an empty book; call Sync and Refresh to fill it.
func NewRuleBook(c *Compiler, store RuleStore, rec Recorder) *RuleBook {
	b := &RuleBook{compiler: c, store: store, audit: rec, now: time.Now}
	b.cur.Store(&ruleSet{byID: map[string]*compiled{}})
	return b
}

func (b *RuleBook) current() *ruleSet { return b.cur.Load() }

// Compiler returns the book's compiler (for checking drafts).
func (b *RuleBook) Compiler() *Compiler { return b.compiler }

func sameRule(a, b Rule) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// normalize makes JSON and YAML sources compare equal (YAML ints, JSON
// floats in params).
func normalize(r Rule) Rule {
	if len(r.Params) > 0 {
		b, _ := json.Marshal(r.Params)
		var p map[string]any
		_ = json.Unmarshal(b, &p)
		r.Params = p
	}
	if r.Enabled != nil && *r.Enabled {
		r.Enabled = nil
	}
	return r
}

// Put stores r as a new version when it differs from the latest (created
// says so), after checking that every expression compiles.
func (b *RuleBook) Put(ctx context.Context, r Rule, source string) (*StoredRule, bool, error) {
	r = normalize(r)
	if err := b.compiler.Check(&r); err != nil {
		return nil, false, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	vs, err := b.store.RuleVersions(ctx, r.ID)
	if err != nil {
		return nil, false, err
	}
	next := &StoredRule{Rule: r, Version: 1, CreatedAt: b.now().UTC().Truncate(time.Microsecond), Source: source}
	if a, ok := warden.ActorFromContext(ctx); ok {
		next.CreatedBy = a.String()
	} else {
		next.CreatedBy = "system:" + source
	}
	if n := len(vs); n > 0 {
		if sameRule(normalize(vs[n-1].Rule), r) {
			return vs[n-1], false, nil
		}
		next.Version = vs[n-1].Version + 1
	}
	err = audit.Do(ctx, b.audit, func(ctx context.Context) error { return b.store.PutRule(ctx, next) },
		audit.Record{Action: "rule.version", Subject: audit.Subject{Type: "rule", ID: r.ID},
			Change: map[string]any{"version": next.Version, "source": source, "rule": r}})
	if err != nil {
		return nil, false, err
	}
	return next, true, b.refreshLocked(ctx)
}

// Sync stores the rules of a source (the built-in pack, the rules file) as
// new versions where they differ from the latest stored.
func (b *RuleBook) Sync(ctx context.Context, rules []Rule, source string) (changed int, err error) {
	for _, r := range rules {
		_, created, err := b.Put(ctx, r, source)
		if err != nil {
			return changed, fmt.Errorf("rule %s (%s): %w", r.ID, source, err)
		}
		if created {
			changed++
		}
	}
	return changed, nil
}

// Refresh loads the latest version of every rule from the store.
func (b *RuleBook) Refresh(ctx context.Context) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.refreshLocked(ctx)
}

func (b *RuleBook) refreshLocked(ctx context.Context) error {
	latest, err := b.store.LatestRules(ctx)
	if err != nil {
		return err
	}
	cur := b.current()
	rs := &ruleSet{byID: map[string]*compiled{}}
	for _, sr := range latest {
		if old := cur.byID[sr.ID]; old != nil && old.rule.Version == sr.Version {
			rs.byID[sr.ID] = old
		} else {
			c, err := b.compiler.compile(*sr)
			if err != nil {
				// A stored rule that no longer compiles (an older binary's
				// function, say) stays out of force, loudly.
				return fmt.Errorf("rule %s version %d: %w", sr.ID, sr.Version, err)
			}
			rs.byID[sr.ID] = c
		}
		if sr.IsEnabled() {
			rs.rules = append(rs.rules, rs.byID[sr.ID])
		}
	}
	sort.Slice(rs.rules, func(i, j int) bool { return rs.rules[i].rule.ID < rs.rules[j].rule.ID })
	b.cur.Store(rs)
	return nil
}

// List returns the latest version of every rule (enabled or not).
func (b *RuleBook) List() []StoredRule {
	rs := b.current()
	out := make([]StoredRule, 0, len(rs.byID))
	for _, c := range rs.byID {
		out = append(out, c.rule)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Versions returns every version of one rule, oldest first.
func (b *RuleBook) Versions(ctx context.Context, id string) ([]*StoredRule, error) {
	if err := ValidRuleID(id); err != nil {
		return nil, err
	}
	vs, err := b.store.RuleVersions(ctx, id)
	if err == nil && len(vs) == 0 {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "id", "rule %s not found", id)
	}
	return vs, err
}
