package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/internal/wire"
	"github.com/es-openapi/interrupt/spec"
)

// errorBody is a JSON error response for a code.
func errorBody(code string) []byte {
	return []byte(`{"RequestId":"REQ-` + code + `","HostId":"h","Code":"` + code + `","Message":"m"}`)
}

// hangUp closes the connection without answering, as a reset or crashed server does.
func hangUp(t *testing.T, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Error(err)
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0) // RST rather than FIN
	}
	_ = conn.Close()
}

func TestRetries(t *testing.T) {
	type step func(t *testing.T, w http.ResponseWriter)
	respond := func(status int, code string, header ...string) step {
		return func(_ *testing.T, w http.ResponseWriter) {
			for i := 0; i+1 < len(header); i += 2 {
				w.Header().Set(header[i], header[i+1])
			}
			writeBody(w, status, "application/json", errorBody(code))
		}
	}
	ok := func(_ *testing.T, w http.ResponseWriter) {
		writeBody(w, http.StatusOK, "application/json", successJSON("OK"))
	}
	hang := func(t *testing.T, w http.ResponseWriter) { hangUp(t, w) }

	// The 400 codes the catalogue marks retryable, throttling aside (it has cases of its own),
	// and the one it marks final for this operation although Terraform retries it elsewhere.
	cat, err := spec.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	var retryable400 []string
	for _, e := range cat.Codes() {
		if e.Retryable && e.Status == http.StatusBadRequest && !wire.IsThrottling(e.Code) {
			retryable400 = append(retryable400, e.Code)
		}
	}
	if len(retryable400) == 0 {
		t.Fatal("the catalogue has no retryable 400 code besides throttling")
	}
	notSupported, listed := cat.Lookup(string(ErrInstanceStatusNotSupportCurrentAction))
	if !listed || notSupported.Retryable || notSupported.Status != http.StatusBadRequest {
		t.Fatalf("catalogue entry %+v: want a non-retryable 400", notSupported)
	}

	tests := []struct {
		name      string
		steps     []step
		policy    RetryPolicy
		wantReqs  int
		wantCode  string          // "" means success
		wantWaits []time.Duration // nil: not checked
	}{
		{
			name:      "throttling.user then success waits TimeLeft of x-ratelimit-user-api",
			steps:     []step{respond(400, "Throttling.User", "X-Ratelimit-User-Api", "Limit:1,Remain:0,TimeLeft:1500,Reset:1234"), ok},
			wantReqs:  2,
			wantWaits: []time.Duration{1500 * time.Millisecond},
		},
		{
			name:      "throttling.api waits TimeLeft of x-ratelimit-user",
			steps:     []step{respond(400, "Throttling.Api", "X-Ratelimit-User", "Limit:5,Remain:0,TimeLeft:250,Reset:9"), ok},
			wantReqs:  2,
			wantWaits: []time.Duration{250 * time.Millisecond},
		},
		{
			name:      "throttling waits Retry-After",
			steps:     []step{respond(400, "Throttling", "Retry-After", "2"), ok},
			wantReqs:  2,
			wantWaits: []time.Duration{2 * time.Second},
		},
		{
			name:      "throttling wait honoured beyond MaxDelay",
			steps:     []step{respond(400, "Throttling.User", "X-Ratelimit-User-Api", "Limit:1,Remain:0,TimeLeft:4000,Reset:1"), ok},
			policy:    RetryPolicy{MaxDelay: time.Second},
			wantReqs:  2,
			wantWaits: []time.Duration{4 * time.Second},
		},
		{
			name:     "throttling wait beyond MaxElapsed stops at once",
			steps:    []step{respond(400, "Throttling.User", "X-Ratelimit-User-Api", "Limit:1,Remain:0,TimeLeft:60000,Reset:1"), ok},
			policy:   RetryPolicy{MaxDelay: 3 * time.Second},
			wantReqs: 1,
			wantCode: "Throttling.User",
		},
		{
			name:      "throttling without headers backs off",
			steps:     []step{respond(400, "Throttling.User"), ok},
			wantReqs:  2,
			wantWaits: []time.Duration{DefaultBaseDelay},
		},
		{
			name:      "5xx codes then success with exponential waits",
			steps:     []step{respond(500, "InternalError"), respond(503, "ServiceUnavailable"), ok},
			wantReqs:  3,
			wantWaits: []time.Duration{DefaultBaseDelay, 2 * DefaultBaseDelay},
		},
		{
			name:     "catalogue-retryable 400 is retried",
			steps:    []step{respond(400, retryable400[0]), respond(400, retryable400[len(retryable400)-1]), ok},
			wantReqs: 3,
		},
		{
			name:     "InstanceStatusNotSupportCurrentAction is not retried",
			steps:    []step{respond(400, notSupported.Code), ok},
			wantReqs: 1,
			wantCode: notSupported.Code,
		},
		{
			name:     "unknown 5xx code is retried",
			steps:    []step{respond(502, "BadGateway"), ok},
			wantReqs: 2,
		},
		{
			name:     "reset connection then success",
			steps:    []step{hang, ok},
			wantReqs: 2,
		},
		{
			name:     "attempts exhausted",
			steps:    []step{respond(503, "ServiceUnavailable"), respond(503, "ServiceUnavailable"), respond(503, "ServiceUnavailable"), ok},
			wantReqs: 3,
			wantCode: "ServiceUnavailable",
		},
		{
			name:     "MaxAttempts 5",
			steps:    []step{hang, hang, hang, hang, respond(500, "InternalError"), ok},
			policy:   RetryPolicy{MaxAttempts: 5},
			wantReqs: 5,
			wantCode: "InternalError",
		},
		{
			name:     "MaxAttempts 1 turns retries off",
			steps:    []step{respond(500, "InternalError"), ok},
			policy:   RetryPolicy{MaxAttempts: 1},
			wantReqs: 1,
			wantCode: "InternalError",
		},
		{
			name:     "MaxElapsed stops retrying",
			steps:    []step{respond(400, "Throttling.User", "X-Ratelimit-User-Api", "Limit:1,Remain:0,TimeLeft:2000,Reset:1"), ok},
			policy:   RetryPolicy{MaxElapsed: time.Second},
			wantReqs: 1,
			wantCode: "Throttling.User",
		},
		{name: "InstanceNotFound is not retried", steps: []step{respond(400, "InstanceNotFound"), ok}, wantReqs: 1, wantCode: "InstanceNotFound"},
		{name: "SignatureDoesNotMatch is not retried", steps: []step{respond(400, "SignatureDoesNotMatch"), ok}, wantReqs: 1, wantCode: "SignatureDoesNotMatch"},
		{name: "403 is not retried", steps: []step{respond(403, "InvalidSecurityToken.MismatchWithAccessKey"), ok}, wantReqs: 1, wantCode: "InvalidSecurityToken.MismatchWithAccessKey"},
		{name: "404 is not retried", steps: []step{respond(404, "InvalidAccessKeyId.NotFound"), ok}, wantReqs: 1, wantCode: "InvalidAccessKeyId.NotFound"},
		{name: "unknown 4xx is not retried", steps: []step{respond(409, "Conflict"), ok}, wantReqs: 1, wantCode: "Conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, n int) {
				tt.steps[n](t, w)
			})
			policy := tt.policy
			policy.Jitter = func(max time.Duration) time.Duration { return max } // the bound itself
			c, w := newTestClient(t, srv, Config{Retry: policy})
			res, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
			reqs := srv.requests()
			if len(reqs) != tt.wantReqs {
				t.Errorf("%d requests, want %d", len(reqs), tt.wantReqs)
			}
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if res.Attempts != tt.wantReqs || res.RequestID != "OK" {
					t.Errorf("result %+v", res)
				}
			} else {
				var apiErr *APIError
				if !errors.As(err, &apiErr) || apiErr.Code != tt.wantCode {
					t.Fatalf("err = %v, want code %s", err, tt.wantCode)
				}
			}
			if tt.wantWaits != nil && fmt.Sprint(w.all()) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waits %v, want %v", w.all(), tt.wantWaits)
			}
			// Every attempt carries the same token, signed anew with a fresh nonce.
			nonces := map[string]bool{}
			for i, r := range reqs {
				if r.ClientToken == "" || r.ClientToken != reqs[0].ClientToken {
					t.Errorf("request %d carried token %q, the first %q", i, r.ClientToken, reqs[0].ClientToken)
				}
				if r.VerifyErr != nil {
					t.Errorf("request %d: %v", i, r.VerifyErr)
					continue
				}
				nonces[r.Verified.Nonce] = true
			}
			if len(nonces) != len(reqs) && srv.requests()[0].VerifyErr == nil {
				t.Errorf("%d nonces for %d requests", len(nonces), len(reqs))
			}
		})
	}
}

