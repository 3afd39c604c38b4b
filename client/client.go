package client

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/es-openapi/interrupt/gen/apiclient"
	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// SignatureVersion selects how requests are signed.
type SignatureVersion string

// The signature schemes the service accepts.
const (
	// SignatureV3 is ACS3-HMAC-SHA256, the current official SDKs' scheme and the default.
	SignatureV3 SignatureVersion = "v3"
	// SignatureROA is the older ROA v1 HMAC-SHA1 scheme, still accepted.
	SignatureROA SignatureVersion = "roa"
)

// Format selects the response format the client asks for (the Accept header). Responses are
// decoded by their Content-Type either way.
type Format string

// The response formats.
const (
	// FormatJSON asks for application/json; the default.
	FormatJSON Format = "json"
	// FormatXML asks for application/xml. XML bodies are read with or without a root element.
	FormatXML Format = "xml"
)

// MaxResponseBodyBytes caps a response body. The client stops reading there and returns a
// *BodyTooLargeError; a real answer is a few hundred bytes.
const MaxResponseBodyBytes = 1 << 20

// Config configures a Client. Only RegionID (or Endpoint) is required; every other zero value
// has a sensible default. New checks the whole Config and reports every problem as a
// *ConfigError.
type Config struct {
	// RegionID, such as "cn-hangzhou", selects https://elasticsearch.<RegionID>.aliyuncs.com
	// (or the VPC endpoint, see Network).
	RegionID string
	// Endpoint overrides RegionID: "host[:port]" (HTTPS) or a URL with scheme, host and port
	// only, such as "http://127.0.0.1:8080" (plain HTTP only when the URL says so).
	Endpoint string
	// Network is NetworkPublic ("", the default) or NetworkVPC ("vpc", the
	// elasticsearch-vpc.<RegionID>.aliyuncs.com endpoint). It applies to RegionID only.
	Network Network
	// Credentials signs the requests; it is asked on every attempt. nil means EnvCredentials
	// (the ALIBABA_CLOUD_* environment variables).
	Credentials Credentials
	// Signature is SignatureV3 ("" means V3) or SignatureROA.
	Signature SignatureVersion
	// Format is FormatJSON ("" means JSON) or FormatXML.
	Format Format
	// HTTPClient sends the requests; its Timeout, if any, bounds each attempt, as
	// Retry.AttemptTimeout always does. nil means a transport of the Client's own with connect,
	// TLS and response-header timeouts, keep-alive and a per-host idle pool, used directly: no
	// redirects are followed and no cookies kept. A timeout of the transport or of the
	// http.Client fails the attempt, which is retried. Bound a whole call with the context.
	HTTPClient *http.Client
	// Retry is the retry policy, the per-attempt time limit (AttemptTimeout) included; the
	// zero value gives the defaults.
	Retry RetryPolicy
	// Logger receives one debug record per attempt (method, path, status, attempt, request id,
	// duration). nil discards. Credentials, the Authorization header and the security token are
	// never logged.
	Logger *slog.Logger
}

// String describes the Config with the credentials redacted.
func (c Config) String() string {
	var b strings.Builder
	b.WriteString("client.Config{RegionID: ")
	b.WriteString(strconv.Quote(c.RegionID))
	b.WriteString(", Endpoint: ")
	b.WriteString(strconv.Quote(redactEndpoint(c.Endpoint)))
	b.WriteString(", Network: ")
	b.WriteString(strconv.Quote(string(c.Network)))
	b.WriteString(", Credentials: ")
	b.WriteString(describeCredentials(c.Credentials))
	b.WriteString(", Signature: ")
	b.WriteString(strconv.Quote(string(c.Signature)))
	b.WriteString(", Format: ")
	b.WriteString(strconv.Quote(string(c.Format)))
	b.WriteString(", HTTPClient: ")
	b.WriteString(setOrNil(c.HTTPClient != nil))
	b.WriteString(", Retry: {MaxAttempts: ")
	b.WriteString(strconv.Itoa(c.Retry.MaxAttempts))
	b.WriteString(", BaseDelay: ")
	b.WriteString(c.Retry.BaseDelay.String())
	b.WriteString(", MaxDelay: ")
	b.WriteString(c.Retry.MaxDelay.String())
	b.WriteString(", MaxElapsed: ")
	b.WriteString(c.Retry.MaxElapsed.String())
	b.WriteString(", AttemptTimeout: ")
	b.WriteString(c.Retry.AttemptTimeout.String())
	b.WriteString("}, Logger: ")
	b.WriteString(setOrNil(c.Logger != nil))
	b.WriteString("}")
	return b.String()
}

