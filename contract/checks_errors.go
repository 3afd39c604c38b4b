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
// checks the response's status, Code, RequestId and body.
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

// provoke sends the request(s) entry's trigger describes and returns the response that should
// carry the code.
func provoke(ctx context.Context, env *Env, entry spec.ErrorCode) (*observed, error) {
	drive, ok := triggerDrivers[entry.Trigger]
	if !ok {
		return nil, fmt.Errorf("the catalogue's trigger %q has no driver in this suite", entry.Trigger)
	}
	return drive(ctx, env, entry)
}

// triggerDriver sends the request(s) one trigger describes and returns the response that should
// carry entry's code.
type triggerDriver func(ctx context.Context, env *Env, entry spec.ErrorCode) (*observed, error)

// triggerDrivers holds one driver per catalogue trigger; buildChecks refuses a catalogue whose
// trigger has none.
var triggerDrivers = map[spec.Trigger]triggerDriver{
	spec.TriggerNone:              provokeUntriggerable,
	spec.TriggerUnknownInstance:   provokeUnknownInstance,
	spec.TriggerInstanceStatus:    provokeByStatus,
	spec.TriggerRepeatInterrupt:   provokeByStatus,
	spec.TriggerTokenReuse:        provokeTokenReuse,
	spec.TriggerInvalidParameter:  provokeInvalidParameter,
	spec.TriggerMissingInstanceID: provokeMissingInstanceID,
	spec.TriggerUnknownRoute:      provokeUnknownRoute,
	spec.TriggerThrottle:          provokeThrottleCode,
	spec.TriggerMissingSignature:  signed(provokeMissingSignature),
	spec.TriggerBadSignature:      signed(provokeBadSignature),
	spec.TriggerNonceReplay:       signed(provokeNonceReplay),
	spec.TriggerStaleDate:         signed(provokeStaleDate),
	spec.TriggerUnknownAccessKey:  signed(provokeUnknownAccessKey),
	spec.TriggerSTSMissingToken:   signed(provokeSTSMissingToken),
	spec.TriggerSTSMismatch:       signed(provokeSTSMismatch),
}

// signed skips a signature trigger on a target whose signatures the suite cannot produce.
func signed(drive func(ctx context.Context, env *Env, creds signing.Credentials) (*observed, error)) triggerDriver {
	return func(ctx context.Context, env *Env, _ spec.ErrorCode) (*observed, error) {
		if err := needCredentials(env); err != nil {
			return nil, err
		}
		return drive(ctx, env, *env.target.Credentials)
	}
}

// provokeUntriggerable injects the code into a target that accepts faults (the reference server);
// for any other target the document declares that no request provokes it.
func provokeUntriggerable(ctx context.Context, env *Env, entry spec.ErrorCode) (*observed, error) {
	if a, err := provokeByFault(ctx, env, entry); !isSkip(err) {
		return a, err
	}
	return nil, SkipDeclared("no request provokes it: " + entry.Untriggerable)
}

func provokeUnknownInstance(ctx context.Context, env *Env, _ spec.ErrorCode) (*observed, error) {
	return env.interrupt(ctx, unknownID(), ids.UUID())
}

// provokeByStatus interrupts an instance in every status whose row in the state table answers
// entry's code, because each of them must respond with it.
func provokeByStatus(ctx context.Context, env *Env, entry spec.ErrorCode) (*observed, error) {
	var last *observed
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
}

// provokeTokenReuse uses a token first, successfully, on one instance and then names another
// instance with it.
func provokeTokenReuse(ctx context.Context, env *Env, _ spec.ErrorCode) (*observed, error) {
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
}

func provokeInvalidParameter(ctx context.Context, env *Env, _ spec.ErrorCode) (*observed, error) {
	return env.interrupt(ctx, "not an id!", ids.UUID())
}

func provokeMissingInstanceID(ctx context.Context, env *Env, _ spec.ErrorCode) (*observed, error) {
	return env.do(ctx, requestSpec{rawPath: wire.PathPrefix + wire.PathSuffix, token: ids.UUID()})
}