func TestResetConnectionKeepsGivenToken(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n < 2 {
			hangUp(t, w)
			return
		}
		writeBody(w, http.StatusOK, "application/json", successJSON("OK"))
	})
	c, _ := newTestClient(t, srv, Config{Signature: SignatureROA})
	res, err := c.InterruptElasticsearchTask(context.Background(), "es-1", &InterruptOptions{ClientToken: "my token/+=&"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Attempts != 3 || res.ClientToken != "my token/+=&" {
		t.Errorf("result %+v", res)
	}
	for i, r := range srv.requests() {
		if r.ClientToken != "my token/+=&" {
			t.Errorf("request %d carried %q", i, r.ClientToken)
		}
	}
	srv.requireSigned(t)
}

func TestEachAttemptSignedAnew(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 0 {
			writeBody(w, 500, "application/json", errorBody("InternalError"))
			return
		}
		writeBody(w, http.StatusOK, "application/json", successJSON("OK"))
	})
	c, _ := newTestClient(t, srv, Config{})
	clock := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	c.now = func() time.Time { clock = clock.Add(time.Second); return clock }
	if _, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests", len(reqs))
	}
	a, b := reqs[0].Header, reqs[1].Header
	if a.Get("X-Acs-Date") == b.Get("X-Acs-Date") || a.Get("X-Acs-Signature-Nonce") == b.Get("X-Acs-Signature-Nonce") ||
		a.Get("Authorization") == b.Get("Authorization") {
		t.Errorf("the retry reused date, nonce or signature:\n%v\n%v", a, b)
	}
	if a.Get("X-Acs-Date") != "2025-01-02T03:04:06Z" || b.Get("X-Acs-Date") != "2025-01-02T03:04:07Z" {
		t.Errorf("dates %q, %q do not come from the clock", a.Get("X-Acs-Date"), b.Get("X-Acs-Date"))
	}
}

