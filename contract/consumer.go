package contract

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/internal/ids"
	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// LabelConsumer labels the consumer checks.
const LabelConsumer = "consumer"

// Consumer is a client under test. It calls InterruptElasticsearchTask once for instanceID, as an
// application would (retries included, as the client does them), against endpoint (a base URL
// such as "http://127.0.0.1:41234") with creds, and reports what the client surfaced.
type Consumer func(ctx context.Context, endpoint string, creds signing.Credentials, instanceID string) ConsumerOutcome

// ConsumerOutcome is what a client surfaced from one call.
type ConsumerOutcome struct {
	// Result is the success's Result.
	Result bool
	// RequestID is the RequestId the client reported, of the success or of the error.
	RequestID string
	// Code is the error code the client surfaced; "" for a success.
	Code string
	// Err is the error the client returned, nil for a success.
	Err error
	// Is, when set, matches the returned error against a catalogue code the way the client's
	// users do, such as errors.Is(err, client.Code(code)). The checks then require it to match
	// the code answered and no other. nil: the client has no such matching, and Code alone is
	// judged.
	Is func(code string) bool
}

// codeInstanceNotFound is what the reference server answers for an id it does not have.
const codeInstanceNotFound = "InstanceNotFound"

// MaxConsumerAttempts bounds the requests of one call: a client that sends more for one
// call (or retries a lasting failure forever) fails, and its call is cancelled.
const MaxConsumerAttempts = 10

// consumerCallTimeout bounds one call of the consumer.
const consumerCallTimeout = 20 * time.Second

// consumerHarness is the recording, validating reference server a consumer runs against. Every
// response, error responses included, comes from the reference server: the checks ask it for the
// responses they need with faults (server.Fault) scoped to the call's instance id.
type consumerHarness struct {
	srv   *server.Server
	creds signing.Credentials
	doc   *Env

	mu             sync.Mutex
	requests       []recordedRequest
	cancels        map[string]context.CancelFunc // of the running call, by instance id
	stripRequestID map[string]bool               // ids whose successes lose the body's RequestId
}

// recordedRequest is one request the consumer sent, with what was wrong with it and the response
// it got.
type recordedRequest struct {
	instanceID string
	token      string
	nonce      string
	accept     string
	arrived    time.Time
	responded  time.Time
	status     int           // 0: no response (a transport fault)
	timeLeft   time.Duration // the wait a throttled response announced, 0 otherwise
	requestID  string
	problems   []string
}

func newConsumerHarness(env *Env) (*consumerHarness, error) {
	creds := signing.Credentials{AccessKeyID: "LTAIconsumer" + ids.Hex(6), AccessKeySecret: ids.Hex(16)}
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}})
	if err != nil {
		return nil, err
	}
	return &consumerHarness{
		srv: srv, creds: creds, doc: env,
		cancels:        map[string]context.CancelFunc{},
		stripRequestID: map[string]bool{},
	}, nil
}

// ServeHTTP records and checks the request, then lets the reference server respond to it.
func (h *consumerHarness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := recordedRequest{arrived: time.Now(), problems: h.inspect(r)}
	if segs := strings.Split(r.URL.EscapedPath(), "/"); len(segs) == 6 {
		rec.instanceID, _ = url.PathUnescape(segs[3])
	}
	rec.token = r.URL.Query().Get("clientToken")
	rec.nonce = r.Header.Get("x-acs-signature-nonce")
	rec.accept = r.Header.Get("Accept")

	h.mu.Lock()
	strip := h.stripRequestID[rec.instanceID]
	h.mu.Unlock()

	rw := &recordingWriter{ResponseWriter: w}
	if strip {
		h.serveWithoutRequestID(rw, r)
	} else {
		h.srv.ServeHTTP(rw, r)
	}
	rec.responded = time.Now()
	rec.status = rw.status
	rec.requestID = rw.Header().Get("x-acs-request-id")
	if rw.status != 0 {
		rec.timeLeft, _ = (&observed{header: rw.Header()}).announcedWait()
	}

	h.mu.Lock()
	h.requests = append(h.requests, rec)
	n := 0
	for _, c := range h.requests {
		if c.instanceID == rec.instanceID {
			n++
		}
	}
	if cancel := h.cancels[rec.instanceID]; cancel != nil && n > MaxConsumerAttempts {
		cancel()
	}
	h.mu.Unlock()
}

