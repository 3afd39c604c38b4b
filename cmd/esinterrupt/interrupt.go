package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/credentials/aliyun"
)

const interruptUsage = `usage: esinterrupt interrupt INSTANCE_ID [--client-token T] [--region R | --endpoint URL]
       [--network vpc] [--signature v3|roa] [--format json|xml] [--output text|json]
       [--timeout D] [--max-attempts N] [--profile NAME]

Calls InterruptElasticsearchTask for INSTANCE_ID. Credentials come from
ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and, for STS,
ALIBABA_CLOUD_SECURITY_TOKEN; when those are unset, or with --profile, from a
profile of the aliyun CLI's configuration file (ALIBABA_CLOUD_CONFIG_FILE or
~/.aliyun/config.json; the profile named by --profile, ALIBABA_CLOUD_PROFILE or
the file's current one). Exit status: 0 success, 1 API or transport error,
2 usage or validation error (nothing was sent). Without --client-token a random
token is made; it is printed (ClientToken) on success and on exit status 1, so a
failed call can be retried with --client-token and is then applied at most once.

flags:
`

// runInterrupt is the `interrupt` subcommand: one call through the typed client.
func runInterrupt(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("esinterrupt interrupt", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, interruptUsage)
		fs.PrintDefaults()
	}
	var (
		token       = fs.String("client-token", "", "idempotency token (ASCII, at most 64 characters); default: a random one")
		region      = fs.String("region", "", "region id, such as cn-hangzhou")
		endpoint    = fs.String("endpoint", "", "endpoint: host:port (HTTPS) or a URL; instead of --region")
		network     = fs.String("network", "", `"vpc" for the region's VPC endpoint`)
		signature   = fs.String("signature", string(client.SignatureV3), "signature scheme: v3 or roa")
		format      = fs.String("format", string(client.FormatJSON), "response format to ask for: json or xml")
		output      = fs.String("output", "text", "output: text or json")
		timeout     = fs.Duration("timeout", 30*time.Second, "time limit of the whole call, retries included (0: none)")
		maxAttempts = fs.Int("max-attempts", client.DefaultMaxAttempts, "most attempts, the first included (1: no retries)")
		profile     = fs.String("profile", "", "sign with this profile of the aliyun CLI's configuration file")
	)
	positional, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		return exitUsage // the flag package has printed the problem and the usage
	}

	usageErr := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "esinterrupt interrupt: "+format+"\n", a...)
		fmt.Fprintln(stderr, "run 'esinterrupt interrupt -h' for usage")
		return exitUsage
	}
	switch {
	case len(positional) != 1:
		return usageErr("want exactly one INSTANCE_ID, got %d arguments", len(positional))
	case *region != "" && *endpoint != "":
		return usageErr("--region and --endpoint are mutually exclusive")
	case *region == "" && *endpoint == "":
		return usageErr("--region or --endpoint is required")
	case *output != "text" && *output != "json":
		return usageErr(`--output must be "text" or "json"`)
	case *maxAttempts < 1:
		return usageErr("--max-attempts must be at least 1")
	case *timeout < 0:
		return usageErr("--timeout must not be negative")
	}

	creds, err := interruptCredentials(ctx, *profile, getenv)
	if err != nil {
		return usageErr("%v", err)
	}
	c, err := client.New(client.Config{
		RegionID:    *region,
		Endpoint:    *endpoint,
		Network:     client.Network(*network),
		Credentials: creds,
		Signature:   client.SignatureVersion(*signature),
		Format:      client.Format(*format),
		Retry:       client.RetryPolicy{MaxAttempts: *maxAttempts},
	})
	if err != nil {
		return usageErr("%s", flagNames(err.Error()))
	}

	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	// The token is made here rather than by the client, so that a failure can print it.
	clientToken := *token
	if clientToken == "" {
		clientToken = client.NewClientToken()
	}
	res, err := c.InterruptElasticsearchTask(ctx, positional[0], &client.InterruptOptions{ClientToken: clientToken})
	if err != nil {
		return reportInterruptError(err, clientToken, *output, stderr)
	}
	if *output == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(struct {
			Result      bool
			RequestID   string `json:"RequestId"`
			ClientToken string
			HTTPStatus  int
			Attempts    int
		}{res.Result, res.RequestID, res.ClientToken, res.HTTPStatus, res.Attempts})
		return exitOK
	}
	fmt.Fprintf(stdout, "Result: %t\nRequestId: %s\nClientToken: %s\n", res.Result, res.RequestID, res.ClientToken)
	return exitOK
}

