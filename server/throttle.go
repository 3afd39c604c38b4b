package server

import (
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// maxThrottleWait caps the wait a throttled answer announces.
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

// headers returns the rate-limit headers of a throttled answer, in the form the official SDKs
// read: Limit:<burst>,Remain:0,TimeLeft:<ms>,Reset:<unix seconds when a token is back>. Both
// the per-operation and the per-user header carry the same state: the server has one limit.
func (t *throttle) headers(now time.Time, wait time.Duration) http.Header {
	ms := int64(math.Ceil(float64(wait) / float64(time.Millisecond)))
	reset := now.Add(wait)
	resetUnix := reset.Unix()
	if reset.Nanosecond() > 0 {
		resetUnix++
	}
	resetUnix = max(resetUnix, 0) // the header's form has no sign; only a clock before 1970 needs this
	v := "Limit:" + strconv.FormatInt(int64(t.burst), 10) +
		",Remain:0,TimeLeft:" + strconv.FormatInt(ms, 10) +
		",Reset:" + strconv.FormatInt(resetUnix, 10)
	return http.Header{
		"X-Ratelimit-User-Api": {v},
		"X-Ratelimit-User":     {v},
	}
}
