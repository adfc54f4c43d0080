package screening

import (
	"bytes"
	"encoding/json"
	"slices"
	"sort"
)

// ListDiff is what changed between two versions of a list. Re-screening after
// a list update looks only at these entries.
type ListDiff struct {
	Source      string   `json:"source"`
	FromVersion string   `json:"from_version,omitempty"`
	ToVersion   string   `json:"to_version"`
	Added       []string `json:"added"`   // entity ids, in id order
	Removed     []string `json:"removed"` // entity ids, in id order
	Changed     []string `json:"changed"` // entity ids, in id order
	// ChangedFields names, for each changed id, the JSON fields that differ
	// ("names", "dates_of_birth", "remarks"...), so that a consumer can tell
	// a new alias (re-screen) from a reworded remark (no need).
	ChangedFields map[string][]string `json:"changed_fields,omitempty"`
}

// Empty reports whether the two versions hold the same entries.
func (d ListDiff) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// Diff compares two versions of a list by entity id and content hash. old
// may be nil (the first load): every entry is then added.
func Diff(old, new *Snapshot) ListDiff {
	d := ListDiff{Source: new.Source, ToVersion: new.Version,
		Added: []string{}, Removed: []string{}, Changed: []string{}}
	oldByID := map[string]*Entity{}
	if old != nil {
		d.FromVersion = old.Version
		for i := range old.Entities {
			oldByID[old.Entities[i].ID] = &old.Entities[i]
		}
	}
	seen := make(map[string]bool, len(new.Entities))
	for i := range new.Entities {
		e := &new.Entities[i]
		seen[e.ID] = true
		prev, ok := oldByID[e.ID]
		switch {
		case !ok:
			d.Added = append(d.Added, e.ID)
		case prev.ContentHash() != e.ContentHash():
			d.Changed = append(d.Changed, e.ID)
			if d.ChangedFields == nil {
				d.ChangedFields = map[string][]string{}
			}
			d.ChangedFields[e.ID] = changedFields(prev, e)
		}
	}
	for id := range oldByID {
		if !seen[id] {
			d.Removed = append(d.Removed, id)
		}
	}
	for _, ids := range [][]string{d.Added, d.Removed, d.Changed} {
		sort.Slice(ids, func(i, j int) bool { return idLess(ids[i], ids[j]) })
	}
	return d
}

// changedFields lists the top-level JSON fields whose encodings differ.
func changedFields(a, b *Entity) []string {
	ma, mb := fieldsOf(a), fieldsOf(b)
	var out []string
	for k, va := range ma {
		if vb, ok := mb[k]; !ok || !bytes.Equal(va, vb) {
			out = append(out, k)
		}
	}
	for k := range mb {
		if _, ok := ma[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func fieldsOf(e *Entity) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	b, err := json.Marshal(e)
	if err == nil {
		err = json.Unmarshal(b, &m)
	}
	if err != nil {
		return map[string]json.RawMessage{"listed": nil} // only an out-of-range time fails
	}
	return m
}

// idLess orders numeric ids (OFAC's ent_num) numerically and others as text.
func idLess(a, b string) bool {
	if isDigits(a) && isDigits(b) && len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
