package monitoring

import (
	"container/list"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Key kinds: the dimensions rules aggregate over.
const (
	KindCustomer     = 'c'
	KindAccount      = 'a'
	KindCounterparty = 'p'
	KindAgent        = 'g'
)

// Key names one sliding window: a kind and the id within it.
type Key struct {
	Kind byte
	ID   string
}

func (k Key) String() string { return string(k.Kind) + ":" + k.ID }

// keysOf returns the windows a transaction belongs to.
func keysOf(t *Transaction) []Key {
	ks := []Key{{KindCustomer, t.CustomerID}, {KindAccount, t.AccountID}}
	if cp := t.CounterpartyKey(); cp != "" {
		ks = append(ks, Key{KindCounterparty, cp})
	}
	if t.Agent != "" {
		ks = append(ks, Key{KindAgent, t.Agent})
	}
	return ks
}

// Record is a stored transaction as windows need it.
type Record struct {
	Seq             int64
	ID              string
	Time            time.Time
	CustomerID      string
	AccountID       string
	CounterpartyKey string
	Agent           string
	Amount          int64
	Currency        string
	Direction       string
	Channel         string
}

// RecordOf is the part of a transaction windows keep.
func RecordOf(t *Transaction) Record {
	return Record{ID: t.ID, Time: t.Time, CustomerID: t.CustomerID, AccountID: t.AccountID, CounterpartyKey: t.CounterpartyKey(),
		Agent: t.Agent, Amount: t.Amount, Currency: t.Currency, Direction: t.Direction, Channel: t.Channel}
}

// point is one transaction in a window, 32 bytes: memory per key stays small
// enough for hundreds of thousands of keys.
type point struct {
	at     int64  // Unix microseconds
	amount int64  // minor units
	other  uint64 // hash of the counterparty (customer and account windows) or the customer (others)
	cur    uint16 // currency, interned
	dir    uint8  // 0 in, 1 out
	ch     uint8  // index in Channels
}

// hash64 is FNV-1a, inline: it runs several times per decision.
func hash64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// maxPoints bounds the transactions one window keeps.
const maxPoints = 20000

// window is the recent history of one key, oldest first.
type window struct {
	key     Key
	points  []point
	lastAt  int64        // the latest transaction ever seen, even beyond the history
	seq     int64        // the highest store sequence applied (shared stores)
	pending atomic.Int32 // writes not yet committed: never evicted meanwhile
	elem    *list.Element
}

// windowShards spreads the windows over independently locked maps, so that
// hundreds of concurrent decisions do not queue on one mutex.
const windowShards = 64

type windowShard struct {
	mu    sync.Mutex
	byKey map[Key]*window
	lru   list.List
	max   int
}

// Windows holds the sliding windows of recent keys, least recently used
// evicted first beyond a bound (per shard); evicted keys are reloaded from
// the store.
type Windows struct {
	history time.Duration
	shards  [windowShards]windowShard

	curMu sync.RWMutex
	curs  map[string]uint16
	curN  []string

	stripes [4096]sync.Mutex
}

// NewWindows keeps up to about maxKeys windows of the given history.
func NewWindows(history time.Duration, maxKeys int) *Windows {
	ws := &Windows{history: history, curs: map[string]uint16{}}
	for i := range ws.shards {
		ws.shards[i].byKey = map[Key]*window{}
		ws.shards[i].max = max(maxKeys/windowShards, 1)
	}
	return ws
}

func (ws *Windows) shard(k Key) *windowShard {
	return &ws.shards[hash64(k.String())%windowShards]
}

// Len is the number of windows in memory.
func (ws *Windows) Len() int {
	n := 0
	for i := range ws.shards {
		sh := &ws.shards[i]
		sh.mu.Lock()
		n += len(sh.byKey)
		sh.mu.Unlock()
	}
	return n
}

// lockKeys takes the stripe locks of keys in a fixed order (no deadlock) and
// returns the function that releases them.
func (ws *Windows) lockKeys(keys []Key) func() {
	idx := make([]int, 0, len(keys))
	for _, k := range keys {
		idx = append(idx, int(hash64(k.String())%uint64(len(ws.stripes))))
	}
	slices.Sort(idx)
	idx = slices.Compact(idx)
	for _, i := range idx {
		ws.stripes[i].Lock()
	}
	return func() {
		for j := len(idx) - 1; j >= 0; j-- {
			ws.stripes[idx[j]].Unlock()
		}
	}
}

// currency interns a currency code.
func (ws *Windows) currency(c string) uint16 {
	ws.curMu.RLock()
	i, ok := ws.curs[c]
	ws.curMu.RUnlock()
	if ok {
		return i
	}
	ws.curMu.Lock()
	defer ws.curMu.Unlock()
	if i, ok := ws.curs[c]; ok {
		return i
	}
	i = uint16(len(ws.curN))
	ws.curs[c] = i
	ws.curN = append(ws.curN, c)
	return i
}

func (ws *Windows) currencyName(i uint16) string {
	ws.curMu.RLock()
	defer ws.curMu.RUnlock()
	return ws.curN[i]
}

// get returns the window of k if in memory (marking it used).
func (ws *Windows) get(k Key) *window {
	sh := ws.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	w := sh.byKey[k]
	if w != nil {
		sh.lru.MoveToFront(w.elem)
	}
	return w
}

// put installs a loaded window and evicts beyond the bound.
func (ws *Windows) put(w *window) *window {
	sh := ws.shard(w.key)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if cur := sh.byKey[w.key]; cur != nil {
		sh.lru.MoveToFront(cur.elem)
		return cur
	}
	w.elem = sh.lru.PushFront(w)
	sh.byKey[w.key] = w
	for e := sh.lru.Back(); len(sh.byKey) > sh.max && e != nil; {
		prev := e.Prev()
		old := e.Value.(*window)
		if old.pending.Load() == 0 && old != w {
			sh.lru.Remove(e)
			delete(sh.byKey, old.key)
		}
		e = prev
	}
	return w
}

// drop forgets k, so that it is reloaded from the store.
func (ws *Windows) drop(k Key) {
	sh := ws.shard(k)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if w := sh.byKey[k]; w != nil {
		sh.lru.Remove(w.elem)
		delete(sh.byKey, k)
	}
}

func channelIndex(c string) uint8 {
	for i, v := range Channels {
		if v == c {
			return uint8(i)
		}
	}
	return uint8(len(Channels) - 1)
}

// pointOf converts a record for the window of kind.
func (ws *Windows) pointOf(kind byte, r Record) point {
	other := r.CounterpartyKey
	if kind == KindAgent || kind == KindCounterparty {
		other = r.CustomerID
	}
	var dir uint8
	if r.Direction == DirectionOut {
		dir = 1
	}
	cur := ws.currency(r.Currency)
	return point{at: r.Time.UnixMicro(), amount: r.Amount, other: hash64(other), cur: cur, dir: dir, ch: channelIndex(r.Channel)}
}

// add inserts a record in time order and trims what fell out of the
// history relative to the newest point.
func (ws *Windows) add(w *window, r Record) {
	p := ws.pointOf(w.key.Kind, r)
	i := len(w.points)
	for i > 0 && w.points[i-1].at > p.at {
		i--
	}
	w.points = slices.Insert(w.points, i, p)
	if p.at > w.lastAt {
		w.lastAt = p.at
	}
	if r.Seq > w.seq {
		w.seq = r.Seq
	}
	cut := w.points[len(w.points)-1].at - ws.history.Microseconds()
	n := 0
	for n < len(w.points) && w.points[n].at < cut {
		n++
	}
	// A key with more than maxPoints transactions in its history (a busy
	// merchant's counterparty window) keeps the latest maxPoints: memory and
	// evaluation time stay bounded, and aggregates over windows that long
	// are approximate (docs/monitoring.md).
	n = max(n, len(w.points)-maxPoints)
	if n > 0 {
		w.points = slices.Delete(w.points, 0, n)
	}
}

// view is what rules see of one window at the time of a transaction.
type view struct {
	w     *window
	ws    *Windows
	now   int64 // the transaction's time, Unix microseconds
	cur   uint16
	other uint64 // the transaction's own counterparty or customer (hash)
	// The window's points up to the transaction's time; evaluation runs
	// under the keys' stripe locks, so they cannot change meanwhile.
	points []point
	lastAt int64
}

func (ws *Windows) view(w *window, t *Transaction) *view {
	cur := ws.currency(t.Currency)
	if w == nil {
		return &view{ws: ws, now: t.Time.UnixMicro(), cur: cur}
	}
	other := t.CounterpartyKey()
	if w.key.Kind == KindAgent || w.key.Kind == KindCounterparty {
		other = t.CustomerID
	}
	// Points after the transaction's own time are not its past: a late
	// transaction sees only what came before it.
	now := t.Time.UnixMicro()
	end := len(w.points)
	for end > 0 && w.points[end-1].at > now {
		end--
	}
	last := w.lastAt
	if last > now && end > 0 {
		last = w.points[end-1].at
	} else if last > now {
		last = 0
	}
	return &view{w: w, ws: ws, now: now, cur: cur, other: hash64(other), points: w.points[:end:end], lastAt: last}
}

// since returns the points at or after from (Unix microseconds).
func (v *view) since(from int64) []point {
	i := len(v.points)
	for i > 0 && v.points[i-1].at >= from {
		i--
	}
	return v.points[i:]
}

type agg struct {
	sum, sumIn, sumOut, max  int64
	count, countIn, countOut int64
	sameCur                  int64
}

func (v *view) aggregate(from int64) agg {
	var a agg
	for _, p := range v.since(from) {
		a.count++
		if p.dir == 0 {
			a.countIn++
		} else {
			a.countOut++
		}
		if p.cur != v.cur {
			continue
		}
		a.sameCur++
		a.sum += p.amount
		if p.dir == 0 {
			a.sumIn += p.amount
		} else {
			a.sumOut += p.amount
		}
		if p.amount > a.max {
			a.max = p.amount
		}
	}
	return a
}

var emptyHash = hash64("")

// distinct counts the other parties (counterparties in customer and account
// windows, customers in agent and counterparty windows) since from, besides
// the current transaction's own.
func (v *view) distinct(from int64) int64 {
	seen := map[uint64]struct{}{}
	for _, p := range v.since(from) {
		if p.other != emptyHash && p.other != v.other {
			seen[p.other] = struct{}{}
		}
	}
	return int64(len(seen))
}
