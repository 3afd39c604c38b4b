package contract

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/es-openapi/interrupt/internal/ids"
)

// concurrentDuplicates is how many identical requests the concurrency check sends at once.
const concurrentDuplicates = 16

// codeInFlight is the catalogue's error code for a duplicate of a request still in progress; the
// concurrency check repeats such a duplicate up to inFlightRetries times.
const (
	codeInFlight    = "TokenPreviousRequestProcessError"
	inFlightRetries = 20
	inFlightWait    = 50 * time.Millisecond
)

func idempotencyChecks() []Check {
	return []Check{
		{
			ID:        "idempotency/replay",
			Title:     "the same clientToken returns the first answer again (status, body, RequestId) and changes nothing",
			Labels:    []string{LabelIdempotency},
			Statement: "parameters clientToken: a repeated clientToken for the same instance returns the first answer and changes nothing",
			Needs:     Needs{Instances: map[Status]int{StatusActivating: 1}},
			Run:       checkReplay,
		},
		{
			ID:        "idempotency/concurrent",
			Title:     fmt.Sprintf("%d concurrent identical requests make one transition and get identical responses", concurrentDuplicates),
			Labels:    []string{LabelIdempotency},
			Statement: "parameters clientToken: concurrent requests with one clientToken make one transition and get one response",
			Needs:     Needs{Instances: map[Status]int{StatusActivating: 1}},
			Run:       checkConcurrentReplay,
		},
	}
}

// checkReplay interrupts an interruptible instance twice with one token.
func checkReplay(ctx context.Context, env *Env) error {
	id, err := env.instance(ctx, env.interruptible.From)
	if err != nil {
		return err
	}
	token := ids.UUID()
	first, err := env.interrupt(ctx, id, token)
	if err != nil {
		return err
	}
	if err := expectSuccess(first); err != nil {
		return err
	}
	again, err := env.interrupt(ctx, id, token)
	if err != nil {
		return err
	}
	if err := sameResponse(first, again); err != nil {
		return err
	}
	return env.expectOneTransition(ctx, id)
}

// checkConcurrentReplay sends concurrentDuplicates identical interrupts at once.
func checkConcurrentReplay(ctx context.Context, env *Env) error {
	id, err := env.instance(ctx, env.interruptible.From)
	if err != nil {
		return err
	}
	token := ids.UUID()
	responses, errs := interruptConcurrently(ctx, env, id, token)
	for i := range responses {
		if errs[i] != nil {
			return errs[i]
		}
		if responses[i], err = env.settleInFlight(ctx, id, token, responses[i]); err != nil {
			return err
		}
		if err := expectSuccess(responses[i]); err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
		if err := sameResponse(responses[0], responses[i]); err != nil {
			return fmt.Errorf("request %d: %w", i, err)
		}
	}
	return env.expectOneTransition(ctx, id)
}

// interruptConcurrently sends concurrentDuplicates interrupts of id with token at once.
func interruptConcurrently(ctx context.Context, env *Env, id, token string) ([]*observed, []error) {
	responses := make([]*observed, concurrentDuplicates)
	errs := make([]error, concurrentDuplicates)
	var wg sync.WaitGroup
	for i := range responses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			responses[i], errs[i] = env.interrupt(ctx, id, token)
		}()
	}
	wg.Wait()
	return responses, errs
}

// settleInFlight repeats a duplicate the target refused while the first request was still in
// progress (a retryable catalogue code), as a client would.
func (e *Env) settleInFlight(ctx context.Context, id, token string, r *observed) (*observed, error) {
	for try := 0; try < inFlightRetries && r.code() == codeInFlight; try++ {
		time.Sleep(inFlightWait)
		var err error
		if r, err = e.interrupt(ctx, id, token); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// sameResponse asserts that b repeats a exactly.
func sameResponse(a, b *observed) error {
	if b.invalid != nil {
		return fmt.Errorf("the repeated response %s: %w", b, b.invalid)
	}
	if a.status != b.status || !bytes.Equal(a.body, b.body) {
		return fmt.Errorf("the same clientToken got a different response: first %s, then %s", a, b)
	}
	return nil
}

// expectOneTransition asserts that id, interrupted once, is in the status the state table's
// success leaves (suspended): by its status where the fixtures can read it, and in any case by
// the error code the table gives a further interrupt with a new token (AlreadyReceivedInterruptSignal).
func (e *Env) expectOneTransition(ctx context.Context, id string) error {
	after := e.interruptible.To
	st, ok, err := e.statusOf(ctx, id)
	if err != nil {
		return err
	}
	if ok && st != after {
		return fmt.Errorf("after the interrupt the instance is %s, want %s", st, after)
	}
	again, _ := e.states.Interrupt(after)
	a, err := e.interrupt(ctx, id, ids.UUID())
	if err != nil {
		return err
	}
	if again.Succeeds() {
		return expectSuccess(a)
	}
	return e.expectError(a, again.Code)
}
