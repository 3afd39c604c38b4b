package contract

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/es-openapi/interrupt/gen/models"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// LabelConsumer labels the consumer checks.
const LabelConsumer = "consumer"

// Consumer is a client under test. It calls InterruptElasticsearchTask once for instanceID, as an
// application would, against endpoint (a base URL such as "http://127.0.0.1:41234") with creds,
// and reports what the client surfaced.
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
}

// consumerHarness is the recording, validating reference server a consumer runs against. Ids
// registered in inject are answered with a catalogue code's documented example (with a fresh
// RequestId); everything else goes to the reference server.
type consumerHarness struct {
	srv   *server.Server
	creds signing.Credentials
	doc   *Env

	mu       sync.Mutex
	inject   map[string]spec.ErrorCode
	requests []recordedRequest
}

// recordedRequest is one request the consumer sent, with what was wrong with it.
type recordedRequest struct {
	instanceID string
	token      string
	nonce      string
	status     int
	requestID  string
	problems   []string
}

func newConsumerHarness(env *Env) (*consumerHarness, error) {
	creds := signing.Credentials{AccessKeyID: "LTAIconsumer" + randomHex(6), AccessKeySecret: randomHex(16)}
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}})
	if err != nil {
		return nil, err
	}
	return &consumerHarness{srv: srv, creds: creds, doc: env, inject: map[string]spec.ErrorCode{}}, nil
}

// ServeHTTP records and checks the request, then answers it.
func (h *consumerHarness) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := recordedRequest{problems: h.inspect(r)}
	if segs := strings.Split(r.URL.EscapedPath(), "/"); len(segs) == 6 {
		rec.instanceID, _ = url.PathUnescape(segs[3])
	}
	rec.token = r.URL.Query().Get("clientToken")
	rec.nonce = r.Header.Get("x-acs-signature-nonce")

	h.mu.Lock()
	entry, injected := h.inject[rec.instanceID]
	h.mu.Unlock()

	capture := httptest.NewRecorder()
	if injected {
		h.answerWith(capture, r, entry)
	} else {
		h.srv.ServeHTTP(capture, r)
	}
	rec.status = capture.Code
	rec.requestID = capture.Header().Get("x-acs-request-id")
	for k, v := range capture.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(capture.Code)
	_, _ = w.Write(capture.Body.Bytes())

	h.mu.Lock()
	h.requests = append(h.requests, rec)
	h.mu.Unlock()
}

// inspect lists what is wrong with a request: its signature, and its shape against the document.
func (h *consumerHarness) inspect(r *http.Request) []string {
	var problems []string
	lookup := func(id string) (signing.Credentials, bool) { return h.creds, id == h.creds.AccessKeyID }
	if _, err := signing.Verify(r, lookup, signing.VerifyOptions{Now: time.Now()}); err != nil {
		problems = append(problems, "signature: "+err.Error())
	}
	if r.Method != http.MethodPost {
		problems = append(problems, "method "+r.Method+", want POST")
	}
	segs := strings.Split(r.URL.EscapedPath(), "/")
	if len(segs) != 6 || segs[1] != "openapi" || segs[2] != "instances" || segs[4] != "actions" || segs[5] != "interrupt" {
		problems = append(problems, fmt.Sprintf("path %q is not /openapi/instances/{InstanceId}/actions/interrupt with the id as one segment", r.URL.EscapedPath()))
		return problems
	}
	id, err := url.PathUnescape(segs[3])
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

// answerWith writes entry's documented example body, in the requested format, with a fresh
// RequestId and, for flow control, headers that ask for a 1 ms wait.
func (h *consumerHarness) answerWith(w http.ResponseWriter, r *http.Request, entry spec.ErrorCode) {
	body := models.Error{
		RequestId: newUUID(),
		HostId:    "elasticsearch.consumer.local",
		Code:      entry.Code,
		Message:   entry.Message,
	}
	asXML := strings.Contains(r.Header.Get("Accept"), "xml")
	var out []byte
	var err error
	if asXML {
		out, err = xmlError(body)
		w.Header().Set("Content-Type", spec.MediaTypeXML)
	} else {
		out, err = json.Marshal(body)
		w.Header().Set("Content-Type", spec.MediaTypeJSON)
	}
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set("x-acs-request-id", body.RequestId)
	if strings.HasPrefix(entry.Code, "Throttling") {
		state := "Limit:1,Remain:0,TimeLeft:1,Reset:" + strconv.FormatInt(time.Now().Unix()+1, 10)
		w.Header().Set("x-ratelimit-user-api", state)
		w.Header().Set("x-ratelimit-user", state)
	}
	w.WriteHeader(entry.Status)
	_, _ = w.Write(out)
}

func xmlError(e models.Error) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	if err := encodeXML(&buf, e, "Error"); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
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

// ConsumerChecks returns the consumer checks: a success, every catalogue code surfaced as itself,
// and every request the client sent well-formed and validly signed.
func ConsumerChecks() ([]Check, error) {
	catalogue, err := spec.LoadCatalogue()
	if err != nil {
		return nil, err
	}
	out := []Check{{
		ID:     "consumer/success",
		Title:  "a success is surfaced with Result true and the server's RequestId",
		Labels: []string{LabelConsumer},
		Run: func(ctx context.Context, env *Env) error {
			id := "es-cn-consumer" + randomHex(6)
			if err := env.consumer.srv.PutInstance(id, env.interruptible.From); err != nil {
				return err
			}
			out := env.callConsumer(ctx, id)
			if out.Err != nil || out.Code != "" || !out.Result {
				return fmt.Errorf("want Result true and no error, got %+v", out)
			}
			return env.consumer.expectWellFormed(id, out)
		},
	}}
	for _, entry := range catalogue.Codes() {
		entry := entry
		out = append(out, Check{
			ID:     "consumer/error/" + entry.Code,
			Title:  fmt.Sprintf("a %d %s answer is surfaced as %s", entry.Status, entry.Code, entry.Code),
			Labels: []string{LabelConsumer},
			Run: func(ctx context.Context, env *Env) error {
				id := "es-cn-inject" + randomHex(6)
				env.consumer.mu.Lock()
				env.consumer.inject[id] = entry
				env.consumer.mu.Unlock()
				out := env.callConsumer(ctx, id)
				if out.Code != entry.Code || out.Err == nil {
					return fmt.Errorf("want the error %s, got %+v", entry.Code, out)
				}
				return env.consumer.expectWellFormed(id, out)
			},
		})
	}
	return out, nil
}

// expectWellFormed checks the requests of one call: each well-formed and validly signed, every
// attempt with the same clientToken and a fresh nonce, and the surfaced RequestId the last one
// the server sent.
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
	}
	if last := calls[len(calls)-1].requestID; out.RequestID != last {
		return fmt.Errorf("the client surfaced RequestId %q, the server's last answer had %q", out.RequestID, last)
	}
	return nil
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

func (e *Env) callConsumer(ctx context.Context, id string) ConsumerOutcome {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
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

// encodeXML writes v as one XML element named root.
func encodeXML(w io.Writer, v any, root string) error {
	return xml.NewEncoder(w).EncodeElement(v, xml.StartElement{Name: xml.Name{Local: root}})
}
