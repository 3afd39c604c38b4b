package client

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/internal/redact"
)

// The attack tests (run by `make attack`, and by go test like every other test) play a hostile
// or broken server against the client, on loopback, each bounded in requests and time.

// TestAttackRedirectIsNeverFollowed: whatever HTTPClient is given, a 3xx response is an error and
// the host the Location names receives nothing, neither the signed POST (307, 308) nor a GET
// made of it (301, 302, 303).
func TestAttackRedirectIsNeverFollowed(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		elsewhere.Add(1)
		writeBody(w, http.StatusOK, "application/json", successJSON("FROM-ELSEWHERE"))
	}))
	defer other.Close()

	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, hc := range []struct {
			name string
			c    *http.Client
		}{{"own transport", nil}, {"&http.Client{}", &http.Client{}}, {"http.DefaultClient", http.DefaultClient}} {
			t.Run(fmt.Sprintf("%d %s", status, hc.name), func(t *testing.T) {
				before := elsewhere.Load()
				srv := newServer(t, testSTSCreds, func(w http.ResponseWriter, r *http.Request, _ int) {
					http.Redirect(w, r, other.URL+r.URL.RequestURI(), status)
				})
				c, waits := newTestClient(t, srv, Config{Credentials: testSTSCreds, HTTPClient: hc.c})
				_, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
				var unexp *UnexpectedResponseError
				if !errors.As(err, &unexp) || unexp.HTTPStatus != status || !errors.Is(err, ErrUnexpectedStatus) {
					t.Fatalf("err = %v, want an UnexpectedResponseError with status %d", err, status)
				}
				if got := elsewhere.Load() - before; got != 0 {
					t.Errorf("the other host received %d requests", got)
				}
				if n := len(srv.requests()); n != 1 || len(waits.all()) != 0 {
					t.Errorf("%d requests, waits %v: a redirect is final, not retried", n, waits.all())
				}
				if hc.c != nil && hc.c.CheckRedirect != nil {
					t.Error("the caller's http.Client was changed")
				}
			})
		}
	}
}

