package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/spec"
)

const interruptLong = `Calls InterruptElasticsearchTask for INSTANCE_ID at --region's endpoint or --endpoint.

Before anything is sent, the arguments, INSTANCE_ID (the document's InstanceId schema) and the
credentials are checked. Without --client-token a random token is made; it is printed
(ClientToken) on success and on exit status 1, so a failed call can be retried with
--client-token and is then applied at most once.

--output json writes exactly one JSON object to stdout, for success
({"Result", "RequestId", "ClientToken", "HTTPStatus", "Attempts"}) and for every failure
({"Error": "api"|"transport"|"usage", "Message", "ExitCode"}, with "Code", "RequestId", "HostId",
"Recommend", "HTTPStatus", "ClientToken" and "Attempts" when known), so that | jq always works.
--debug writes every request and response to stderr, with the canonical request and the string to
sign; the AccessKeySecret and the security token are redacted.

--unsigned is for a server that checks no signature (esinterrupt serve without credentials): no
credentials are looked up and the request is signed with a throwaway key.

` + credentialsHelp + `
exit codes:
  0  the call succeeded (Result may still be false: the service did not interrupt)
  1  the service answered with an error, or the call failed on the way (network, timeout, an
     unreadable response); the ClientToken is printed
  2  bad flags, arguments or credentials; nothing was sent and no ClientToken is printed
`

// interruptOptions are the parsed flags of interrupt.
type interruptOptions struct {
	token, region, endpoint, network, signature, format, output string
	timeout                                                     time.Duration
	maxAttempts                                                 int
	debug, unsigned                                             bool
	creds                                                       credentialOptions
}

