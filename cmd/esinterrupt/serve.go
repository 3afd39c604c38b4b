package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

const serveUsage = `usage: esinterrupt serve [--addr 127.0.0.1:8080] [--credentials-file FILE]
       [--instance ID=STATUS]... [--admin] [--idempotency-ttl D] [--throttle N/s] [--max-conns N]
       [--fault SPEC]...

Runs the reference InterruptElasticsearchTask server. It logs the address it listens on
(with --addr HOST:0 the system picks the port) and one line per request to stderr, and
shuts down gracefully on SIGINT or SIGTERM, within 5 seconds.

The AccessKey requests must be signed with is read as the client reads it: from
ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALIBABA_CLOUD_SECURITY_TOKEN
(STS only), or from --credentials-file, a file of lines NAME=VALUE with those names (blank
lines and lines starting with # are skipped). --access-key-id, --access-key-secret and
--security-token remain as a fallback, with a warning: a flag is visible to every user of the
machine (ps). Without credentials, signatures are not checked.

STATUS is one of active, activating, inactive, invalid, suspended, unknown; only activating
instances can be interrupted. --admin serves the fixture API under /-/admin/ (GET instances; GET, PUT
and DELETE instances/{id}; GET, POST and DELETE faults).

--fault SPEC answers matching requests with a catalogue code or a transport fault instead
of the server's own answer, after the signature check and without touching any instance.
SPEC is CODE_OR_FAULT[,instance=ID][,count=N][,rate=P][,seed=S][,delay=D][,timeleft=D],
where CODE_OR_FAULT is a catalogue code (such as ServiceUnavailable or Throttling.User),
reset, truncate or delay; for example --fault ServiceUnavailable,count=2.

flags:
`

// shutdownGrace bounds the graceful shutdown: requests still running after it are cut off.
const shutdownGrace = 5 * time.Second

// runServe is the `serve` subcommand: the reference server on a TCP address until ctx ends.
func runServe(ctx context.Context, args []string, getenv func(string) string, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("esinterrupt serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, serveUsage)
		fs.PrintDefaults()
	}
	var (
		instances instanceFlag
		rate      rateFlag
		faults    faultFlag
		addr      = fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
		credsFile = fs.String("credentials-file", "", "read the AccessKey from `FILE` (lines ALIBABA_CLOUD_ACCESS_KEY_ID=..., ...)")
		keyID     = fs.String("access-key-id", "", "fallback, prefer the environment: AccessKeyId requests must be signed with")
		secret    = fs.String("access-key-secret", "", "fallback, visible in ps: AccessKeySecret of --access-key-id")
		token     = fs.String("security-token", "", "fallback, visible in ps: STS security token that goes with the key")
		admin     = fs.Bool("admin", false, "serve the fixture API under "+server.AdminPrefix)
		ttl       = fs.Duration("idempotency-ttl", server.DefaultIdempotencyTTL, "how long a clientToken is remembered")
		maxConns  = fs.Int("max-conns", server.DefaultMaxConns, "most connections open at once, idle ones included")
	)
	fs.Var(&instances, "instance", "seed an instance, `ID=STATUS` (repeatable)")
	fs.Var(&rate, "throttle", "rate limit per access key, `N/s` (default: none)")
	fs.Var(&faults, "fault", "answer matching requests with a code or fault, `SPEC` (repeatable)")
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage // the flag package has printed the problem and the usage
	}
	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "esinterrupt serve: "+format+"\n", a...)
		fmt.Fprintln(stderr, "run 'esinterrupt serve -h' for usage")
		return exitUsage
	}
	switch {
	case fs.NArg() > 0:
		return usageErr("unexpected argument %q", fs.Arg(0))
	case *ttl <= 0:
		return usageErr("--idempotency-ttl must be positive")
	case *maxConns <= 0:
		return usageErr("--max-conns must be positive")
	}
	creds, warning, err := serveCredentials(getenv, *credsFile, signing.Credentials{AccessKeyID: *keyID, AccessKeySecret: *secret, SecurityToken: *token})
	if err != nil {
		return usageErr("%v", err)
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	if warning != "" {
		logger.Warn(warning)
	}
	cfg := server.Config{
		Instances:      instances.seed,
		IdempotencyTTL: *ttl,
		Throttle:       float64(rate),
		Admin:          *admin,
		Logger:         logger,
		Faults:         faults,
	}
	if creds != nil {
		cfg.Credentials = []signing.Credentials{*creds}
	}
	srv, err := server.New(cfg)
	if err != nil {
		return usageErr("%v", err)
	}

	hs, ln, err := server.Listen(ctx, *addr, srv, server.ListenConfig{
		MaxConns: *maxConns,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	})
	if err != nil {
		fmt.Fprintf(stderr, "esinterrupt serve: %v\n", err)
		return exitFail
	}
	logger.Info("listening",
		slog.String("addr", ln.Addr().String()),
		slog.Bool("signatures", len(cfg.Credentials) > 0),
		slog.Bool("admin", cfg.Admin),
		slog.Int("instances", len(cfg.Instances)),
		slog.Float64("throttle_per_second", cfg.Throttle),
		slog.Int("max_conns", *maxConns),
	)

	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		// Serve returns only on a listener failure here: Shutdown has not been called.
		logger.Error("serving failed", slog.String("error", err.Error()))
		return exitFail
	case <-ctx.Done():
	}
	logger.Info("shutting down", slog.Duration("grace", shutdownGrace))
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		logger.Warn("requests still running were cut off", slog.String("error", err.Error()))
		_ = hs.Close()
	}
	<-served // http.ErrServerClosed
	logger.Info("stopped")
	return exitOK
}

