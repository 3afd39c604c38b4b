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
// turn; the first runs the lifecycle and records its answer unless the catalogue calls it
// retryable, and the others find the record and replay the answer. A full window refuses new
// tokens of its key; it never forgets a live one. No lock is held while an answer is written.

// tokenRecord is what the server remembers about one clientToken: the instance it is bound to
// and the answer in compact form. The body is rendered again from the catalogue for a replay,
// which gives the same bytes (rendering is deterministic and lifecycle answers carry no
// detail), so no body is stored. 56 bytes plus the instance id's bytes.
type tokenRecord struct {
	instanceID string   // the instance the token was first used for; fixed for the record's life
	code       string   // the answer's catalogue code, "" for a success; shares the catalogue's string
	requestID  [16]byte // the answer's RequestId, a UUID, as bytes
	status     uint16   // the answer's HTTP status
	answered   bool     // false until a non-retryable answer is recorded
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

// tokenCalls are the steps once takes, each building the answer of one outcome.
type tokenCalls struct {
	run      func() (*answer, error)                   // the lifecycle; called with the token's lock held
	remember func(*answer) bool                        // whether to record run's answer
	replay   func(tokenRecord) (*answer, error)        // re-render a recorded answer
	mismatch func() (*answer, error)                   // the token is bound to another instance
	full     func(wait time.Duration) (*answer, error) // the key's window is full for wait more
	record   func(*answer) (tokenRecord, bool)         // the compact form of an answer to record
}

// once runs the lifecycle for token at most once per retention window (see the package doc).
// replayed reports an answer that an earlier request produced.
func (t *tokenStore) once(accessKeyID, token, instanceID string, now time.Time, c tokenCalls) (a *answer, replayed bool, err error) {
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
		if rec.answered {
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

// recordOf is the compact record of an answer to remember. ok is false for an answer the record
// cannot reproduce (a RequestId not made by newRequestID, or extra headers); the lifecycle's
// answers are never such.
func recordOf(a *answer) (tokenRecord, bool) {
	id, ok := requestIDBytes(a.requestID)
	if !ok || a.header != nil || a.status < 0 || a.status > 0xffff {
		return tokenRecord{}, false
	}
	return tokenRecord{code: a.code, requestID: id, status: uint16(a.status), answered: true}, true
}

// replayAnswer renders a remembered answer again, in f: the same status, code, catalogue
// message and RequestId as the first time, so the same bytes in the same format.
func (s *Server) replayAnswer(r tokenRecord, f format) (*answer, error) {
	id := requestIDString(r.requestID)
	var (
		a   *answer
		err error
	)
	if r.code == "" {
		a, err = s.successAnswer(id, f)
	} else {
		a, err = s.errorAnswer(r.code, id, "", f)
	}
	if err == nil {
		a.status = int(r.status)
	}
	return a, err
}
