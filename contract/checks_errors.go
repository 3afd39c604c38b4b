package contract

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// errorCodeCheck makes the check that drives entry's code out of the target by its trigger and
// checks the answer's status, Code, RequestId and body.
func errorCodeCheck(entry spec.ErrorCode) Check {
	return Check{
		ID:     "error-code/" + entry.Code,
		Title:  fmt.Sprintf("%s is answered with status %d and a conforming Error body", entry.Code, entry.Status),
		Labels: []string{LabelErrors},
		Run: func(ctx context.Context, env *Env) error {
			a, err := provoke(ctx, env, entry)
			if err != nil {
				return err
			}
			return env.expectError(a, entry.Code)
		},
	}
}

// provoke sends the request(s) entry's trigger describes and returns the answer that should carry
// the code.
func provoke(ctx context.Context, env *Env, entry spec.ErrorCode) (*answer, error) {
	switch entry.Trigger {
	case spec.TriggerNone:
		// A target that accepts faults (the reference server) answers the code on demand; for any
		// other target the document declares that no request provokes it.
		if a, err := provokeByFault(ctx, env, entry); !isSkip(err) {
			return a, err
		}
		return nil, SkipDeclared("no request provokes it: " + entry.Untriggerable)

	case spec.TriggerUnknownInstance:
		return env.interrupt(ctx, unknownID(), ids.UUID())

	case spec.TriggerInstanceStatus, spec.TriggerRepeatInterrupt:
		// Every status whose row in the state table answers this code must answer it.
		var last *answer
		for _, row := range env.states.Rows() {
			if row.Code != entry.Code {
				continue
			}
			id, err := env.instance(ctx, row.From)
			if err != nil {
				return nil, err
			}
			a, err := env.interrupt(ctx, id, ids.UUID())
			if err != nil {
				return nil, err
			}
			if err := env.expectError(a, entry.Code); err != nil {
				return nil, fmt.Errorf("an instance that is %s: %w", row.From, err)
			}
			last = a
		}
		if last == nil {
			return nil, fmt.Errorf("no row of the state table answers %s", entry.Code)
		}
		return last, nil

	case spec.TriggerTokenReuse:
		// The token's first use succeeds on one instance; its second names another instance.
		first, err := env.instance(ctx, env.interruptible.From)
		if err != nil {
			return nil, err
		}
		second, err := env.instance(ctx, env.interruptible.To)
		if err != nil {
			return nil, err
		}
		token := ids.UUID()
		a, err := env.interrupt(ctx, first, token)
		if err != nil {
			return nil, err
		}
		if err := expectSuccess(a); err != nil {
			return nil, fmt.Errorf("the first use of the token: %w", err)
		}
		return env.interrupt(ctx, second, token)

	case spec.TriggerInvalidParameter:
		return env.interrupt(ctx, "not an id!", ids.UUID())

	case spec.TriggerMissingInstanceID:
		return env.do(ctx, call{rawPath: wire.PathPrefix + wire.PathSuffix, token: ids.UUID()})

	case spec.TriggerUnknownRoute:
		return env.do(ctx, call{rawPath: wire.PathPrefix + "es-cn-x/actions/unknown", token: ids.UUID()})

	case spec.TriggerThrottle:
		return provokeThrottle(ctx, env, entry.Code)
	}

	// The remaining triggers are about signatures.
	if err := needCredentials(env); err != nil {
		return nil, err
	}
	creds := *env.target.Credentials
	switch entry.Trigger {
	case spec.TriggerMissingSignature:
		return env.do(ctx, call{id: unknownID(), unsigned: true})
	case spec.TriggerBadSignature:
		wrong := creds
		wrong.AccessKeySecret += "-wrong"
		a, err := env.do(ctx, call{id: unknownID(), creds: &wrong})
		if err != nil {
			return nil, err
		}
		// The document's meaning names the words, not the space signing writes before them.
		if a.apiErr != nil && !strings.Contains(a.apiErr.Message, strings.TrimSpace(signing.StringToSignSeparator)) {
			return nil, fmt.Errorf("the SignatureDoesNotMatch message does not carry the server's string to sign: %q", a.apiErr.Message)
		}
		return a, nil
	case spec.TriggerNonceReplay:
		nonce := ids.UUID()
		first, err := env.do(ctx, call{id: unknownID(), nonce: nonce})
		if err != nil {
			return nil, err
		}
		if err := env.expectError(first, "InstanceNotFound"); err != nil {
			return nil, fmt.Errorf("the first use of the nonce: %w", err)
		}
		return env.do(ctx, call{id: unknownID(), nonce: first.nonce, throttleFinal: true})
	case spec.TriggerStaleDate:
		return env.do(ctx, call{id: unknownID(), date: time.Now().Add(-time.Hour)})
	case spec.TriggerUnknownAccessKey:
		stranger := signing.Credentials{AccessKeyID: "LTAIcontract" + ids.Hex(8), AccessKeySecret: "secret"}
		return env.do(ctx, call{id: unknownID(), creds: &stranger})
	case spec.TriggerSTSMissingToken:
		stranger := signing.Credentials{AccessKeyID: "STS.contract" + ids.Hex(8), AccessKeySecret: "secret"}
		return env.do(ctx, call{id: unknownID(), creds: &stranger})
	case spec.TriggerSTSMismatch:
		sts := creds
		sts.SecurityToken = "contract-token-" + ids.Hex(8)
		return env.do(ctx, call{id: unknownID(), creds: &sts})
	}
	return nil, fmt.Errorf("the catalogue's trigger %q has no driver in this suite", entry.Trigger)
}