// The variables serve reads the AccessKey from, the ones the client reads.
var credentialVars = [...]string{client.EnvAccessKeyID, client.EnvAccessKeySecret, client.EnvSecurityToken}

// flagWarning is logged when the secret comes from a flag.
const flagWarning = "the AccessKeySecret was given as a flag, which every user of the machine can read (ps); " +
	"set " + client.EnvAccessKeySecret + " or use --credentials-file instead"

// serveCredentials picks the AccessKey from exactly one source: the file, the environment (when
// ALIBABA_CLOUD_ACCESS_KEY_ID or ALIBABA_CLOUD_ACCESS_KEY_SECRET is set) or the flags, the
// fallback, which comes with a warning. nil means none was given. Errors never quote a value.
func serveCredentials(getenv func(string) string, file string, flags signing.Credentials) (creds *signing.Credentials, warning string, err error) {
	var env signing.Credentials
	if getenv != nil {
		env = signing.Credentials{AccessKeyID: getenv(client.EnvAccessKeyID), AccessKeySecret: getenv(client.EnvAccessKeySecret), SecurityToken: getenv(client.EnvSecurityToken)}
	}
	fromEnv := env.AccessKeyID != "" || env.AccessKeySecret != ""
	fromFlags := flags != (signing.Credentials{})
	sources := 0
	for _, given := range []bool{file != "", fromEnv, fromFlags} {
		if given {
			sources++
		}
	}
	if sources > 1 {
		return nil, "", errors.New("give the AccessKey one way: --credentials-file, the " + client.EnvAccessKeyID + " variables, or the flags")
	}
	var c signing.Credentials
	switch {
	case file != "":
		if c, err = readCredentialsFile(file); err != nil {
			return nil, "", err
		}
	case fromEnv:
		c = env
	case fromFlags:
		c, warning = flags, flagWarning
	default:
		return nil, "", nil
	}
	if c.AccessKeyID == "" || c.AccessKeySecret == "" {
		return nil, "", errors.New("the AccessKeyId and the AccessKeySecret go together (" + client.EnvAccessKeyID + ", " + client.EnvAccessKeySecret + ", or --access-key-id and --access-key-secret)")
	}
	return &c, warning, nil
}

// readCredentialsFile reads NAME=VALUE lines with the names of credentialVars. Unknown names and
// malformed lines are errors naming the line number only, never its text (it may be a secret).
func readCredentialsFile(path string) (signing.Credentials, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return signing.Credentials{}, fmt.Errorf("--credentials-file: %w", err)
	}
	var c signing.Credentials
	fields := map[string]*string{
		credentialVars[0]: &c.AccessKeyID,
		credentialVars[1]: &c.AccessKeySecret,
		credentialVars[2]: &c.SecurityToken,
	}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		field, known := fields[strings.TrimSpace(name)]
		if !ok || !known {
			return signing.Credentials{}, fmt.Errorf("--credentials-file %s: line %d is not NAME=VALUE with NAME one of %s", path, i+1, strings.Join(credentialVars[:], ", "))
		}
		*field = strings.TrimSpace(value)
	}
	return c, nil
}

// instanceFlag collects --instance ID=STATUS values.
type instanceFlag struct {
	seed map[string]server.Status
}

func (f *instanceFlag) String() string {
	if f == nil || len(f.seed) == 0 {
		return ""
	}
	parts := make([]string, 0, len(f.seed))
	for id, st := range f.seed {
		parts = append(parts, id+"="+string(st))
	}
	return strings.Join(parts, ",")
}

func (f *instanceFlag) Set(v string) error {
	id, status, ok := strings.Cut(v, "=")
	if !ok || id == "" {
		return errors.New("want ID=STATUS, such as es-cn-abc=activating")
	}
	st, err := server.ParseStatus(status)
	if err != nil {
		return err
	}
	if _, dup := f.seed[id]; dup {
		return fmt.Errorf("instance %q given twice", id)
	}
	if f.seed == nil {
		f.seed = make(map[string]server.Status)
	}
	f.seed[id] = st
	return nil
}

// rateFlag is --throttle: requests per second, written N/s (a bare N is read the same way).
type rateFlag float64

func (f *rateFlag) String() string {
	if f == nil || *f == 0 {
		return ""
	}
	return strconv.FormatFloat(float64(*f), 'g', -1, 64) + "/s"
}

func (f *rateFlag) Set(v string) error {
	n, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), "/s"), 64)
	if err != nil || n <= 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return errors.New("want a positive rate such as 10/s or 0.5/s")
	}
	*f = rateFlag(n)
	return nil
}

// faultFlag collects --fault SPEC values, each read by server.ParseFault.
type faultFlag []server.Fault

func (f *faultFlag) String() string {
	if f == nil {
		return ""
	}
	parts := make([]string, 0, len(*f))
	for _, one := range *f {
		parts = append(parts, one.String())
	}
	return strings.Join(parts, " ")
}

func (f *faultFlag) Set(v string) error {
	one, err := server.ParseFault(v)
	if err != nil {
		return err
	}
	*f = append(*f, one)
	return nil
}
