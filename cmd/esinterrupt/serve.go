package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

const serveUsage = `usage: esinterrupt serve [--addr 127.0.0.1:8080] [--access-key-id ID --access-key-secret S
       [--security-token T]] [--instance ID=STATUS]... [--admin] [--idempotency-ttl D]
       [--throttle N/s]

Runs the reference InterruptElasticsearchTask server. It logs the address it listens on
(with --addr HOST:0 the system picks the port) and one line per request to stderr, and
shuts down gracefully on SIGINT or SIGTERM, within 5 seconds.

Without --access-key-id, signatures are not checked. STATUS is one of active, activating,
inactive, invalid, suspended; only activating instances can be interrupted. --admin serves
the fixture API under /-/admin/ (GET instances; GET, PUT and DELETE instances/{id}).

flags:
`

// shutdownGrace bounds the graceful shutdown: requests still running after it are cut off.
const shutdownGrace = 5 * time.Second

// runServe is the `serve` subcommand: the reference server on a TCP address until ctx ends.
func runServe(ctx context.Context, args []string, _ func(string) string, _, stderr io.Writer) int {
	fs := flag.NewFlagSet("esinterrupt serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, serveUsage)
		fs.PrintDefaults()
	}
	var (
		instances instanceFlag
		rate      rateFlag
		addr      = fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
		keyID     = fs.String("access-key-id", "", "AccessKeyId requests must be signed with (default: no signature check)")
		secret    = fs.String("access-key-secret", "", "AccessKeySecret of --access-key-id")
		token     = fs.String("security-token", "", "STS security token that goes with the key, if it is temporary")
		admin     = fs.Bool("admin", false, "serve the fixture API under "+server.AdminPrefix)
		ttl       = fs.Duration("idempotency-ttl", server.DefaultIdempotencyTTL, "how long a clientToken is remembered")
	)
	fs.Var(&instances, "instance", "seed an instance, `ID=STATUS` (repeatable)")
	fs.Var(&rate, "throttle", "rate limit per access key, `N/s` (default: none)")
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
	case (*keyID == "") != (*secret == ""):
		return usageErr("--access-key-id and --access-key-secret go together")
	case *token != "" && *keyID == "":
		return usageErr("--security-token needs --access-key-id and --access-key-secret")
	case *ttl <= 0:
		return usageErr("--idempotency-ttl must be positive")
	}

	logger := slog.New(slog.NewTextHandler(stderr, nil))
	cfg := server.Config{
		Instances:      instances.seed,
		IdempotencyTTL: *ttl,
		Throttle:       float64(rate),
		Admin:          *admin,
		Logger:         logger,
	}
	if *keyID != "" {
		cfg.Credentials = []signing.Credentials{{AccessKeyID: *keyID, AccessKeySecret: *secret, SecurityToken: *token}}
	}
	srv, err := server.New(cfg)
	if err != nil {
		return usageErr("%v", err)
	}

	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", *addr)
	if err != nil {
		fmt.Fprintf(stderr, "esinterrupt serve: %v\n", err)
		return exitFail
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		// "OPTIONS *" would otherwise get net/http's own empty 200, not an answer of the server.
		DisableGeneralOptionsHandler: true,
		ErrorLog:                     slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	logger.Info("listening",
		slog.String("addr", ln.Addr().String()),
		slog.Bool("signatures", len(cfg.Credentials) > 0),
		slog.Bool("admin", cfg.Admin),
		slog.Int("instances", len(cfg.Instances)),
		slog.Float64("throttle_per_second", cfg.Throttle),
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