func TestCredentialsAskedEveryAttempt(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n < 2 {
			writeBody(w, 503, "application/json", errorBody("ServiceUnavailable"))
			return
		}
		writeBody(w, http.StatusOK, "application/json", successJSON("OK"))
	})
	var asked atomic.Int32
	provider := CredentialsFunc(func(ctx context.Context) (StaticCredentials, error) {
		asked.Add(1)
		return testCreds, nil
	})
	c, _ := newTestClient(t, srv, Config{Credentials: provider})
	if _, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil); err != nil {
		t.Fatal(err)
	}
	if asked.Load() != 3 {
		t.Errorf("credentials asked %d times for 3 attempts", asked.Load())
	}
	srv.requireSigned(t)
}

func TestRefreshingCredentials(t *testing.T) {
	// A provider that rotates keys between attempts: the first attempt is signed with the old
	// key, the retry after a 503 with the new one.
	var calls atomic.Int32
	provider := CredentialsFunc(func(context.Context) (StaticCredentials, error) {
		if calls.Add(1) == 1 {
			return StaticCredentials{AccessKeyID: "OLDKEY", AccessKeySecret: "old-secret"}, nil
		}
		return testCreds, nil
	})
	srv := newServer(t, testCreds, func(w http.ResponseWriter, r *http.Request, n int) {
		if n == 0 {
			writeBody(w, 503, "application/json", errorBody("ServiceUnavailable"))
			return
		}
		writeBody(w, http.StatusOK, "application/json", successJSON("OK"))
	})
	c, _ := newTestClient(t, srv, Config{Credentials: provider})
	if _, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil); err != nil {
		t.Fatal(err)
	}
	reqs := srv.requests()
	if reqs[0].VerifyErr == nil || reqs[1].VerifyErr != nil || reqs[1].Verified.AccessKeyID != testKeyID {
		t.Errorf("first attempt should carry the old key, the second the new one: %v / %v", reqs[0].VerifyErr, reqs[1].VerifyErr)
	}
}

