package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/contract"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// embeddedThrottle is the embedded server's rate limit (requests per second per key): far above
// what the other checks send, so only the flow-control check, which runs last, reaches it.
const embeddedThrottle = 500

// fixtureFlag collects repeated --fixture STATUS=ID flags.
type fixtureFlag map[contract.Status][]string

func (f fixtureFlag) String() string { return "" }

func (f fixtureFlag) Set(v string) error {
	name, id, ok := strings.Cut(v, "=")
	if !ok || id == "" {
		return fmt.Errorf("want STATUS=ID, got %q", v)
	}
	st, err := contract.ParseStatus(name)
	if err != nil {
		return err
	}
	for _, one := range strings.Split(id, ",") {
		if one != "" {
			f[st] = append(f[st], one)
		}
	}
	return nil
}

// verifyExitCodes is the exit-code section of verify -h; the README's verify section repeats it.
const verifyExitCodes = `exit codes:
  0  every selected check ran and passed (or, with --allow-partial, passed what it could run)
  1  a check failed, or checks could not run against the target's setup (the summary names
     what to provide: fixtures, credentials, status observation, throttling)
  2  bad flags or arguments: --target not an http(s) base URL, a bad or unknown label in
     --label-filter, a filter that selects no check; nothing was sent
  3  the target cannot be reached (connection, DNS, TLS, timeout); no check ran
  4  the target refused the credentials, or needs some; no check ran
`

// verifyOptions are the parsed flags of verify.
type verifyOptions struct {
	targetURL, keyID, keySecret, securityToken string
	fixtures                                   fixtureFlag
	junit, labelFilter                         string
	timeout                                    time.Duration
	allowPartial, list                         bool
	throttleProbe                              int
}

// parseVerifyFlags parses args; code is -1 when the command should go on.
func parseVerifyFlags(args []string, stderr io.Writer) (opts verifyOptions, code int) {
	fs := flag.NewFlagSet("esinterrupt verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&opts.targetURL, "target", "", "base `URL` of the server to verify, scheme://host[:port] (http or https); empty starts the embedded reference server in-process")
	fs.StringVar(&opts.keyID, "access-key-id", "", "AccessKeyId to sign with (default $ALIBABA_CLOUD_ACCESS_KEY_ID)")
	fs.StringVar(&opts.keySecret, "access-key-secret", "", "AccessKeySecret to sign with (default $ALIBABA_CLOUD_ACCESS_KEY_SECRET)")
	fs.StringVar(&opts.securityToken, "security-token", "", "STS security token (default $ALIBABA_CLOUD_SECURITY_TOKEN)")
	opts.fixtures = fixtureFlag{}
	fs.Var(opts.fixtures, "fixture", "an instance of the target in a status, as `STATUS=ID` (repeatable; ID may be a comma-separated list); without it the admin API is used")
	fs.StringVar(&opts.junit, "junit", "", "also write a JUnit XML report to `FILE`")
	fs.StringVar(&opts.labelFilter, "label-filter", "", "run only checks whose labels match this Ginkgo label filter `EXPR`, such as 'errors || state'; every label must exist")
	fs.DurationVar(&opts.timeout, "timeout", 2*time.Minute, "give up after this long")
	fs.BoolVar(&opts.allowPartial, "allow-partial", false, "accept a partial verdict: checks the target's setup keeps from running do not fail the run (the summary and JUnit say it was partial)")
	fs.IntVar(&opts.throttleProbe, "throttle-probe", contract.DefaultThrottleProbe, "send at most `N` requests to provoke flow control; 0 does not probe (the flow-control check is then a setup skip)")
	fs.BoolVar(&opts.list, "list", false, "print every selected check (id, labels, needs, the document statement it checks) and what they need in all; send nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: esinterrupt verify [flags]\n\nChecks its arguments, reaches the target once, runs the contract checks, prints one line\nper check and one summary, and removes the instances it created.\n\nflags:")
		fs.PrintDefaults()
		fmt.Fprint(stderr, "\n"+verifyExitCodes)
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return opts, exitOK
		}
		return opts, exitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "esinterrupt verify: unexpected argument %q\n", fs.Arg(0))
		return opts, exitUsage
	}
	if opts.throttleProbe < 0 {
		fmt.Fprintln(stderr, "esinterrupt verify: --throttle-probe must be 0 or more")
		return opts, exitUsage
	}
	return opts, -1
}

