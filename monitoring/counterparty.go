package monitoring

import (
	"container/list"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/wardenhq/warden/screening"
)

// CounterpartyScreening is the screening of a counterparty's name.
type CounterpartyScreening struct {
	Hit     bool
	Score   float64
	List    string
	EntryID string
}

// CounterpartyScreener screens counterparties.
type CounterpartyScreener interface {
	ScreenCounterparty(ctx context.Context, cp Counterparty) (*CounterpartyScreening, error)
}

// ListScreener screens counterparties against the lists in service,
// caching answers per name and country (bounded; a list change, noticed
// within a second, clears the cache).
type ListScreener struct {
	Screening *screening.Service
	Max       int

	mu        sync.Mutex
	version   string
	checkedAt time.Time // the list version is re-read at most once a second
	cache     map[string]*list.Element
	lru       list.List
}

type cpEntry struct {
	key string
	res *CounterpartyScreening
}

func (l *ListScreener) listVersion() string {
	var b strings.Builder
	for _, v := range l.Screening.Screener.Lists() {
		b.WriteString(v.Source + "@" + v.ContentSHA256 + ";")
	}
	return b.String()
}

// ScreenCounterparty implements CounterpartyScreener: the best hit on a
// sanctions list (PEP lists do not make a counterparty a hit).
func (l *ListScreener) ScreenCounterparty(ctx context.Context, cp Counterparty) (*CounterpartyScreening, error) {
	key := strings.ToUpper(strings.Join(strings.Fields(cp.Name), " ")) + "|" + cp.Country
	l.mu.Lock()
	ver := l.version
	stale := time.Since(l.checkedAt) > time.Second
	l.mu.Unlock()
	if stale {
		ver = l.listVersion()
	}
	l.mu.Lock()
	if stale {
		l.checkedAt = time.Now()
	}
	if l.cache == nil || l.version != ver {
		l.cache, l.version = map[string]*list.Element{}, ver
		l.lru.Init()
	}
	if e, ok := l.cache[key]; ok {
		l.lru.MoveToFront(e)
		l.mu.Unlock()
		return e.Value.(*cpEntry).res, nil
	}
	l.mu.Unlock()
	res, err := l.Screening.Screen(ctx, screening.ScreenRequest{Name: cp.Name, Country: cp.Country})
	if err != nil {
		return nil, err
	}
	out := &CounterpartyScreening{}
	for _, h := range res.Hits {
		if strings.Contains(h.List, "pep") || h.Score <= out.Score {
			continue
		}
		out = &CounterpartyScreening{Hit: true, Score: h.Score, List: h.List, EntryID: h.EntryID}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.cache[key]; !ok && l.version == ver {
		l.cache[key] = l.lru.PushFront(&cpEntry{key, out})
		for l.lru.Len() > max(l.Max, 1000) {
			e := l.lru.Back()
			l.lru.Remove(e)
			delete(l.cache, e.Value.(*cpEntry).key)
		}
	}
	return out, nil
}
