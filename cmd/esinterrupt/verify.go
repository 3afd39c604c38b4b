package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// embeddedThrottle is the embedded server's rate limit (requests per second per key): its burst
// holds every request the other checks send, so only the flow-control check, which runs last,
// reaches it, and low enough that the probe outpaces the refill on a slow machine.
const embeddedThrottle = 100

// fixtureFlag collects repeated --fixture ID=STATUS flags (ID may be a comma-separated list).
// The older STATUS=ID is still read, and noted as deprecated.
type fixtureFlag struct {
	byStatus   map[contract.Status][]string
	deprecated bool // some value was written STATUS=ID
}

func (f *fixtureFlag) String() string { return "" }

func (f *fixtureFlag) Type() string { return "ID=STATUS" }

func (f *fixtureFlag) Set(v string) error {
	left, right, ok := strings.Cut(v, "=")
	if !ok || left == "" || right == "" {
		return fmt.Errorf("want ID=STATUS (or the deprecated STATUS=ID), got %q", v)
	}
	ids := left
	st, err := spec.ParseStatus(right)
	if err != nil {
		// The older form, STATUS=ID.
		old, oldErr := spec.ParseStatus(left)
		if oldErr != nil {
			var statuses []spec.InstanceStatus
			if table, terr := spec.LoadStateTable(); terr == nil {
				statuses = table.Statuses()
			}
			return fmt.Errorf("want ID=STATUS, and neither %q nor %q is a status (one of %v)", right, left, statuses)
		}
		st, ids, f.deprecated = old, right, true
	}
	if f.byStatus == nil {
		f.byStatus = make(map[contract.Status][]string)
	}
	for one := range strings.SplitSeq(ids, ",") {
		if one != "" {
			f.byStatus[st] = append(f.byStatus[st], one)
		}
	}
	return nil
}

// fixtureDeprecation is printed when a --fixture was written STATUS=ID.
const fixtureDeprecation = "--fixture STATUS=ID is deprecated: write ID=STATUS, as serve's --instance does"

const verifyLong = `Checks its arguments, reaches the target once, runs the contract checks, prints one line
per check and one summary, and removes the instances it created.

Without --target it starts the embedded reference server in-process (no credentials or fixtures
then). Against a --target, fixtures come from --fixture ID=STATUS (STATUS=ID, the older form, is
still read and deprecated) or, with no --fixture, from the target's admin API (the two do not
combine: any --fixture turns the admin API off), and the credentials are
found as for every command (below); with none found the requests are unsigned and the
signature checks cannot run.

` + credentialsHelp + `
` + verifyExitCodes

// verifyExitCodes is the exit-code section of verify --help; the README's table repeats it.
const verifyExitCodes = `exit codes:
  0  every selected check ran and passed (or, with --allow-partial, passed what it could run)
  1  a check failed, or checks could not run against the target's setup (the summary names
     what to provide: fixtures, credentials, status observation, throttling)
  2  bad flags or arguments: --junit not a writable file, --target empty or not an http(s) base URL, a bad or unknown label in
     --label-filter, a filter that selects no check, bad credentials; nothing was sent
  3  the target cannot be reached (connection, DNS, TLS, timeout), or it answers with a
     redirect, which is never followed (give the address that serves the operation); no
     check ran
  4  the target refused the credentials, or needs some; no check ran
  130  interrupted (SIGINT or SIGTERM): the finished checks are reported, the running one is
     not counted, and the instances the run created are removed
`

// verifyOptions are the parsed flags of verify.
type verifyOptions struct {
	targetURL          string
	creds              credentialOptions
	fixtures           fixtureFlag
	junit, labelFilter string
	timeout            time.Duration
	allowPartial, list bool
	throttleProbe      int
}

