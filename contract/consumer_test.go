package contract_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/signing"
)

// fastRetry is the retry policy of the broken clients: the good client's, unless a case changes it.
var fastRetry = client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Second}

// clientConsumer adapts a client made from cfg (endpoint and credentials filled in) to
// contract.Consumer; call makes the call, so a case can wrap it in a loop of its own.
func clientConsumer(cfg client.Config, call func(ctx context.Context, c *client.Client, id string) (*client.InterruptResult, error)) contract.Consumer {
	if call == nil {
		call = func(ctx context.Context, c *client.Client, id string) (*client.InterruptResult, error) {
			return c.InterruptElasticsearchTask(ctx, id, nil)
		}
	}
	return func(ctx context.Context, endpoint string, creds signing.Credentials, id string) contract.ConsumerOutcome {
		cfg := cfg
		cfg.Endpoint = endpoint
		cfg.Credentials = client.StaticCredentials{AccessKeyID: creds.AccessKeyID, AccessKeySecret: creds.AccessKeySecret}
		c, err := client.New(cfg)
		if err != nil {
			return contract.ConsumerOutcome{Err: err}
		}
		res, err := call(ctx, c, id)
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
}

// brokenClient wraps our client with a defect in what it sends or what it reports.
func brokenClient(edit func(*http.Request), report func(contract.ConsumerOutcome) contract.ConsumerOutcome) contract.Consumer {
	if edit != nil {
		return clientConsumer(client.Config{
			HTTPClient: &http.Client{Transport: editingTransport{edit}},
			Retry:      fastRetry,
		}, nil)
	}
	good := ourClient(client.FormatJSON, client.SignatureV3)
	return func(ctx context.Context, endpoint string, creds signing.Credentials, id string) contract.ConsumerOutcome {
		return report(good(ctx, endpoint, creds, id))
	}
}

type editingTransport struct{ edit func(*http.Request) }

func (t editingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	t.edit(r)
	return http.DefaultTransport.RoundTrip(r)
}

// rateLimitBlindTransport hides the x-ratelimit-* headers of every response, so the client
// behind it cannot know a throttled response's wait and retries after its own short backoff.
type rateLimitBlindTransport struct{}

func (rateLimitBlindTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if resp != nil {
		for name := range resp.Header {
			if strings.HasPrefix(strings.ToLower(name), "x-ratelimit") {
				resp.Header.Del(name)
			}
		}
	}
	return resp, err
}

// retryingAround makes a consumer that retries around a client with retries turned off, as an
// application might: up to 3 calls while retry says so, each with the token newToken gives.
func retryingAround(retry func(error) bool, newToken func(first string) string) contract.Consumer {
	return clientConsumer(client.Config{Retry: client.RetryPolicy{MaxAttempts: 1}},
		func(ctx context.Context, c *client.Client, id string) (*client.InterruptResult, error) {
			first := client.NewClientToken()
			var err error
			for range 3 {
				var res *client.InterruptResult
				res, err = c.InterruptElasticsearchTask(ctx, id, &client.InterruptOptions{ClientToken: newToken(first)})
				if err == nil || !retry(err) {
					return res, err
				}
			}
			return nil, err
		})
}

var _ = Describe("the consumer checks", func() {
	run := func(consumer contract.Consumer) []string {
		env, closeFn, err := contract.NewConsumerEnv(consumer)
		Expect(err).NotTo(HaveOccurred())
		defer closeFn()
		checks, err := contract.ConsumerChecks()
		Expect(err).NotTo(HaveOccurred())
		var failed []string
		for _, c := range checks {
			if r := contract.RunCheck(context.Background(), env, c); r.Outcome == contract.Failed {
				failed = append(failed, c.ID)
			}
		}
		return failed
	}

	It("pass our client with every check run", func() {
		Expect(run(ourClient(client.FormatJSON, client.SignatureV3))).To(BeEmpty())
	})

	DescribeTable("catch a broken client",
		func(consumer contract.Consumer, caughtBy ...string) {
			failed := run(consumer)
			for _, id := range caughtBy {
				Expect(failed).To(ContainElement(id))
			}
			GinkgoWriter.Printf("caught by %d checks: %s\n", len(failed), strings.Join(failed, ", "))
		},
		Entry("a client that sends no clientToken", brokenClient(func(r *http.Request) {
			q := r.URL.Query()
			q.Del("clientToken")
			r.URL.RawQuery = q.Encode()
		}, nil), "consumer/error/InternalError", "consumer/retry/unavailable-twice"),
		Entry("a client whose signature breaks in transit", brokenClient(func(r *http.Request) {
			r.Header.Set("x-acs-date", "2001-01-01T00:00:00Z")
		}, nil), "consumer/success"),
		Entry("a client that sends no Accept", brokenClient(func(r *http.Request) {
			r.Header.Del("Accept")
		}, nil), "consumer/format/accept", "consumer/success"),
		Entry("a client that reports every error as InternalError", brokenClient(nil, func(o contract.ConsumerOutcome) contract.ConsumerOutcome {
			if o.Code != "" {
				o.Code = "InternalError"
			}
			return o
		}), "consumer/error/InstanceNotFound"),
		Entry("a client whose errors match no code", brokenClient(nil, func(o contract.ConsumerOutcome) contract.ConsumerOutcome {
			if o.Is != nil {
				o.Is = func(string) bool { return false }
			}
			return o
		}), "consumer/error/ServiceUnavailable"),
		Entry("a client that loses the RequestId", brokenClient(nil, func(o contract.ConsumerOutcome) contract.ConsumerOutcome {
			o.RequestID = ""
			return o
		}), "consumer/success"),
		Entry("a client that never retries", clientConsumer(client.Config{Retry: client.RetryPolicy{MaxAttempts: 1}}, nil),
			"consumer/retry/unavailable-twice", "consumer/retry/throttled", "consumer/retry/reset", "consumer/retry/truncated",
			"consumer/error/ServiceUnavailable", "consumer/error/Throttling.User"),
		Entry("a client that retries before the throttle wait", clientConsumer(client.Config{
			HTTPClient: &http.Client{Transport: rateLimitBlindTransport{}},
			Retry:      client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
		}, nil),
			"consumer/retry/throttled", "consumer/error/Throttling.User"),
		Entry("a client that retries a non-retryable code", retryingAround(
			func(err error) bool { var apiErr *client.APIError; return errors.As(err, &apiErr) },
			func(first string) string { return first }),
			"consumer/error/InstanceNotFound", "consumer/error/InvalidParameter"),
		Entry("a client that takes a new clientToken for each retry", retryingAround(
			func(err error) bool {
				var apiErr *client.APIError
				return !errors.As(err, &apiErr) || apiErr.Retryable()
			},
			func(string) string { return client.NewClientToken() }),
			"consumer/retry/unavailable-twice", "consumer/retry/reset", "consumer/error/ServiceUnavailable"),
		Entry("a client that retries without end", clientConsumer(client.Config{Retry: client.RetryPolicy{MaxAttempts: 1000, BaseDelay: time.Millisecond, MaxDelay: time.Second}}, nil),
			"consumer/error/ServiceUnavailable"),
	)
})
