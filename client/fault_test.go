package client

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/spec"
)

// Fault injection: a real loopback server (the package's signature-checking test server) that
// answers each attempt with a scripted fault, and a client with real, short waits. Every
// scenario checks what a caller relies on when the network or the service misbehaves: every
// attempt carries the same clientToken and a fresh signature, the number of attempts follows
// the policy, non-retryable responses are final, the context's deadline bounds the call, and no
// goroutine outlives the call.

// fault is one scripted response.
type fault func(t *testing.T, w http.ResponseWriter, r *http.Request)

// faultReset closes the connection with a TCP RST before any response.
func faultReset(t *testing.T, w http.ResponseWriter, _ *http.Request) { hangUp(t, w) }

// faultTruncated promises a longer body than it sends, then closes the connection.
func faultTruncated(status int) fault {
	return func(t *testing.T, w http.ResponseWriter, _ *http.Request) {
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		body := successJSON("TRUNCATED")
		_, _ = buf.WriteString("HTTP/1.1 " + strconv.Itoa(status) + " " + http.StatusText(status) + "\r\n" +
			"Content-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)+100) + "\r\n\r\n")
		_, _ = buf.Write(body[:len(body)/2])
		_ = buf.Flush()
	}
}

// faultStatus answers an error body with the catalogue's status for code.
func faultStatus(status int, code string) fault {
	return func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
		writeBody(w, status, spec.MediaTypeJSON, errorBody(code))
	}
}

// faultThrottled answers Throttling.User with the rate-limit header the gateway sends.
func faultThrottled(timeLeft time.Duration) fault {
	return func(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("x-ratelimit-user-api", "Limit:1,Remain:0,TimeLeft:"+strconv.FormatInt(timeLeft.Milliseconds(), 10)+",Reset:1700000000")
		writeBody(w, http.StatusBadRequest, spec.MediaTypeJSON, errorBody("Throttling.User"))
	}
}

// faultSlow answers after d, or never if the client gives up first.
func faultSlow(d time.Duration) fault {
	return func(_ *testing.T, w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			writeBody(w, http.StatusOK, spec.MediaTypeJSON, successJSON("SLOW"))
		case <-r.Context().Done():
		}
	}
}

// faultSlowStatus answers an error body after d, or never if the client gives up first.
func faultSlowStatus(d time.Duration, status int, code string) fault {
	return func(_ *testing.T, w http.ResponseWriter, r *http.Request) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			writeBody(w, status, spec.MediaTypeJSON, errorBody(code))
		case <-r.Context().Done():
		}
	}
}

// faultStalledBody sends the headers and half the body of a success, then sends nothing more
// until the client gives up (or, as a safety valve that fails the test, for stallLimit, then
// returns, cutting the body short). stalled counts the responses begun, released those the
// client's giving up ended, stuck those the safety valve ended.
type stalledBody struct {
	stalled, released, stuck atomic.Int32
}

const stallLimit = 5 * time.Second

func (sb *stalledBody) fault(_ *testing.T, w http.ResponseWriter, r *http.Request) {
	sb.stalled.Add(1)
	body := successJSON("STALLED")
	w.Header().Set("Content-Type", spec.MediaTypeJSON)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body[:len(body)/2])
	w.(http.Flusher).Flush()
	t := time.NewTimer(stallLimit)
	defer t.Stop()
	select {
	case <-r.Context().Done():
		sb.released.Add(1)
	case <-t.C:
		sb.stuck.Add(1)
	}
}

// faultOK answers success.
func faultOK(_ *testing.T, w http.ResponseWriter, _ *http.Request) {
	writeBody(w, http.StatusOK, spec.MediaTypeJSON, successJSON("OK"))
}

// faultScenario runs one call against a server answering attempt n with script[n] (the last
// entry repeats), and returns the call's outcome and the requests the server saw.
type faultScenario struct {
	name     string
	script   []fault
	retry    RetryPolicy
	deadline time.Duration // 0: no deadline
	token    string        // "" lets the client generate one
	// client makes the HTTPClient around the scenario's transport, and may set the
	// transport's own timeouts; nil means a plain http.Client using it.
	client func(tr *http.Transport) *http.Client
}