func TestCredentialsErrorStopsBeforeSending(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
		writeBody(w, http.StatusOK, "application/json", successJSON("OK"))
	})
	boom := errors.New("provider down")
	tests := []struct {
		name  string
		creds Credentials
		want  error
	}{
		{"provider error", CredentialsFunc(func(context.Context) (StaticCredentials, error) { return StaticCredentials{}, boom }), boom},
		{"env unset", EnvCredentials{Getenv: func(string) string { return "" }}, ErrNoCredentials},
		{"provider returns empty", CredentialsFunc(func(context.Context) (StaticCredentials, error) { return StaticCredentials{}, nil }), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, w := newTestClient(t, srv, Config{Credentials: tt.creds})
			_, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
			if err == nil || (tt.want != nil && !errors.Is(err, tt.want)) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if len(w.all()) != 0 {
				t.Error("a credentials error was retried")
			}
		})
	}
	if n := len(srv.requests()); n != 0 {
		t.Errorf("%d requests sent without credentials", n)
	}
}

func TestDeadlineExceeded(t *testing.T) {
	release := make(chan struct{})
	srv := newServer(t, testCreds, func(w http.ResponseWriter, r *http.Request, _ int) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c, w := newTestClient(t, srv, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := c.InterruptElasticsearchTask(ctx, "es-1", nil)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want context.DeadlineExceeded", err)
	}
	if len(srv.requests()) != 1 || len(w.all()) != 0 {
		t.Errorf("%d requests and waits %v after the deadline; want 1 and none", len(srv.requests()), w.all())
	}
}

func TestCancelDuringWait(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-Ratelimit-User-Api", "Limit:1,Remain:0,TimeLeft:4000,Reset:1")
		writeBody(w, 400, "application/json", errorBody("Throttling.User"))
	})
	c, err := New(Config{Endpoint: srv.URL, Credentials: testCreds}) // the real sleep
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c.logger = (&waitWatcher{cancel: cancel}).logger()
	_, err = c.InterruptElasticsearchTask(ctx, "es-1", nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.Code != "Throttling.User" {
		t.Errorf("err = %v should also carry the attempt's error", err)
	}
	if len(srv.requests()) != 1 {
		t.Errorf("%d requests", len(srv.requests()))
	}
}

func TestDeadlineBeforeWaitEndsStopsRetrying(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-Ratelimit-User-Api", "Limit:1,Remain:0,TimeLeft:4000,Reset:1")
		writeBody(w, 400, "application/json", errorBody("Throttling.User"))
	})
	c, w := newTestClient(t, srv, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.InterruptElasticsearchTask(ctx, "es-1", nil)
	if !errors.Is(err, ErrThrottlingUser) || len(w.all()) != 0 {
		t.Errorf("err = %v, waits %v: a wait past the deadline should not start", err, w.all())
	}
}

