package server

import (
	"sync"
	"time"
)

// The token store implements the idempotency rules of the package documentation. The
// implementation in short: the first request with a token creates its entry, bound to its
// instance for the entry's life (IdempotencyTTL from that request, or until the size cap pushes
// it out). Requests with the token then take the entry's lock in turn; the first runs the
// lifecycle and records its answer unless the catalogue calls it retryable, and the others find
// the answer and replay it. The map's own lock is released before the entry's is taken, and no
// lock is held while an answer is written.

// tokenEntry is what the server remembers about one clientToken.
type tokenEntry struct {
	instanceID string     // the instance the token was first used for; fixed for the entry's life
	mu         sync.Mutex // held by the request running the lifecycle under this token
	answer     *answer    // the remembered answer; nil until a non-retryable one is recorded
}

// tokenStore maps clientTokens to their entries, bounded by TTL and size.
type tokenStore struct {
	entries *expiringMap[string, *tokenEntry]
}

func newTokenStore(ttl time.Duration, max int) *tokenStore {
	return &tokenStore{entries: newExpiringMap[string, *tokenEntry](ttl, max)}
}

// once runs the lifecycle for token at most once per retention window (see the package doc).
// replayed reports an answer that an earlier request produced. run is called with the token's
// lock held; it touches only memory.
func (t *tokenStore) once(token, instanceID string, now time.Time, run func() (*answer, error), remember func(*answer) bool, mismatch func() (*answer, error)) (a *answer, replayed bool, err error) {
	e, _ := t.entries.getOrInsert(token, now, func() *tokenEntry { return &tokenEntry{instanceID: instanceID} })
	if e.instanceID != instanceID {
		a, err := mismatch()
		return a, false, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.answer != nil {
		return e.answer, true, nil
	}
	a, err = run()
	if err == nil && remember(a) {
		e.answer = a
	}
	return a, false, err
}

// len returns the number of tokens held.
func (t *tokenStore) len() int { return t.entries.len() }