// GoString is the %#v form, the same redacted description: fmt's own %#v would print a
// Credentials implementation's fields, secret included.
func (c Config) GoString() string { return c.String() }

// LogValue keeps log/slog handlers from marshalling the credentials.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

func setOrNil(set bool) string {
	if set {
		return "set"
	}
	return "nil"
}

// describeCredentials prints StaticCredentials redacted and any other provider by type only,
// since a provider of unknown shape may hold a secret in any field.
func describeCredentials(c Credentials) string {
	switch v := c.(type) {
	case nil:
		return "nil"
	case StaticCredentials:
		return v.String()
	case *StaticCredentials:
		if v == nil {
			return "(*client.StaticCredentials)(nil)"
		}
		return v.String()
	}
	return fmt.Sprintf("%T", c)
}

// redactEndpoint hides the user information of an endpoint URL, which New refuses anyway.
func redactEndpoint(ep string) string {
	if at := strings.LastIndexByte(ep, '@'); at >= 0 {
		start := 0
		if i := strings.Index(ep, "://"); i >= 0 && i < at {
			start = i + 3
		}
		return ep[:start] + redacted + ep[at:]
	}
	return ep
}

// Client calls InterruptElasticsearchTask. It is safe for concurrent use; create one per
// configuration and reuse it, so connections are pooled.
type Client struct {
	api      *apiclient.ClientWithResponses
	endpoint string
	creds    Credentials
	scheme   signing.Scheme
	accept   []string
	retry    RetryPolicy
	logger   *slog.Logger
	tokens   *tokenRules

	// Hooks that tests replace; they are set by New and never changed afterwards.
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

// New checks cfg and returns a Client. Every problem with cfg is reported, as one *ConfigError
// or several joined with errors.Join; nothing is sent over the network.
func New(cfg Config) (*Client, error) {
	var errs []error
	bad := func(field, reason string) { errs = append(errs, &ConfigError{Field: field, Reason: reason}) }

	if cfg.RegionID != "" {
		if reason := checkRegionID(cfg.RegionID); reason != "" {
			bad("RegionID", reason)
		}
	}
	var endpoint string
	switch cfg.Network {
	case NetworkPublic, NetworkVPC:
	default:
		bad("Network", `must be "" (public) or "vpc"`)
	}
	switch {
	case cfg.Endpoint != "":
		if cfg.Network != NetworkPublic {
			bad("Network", "applies to RegionID only; Endpoint names the host itself")
		}
		var reason string
		if endpoint, reason = parseEndpoint(cfg.Endpoint); reason != "" {
			bad("Endpoint", reason)
		}
	case cfg.RegionID == "":
		bad("RegionID", "RegionID or Endpoint is required")
	default:
		endpoint = regionEndpoint(cfg.RegionID, cfg.Network)
	}

	var scheme signing.Scheme
	switch cfg.Signature {
	case "", SignatureV3:
		scheme = signing.SchemeV3
	case SignatureROA:
		scheme = signing.SchemeROA
	default:
		bad("Signature", `must be "v3" or "roa"`)
	}
	var accept string
	switch cfg.Format {
	case "", FormatJSON:
		accept = spec.MediaTypeJSON
	case FormatXML:
		accept = acceptXML
	default:
		bad("Format", `must be "json" or "xml"`)
	}
	switch v := cfg.Credentials.(type) {
	case nil:
	case StaticCredentials:
		if v.AccessKeyID == "" || v.AccessKeySecret == "" {
			bad("Credentials", "AccessKeyID and AccessKeySecret are both required")
		}
	case *StaticCredentials:
		if v == nil || v.AccessKeyID == "" || v.AccessKeySecret == "" {
			bad("Credentials", "AccessKeyID and AccessKeySecret are both required")
		}
	default:
		// A typed nil (a nil pointer or func in the interface) would panic when asked.
		if rv := reflect.ValueOf(v); isNilable(rv.Kind()) && rv.IsNil() {
			bad("Credentials", fmt.Sprintf("is a nil %T", v))
		}
	}
	errs = append(errs, cfg.Retry.check()...)

	tokens, err := loadTokenRules()
	if err != nil {
		errs = append(errs, err)
	}
	if _, err := spec.LoadCatalogue(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	if len(errs) > 1 {
		return nil, errors.Join(errs...)
	}

	creds := cfg.Credentials
	if creds == nil {
		creds = EnvCredentials{}
	}
	var doer apiclient.HttpRequestDoer = cfg.HTTPClient
	if cfg.HTTPClient == nil {
		doer = transportDoer{rt: defaultTransport()}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	api, err := apiclient.NewClientWithResponses(endpoint,
		apiclient.WithHTTPClient(cappedDoer{next: doer, limit: MaxResponseBodyBytes}))
	if err != nil {
		return nil, &ConfigError{Field: "Endpoint", Reason: "is not usable as a base URL"}
	}
	return &Client{
		api:      api,
		endpoint: endpoint,
		creds:    creds,
		scheme:   scheme,
		accept:   []string{accept},
		retry:    cfg.Retry.withDefaults(),
		logger:   logger,
		tokens:   tokens,
		now:      time.Now,
		sleep:    sleepCtx,
	}, nil
}

// isNilable reports the kinds reflect.Value.IsNil accepts.
func isNilable(k reflect.Kind) bool {
	switch k {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return true
	}
	return false
}

// defaultTransport is a Client's own transport: bounded connect, TLS and header waits, and
// keep-alive with a pool sized for one host.
func defaultTransport() *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   10 * time.Second,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		ExpectContinueTimeout: time.Second,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
	}
}

// transportDoer sends a request with one round trip. The client needs none of what
// http.Client adds (redirects, which would turn the signed POST into a GET, cookies, an
// overall timeout: the context bounds a call), and skipping it saves a copy of the headers per
// attempt. Errors are wrapped in *url.Error as http.Client wraps them.
type transportDoer struct{ rt http.RoundTripper }

// Do makes the round trip.
func (d transportDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.rt.RoundTrip(req)
	if err != nil {
		return nil, &url.Error{Op: urlErrorOp(req.Method), URL: req.URL.Redacted(), Err: err}
	}
	return resp, nil
}

// urlErrorOp is the Op http.Client gives a *url.Error, such as "Post".
func urlErrorOp(method string) string {
	if method == "" {
		return "Get"
	}
	return method[:1] + strings.ToLower(method[1:])
}

// Endpoint returns the base URL the client calls, such as
// "https://elasticsearch.cn-hangzhou.aliyuncs.com".
func (c *Client) Endpoint() string { return c.endpoint }

// String describes the client without its credentials.
func (c *Client) String() string {
	if c == nil {
		return "client.Client(nil)"
	}
	return "client.Client{Endpoint: " + strconv.Quote(c.endpoint) + ", Credentials: " + describeCredentials(c.creds) + "}"
}

// Format makes every fmt verb print String: fmt's own dump of a struct reaches unexported
// fields, the credentials among them, without calling their redacting methods.
func (c *Client) Format(f fmt.State, verb rune) {
	formatRedacted(f, verb, c.String(), c.String())
}

// InterruptOptions are the optional parameters of InterruptElasticsearchTask.
type InterruptOptions struct {
	// ClientToken is the idempotency token: ASCII, at most 64 characters. Empty means the
	// client makes a random UUID-shaped one for the call. Every attempt of one call carries the
	// same token, and reusing it for the same instance later returns the first answer again.
	//
	// To retry a failed call later with the same token, make it with NewClientToken and pass
	// it here; the *CallError of a failed call also names the token its attempts carried.
	ClientToken string
}

// InterruptResult is the answer to a successful call.
type InterruptResult struct {
	// Result is true when the change was interrupted, false when the interrupt failed.
	Result bool
	// RequestID is the body's RequestId, or the x-acs-request-id header when the body has
	// none.
	RequestID string
	// Code and Message are set when the service sends them with a 200 answer, which the
	// official SDK models allow for; they are usually empty.
	Code, Message string
	// ClientToken is the token the call carried: the one given or the one the client made.
	ClientToken string
	// HTTPStatus is the status of the answer.
	HTTPStatus int
	// Header holds the answer's headers.
	Header http.Header
	// Attempts is how many requests the call took.
	Attempts int
}

// call is the state of one logical call, shared by its attempts. It is allocated once per
// call and holds what the attempts would otherwise allocate each time.
type call struct {
	c        *Client
	id       string
	token    string
	path     string // the operation's decoded path, set only when id needs escaping
	rawPath  string // the same path escaped as the official SDKs do it
	params   models.InterruptElasticsearchTaskParams
	editors  [1]apiclient.RequestEditorFn
	redactor redactor // the credentials of the latest attempt, to scrub server text
	editErr  error    // an error of the request editor: the client's own, not the network's
	out      models.InterruptElasticsearchTaskResult
}

// InterruptElasticsearchTask interrupts the change the instance instanceID is applying
// (POST /openapi/instances/{InstanceId}/actions/interrupt). opts may be nil.
//
// The arguments are checked before anything is sent (a *ValidationError names the field). Each
// attempt is signed anew with a fresh date and nonce and the credentials of that moment, and
// carries the same clientToken. Failures that may pass are retried as the Config's RetryPolicy
// says, each attempt bounded by its AttemptTimeout.
//
// Every error after the argument checks is a *CallError naming the clientToken and the number
// of attempts; it wraps the last attempt's error, so errors.As and errors.Is reach the
// rest: an error answer of the service is an *APIError, matched by the Code sentinels with
// errors.Is; a response the client cannot read is an *UnexpectedResponseError or a
// *BodyTooLargeError.
func (c *Client) InterruptElasticsearchTask(ctx context.Context, instanceID string, opts *InterruptOptions) (*InterruptResult, error) {
	if c == nil || c.api == nil {
		return nil, errors.New("client: InterruptElasticsearchTask on a Client not made by New")
	}
	if ctx == nil {
		return nil, errors.New("client: InterruptElasticsearchTask with a nil Context")
	}
	if err := checkInstanceID(instanceID); err != nil {
		return nil, err
	}
	var token string
	if opts != nil {
		token = opts.ClientToken
	}
	if err := c.tokens.check(token); err != nil {
		return nil, err
	}
	if token == "" {
		token = NewClientToken()
	}
	st := &call{c: c, id: instanceID, token: token}
	st.params.ClientToken = &st.token
	st.editors[0] = st.edit
	// The generated client escapes the id with url.PathEscape, which agrees with the SDKs'
	// escaping except that it leaves "$&+:=@" as they are; only such ids need the path set here.
	if strings.ContainsAny(instanceID, pathEscapeKeeps) {
		st.path = pathPrefix + instanceID + pathSuffix
		st.rawPath = pathPrefix + escapePathSegment(instanceID) + pathSuffix
	}

	start := time.Now()
	for attempt := 1; ; attempt++ {
		began := time.Now()
		// The attempt's own limit covers reading the body too: parse runs inside do, and the
		// transport ends a body read when the request's context ends.
		actx, cancel := context.WithTimeout(ctx, c.retry.AttemptTimeout)
		res, err := st.do(actx)
		cancel()
		took := time.Since(began)
		if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) &&
			errors.Is(err, context.DeadlineExceeded) {
			err = &attemptTimeoutError{limit: c.retry.AttemptTimeout, err: err}
		}
		if err == nil {
			res.ClientToken = token
			res.Attempts = attempt
			c.logAttempt(ctx, st, attempt, took, res.HTTPStatus, res.RequestID, nil, -1)
			return res, nil
		}
		wait := time.Duration(-1)
		if attempt < c.retry.MaxAttempts && retryable(ctx, err) {
			if d := c.retry.backoff(attempt, err); c.canWait(ctx, start, d) {
				wait = d
			}
		}
		status, requestID := describeFailure(err)
		c.logAttempt(ctx, st, attempt, took, status, requestID, err, wait)
		if wait < 0 {
			return nil, &CallError{ClientToken: token, Attempts: attempt, Err: err}
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			return nil, &CallError{ClientToken: token, Attempts: attempt,
				Err: fmt.Errorf("client: %w while waiting to retry; attempt %d failed: %w", serr, attempt, err)}
		}
	}
}

