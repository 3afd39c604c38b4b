package contract

import (
	"testing"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
)

// DescribeProvider registers the provider checks inside the caller's Ginkgo suite, one spec per
// check, in catalogue order (an Ordered container, because the coverage check reports on the
// others; the checks are independent, so a failure does not skip the rest).
// target is called once, before the first check runs, so it may use what a BeforeSuite set up.
// Use it at the top level of a _test.go file:
//
//	var _ = contract.DescribeProvider(func() contract.Target { return contract.Target{BaseURL: url} })
//
// Each spec carries its check's labels, so Ginkgo's --label-filter selects groups. Like every
// entry point of this package it registers an XML body decoder with kin-openapi's process-wide
// openapi3filter registry (spec.RegisterXMLBodyDecoder).
func DescribeProvider(target func() Target) bool {
	return ginkgo.Describe("InterruptElasticsearchTask provider contract", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var env *Env
		ginkgo.BeforeAll(func() {
			var err error
			env, err = NewEnv(target())
			gomega.Expect(err).NotTo(gomega.HaveOccurred())
		})
		checks, err := Checks()
		if err != nil {
			ginkgo.It("loads the check catalogue", func() { ginkgo.Fail(err.Error()) })
			return
		}
		registerCheckList(checks, func() *Env { return env })
	})
}

// registerCheckList adds one Ginkgo spec per check, running it against the Env env returns
// (called when the spec runs, after the container's BeforeAll made it).
func registerCheckList(checks []Check, env func() *Env) {
	for _, c := range checks {
		ginkgo.It(c.ID+": "+c.Title, ginkgo.Label(c.Labels...), func(ctx ginkgo.SpecContext) {
			r := RunCheck(ctx, env(), c)
			switch r.Outcome {
			case Skipped:
				ginkgo.Skip(r.Reason)
			case Failed:
				ginkgo.Fail(r.Reason)
			}
		})
	}
}

// RunProvider runs the provider checks from a plain `go test`, one subtest per check named by
// its ID: a failed check fails its subtest, a skipped one skips it with the reason.
func RunProvider(t *testing.T, target Target) {
	t.Helper()
	env, err := NewEnv(target)
	if err != nil {
		t.Fatal(err)
	}
	checks, err := Checks()
	if err != nil {
		t.Fatal(err)
	}
	runSubtests(t, env, checks)
}

// runSubtests runs each check as a subtest named by its ID.
func runSubtests(t *testing.T, env *Env, checks []Check) {
	t.Helper()
	for _, c := range checks {
		t.Run(c.ID, func(t *testing.T) {
			r := RunCheck(t.Context(), env, c)
			switch r.Outcome {
			case Skipped:
				t.Skip(r.Reason)
			case Failed:
				t.Error(r.Reason)
			}
		})
	}
}
