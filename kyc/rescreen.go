package kyc

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
	"github.com/wardenhq/warden/cases"
	"github.com/wardenhq/warden/screening"
)

// CustomerLister pages through the latest version of every customer.
type CustomerLister interface {
	// CustomersAfter returns up to limit customers with id > after, by id.
	CustomersAfter(ctx context.Context, after string, limit int) ([]*Customer, error)
}

// RescreenResult counts what a re-screening did.
type RescreenResult struct {
	Customers  int `json:"customers"`  // customers looked at
	Rescreened int `json:"rescreened"` // whose names the change could affect
	NewHits    int `json:"new_hits"`   // hits not in their previous screening
	Updated    int `json:"updated"`    // customers whose screening changed
	// Ownership structures, likewise, counted by structure.
	Structures           int `json:"ownership_structures"`
	StructuresRescreened int `json:"ownership_structures_rescreened"`
	OwnerNewHits         int `json:"owner_new_hits"`
	Alerts               int `json:"alerts_raised"`
}

// Alert rules raised by re-screening.
const (
	RuleNewHit      = "screening.new-hit"       // a customer newly matches a list entry
	RuleOwnerNewHit = "screening.owner-new-hit" // an owner of a legal entity does
)

// hitSeverity ranks a new hit: sanctions lists high, PEP and own lists medium.
func hitSeverity(h ScreeningHit) string {
	if sanctionsLists[h.List] || h.List == "ofac-cons" {
		return "high"
	}
	return "medium"
}

// affectedKeys returns the name keys (tokens and phonetic keys) of the
// entries a list change added or renamed, and the ids whose hits may go.
func affectedKeys(snap *screening.Snapshot, d screening.ListDiff) (keys map[string]bool, gone map[string]bool) {
	keys, gone = map[string]bool{}, map[string]bool{}
	touched := append(append([]string(nil), d.Added...), d.Changed...)
	for _, id := range touched {
		e := snap.Lookup(id)
		if e == nil {
			continue
		}
		for _, n := range e.Names {
			for _, t := range screening.NormalizeName(n.Text) {
				if !t.Weak {
					keys["t:"+t.Text], keys["p:"+screening.PhoneticKey(t.Text)] = true, true
				}
			}
		}
	}
	for _, id := range append(append([]string(nil), d.Removed...), d.Changed...) {
		gone[d.Source+"/"+id] = true
	}
	return keys, gone
}

func mayBeAffected(c *Customer, keys, gone map[string]bool) bool {
	if c.Screening == nil {
		return true
	}
	return hitsGone(c.Screening.Hits, gone) || nameAffected(c.Name(), keys)
}

func hitsGone(hits []ScreeningHit, gone map[string]bool) bool {
	for _, h := range hits {
		if gone[h.List+"/"+h.EntryID] {
			return true
		}
	}
	return false
}

func nameAffected(name string, keys map[string]bool) bool {
	for _, t := range screening.NormalizeName(name) {
		if keys["t:"+t.Text] || keys["p:"+screening.PhoneticKey(t.Text)] {
			return true
		}
	}
	return false
}

func structureMayBeAffected(r OwnersRecord, keys, gone map[string]bool) bool {
	if r.Screening == nil {
		return true
	}
	for _, p := range r.Owners.Parties {
		if hitsGone(r.Screening.Parties[p.ID], gone) || nameAffected(p.Name, keys) {
			return true
		}
	}
	return false
}

