// Package soak runs many calls of the client against the reference server over loopback with
// random faults injected between them, and checks what must survive the faults: every
// interrupt is applied exactly once, every clientToken ends with the response of its one
// transition, and the server's idempotency store and nonce cache stay within their caps.
//
// go test runs a short soak (2,000 calls); `make soak` runs 100,000:
//
//	go test ./internal/soak -run TestSoak -count=1 -soak.calls=100000
package soak

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
	"github.com/es-openapi/interrupt/spec"
)

var (
	flagCalls       = flag.Int("soak.calls", 2000, "logical calls to make (each one or more HTTP requests)")
	flagConcurrency = flag.Int("soak.concurrency", 8, "calls in flight at once")
	flagSeed        = flag.Uint64("soak.seed", 1, "seed of the fault schedule")
)

// maxAttempts is the client's RetryPolicy.MaxAttempts in the soak.
const maxAttempts = 6

// The fault mix, per HTTP request, in percent. The rest is answered normally.
const (
	pctResetBefore = 4 // connection reset before the server sees the request
	pct503Before   = 4 // a gateway-style 503 ServiceUnavailable; the server never sees it
	pctDelay       = 4 // up to 2 ms of delay before the server answers
	pctResetAfter  = 3 // the server applies the request, then the connection is reset: the response is lost
	pctTruncated   = 1 // the server applies the request, then half of its response is sent
)

// followUps is how many times a worker repeats a failed call with the same clientToken, as a
// careful caller would; a call can fail when all its attempts meet faults.
const followUps = 5

// faultKind is what the injector does to one request.
type faultKind int

const (
	faultNone faultKind = iota
	faultResetBefore
	fault503Before
	faultDelay
	faultResetAfter
	faultTruncated
	numFaultKinds
)

var faultNames = [numFaultKinds]string{"none", "reset before", "503 before", "delay", "reset after", "truncated"}

// injector wraps the reference server and injects faults over the real connection.
type injector struct {
	next     http.Handler
	body503  []byte
	mu       sync.Mutex
	rng      *rand.Rand
	injected [numFaultKinds]atomic.Int64
}

func (in *injector) pick() (faultKind, time.Duration) {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := in.rng.IntN(100)
	for _, f := range []struct {
		pct  int
		kind faultKind
	}{{pctResetBefore, faultResetBefore}, {pct503Before, fault503Before}, {pctDelay, faultDelay}, {pctResetAfter, faultResetAfter}, {pctTruncated, faultTruncated}} {
		if n < f.pct {
			return f.kind, time.Duration(in.rng.Int64N(int64(2 * time.Millisecond)))
		}
		n -= f.pct
	}
	return faultNone, 0
}

func (in *injector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind, delay := in.pick()
	in.injected[kind].Add(1)
	switch kind {
	case faultResetBefore:
		reset(w)
	case fault503Before:
		w.Header().Set("Content-Type", spec.MediaTypeJSON)
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write(in.body503)
	case faultDelay:
		time.Sleep(delay)
		in.next.ServeHTTP(w, r)
	case faultResetAfter, faultTruncated:
		rec := httptest.NewRecorder()
		in.next.ServeHTTP(rec, r)
		if kind == faultResetAfter {
			reset(w)
			return
		}
		truncate(w, rec)
	default:
		in.next.ServeHTTP(w, r)
	}
}

// reset closes the connection with a TCP RST instead of answering.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// truncate sends rec's status and headers with the full Content-Length but half of the body,
// then closes the connection.
func truncate(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	body := rec.Body.Bytes()
	writeHead(buf, rec.Code, rec.Header(), len(body))
	_, _ = buf.Write(body[:len(body)/2])
	_ = buf.Flush()
}

func writeHead(buf *bufio.ReadWriter, status int, h http.Header, length int) {
	_, _ = fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	h = h.Clone()
	h.Set("Content-Length", strconv.Itoa(length))
	_ = h.Write(buf)
	_, _ = buf.WriteString("\r\n")
}

