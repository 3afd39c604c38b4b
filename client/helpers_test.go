package client

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

// Test credentials. The secret and the token are distinctive so a leak is easy to find.
const (
	testKeyID  = "LTAI5tTestKeyID"
	testSecret = "S3CR3T-never-print-me-0123456789"
	testToken  = "STS-T0KEN-never-print-me-abcdef"
)

var (
	testCreds    = StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret}
	testSTSCreds = StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret, SecurityToken: testToken}
)

// seen is one request as the test server received it.
type seen struct {
	Method      string
	EscapedPath string
	Path        string
	RawQuery    string
	ClientToken string
	Header      http.Header
	Verified    *signing.Verified
	VerifyErr   error
}

// server is an httptest server that checks every request's signature with signing.Verify (as
// the reference server does) and answers through a per-test handler.
type server struct {
	*httptest.Server
	t     *testing.T
	creds signing.Credentials

	mu   sync.Mutex
	reqs []seen
	// respond writes the response to the n-th request (0-based).
	respond func(w http.ResponseWriter, r *http.Request, n int)
}

func newServer(t *testing.T, creds StaticCredentials, respond func(w http.ResponseWriter, r *http.Request, n int)) *server {
	t.Helper()
	s := &server{t: t, respond: respond, creds: signing.Credentials{
		AccessKeyID: creds.AccessKeyID, AccessKeySecret: creds.AccessKeySecret, SecurityToken: creds.SecurityToken,
	}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *server) serve(w http.ResponseWriter, r *http.Request) {
	v, err := signing.Verify(r, func(id string) (signing.Credentials, bool) {
		return s.creds, id == s.creds.AccessKeyID
	}, signing.VerifyOptions{})
	s.mu.Lock()
	n := len(s.reqs)
	s.reqs = append(s.reqs, seen{
		Method:      r.Method,
		EscapedPath: r.URL.EscapedPath(),
		Path:        r.URL.Path,
		RawQuery:    r.URL.RawQuery,
		ClientToken: r.URL.Query().Get("clientToken"),
		Header:      r.Header.Clone(),
		Verified:    v,
		VerifyErr:   err,
	})
	s.mu.Unlock()
	s.respond(w, r, n)
}

// requests returns what the server has received so far.
func (s *server) requests() []seen {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]seen(nil), s.reqs...)
}

// requireSigned fails the test unless every request verified.
func (s *server) requireSigned(t *testing.T) {
	t.Helper()
	for i, r := range s.requests() {
		if r.VerifyErr != nil {
			t.Errorf("request %d: signature did not verify: %v", i, r.VerifyErr)
		}
	}
}

// writeBody responds with a status, content type and body.
func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Acs-Request-Id", "HDR-REQ-ID")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// successJSON is the JSON success response with a given request id.
func successJSON(requestID string) []byte {
	return []byte(`{"Result":true,"RequestId":"` + requestID + `"}`)
}

// example returns the document's example with this component name and media type.
func example(t *testing.T, component, mediaType string) spec.Example {
	t.Helper()
	exs, err := spec.LoadExamples()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range exs {
		if e.Component == component && e.MediaType == mediaType {
			return e
		}
	}
	t.Fatalf("no %s example %q in the document", mediaType, component)
	return spec.Example{}
}

// exampleBody returns an example's wire body.
func exampleBody(t *testing.T, e spec.Example) []byte {
	t.Helper()
	b, err := e.Body()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// waits records the waits a client asked for instead of sleeping.
type waits struct {
	mu sync.Mutex
	d  []time.Duration
}

func (w *waits) sleep(ctx context.Context, d time.Duration) error {
	w.mu.Lock()
	w.d = append(w.d, d)
	w.mu.Unlock()
	return ctx.Err()
}

func (w *waits) all() []time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]time.Duration(nil), w.d...)
}

// logBuffer is a debug-level text logger writing into a buffer, safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// newTestClient makes a client for srv with instant, recorded waits and zero jitter unless the
// config says otherwise.
func newTestClient(t *testing.T, srv *server, cfg Config) (*Client, *waits) {
	t.Helper()
	if cfg.Endpoint == "" && cfg.RegionID == "" {
		cfg.Endpoint = srv.URL
	}
	if cfg.Credentials == nil {
		cfg.Credentials = testCreds
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	w := &waits{}
	c.sleep = w.sleep
	return c, w
}

// assertNoSecrets fails if text holds the test secret or token.
func assertNoSecrets(t *testing.T, what, text string) {
	t.Helper()
	for _, s := range []string{testSecret, testToken} {
		if strings.Contains(text, s) {
			t.Errorf("%s leaks a secret: %s", what, text)
		}
	}
}
