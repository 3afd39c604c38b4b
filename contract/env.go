package contract

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/routers"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

const (
	defaultTimeout  = 10 * time.Second
	maxResponseBody = 1 << 20
)

// Env is what a check runs with: the target, the document, and a record of every status the
// target answered with. One Env serves one run of the catalogue; it is safe for concurrent use.
type Env struct {
	target    Target
	send      sendFunc
	doc       *openapi3.T
	route     *routers.Route
	catalogue *spec.Catalogue
	states    *spec.StateTable
	// interruptible is the state table's successful row: the status an interrupt is valid from,
	// and the status it leaves.
	interruptible spec.Transition

	// consumer and consumerCall are set for a consumer run (NewConsumerEnv).
	consumer     *consumerHarness
	consumerCall func(ctx context.Context, instanceID string) ConsumerOutcome

	negative negativeState
	// run records what this run sent, created and lacked (needs.go).
	run runState

	mu       sync.Mutex
	statuses map[int]int
	codes    map[string]int
}

// NewEnv prepares a run against target. It registers spec's XML body decoder with kin-openapi's
// process-wide openapi3filter registry (for application/xml and text/xml), since the responses are
// validated with openapi3filter.ValidateResponse.
func NewEnv(target Target) (*Env, error) {
	doc, err := spec.Load()
	if err != nil {
		return nil, err
	}
	catalogue, err := spec.LoadCatalogue()
	if err != nil {
		return nil, err
	}
	route, err := spec.OperationRoute(doc)
	if err != nil {
		return nil, err
	}
	states, err := spec.LoadStateTable()
	if err != nil {
		return nil, err
	}
	var interruptible spec.Transition
	for _, row := range states.Rows() {
		if row.Succeeds() {
			interruptible = row
		}
	}
	spec.RegisterXMLBodyDecoder()
	env := &Env{
		states:        states,
		interruptible: interruptible,
		target:        target,
		send:          target.transport(),
		doc:           doc,
		route:         route,
		catalogue:     catalogue,
		statuses:      map[int]int{},
		codes:         map[string]int{},
	}
	if c, ok := target.Fixtures.(requestCounter); ok {
		env.run.fixtureBase = c.Requests()
	}
	return env, nil
}

// Statuses returns how often the target answered with each status so far.
func (e *Env) Statuses() map[int]int {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make(map[int]int, len(e.statuses))
	for k, v := range e.statuses {
		out[k] = v
	}
	return out
}

// requestSpec describes one request a check sends. The zero value is a signed V3 JSON interrupt of no
// instance; checks fill in what they need.
type requestSpec struct {
	method   string         // default POST
	id       string         // InstanceId, escaped as one path segment
	rawPath  string         // an already-escaped path, sent as is (overrides id)
	token    string         // clientToken; "" sends none
	rawQuery string         // an already-encoded query (overrides token)
	xml      bool           // ask for XML
	accept   string         // an Accept header as is (overrides xml)
	noAccept bool           // send no Accept header at all (overrides accept and xml)
	body     []byte         // a request body
	scheme   signing.Scheme // 0: V3 when the target has credentials
	unsigned bool           // send no signature at all
	creds    *signing.Credentials
	date     time.Time // the signing time; zero: now
	nonce    string    // the signature nonce; "": a fresh one
	// signHeaders are set before signing, so the signature covers them.
	signHeaders http.Header
	// rawSign replaces signing.Sign, for requests shaped like another client's.
	rawSign func(*http.Request, signing.Credentials) error
	// edit changes the request after it is signed (a tamper).
	edit func(*http.Request)
	// throttleFinal returns a throttled response instead of waiting and sending again.
	throttleFinal bool
}

// observed is what the target sent back.
type observed struct {
	status int
	header http.Header
	body   []byte
	// result or apiErr holds the decoded body, by status.
	result *models.InterruptElasticsearchTaskResult
	apiErr *models.Error
	// invalid says how the response breaks the document, or is nil.
	invalid error
	// want is the format, or formats, the document allows for the request's Accept header.
	want formatWant
	// nonce is the signature nonce the request carried, "" for none.
	nonce string
}

