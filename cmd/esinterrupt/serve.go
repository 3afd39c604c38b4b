package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

const serveLong = `Runs the reference InterruptElasticsearchTask server. It logs the address it listens on
(with --addr HOST:0 the system picks the port) and one line per request to stderr, and
shuts down gracefully on SIGINT or SIGTERM, within 5 seconds.

Requests must be signed with the AccessKey found as for every command (below); with none found,
signatures are not checked, and 'esinterrupt interrupt --unsigned' calls it.

--instance ID=STATUS seeds an instance; STATUS is one of active, activating, inactive, invalid,
suspended, unknown; only activating instances can be interrupted. --admin serves the fixture API
under /-/admin/ (GET instances; GET, PUT and DELETE instances/{id}; GET, POST and DELETE faults).

--fault SPEC answers matching requests with a catalogue code or a transport fault instead
of the server's own response, after the signature check and without touching any instance.
SPEC is CODE_OR_FAULT[,instance=ID][,count=N][,rate=P][,seed=S][,delay=D][,timeleft=D],
where CODE_OR_FAULT is a catalogue code (such as ServiceUnavailable or Throttling.User),
reset, truncate or delay; for example --fault ServiceUnavailable,count=2. instance=ID limits it
to one InstanceId; count=N spends it after N responses (count=0, the default, never spends it);
rate=P answers with probability P (0, the default, always), drawn from seed=S; delay=D waits
before answering; timeleft=D is the wait a Throttling code's x-ratelimit-* headers announce.

` + credentialsHelp + `
exit codes:
  0  stopped by SIGINT or SIGTERM
  1  the address cannot be listened on, or serving failed
  2  bad flags, arguments or credentials; nothing was served
`

// shutdownGrace bounds the graceful shutdown: requests still running after it are cut off.
const shutdownGrace = 5 * time.Second

// serveOptions are the parsed flags of serve.
type serveOptions struct {
	instances instanceFlag
	rate      rateFlag
	faults    faultFlag
	addr      string
	admin     bool
	ttl       time.Duration
	maxConns  int
	creds     credentialOptions
}

func (a *app) serveCommand() *cobra.Command {
	o := &serveOptions{}
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the reference server",
		Long:  serveLong,
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.runServe(cmd.Context(), o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8080", "`ADDRESS` to listen on, HOST:PORT (port 0: any free port; empty is a usage error)")
	fs.BoolVar(&o.admin, "admin", false, "serve the fixture API under "+server.AdminPrefix)
	fs.DurationVar(&o.ttl, "idempotency-ttl", server.DefaultIdempotencyTTL, "how long a clientToken is remembered")
	fs.IntVar(&o.maxConns, "max-conns", server.DefaultMaxConns, "most connections open at once, idle ones included")
	fs.Var(&o.instances, "instance", "seed an instance, `ID=STATUS` (repeatable)")
	fs.Var(&o.rate, "throttle", "rate limit per access key, `N/s` (default: none)")
	fs.Var(&o.faults, "fault", "respond to matching requests with a code or fault, `SPEC` (repeatable)")
	addCredentialFlags(fs, &o.creds)
	return cmd
}

// runServe runs the reference server on a TCP address until ctx ends.
func (a *app) runServe(ctx context.Context, o *serveOptions) error {
	if err := checkServeFlags(o); err != nil {
		return err
	}
	logger := slog.New(slog.NewTextHandler(a.stderr, nil))
	cfg, err := a.serverConfig(ctx, o, logger)
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	srv, err := server.New(cfg)
	if err != nil {
		return exitf(exitUsage, "%v", err)
	}
	hs, ln, err := server.Listen(ctx, o.addr, srv, server.ListenConfig{
		MaxConns: o.maxConns,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	})
	if err != nil {
		return exitf(exitFail, "%s", err.Error())
	}
	logger.Info("listening",
		slog.String("addr", ln.Addr().String()),
		slog.Bool("signatures", len(cfg.Credentials) > 0),
		slog.Bool("admin", cfg.Admin),
		slog.Int("instances", len(cfg.Instances)),
		slog.Float64("throttle_per_second", cfg.Throttle),
		slog.Int("max_conns", o.maxConns),
	)
	return serveUntilDone(ctx, hs, ln, logger)
}

// checkServeFlags returns serve's first usage mistake as an exit error, or nil.
func checkServeFlags(o *serveOptions) error {
	switch {
	case o.addr == "":
		// net.Listen would take "" as every interface on a random port.
		return exitf(exitUsage, "--addr is empty: give HOST:PORT, such as 127.0.0.1:8080 (the default)")
	case o.ttl <= 0:
		return exitf(exitUsage, "--idempotency-ttl must be positive")
	case o.maxConns <= 0:
		return exitf(exitUsage, "--max-conns must be positive")
	}
	return nil
}

// serverConfig is the server the flags describe, with the credentials found (if any).
func (a *app) serverConfig(ctx context.Context, o *serveOptions, logger *slog.Logger) (server.Config, error) {
	found, err := resolveCredentials(ctx, &o.creds, a.getenv)
	if err != nil && !errors.Is(err, errNoSource) {
		return server.Config{}, err
	}
	cfg := server.Config{
		Instances:      o.instances.seed,
		IdempotencyTTL: o.ttl,
		Throttle:       float64(o.rate),
		Admin:          o.admin,
		Logger:         logger,
		Faults:         o.faults,
	}
	if found != nil {
		if found.warning != "" {
			logger.Warn(found.warning)
		}
		cfg.Credentials = []signing.Credentials{found.signingCredentials()}
	}
	return cfg, nil
}

// serveUntilDone serves on ln until ctx ends, then shuts down within shutdownGrace.
func serveUntilDone(ctx context.Context, hs *http.Server, ln net.Listener, logger *slog.Logger) error {
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err := <-served:
		// Serve returns only on a listener failure here: Shutdown has not been called.
		logger.Error("serving failed", slog.String("error", err.Error()))
		return reported(exitFail)
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
	return nil
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

func (f *instanceFlag) Type() string { return "ID=STATUS" }

func (f *instanceFlag) Set(v string) error {
	id, status, ok := strings.Cut(v, "=")
	if !ok || id == "" {
		return errors.New("want ID=STATUS, such as es-cn-abc=activating")
	}
	if err := checkInstanceID(id); err != nil {
		return err
	}
	st, err := spec.ParseStatus(status)
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

func (f *rateFlag) Type() string { return "N/s" }

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

func (f *faultFlag) Type() string { return "SPEC" }

func (f *faultFlag) Set(v string) error {
	one, err := server.ParseFault(v)
	if err != nil {
		return err
	}
	// The id is checked here, as --instance's is, so that a bad one gets the CLI's message
	// rather than the server's Config error.
	if one.Instance != "" {
		if err := checkInstanceID(one.Instance); err != nil {
			return fmt.Errorf("instance=: %w", err)
		}
	}
	*f = append(*f, one)
	return nil
}