// canWait reports whether a wait of d still ends within the policy's MaxElapsed and before the
// context's deadline; otherwise retrying is pointless.
func (c *Client) canWait(ctx context.Context, start time.Time, d time.Duration) bool {
	end := time.Now().Add(d)
	if end.Sub(start) > c.retry.MaxElapsed {
		return false
	}
	if dl, ok := ctx.Deadline(); ok && !end.Before(dl) {
		return false
	}
	return true
}

// do makes one attempt through the generated client.
func (st *call) do(ctx context.Context) (*InterruptResult, error) {
	st.editErr = nil
	resp, err := st.c.api.InterruptElasticsearchTask(ctx, st.id, &st.params, st.editors[:]...)
	if err != nil {
		if st.editErr != nil {
			return nil, st.editErr
		}
		var uerr *url.Error
		if errors.As(err, &uerr) {
			return nil, &networkError{err: err}
		}
		return nil, err
	}
	return st.c.parse(resp, st.redactor, &st.out)
}

// edit is the request editor of an attempt: it sets the escaping of the path and query the
// official SDKs use, sets Accept and signs.
// The generated client runs it on every attempt, so every attempt is signed anew.
func (st *call) edit(ctx context.Context, req *http.Request) error {
	c := st.c
	if st.rawPath != "" {
		req.URL.Path = st.path
		req.URL.RawPath = st.rawPath
	}
	// The generated client form-encodes the query ('+' for a space); the official SDKs send
	// %20, which is also what the signature covers. A literal '+' is %2B here, so every '+' is
	// a space.
	if strings.IndexByte(req.URL.RawQuery, '+') >= 0 {
		req.URL.RawQuery = strings.ReplaceAll(req.URL.RawQuery, "+", "%20")
	}
	req.Header["Accept"] = c.accept
	// No Idempotency-Key marker: with one, Go's transport would replay a request the server may
	// already have seen, nonce and all, and a replay cache refuses that. The client's own retry
	// signs anew instead.
	creds, err := c.creds.Retrieve(ctx)
	if err != nil {
		st.editErr = fmt.Errorf("client: credentials: %w", err)
		return st.editErr
	}
	st.redactor = newRedactor(creds, "")
	err = signing.Sign(req, c.scheme, signing.Credentials{
		AccessKeyID:     creds.AccessKeyID,
		AccessKeySecret: creds.AccessKeySecret,
		SecurityToken:   creds.SecurityToken,
	}, c.now(), newNonce())
	if err != nil {
		st.editErr = fmt.Errorf("client: sign the request: %w", err)
		return st.editErr
	}
	if auth := req.Header["Authorization"]; len(auth) == 1 {
		st.redactor = newRedactor(creds, auth[0])
	}
	return nil
}

