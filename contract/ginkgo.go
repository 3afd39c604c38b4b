package contract

import (
	"context"
	"fmt"
	"sync"
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
// Each spec carries its check's labels, so Ginkgo's --label-filter selects groups. The container's
// BeforeAll reaches the target once (Preflight) and fails there, once, if it is unreachable or
// refuses the credentials. Its AfterAll removes the instances the run created and gives the
// verdict: a check the target's setup kept from running is a skipped spec, and the AfterAll fails
// naming what to provide, unless Target.AllowPartial is set (the verdict is then a report entry
// saying it was partial). A skip the document declares never fails.
// Like every entry point of this package it registers an XML body decoder with kin-openapi's
// process-wide openapi3filter registry (spec.RegisterXMLBodyDecoder).
func DescribeProvider(target func() Target) bool {
	return ginkgo.Describe("InterruptElasticsearchTask provider contract", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var env *Env
		var rec recorder
		ginkgo.BeforeAll(func(ctx ginkgo.SpecContext) {
			var err error
			env, err = NewEnv(target())
			gomega.Expect(err).NotTo(gomega.HaveOccurred())
			if err := Preflight(ctx, env); err != nil {
				ginkgo.Fail(fmt.Sprintf("contract: %v (no check was run)", err))
			}
		})
		ginkgo.AfterAll(func(ctx ginkgo.SpecContext) {
			if env == nil {
				return
			}
			results := rec.results()
			removed, cleanupErr := env.Cleanup(context.WithoutCancel(ctx))
			v := env.judge(ctx, results)
			summary := fmt.Sprintf("contract: %s\n%s\nverdict: %s", Summarize(results),
				costLine(env.Requests(), env.ThrottleRequests(), env.throttleProbe(), removed, cleanupErr), v)
			ginkgo.AddReportEntry("contract verdict", summary)
			fmt.Fprintln(ginkgo.GinkgoWriter, summary)
			if Summarize(results).Skipped > 0 && !v.Pass {
				ginkgo.Fail(summary)
			}
		})
		checks, err := Checks()
		if err != nil {
			ginkgo.It("loads the check catalogue", func() { ginkgo.Fail(err.Error()) })
			return
		}
		registerCheckList(checks, func() *Env { return env }, rec.add)
	})
}

// recorder collects the results of the checks that ran.
type recorder struct {
	mu   sync.Mutex
	list []Result
}

func (r *recorder) add(res Result) {
	r.mu.Lock()
	r.list = append(r.list, res)
	r.mu.Unlock()
}

func (r *recorder) results() []Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Result(nil), r.list...)
}

// registerCheckList adds one Ginkgo spec per check, running it against the Env env returns
// (called when the spec runs, after the container's BeforeAll made it) and passing its result to
// record.
func registerCheckList(checks []Check, env func() *Env, record func(Result)) {
	for _, c := range checks {
		ginkgo.It(c.ID+": "+c.Title, ginkgo.Label(c.Labels...), func(ctx ginkgo.SpecContext) {
			r := RunCheck(ctx, env(), c)
			record(r)
			switch r.Outcome {
			case Skipped:
				ginkgo.Skip("the target's setup: " + r.Reason)
			case NotApplicable:
				ginkgo.Skip("declared by the document: " + r.Reason)
			case Failed:
				ginkgo.Fail(r.Reason)
			}
		})
	}
}

// RunProvider runs the provider checks from a plain `go test`, one subtest per check named by
// its ID: a failed check fails its subtest, a skipped one skips it with the reason. It reaches the
// target once first (Preflight) and stops there, with one error, if the target is unreachable or
// refuses the credentials. At the end it removes the instances the run created and logs one
// summary; checks the target's setup kept from running fail t, once, naming what to provide,
// unless target.AllowPartial is set. Skips the document declares never fail t.
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
	if err := Preflight(t.Context(), env); err != nil {
		t.Fatalf("contract: %v (no check was run)", err)
	}
	results := runSubtests(t, env, checks)
	removed, cleanupErr := env.Cleanup(context.WithoutCancel(t.Context()))
	v := env.judge(t.Context(), results)
	t.Logf("contract: %s\n%s\nverdict: %s", Summarize(results),
		costLine(env.Requests(), env.ThrottleRequests(), env.throttleProbe(), removed, cleanupErr), v)
	if !v.Pass && Summarize(results).Failed == 0 {
		t.Errorf("contract: verdict: %s", v)
	}
}

// runSubtests runs each check as a subtest named by its ID, and returns the results of those the
// test filter (-run) let run.
func runSubtests(t *testing.T, env *Env, checks []Check) []Result {
	t.Helper()
	var results []Result
	for _, c := range checks {
		t.Run(c.ID, func(t *testing.T) {
			r := RunCheck(t.Context(), env, c)
			results = append(results, r)
			switch r.Outcome {
			case Skipped:
				t.Skip("the target's setup: " + r.Reason)
			case NotApplicable:
				t.Skip("declared by the document: " + r.Reason)
			case Failed:
				t.Error(r.Reason)
			}
		})
	}
	return results
}
