package contract

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Verdict is how a run ends. A run passes only if every selected check ran and passed; checks the
// document declares untestable never count against it, checks the target's setup kept from
// running do, unless a partial verdict is allowed.
type Verdict struct {
	// Pass: nothing failed, and nothing was skipped for the setup or a partial verdict is allowed.
	Pass bool
	// Partial: Pass, but some checks could not run against this target (Target.AllowPartial).
	Partial bool
	// Interrupted: the run was cancelled before every selected check ran; it never passes.
	Interrupted bool
	// Reasons say why the run failed or was partial, one cause a line.
	Reasons []string
	// Provide names what the target must provide for the skipped checks to run.
	Provide []string
}

// String renders the verdict as one line: "pass", "partial: ..." or "fail: ...".
func (v Verdict) String() string {
	var word string
	switch {
	case v.Interrupted:
		word = "interrupted"
	case v.Partial:
		word = "partial"
	case v.Pass:
		word = "pass"
	default:
		word = "fail"
	}
	parts := append([]string(nil), v.Reasons...)
	if len(v.Provide) > 0 {
		parts = append(parts, "to run every check provide "+strings.Join(v.Provide, "; "))
		if !v.Pass {
			parts = append(parts, "or accept a partial verdict (Target.AllowPartial, --allow-partial)")
		}
	}
	if len(parts) == 0 {
		return word
	}
	return word + ": " + strings.Join(parts, "; ")
}

// judge gives the verdict on results run against env.
func (e *Env) judge(ctx context.Context, results []Result) Verdict {
	s := Summarize(results)
	v := Verdict{Pass: true}
	if len(results) == 0 {
		v.Pass = false
		v.Reasons = append(v.Reasons, "no check was selected")
	}
	if s.Failed > 0 {
		v.Pass = false
		v.Reasons = append(v.Reasons, plural(s.Failed, "check")+" failed")
	}
	if s.Skipped > 0 {
		v.Reasons = append(v.Reasons, plural(s.Skipped, "check")+" could not run against this target's setup")
		v.Provide = e.provide(ctx, results)
		if e.target.AllowPartial {
			v.Partial = v.Pass
		} else {
			v.Pass = false
		}
	}
	return v
}

// Report is a whole run: its results, verdict, and what it cost the target.
type Report struct {
	Results []Result
	Verdict Verdict
	// Requests is how many requests the run sent, the fixtures' admin calls included.
	Requests int64
	// ThrottleRequests is how many of them the throttle probe sent, at most ThrottleProbe.
	ThrottleRequests int64
	ThrottleProbe    int
	// Removed is how many instances the run created and removed again; CleanupErr says what could
	// not be removed.
	Removed    int
	CleanupErr error
	Elapsed    time.Duration
}

// Summary is the report's counts.
func (r *Report) Summary() Summary { return Summarize(r.Results) }

// String is the run's one summary: the counts ("contract: N passed, ..."), what the run cost the
// target, and the verdict, on three lines.
func (r *Report) String() string {
	return fmt.Sprintf("contract: %s\n%s\nverdict: %s", r.Summary(),
		costLine(r.Requests, r.ThrottleRequests, r.ThrottleProbe, r.Removed, r.CleanupErr), r.Verdict)
}

// Verify is a whole run against target: it reaches the target once (Preflight), runs the checks
// keep accepts (nil keeps all) in catalogue order, removes the instances it created, and judges.
// It returns ErrNoChecks when keep accepts no check and a *PreflightError when the target cannot
// be verified; nothing is run then. A cancelled ctx returns the report of the checks that
// finished, an interrupted verdict and ctx's error; the created instances are removed still.
func Verify(ctx context.Context, target Target, keep func(Check) bool) (*Report, error) {
	checks, err := Select(keep)
	if err != nil {
		return nil, err
	}
	if len(checks) == 0 {
		return nil, ErrNoChecks
	}
	env, err := NewEnv(target)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	if err := Preflight(ctx, env); err != nil {
		return &Report{Requests: env.Requests(), ThrottleProbe: env.throttleProbe(), Elapsed: time.Since(start)}, err
	}
	results, err := runChecks(ctx, env, checks)
	report := env.finish(ctx, results, start)
	if err != nil {
		v := &report.Verdict
		v.Pass, v.Partial, v.Interrupted = false, false, true
		v.Reasons = append([]string{fmt.Sprintf("interrupted (%v) after %d of %d checks", err, len(results), len(checks))}, v.Reasons...)
	}
	return report, err
}

// finish removes the instances the run created, judges results and reports.
func (e *Env) finish(ctx context.Context, results []Result, start time.Time) *Report {
	r := &Report{Results: results, ThrottleProbe: e.throttleProbe()}
	r.Removed, r.CleanupErr = e.Cleanup(context.WithoutCancel(ctx))
	r.Verdict = e.judge(ctx, results)
	r.Requests, r.ThrottleRequests = e.Requests(), e.ThrottleRequests()
	r.Elapsed = time.Since(start)
	return r
}

// costLine says what a run cost the target, in one line.
func costLine(requests, throttled int64, probe, removed int, cleanupErr error) string {
	line := fmt.Sprintf("sent %d requests", requests)
	if probe > 0 {
		line += fmt.Sprintf(" (%d of them probing flow control, at most %d)", throttled, probe)
	} else {
		line += " (flow control not probed)"
	}
	line += fmt.Sprintf("; removed %s it had created", plural(removed, "instance"))
	if cleanupErr != nil {
		line += "; could not remove some: " + firstLine(cleanupErr.Error())
	}
	return line
}