type faultOutcome struct {
	res     *InterruptResult
	err     error
	elapsed time.Duration
	reqs    []seen
}

// run performs the scenario. The client has a transport of its own, closed afterwards, so the
// goroutine check sees only what the call itself left behind.
func (sc faultScenario) run(t *testing.T) faultOutcome {
	t.Helper()
	srv := newServer(t, testCreds, func(w http.ResponseWriter, r *http.Request, n int) {
		sc.script[min(n, len(sc.script)-1)](t, w, r)
	})
	tr := &http.Transport{
		DialContext:     (&net.Dialer{Timeout: time.Second}).DialContext,
		IdleConnTimeout: time.Second,
	}
	hc := &http.Client{Transport: tr}
	if sc.client != nil {
		hc = sc.client(tr)
	}
	c, err := New(Config{
		Endpoint:    srv.URL,
		Credentials: testCreds,
		HTTPClient:  hc,
		Retry:       sc.retry,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if sc.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, sc.deadline)
		defer cancel()
	}
	var opts *InterruptOptions
	if sc.token != "" {
		opts = &InterruptOptions{ClientToken: sc.token}
	}
	start := time.Now()
	res, err := c.InterruptElasticsearchTask(ctx, "es-cn-fault", opts)
	o := faultOutcome{res: res, err: err, elapsed: time.Since(start), reqs: srv.requests()}
	// Close both ends now rather than in Cleanup, so the goroutine check that follows sees
	// neither the server's goroutines nor idle connections.
	tr.CloseIdleConnections()
	srv.Close()
	return o
}

// fastRetry retries at once (waits of at most a millisecond), up to attempts.
func fastRetry(attempts int) RetryPolicy {
	return RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
}

// checkSameToken fails unless every request carried one token, signed with its own nonce.
func checkSameToken(t *testing.T, reqs []seen, want string) {
	t.Helper()
	nonces := map[string]bool{}
	for i, r := range reqs {
		if r.ClientToken == "" || (want != "" && r.ClientToken != want) || r.ClientToken != reqs[0].ClientToken {
			t.Errorf("attempt %d carried clientToken %q; attempt 1 carried %q, want %q", i+1, r.ClientToken, reqs[0].ClientToken, want)
		}
		if r.VerifyErr != nil {
			t.Errorf("attempt %d: signature does not verify: %v", i+1, r.VerifyErr)
		} else if nonces[r.Verified.Nonce] {
			t.Errorf("attempt %d reuses nonce %q", i+1, r.Verified.Nonce)
		} else {
			nonces[r.Verified.Nonce] = true
		}
	}
}

