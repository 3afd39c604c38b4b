package contract_test

import (
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

func TestContract(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "contract")
}

// testThrottle is the rate limit (requests per second) of the reference servers these tests
// check: low enough that the throttle probe reaches it even when the race detector and a loaded
// machine slow every request down, high enough that few other requests wait for it.
const testThrottle = 200

// referenceTarget starts the reference server in-process with a key, the admin API for fixtures
// and a rate limit the flow-control check can reach.
func referenceTarget() contract.Target {
	creds := signing.Credentials{AccessKeyID: "LTAIsuite", AccessKeySecret: "suite-secret"}
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}, Admin: true, Throttle: testThrottle})
	Expect(err).NotTo(HaveOccurred())
	target := contract.Target{Handler: srv, Credentials: &creds}
	target.Fixtures = contract.NewAdminFixtures(target)
	return target
}

// The provider checks against the reference server, in-process.
var _ = contract.DescribeProvider(referenceTarget)

// The consumer checks against this module's client, in both formats and both signatures.
var _ = Describe("this module's client", func() {
	for _, variant := range []struct {
		format    client.Format
		signature client.SignatureVersion
	}{
		{client.FormatJSON, client.SignatureV3},
		{client.FormatXML, client.SignatureROA},
	} {
		Context(string(variant.format)+" "+string(variant.signature), func() {
			contract.DescribeConsumer(ourClient(variant.format, variant.signature))
		})
	}
})

// ourClient adapts the client package to contract.Consumer (clientConsumer, in consumer_test.go),
// with fast backoff so the retryable codes do not slow the suite; a throttled wait is still
// honoured in full.
func ourClient(format client.ResponseFormat, signature client.SignatureVersion) contract.Consumer {
	return clientConsumer(client.Config{
		Format:    format,
		Signature: signature,
		Retry:     client.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Second},
	}, nil)
}
