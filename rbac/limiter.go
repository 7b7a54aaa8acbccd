package rbac

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// FailureLimiter slows down credential guessing. Each key (a client
// address, a user name) may fail Burst times in a row, then once per refill
// interval; while any of a request's keys is out of attempts, the request
// is refused before its credentials are even checked. Both the Postgres
// wire (keys: address and user) and the HTTP side (key: address) use it.
type FailureLimiter struct {
	mu     sync.Mutex
	burst  int
	every  rate.Limit
	byKey  map[string]*rate.Limiter
	maxLen int
}

// NewFailureLimiter allows burst failures per key, then one per refill.
func NewFailureLimiter(burst int, refill time.Duration) *FailureLimiter {
	return &FailureLimiter{burst: burst, every: rate.Every(refill), byKey: make(map[string]*rate.Limiter), maxLen: 100_000}
}

// Wait is how long a client must wait before its next attempt (0: it may
// try now).
func (l *FailureLimiter) Wait(keys ...string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	var longest time.Duration
	for _, k := range keys {
		lim := l.byKey[k]
		if lim == nil {
			continue
		}
		if t := lim.TokensAt(now); t < 1 {
			longest = max(longest, time.Duration((1-t)/float64(l.every)*float64(time.Second)))
		}
	}
	return longest
}

// Fail records a failed attempt for each key. The table is bounded: when
// full, keys that have recovered all their attempts are forgotten.
func (l *FailureLimiter) Fail(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.byKey) >= l.maxLen {
		for k, lim := range l.byKey {
			if lim.TokensAt(now) >= float64(l.burst) {
				delete(l.byKey, k)
			}
		}
	}
	for _, k := range keys {
		lim := l.byKey[k]
		if lim == nil {
			lim = rate.NewLimiter(l.every, l.burst)
			l.byKey[k] = lim
		}
		lim.AllowN(now, 1)
	}
}