// acceptXML is the Accept header of FormatXML. The service and the reference server answer it
// with XML labelled text/xml;charset=utf-8 (spec.MediaTypeXMLWire); the request keeps the
// media type it has always sent, so signatures over Accept (ROA v1) stay as they were.
const acceptXML = "application/xml"

// mediaKind classifies a Content-Type.
type mediaKind int

const (
	mediaOther mediaKind = iota
	mediaJSON
	mediaXML
)

// kindOf reads the media type of a Content-Type header: application/json, or any XML media type
// (text/xml;charset=utf-8 as the service labels it, application/xml, +xml; spec.IsXMLMediaType).
// Parameters such as charset are ignored.
func kindOf(contentType string) mediaKind {
	mt, _, _ := strings.Cut(contentType, ";")
	switch {
	case strings.EqualFold(strings.TrimSpace(mt), spec.MediaTypeJSON):
		return mediaJSON
	case spec.IsXMLMediaType(contentType):
		return mediaXML
	}
	return mediaOther
}

// decode reads body into v by kind; XML may come with or without a root element.
func decode(kind mediaKind, body []byte, v any) error {
	if kind == mediaXML {
		return spec.UnmarshalXML(body, v)
	}
	return json.Unmarshal(body, v)
}

// parse turns a response into a result or a typed error, decoding a success into out. The
// body was capped by cappedDoer.
func (c *Client) parse(resp *http.Response, red redactor, out *models.InterruptElasticsearchTaskResult) (*InterruptResult, error) {
	body, err := readBody(resp)
	if err != nil {
		var big *BodyTooLargeError
		if errors.As(err, &big) {
			return nil, &BodyTooLargeError{Limit: big.Limit, HTTPStatus: resp.StatusCode}
		}
		// The answer was cut short: a network failure like one before the response. Retrying
		// is safe because every attempt carries the same clientToken, so a success whose body
		// was lost is replayed rather than applied twice.
		return nil, &networkError{err: fmt.Errorf("read the response body (HTTP %d): %w", resp.StatusCode, err)}
	}
	contentType := resp.Header.Get("Content-Type")
	headerID := resp.Header.Get("X-Acs-Request-Id")
	unexpected := func(reason, cause error) error {
		return &UnexpectedResponseError{
			HTTPStatus:  resp.StatusCode,
			ContentType: contentType,
			RequestID:   red.redactID(headerID),
			Excerpt:     red.excerpt(body),
			Reason:      reason,
			Err:         cause,
		}
	}
	success := resp.StatusCode >= 200 && resp.StatusCode < 300
	if !success && (resp.StatusCode < 400 || resp.StatusCode > 599) {
		return nil, unexpected(ErrUnexpectedStatus, nil)
	}
	kind := kindOf(contentType)
	if kind == mediaOther {
		return nil, unexpected(ErrUndocumentedContentType, nil)
	}
	if success {
		*out = models.InterruptElasticsearchTaskResult{}
		if err := decode(kind, body, out); err != nil {
			return nil, unexpected(ErrMalformedBody, err)
		}
		if out.RequestId == "" {
			// As on the error path, the x-acs-request-id header stands in for a body without a
			// RequestId, but only for a body that does answer: one that holds a Result. Without
			// that check any 2xx page a proxy sends (an empty object, HTML read as XML) would
			// pass for a failed interrupt.
			if headerID == "" {
				return nil, unexpected(ErrMalformedBody, errNoRequestID)
			}
			var probe struct {
				Result *bool `json:"Result" xml:"Result"`
			}
			if err := decode(kind, body, &probe); err != nil || probe.Result == nil {
				return nil, unexpected(ErrMalformedBody, errNoResult)
			}
			out.RequestId = headerID
		}
		res := &InterruptResult{
			Result:     out.Result,
			RequestID:  out.RequestId,
			HTTPStatus: resp.StatusCode,
			Header:     resp.Header,
		}
		if out.Code != nil {
			res.Code = *out.Code
		}
		if out.Message != nil {
			res.Message = *out.Message
		}
		return res, nil
	}
	var e models.Error
	if err := decode(kind, body, &e); err != nil {
		return nil, unexpected(ErrMalformedBody, err)
	}
	// Code and RequestID are identifiers, never edited (see redactor); the free text is.
	apiErr := &APIError{
		HTTPStatus: resp.StatusCode,
		Code:       red.redactID(e.Code),
		Message:    red.redact(e.Message),
		RequestID:  red.redactID(e.RequestId),
		HostID:     red.redact(e.HostId),
		Header:     resp.Header,
	}
	if e.Recommend != nil {
		apiErr.Recommend = red.redact(*e.Recommend)
	}
	if apiErr.RequestID == "" {
		apiErr.RequestID = red.redactID(headerID)
	}
	return nil, apiErr
}

