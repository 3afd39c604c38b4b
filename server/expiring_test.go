package server

import (
	"fmt"
	"testing"
	"time"
)

func TestExpiringMap(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	newValue := func(v int) func() int { return func() int { return v } }

	t.Run("a live key keeps its first value", func(t *testing.T) {
		m := newExpiringMap[string, int](time.Minute, 10)
		if v, inserted := m.getOrInsert("k", t0, newValue(1)); !inserted || v != 1 {
			t.Fatalf("first: got %d, %v", v, inserted)
		}
		if v, inserted := m.getOrInsert("k", t0.Add(59*time.Second), newValue(2)); inserted || v != 1 {
			t.Fatalf("second: got %d, %v", v, inserted)
		}
	})

	t.Run("an expired key is stored again and the stale queue item does not delete it", func(t *testing.T) {
		m := newExpiringMap[string, int](time.Minute, 10)
		m.getOrInsert("k", t0, newValue(1))
		if v, inserted := m.getOrInsert("k", t0.Add(time.Minute), newValue(2)); !inserted || v != 2 {
			t.Fatalf("after expiry: got %d, %v", v, inserted)
		}
		// Another insertion purges nothing live: k is still there with its new value.
		m.getOrInsert("other", t0.Add(90*time.Second), newValue(3))
		if v, inserted := m.getOrInsert("k", t0.Add(90*time.Second), newValue(4)); inserted || v != 2 {
			t.Fatalf("re-stored key lost: got %d, %v", v, inserted)
		}
		if n := m.len(); n != 2 {
			t.Fatalf("len %d, want 2", n)
		}
	})

	t.Run("the cap drops the oldest and the queue stays bounded", func(t *testing.T) {
		m := newExpiringMap[string, int](time.Hour, 10)
		for i := range 10_000 {
			m.getOrInsert(fmt.Sprint(i), t0, newValue(i))
		}
		if n := m.len(); n != 10 {
			t.Fatalf("len %d, want 10", n)
		}
		if live := len(m.queue) - m.head; live != 10 {
			t.Fatalf("queue holds %d live items, want 10", live)
		}
		if cap(m.queue) > 256 {
			t.Fatalf("queue capacity %d: the backing array is not compacted", cap(m.queue))
		}
		if _, inserted := m.getOrInsert("9999", t0, newValue(0)); inserted {
			t.Fatal("the newest key was dropped")
		}
		if _, inserted := m.getOrInsert("0", t0, newValue(0)); !inserted {
			t.Fatal("the oldest key was kept")
		}
	})
}

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		accept []string
		want   format
	}{
		// The service's default is XML (no Accept, */* alone, nothing usable).
		{nil, formatXML},
		{[]string{""}, formatXML},
		{[]string{"*/*"}, formatXML},
		{[]string{"text/html"}, formatXML},
		{[]string{"application/xml;q=-1"}, formatXML},
		{[]string{"xml"}, formatXML},
		{[]string{"/xml"}, formatXML},
		{[]string{"application/xml"}, formatXML},
		{[]string{"text/xml;q=0.2"}, formatXML},
		{[]string{"text/*"}, formatXML},
		{[]string{"application/*;q=0.3, application/xml;q=0.4"}, formatXML},
		{[]string{"application/json;q=0.4, */*;q=0.9, application/xml;q=0.5"}, formatXML},
		{[]string{"application/xml;q=1.0, application/json;q=1.0"}, formatXML},
		{[]string{"application/json;q=0"}, formatXML},
		// JSON only when the client prefers it.
		{[]string{"application/json"}, formatJSON},
		{[]string{"application/json, */*"}, formatJSON},
		{[]string{"*/*;q=0.5, application/json"}, formatJSON},
		{[]string{"application/*;q=0.5, application/xml;q=0.4"}, formatJSON},
		{[]string{"application/xml;q=0"}, formatJSON},
		{[]string{"application/xml;q=0.1, */*"}, formatJSON},
	} {
		if got := negotiate(tc.accept); got != tc.want {
			t.Errorf("negotiate(%q) = %v, want %v", tc.accept, got, tc.want)
		}
	}
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := newRequestID()
		if len(id) != 36 || id[8] != '-' || id[13] != '-' || id[14] != '4' || id[18] != '-' || id[23] != '-' {
			t.Fatalf("%q is not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("%q repeated", id)
		}
		seen[id] = true
	}
}