// recordingWriter notes the status written. Unwrap lets the server take the connection over
// for a reset.
type recordingWriter struct {
	http.ResponseWriter
	status int
}

func (w *recordingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recordingWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// xmlRequestID is the RequestId element of an XML success.
var xmlRequestID = regexp.MustCompile(`\s*<RequestId>[^<]*</RequestId>`)

// serveWithoutRequestID passes the reference server's response on with the RequestId taken out
// of its body, so that it is only in the x-acs-request-id header.
func (h *consumerHarness) serveWithoutRequestID(w http.ResponseWriter, r *http.Request) {
	rec := httptest.NewRecorder()
	h.srv.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if strings.HasPrefix(rec.Header().Get("Content-Type"), spec.MediaTypeXML) {
		body = xmlRequestID.ReplaceAll(body, nil)
	} else {
		var fields map[string]json.RawMessage
		if json.Unmarshal(body, &fields) == nil {
			delete(fields, "RequestId")
			body, _ = json.Marshal(fields)
		}
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// inspect lists what is wrong with a request: its signature, its Accept header, and its shape
// against the document.
func (h *consumerHarness) inspect(r *http.Request) []string {
	var problems []string
	lookup := func(id string) (signing.Credentials, bool) { return h.creds, id == h.creds.AccessKeyID }
	if _, err := signing.Verify(r, lookup, signing.VerifyOptions{Now: time.Now()}); err != nil {
		problems = append(problems, "signature: "+err.Error())
	}
	if r.Method != http.MethodPost {
		problems = append(problems, "method "+r.Method+", want POST")
	}
	if p := acceptProblem(r.Header.Values("Accept")); p != "" {
		problems = append(problems, p)
	}
	segment, ok := wire.MatchPath(r.URL.EscapedPath())
	if !ok {
		problems = append(problems, fmt.Sprintf("path %q is not %s with the id as one segment", r.URL.EscapedPath(), wire.Path))
		return problems
	}
	id, err := url.PathUnescape(segment)
	if err != nil {
		problems = append(problems, "InstanceId segment: "+err.Error())
		return problems
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    r,
		PathParams: map[string]string{"InstanceId": id},
		Route:      h.doc.route,
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc},
	}
	if err := openapi3filter.ValidateRequest(r.Context(), input); err != nil {
		problems = append(problems, "request breaks the document: "+err.Error())
	}
	return problems
}

// acceptProblem says why an Accept header does not ask for a format the client can parse: the
// document answers "in JSON or XML as the request's Accept header asks", so a client that
// names neither gets whatever the server prefers, not what it parses.
func acceptProblem(accept []string) string {
	v := strings.ToLower(strings.Join(accept, ","))
	for part := range strings.SplitSeq(v, ",") {
		mediaType, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if mediaType == spec.MediaTypeJSON || spec.IsXMLMediaType(mediaType) {
			return ""
		}
	}
	return fmt.Sprintf("Accept %q names neither %s nor an XML media type: the client does not ask for the format it parses", v, spec.MediaTypeJSON)
}

// calls returns the recorded requests for instanceID.
func (h *consumerHarness) calls(instanceID string) []recordedRequest {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []recordedRequest
	for _, r := range h.requests {
		if r.instanceID == instanceID {
			out = append(out, r)
		}
	}
	return out
}

// fault adds f for instance id to the harness's server.
func (h *consumerHarness) fault(id string, f server.Fault) error {
	f.Instance = id
	_, err := h.srv.AddFault(f)
	return err
}

// newInstance puts a fresh instance with a random id (after prefix) into status st.
func (h *consumerHarness) newInstance(prefix string, st Status) (string, error) {
	id := prefix + ids.Hex(6)
	return id, h.srv.PutInstance(id, st)
}

// NewConsumerEnv prepares a consumer run: a recording, validating reference server on a loopback
// port. Close the returned function when done.
func NewConsumerEnv(consumer Consumer) (*Env, func(), error) {
	env, err := NewEnv(Target{})
	if err != nil {
		return nil, nil, err
	}
	h, err := newConsumerHarness(env)
	if err != nil {
		return nil, nil, err
	}
	ts := httptest.NewServer(h)
	env.consumer = h
	env.consumerCall = func(ctx context.Context, id string) ConsumerOutcome {
		return consumer(ctx, ts.URL, h.creds, id)
	}
	return env, ts.Close, nil
}

// callConsumer runs one call of the consumer for id, cancelled when it sends more than
// MaxConsumerAttempts requests or takes longer than consumerCallTimeout.
func (e *Env) callConsumer(ctx context.Context, id string) ConsumerOutcome {
	ctx, cancel := context.WithTimeout(ctx, consumerCallTimeout)
	defer cancel()
	h := e.consumer
	h.mu.Lock()
	h.cancels[id] = cancel
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.cancels, id)
		h.mu.Unlock()
	}()
	return e.consumerCall(ctx, id)
}

