package server

import (
	"math"
	"net/http"
	"sync"
	"time"
)

// maxThrottleWait caps the wait a throttled response announces.
const maxThrottleWait = time.Hour

// throttle is a token bucket per access key: rate tokens a second, holding at most burst (the
// rate rounded up, at least 1), so a client may send a second's worth of requests at once and
// then as many as the rate allows.
//
// The key is the verified AccessKeyId, so the number of buckets is bounded by the configured
// credentials; without credentials every caller shares one bucket (key ""), since an unverified
// key name costs nothing to vary.
type throttle struct {
	rate  float64
	burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newThrottle(rate float64) *throttle {
	return &throttle{rate: rate, burst: max(1, math.Ceil(rate)), buckets: make(map[string]*bucket)}
}

// take spends a token of key's bucket at now. When the bucket is empty it spends nothing and
// returns the wait until a token is available.
func (t *throttle) take(key string, now time.Time) (ok bool, wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, found := t.buckets[key]
	if !found {
		b = &bucket{tokens: t.burst, last: now}
		t.buckets[key] = b
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = min(t.burst, b.tokens+elapsed.Seconds()*t.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	// A tiny rate would overflow a Duration; no client waits longer than maxThrottleWait anyway.
	return false, time.Duration(min((1-b.tokens)/t.rate, maxThrottleWait.Seconds()) * float64(time.Second))
}

// headers returns the rate-limit headers of a throttled response (see rateLimitHeaders); the
// limit is the bucket's burst.
func (t *throttle) headers(now time.Time, wait time.Duration) http.Header {
	return rateLimitHeaders(int64(t.burst), now, wait)
}