func (a *app) verifyCommand() *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Run the contract checks (against the embedded server by default)",
		Long:  verifyLong,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// An explicitly empty --target is a usage error: in CI an unset variable would
			// otherwise verify the embedded server and go green.
			if cmd.Flags().Changed("target") && o.targetURL == "" {
				return &exitError{code: exitUsage, msg: "--target is empty: give the server's base URL, or leave the flag out to verify the embedded reference server"}
			}
			return a.runVerify(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.targetURL, "target", "", "base `URL` of the server to verify, scheme://host[:port] (http or https); empty starts the embedded reference server in-process (an explicitly empty value is a usage error)")
	fs.Var(&o.fixtures, "fixture", "an instance of the target in a status, as `ID=STATUS` (repeatable; ID may be a comma-separated list); given, it replaces the target's admin API, which is used only without --fixture")
	fs.StringVar(&o.junit, "junit", "", "also write a JUnit XML report to `FILE`")
	fs.StringVar(&o.labelFilter, "label-filter", "", "run only checks whose labels match this Ginkgo label filter `EXPR`, such as 'errors || state'; every label must exist")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "give up after this long")
	fs.BoolVar(&o.allowPartial, "allow-partial", false, "accept a partial verdict: checks the target's setup keeps from running do not fail the run (the summary and JUnit say it was partial)")
	fs.IntVar(&o.throttleProbe, "throttle-probe", contract.DefaultThrottleProbe, "send at most `N` requests to provoke flow control; 0 does not probe (the flow-control check is then a setup skip)")
	fs.BoolVar(&o.list, "list", false, "print every selected check (id, labels, needs, the document statement it checks) and what they need in all; send nothing")
	addCredentialFlags(fs, &o.creds)
	return cmd
}

// runVerify runs the contract checks against --target, or against the embedded reference server:
// its own arguments first (exit 2), then one request to reach the target (exit 3 or 4), then the
// checks (exit 1 on a failure or, without --allow-partial, a setup skip).
func (a *app) runVerify(ctx context.Context, o *verifyOptions) error {
	keep, err := a.verifySelection(o)
	if err != nil {
		return err
	}
	if o.list {
		if err := listChecks(a.stdout, keep); err != nil {
			return exitf(exitFail, "%v", err)
		}
		return nil
	}
	if o.junit != "" {
		if err := checkWritable(o.junit); err != nil {
			return exitf(exitUsage, "--junit: %v", err)
		}
	}
	target, err := a.verifyTarget(ctx, o)
	if err != nil {
		return err
	}
	return a.verifyChecks(ctx, o, target, keep)
}

// verifySelection checks --throttle-probe and returns the checks --label-filter keeps (nil: all).
func (a *app) verifySelection(o *verifyOptions) (func(contract.Check) bool, error) {
	if o.throttleProbe < 0 {
		return nil, exitf(exitUsage, "--throttle-probe must be 0 or more")
	}
	if o.fixtures.deprecated {
		fmt.Fprintf(a.stderr, "esinterrupt verify: %s\n", fixtureDeprecation)
	}
	if o.labelFilter == "" {
		return nil, nil
	}
	keep, err := contract.ParseLabelFilter(o.labelFilter)
	if err != nil {
		return nil, exitf(exitUsage, "--label-filter: %v", err)
	}
	return keep, nil
}

// verifyTarget is the target the flags describe, the embedded reference server without --target.
func (a *app) verifyTarget(ctx context.Context, o *verifyOptions) (contract.Target, error) {
	var (
		target contract.Target
		err    error
	)
	if o.targetURL == "" {
		target, err = a.embeddedVerifyTarget(o)
	} else {
		target, err = a.remoteTarget(ctx, o)
	}
	if err != nil {
		return contract.Target{}, err
	}
	target.AllowPartial = o.allowPartial
	target.ThrottleProbe = o.throttleProbe
	if o.throttleProbe == 0 {
		target.ThrottleProbe = -1
	}
	return target, nil
}

// embeddedVerifyTarget is the in-process reference server; fixtures and credentials are for a
// remote target only.
func (a *app) embeddedVerifyTarget(o *verifyOptions) (contract.Target, error) {
	if len(o.fixtures.byStatus) > 0 || o.creds.explicit() {
		return contract.Target{}, exitf(exitUsage, "--fixture and credentials go with --target")
	}
	target, err := embeddedTarget()
	if err != nil {
		return contract.Target{}, exitf(exitFail, "%v", err)
	}
	fmt.Fprintln(a.stdout, "target: the embedded reference server (in-process)")
	return target, nil
}

// remoteTarget is --target with the credentials found and its fixtures: --fixture's ids, or the
// target's admin endpoint.
func (a *app) remoteTarget(ctx context.Context, o *verifyOptions) (contract.Target, error) {
	if err := contract.ValidateBaseURL(o.targetURL); err != nil {
		return contract.Target{}, exitf(exitUsage, "--target: %v", err)
	}
	found, err := resolveCredentials(ctx, &o.creds, a.getenv)
	if err != nil && !errors.Is(err, errNoSource) {
		return contract.Target{}, exitf(exitUsage, "%v", err)
	}
	target := contract.Target{BaseURL: o.targetURL}
	if found != nil {
		if found.warning != "" {
			fmt.Fprintf(a.stderr, "esinterrupt verify: %s\n", found.warning)
		}
		c := found.signingCredentials()
		target.Credentials = &c
	}
	if len(o.fixtures.byStatus) > 0 {
		target.Fixtures = contract.NewStaticFixtures(o.fixtures.byStatus)
	} else {
		target.Fixtures = contract.NewAdminFixtures(target)
	}
	fmt.Fprintf(a.stdout, "target: %s\n", o.targetURL)
	return target, nil
}

