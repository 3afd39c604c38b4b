// Command load measures the reference server under load, on loopback only: requests per second
// and p50/p99 latency at several concurrencies, for `esinterrupt serve` with signature checks on
// and, beside it, a bare net/http server writing the same bytes, measured the same way.
//
// Usage:
//
//	load [-c 1,16,64] [-requests 20000] [-duration 4s] [-timeout 2m]
//	     [-esinterrupt PATH | -target URL -access-key-id ID -access-key-secret SECRET]
//
// By default it builds `esinterrupt serve` from the module into a temporary directory (go build)
// and starts it as a subprocess, `--addr 127.0.0.1:0` with a random AccessKey, so what is
// measured is the real command: its HTTP server settings, signature verification, nonce cache,
// validation, idempotency store and its one log line per request (read and discarded here).
// The bare server is this same program started again as a subprocess (-serve-bare), so both
// servers run in a process of their own and the load generator's work is the same for both.
//
// Every request is one call of the module's client (V3 signature, JSON, retries off) with a
// fresh nonce and a fresh random clientToken, for an instance id no server knows: the answer is
// 400 InstanceNotFound, which runs every step of the server (routing, verification, replay
// check, validation, idempotency store, lifecycle lookup) except the state change of a
// successful interrupt, which would need re-seeding between requests. The bare server answers
// the reference server's own InstanceNotFound bytes. Any other outcome counts as an error.
//
// Each level stops after -requests requests or -duration, whichever comes first; the whole run
// stops after -timeout. Targets outside 127.0.0.0/8, ::1 and localhost are refused.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/es-openapi/interrupt/internal/ids"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1
	exitUsage = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the parsed flags.
type options struct {
	levels      []int
	requests    int
	duration    time.Duration
	timeout     time.Duration
	esinterrupt string
	target      string
	keyID       string
	secret      string
	bareAddr    string
}

// parseFlags parses the command line into options and checks them.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	levels := fs.String("c", "1,16,64", "concurrency levels, comma-separated")
	fs.IntVar(&o.requests, "requests", 20000, "most requests per level and target")
	fs.DurationVar(&o.duration, "duration", 4*time.Second, "most time per level and target")
	fs.DurationVar(&o.timeout, "timeout", 2*time.Minute, "most time for the whole run, builds included")
	fs.StringVar(&o.esinterrupt, "esinterrupt", "", "esinterrupt binary to start (default: go build it from the module)")
	fs.StringVar(&o.target, "target", "", "URL of an esinterrupt serve already running on loopback (default: start one)")
	fs.StringVar(&o.keyID, "access-key-id", "", "with -target: the AccessKeyId the server checks")
	fs.StringVar(&o.secret, "access-key-secret", "", "with -target: its AccessKeySecret")
	fs.StringVar(&o.bareAddr, "serve-bare", "", "internal: serve the bare handler on this loopback `ADDR` until interrupted")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if o.levels, err = parseLevels(*levels); err != nil {
		return nil, err
	}
	if err := o.check(); err != nil {
		return nil, err
	}
	return o, nil
}

// parseLevels parses -c: comma-separated concurrencies from 1 to 1024.
func parseLevels(s string) ([]int, error) {
	var levels []int
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n < 1 || n > 1024 {
			return nil, fmt.Errorf("-c: %q is not a concurrency from 1 to 1024", part)
		}
		levels = append(levels, n)
	}
	return levels, nil
}

// check refuses bounds that are not positive, flags that exclude each other, and targets and
// listen addresses off loopback.
func (o *options) check() error {
	switch {
	case o.requests < 1:
		return errors.New("-requests must be at least 1")
	case o.duration <= 0 || o.timeout <= 0:
		return errors.New("-duration and -timeout must be positive")
	case o.target != "" && o.esinterrupt != "":
		return errors.New("-target and -esinterrupt exclude each other")
	case o.target != "" && (o.keyID == "" || o.secret == ""):
		return errors.New("-target needs -access-key-id and -access-key-secret")
	case o.target == "" && (o.keyID != "" || o.secret != ""):
		return errors.New("-access-key-id and -access-key-secret go with -target; a started server gets a random key")
	}
	if o.target != "" {
		if err := checkLoopbackURL(o.target); err != nil {
			return err
		}
	}
	if o.bareAddr != "" {
		return checkLoopbackHostPort(o.bareAddr)
	}
	return nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return exitUsage
	}
	if o.bareAddr != "" {
		if err := serveBare(ctx, o.bareAddr, stdout); err != nil {
			fmt.Fprintf(stderr, "load: bare server: %v\n", err)
			return exitFail
		}
		return exitOK
	}
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	if err := measureAll(ctx, o, stdout, stderr); err != nil {
		fmt.Fprintf(stderr, "load: %v\n", err)
		return exitFail
	}
	return exitOK
}

