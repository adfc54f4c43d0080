package screening

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/audit"
)

// Recorder is the audit log; *audit.Log implements it. Changes (list
// loads, clearances) are staged so that their records commit with them;
// Append records suppressed hits, which change nothing.
type Recorder interface {
	audit.Stager
	Append(ctx context.Context, rec audit.Record) (*audit.Entry, error)
}

// Service is screening with its state: the lists in service (persisted as
// snapshots), clearances of false positives, and the audit trail of both.
type Service struct {
	Screener   *Screener
	Lists      SnapshotStore
	Clearances ClearanceStore
	Audit      Recorder
	Now        func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func actorString(ctx context.Context) string {
	if a, ok := warden.ActorFromContext(ctx); ok {
		return a.String()
	}
	return warden.Actor{Kind: warden.ActorSystem, ID: "warden"}.String()
}

// loadRecord is what the audit log keeps of a list load.
type loadRecord struct {
	ListVersion
	Added   int `json:"added"`
	Removed int `json:"removed"`
	Changed int `json:"changed"`
}

// Load puts a parsed snapshot in service: it is compared with the active
// snapshot of its source, stored and activated, recorded in the audit log,
// and swapped into the index. A list that failed to parse never gets here,
// so the previous version stays in service.
func (s *Service) Load(ctx context.Context, snap *Snapshot) (ListDiff, error) {
	diffs, err := s.LoadAll(ctx, snap)
	if len(diffs) == 0 {
		return ListDiff{}, err
	}
	return diffs[0], err
}

// LoadAll is Load for several snapshots, with one index build at the end
// (building the index is the costly part).
func (s *Service) LoadAll(ctx context.Context, snaps ...*Snapshot) ([]ListDiff, error) {
	var diffs []ListDiff
	for _, snap := range snaps {
		old := s.Screener.Snapshot(snap.Source)
		diff := Diff(old, snap)
		enc, err := EncodeSnapshot(snap)
		if err != nil {
			return diffs, err
		}
		v := VersionOf(snap)
		rec := loadRecord{ListVersion: v, Added: len(diff.Added), Removed: len(diff.Removed), Changed: len(diff.Changed)}
		err = audit.Do(ctx, s.Audit, func(sctx context.Context) error { return s.Lists.SaveListSnapshot(sctx, v, actorString(ctx), enc) },
			audit.Record{Action: "list.load", Subject: audit.Subject{Type: "list", ID: snap.Source}, Change: rec})
		if err != nil {
			return diffs, err
		}
		diffs = append(diffs, diff)
	}
	s.Screener.Replace(snaps...)
	return diffs, nil
}

// Restore puts the stored active snapshots in service; with none stored it
// loads defaults (the bundled lists) through Load, so that they are stored
// and audited like any other load.
func (s *Service) Restore(ctx context.Context, defaults func() ([]*Snapshot, error)) error {
	versions, err := s.Lists.ActiveListVersions(ctx)
	if err != nil {
		return err
	}
	if len(versions) == 0 {
		snaps, err := defaults()
		if err != nil {
			return err
		}
		ctx = warden.NewContextWithActor(ctx, warden.Actor{Kind: warden.ActorSystem, ID: "bundled-lists"})
		_, err = s.LoadAll(ctx, snaps...)
		return err
	}
	var snaps []*Snapshot
	for _, v := range versions {
		b, err := s.Lists.ActiveListSnapshot(ctx, v.Source)
		if err != nil {
			return err
		}
		sn, err := DecodeSnapshot(b)
		if err != nil {
			return fmt.Errorf("list %s: %w", v.Source, err)
		}
		snaps = append(snaps, sn)
	}
	s.Screener.Load(snaps...)
	return nil
}

// Refresh reloads from the store when another process loaded a list, and
// reports whether it did. Replicas call it periodically.
func (s *Service) Refresh(ctx context.Context) (bool, error) {
	stored, err := s.Lists.ActiveListVersions(ctx)
	if err != nil {
		return false, err
	}
	key := func(vs []ListVersion) string {
		var parts []string
		for _, v := range vs {
			parts = append(parts, v.Source+"="+v.ContentSHA256)
		}
		sort.Strings(parts)
		return strings.Join(parts, ",")
	}
	if key(stored) == key(s.Screener.Lists()) {
		return false, nil
	}
	return true, s.Restore(ctx, func() ([]*Snapshot, error) { return nil, nil })
}

// Screen screens a request; with a subject, hits the subject's clearances
// cover are moved to Cleared, and each suppression is recorded.
func (s *Service) Screen(ctx context.Context, req ScreenRequest) (*ScreenResult, error) {
	res, err := s.Screener.Screen(ctx, req)
	if err != nil || req.Subject == "" || len(res.Hits) == 0 || s.Clearances == nil {
		return res, err
	}
	cls, err := s.Clearances.Clearances(ctx, req.Subject)
	if err != nil || len(cls) == 0 {
		return res, err
	}
	byEntry := map[string]Clearance{}
	for _, c := range cls {
		byEntry[c.List+"\x00"+c.EntryID] = c
	}
	kept := res.Hits[:0]
	for _, h := range res.Hits {
		c, ok := byEntry[h.List+"\x00"+h.EntryID]
		if !ok || h.Entity == nil || c.EntryHash != h.Entity.ContentHash() {
			kept = append(kept, h) // not cleared, or the entry changed since
			continue
		}
		res.Cleared = append(res.Cleared, ClearedHit{Hit: h, Clearance: c})
		if s.Audit != nil {
			_, err := s.Audit.Append(ctx, audit.Record{Action: "screening.suppress", Subject: audit.Subject{Type: "screening_subject", ID: req.Subject},
				Change: map[string]any{"list": h.List, "entry_id": h.EntryID, "score": h.Score, "cleared_by": c.ClearedBy, "cleared_at": c.ClearedAt}})
			if err != nil {
				return nil, err
			}
		}
	}
	res.Hits = kept
	return res, nil
}

// ClearRequest marks a hit as a false positive for a subject.
type ClearRequest struct {
	Subject string `json:"subject"`
	List    string `json:"list"`
	EntryID string `json:"entry_id"`
	Reason  string `json:"reason"`
}

// Clear records a clearance for a list entry in service and audits it.
func (s *Service) Clear(ctx context.Context, r ClearRequest) (*Clearance, error) {
	switch {
	case strings.TrimSpace(r.Subject) == "" || len(r.Subject) > 128:
		return nil, warden.FieldErrorf(warden.EINVALID, "subject", "subject (the screened customer's id) is required, at most 128 characters")
	case r.List == "":
		return nil, warden.FieldErrorf(warden.EINVALID, "list", "list is required")
	case r.EntryID == "":
		return nil, warden.FieldErrorf(warden.EINVALID, "entry_id", "entry_id is required")
	case utf8.RuneCountInString(strings.TrimSpace(r.Reason)) < 10 || len(r.Reason) > 2000:
		return nil, warden.FieldErrorf(warden.EINVALID, "reason", "a reason of 10 to 2000 characters is required: say why this is not the listed party")
	}
	snap := s.Screener.Snapshot(r.List)
	if snap == nil {
		return nil, warden.FieldErrorf(warden.EINVALID, "list", "list %q is not loaded", r.List)
	}
	e := snap.Lookup(r.EntryID)
	if e == nil {
		return nil, warden.FieldErrorf(warden.ENOTFOUND, "entry_id", "list %s has no entry %q", r.List, r.EntryID)
	}
	c := Clearance{Subject: r.Subject, List: r.List, EntryID: r.EntryID, EntryHash: e.ContentHash(), Reason: strings.TrimSpace(r.Reason),
		ClearedBy: actorString(ctx), ClearedAt: s.now()}
	err := audit.Do(ctx, s.Audit, func(ctx context.Context) error { return s.Clearances.PutClearance(ctx, c) },
		audit.Record{Action: "screening.clear", Subject: audit.Subject{Type: "screening_subject", ID: r.Subject}, Change: c})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// ListClearances returns a subject's clearances.
func (s *Service) ListClearances(ctx context.Context, subject string) ([]Clearance, error) {
	if subject == "" {
		return nil, warden.FieldErrorf(warden.EINVALID, "subject", "subject is required")
	}
	cls, err := s.Clearances.Clearances(ctx, subject)
	if cls == nil {
		cls = []Clearance{}
	}
	return cls, err
}