// verifyChecks runs the selected checks within --timeout, prints the report and writes --junit.
func (a *app) verifyChecks(ctx context.Context, o *verifyOptions, target contract.Target, keep func(contract.Check) bool) error {
	signalled := ctx
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	report, err := contract.Verify(ctx, target, keep)
	if ferr := unreportedFailure(report, err); ferr != nil {
		return ferr
	}
	if werr := contract.WriteReport(a.stdout, report); werr != nil {
		return exitf(exitFail, "%v", werr)
	}
	if o.junit != "" {
		if err := writeJUnitFile(o.junit, report); err != nil {
			return exitf(exitFail, "%v", err)
		}
	}
	return verifyOutcome(signalled, o, report, err)
}

// unreportedFailure is the exit error of a run that has no report to print: no check selected, or
// the preflight failed (exit 3 or 4), or nil.
func unreportedFailure(report *contract.Report, err error) error {
	var pre *contract.PreflightError
	switch {
	case errors.Is(err, contract.ErrNoChecks):
		return exitf(exitUsage, "%v", err)
	case errors.As(err, &pre) && (errors.Is(err, contract.ErrUnreachable) || errors.Is(err, contract.ErrRedirected)):
		return exitf(exitUnreachable, "%v (no check was run; requests sent: %d)", err, report.Requests)
	case errors.As(err, &pre):
		return exitf(exitCredentials, "%v (no check was run; requests sent: %d)", err, report.Requests)
	case report == nil:
		return exitf(exitFail, "%v", err)
	}
	return nil
}

// verifyOutcome is the exit error of a reported run: interrupted (signalled is done), timed out,
// failed, or nil when the verdict passes.
func verifyOutcome(signalled context.Context, o *verifyOptions, report *contract.Report, err error) error {
	switch {
	case err != nil && signalled.Err() != nil:
		return exitf(exitInterrupted, "interrupted: the checks that finished are reported above, none failed for the interruption; the instances the run created were removed")
	case errors.Is(err, context.DeadlineExceeded):
		return exitf(exitFail, "gave up after --timeout %s; the checks that finished are reported above", o.timeout)
	case err != nil:
		return exitf(exitFail, "%v", err)
	}
	if !report.Verdict.Pass {
		return reported(exitFail)
	}
	return nil
}

// listChecks prints the checks keep selects (nil: all), each with its labels, needs and the
// statement it checks, then what they need in all.
func listChecks(w io.Writer, keep func(contract.Check) bool) error {
	checks, err := contract.Select(keep)
	if err != nil {
		return err
	}
	for _, c := range checks {
		if _, err := fmt.Fprintf(w, "%s\n  labels:    %s\n  needs:     %s\n  statement: %s\n",
			c.ID, strings.Join(c.Labels, ", "), c.Needs, c.Statement); err != nil {
			return err
		}
	}
	_, err = fmt.Fprintf(w, "%d checks; in all they need: %s\n", len(checks), contract.TotalNeeds(checks))
	return err
}

// embeddedTarget starts the reference server in-process with a fresh key, the admin API for
// fixtures and a rate limit for the flow-control check.
func embeddedTarget() (contract.Target, error) {
	creds := signing.Credentials{AccessKeyID: "LTAIverify" + ids.Hex(8), AccessKeySecret: ids.Hex(8) + ids.Hex(8)}
	srv, err := server.New(server.Config{
		Credentials: []signing.Credentials{creds},
		Admin:       true,
		Throttle:    embeddedThrottle,
	})
	if err != nil {
		return contract.Target{}, err
	}
	target := contract.Target{Handler: srv, Credentials: &creds}
	target.Fixtures = contract.NewAdminFixtures(target)
	return target, nil
}

// checkWritable returns an error unless path can be created or written, so that a bad --junit
// stops the run before any request is sent. A file it had to create is removed again.
func checkWritable(path string) error {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if errors.Is(statErr, os.ErrNotExist) {
		return os.Remove(path)
	}
	return nil
}

func writeJUnitFile(path string, report *contract.Report) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := contract.WriteJUnit(f, "esinterrupt verify", report); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