// code returns the response's error code, or "" for a success.
func (a *observed) code() string {
	if a.apiErr == nil {
		return ""
	}
	return a.apiErr.Code
}

// requestID returns the response's RequestId.
func (a *observed) requestID() string {
	switch {
	case a.result != nil:
		return a.result.RequestId
	case a.apiErr != nil:
		return a.apiErr.RequestId
	}
	return ""
}

func (a *observed) String() string { return a.describe() }

// Flow control: a check's request that the target throttles is sent again after the wait the
// response asks for (at least minThrottleWait, at most maxThrottleWait), for up to throttleBudget,
// so a target with a rate limit is still judged on its behaviour.
const (
	throttleBudget      = 30 * time.Second
	minThrottleWait     = 10 * time.Millisecond
	maxThrottleWait     = 2 * time.Second
	defaultThrottleWait = 200 * time.Millisecond
)

// do sends c and checks the response against the document. A transport failure is an error; a
// response that breaks the document is returned with invalid set, so the caller decides. A
// throttled response is retried (see throttleBudget) unless c.throttleFinal.
func (e *Env) do(ctx context.Context, c requestSpec) (*observed, error) {
	start := time.Now()
	for {
		a, err := e.doOnce(ctx, c)
		if err != nil || c.throttleFinal || !a.throttled() || time.Since(start) > throttleBudget {
			return a, err
		}
		// The next attempt is a new request: a fresh nonce (the target may have recorded this
		// one), and a little jitter so concurrent requests do not return all at once.
		c.nonce = ""
		wait := a.throttleWait()
		wait += time.Duration(rand.Int64N(int64(wait)/2 + 1))
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// throttled reports a flow-control response.
func (a *observed) throttled() bool {
	return a.apiErr != nil && wire.IsThrottling(a.apiErr.Code)
}

// throttleWait is the wait a throttled response asks for: its x-ratelimit-* TimeLeft, bounded.
func (a *observed) throttleWait() time.Duration {
	if wait, ok := a.announcedWait(); ok {
		return min(max(wait, minThrottleWait), maxThrottleWait)
	}
	return defaultThrottleWait
}

// announcedWait is the TimeLeft of a throttled response's x-ratelimit-* header (wire.ParseRateLimit),
// ok false without one.
func (a *observed) announcedWait() (wait time.Duration, ok bool) {
	for _, h := range wire.RateLimitHeaders {
		if rl, ok := wire.ParseRateLimit(a.header.Get(h)); ok {
			return rl.TimeLeft, true
		}
	}
	return 0, false
}

// doOnce sends c once; see do.
func (e *Env) doOnce(ctx context.Context, c requestSpec) (*observed, error) {
	req, sign, err := e.request(ctx, c)
	if err != nil {
		return nil, err
	}
	e.run.requests.Add(1)
	resp, err := e.send(req, sign)
	if err != nil {
		return nil, fmt.Errorf("send %s %s: %w", req.Method, req.URL.RequestURI(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody+1))
	if err != nil {
		return nil, fmt.Errorf("read the response to %s %s: %w", req.Method, req.URL.RequestURI(), err)
	}
	a := &observed{status: resp.StatusCode, header: resp.Header, body: body, want: wantOf(c), nonce: req.Header.Get("x-acs-signature-nonce")}
	e.mu.Lock()
	e.statuses[a.status]++
	e.mu.Unlock()
	if len(body) > maxResponseBody {
		a.invalid = fmt.Errorf("the body is larger than %d bytes", maxResponseBody)
		return a, nil
	}
	a.invalid = e.conform(req, a)
	if a.apiErr != nil {
		e.mu.Lock()
		e.codes[a.apiErr.Code]++
		e.mu.Unlock()
	}
	return a, nil
}

// request builds the HTTP request c describes and the function that signs it once the transport
// has set its host.
func (e *Env) request(ctx context.Context, c requestSpec) (*http.Request, func(*http.Request) error, error) {
	req, err := c.httpRequest(ctx)
	if err != nil {
		return nil, nil, err
	}
	creds := c.creds
	if creds == nil {
		creds = e.target.Credentials
	}
	signer := func(r *http.Request) error {
		for name, values := range c.signHeaders {
			r.Header[name] = values
		}
		if err := c.sign(r, creds); err != nil {
			return err
		}
		if c.edit != nil {
			c.edit(r)
		}
		return nil
	}
	return req, signer, nil
}

// httpRequest builds the unsigned request c describes, addressed to a placeholder origin the
// transport replaces.
func (c requestSpec) httpRequest(ctx context.Context) (*http.Request, error) {
	method := c.method
	if method == "" {
		method = http.MethodPost
	}
	target := c.target()
	// Parsing the target under a placeholder origin keeps an unusual escaping (%2F, %2e) in
	// RawPath and a leading "//" in the path, so both are sent as they are.
	u, err := url.Parse("http://placeholder.invalid" + target)
	if err != nil {
		return nil, fmt.Errorf("build request for %q: %w", target, err)
	}
	var body io.Reader
	if c.body != nil {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://placeholder.invalid/", body)
	if err != nil {
		return nil, err
	}
	req.URL = u
	c.setAccept(req.Header)
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// target is c's path and query, escaped as they are sent.
func (c requestSpec) target() string {
	path := c.rawPath
	if path == "" {
		path = wire.OperationPath(c.id)
	}
	query := c.rawQuery
	if query == "" && c.token != "" {
		query = url.Values{"clientToken": {c.token}}.Encode()
	}
	if query != "" {
		return path + "?" + query
	}
	return path
}

// setAccept sets the Accept header c asks for: JSON unless c says otherwise.
func (c requestSpec) setAccept(h http.Header) {
	switch {
	case c.noAccept:
	case c.accept != "":
		h.Set("Accept", c.accept)
	case c.xml:
		h.Set("Accept", spec.MediaTypeXML)
	default:
		h.Set("Accept", spec.MediaTypeJSON)
	}
}

// sign signs r as c says with creds: not at all when c is unsigned or there are no credentials,
// with c.rawSign when set, otherwise with c's scheme (V3 by default), date and nonce.
func (c requestSpec) sign(r *http.Request, creds *signing.Credentials) error {
	switch {
	case c.unsigned || creds == nil:
		return nil
	case c.rawSign != nil:
		return c.rawSign(r, *creds)
	}
	scheme := c.scheme
	if scheme == 0 {
		scheme = signing.SchemeV3
	}
	date := c.date
	if date.IsZero() {
		date = time.Now()
	}
	nonce := c.nonce
	if nonce == "" {
		nonce = ids.UUID()
	}
	return signAlibaba(r, scheme, *creds, date, nonce)
}

// instance gets an instance in status st, turning a missing fixture into a setup skip, and
// records it for the verdict and for Cleanup.
func (e *Env) instance(ctx context.Context, st Status) (string, error) {
	missing := Needs{Instances: map[Status]int{st: 1}}
	if e.target.Fixtures == nil {
		return "", skipMissing("the target has no fixtures", missing)
	}
	id, err := e.target.Fixtures.Instance(ctx, st)
	if errors.Is(err, ErrNoFixture) {
		return "", skipMissing(err.Error(), missing)
	}
	if err != nil {
		return "", err
	}
	e.noteInstance(st, id)
	return id, nil
}

// statusOf reads an instance's status; ok is false when the fixtures cannot observe it.
func (e *Env) statusOf(ctx context.Context, id string) (Status, bool, error) {
	if e.target.Fixtures == nil {
		return "", false, nil
	}
	st, err := e.target.Fixtures.Status(ctx, id)
	if errors.Is(err, ErrNoFixture) {
		return "", false, nil
	}
	return st, err == nil, err
}

// unknownID returns an id no server has.
func unknownID() string {
	return "es-cn-unknown" + ids.Hex(8)
}

// slug turns a check's name into an ID segment.
func slug(name string) string {
	return strings.ToLower(strings.NewReplacer(" ", "-", "/", "-", "%", "", ".", "").Replace(name))
}

// setBody replaces a request's body.
func setBody(r *http.Request, body []byte) {
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
}

// sortedStatuses lists the keys of m in order.
func sortedStatuses(m map[int]int) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Ints(out)
	return out
}
