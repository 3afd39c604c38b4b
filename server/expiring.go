package server

import (
	"sync"
	"time"
)

// window is a set of keys, each remembered for ttl from its insertion, at most max at once. It
// backs the signature-replay cache and the idempotency-token store, one window per AccessKeyId.
//
// A full window refuses a new key rather than forgetting a live one: forgetting would let a
// flood of other requests buy the replay of a remembered one. The caller answers the refusal
// with Throttling.User and the wait until the oldest key expires (see wait).
//
// All keys share one ttl, so insertion order is expiry order (for a clock that does not run
// backwards) and a FIFO queue finds the expired keys without scanning. Expiry is kept as Unix
// nanoseconds (8 bytes, not a 24-byte time.Time) beside the key in the queue; the map holds only
// the value. The mutex is held only for map and queue operations.
type window[K comparable, V any] struct {
	ttl time.Duration
	max int

	mu    sync.Mutex
	items map[K]V
	queue []windowSlot[K] // insertion order; queue[head:] is live
	head  int
}

type windowSlot[K comparable] struct {
	key     K
	expires int64 // Unix nanoseconds
}

// insertResult says what getOrInsert did.
type insertResult uint8

const (
	inserted insertResult = iota // the key was new and is now held
	present                      // the key is held already; its value is returned
	refused                      // the key was new and the window is full; nothing changed
)

func newWindow[K comparable, V any](ttl time.Duration, max int) *window[K, V] {
	return &window[K, V]{ttl: ttl, max: max, items: make(map[K]V)}
}

// getOrInsert returns the value held under key (present), or stores v under key (inserted),
// or, when max keys are held already, refuses and returns how long until the oldest expires.
// A key keeps its place until it expires: storing it again is impossible while it is held.
func (w *window[K, V]) getOrInsert(key K, now time.Time, v V) (held V, res insertResult, wait time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ns := now.UnixNano()
	w.purge(ns)
	if held, ok := w.items[key]; ok {
		return held, present, 0
	}
	if len(w.items) >= w.max {
		var zero V
		return zero, refused, w.waitLocked(ns)
	}
	w.items[key] = v
	w.queue = append(w.queue, windowSlot[K]{key: key, expires: ns + int64(w.ttl)})
	return v, inserted, 0
}

// contains reports whether key is held at now.
func (w *window[K, V]) contains(key K, now time.Time) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.purge(now.UnixNano())
	_, ok := w.items[key]
	return ok
}

// update replaces the value of a held key; an absent key is left absent.
func (w *window[K, V]) update(key K, v V) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.items[key]; ok {
		w.items[key] = v
	}
}

// len returns the number of keys held, expired ones not yet purged included.
func (w *window[K, V]) len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.items)
}

// waitLocked is how long until the oldest key expires, at least a millisecond (the unit of the
// x-ratelimit TimeLeft field) so a refusal never says "retry now".
func (w *window[K, V]) waitLocked(now int64) time.Duration {
	d := time.Millisecond
	if w.head < len(w.queue) {
		d = max(d, time.Duration(w.queue[w.head].expires-now))
	}
	return d
}

// purge drops the expired keys at the front of the queue. A key is in the queue exactly once
// (it cannot be stored again while held), so its map entry goes with its slot. The queue's
// backing array is compacted once half of it is dead.
func (w *window[K, V]) purge(now int64) {
	for w.head < len(w.queue) && w.queue[w.head].expires <= now {
		delete(w.items, w.queue[w.head].key)
		w.queue[w.head] = windowSlot[K]{}
		w.head++
	}
	if w.head >= 64 && w.head*2 >= len(w.queue) {
		n := copy(w.queue, w.queue[w.head:])
		clear(w.queue[n:])
		w.queue = w.queue[:n]
		w.head = 0
	}
}

// windows holds one window per AccessKeyId, all made by New for the configured keys (and ""
// for requests whose signature is not checked). The map is never written after New, so it needs
// no lock, and a request reaches a window only with a verified key: the number of windows, and
// so the memory, is bounded by the configuration, whatever key names requests carry.
type windows[K comparable, V any] map[string]*window[K, V]

func newWindows[K comparable, V any](accessKeyIDs []string, ttl time.Duration, max int) windows[K, V] {
	ws := make(windows[K, V], len(accessKeyIDs)+1)
	ws[""] = newWindow[K, V](ttl, max)
	for _, id := range accessKeyIDs {
		ws[id] = newWindow[K, V](ttl, max)
	}
	return ws
}

// len returns the keys held over all windows.
func (ws windows[K, V]) len() int {
	n := 0
	for _, w := range ws {
		n += w.len()
	}
	return n
}