// runVerify runs the contract checks against --target, or against the embedded reference server:
// its own arguments first (exit 2), then one request to reach the target (exit 3 or 4), then the
// checks (exit 1 on a failure or, without --allow-partial, a setup skip).
func runVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	opts, code := parseVerifyFlags(args, stderr)
	if code >= 0 {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(stderr, "esinterrupt verify: "+format+"\n", a...)
		return code
	}
	var keep func(contract.Check) bool
	if opts.labelFilter != "" {
		var err error
		if keep, err = contract.ParseLabelFilter(opts.labelFilter); err != nil {
			return fail(exitUsage, "--label-filter: %v", err)
		}
	}
	if opts.list {
		if err := listChecks(stdout, keep); err != nil {
			return fail(exitFail, "%v", err)
		}
		return exitOK
	}

	var target contract.Target
	if opts.targetURL == "" {
		if len(opts.fixtures) > 0 || opts.keyID != "" {
			return fail(exitUsage, "--fixture and credentials go with --target")
		}
		var err error
		if target, err = embeddedTarget(); err != nil {
			return fail(exitFail, "%v", err)
		}
		fmt.Fprintln(stdout, "target: the embedded reference server (in-process)")
	} else {
		if err := contract.ValidateBaseURL(opts.targetURL); err != nil {
			return fail(exitUsage, "--target: %v", err)
		}
		creds, err := verifyCredentials(opts.keyID, opts.keySecret, opts.securityToken, getenv)
		if err != nil {
			return fail(exitUsage, "%v", err)
		}
		target = contract.Target{BaseURL: opts.targetURL, Credentials: creds}
		if len(opts.fixtures) > 0 {
			target.Fixtures = contract.NewStaticFixtures(opts.fixtures)
		} else {
			target.Fixtures = contract.NewAdminFixtures(target)
		}
		fmt.Fprintf(stdout, "target: %s\n", opts.targetURL)
	}
	target.AllowPartial = opts.allowPartial
	target.ThrottleProbe = opts.throttleProbe
	if opts.throttleProbe == 0 {
		target.ThrottleProbe = -1
	}

	ctx, cancel := context.WithTimeout(ctx, opts.timeout)
	defer cancel()
	report, err := contract.Verify(ctx, target, keep)
	var pre *contract.PreflightError
	switch {
	case errors.Is(err, contract.ErrNoChecks):
		return fail(exitUsage, "%v", err)
	case errors.As(err, &pre) && errors.Is(err, contract.ErrUnreachable):
		return fail(exitUnreachable, "%v (no check was run; requests sent: %d)", err, report.Requests)
	case errors.As(err, &pre):
		return fail(exitCredentials, "%v (no check was run; requests sent: %d)", err, report.Requests)
	case report == nil:
		return fail(exitFail, "%v", err)
	}
	if werr := contract.WriteReport(stdout, report); werr != nil {
		return fail(exitFail, "%v", werr)
	}
	if err != nil {
		return fail(exitFail, "%v", err)
	}
	if opts.junit != "" {
		if err := writeJUnitFile(opts.junit, report); err != nil {
			return fail(exitFail, "%v", err)
		}
	}
	if !report.Verdict.Pass {
		return exitFail
	}
	return exitOK
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
	creds := signing.Credentials{AccessKeyID: "LTAIverify" + verifyRandomHex(), AccessKeySecret: verifyRandomHex() + verifyRandomHex()}
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

// verifyCredentials takes the credentials from the flags or, failing those, the environment.
// No credentials at all means unsigned requests (the signature checks are then skipped).
func verifyCredentials(id, secret, token string, getenv func(string) string) (*signing.Credentials, error) {
	if id == "" && secret == "" {
		id, secret = getenv("ALIBABA_CLOUD_ACCESS_KEY_ID"), getenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET")
		if token == "" {
			token = getenv("ALIBABA_CLOUD_SECURITY_TOKEN")
		}
	}
	if id == "" && secret == "" {
		return nil, nil
	}
	if id == "" || secret == "" {
		return nil, errors.New("an AccessKeyId needs its AccessKeySecret, and the other way round")
	}
	return &signing.Credentials{AccessKeyID: id, AccessKeySecret: secret, SecurityToken: token}, nil
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

// verifyRandomHex returns 16 random hex digits for the embedded server's throwaway key.
func verifyRandomHex() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