func (a *app) interruptCommand() *cobra.Command {
	o := &interruptOptions{}
	cmd := &cobra.Command{
		Use:   "interrupt INSTANCE_ID",
		Short: "Call InterruptElasticsearchTask",
		Long:  interruptLong,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runInterrupt(cmd.Context(), o, args)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.token, "client-token", "", "idempotency `TOKEN` (ASCII, at most 64 characters); default: a random one")
	fs.StringVar(&o.region, "region", "", "`REGION` id, such as cn-hangzhou")
	fs.StringVar(&o.endpoint, "endpoint", "", "endpoint instead of --region: host:port (HTTPS) or a `URL`")
	fs.StringVar(&o.network, "network", "", "`vpc` for the region's VPC endpoint")
	fs.StringVar(&o.signature, "signature", string(client.SignatureV3), "signature scheme, `v3|roa`")
	fs.StringVar(&o.format, "format", string(client.FormatJSON), "response format to ask for, `json|xml`")
	fs.StringVar(&o.output, "output", "text", "output, `text|json` (json: one object on stdout, failures included)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "time limit of the whole call, retries included (0: none)")
	fs.IntVar(&o.maxAttempts, "max-attempts", client.DefaultMaxAttempts, "most attempts, the first included (1: no retries)")
	fs.BoolVar(&o.debug, "debug", false, "write each request and response to stderr, with the canonical request and string to sign")
	fs.BoolVar(&o.unsigned, "unsigned", false, "look up no credentials: for a server that checks no signature")
	addCredentialFlags(fs, &o.creds)
	return cmd
}

// interruptOutput writes interrupt's results and failures, as text or as one JSON object.
type interruptOutput struct {
	json           bool
	stdout, stderr io.Writer
}

// usage reports a usage or validation error: exit 2, nothing was sent.
func (w interruptOutput) usage(format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if w.json {
		writeJSON(w.stdout, failureJSON{Error: failureUsage, Message: msg, ExitCode: exitUsage})
		return reported(exitUsage)
	}
	fmt.Fprintf(w.stderr, "esinterrupt interrupt: %s\nrun 'esinterrupt interrupt --help' for usage\n", msg)
	return reported(exitUsage)
}

func (a *app) runInterrupt(ctx context.Context, o *interruptOptions, args []string) error {
	out := interruptOutput{json: o.output == "json", stdout: a.stdout, stderr: a.stderr}
	if err := checkInterruptArgs(o, args); err != nil {
		return out.usage("%v", err)
	}
	c, err := a.interruptClient(ctx, o)
	if err != nil {
		return out.usage("%v", err)
	}
	if o.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	if o.debug {
		ctx = client.WithDebug(ctx, a.stderr)
	}
	// The token is made here rather than by the client, so that a failure can print it.
	clientToken := o.token
	if clientToken == "" {
		clientToken = client.NewClientToken()
	}
	res, err := c.InterruptElasticsearchTask(ctx, args[0], &client.InterruptOptions{ClientToken: clientToken})
	if err != nil {
		return out.failure(err, clientToken)
	}
	out.result(res)
	return nil
}

// checkInterruptArgs returns the first usage mistake in interrupt's flags and arguments, or nil.
func checkInterruptArgs(o *interruptOptions, args []string) error {
	switch {
	case len(args) != 1:
		return fmt.Errorf("want exactly one INSTANCE_ID, got %d arguments", len(args))
	case o.region != "" && o.endpoint != "":
		return errors.New("--region and --endpoint are mutually exclusive")
	case o.region == "" && o.endpoint == "":
		return errors.New("--region or --endpoint is required")
	case o.network != "" && o.network != string(client.NetworkVPC):
		return errors.New(`--network must be "vpc", or left out for the public endpoint`)
	case o.network != "" && o.endpoint != "":
		return errors.New("--network goes with --region: --endpoint names the host itself")
	case o.output != "text" && o.output != "json":
		return errors.New(`--output must be "text" or "json"`)
	case o.maxAttempts < 1:
		return errors.New("--max-attempts must be at least 1")
	case o.timeout < 0:
		return errors.New("--timeout must not be negative")
	case o.unsigned && o.creds.explicit():
		return errors.New("--unsigned takes no credentials")
	}
	return checkInstanceID(args[0])
}

// interruptClient makes the client the flags describe; its errors are usage mistakes.
func (a *app) interruptClient(ctx context.Context, o *interruptOptions) (*client.Client, error) {
	creds, warning, err := interruptCredentials(ctx, o, a.getenv)
	if err != nil {
		return nil, err
	}
	if warning != "" {
		// On stderr, so that --output json's stdout stays one object.
		fmt.Fprintf(a.stderr, "esinterrupt interrupt: %s\n", warning)
	}
	c, err := client.New(client.Config{
		RegionID:    o.region,
		Endpoint:    o.endpoint,
		Network:     client.Network(o.network),
		Credentials: creds,
		Signature:   client.SignatureVersion(o.signature),
		Format:      client.Format(o.format),
		Retry:       client.RetryPolicy{MaxAttempts: o.maxAttempts},
	})
	if err != nil {
		return nil, errors.New(plainMessage(err))
	}
	return c, nil
}

// result prints a success: one JSON object with --output json, otherwise one field a line.
func (w interruptOutput) result(res *client.InterruptResult) {
	if w.json {
		writeJSON(w.stdout, struct {
			Result      bool
			RequestID   string `json:"RequestId"`
			ClientToken string
			HTTPStatus  int
			Attempts    int
		}{res.Result, res.RequestID, res.ClientToken, res.HTTPStatus, res.Attempts})
		return
	}
	fmt.Fprintf(w.stdout, "Result: %t\nRequestId: %s\nClientToken: %s\n", res.Result, res.RequestID, res.ClientToken)
}

// interruptCredentials picks the call's credentials (credentialsHelp), or a throwaway key with
// --unsigned, and the warning to print about where they came from (a secret given as a flag).
func interruptCredentials(ctx context.Context, o *interruptOptions, getenv func(string) string) (client.Credentials, string, error) {
	if o.unsigned {
		return client.StaticCredentials{AccessKeyID: "unsigned", AccessKeySecret: ids.Hex(16)}, "", nil
	}
	found, err := resolveCredentials(ctx, &o.creds, getenv)
	if errors.Is(err, errNoSource) {
		return nil, "", fmt.Errorf("%v (for a server that checks no signature, use --unsigned)", err)
	}
	if err != nil {
		return nil, "", err
	}
	return found.creds, found.warning, nil
}

// checkInstanceID refuses an id the document's InstanceId schema refuses (its pattern and
// lengths, read from the document), so that such an id is never sent.
func checkInstanceID(id string) error {
	doc, err := spec.Load()
	if err != nil {
		return err
	}
	ref := doc.Components.Schemas["InstanceId"]
	if ref == nil || ref.Value == nil {
		return errors.New("the document has no InstanceId schema")
	}
	s := ref.Value
	if s.VisitJSON(id) == nil {
		return nil
	}
	// The schema's own error quotes the whole schema; say what is wanted once.
	lengths := ""
	if s.MaxLength != nil {
		lengths = strconv.FormatUint(s.MinLength, 10) + " to " + strconv.FormatUint(*s.MaxLength, 10) + " characters "
	}
	return fmt.Errorf("invalid InstanceId %q: want %smatching %s", id, lengths, s.Pattern)
}

// The kinds of failure in --output json's "Error".
const (
	failureAPI       = "api"       // the service answered with an error code
	failureTransport = "transport" // no usable response: network, timeout, an unreadable response
	failureUsage     = "usage"     // bad flags, arguments or credentials; nothing was sent
)

// failureJSON is --output json's object for a failure.
type failureJSON struct {
	Error       string
	Message     string
	Code        string `json:",omitempty"`
	RequestID   string `json:"RequestId,omitempty"`
	HostID      string `json:"HostId,omitempty"`
	Recommend   string `json:",omitempty"`
	HTTPStatus  int    `json:",omitempty"`
	ClientToken string `json:",omitempty"`
	Attempts    int    `json:",omitempty"`
	// RetryAfter and RetryAt say when a throttled call may be made again (Go duration, RFC 3339).
	RetryAfter string `json:",omitempty"`
	RetryAt    string `json:",omitempty"`
	ExitCode   int
}

// failure reports a failed call and picks the exit status: 2 for an argument the client refused
// before sending, 1 for everything else, with the clientToken the call carried to retry it.
func (w interruptOutput) failure(err error, clientToken string) error {
	var verr *client.ValidationError
	if errors.As(err, &verr) {
		return w.usage("%s", plainMessage(err))
	}
	f := failureJSON{Error: failureTransport, Message: plainMessage(err), ClientToken: clientToken, ExitCode: exitFail}
	var callErr *client.CallError
	if errors.As(err, &callErr) {
		f.Attempts = callErr.Attempts
	}
	var throttled *client.ThrottledError
	if errors.As(err, &throttled) {
		f.RetryAfter, f.RetryAt = throttled.RetryAfter.String(), throttled.RetryAt.UTC().Format(time.RFC3339)
	}
	var apiErr *client.APIError
	var unexpected *client.UnexpectedResponseError
	switch {
	case errors.As(err, &apiErr):
		f.Error, f.Code, f.Message, f.RequestID, f.HostID, f.Recommend, f.HTTPStatus =
			failureAPI, apiErr.Code, apiErr.Message, apiErr.RequestID, apiErr.HostID, apiErr.Recommend, apiErr.HTTPStatus
	case errors.As(err, &unexpected):
		f.HTTPStatus, f.RequestID = unexpected.HTTPStatus, unexpected.RequestID
	}
	switch {
	case w.json:
		writeJSON(w.stdout, f)
	case f.Error == failureAPI:
		fmt.Fprintf(w.stderr, "Code: %s\nMessage: %s\nRequestId: %s\n", f.Code, f.Message, f.RequestID)
		if f.HostID != "" {
			fmt.Fprintf(w.stderr, "HostId: %s\n", f.HostID)
		}
		fmt.Fprintf(w.stderr, "HTTPStatus: %d\n", f.HTTPStatus)
		if f.Recommend != "" {
			fmt.Fprintf(w.stderr, "Recommend: %s\n", f.Recommend)
		}
		w.textTail(f)
	default:
		fmt.Fprintf(w.stderr, "esinterrupt interrupt: %s\n", f.Message)
		w.textTail(f)
	}
	return reported(exitFail)
}

// textTail ends a text failure report: the attempts made, when a throttled call may be retried,
// and the ClientToken to retry it with.
func (w interruptOutput) textTail(f failureJSON) {
	if f.Attempts > 0 {
		fmt.Fprintf(w.stderr, "Attempts: %d\n", f.Attempts)
	}
	if f.RetryAfter != "" {
		fmt.Fprintf(w.stderr, "RetryAfter: %s (at %s)\n", f.RetryAfter, f.RetryAt)
	}
	fmt.Fprintf(w.stderr, "ClientToken: %s\n", f.ClientToken)
}

// writeJSON writes v as one indented JSON object, URLs unescaped.
func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// wantsJSON reports whether args ask for --output json, for errors cobra reports before the flags
// are all parsed.
func wantsJSON(args []string) bool {
	for i, arg := range args {
		if arg == "--" {
			return false
		}
		if arg == "--output=json" || (arg == "--output" && i+1 < len(args) && args[i+1] == "json") {
			return true
		}
	}
	return false
}

// plainMessage is err's message said once (oneMessage), with Config field names turned into the
// flags that set them.
func plainMessage(err error) string {
	return strings.NewReplacer(
		"Config.RegionID", "--region",
		"Config.Endpoint", "--endpoint",
		"Config.Network", "--network",
		"Config.Signature", "--signature",
		"Config.Format", "--format",
		"Config.Retry.MaxAttempts", "--max-attempts",
		"Config.Credentials", "credentials",
	).Replace(strings.ReplaceAll(oneMessage(err.Error()), "\n", "; "))
}

// packagePrefixes are the prefixes this module's packages start their errors with; wrapped in
// one another they repeat ("server: Config.Instances: server: invalid instance id").
var packagePrefixes = []string{"client: ", "server: ", "spec: ", "contract: "}

// oneMessage says msg once: without package prefixes at the start of a line or after ": ", and
// without the schema and value kin-openapi appends to a schema error.
func oneMessage(msg string) string {
	if i := strings.Index(msg, "\nSchema:\n"); i >= 0 {
		msg = msg[:i]
	}
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	for i, l := range lines {
		for _, p := range packagePrefixes {
			l = strings.ReplaceAll(strings.TrimPrefix(l, p), ": "+p, ": ")
		}
		lines[i] = l
	}
	return strings.Join(lines, "\n")
}