// serviceUnavailableBody is the 503 body a gateway sends, from the catalogue.
func serviceUnavailableBody(t *testing.T) []byte {
	t.Helper()
	cat, err := spec.LoadCatalogue()
	if err != nil {
		t.Fatal(err)
	}
	e, ok := cat.Lookup(string(client.ErrServiceUnavailable))
	if !ok || e.Status != http.StatusServiceUnavailable || !e.Retryable {
		t.Fatalf("the catalogue's ServiceUnavailable entry is %+v, not a retryable 503", e)
	}
	body, err := json.Marshal(map[string]string{
		"RequestId": "SOAK-GATEWAY", "HostId": "gateway.soak.local", "Code": e.Code, "Message": e.Message,
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// outcome is the final response of one clientToken.
type outcome struct {
	requestID string
	attempts  int // HTTP requests over all the token's calls
	calls     int
}

func TestSoak(t *testing.T) {
	calls, concurrency := *flagCalls, *flagConcurrency
	if calls < 1 || concurrency < 1 {
		t.Fatalf("-soak.calls %d and -soak.concurrency %d must be positive", calls, concurrency)
	}
	sk := newSoak(t, calls, concurrency)
	watch := watchStores(sk.ref)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	start := time.Now()
	results := sk.run(ctx, t)
	elapsed := time.Since(start)
	maxTokens, maxNonces := watch()
	if ctx.Err() != nil {
		t.Fatalf("the soak did not finish within its time bound: %v", ctx.Err())
	}
	attempts, multiCall := sk.checkOutcomes(t, results)
	st := sk.ref.Stats()
	if maxTokens > int64(sk.idempotencyCap) || maxNonces > int64(sk.nonceCap) || st.IdempotencyEntries > sk.idempotencyCap || st.NonceEntries > sk.nonceCap {
		t.Errorf("stores over their caps: idempotency max %d (cap %d), nonces max %d (cap %d); at the end %+v", maxTokens, sk.idempotencyCap, maxNonces, sk.nonceCap, st)
	}
	if st.IdempotencyEntries != calls {
		t.Errorf("the store holds %d tokens at the end, want one per call (%d): a live token was lost", st.IdempotencyEntries, calls)
	}
	mix, requests := sk.in.mix()
	t.Logf("%d calls in %s (%.0f calls/s): %d HTTP requests, %d in the successful calls; %d tokens needed a follow-up call; faults:%s; idempotency entries max %d/%d, nonce entries max %d/%d",
		calls, elapsed.Round(time.Millisecond), float64(calls)/elapsed.Seconds(), requests, attempts, multiCall, mix,
		maxTokens, sk.idempotencyCap, maxNonces, sk.nonceCap)
	if sk.in.injected[faultResetAfter].Load() == 0 && calls >= 1000 {
		t.Error("no response was lost after the server applied a request: the soak did not test replays")
	}
}

// soak is one run: the reference server behind the fault injector, and the client.
type soak struct {
	calls, concurrency       int
	idempotencyCap, nonceCap int
	ref                      *server.Server
	in                       *injector
	c                        *client.Client
}

// newSoak starts the reference server behind the fault injector on a loopback httptest server,
// and a retrying client for it; both are closed when t ends.
func newSoak(t *testing.T, calls, concurrency int) *soak {
	creds := signing.Credentials{AccessKeyID: "LTAI5tSoakKey", AccessKeySecret: "soak-secret-0123456789"}
	// The server's per-key caps hold the whole run: a full store refuses new requests of the
	// key (it never forgets a live entry), so caps below the run's size would turn into
	// Throttling.User answers, not into the bounded memory the soak checks.
	sk := &soak{calls: calls, concurrency: concurrency, idempotencyCap: calls, nonceCap: calls * maxAttempts * (1 + followUps)}
	ref, err := server.New(server.Config{
		Credentials:           []signing.Credentials{creds},
		IdempotencyMaxEntries: sk.idempotencyCap,
		NonceMaxEntries:       sk.nonceCap,
	})
	if err != nil {
		t.Fatal(err)
	}
	sk.ref = ref
	sk.in = &injector{next: ref, body503: serviceUnavailableBody(t), rng: rand.New(rand.NewPCG(*flagSeed, 0x50a4))}
	ts := httptest.NewServer(sk.in)
	t.Cleanup(ts.Close)
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConnsPerHost: 2 * concurrency,
		IdleConnTimeout:     10 * time.Second,
	}
	t.Cleanup(tr.CloseIdleConnections)
	sk.c, err = client.New(client.Config{
		Endpoint:    ts.URL,
		Credentials: client.StaticCredentials{AccessKeyID: creds.AccessKeyID, AccessKeySecret: creds.AccessKeySecret},
		HTTPClient:  &http.Client{Transport: tr, Timeout: 30 * time.Second},
		Retry:       client.RetryPolicy{MaxAttempts: maxAttempts, BaseDelay: 100 * time.Microsecond, MaxDelay: time.Millisecond},
	})
	if err != nil {
		t.Fatal(err)
	}
	return sk
}

// watchStores samples the server's store sizes every 5 ms, since the caps must hold at every
// moment and not only at the end; the function it returns stops it and gives the largest sizes.
func watchStores(ref *server.Server) (stop func() (maxTokens, maxNonces int64)) {
	var mt, mn atomic.Int64
	done, quit := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			st := ref.Stats()
			mt.Store(max(mt.Load(), int64(st.IdempotencyEntries)))
			mn.Store(max(mn.Load(), int64(st.NonceEntries)))
			select {
			case <-quit:
				return
			case <-tick.C:
			}
		}
	}()
	return func() (int64, int64) {
		close(quit)
		<-done
		return mt.Load(), mn.Load()
	}
}

