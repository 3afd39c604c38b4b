package contract_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/signing"
)

// A consumer tests its retry handling: the harness's reference server answers two 503s and
// then the success, a throttled response asking for 300 ms, a response cut short, and a
// non-retryable InstanceNotFound; the checks judge what the client did with each (retried with
// one clientToken and fresh nonces, no sooner than asked, or not retried at all). In a test,
// contract.RunConsumer(t, consumer) runs every consumer check as a subtest.
func ExampleConsumerChecks_retries() {
	consumer := func(ctx context.Context, endpoint string, creds signing.Credentials, id string) contract.ConsumerOutcome {
		c, err := client.New(client.Config{
			Endpoint:    endpoint,
			Credentials: client.StaticCredentials{AccessKeyID: creds.AccessKeyID, AccessKeySecret: creds.AccessKeySecret},
			Retry:       client.RetryPolicy{BaseDelay: 10 * time.Millisecond, MaxDelay: time.Second},
		})
		if err != nil {
			return contract.ConsumerOutcome{Err: err}
		}
		res, err := c.InterruptElasticsearchTask(ctx, id, nil)
		if err != nil {
			out := contract.ConsumerOutcome{Err: err, Is: func(code string) bool { return errors.Is(err, client.Code(code)) }}
			var apiErr *client.APIError
			if errors.As(err, &apiErr) {
				out.Code, out.RequestID = apiErr.Code, apiErr.RequestID
			}
			return out
		}
		return contract.ConsumerOutcome{Result: res.Result, RequestID: res.RequestID}
	}

	env, closeFn, err := contract.NewConsumerEnv(consumer)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer closeFn()
	checks, err := contract.ConsumerChecks()
	if err != nil {
		fmt.Println(err)
		return
	}
	wanted := map[string]bool{
		"consumer/retry/unavailable-twice": true, // two 503s, then the success
		"consumer/retry/throttled":         true, // Throttling.User with TimeLeft 300 ms
		"consumer/retry/truncated":         true, // a 200 cut short: retried with the same clientToken
		"consumer/error/InstanceNotFound":  true, // not retryable: sent once, surfaced as itself
	}
	for _, c := range checks {
		if wanted[c.ID] {
			r := contract.RunCheck(context.Background(), env, c)
			fmt.Println(c.ID, r.Outcome)
			if r.Reason != "" {
				fmt.Println("  ", r.Reason)
			}
		}
	}
	// Output:
	// consumer/retry/unavailable-twice pass
	// consumer/retry/throttled pass
	// consumer/retry/truncated pass
	// consumer/error/InstanceNotFound pass
}