// DescribeConsumer registers the consumer checks inside the caller's Ginkgo suite: consumer is
// run against a recording, validating reference server started for the container.
func DescribeConsumer(consumer Consumer) bool {
	return ginkgo.Describe("InterruptElasticsearchTask consumer contract", ginkgo.Ordered, ginkgo.ContinueOnFailure, func() {
		var env *Env
		ginkgo.BeforeAll(func() {
			var closeFn func()
			var err error
			env, closeFn, err = NewConsumerEnv(consumer)
			gomega.Expect(err).NotTo(gomega.HaveOccurred())
			ginkgo.DeferCleanup(closeFn)
		})
		checks, err := ConsumerChecks()
		if err != nil {
			ginkgo.It("loads the consumer checks", func() { ginkgo.Fail(err.Error()) })
			return
		}
		registerCheckList(checks, func() *Env { return env }, func(Result) {})
	})
}

// RunConsumer runs the consumer checks from a plain `go test`, one subtest per check.
func RunConsumer(t *testing.T, consumer Consumer) {
	t.Helper()
	env, closeFn, err := NewConsumerEnv(consumer)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	checks, err := ConsumerChecks()
	if err != nil {
		t.Fatal(err)
	}
	runSubtests(t, env, checks)
}

// ConsumerChecks returns the consumer checks: a success, every catalogue code surfaced as itself
// (retried when the catalogue marks it retryable, sent once when not), recovery from 503s, a
// throttled response, a reset connection and a truncated response, awkward but valid ids, the
// Accept header, a RequestId only in the header, and every request well-formed and validly
// signed, with one clientToken and fresh nonces across a call's attempts.
func ConsumerChecks() ([]Check, error) {
	catalogue, err := spec.LoadCatalogue()
	if err != nil {
		return nil, err
	}
	check := func(id, title string, run func(context.Context, *Env) error) Check {
		return Check{ID: id, Title: title, Labels: []string{LabelConsumer}, Run: run}
	}
	out := []Check{
		check("consumer/success", "a success is surfaced with Result true and the server's RequestId, after one request", consumerSuccess),
		check("consumer/success/request-id-in-header", "a success whose RequestId is only in x-acs-request-id still reports it", consumerHeaderRequestID),
		check("consumer/error/request-id-in-header", "an error whose RequestId is only in x-acs-request-id still reports it", consumerErrorHeaderRequestID),
		check("consumer/format/accept", "every request asks, with Accept, for JSON or XML", consumerAccept),
		check("consumer/ids/awkward", "valid ids with '*', '.', '_' and upper case reach the server as one path segment", consumerAwkwardIDs),
		check("consumer/retry/unavailable-twice", "two 503 ServiceUnavailable responses, then the success, with one clientToken", recoverFrom(server.Fault{Code: "ServiceUnavailable"}, 2)),
		check("consumer/retry/throttled", "a Throttling.User response asking for 300 ms is retried no sooner", recoverFrom(server.Fault{Code: "Throttling.User", TimeLeft: faultThrottleWait}, 1)),
		check("consumer/retry/reset", "a reset connection is retried with the same clientToken", recoverFrom(server.Fault{Code: server.FaultReset}, 1)),
		check("consumer/retry/truncated", "a response cut short is retried with the same clientToken", recoverFrom(server.Fault{Code: server.FaultTruncate}, 1)),
	}
	codes := make([]string, 0, catalogue.Len())
	for _, entry := range catalogue.Codes() {
		codes = append(codes, entry.Code)
	}
	for _, entry := range catalogue.Codes() {
		retry := "not retried"
		if entry.Retryable {
			retry = "retried, boundedly"
		}
		out = append(out, check("consumer/error/"+entry.Code,
			fmt.Sprintf("a %d %s response is %s and surfaced as %s", entry.Status, entry.Code, retry, entry.Code),
			consumerError(entry, codes)))
	}
	return out, nil
}

