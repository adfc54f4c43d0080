package httpapi

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// rateLimiter keeps one token bucket per client. Buckets idle for longer than
// it takes them to refill are dropped, which bounds memory under many clients
// without changing any client's limit.
type rateLimiter struct {
	now       func() time.Time
	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim      *rate.Limiter
	lastSeen time.Time
}

func newRateLimiter(now func() time.Time) *rateLimiter {
	return &rateLimiter{now: now, buckets: map[string]*bucket{}}
}

// allow takes one token for client, refilling at perSecond with the given
// burst. When refused it returns how long until a token is available.
func (l *rateLimiter) allow(client string, perSecond float64, burst int) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	b, ok := l.buckets[client]
	if !ok || b.lim.Limit() != rate.Limit(perSecond) || b.lim.Burst() != burst {
		b = &bucket{lim: rate.NewLimiter(rate.Limit(perSecond), burst)}
		l.buckets[client] = b
	}
	b.lastSeen = now
	if now.Sub(l.lastSweep) > time.Minute {
		l.sweep(now)
	}
	l.mu.Unlock()

	res := b.lim.ReserveN(now, 1)
	if !res.OK() {
		return false, time.Second
	}
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		return false, d
	}
	return true, 0
}

// sweep drops buckets that have been idle long enough to be full again.
func (l *rateLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		refill := time.Duration(float64(b.lim.Burst()) / float64(b.lim.Limit()) * float64(time.Second))
		if now.Sub(b.lastSeen) > refill+time.Minute {
			delete(l.buckets, k)
		}
	}
}
