package contract

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Check is one contract check: a name, what it checks, and how to run it against a target. The
// Ginkgo suites, RunProvider and the esinterrupt CLI all run the same Checks.
type Check struct {
	// ID is a stable, unique, slash-separated name such as "error-code/InstanceNotFound".
	ID string
	// Title says in a few words what the check asserts.
	Title string
	// Labels select checks with a Ginkgo label filter ("document", "errors", "signature", ...).
	Labels []string
	// Run performs the check. It returns nil when the target passes, an error wrapping a
	// *SkipError when the check cannot be run against this target, and any other error when the
	// target fails.
	Run func(ctx context.Context, env *Env) error
}

// SkipError says why a check was not run. It is never a pass.
type SkipError struct {
	Reason string
}

func (e *SkipError) Error() string { return "skipped: " + e.Reason }

// Skip returns a *SkipError with the given reason.
func Skip(reason string) error { return &SkipError{Reason: reason} }

// Outcome is how a check ended.
type Outcome string

// The outcomes of a check.
const (
	Passed  Outcome = "pass"
	Failed  Outcome = "fail"
	Skipped Outcome = "skip"
)

// Result is the outcome of one check.
type Result struct {
	Check    Check
	Outcome  Outcome
	Reason   string // why it failed or was skipped
	Duration time.Duration
}

// RunCheck runs c against env and classifies its outcome.
func RunCheck(ctx context.Context, env *Env, c Check) Result {
	start := time.Now()
	err := c.Run(ctx, env)
	r := Result{Check: c, Duration: time.Since(start), Outcome: Passed}
	var skip *SkipError
	switch {
	case err == nil:
	case errors.As(err, &skip):
		r.Outcome, r.Reason = Skipped, skip.Reason
	default:
		r.Outcome, r.Reason = Failed, err.Error()
	}
	return r
}

// Summary counts results by outcome.
type Summary struct {
	Passed, Failed, Skipped int
	Duration                time.Duration
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
		}
		s.Duration += r.Duration
	}
	return s
}

// String renders the summary as one line, "N passed, N failed, N skipped".
func (s Summary) String() string {
	return fmt.Sprintf("%d passed, %d failed, %d skipped", s.Passed, s.Failed, s.Skipped)
}

// Run runs every check that keep accepts (nil keeps all), in catalogue order, against target.
func Run(ctx context.Context, target Target, keep func(Check) bool) ([]Result, error) {
	env, err := NewEnv(target)
	if err != nil {
		return nil, err
	}
	checks, err := Checks()
	if err != nil {
		return nil, err
	}
	var results []Result
	for _, c := range checks {
		if keep != nil && !keep(c) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return results, err
		}
		results = append(results, RunCheck(ctx, env, c))
	}
	return results, nil
}
