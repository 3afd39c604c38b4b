package contract

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

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
		return nil, SkipDeclared("no request provokes it: " + entry.Untriggerable)

	case spec.TriggerUnknownInstance:
		return env.interrupt(ctx, unknownID(), newUUID())

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
			a, err := env.interrupt(ctx, id, newUUID())
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
		token := newUUID()
		a, err := env.interrupt(ctx, first, token)
		if err != nil {
			return nil, err
		}
		if err := expectSuccess(a); err != nil {
			return nil, fmt.Errorf("the first use of the token: %w", err)
		}
		return env.interrupt(ctx, second, token)

	case spec.TriggerInvalidParameter:
		return env.interrupt(ctx, "not an id!", newUUID())

	case spec.TriggerMissingInstanceID:
		return env.do(ctx, call{rawPath: "/openapi/instances//actions/interrupt", token: newUUID()})

	case spec.TriggerUnknownRoute:
		return env.do(ctx, call{rawPath: "/openapi/instances/es-cn-x/actions/unknown", token: newUUID()})

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
		if a.apiErr != nil && !strings.Contains(a.apiErr.Message, "server string to sign is:") {
			return nil, fmt.Errorf("the SignatureDoesNotMatch message does not carry the server's string to sign: %q", a.apiErr.Message)
		}
		return a, nil
	case spec.TriggerNonceReplay:
		nonce := newUUID()
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
		stranger := signing.Credentials{AccessKeyID: "LTAIcontract" + randomHex(8), AccessKeySecret: "secret"}
		return env.do(ctx, call{id: unknownID(), creds: &stranger})
	case spec.TriggerSTSMissingToken:
		stranger := signing.Credentials{AccessKeyID: "STS.contract" + randomHex(8), AccessKeySecret: "secret"}
		return env.do(ctx, call{id: unknownID(), creds: &stranger})
	case spec.TriggerSTSMismatch:
		sts := creds
		sts.SecurityToken = "contract-token-" + randomHex(8)
		return env.do(ctx, call{id: unknownID(), creds: &sts})
	}
	return nil, fmt.Errorf("the catalogue's trigger %q has no driver in this suite", entry.Trigger)
}

// provokeThrottle sends a burst bounded by the throttle probe until the target answers with flow control, and checks
// that the answer says when to retry. A target that throttles with another Throttling code than
// want does not have this one to show.
func provokeThrottle(ctx context.Context, env *Env, want string) (*answer, error) {
	probe := env.throttleProbe()
	for i := 0; i < probe; i++ {
		env.run.throttleSent.Add(1)
		a, err := env.do(ctx, call{id: unknownID(), throttleFinal: true})
		if err != nil {
			return nil, err
		}
		if !a.throttled() {
			continue
		}
		if a.apiErr.Code != want {
			return nil, Skip(fmt.Sprintf("the target throttles with %s, not %s", a.apiErr.Code, want))
		}
		if a.header.Get("x-ratelimit-user-api") == "" && a.header.Get("x-ratelimit-user") == "" {
			return nil, errors.New("a throttled answer carries neither x-ratelimit-user-api nor x-ratelimit-user")
		}
		return a, nil
	}
	return nil, skipMissing(fmt.Sprintf("no flow control after %d requests: the target does not throttle within the probe (serve with --throttle, or raise --throttle-probe)", probe), Needs{Throttling: true})
}