// TestAttackEchoedSecretsAreRedacted: a server that echoes the request's Authorization,
// security token and secret in its headers, its body and a malformed status line gets none of
// them into the error or the result the caller sees.
func TestAttackEchoedSecretsAreRedacted(t *testing.T) {
	echo := func(r *http.Request) string {
		return r.Header.Get("Authorization") + " " + r.Header.Get("X-Acs-Security-Token") + " " + testSecret
	}
	t.Run("headers and body of an error response", func(t *testing.T) {
		srv := newServer(t, testSTSCreds, func(w http.ResponseWriter, r *http.Request, _ int) {
			w.Header().Set("X-Echo", echo(r))
			w.Header().Set("X-"+testToken, "name")
			writeBody(w, http.StatusBadRequest, "application/json; x="+testToken,
				[]byte(`{"RequestId":"R","HostId":"`+testSecret+`","Code":"InstanceNotFound","Message":"`+echo(r)+`"}`))
		})
		c, _ := newTestClient(t, srv, Config{Credentials: testSTSCreds})
		_, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
		var apiErr *APIError
		if !errors.As(err, &apiErr) || !errors.Is(err, ErrInstanceNotFound) {
			t.Fatalf("err = %v", err)
		}
		assertNoSecrets(t, "the error", fmt.Sprintf("%v %+v", err, apiErr))
		assertNoSecrets(t, "the response's headers", fmt.Sprint(apiErr.Header))
		if auth := srv.requests()[0].Header.Get("Authorization"); strings.Contains(fmt.Sprint(apiErr.Header), auth) {
			t.Errorf("the Authorization header is echoed: %v", apiErr.Header)
		}
	})
	t.Run("headers of a success", func(t *testing.T) {
		srv := newServer(t, testSTSCreds, func(w http.ResponseWriter, r *http.Request, _ int) {
			w.Header().Set("X-Echo", echo(r))
			writeBody(w, http.StatusOK, "application/json", successJSON("OK"))
		})
		c, _ := newTestClient(t, srv, Config{Credentials: testSTSCreds})
		res, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecrets(t, "the result's headers", fmt.Sprint(res.Header))
	})
	t.Run("an undocumented response", func(t *testing.T) {
		srv := newServer(t, testSTSCreds, func(w http.ResponseWriter, r *http.Request, _ int) {
			writeBody(w, http.StatusBadRequest, "text/plain; echo="+testToken, []byte(echo(r)))
		})
		c, _ := newTestClient(t, srv, Config{Credentials: testSTSCreds})
		_, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
		if !errors.Is(err, ErrUndocumentedContentType) {
			t.Fatalf("err = %v", err)
		}
		assertNoSecrets(t, "the error", err.Error())
	})
	t.Run("identifiers that hold a secret", func(t *testing.T) {
		// RequestId and Code are printed as they are by every caller (text, JSON, logs), so a
		// secret inside them is replaced too, not only an identifier that is exactly a secret.
		srv := newServer(t, testSTSCreds, func(w http.ResponseWriter, r *http.Request, n int) {
			id := "req-" + r.Header.Get("X-Acs-Security-Token") + "-" + testSecret
			switch n {
			case 0:
				writeBody(w, http.StatusOK, "application/json", []byte(`{"Result":true,"RequestId":"`+id+`","Code":"c-`+testSecret+`"}`))
			case 1:
				writeBody(w, http.StatusBadRequest, "application/json", []byte(`{"RequestId":"`+id+`","Code":"Bad.`+testToken+`","Message":"m"}`))
			case 2: // the header stands in for the body's RequestId
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Acs-Request-Id", id)
				_, _ = w.Write([]byte(`{"Result":true}`))
			default:
				w.Header().Set("Content-Type", "text/html")
				w.Header().Set("X-Acs-Request-Id", id)
				w.WriteHeader(http.StatusBadGateway)
				_, _ = w.Write([]byte("gateway"))
			}
		})
		var log strings.Builder
		c, _ := newTestClient(t, srv, Config{Credentials: testSTSCreds, Retry: RetryPolicy{MaxAttempts: 1},
			Logger: slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelDebug}))})
		for i := range 4 {
			res, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
			if res != nil {
				assertNoSecrets(t, fmt.Sprintf("result %d", i), fmt.Sprintf("%+v", *res))
				if !strings.HasPrefix(res.RequestID, "req-"+redact.Placeholder) {
					t.Errorf("result %d: RequestID %q, want the rest of the id kept", i, res.RequestID)
				}
			}
			var apiErr *APIError
			var ue *UnexpectedResponseError
			switch {
			case errors.As(err, &apiErr):
				assertNoSecrets(t, "APIError fields", apiErr.Code+" "+apiErr.RequestID)
			case errors.As(err, &ue):
				assertNoSecrets(t, "UnexpectedResponseError fields", ue.RequestID)
			}
			if err != nil {
				assertNoSecrets(t, fmt.Sprintf("error %d", i), fmt.Sprintf("%v %+v", err, err))
			}
		}
		assertNoSecrets(t, "the log", log.String())
	})
	t.Run("a malformed status line", func(t *testing.T) {
		srv := rawServer(t, func(_ *http.Request) string {
			return "HTTP/1.1 " + testSecret + " OK\r\n\r\n"
		})
		c, err := New(Config{Endpoint: srv, Credentials: testSTSCreds, Retry: RetryPolicy{MaxAttempts: 1}})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
		if err == nil || !strings.Contains(err.Error(), "malformed HTTP status code \""+redact.Placeholder) {
			t.Fatalf("err = %v, want net/http's malformed status error, redacted", err)
		}
		assertNoSecrets(t, "the error", err.Error())
	})
}

// rawServer answers every request on loopback with the bytes reply returns, then closes the
// connection; it returns the server's URL.
func rawServer(t *testing.T, reply func(*http.Request) string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
				req, err := http.ReadRequest(bufio.NewReader(conn))
				if err != nil {
					return
				}
				_, _ = conn.Write([]byte(reply(req)))
			})
		}
	})
	return "http://" + ln.Addr().String()
}

