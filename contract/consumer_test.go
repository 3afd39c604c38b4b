package contract_test

import (
	"context"
	"net/http"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/signing"
)

// brokenClient wraps our client with a defect in what it sends or what it reports.
func brokenClient(edit func(*http.Request), report func(contract.ConsumerOutcome) contract.ConsumerOutcome) contract.Consumer {
	good := ourClient(client.FormatJSON, client.SignatureV3)
	return func(ctx context.Context, endpoint string, creds signing.Credentials, id string) contract.ConsumerOutcome {
		if edit != nil {
			proxy := &http.Client{Transport: editingTransport{edit}}
			c, err := client.New(client.Config{
				Endpoint:    endpoint,
				Credentials: client.StaticCredentials{AccessKeyID: creds.AccessKeyID, AccessKeySecret: creds.AccessKeySecret},
				HTTPClient:  proxy,
				Retry:       client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond},
			})
			if err != nil {
				return contract.ConsumerOutcome{Err: err}
			}
			res, err := c.InterruptElasticsearchTask(ctx, id, nil)
			if err != nil {
				return contract.ConsumerOutcome{Err: err, Code: codeOf(err)}
			}
			return contract.ConsumerOutcome{Result: res.Result, RequestID: res.RequestID}
		}
		return report(good(ctx, endpoint, creds, id))
	}
}

type editingTransport struct{ edit func(*http.Request) }

func (t editingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	t.edit(r)
	return http.DefaultTransport.RoundTrip(r)
}

func codeOf(err error) string {
	var apiErr *client.APIError
	if ok := asAPIError(err, &apiErr); ok {
		return apiErr.Code
	}
	return ""
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

	DescribeTable("catch a broken client",
		func(consumer contract.Consumer, caughtBy string) {
			failed := run(consumer)
			Expect(failed).To(ContainElement(caughtBy))
			GinkgoWriter.Printf("caught by %d checks: %s\n", len(failed), strings.Join(failed, ", "))
		},
		Entry("a client that sends no clientToken", brokenClient(func(r *http.Request) {
			q := r.URL.Query()
			q.Del("clientToken")
			r.URL.RawQuery = q.Encode()
		}, nil), "consumer/error/InternalError"),
		Entry("a client whose signature breaks in transit", brokenClient(func(r *http.Request) {
			r.Header.Set("x-acs-date", "2001-01-01T00:00:00Z")
		}, nil), "consumer/success"),
		Entry("a client that reports every error as InternalError", brokenClient(nil, func(o contract.ConsumerOutcome) contract.ConsumerOutcome {
			if o.Code != "" {
				o.Code = "InternalError"
			}
			return o
		}), "consumer/error/InstanceNotFound"),
		Entry("a client that loses the RequestId", brokenClient(nil, func(o contract.ConsumerOutcome) contract.ConsumerOutcome {
			o.RequestID = ""
			return o
		}), "consumer/success"),
	)
})
