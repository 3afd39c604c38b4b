package contract

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/internal/wire"
)

// LabelFlow selects the flow-control checks.
const LabelFlow = "flow"

// statementRateLimit is the document statement the flow-control checks judge by.
const statementRateLimit = "components.headers.RateLimitUserApi: on throttled answers `Limit:<n>,Remain:<n>,TimeLeft:<ms>,Reset:<unix seconds>`; a client waits TimeLeft milliseconds before retrying"

// rateLimitState is the header value's form as the document writes it. The check judges by it
// rather than by wire.ParseRateLimit, which also reads looser forms (case, spaces) a client
// should accept but the document does not state.
var rateLimitState = regexp.MustCompile(`^Limit:(\d+),Remain:(\d+),TimeLeft:(\d+),Reset:(\d+)$`)

// rateLimit is one parsed x-ratelimit-* value.
type rateLimit struct {
	limit, remain int64
	timeLeft      time.Duration
	reset         time.Time
}

func parseRateLimit(v string) (rateLimit, error) {
	m := rateLimitState.FindStringSubmatch(strings.TrimSpace(v))
	if m == nil {
		return rateLimit{}, fmt.Errorf("%q is not Limit:<n>,Remain:<n>,TimeLeft:<ms>,Reset:<unix seconds>", v)
	}
	var n [4]int64
	for i := range n {
		var err error
		if n[i], err = strconv.ParseInt(m[i+1], 10, 64); err != nil {
			return rateLimit{}, fmt.Errorf("%q: %w", v, err)
		}
	}
	return rateLimit{limit: n[0], remain: n[1], timeLeft: time.Duration(n[2]) * time.Millisecond, reset: time.Unix(n[3], 0)}, nil
}

func flowChecks() []Check {
	return []Check{{
		ID: "flow/burst-and-recovery",
		Title: "every response of a burst is a documented response (InstanceNotFound, or a Throttling code with its flow-control state: " +
			"Remain at most Limit, Reset not past), and a retry after TimeLeft is served",
		Statement: statementRateLimit,
		Labels:    []string{LabelFlow},
		Needs:     Needs{Throttling: true},
		Run: func(ctx context.Context, env *Env) error {
			throttled, err := burstUntilThrottled(ctx, env)
			if err != nil {
				return err
			}
			wait, err := checkRateLimitState(throttled)
			if err != nil {
				return err
			}
			if wait > throttleBudget {
				return Skip(fmt.Sprintf("the target asks to wait %s (TimeLeft), longer than the %s this check waits", wait, throttleBudget))
			}
			// The document's promise: after TimeLeft the caller is served again.
			timer := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				timer.Stop()
				return ctx.Err()
			case <-timer.C:
			}
			a, err := env.do(ctx, requestSpec{id: unknownID(), throttleFinal: true})
			if err != nil {
				return err
			}
			if err := env.expectError(a, "InstanceNotFound"); err != nil {
				return fmt.Errorf("the retry after TimeLeft (%s): %w", wait, err)
			}
			return nil
		},
	}}
}

// burstUntilThrottled sends requests for an unknown instance, at most the throttle probe, until one is
// throttled. Every response is judged: InstanceNotFound, or a conforming Throttling error.
func burstUntilThrottled(ctx context.Context, env *Env) (*observed, error) {
	// The burst shares the run's throttle probe with the flow-control error-code checks.
	probe := env.throttleProbe()
	for i := 0; int(env.run.throttleSent.Load()) < probe; i++ {
		env.run.throttleSent.Add(1)
		a, err := env.do(ctx, requestSpec{id: unknownID(), throttleFinal: true, xml: i%2 == 1})
		if err != nil {
			return nil, err
		}
		if !a.throttled() {
			if err := env.expectError(a, "InstanceNotFound"); err != nil {
				return nil, fmt.Errorf("request %d of the burst: %w", i+1, err)
			}
			continue
		}
		if err := env.expectOneOf(a, env.throttlingCodes()); err != nil {
			return nil, fmt.Errorf("request %d of the burst: %w", i+1, err)
		}
		return a, nil
	}
	return nil, skipMissing(fmt.Sprintf("no flow control after %d requests: the target does not throttle within the probe (serve with --throttle, or raise --throttle-probe)", probe), Needs{Throttling: true})
}

// throttlingCodes are the catalogue's flow-control codes.
func (e *Env) throttlingCodes() []string {
	var codes []string
	for _, entry := range e.catalogue.Codes() {
		if wire.IsThrottling(entry.Code) {
			codes = append(codes, entry.Code)
		}
	}
	return codes
}

// checkRateLimitState checks the flow-control headers of a throttled response and returns the
// longest TimeLeft they announce.
func checkRateLimitState(a *observed) (time.Duration, error) {
	var wait time.Duration
	found := false
	for _, name := range wire.RateLimitHeaders {
		v := a.header.Get(name)
		if v == "" {
			continue
		}
		found = true
		rl, err := parseRateLimit(v)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		switch {
		case rl.limit < 1:
			return 0, fmt.Errorf("%s: Limit %d: a limit that lets no request through", name, rl.limit)
		case rl.remain > rl.limit:
			return 0, fmt.Errorf("%s: Remain %d is more than Limit %d", name, rl.remain, rl.limit)
		case rl.reset.Before(time.Now().Add(-time.Second).Truncate(time.Second)):
			return 0, fmt.Errorf("%s: Reset %d is in the past on a throttled response", name, rl.reset.Unix())
		}
		wait = max(wait, rl.timeLeft)
	}
	if !found {
		return 0, errNoRateLimit
	}
	return wait, nil
}
