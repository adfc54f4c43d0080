package screening

import (
	"errors"
	"sort"
	"sync"
)

// Lists holds the snapshot in service for each list source. A refresh that
// fails leaves the version in service untouched; one that succeeds swaps
// the new snapshot in atomically and reports what changed. It keeps nothing
// but pointers to immutable snapshots, so readers never copy or lock for
// long. The zero value is ready to use.
type Lists struct {
	refresh sync.Mutex   // serialises refreshes, so each diff is against the latest version
	mu      sync.RWMutex // guards current
	current map[string]*Snapshot
}

// Current returns the snapshot in service for source, or nil.
func (l *Lists) Current(source string) *Snapshot {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.current[source]
}

// Sources returns the sources with a snapshot in service, sorted.
func (l *Lists) Sources() []string {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make([]string, 0, len(l.current))
	for s := range l.current {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// Refresh runs load and, if it succeeds, puts the new snapshot in service
// and returns the difference from the previous version (every entry added
// on a first load). If load fails, the previous version stays in service and
// the error, a *ParseError for a malformed list, is returned unchanged. A
// version whose content hash equals the one in service changes nothing and
// returns an empty diff.
func (l *Lists) Refresh(load func() (*Snapshot, error)) (ListDiff, error) {
	l.refresh.Lock()
	defer l.refresh.Unlock()
	snap, err := load()
	if err != nil {
		return ListDiff{}, err
	}
	if snap == nil || snap.Source == "" {
		return ListDiff{}, errors.New("screening: loader returned no snapshot")
	}
	prev := l.Current(snap.Source)
	if prev != nil && prev.ContentSHA256 == snap.ContentSHA256 {
		return ListDiff{Source: snap.Source, FromVersion: prev.Version, ToVersion: prev.Version,
			Added: []string{}, Removed: []string{}, Changed: []string{}}, nil
	}
	d := Diff(prev, snap) // outside mu: readers keep using prev meanwhile
	l.mu.Lock()
	if l.current == nil {
		l.current = make(map[string]*Snapshot)
	}
	l.current[snap.Source] = snap
	l.mu.Unlock()
	return d, nil
}