// consumerSuccess: one call of an interruptible instance, answered by the server itself.
func consumerSuccess(ctx context.Context, env *Env) error {
	h := env.consumer
	id, err := h.newInstance("es-cn-consumer", env.interruptible.From)
	if err != nil {
		return err
	}
	out := env.callConsumer(ctx, id)
	if out.Err != nil || out.Code != "" || !out.Result {
		return fmt.Errorf("want Result true and no error, got %+v", out)
	}
	if n := len(h.calls(id)); n != 1 {
		return fmt.Errorf("a call answered with success at once took %d requests", n)
	}
	return h.expectWellFormed(id, out)
}

// consumerHeaderRequestID: the success's body loses its RequestId; the header keeps it.
func consumerHeaderRequestID(ctx context.Context, env *Env) error {
	h := env.consumer
	id, err := h.newInstance("es-cn-header", env.interruptible.From)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.stripRequestID[id] = true
	h.mu.Unlock()
	out := env.callConsumer(ctx, id)
	if out.Err != nil || !out.Result {
		return fmt.Errorf("want Result true from a success whose RequestId is in x-acs-request-id only, got %+v", out)
	}
	return h.expectWellFormed(id, out)
}

// consumerErrorHeaderRequestID: an InstanceNotFound whose body lost its RequestId; the header
// keeps it.
func consumerErrorHeaderRequestID(ctx context.Context, env *Env) error {
	h := env.consumer
	id := "es-cn-header" + ids.Hex(6)
	h.mu.Lock()
	h.stripRequestID[id] = true
	h.mu.Unlock()
	out := env.callConsumer(ctx, id)
	if out.Err == nil || out.Code != codeInstanceNotFound {
		return fmt.Errorf("want the error %s from a response whose RequestId is in x-acs-request-id only, got %+v", codeInstanceNotFound, out)
	}
	return h.expectWellFormed(id, out)
}

// consumerAccept: the request of a success names the format the client parses.
func consumerAccept(ctx context.Context, env *Env) error {
	h := env.consumer
	id, err := h.newInstance("es-cn-accept", env.interruptible.From)
	if err != nil {
		return err
	}
	out := env.callConsumer(ctx, id)
	calls := h.calls(id)
	if len(calls) == 0 {
		return errors.New("the client sent no request for the instance")
	}
	for i, c := range calls {
		if p := acceptProblem([]string{c.accept}); p != "" {
			return fmt.Errorf("attempt %d: %s", i+1, p)
		}
	}
	if out.Err != nil || !out.Result {
		return fmt.Errorf("want Result true, got %+v", out)
	}
	return nil
}

// consumerAwkwardIDs: ids the InstanceId pattern allows that a naive path join or escaping
// would change.
func consumerAwkwardIDs(ctx context.Context, env *Env) error {
	h := env.consumer
	suffix := ids.Hex(4)
	for _, id := range []string{
		"es-cn-" + suffix + "****",
		"Es.Cn_" + strings.ToUpper(suffix),
		"X" + suffix + "*._-Z",
	} {
		if err := h.srv.PutInstance(id, env.interruptible.From); err != nil {
			return err
		}
		out := env.callConsumer(ctx, id)
		if err := h.expectWellFormed(id, out); err != nil {
			return fmt.Errorf("id %q: %w", id, err)
		}
		if out.Err != nil || !out.Result {
			return fmt.Errorf("id %q: want Result true, got %+v", id, out)
		}
	}
	return nil
}

// recoverFrom makes a check: the first n requests of a call for an interruptible instance get
// f, then the server answers itself. The call must succeed after exactly n+1 requests with one
// clientToken, leaving the instance interrupted once.
func recoverFrom(f server.Fault, n int) func(context.Context, *Env) error {
	return func(ctx context.Context, env *Env) error {
		h := env.consumer
		id, err := h.newInstance("es-cn-retry", env.interruptible.From)
		if err != nil {
			return err
		}
		f.Count = n
		if err := h.fault(id, f); err != nil {
			return err
		}
		out := env.callConsumer(ctx, id)
		calls := h.calls(id)
		if err := h.expectWellFormed(id, out); err != nil {
			return err
		}
		if out.Err != nil || !out.Result {
			return fmt.Errorf("after %d response(s) %s the client gave up after %d request(s): %+v", n, f.Code, len(calls), out)
		}
		if len(calls) != n+1 {
			return fmt.Errorf("want %d requests (%d answered %s, then the success), got %d", n+1, n, f.Code, len(calls))
		}
		if st, _ := h.srv.Instance(id); st != env.interruptible.To {
			return fmt.Errorf("the instance is %s after the call, want %s", st, env.interruptible.To)
		}
		return nil
	}
}

