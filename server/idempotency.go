package server

import (
	"hash/maphash"
	"strings"
	"sync"
	"time"
)

// The token store implements the idempotency rules of the package documentation. The
// implementation in short: each AccessKeyId has a window of tokens (see window); the first
// request with a token stores a record bound to its instance for the record's life
// (IdempotencyTTL from that request). Requests with the token take the token's stripe lock in
// turn; the first runs the lifecycle and records its response unless the catalogue calls it
// retryable, and the others find the record and replay the response. A full window refuses new
// tokens of its key; it never forgets a live one. No lock is held while a response is written.

// tokenRecord is what the server remembers about one clientToken: the instance it is bound to
// and the response in compact form. The body is rendered again from the catalogue for a replay,
// which gives the same bytes (rendering is deterministic and lifecycle responses carry no
// detail), so no body is stored. 56 bytes plus the instance id's bytes.
type tokenRecord struct {
	instanceID string   // the instance the token was first used for; fixed for the record's life
	code       string   // the response's catalogue code, "" for a success; shares the catalogue's string
	requestID  [16]byte // the response's RequestId, a UUID, as bytes
	status     uint16   // the response's HTTP status
	recorded   bool     // false until a non-retryable response is recorded
}

// tokenKey is a clientToken as two seeded 64-bit hashes (see replayKey): 16 bytes however long
// the token, with no collision a caller can aim for.
type tokenKey [2]uint64

// tokenStripes is the number of locks that serialise requests per token. Requests with
// different tokens rarely share one, and when they do they wait only for a lifecycle step, which
// touches memory only.
const tokenStripes = 64

// tokenStore maps clientTokens to their records, one bounded window per AccessKeyId.
type tokenStore struct {
	windows windows[tokenKey, tokenRecord]
	max     int
	seeds   [2]maphash.Seed
	stripes [tokenStripes]sync.Mutex
}

func newTokenStore(accessKeyIDs []string, ttl time.Duration, max int) *tokenStore {
	return &tokenStore{
		windows: newWindows[tokenKey, tokenRecord](accessKeyIDs, ttl, max),
		max:     max,
		seeds:   [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
	}
}

// tokenCalls are the steps once takes, each building the response of one outcome.
type tokenCalls struct {
	run      func() (*response, error)                   // the lifecycle; called with the token's lock held
	remember func(*response) bool                        // whether to record run's response
	replay   func(tokenRecord) (*response, error)        // re-render a recorded response
	mismatch func() (*response, error)                   // the token is bound to another instance
	full     func(wait time.Duration) (*response, error) // the key's window is full for wait more
	record   func(*response) (tokenRecord, bool)         // the compact form of a response to record
}

// once runs the lifecycle for token at most once per retention window (see the package doc).
// replayed reports a response that an earlier request produced.
func (t *tokenStore) once(accessKeyID, token, instanceID string, now time.Time, c tokenCalls) (a *response, replayed bool, err error) {
	w := t.windows[accessKeyID]
	if w == nil {
		// Unreachable: the key was verified, and every configured key has a window.
		a, err = c.run()
		return a, false, err
	}
	k := t.key(token)
	mu := &t.stripes[k[0]%tokenStripes]
	mu.Lock()
	defer mu.Unlock()
	rec, res, wait := w.getOrInsert(k, now, tokenRecord{instanceID: strings.Clone(instanceID)})
	switch res {
	case refused:
		a, err = c.full(wait)
		return a, false, err
	case present:
		if rec.instanceID != instanceID {
			a, err = c.mismatch()
			return a, false, err
		}
		if rec.recorded {
			a, err = c.replay(rec)
			return a, true, err
		}
	}
	a, err = c.run()
	if err == nil && c.remember(a) {
		if r, ok := c.record(a); ok {
			r.instanceID = rec.instanceID
			w.update(k, r)
		}
	}
	return a, false, err
}

func (t *tokenStore) key(token string) tokenKey {
	var k tokenKey
	for i, seed := range t.seeds {
		k[i] = maphash.String(seed, token)
	}
	return k
}

// len returns the number of tokens held over all keys.
func (t *tokenStore) len() int { return t.windows.len() }

// recordOf is the compact record of a response to remember. ok is false for a response the record
// cannot reproduce (a RequestId not made by newRequestID, or extra headers); the lifecycle's
// responses are never such.
func recordOf(a *response) (tokenRecord, bool) {
	id, ok := requestIDBytes(a.requestID)
	if !ok || a.header != nil || a.status < 0 || a.status > 0xffff {
		return tokenRecord{}, false
	}
	return tokenRecord{code: a.code, requestID: id, status: uint16(a.status), recorded: true}, true
}

// replayResponse renders a remembered response again, in f: the same status, code, catalogue
// message and RequestId as the first time, so the same bytes in the same format.
func (s *Server) replayResponse(r tokenRecord, f format) (*response, error) {
	id := requestIDString(r.requestID)
	var (
		a   *response
		err error
	)
	if r.code == "" {
		a, err = s.successResponse(id, f)
	} else {
		a, err = s.errorResponse(r.code, id, "", f)
	}
	if err == nil {
		a.status = int(r.status)
	}
	return a, err
}
