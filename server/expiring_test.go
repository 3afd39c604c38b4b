package server

import (
	"fmt"
	"testing"
	"time"
)

func TestWindow(t *testing.T) {
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

	t.Run("a held key keeps its first value", func(t *testing.T) {
		w := newWindow[string, int](time.Minute, 10)
		if v, res, _ := w.getOrInsert("k", t0, 1); res != inserted || v != 1 {
			t.Fatalf("first: got %d, %v", v, res)
		}
		if v, res, _ := w.getOrInsert("k", t0.Add(59*time.Second), 2); res != present || v != 1 {
			t.Fatalf("second: got %d, %v", v, res)
		}
		w.update("k", 3)
		if v, res, _ := w.getOrInsert("k", t0.Add(59*time.Second), 4); res != present || v != 3 {
			t.Fatalf("after update: got %d, %v", v, res)
		}
	})

	t.Run("an expired key is stored again", func(t *testing.T) {
		w := newWindow[string, int](time.Minute, 10)
		w.getOrInsert("k", t0, 1)
		if v, res, _ := w.getOrInsert("k", t0.Add(time.Minute), 2); res != inserted || v != 2 {
			t.Fatalf("after expiry: got %d, %v", v, res)
		}
		if n := w.len(); n != 1 {
			t.Fatalf("len %d, want 1", n)
		}
	})

	t.Run("a full window refuses new keys, keeps the old ones and says when room is back", func(t *testing.T) {
		w := newWindow[int, struct{}](time.Hour, 10)
		for i := range 10 {
			w.getOrInsert(i, t0.Add(time.Duration(i)*time.Second), struct{}{})
		}
		for i := 10; i < 10_000; i++ {
			_, res, wait := w.getOrInsert(i, t0.Add(30*time.Minute), struct{}{})
			if res != refused || wait != 30*time.Minute {
				t.Fatalf("key %d: %v, wait %s; want refused, 30m", i, res, wait)
			}
		}
		for i := range 10 {
			if _, res, _ := w.getOrInsert(i, t0.Add(30*time.Minute), struct{}{}); res != present {
				t.Fatalf("key %d was forgotten under pressure: %v", i, res)
			}
		}
		// The oldest expires at t0+1h: one new key fits, the next waits for key 1.
		if _, res, _ := w.getOrInsert(10, t0.Add(time.Hour), struct{}{}); res != inserted {
			t.Fatalf("after the oldest expired: %v", res)
		}
		if _, res, wait := w.getOrInsert(11, t0.Add(time.Hour), struct{}{}); res != refused || wait != time.Second {
			t.Fatalf("still full: %v, wait %s", res, wait)
		}
	})

	t.Run("the queue stays bounded", func(t *testing.T) {
		w := newWindow[string, int](time.Second, 10)
		for i := range 10_000 {
			w.getOrInsert(fmt.Sprint(i), t0.Add(time.Duration(i)*200*time.Millisecond), i)
		}
		if n := w.len(); n > 10 {
			t.Fatalf("len %d, want at most 10", n)
		}
		if cap(w.queue) > 256 {
			t.Fatalf("queue capacity %d: the backing array is not compacted", cap(w.queue))
		}
	})

	t.Run("windows are per key and made up front", func(t *testing.T) {
		ws := newWindows[int, struct{}]([]string{"a", "b"}, time.Hour, 2)
		if len(ws) != 3 || ws["a"] == nil || ws["b"] == nil || ws[""] == nil {
			t.Fatalf("windows %v, want a, b and the unsigned one", ws)
		}
		ws["a"].getOrInsert(1, t0, struct{}{})
		ws["a"].getOrInsert(2, t0, struct{}{})
		if _, res, _ := ws["b"].getOrInsert(1, t0, struct{}{}); res != inserted {
			t.Fatalf("b shares a's window: %v", res)
		}
		if n := ws.len(); n != 3 {
			t.Fatalf("total %d, want 3", n)
		}
	})
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
