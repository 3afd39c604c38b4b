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

	"github.com/onsi/ginkgo/v2/types"

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

// runVerify runs the contract checks against --target, or against the embedded reference server.
func runVerify(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("esinterrupt verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	targetURL := fs.String("target", "", "base `URL` of the server to verify; empty starts the embedded reference server in-process")
	keyID := fs.String("access-key-id", "", "AccessKeyId to sign with (default $ALIBABA_CLOUD_ACCESS_KEY_ID)")
	keySecret := fs.String("access-key-secret", "", "AccessKeySecret to sign with (default $ALIBABA_CLOUD_ACCESS_KEY_SECRET)")
	securityToken := fs.String("security-token", "", "STS security token (default $ALIBABA_CLOUD_SECURITY_TOKEN)")
	fixtures := fixtureFlag{}
	fs.Var(fixtures, "fixture", "an instance of the target in a status, as `STATUS=ID` (repeatable; ID may be a comma-separated list); without it the admin API is used")
	junit := fs.String("junit", "", "also write a JUnit XML report to `FILE`")
	labelFilter := fs.String("label-filter", "", "run only checks whose labels match this Ginkgo label filter `EXPR`, such as 'errors || state'")
	timeout := fs.Duration("timeout", 2*time.Minute, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: esinterrupt verify [flags]\n\nRuns the contract checks and prints one line per check.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "esinterrupt verify: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	keep := func(contract.Check) bool { return true }
	if *labelFilter != "" {
		filter, err := types.ParseLabelFilter(*labelFilter)
		if err != nil {
			fmt.Fprintf(stderr, "esinterrupt verify: --label-filter: %v\n", err)
			return exitUsage
		}
		keep = func(c contract.Check) bool { return filter(c.Labels) }
	}

	var target contract.Target
	if *targetURL == "" {
		if len(fixtures) > 0 || *keyID != "" {
			fmt.Fprintln(stderr, "esinterrupt verify: --fixture and credentials go with --target")
			return exitUsage
		}
		var err error
		if target, err = embeddedTarget(); err != nil {
			fmt.Fprintf(stderr, "esinterrupt verify: %v\n", err)
			return exitFail
		}
		fmt.Fprintln(stdout, "target: the embedded reference server (in-process)")
	} else {
		creds, err := verifyCredentials(*keyID, *keySecret, *securityToken, getenv)
		if err != nil {
			fmt.Fprintf(stderr, "esinterrupt verify: %v\n", err)
			return exitUsage
		}
		target = contract.Target{BaseURL: *targetURL, Credentials: creds}
		if len(fixtures) > 0 {
			target.Fixtures = contract.NewStaticFixtures(fixtures)
		} else {
			target.Fixtures = contract.NewAdminFixtures(target)
		}
		fmt.Fprintf(stdout, "target: %s\n", *targetURL)
	}

	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	start := time.Now()
	results, err := contract.Run(ctx, target, keep)
	elapsed := time.Since(start)
	if werr := contract.WriteReport(stdout, results, elapsed); werr != nil {
		fmt.Fprintf(stderr, "esinterrupt verify: %v\n", werr)
		return exitFail
	}
	if err != nil {
		fmt.Fprintf(stderr, "esinterrupt verify: %v\n", err)
		return exitFail
	}
	if *junit != "" {
		if err := writeJUnitFile(*junit, results, elapsed); err != nil {
			fmt.Fprintf(stderr, "esinterrupt verify: %v\n", err)
			return exitFail
		}
	}
	if contract.Summarize(results).Failed > 0 {
		return exitFail
	}
	return exitOK
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

func writeJUnitFile(path string, results []contract.Result, elapsed time.Duration) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := contract.WriteJUnit(f, "esinterrupt verify", results, elapsed); err != nil {
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