// interruptCredentials picks the credentials of a call and checks that they can be had: the
// environment's, unless they are unset or a profile is named; then the aliyun CLI profile.
func interruptCredentials(ctx context.Context, profile string, getenv func(string) string) (client.Credentials, error) {
	env := client.EnvCredentials{Getenv: getenv}
	_, envErr := env.Retrieve(ctx)
	if profile == "" && envErr == nil {
		return env, nil
	}
	// The file and the profile are looked up here, with getenv, rather than by credentials-go
	// in the process environment.
	file := getenv("ALIBABA_CLOUD_CONFIG_FILE")
	if file == "" {
		home := getenv("HOME")
		if home == "" {
			home = getenv("USERPROFILE")
		}
		if home == "" {
			return nil, fmt.Errorf("%v, and there is no home directory to find the aliyun CLI's configuration in", envErr)
		}
		file = filepath.Join(home, ".aliyun", "config.json")
	}
	if _, err := os.Stat(file); profile == "" && errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%v, and there is no aliyun CLI configuration file %s", envErr, file)
	}
	if profile == "" {
		profile = getenv("ALIBABA_CLOUD_PROFILE")
	}
	p, err := aliyun.CLIProfile(file, profile)
	if err == nil {
		_, err = p.Retrieve(ctx)
	}
	if err != nil {
		return nil, err
	}
	return p, nil
}

// reportInterruptError prints a failed call and picks the exit status: 2 for an argument the
// client refused before sending, 1 for everything else. With status 1 it prints the clientToken
// the call carried, to retry it with --client-token.
func reportInterruptError(err error, clientToken, output string, stderr io.Writer) int {
	var verr *client.ValidationError
	if errors.As(err, &verr) {
		fmt.Fprintf(stderr, "esinterrupt interrupt: %v\n", err)
		return exitUsage
	}
	var apiErr *client.APIError
	if !errors.As(err, &apiErr) {
		fmt.Fprintf(stderr, "esinterrupt interrupt: %v\nClientToken: %s\n", err, clientToken)
		return exitFail
	}
	if output == "json" {
		enc := json.NewEncoder(stderr)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(struct {
			Code        string
			Message     string
			RequestID   string `json:"RequestId"`
			HostID      string `json:"HostId,omitempty"`
			Recommend   string `json:",omitempty"`
			HTTPStatus  int
			ClientToken string
		}{apiErr.Code, apiErr.Message, apiErr.RequestID, apiErr.HostID, apiErr.Recommend, apiErr.HTTPStatus, clientToken})
		return exitFail
	}
	fmt.Fprintf(stderr, "Code: %s\nMessage: %s\nRequestId: %s\nHTTPStatus: %d\n",
		apiErr.Code, apiErr.Message, apiErr.RequestID, apiErr.HTTPStatus)
	if apiErr.Recommend != "" {
		fmt.Fprintf(stderr, "Recommend: %s\n", apiErr.Recommend)
	}
	fmt.Fprintf(stderr, "ClientToken: %s\n", clientToken)
	return exitFail
}

// parseInterleaved parses flags placed before, between or after the positional arguments
// (the flag package alone stops at the first positional one). After "--" everything is
// positional.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(positional, rest...), nil
		}
		if len(rest) == 0 {
			return positional, nil
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
}

// flagNames rewrites the Config field names of a client error into the flags that set them.
func flagNames(msg string) string {
	return strings.NewReplacer(
		"Config.RegionID", "--region",
		"Config.Endpoint", "--endpoint",
		"Config.Network", "--network",
		"Config.Signature", "--signature",
		"Config.Format", "--format",
		"Config.Retry.MaxAttempts", "--max-attempts",
		"Config.Credentials", "credentials",
	).Replace(msg)
}