// checkNoLeak waits briefly for the goroutine count to return to before, and fails with the
// stacks if it does not: a call must not leave a goroutine behind once its transport is closed.
func checkNoLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		now := runtime.NumGoroutine()
		if now <= before {
			return
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			t.Fatalf("%d goroutines after the scenario, %d before:\n%s", now, before, buf)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestFaultInjection(t *testing.T) {
	stalled := &stalledBody{}
	tests := []struct {
		faultScenario
		wantAttempts int
		check        func(t *testing.T, o faultOutcome)
	}{
		{
			faultScenario: faultScenario{name: "resets then success", script: []fault{faultReset, faultReset, faultOK}, retry: fastRetry(5), token: "tok-reset"},
			wantAttempts:  3,
			check: func(t *testing.T, o faultOutcome) {
				if o.err != nil || o.res.Attempts != 3 || o.res.ClientToken != "tok-reset" {
					t.Errorf("res %+v, err %v", o.res, o.err)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "resets exhaust the attempts", script: []fault{faultReset}, retry: fastRetry(4)},
			wantAttempts:  4,
			check: func(t *testing.T, o faultOutcome) {
				var ne *networkError
				if !errors.As(o.err, &ne) {
					t.Errorf("err = %v, want the network error of the last attempt", o.err)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "5xx then success", script: []fault{faultStatus(500, "InternalError"), faultStatus(503, "ServiceUnavailable"), faultOK}, retry: fastRetry(3)},
			wantAttempts:  3,
			check: func(t *testing.T, o faultOutcome) {
				if o.err != nil || o.res.Attempts != 3 {
					t.Errorf("res %+v, err %v", o.res, o.err)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "5xx exhaust the attempts", script: []fault{faultStatus(503, "ServiceUnavailable")}, retry: fastRetry(3)},
			wantAttempts:  3,
			check: func(t *testing.T, o faultOutcome) {
				if !errors.Is(o.err, ErrServiceUnavailable) {
					t.Errorf("err = %v, want ServiceUnavailable", o.err)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "non-retryable 4xx is final", script: []fault{faultStatus(400, "InstanceNotFound"), faultOK}, retry: fastRetry(5)},
			wantAttempts:  1,
			check: func(t *testing.T, o faultOutcome) {
				if !errors.Is(o.err, ErrInstanceNotFound) {
					t.Errorf("err = %v, want InstanceNotFound", o.err)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "mixed faults end on a non-retryable 4xx", script: []fault{faultReset, faultStatus(500, "InternalError"), faultThrottled(time.Millisecond), faultStatus(400, "InvalidParameter"), faultOK}, retry: fastRetry(10)},
			wantAttempts:  4,
			check: func(t *testing.T, o faultOutcome) {
				if !errors.Is(o.err, ErrInvalidParameter) {
					t.Errorf("err = %v, want InvalidParameter", o.err)
				}
			},
		},
		{
			// The wait before the next attempt is the TimeLeft the header gives (20 ms), not
			// the policy's tiny backoff: the second request cannot arrive sooner.
			faultScenario: faultScenario{name: "throttled waits TimeLeft", script: []fault{faultThrottled(20 * time.Millisecond), faultOK},
				retry: RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Second}},
			wantAttempts: 2,
			check: func(t *testing.T, o faultOutcome) {
				if o.err != nil {
					t.Fatal(o.err)
				}
				if o.elapsed < 20*time.Millisecond {
					t.Errorf("retried after %s, before the TimeLeft of 20ms", o.elapsed)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "throttled exhausts the attempts", script: []fault{faultThrottled(time.Millisecond)}, retry: fastRetry(3)},
			wantAttempts:  3,
			check: func(t *testing.T, o faultOutcome) {
				var apiErr *APIError
				if !errors.Is(o.err, ErrThrottlingUser) || !errors.As(o.err, &apiErr) || apiErr.Header.Get("x-ratelimit-user-api") == "" {
					t.Errorf("err = %v, want Throttling.User with its rate-limit header", o.err)
				}
			},
		},
		{
			// A truncated response is never a success built from part of a body: the attempt fails
			// and is repeated with the same clientToken, which the server answers from memory.
			faultScenario: faultScenario{name: "truncated 200 body", script: []fault{faultTruncated(200), faultOK}, retry: fastRetry(3)},
			wantAttempts:  2,
			check: func(t *testing.T, o faultOutcome) {
				if o.err != nil || o.res.RequestID != "OK" {
					t.Errorf("res %+v, err %v; want the second attempt's success", o.res, o.err)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "truncated 503 body", script: []fault{faultTruncated(503), faultOK}, retry: fastRetry(3)},
			wantAttempts:  2,
			check: func(t *testing.T, o faultOutcome) {
				if o.err != nil || o.res.RequestID != "OK" {
					t.Errorf("res %+v, err %v; want the second attempt's success", o.res, o.err)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "truncated bodies exhaust the attempts", script: []fault{faultTruncated(200)}, retry: fastRetry(3)},
			wantAttempts:  3,
			check: func(t *testing.T, o faultOutcome) {
				if !errors.Is(o.err, io.ErrUnexpectedEOF) || !strings.Contains(o.err.Error(), "HTTP 200") {
					t.Errorf("err = %v, want io.ErrUnexpectedEOF naming HTTP 200", o.err)
				}
			},
		},
		{
			// A timeout of the http.Client matches context.DeadlineExceeded, yet it is the
			// attempt's, not the call's: it is retried with the same token.
			faultScenario: faultScenario{name: "http.Client.Timeout then success", script: []fault{faultSlow(time.Minute), faultOK}, retry: fastRetry(3),
				client: func(tr *http.Transport) *http.Client {
					return &http.Client{Transport: tr, Timeout: 100 * time.Millisecond}
				}},
			wantAttempts: 2,
			check: func(t *testing.T, o faultOutcome) {
				if o.err != nil || o.res.Attempts != 2 || o.res.RequestID != "OK" {
					t.Errorf("res %+v, err %v; want the second attempt's success", o.res, o.err)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "ResponseHeaderTimeout then success", script: []fault{faultSlow(time.Minute), faultOK}, retry: fastRetry(3), token: "tok-header-timeout",
				client: func(tr *http.Transport) *http.Client {
					tr.ResponseHeaderTimeout = 100 * time.Millisecond
					return &http.Client{Transport: tr}
				}},
			wantAttempts: 2,
			check: func(t *testing.T, o faultOutcome) {
				if o.err != nil || o.res.Attempts != 2 || o.res.ClientToken != "tok-header-timeout" {
					t.Errorf("res %+v, err %v; want the second attempt's success", o.res, o.err)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "AttemptTimeout cuts a slow response, then success", script: []fault{faultSlow(stallLimit), faultOK},
				retry: RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, AttemptTimeout: 100 * time.Millisecond}},
			wantAttempts: 2,
			check: func(t *testing.T, o faultOutcome) {
				if o.err != nil || o.res.Attempts != 2 || o.res.RequestID != "OK" {
					t.Errorf("res %+v, err %v; want the second attempt's success", o.res, o.err)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "AttemptTimeout cuts a stalled body, then success", script: []fault{stalled.fault, faultOK},
				retry: RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, AttemptTimeout: 100 * time.Millisecond}},
			wantAttempts: 2,
			check: func(t *testing.T, o faultOutcome) {
				if o.err != nil || o.res.Attempts != 2 || o.res.RequestID != "OK" {
					t.Errorf("res %+v, err %v; want the second attempt's success", o.res, o.err)
				}
				// The first attempt was given up by the client, not cut short by the server.
				if rel, stuck := stalled.released.Load(), stalled.stuck.Load(); rel != 1 || stuck != 0 {
					t.Errorf("stalled response released %d times by the client, %d by the safety valve; want 1, 0", rel, stuck)
				}
			},
		},
		{
			faultScenario: faultScenario{name: "slow response within the deadline", script: []fault{faultSlow(30 * time.Millisecond)}, retry: fastRetry(3), deadline: 2 * time.Second},
			wantAttempts:  1,
			check: func(t *testing.T, o faultOutcome) {
				if o.err != nil || o.res.RequestID != "SLOW" {
					t.Errorf("res %+v, err %v", o.res, o.err)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			o := tt.run(t)
			if len(o.reqs) != tt.wantAttempts {
				t.Errorf("%d attempts reached the server, want %d (err %v)", len(o.reqs), tt.wantAttempts, o.err)
			}
			if max := tt.retry.withDefaults().MaxAttempts; len(o.reqs) > max {
				t.Errorf("%d attempts, more than the policy's %d", len(o.reqs), max)
			}
			checkSameToken(t, o.reqs, tt.token)
			if o.res != nil && o.res.ClientToken != o.reqs[0].ClientToken {
				t.Errorf("result names token %q, the requests carried %q", o.res.ClientToken, o.reqs[0].ClientToken)
			}
			tt.check(t, o)
			checkNoLeak(t, before)
		})
	}
}

// TestAttemptTimeoutStalledBody: a server sends the headers, then stalls the body, on every
// attempt, and the call has no deadline (context.Background()). Each attempt must end at its
// AttemptTimeout and be retried, and the call must fail after MaxAttempts with a timeout error
// that names the token, releasing the stalled handlers.
//
// The time bound is a correctness property, as in TestFaultDeadline: two attempts of 100 ms and
// waits of at most 1 ms cannot take less than 200 ms, and must not take more than 200 ms plus a
// scheduling allowance of 250 ms. Without the limit the call would stall for stallLimit (5 s) per
// attempt.
func TestAttemptTimeoutStalledBody(t *testing.T) {
	const (
		attemptTimeout = 100 * time.Millisecond
		attempts       = 2
		allowance      = 250 * time.Millisecond
	)
	sb := &stalledBody{}
	sc := faultScenario{name: "stalled body", script: []fault{sb.fault},
		retry: RetryPolicy{MaxAttempts: attempts, BaseDelay: time.Millisecond, MaxDelay: time.Millisecond, AttemptTimeout: attemptTimeout}}
	before := runtime.NumGoroutine()
	o := sc.run(t) // closes the server, which waits for its handlers
	t.Logf("returned after %s: %v", o.elapsed, o.err)
	if o.err == nil {
		t.Fatalf("success %+v from a body that never ends", o.res)
	}
	if o.elapsed < attempts*attemptTimeout || o.elapsed >= attempts*attemptTimeout+allowance {
		t.Errorf("the call took %s; want %d attempts of %s each, plus at most %s", o.elapsed, attempts, attemptTimeout, allowance)
	}
	if len(o.reqs) != attempts {
		t.Errorf("%d attempts reached the server, want %d", len(o.reqs), attempts)
	}
	checkSameToken(t, o.reqs, "")
	var ce *CallError
	if !errors.As(o.err, &ce) || ce.Attempts != attempts || len(o.reqs) == 0 || ce.ClientToken != o.reqs[0].ClientToken {
		t.Errorf("err = %#v; want a *CallError naming %d attempts and the token sent", o.err, attempts)
	}
	if !errors.Is(o.err, context.DeadlineExceeded) || !strings.Contains(o.err.Error(), "AttemptTimeout") {
		t.Errorf("err = %v; want a timeout error naming AttemptTimeout", o.err)
	}
	if got, rel, stuck := sb.stalled.Load(), sb.released.Load(), sb.stuck.Load(); got != attempts || rel != attempts || stuck != 0 {
		t.Errorf("%d stalled responses, %d released by the client giving up, %d stuck until the safety valve; want %d, %d, 0",
			got, rel, stuck, attempts, attempts)
	}
	checkNoLeak(t, before)
}

// TestFaultDeadline checks that the context's deadline ends a call, whatever the server does. The
// allowance is wide so a loaded machine cannot fail it (50 ms did, twice), and still shorter than
// what each case would take without the deadline: the slow 503s alone take 10 × 120 ms.
func TestFaultDeadline(t *testing.T) {
	const (
		deadline  = 300 * time.Millisecond
		overshoot = 700 * time.Millisecond
	)
	for _, sc := range []faultScenario{
		{name: "server never answers", script: []fault{faultSlow(time.Minute)}, retry: fastRetry(3)},
		{name: "reset then a server that never answers", script: []fault{faultReset, faultSlow(time.Minute)}, retry: fastRetry(3)},
		{name: "5xx then a server that never answers", script: []fault{faultStatus(500, "InternalError"), faultSlow(time.Minute)}, retry: fastRetry(5)},
		{name: "throttled longer than the deadline", script: []fault{faultThrottled(10 * time.Second)},
			retry: RetryPolicy{MaxAttempts: 3, MaxDelay: time.Minute, MaxElapsed: time.Hour}},
		{name: "backoff longer than the deadline", script: []fault{faultStatus(503, "ServiceUnavailable")},
			retry: RetryPolicy{MaxAttempts: 3, BaseDelay: 10 * time.Second, MaxDelay: time.Minute, MaxElapsed: time.Hour,
				Jitter: func(d time.Duration) time.Duration { return d }}},
		{name: "slow responses keep failing", script: []fault{faultSlowStatus(120*time.Millisecond, 503, "ServiceUnavailable")}, retry: fastRetry(10), token: "tok-slow"},
	} {
		sc.deadline = deadline
		t.Run(sc.name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			o := sc.run(t)
			t.Logf("returned after %s (deadline %s, overshoot %s)", o.elapsed, deadline, o.elapsed-deadline)
			if o.elapsed >= deadline+overshoot {
				t.Errorf("the call took %s with a deadline of %s: more than %s late", o.elapsed, deadline, overshoot)
			}
			if o.err == nil {
				t.Fatalf("success %+v past a deadline", o.res)
			}
			if len(o.reqs) == 0 {
				t.Fatal("nothing reached the server")
			}
			checkSameToken(t, o.reqs, sc.token)
			checkNoLeak(t, before)
		})
	}
}