func provokeUnknownRoute(ctx context.Context, env *Env, _ spec.ErrorCode) (*observed, error) {
	return env.do(ctx, requestSpec{rawPath: wire.PathPrefix + "es-cn-x/actions/unknown", token: ids.UUID()})
}

func provokeThrottleCode(ctx context.Context, env *Env, entry spec.ErrorCode) (*observed, error) {
	return provokeThrottle(ctx, env, entry.Code)
}

func provokeMissingSignature(ctx context.Context, env *Env, _ signing.Credentials) (*observed, error) {
	return env.do(ctx, requestSpec{id: unknownID(), unsigned: true})
}

// provokeBadSignature signs with a wrong secret and checks that the refusal carries the server's
// string to sign.
func provokeBadSignature(ctx context.Context, env *Env, creds signing.Credentials) (*observed, error) {
	wrong := creds
	wrong.AccessKeySecret += "-wrong"
	a, err := env.do(ctx, requestSpec{id: unknownID(), creds: &wrong})
	if err != nil {
		return nil, err
	}
	// The document's meaning names the words, not the space signing writes before them.
	if a.apiErr != nil && !strings.Contains(a.apiErr.Message, strings.TrimSpace(signing.StringToSignSeparator)) {
		return nil, fmt.Errorf("the SignatureDoesNotMatch message does not carry the server's string to sign: %q", a.apiErr.Message)
	}
	return a, nil
}

// provokeNonceReplay sends a nonce once, expecting InstanceNotFound, and then again.
func provokeNonceReplay(ctx context.Context, env *Env, _ signing.Credentials) (*observed, error) {
	nonce := ids.UUID()
	first, err := env.do(ctx, requestSpec{id: unknownID(), nonce: nonce})
	if err != nil {
		return nil, err
	}
	if err := env.expectError(first, "InstanceNotFound"); err != nil {
		return nil, fmt.Errorf("the first use of the nonce: %w", err)
	}
	return env.do(ctx, requestSpec{id: unknownID(), nonce: first.nonce, throttleFinal: true})
}

func provokeStaleDate(ctx context.Context, env *Env, _ signing.Credentials) (*observed, error) {
	return env.do(ctx, requestSpec{id: unknownID(), date: time.Now().Add(-time.Hour)})
}

func provokeUnknownAccessKey(ctx context.Context, env *Env, _ signing.Credentials) (*observed, error) {
	stranger := signing.Credentials{AccessKeyID: "LTAIcontract" + ids.Hex(8), AccessKeySecret: "secret"}
	return env.do(ctx, requestSpec{id: unknownID(), creds: &stranger})
}

func provokeSTSMissingToken(ctx context.Context, env *Env, _ signing.Credentials) (*observed, error) {
	stranger := signing.Credentials{AccessKeyID: "STS.contract" + ids.Hex(8), AccessKeySecret: "secret"}
	return env.do(ctx, requestSpec{id: unknownID(), creds: &stranger})
}

func provokeSTSMismatch(ctx context.Context, env *Env, creds signing.Credentials) (*observed, error) {
	sts := creds
	sts.SecurityToken = "contract-token-" + ids.Hex(8)
	return env.do(ctx, requestSpec{id: unknownID(), creds: &sts})
}

// provokeThrottle provokes flow control (throttleBurst) and checks that the response says when to
// retry. A target that throttles with another Throttling code than want does not have this one to
// show.
func provokeThrottle(ctx context.Context, env *Env, want string) (*observed, error) {
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
// returns the first throttled response, or nil if none came. Requests in flight when it comes are
// answered, not cancelled, so each request counted reached the target.
func throttleBurst(ctx context.Context, env *Env) (*observed, error) {
	probe := int64(env.throttleProbe())
	var (
		next     atomic.Int64
		done     atomic.Bool
		mu       sync.Mutex
		first    *observed
		firstErr error
		wg       sync.WaitGroup
	)
	for range throttleWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !done.Load() && ctx.Err() == nil && next.Add(1) <= probe {
				env.run.throttleSent.Add(1)
				a, err := env.do(ctx, requestSpec{id: unknownID(), throttleFinal: true})
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
