package provider_test

import (
	"fmt"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/contract"

	"example.com/downstream/provider"
)

func TestProvider(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "downstream provider")
}

// The whole provider contract, against this repository's implementation, with eight instances
// in each status as fixtures. The implementation checks no signature, its static fixtures cannot
// read a status, and it has no rate limit, so the checks that need those cannot run: the verdict
// is partial, accepted here with AllowPartial, and the suite's summary names what is missing.
var _ = contract.DescribeProvider(func() contract.Target {
	statuses, err := contract.Statuses()
	Expect(err).NotTo(HaveOccurred())
	seed := map[string]string{}
	ids := map[contract.Status][]string{}
	for _, st := range statuses {
		for i := range 8 {
			id := fmt.Sprintf("es-cn-downstream-%s-%d", st, i)
			seed[id] = string(st)
			ids[st] = append(ids[st], id)
		}
	}
	handler, err := provider.New(seed)
	Expect(err).NotTo(HaveOccurred())
	return contract.Target{Handler: handler, Fixtures: contract.NewStaticFixtures(ids), AllowPartial: true, ThrottleProbe: -1}
})
