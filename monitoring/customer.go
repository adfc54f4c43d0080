package monitoring

import (
	"container/list"
	"context"
	"strings"
	"sync"
	"time"

	"github.com/wardenhq/warden"
	"github.com/wardenhq/warden/kyc"
	"github.com/wardenhq/warden/kyc/tier"
)

// Limits are a tier's limits in one currency, in minor units; -1 where
// none applies (unknown customer, currency not in the profile).
type Limits struct {
	PerTransaction, PerDay, PerMonth, MaxBalance int64
}

var noLimits = Limits{-1, -1, -1, -1}

// CustomerProfile is what rules know about the customer.
type CustomerProfile struct {
	ID                 string
	Known              bool // false: no KYC record in Warden
	Type               string
	Country            string
	Nationality        string
	BusinessType       string
	Tier               string
	Risk               string
	PEP                bool
	SanctionsHit       bool
	Hits               int
	BlockedByOwnership bool
	Products           []string
	Channels           []string
	// limits by currency
	limits map[string]Limits
}

// LimitsIn returns the tier limits in a currency.
func (p *CustomerProfile) LimitsIn(cur string) Limits {
	if l, ok := p.limits[cur]; ok {
		return l
	}
	return noLimits
}

func (p *CustomerProfile) celValue(cur string) map[string]any {
	l := p.LimitsIn(cur)
	products, channels := p.Products, p.Channels
	if products == nil {
		products = []string{}
	}
	if channels == nil {
		channels = []string{}
	}
	return map[string]any{
		"id": p.ID, "known": p.Known, "type": p.Type, "country": p.Country, "nationality": p.Nationality,
		"business_type": p.BusinessType, "tier": p.Tier, "risk": p.Risk, "pep": p.PEP, "sanctions_hit": p.SanctionsHit,
		"hits": int64(p.Hits), "blocked_by_ownership": p.BlockedByOwnership, "products": products, "channels": channels,
		"limits": map[string]any{"per_transaction": l.PerTransaction, "per_day": l.PerDay, "per_month": l.PerMonth, "max_balance": l.MaxBalance},
	}
}

// CustomerSource looks customers up for rules.
type CustomerSource interface {
	Profile(ctx context.Context, customerID string) (*CustomerProfile, error)
}

// KYCProfiles builds profiles from the KYC service (tier, risk, screening),
// caching each for TTL in a bounded LRU, sharded so that concurrent
// decisions do not queue on one lock: a change reaches rules within TTL.
type KYCProfiles struct {
	KYC *kyc.Service
	TTL time.Duration
	Max int

	once   sync.Once
	shards [32]profileShard
}

type profileShard struct {
	mu    sync.Mutex
	cache map[string]*list.Element
	lru   list.List
}

type cachedProfile struct {
	p  *CustomerProfile
	at time.Time
}

func (k *KYCProfiles) shard(id string) *profileShard {
	k.once.Do(func() {
		for i := range k.shards {
			k.shards[i].cache = map[string]*list.Element{}
		}
	})
	return &k.shards[hash64(id)%uint64(len(k.shards))]
}

// Profile implements CustomerSource.
func (k *KYCProfiles) Profile(ctx context.Context, id string) (*CustomerProfile, error) {
	now := time.Now()
	sh := k.shard(id)
	sh.mu.Lock()
	if e, ok := sh.cache[id]; ok {
		c := e.Value.(*cachedProfile)
		if now.Sub(c.at) < k.TTL {
			sh.lru.MoveToFront(e)
			sh.mu.Unlock()
			return c.p, nil
		}
	}
	sh.mu.Unlock()
	p, err := k.build(ctx, id)
	if err != nil {
		return nil, err
	}
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if e, ok := sh.cache[id]; ok {
		e.Value = &cachedProfile{p, now}
		sh.lru.MoveToFront(e)
	} else {
		sh.cache[id] = sh.lru.PushFront(&cachedProfile{p, now})
	}
	for sh.lru.Len() > max(k.Max, 1000)/len(k.shards)+1 {
		e := sh.lru.Back()
		sh.lru.Remove(e)
		delete(sh.cache, e.Value.(*cachedProfile).p.ID)
	}
	return p, nil
}

// Forget drops a cached profile (after a local change).
func (k *KYCProfiles) Forget(id string) {
	sh := k.shard(id)
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if e, ok := sh.cache[id]; ok {
		sh.lru.Remove(e)
		delete(sh.cache, id)
	}
}

func (k *KYCProfiles) build(ctx context.Context, id string) (*CustomerProfile, error) {
	p := &CustomerProfile{ID: id, limits: map[string]Limits{}}
	if kyc.ValidateID(id) != nil {
		return p, nil // not a KYC id: an unknown customer to rules
	}
	c, err := k.KYC.Get(ctx, id)
	if warden.ErrorCode(err) == warden.ENOTFOUND {
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	p.Known, p.Type, p.Country, p.Nationality, p.BusinessType = true, c.Type, c.Country, c.Nationality, c.BusinessType
	p.Products, p.Channels = c.Products, c.Channels
	if c.Screening != nil {
		p.Hits = len(c.Screening.Hits)
		for _, h := range c.Screening.Hits {
			// PEP lists mark exposure; every other list (sanctions, the
			// institution's own blocklist) is a sanctions-type hit.
			if strings.Contains(h.List, "pep") {
				p.PEP = true
			} else {
				p.SanctionsHit = true
			}
		}
	}
	placement, err := k.KYC.Tier(ctx, c)
	if err != nil {
		return nil, err
	}
	if placement != nil && k.KYC.Profile != nil {
		p.Tier = placement.Tier
		for cur, l := range tierLimits(k.KYC.Profile, placement) {
			p.limits[cur] = l
		}
	}
	risk, err := k.KYC.Risk(ctx, c)
	if err != nil {
		return nil, err
	}
	p.Risk = risk.Rating
	for _, f := range risk.Factors {
		if strings.Contains(f.Detail, "blocked by ownership") {
			p.BlockedByOwnership = true
		}
	}
	return p, nil
}

// tierLimits gives the placed tier's limits; a customer below the lowest
// tier may transact nothing (all limits zero) in the profile's currencies.
func tierLimits(prof *tier.Profile, pl *tier.Placement) map[string]Limits {
	out := map[string]Limits{}
	if pl.Index < 0 {
		for _, t := range prof.Tiers {
			for cur := range t.Limits {
				out[cur] = Limits{}
			}
		}
		return out
	}
	for cur, l := range prof.Tiers[pl.Index].Limits {
		out[cur] = Limits{PerTransaction: l.PerTransaction, PerDay: l.PerDay, PerMonth: l.PerMonth, MaxBalance: l.MaxBalance}
	}
	return out
}