func TestBackoffBounds(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}.withDefaults()
	var bounds []time.Duration
	p.Jitter = func(max time.Duration) time.Duration { bounds = append(bounds, max); return max * 2 } // out of range on purpose
	err := &APIError{HTTPStatus: 500, Code: "InternalError"}
	var got []time.Duration
	for n := 1; n <= 6; n++ {
		got = append(got, p.backoff(n, err))
	}
	want := []time.Duration{100e6, 200e6, 400e6, 800e6, 1e9, 1e9}
	if fmt.Sprint(bounds) != fmt.Sprint(want) || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("bounds %v, waits %v; want %v (a jitter beyond the bound is clamped)", bounds, got, want)
	}
	if d := p.backoff(100, err); d != time.Second {
		t.Errorf("attempt 100: %v, want MaxDelay", d)
	}
	def := RetryPolicy{}.withDefaults()
	for range 200 {
		if d := def.backoff(2, err); d < 0 || d > 2*DefaultBaseDelay {
			t.Fatalf("default jitter %v outside [0, %v]", d, 2*DefaultBaseDelay)
		}
	}
}

func TestThrottleWait(t *testing.T) {
	future := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	tests := []struct {
		header  http.Header
		want    time.Duration
		wantOK  bool
		approxS bool
	}{
		{http.Header{"X-Ratelimit-User-Api": {"Limit:1,Remain:0,TimeLeft:2000,Reset:1234"}}, 2 * time.Second, true, false},
		{http.Header{"X-Ratelimit-User": {"Limit:1, Remain:0, TimeLeft: 30, Reset:1"}}, 30 * time.Millisecond, true, false},
		{http.Header{"X-Ratelimit-User-Api": {"Limit:1,Remain:0,Reset:1"}, "X-Ratelimit-User": {"TimeLeft:7"}}, 7 * time.Millisecond, true, false},
		{http.Header{"X-Ratelimit-User-Api": {"TimeLeft:-5"}}, 0, false, false},
		{http.Header{"X-Ratelimit-User-Api": {"TimeLeft:abc"}, "Retry-After": {"3"}}, 3 * time.Second, true, false},
		{http.Header{"Retry-After": {future}}, 90 * time.Second, true, true},
		{http.Header{"Retry-After": {"soon"}}, 0, false, false},
		{http.Header{}, 0, false, false},
	}
	for i, tt := range tests {
		d, ok := throttleWait(tt.header)
		if ok != tt.wantOK || (!tt.approxS && d != tt.want) || (tt.approxS && (d < tt.want-5*time.Second || d > tt.want)) {
			t.Errorf("%d: throttleWait(%v) = %v, %v; want %v, %v", i, tt.header, d, ok, tt.want, tt.wantOK)
		}
	}
}