// Rescreen re-screens, after a list change, only the customers whose names
// the change can affect (they share a name token or sound key with an added
// or changed entry, or hold a hit on a changed or removed entry). A changed
// screening is stored as a new customer version by the system, and each
// customer with new hits is recorded in the audit log (customer.rescreen),
// where alerting picks them up.
func (s *Service) Rescreen(ctx context.Context, lister CustomerLister, snaps map[string]*screening.Snapshot, diffs []screening.ListDiff) (RescreenResult, error) {
	var res RescreenResult
	if s.Screening == nil {
		return res, nil
	}
	keys, gone := map[string]bool{}, map[string]bool{}
	for _, d := range diffs {
		if snaps[d.Source] == nil {
			continue
		}
		k, g := affectedKeys(snaps[d.Source], d)
		for x := range k {
			keys[x] = true
		}
		for x := range g {
			gone[x] = true
		}
	}
	ctx = warden.NewContextWithActor(ctx, warden.Actor{Kind: warden.ActorSystem, ID: "rescreen"})
	after := ""
	for {
		page, err := lister.CustomersAfter(ctx, after, 500)
		if err != nil {
			return res, err
		}
		if len(page) == 0 {
			break
		}
		for _, c := range page {
			res.Customers++
			after = c.ID
			if !mayBeAffected(c, keys, gone) {
				continue
			}
			res.Rescreened++
			sum, err := s.screen(ctx, c.ID, c.CustomerData)
			if err != nil {
				return res, err
			}
			newHits := hitsNotIn(sum.Hits, c.Screening)
			res.NewHits += len(newHits)
			if c.Screening != nil && sameHits(sum.Hits, c.Screening.Hits) {
				continue
			}
			next := *c
			next.Version, next.Screening, next.UpdatedAt, next.UpdatedBy = c.Version+1, sum, s.now().Truncate(time.Microsecond), "system:rescreen"
			err = audit.Do(ctx, s.Audit, func(ctx context.Context) error {
				if err := s.Store.PutCustomer(ctx, &next); err != nil {
					return fmt.Errorf("store re-screening of %s: %w", c.ID, err)
				}
				res.Updated++
				return nil
			}, audit.Record{Action: "customer.rescreen", Subject: audit.Subject{Type: "customer", ID: c.ID},
				Change: map[string]any{"version": next.Version, "new_hits": newHits, "screening": sum}})
			if err != nil {
				return res, err
			}
			for _, h := range newHits {
				if err := s.raiseHit(ctx, &res, c.ID, RuleNewHit, h, map[string]any{"hit": h, "list_versions": sum.ListVersions}); err != nil {
					return res, err
				}
			}
		}
	}
	if s.Owners == nil {
		return res, nil
	}
	return res, s.rescreenOwners(ctx, &res, keys, gone)
}

// rescreenOwners re-screens the parties of every ownership structure the
// change can affect, stores the new screening and raises an alert on the
// entity customer for each new hit on one of its owners.
func (s *Service) rescreenOwners(ctx context.Context, res *RescreenResult, keys, gone map[string]bool) error {
	after := ""
	for {
		page, err := s.Owners.OwnersAfter(ctx, after, 500)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		for _, r := range page {
			res.Structures++
			after = r.CustomerID
			if !structureMayBeAffected(r, keys, gone) {
				continue
			}
			res.StructuresRescreened++
			sc, err := s.screenOwners(ctx, r.CustomerID, r.Owners)
			if err != nil {
				return err
			}
			if err := s.Owners.PutOwnerScreening(ctx, r.CustomerID, sc); err != nil {
				return fmt.Errorf("store owner re-screening of %s: %w", r.CustomerID, err)
			}
			for _, p := range r.Owners.Parties {
				var prev *ScreeningSummary
				if r.Screening != nil {
					prev = &ScreeningSummary{Hits: r.Screening.Parties[p.ID]}
				}
				for _, h := range hitsNotIn(sc.Parties[p.ID], prev) {
					res.OwnerNewHits++
					if err := s.raiseHit(ctx, res, r.CustomerID, RuleOwnerNewHit, h, map[string]any{"party_id": p.ID, "hit": h, "list_versions": sc.ListVersions}); err != nil {
						return err
					}
				}
			}
		}
	}
}

func (s *Service) raiseHit(ctx context.Context, res *RescreenResult, customerID, rule string, h ScreeningHit, evidence map[string]any) error {
	if s.Alerts == nil {
		return nil
	}
	ev, err := json.Marshal(evidence)
	if err != nil {
		return fmt.Errorf("encode alert evidence: %w", err)
	}
	if _, err := s.Alerts.Raise(ctx, cases.Raise{CustomerID: customerID, Source: cases.SourceScreening, RuleID: rule, RuleVersion: 1,
		Severity: hitSeverity(h), Evidence: ev}); err != nil {
		return fmt.Errorf("raise alert for %s: %w", customerID, err)
	}
	res.Alerts++
	return nil
}

func hitKey(h ScreeningHit) string { return h.List + "/" + h.EntryID }

func hitsNotIn(hits []ScreeningHit, prev *ScreeningSummary) []ScreeningHit {
	var out []ScreeningHit
	for _, h := range hits {
		if prev == nil || !slices.ContainsFunc(prev.Hits, func(p ScreeningHit) bool { return hitKey(p) == hitKey(h) }) {
			out = append(out, h)
		}
	}
	return out
}

func sameHits(a, b []ScreeningHit) bool {
	return len(hitsNotIn(a, &ScreeningSummary{Hits: b})) == 0 && len(hitsNotIn(b, &ScreeningSummary{Hits: a})) == 0
}