// run interrupts calls activating instances, one clientToken each, from concurrency workers,
// and returns each token's final response.
func (sk *soak) run(ctx context.Context, t *testing.T) []outcome {
	results := make([]outcome, sk.calls)
	var (
		next     atomic.Int64
		dupRNGMu sync.Mutex
		dupRNG   = rand.New(rand.NewPCG(*flagSeed, 0xd0b1e))
		wg       sync.WaitGroup
	)
	for range sk.concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= sk.calls || ctx.Err() != nil {
					return
				}
				dupRNGMu.Lock()
				dup := dupRNG.IntN(100) < 5
				dupRNGMu.Unlock()
				if !sk.interrupt(ctx, t, i, dup, &results[i]) {
					return
				}
			}
		})
	}
	wg.Wait()
	return results
}

// interrupt makes instance i activating and interrupts it with its token, twice at once when
// dup is set; it reports false when the instance could not be made.
func (sk *soak) interrupt(ctx context.Context, t *testing.T, i int, dup bool, result *outcome) bool {
	id := fmt.Sprintf("es-soak-%07d", i)
	if err := sk.ref.PutInstance(id, server.StatusActivating); err != nil {
		t.Error(err)
		return false
	}
	token := fmt.Sprintf("soak-%d-%07d", *flagSeed, i)
	var err error
	if dup {
		// The same token twice at once, as a caller retrying in parallel: one transition, and
		// the same response for both.
		var twin outcome
		var twinErr error
		done := make(chan struct{})
		go func() {
			defer close(done)
			twin, twinErr = callUntilAnswered(ctx, sk.c, id, token)
		}()
		*result, err = callUntilAnswered(ctx, sk.c, id, token)
		<-done
		if err == nil && twinErr == nil && twin.requestID != result.requestID {
			t.Errorf("token %s: concurrent calls got answers %s and %s", token, result.requestID, twin.requestID)
		}
		if err == nil {
			err = twinErr
		}
	} else {
		*result, err = callUntilAnswered(ctx, sk.c, id, token)
	}
	if err != nil {
		t.Errorf("instance %s, token %s: %v", id, token, err)
	}
	return true
}

// checkOutcomes checks that every token got the response of its instance's one transition, and
// returns the HTTP requests of the successful calls and how many tokens needed a follow-up.
func (sk *soak) checkOutcomes(t *testing.T, results []outcome) (attempts, multiCall int) {
	seen := make(map[string]bool, len(results))
	for i, o := range results {
		id := fmt.Sprintf("es-soak-%07d", i)
		if st, _ := sk.ref.Instance(id); st != server.StatusSuspended {
			t.Errorf("instance %s is %s after its interrupt: the transition was lost", id, st)
		}
		if o.requestID == "" {
			continue // reported by interrupt
		}
		if seen[o.requestID] {
			t.Errorf("RequestId %s answers two tokens", o.requestID)
		}
		seen[o.requestID] = true
		attempts += o.attempts
		if o.calls > 1 {
			multiCall++
		}
	}
	if got := sk.ref.Transitions(); got != int64(sk.calls) {
		t.Errorf("the server counted %d transitions for %d interrupts of %d activating instances", got, sk.calls, sk.calls)
	}
	return attempts, multiCall
}

// mix names how many faults of each kind were injected, and returns their sum (every request).
func (in *injector) mix() (string, int64) {
	var mix string
	var requests int64
	for k := range numFaultKinds {
		mix += fmt.Sprintf(" %s=%d", faultNames[k], in.injected[k].Load())
		requests += in.injected[k].Load()
	}
	return mix, requests
}

// callUntilAnswered calls until the service answers for token (at most 1+followUps calls) and
// checks the response is the success of the one transition.
func callUntilAnswered(ctx context.Context, c *client.Client, id, token string) (outcome, error) {
	var o outcome
	var lastErr error
	for range 1 + followUps {
		o.calls++
		res, err := c.InterruptElasticsearchTask(ctx, id, &client.InterruptOptions{ClientToken: token})
		if err != nil {
			var apiErr *client.APIError
			if errors.As(err, &apiErr) && !apiErr.Retryable() {
				// A definite response other than the success: for an activating instance and a
				// token used for nothing else, the transition was applied twice or lost.
				return o, fmt.Errorf("call %d: %w", o.calls, err)
			}
			lastErr = err
			continue
		}
		o.attempts += res.Attempts
		if !res.Result || res.ClientToken != token || res.RequestID == "" {
			return o, fmt.Errorf("call %d: response %+v", o.calls, res)
		}
		o.requestID = res.RequestID
		return o, nil
	}
	return o, fmt.Errorf("no response after %d calls: %w", o.calls, lastErr)
}
