package server

import (
	"testing"
	"time"
)

// A response the server does not remember (a retryable one) lets the next request with the token
// run the lifecycle again; a remembered one is replayed; another instance is a mismatch; a full
// window refuses new tokens; tokens are scoped to their key.
func TestTokenStoreOnce(t *testing.T) {
	store := newTokenStore([]string{"ak"}, time.Minute, 2)
	now := time.Unix(0, 0)
	runs := 0
	run := func(code string) tokenCalls {
		return tokenCalls{
			run: func() (*response, error) {
				runs++
				return &response{code: code, requestID: newRequestID(), status: 400}, nil
			},
			remember: func(a *response) bool { return a.code != "Retryable" },
			record:   recordOf,
			replay: func(r tokenRecord) (*response, error) {
				return &response{code: r.code, requestID: requestIDString(r.requestID), status: int(r.status)}, nil
			},
			mismatch: func() (*response, error) { return &response{code: "Mismatch"}, nil },
			full:     func(wait time.Duration) (*response, error) { return &response{code: "Full " + wait.String()}, nil },
		}
	}

	a, replayed, _ := store.once("ak", "t", "es-1", now, run("Retryable"))
	if a.code != "Retryable" || replayed || runs != 1 {
		t.Fatalf("first: %+v replayed=%v runs=%d", a, replayed, runs)
	}
	first, replayed, _ := store.once("ak", "t", "es-1", now, run(""))
	if first.code != "" || replayed || runs != 2 {
		t.Fatalf("after a retryable response the lifecycle must run again: %+v replayed=%v runs=%d", first, replayed, runs)
	}
	a, replayed, _ = store.once("ak", "t", "es-1", now, run("Other"))
	if a.code != "" || a.requestID != first.requestID || a.status != first.status || !replayed || runs != 2 {
		t.Fatalf("a remembered response must be replayed: %+v replayed=%v runs=%d", a, replayed, runs)
	}
	if a, _, _ = store.once("ak", "t", "es-2", now, run("")); a.code != "Mismatch" || runs != 2 {
		t.Fatalf("another instance: %+v runs=%d", a, runs)
	}
	if a, _, _ = store.once("", "t", "es-2", now, run("")); a.code != "" || runs != 3 {
		t.Fatalf("another key's token of the same name: %+v runs=%d", a, runs)
	}
	store.once("ak", "u", "es-1", now.Add(time.Second), run(""))
	if a, _, _ = store.once("ak", "v", "es-1", now.Add(2*time.Second), run("")); a.code != "Full 58s" || runs != 4 {
		t.Fatalf("a full window: %+v runs=%d", a, runs)
	}
	if a, replayed, _ = store.once("ak", "t", "es-1", now.Add(59*time.Second), run("")); !replayed || a.requestID != first.requestID {
		t.Fatalf("a full window forgot a live token: %+v", a)
	}
}

func TestRequestIDBytes(t *testing.T) {
	for range 100 {
		id := newRequestID()
		b, ok := requestIDBytes(id)
		if !ok || requestIDString(b) != id {
			t.Fatalf("%q: %x %v, back %q", id, b, ok, requestIDString(b))
		}
	}
	for _, bad := range []string{"", "abc", "0123456789ABCDEF0123456789ABCDEF0123", "a0000000-0000-4000-8000-000000000000", "00000000-0000-4000-8000-00000000000G", "000000000-000-4000-8000-000000000000"} {
		if _, ok := requestIDBytes(bad); ok {
			t.Errorf("%q accepted", bad)
		}
	}
}