// TestAttackHugeResponseHeaders: a server sending a header block of several megabytes gets an
// error once MaxResponseHeaderBytes are read, not a client that buffers it all.
func TestAttackHugeResponseHeaders(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
		filler := strings.Repeat("x", 8<<10)
		for i := range 600 { // 4.8 MB
			w.Header().Set(fmt.Sprintf("X-Filler-%d", i), filler)
		}
		writeBody(w, http.StatusOK, "application/json", successJSON("OK"))
	})
	c, _ := newTestClient(t, srv, Config{})
	_, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
	if err == nil || !strings.Contains(err.Error(), "exceeded") {
		t.Fatalf("err = %v, want the header cap's error", err)
	}
	if n := len(srv.requests()); n != 1 {
		t.Errorf("%d requests: an oversized response is final, not retried", n)
	}
}

// TestAttackThrottleWaitIsHonoured: no attempt is sent before the TimeLeft a throttled response
// asked for, even when it is longer than MaxDelay.
func TestAttackThrottleWaitIsHonoured(t *testing.T) {
	const timeLeft = 300 * time.Millisecond
	var (
		mu       sync.Mutex
		answered time.Time
		gap      time.Duration
	)
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, n int) {
		mu.Lock()
		defer mu.Unlock()
		if n == 0 {
			w.Header().Set("X-Ratelimit-User-Api", fmt.Sprintf("Limit:1,Remain:0,TimeLeft:%d,Reset:1", timeLeft.Milliseconds()))
			writeBody(w, http.StatusBadRequest, "application/json", errorBody("Throttling.User"))
			answered = time.Now()
			return
		}
		gap = time.Since(answered)
		writeBody(w, http.StatusOK, "application/json", successJSON("OK"))
	})
	c, err := New(Config{Endpoint: srv.URL, Credentials: testCreds,
		Retry: RetryPolicy{MaxAttempts: 3, BaseDelay: time.Millisecond, MaxDelay: 10 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.InterruptElasticsearchTask(context.Background(), "es-1", nil)
	if err != nil || res.Attempts != 2 {
		t.Fatalf("res %+v, err %v; want success on the second attempt", res, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if gap < timeLeft {
		t.Errorf("the second attempt came %s after the throttled response, before its TimeLeft of %s", gap, timeLeft)
	}
}

// TestAttackThrottleWaitBeyondTheBudgetStops: when the wait asked for ends after the call's
// deadline (or MaxElapsed), the call sends nothing more, waits for nothing and says when to
// retry.
func TestAttackThrottleWaitBeyondTheBudgetStops(t *testing.T) {
	srv := newServer(t, testCreds, func(w http.ResponseWriter, _ *http.Request, _ int) {
		w.Header().Set("X-Ratelimit-User", "Limit:1,Remain:0,TimeLeft:4000,Reset:1")
		writeBody(w, http.StatusBadRequest, "application/json", errorBody("Throttling.User"))
	})
	for _, tc := range []struct {
		name   string
		policy RetryPolicy
		ctx    func() (context.Context, context.CancelFunc)
	}{
		{"context deadline", RetryPolicy{MaxDelay: time.Second}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), time.Second)
		}},
		{"MaxElapsed", RetryPolicy{MaxDelay: time.Second, MaxElapsed: 2 * time.Second}, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}},
		{"last attempt", RetryPolicy{MaxAttempts: 1}, func() (context.Context, context.CancelFunc) {
			return context.WithCancel(context.Background())
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.requests())
			c, waits := newTestClient(t, srv, Config{Retry: tc.policy})
			ctx, cancel := tc.ctx()
			defer cancel()
			start := time.Now()
			_, err := c.InterruptElasticsearchTask(ctx, "es-1", nil)
			var te *ThrottledError
			if !errors.As(err, &te) || te.RetryAfter != 4*time.Second || te.RetryAt.Before(start.Add(4*time.Second)) {
				t.Fatalf("err = %v, want a ThrottledError with RetryAfter 4s", err)
			}
			if !errors.Is(err, ErrThrottlingUser) || !strings.Contains(err.Error(), "retry after 4s") {
				t.Errorf("err = %v: should match Throttling.User and say when to retry", err)
			}
			if n := len(srv.requests()) - before; n != 1 || len(waits.all()) != 0 {
				t.Errorf("%d requests, waits %v; want 1 and none", n, waits.all())
			}
		})
	}
}