// provokeThrottle provokes flow control (throttleBurst) and checks that the answer says when to
// retry. A target that throttles with another Throttling code than want does not have this one to
// show.
func provokeThrottle(ctx context.Context, env *Env, want string) (*answer, error) {
	a, err := throttleBurst(ctx, env)
	switch {
	case err != nil:
		return nil, err
	case a == nil:
		return nil, skipMissing(fmt.Sprintf("no flow control after %d requests: the target does not throttle within the probe (serve with --throttle, or raise --throttle-probe)", env.throttleProbe()), Needs{Throttling: true})
	case a.apiErr.Code != want:
		return nil, Skip(fmt.Sprintf("the target throttles with %s, not %s", a.apiErr.Code, want))
	case !hasRateLimit(a):
		return nil, errNoRateLimit
	}
	return a, nil
}

// throttleWorkers is how many requests the throttle probe keeps in flight: one at a time, a
// target farther away than a millisecond could refill its bucket as fast as the probe drains it.
const throttleWorkers = 8

// throttleBurst sends at most the throttle probe's requests, throttleWorkers at a time, and
// returns the first throttled answer, or nil if none came. Requests in flight when it comes are
// answered, not cancelled, so each request counted reached the target.
func throttleBurst(ctx context.Context, env *Env) (*answer, error) {
	probe := int64(env.throttleProbe())
	var (
		next     atomic.Int64
		done     atomic.Bool
		mu       sync.Mutex
		first    *answer
		firstErr error
		wg       sync.WaitGroup
	)
	for range throttleWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() && ctx.Err() == nil && next.Add(1) <= probe {
				env.run.throttleSent.Add(1)
				a, err := env.do(ctx, call{id: unknownID(), throttleFinal: true})
				if err == nil && !a.throttled() {
					continue
				}
				done.Store(true) // the other workers stop before their next request
				mu.Lock()
				if first == nil && firstErr == nil {
					first, firstErr = a, err
				}
				mu.Unlock()
				return
			}
		}()
	}
	wg.Wait()
	if first == nil && firstErr == nil {
		return nil, ctx.Err()
	}
	return first, firstErr
}
