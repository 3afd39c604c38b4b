package contract

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Check is one contract check: a name, what it checks, what it needs from the target, and how to
// run it. The Ginkgo suites, RunProvider and the esinterrupt CLI all run the same Checks.
type Check struct {
	// ID is a stable, unique, slash-separated name such as "error-code/InstanceNotFound". The part
	// before the first slash is the check's group, and also its first label.
	ID string
	// Title says in a few words what the check asserts.
	Title string
	// Statement names the statement of the document the check holds the target to, such as
	// "x-error-codes: InstanceNotFound is 400".
	Statement string
	// Labels select checks with a Ginkgo label filter ("document", "errors", "signature", ...).
	Labels []string
	// Needs is what the check needs from the target to run in full.
	Needs Needs
	// Run performs the check. It returns nil when the target passes, an error wrapping a
	// *SkipError when the check cannot be run against this target, and any other error when the
	// target fails.
	Run func(ctx context.Context, env *Env) error
}

// Group returns the part of the check's ID before the first slash.
func (c Check) Group() string {
	group, _, _ := strings.Cut(c.ID, "/")
	return group
}

// SkipError says why a check was not run. It is never a pass. A skip the document declares
// (Declared) never fails a run; any other skip is the target's setup, which fails a run unless a
// partial verdict is allowed (Target.AllowPartial).
type SkipError struct {
	Reason string
	// Declared marks a skip the document itself declares: a catalogue code with trigger none,
	// which no request can provoke.
	Declared bool
	// Missing is what the target would have to provide for the check to run.
	Missing Needs
}

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skip returns a *SkipError for a check the target's setup does not let run (no fixtures, no
// credentials, ...). Such a skip fails the run unless a partial verdict is allowed.
func Skip(reason string) error { return &SkipError{Reason: reason} }

// SkipDeclared returns a *SkipError for a check the document declares untestable, such as a
// catalogue code with trigger none. It never fails the run.
func SkipDeclared(reason string) error { return &SkipError{Reason: reason, Declared: true} }

// skipMissing returns a setup skip that names what the target lacks.
func skipMissing(reason string, missing Needs) error {
	return &SkipError{Reason: reason, Missing: missing}
}

// Outcome is how a check ended.
type Outcome string

// The outcomes of a check. Skipped is a skip for the target's setup; NotApplicable is a skip the
// document declares.
const (
	Passed        Outcome = "pass"
	Failed        Outcome = "fail"
	Skipped       Outcome = "skip"
	NotApplicable Outcome = "n/a"
)

// Result is the outcome of one check.
type Result struct {
	Check    Check
	Outcome  Outcome
	Reason   string // why it failed or was skipped
	Missing  Needs  // for Skipped: what the target would have to provide
	Duration time.Duration
}

// RunCheck runs c against env and classifies its outcome. A check whose declared needs the target
// cannot meet is skipped before it runs (credentials, throttling) or, when it passed what it
// could, afterwards (status observation): it did not check everything it states.
func RunCheck(ctx context.Context, env *Env, c Check) Result {
	start := time.Now()
	err := env.unmet(c.Needs)
	if err == nil {
		err = c.Run(ctx, env)
		if err == nil && c.Needs.StatusObservation && !env.canObserve(ctx) {
			err = skipMissing("the responses conform, but the target's fixtures cannot read an instance's status, so what the request left behind was not checked",
				Needs{StatusObservation: true})
		}
	}
	r := Result{Check: c, Duration: time.Since(start), Outcome: Passed}
	var skip *SkipError
	switch {
	case err == nil:
	case errors.As(err, &skip) && skip.Declared:
		r.Outcome, r.Reason = NotApplicable, skip.Reason
	case errors.As(err, &skip):
		r.Outcome, r.Reason, r.Missing = Skipped, skip.Reason, skip.Missing
	default:
		r.Outcome, r.Reason = Failed, err.Error()
	}
	return r
}

// Summary counts results by outcome.
type Summary struct {
	Passed, Failed, Skipped, NotApplicable int
	Duration                               time.Duration
}

// Summarize counts results.
func Summarize(results []Result) Summary {
	var s Summary
	for _, r := range results {
		switch r.Outcome {
		case Passed:
			s.Passed++
		case Failed:
			s.Failed++
		case Skipped:
			s.Skipped++
		case NotApplicable:
			s.NotApplicable++
		}
		s.Duration += r.Duration
	}
	return s
}

// String renders the summary as one line, "N passed, N failed, N skipped (target setup), N not
// applicable (declared by the document)".
func (s Summary) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped (target setup), %d not applicable (declared by the document)",
		s.Passed, s.Failed, s.Skipped, s.NotApplicable)
}

// Run runs every check that keep accepts (nil keeps all), in catalogue order, against target, and
// removes the instances the run created. It neither reaches the target first nor judges the run;
// Verify does both.
func Run(ctx context.Context, target Target, keep func(Check) bool) ([]Result, error) {
	env, err := NewEnv(target)
	if err != nil {
		return nil, err
	}
	defer func() { _, _ = env.Cleanup(context.WithoutCancel(ctx)) }()
	checks, err := Select(keep)
	if err != nil {
		return nil, err
	}
	return runChecks(ctx, env, checks)
}

// runChecks runs checks in order against env.
func runChecks(ctx context.Context, env *Env, checks []Check) ([]Result, error) {
	var results []Result
	for _, c := range checks {
		if err := ctx.Err(); err != nil {
			return results, err
		}
		r := RunCheck(ctx, env, c)
		if err := ctx.Err(); err != nil && r.Outcome != Passed {
			// The check was cut short by the cancellation: its result is not a verdict.
			return results, err
		}
		results = append(results, r)
	}
	return results, nil
}

// Select returns the checks keep accepts (nil keeps all), in catalogue order.
func Select(keep func(Check) bool) ([]Check, error) {
	all, err := Checks()
	if err != nil {
		return nil, err
	}
	var out []Check
	for _, c := range all {
		if keep == nil || keep(c) {
			out = append(out, c)
		}
	}
	return out, nil
}
