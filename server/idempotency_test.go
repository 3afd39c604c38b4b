package server

import (
	"testing"
	"time"
)

// An answer the server does not remember (a retryable one) lets the next request with the token
// run the lifecycle again; a remembered one is replayed; another instance is a mismatch.
func TestTokenStoreOnce(t *testing.T) {
	store := newTokenStore(time.Minute, 10)
	now := time.Unix(0, 0)
	runs := 0
	run := func(code string) func() (*answer, error) {
		return func() (*answer, error) { runs++; return &answer{code: code}, nil }
	}
	keep := func(a *answer) bool { return a.code != "Retryable" }
	mismatch := func() (*answer, error) { return &answer{code: "Mismatch"}, nil }

	a, replayed, _ := store.once("t", "es-1", now, run("Retryable"), keep, mismatch)
	if a.code != "Retryable" || replayed || runs != 1 {
		t.Fatalf("first: %+v replayed=%v runs=%d", a, replayed, runs)
	}
	a, replayed, _ = store.once("t", "es-1", now, run(""), keep, mismatch)
	if a.code != "" || replayed || runs != 2 {
		t.Fatalf("after a retryable answer the lifecycle must run again: %+v replayed=%v runs=%d", a, replayed, runs)
	}
	a, replayed, _ = store.once("t", "es-1", now, run("Other"), keep, mismatch)
	if a.code != "" || !replayed || runs != 2 {
		t.Fatalf("a remembered answer must be replayed: %+v replayed=%v runs=%d", a, replayed, runs)
	}
	if a, _, _ = store.once("t", "es-2", now, run(""), keep, mismatch); a.code != "Mismatch" || runs != 2 {
		t.Fatalf("another instance: %+v runs=%d", a, runs)
	}
}
