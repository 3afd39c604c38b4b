package server

import (
	"sync"
	"time"
)

// expiringMap is a map bounded in time and in size: every entry lives ttl from its insertion,
// and when more than max entries would be held the oldest is dropped. It backs both the
// idempotency-token store and the signature-nonce cache.
//
// All entries share one ttl, so insertion order is expiry order (for a clock that does not run
// backwards) and a FIFO queue finds the expired and the oldest entries without scanning. The
// mutex is held only for map and queue operations, never while a caller works with a value.
type expiringMap[K comparable, V any] struct {
	ttl time.Duration
	max int

	mu    sync.Mutex
	items map[K]*expiringItem[K, V]
	queue []*expiringItem[K, V] // insertion order; queue[head:] is live
	head  int
}

type expiringItem[K comparable, V any] struct {
	key     K
	value   V
	expires time.Time
}

func newExpiringMap[K comparable, V any](ttl time.Duration, max int) *expiringMap[K, V] {
	return &expiringMap[K, V]{ttl: ttl, max: max, items: make(map[K]*expiringItem[K, V])}
}

// getOrInsert returns the live value under key, or stores and returns newValue() when there is
// none (or it has expired); inserted says which happened.
func (m *expiringMap[K, V]) getOrInsert(key K, now time.Time, newValue func() V) (value V, inserted bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.purge(now)
	if it, ok := m.items[key]; ok && now.Before(it.expires) {
		return it.value, false
	}
	it := &expiringItem[K, V]{key: key, value: newValue(), expires: now.Add(m.ttl)}
	m.items[key] = it
	m.queue = append(m.queue, it)
	for len(m.queue)-m.head > m.max {
		m.popOldest()
	}
	return it.value, true
}

// len returns the number of entries held, expired ones not yet purged included.
func (m *expiringMap[K, V]) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.items)
}

// purge drops the expired entries at the front of the queue.
func (m *expiringMap[K, V]) purge(now time.Time) {
	for m.head < len(m.queue) && !now.Before(m.queue[m.head].expires) {
		m.popOldest()
	}
}

// popOldest drops the front of the queue and, unless the key has been stored again since, its
// map entry. The queue's backing array is compacted once half of it is dead.
func (m *expiringMap[K, V]) popOldest() {
	it := m.queue[m.head]
	m.queue[m.head] = nil
	m.head++
	if m.items[it.key] == it {
		delete(m.items, it.key)
	}
	if m.head >= 64 && m.head*2 >= len(m.queue) {
		n := copy(m.queue, m.queue[m.head:])
		clear(m.queue[n:])
		m.queue = m.queue[:n]
		m.head = 0
	}
}