// consumerError makes the check of one catalogue code: every request of the call gets it. A
// retryable code must be retried (at most MaxConsumerAttempts requests in all), any other sent
// once, and the call must surface the code; codes lists every catalogue code, none of which but
// entry's may match.
func consumerError(entry spec.ErrorCode, codes []string) func(context.Context, *Env) error {
	return func(ctx context.Context, env *Env) error {
		h := env.consumer
		id := "es-cn-inject" + ids.Hex(6)
		f := server.Fault{Code: entry.Code}
		if wire.IsThrottling(entry.Code) {
			f.TimeLeft = faultThrottleWait
		}
		if err := h.fault(id, f); err != nil {
			return err
		}
		out := env.callConsumer(ctx, id)
		calls := h.calls(id)
		switch n := len(calls); {
		case n > MaxConsumerAttempts:
			return fmt.Errorf("the client sent %d requests for one call and was stopped: retries must be bounded (at most %d)", n, MaxConsumerAttempts)
		case n == 0:
			return errors.New("the client sent no request for the instance")
		case entry.Retryable && n < 2:
			return fmt.Errorf("%s is retryable (the catalogue says so), but the client gave up after one request", entry.Code)
		case !entry.Retryable && n != 1:
			return fmt.Errorf("%s is not retryable, but the client sent %d requests", entry.Code, n)
		}
		if err := expectSurfaced(out, entry.Code, codes); err != nil {
			return err
		}
		return h.expectWellFormed(id, out)
	}
}

// expectSurfaced checks that out is the error code and, through the client's own matching,
// no other.
func expectSurfaced(out ConsumerOutcome, code string, codes []string) error {
	if out.Err == nil || out.Code != code {
		return fmt.Errorf("want the error %s, got %+v", code, out)
	}
	if out.Is == nil {
		return nil
	}
	if !out.Is(code) {
		return fmt.Errorf("the error %v does not match %s through the client's own matching (errors.Is)", out.Err, code)
	}
	for _, other := range codes {
		if other != code && out.Is(other) {
			return fmt.Errorf("the error %s also matches %s through the client's own matching", code, other)
		}
	}
	return nil
}

// expectWellFormed checks the requests of one call: each well-formed and validly signed, every
// attempt with the same clientToken and a fresh nonce, none sooner than a throttled response
// asked, and the surfaced RequestId the last one the server sent.
func (h *consumerHarness) expectWellFormed(id string, out ConsumerOutcome) error {
	calls := h.calls(id)
	if len(calls) == 0 {
		return errors.New("the client sent no request for the instance")
	}
	nonces := map[string]bool{}
	for i, c := range calls {
		if len(c.problems) > 0 {
			return fmt.Errorf("attempt %d: %s", i+1, strings.Join(c.problems, "; "))
		}
		if len(calls) > 1 && c.token == "" {
			return fmt.Errorf("attempt %d of %d carried no clientToken: a retried interrupt could act twice", i+1, len(calls))
		}
		if c.token != calls[0].token {
			return fmt.Errorf("attempt %d carried clientToken %q, the first %q: a retry must reuse the token", i+1, c.token, calls[0].token)
		}
		if c.nonce != "" && nonces[c.nonce] {
			return fmt.Errorf("attempt %d reused the signature nonce %q", i+1, c.nonce)
		}
		nonces[c.nonce] = true
		if i > 0 && calls[i-1].timeLeft > 0 {
			if gap := c.arrived.Sub(calls[i-1].responded); gap < calls[i-1].timeLeft {
				return fmt.Errorf("attempt %d came %s after a throttled response that asked for a wait of %s (TimeLeft)", i+1, gap.Round(time.Millisecond), calls[i-1].timeLeft)
			}
		}
	}
	if last := calls[len(calls)-1].requestID; out.RequestID != last {
		return fmt.Errorf("the client surfaced RequestId %q, the server's last response had %q", out.RequestID, last)
	}
	return nil
}
