package contract

import (
	"fmt"
	"sync"
	"testing"
	"time"

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
// Each spec carries its check's labels (for --label-filter). BeforeAll runs Preflight and fails
// once, running no check, if the target is unreachable or refuses the credentials; a setup skip
// fails its spec unless Target.AllowPartial, a declared skip always skips it. AfterAll removes the
// run's instances and adds the summary as a report entry, not a failure: Ginkgo would count a
// failure after a skipped spec as that spec's, and the suite would pass.
// Like every entry point of this package it registers an XML body decoder with kin-openapi's
// process-wide openapi3filter registry (spec.RegisterXMLBodyDecoder).
func DescribeProvider(target func() Target) bool {
	return ginkgo.Describe("InterruptElasticsearchTask provider contract", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var env *Env
		var rec recorder
		var start time.Time
		ginkgo.BeforeAll(func(ctx ginkgo.SpecContext) {
			start = time.Now()
			e, err := NewEnv(target())
			gomega.Expect(err).NotTo(gomega.HaveOccurred())
			if err := Preflight(ctx, e); err != nil {
				ginkgo.Fail(fmt.Sprintf("contract: %v (no check was run)", err))
			}
			env = e
		})
		ginkgo.AfterAll(func(ctx ginkgo.SpecContext) {
			if env == nil {
				return // the BeforeAll failed, and said why
			}
			report := env.finish(ctx, rec.results(), start)
			ginkgo.AddReportEntry("contract verdict", report.String(), ginkgo.ReportEntryVisibilityAlways)
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
			switch {
			case r.Outcome == Skipped && env().target.AllowPartial:
				ginkgo.Skip("the target's setup (partial verdict allowed): " + r.Reason)
			case r.Outcome == Skipped:
				ginkgo.Fail("not run, the target's setup: " + r.Reason + " (Target.AllowPartial accepts a partial verdict)")
			case r.Outcome == NotApplicable:
				ginkgo.Skip("declared by the document: " + r.Reason)
			case r.Outcome == Failed:
				ginkgo.Fail(r.Reason)
			}
		})
	}
}

// RunProvider runs the provider checks from a plain `go test`, one subtest per check ID, after
// one Preflight that stops the run with one error. Setup skips fail t once, naming what to
// provide, unless target.AllowPartial; declared skips never do.
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
	start := time.Now()
	report := env.finish(t.Context(), runSubtests(t, env, checks), start)
	if !report.Verdict.Pass && report.Summary().Failed == 0 {
		t.Error(report) // a failed check failed its subtest, and t, already
	} else {
		t.Log(report)
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