var (
	errNoRequestID = errors.New("neither the body nor the x-acs-request-id header has a RequestId")
	errNoResult    = errors.New("the body has neither a RequestId nor a Result")
)

// readBody reads a whole (capped) body and closes it. With a known length it reads into one
// buffer of that size instead of growing one.
func readBody(resp *http.Response) ([]byte, error) {
	defer resp.Body.Close()
	if n := resp.ContentLength; n >= 0 && n <= MaxResponseBodyBytes {
		buf := make([]byte, n)
		if _, err := io.ReadFull(resp.Body, buf); err != nil {
			return nil, err
		}
		return buf, nil
	}
	return io.ReadAll(resp.Body)
}

// describeFailure extracts the status and request id of a failed attempt for the log.
func describeFailure(err error) (status int, requestID string) {
	var (
		apiErr   *APIError
		unexpErr *UnexpectedResponseError
		bigErr   *BodyTooLargeError
	)
	switch {
	case errors.As(err, &apiErr):
		return apiErr.HTTPStatus, apiErr.RequestID
	case errors.As(err, &unexpErr):
		return unexpErr.HTTPStatus, unexpErr.RequestID
	case errors.As(err, &bigErr):
		return bigErr.HTTPStatus, ""
	}
	return 0, ""
}

// logAttempt writes the one debug record of an attempt. wait is the pause before the next
// attempt, or negative when there is none. Only the path is logged, never headers or the query.
func (c *Client) logAttempt(ctx context.Context, st *call, attempt int, took time.Duration, status int, requestID string, err error, wait time.Duration) {
	if !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	path := st.rawPath
	if path == "" {
		path = pathPrefix + escapePathSegment(st.id) + pathSuffix
	}
	attrs := make([]slog.Attr, 0, 9)
	attrs = append(attrs,
		slog.String("operation", spec.OperationID),
		slog.String("method", http.MethodPost),
		slog.String("path", path),
		slog.Int("attempt", attempt),
		slog.Int("status", status),
		slog.String("request_id", requestID),
		slog.Duration("duration", took),
	)
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	if wait >= 0 {
		attrs = append(attrs, slog.Duration("retry_in", wait))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "attempt", attrs...)
}