// measureAll starts (or targets) both servers and measures every level against each.
func measureAll(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	serve, stopServe, err := serveTarget(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer stopServe()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bare, err := startServer(ctx, self, nil, "-serve-bare", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the bare server: %w", err)
	}
	defer bare.stop()

	targets := []target{serve, {name: "bare handler", url: bare.url, keyID: serve.keyID, secret: serve.secret}}
	results, err := measureLevels(ctx, o, targets, stderr)
	if err != nil {
		return err
	}
	report(stdout, results)
	return failures(results)
}

// serveTarget returns the esinterrupt serve to measure: -target as given, or one started (from
// -esinterrupt or a fresh build) with a random AccessKey; stop ends and removes what it started.
func serveTarget(ctx context.Context, o *options, stderr io.Writer) (t target, stop func(), err error) {
	t = target{name: "esinterrupt serve", url: o.target, keyID: o.keyID, secret: o.secret}
	if o.target != "" {
		return t, func() {}, nil
	}
	t.keyID, t.secret = "LTAI5tLoad"+ids.Hex(6), ids.Hex(16)
	bin, removeBin, err := esinterruptBinary(ctx, o.esinterrupt, stderr)
	if err != nil {
		return target{}, nil, err
	}
	srv, err := startServer(ctx, bin, serveEnv(t.keyID, t.secret), "serve", "--addr", "127.0.0.1:0")
	if err != nil {
		removeBin()
		return target{}, nil, fmt.Errorf("start esinterrupt serve: %w", err)
	}
	t.url = srv.url
	return t, func() { srv.stop(); removeBin() }, nil
}

// esinterruptBinary returns bin, or when bin is "" an esinterrupt built into a temporary
// directory that remove deletes.
func esinterruptBinary(ctx context.Context, bin string, stderr io.Writer) (path string, remove func(), err error) {
	if bin != "" {
		return bin, func() {}, nil
	}
	dir, err := os.MkdirTemp("", "esinterrupt-load-")
	if err != nil {
		return "", nil, err
	}
	remove = func() { _ = os.RemoveAll(dir) }
	fmt.Fprintln(stderr, "load: building esinterrupt")
	if path, err = buildEsinterrupt(ctx, dir); err != nil {
		remove()
		return "", nil, err
	}
	return path, remove, nil
}

// serveEnv is the environment of a started esinterrupt serve. The key goes in the environment,
// as serve reads it first; no aliyun CLI profile of the machine may stand in for it.
func serveEnv(keyID, secret string) []string {
	return []string{
		"ALIBABA_CLOUD_ACCESS_KEY_ID=" + keyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + secret,
		"ALIBABA_CLOUD_SECURITY_TOKEN=", "ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true",
	}
}

// measureLevels measures every target at every level, levels in the order given, and reports
// each measurement's progress on stderr.
func measureLevels(ctx context.Context, o *options, targets []target, stderr io.Writer) ([]result, error) {
	var results []result
	for _, c := range o.levels {
		for _, t := range targets {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("stopped before %s at c=%d: %w", t.name, c, err)
			}
			res, err := measure(ctx, t, c, o.requests, o.duration)
			if err != nil {
				return nil, fmt.Errorf("%s at c=%d: %w", t.name, c, err)
			}
			fmt.Fprintf(stderr, "load: %s c=%d: %d requests, %.0f req/s\n", t.name, c, res.requests, res.rps())
			results = append(results, res)
		}
	}
	return results, nil
}

// failures returns an error for the first measurement with failed requests, or nil: the
// report is printed either way, but a run with failures must not pass for a clean one.
func failures(results []result) error {
	for _, r := range results {
		if r.errors > 0 {
			return fmt.Errorf("%d requests to %s at c=%d failed; first: %v", r.errors, r.target, r.concurrency, r.firstErr)
		}
	}
	return nil
}