func TestTransientNetworkError(t *testing.T) {
	op := func(err error) error {
		return &url.Error{Op: "Post", URL: "u", Err: &net.OpError{Op: "dial", Net: "tcp", Err: err}}
	}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"refused", op(os.NewSyscallError("connect", syscall.ECONNREFUSED)), true},
		{"reset", op(os.NewSyscallError("read", syscall.ECONNRESET)), true},
		{"eof", &url.Error{Op: "Post", URL: "u", Err: io.EOF}, true},
		{"unexpected eof", &url.Error{Op: "Post", URL: "u", Err: io.ErrUnexpectedEOF}, true},
		{"other op error", op(errors.New("weird")), true},
		// A context error here is not the call's (retryable refuses those before asking): a
		// deadline is an attempt's timeout, a cancellation someone else's doing.
		{"canceled", &url.Error{Op: "Post", URL: "u", Err: context.Canceled}, false},
		{"deadline", &url.Error{Op: "Post", URL: "u", Err: context.DeadlineExceeded}, true},
		{"dial timeout", op(timeoutErr{}), true},
		{"unknown host", op(&net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}), false},
		{"dns timeout", op(&net.DNSError{Err: "timeout", Name: "x", IsTimeout: true}), true},
		{"bad certificate", &url.Error{Op: "Post", URL: "u", Err: &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}}, false},
		{"plain http to https", &url.Error{Op: "Post", URL: "u", Err: tls.RecordHeaderError{Msg: "x"}}, false},
		{"unrelated", errors.New("something"), false},
	}
	for _, tt := range tests {
		if got := transientNetworkError(tt.err); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

// timeoutErr is a net.Error timeout that also matches context.DeadlineExceeded, as the timeouts
// of net and net/http do.
type timeoutErr struct{}

func (timeoutErr) Error() string        { return "i/o timeout" }
func (timeoutErr) Timeout() bool        { return true }
func (timeoutErr) Temporary() bool      { return true }
func (timeoutErr) Is(target error) bool { return target == context.DeadlineExceeded }

// TestRetryableAfterTheCallsContext checks that no error is retried once the call's own context
// has ended, a transport timeout included.
func TestRetryableAfterTheCallsContext(t *testing.T) {
	timeout := &networkError{err: &url.Error{Op: "Post", URL: "u", Err: context.DeadlineExceeded}}
	attempt := &attemptTimeoutError{limit: time.Second, err: timeout}
	if !retryable(context.Background(), timeout) || !retryable(context.Background(), attempt) {
		t.Fatal("a timeout is not retried while the call's context is alive")
	}
	for _, cause := range []string{"cancelled", "expired"} {
		ctx, cancel := context.WithCancel(context.Background())
		if cause == "expired" {
			ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
		}
		cancel()
		for _, err := range []error{timeout, attempt, &APIError{HTTPStatus: 503, Code: "ServiceUnavailable"}} {
			if retryable(ctx, err) {
				t.Errorf("call context %s: %v is retried", cause, err)
			}
		}
	}
}

func TestConnectionRefusedIsRetried(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	_ = l.Close() // nothing listens there now
	c, err := New(Config{Endpoint: "http://" + addr, Credentials: testCreds})
	if err != nil {
		t.Fatal(err)
	}
	w := &waits{}
	c.sleep = w.sleep
	_, err = c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("err = %v, want ECONNREFUSED", err)
	}
	if len(w.all()) != DefaultMaxAttempts-1 {
		t.Errorf("waits %v, want %d", w.all(), DefaultMaxAttempts-1)
	}
	if !strings.HasPrefix(err.Error(), "client: ") {
		t.Errorf("Error() = %q", err.Error())
	}
}

// waitWatcher cancels a context as soon as the client logs that it will wait.
type waitWatcher struct{ cancel context.CancelFunc }

func (w *waitWatcher) Write(p []byte) (int, error) {
	if strings.Contains(string(p), "retry_in=") {
		w.cancel()
	}
	return len(p), nil
}

func (w *waitWatcher) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

func TestSleepCtx(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleepCtx(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: %v", err)
	}
	if err := sleepCtx(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context, no wait: %v", err)
	}
	if err := sleepCtx(context.Background(), time.Millisecond); err != nil {
		t.Errorf("short wait: %v", err)
	}
}

func TestConcurrentCalls(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n%3 == 0 {
			writeBody(w, 503, "application/json", errorBody("ServiceUnavailable"))
			return
		}
		writeBody(w, http.StatusOK, "application/json", successJSON("OK"))
	})
	c, _ := newTestClient(t, srv, Config{Retry: RetryPolicy{MaxAttempts: 10}})
	const calls = 24
	tokens := make(chan string, calls)
	errs := make(chan error, calls)
	for i := range calls {
		go func() {
			res, err := c.InterruptElasticsearchTask(context.Background(), fmt.Sprintf("es-%d", i), nil)
			if err != nil {
				errs <- err
				return
			}
			tokens <- res.ClientToken
		}()
	}
	seen := map[string]bool{}
	for range calls {
		select {
		case err := <-errs:
			t.Error(err)
		case tok := <-tokens:
			seen[tok] = true
		}
	}
	if len(seen) != calls-len(errs) {
		t.Errorf("%d distinct tokens for %d successful calls", len(seen), calls)
	}
	srv.requireSigned(t)
}