// cappedDoer wraps the HTTP client so every response body is capped before anyone reads it,
// the generated parser included.
type cappedDoer struct {
	next  apiclient.HttpRequestDoer
	limit int64
}

// Do sends req and caps the response body. A declared Content-Length over the cap fails at
// once, without reading.
func (d cappedDoer) Do(req *http.Request) (*http.Response, error) {
	resp, err := d.next.Do(req)
	if err != nil || resp == nil || resp.Body == nil {
		return resp, err
	}
	if resp.ContentLength > d.limit {
		_ = resp.Body.Close()
		return nil, &BodyTooLargeError{Limit: d.limit, HTTPStatus: resp.StatusCode}
	}
	resp.Body = &cappedBody{rc: resp.Body, left: d.limit, limit: d.limit}
	return resp, nil
}

// cappedBody returns a *BodyTooLargeError once more than limit bytes would be read.
type cappedBody struct {
	rc    io.ReadCloser
	left  int64
	limit int64
}

// Read reads at most up to the cap, then fails with a *BodyTooLargeError.
func (b *cappedBody) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, &BodyTooLargeError{Limit: b.limit}
	}
	// One byte past the cap tells a body of exactly limit bytes from a longer one.
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.rc.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n + int(b.left), &BodyTooLargeError{Limit: b.limit}
	}
	return n, err
}

// Close closes the underlying body.
func (b *cappedBody) Close() error { return b.rc.Close() }
