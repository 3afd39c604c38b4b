package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/es-openapi/interrupt/bench/internal/fixture"
	"github.com/es-openapi/interrupt/client"
)

// requestTimeout bounds one request, so a level ends at most this long after its duration.
const requestTimeout = 10 * time.Second

// warmupRequests are sent before each level and not counted: they open the connections.
const warmupRequests = 2

// target is a server to measure.
type target struct {
	name          string
	url           string
	keyID, secret string
}

// result is one level against one target.
type result struct {
	target      string
	concurrency int
	requests    int // completed requests, errors included
	errors      int
	firstErr    error
	elapsed     time.Duration
	latencies   []time.Duration // sorted
}

// rps is completed requests per second.
func (r result) rps() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// percentile returns the q-quantile (0 < q <= 1) of sorted latencies by the nearest-rank
// method, or 0 for none.
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(q*float64(len(sorted))+0.999999999) - 1 // ceil(q*n) - 1
	return sorted[max(0, min(rank, len(sorted)-1))]
}

// newLoadClient is the client a level uses: retries off (every request is one request), and a
// transport whose idle pool holds a connection per worker, so no worker redials.
func newLoadClient(t target, concurrency int) (*client.Client, *http.Transport, error) {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        concurrency,
		MaxIdleConnsPerHost: concurrency,
		IdleConnTimeout:     30 * time.Second,
	}
	c, err := client.New(client.Config{
		Endpoint:    t.url,
		Credentials: client.StaticCredentials{AccessKeyID: t.keyID, AccessKeySecret: t.secret},
		HTTPClient:  &http.Client{Transport: tr, Timeout: requestTimeout},
		Retry:       client.RetryPolicy{MaxAttempts: 1},
	})
	if err != nil {
		tr.CloseIdleConnections()
		return nil, nil, err
	}
	return c, tr, nil
}

// expected reports whether a call ended as every request of the load should: the service's
// InstanceNotFound answer for the unknown id.
func expected(res *client.InterruptResult, err error) error {
	if err == nil {
		return fmt.Errorf("a success (RequestId %s) for an unknown instance", res.RequestID)
	}
	if !errors.Is(err, client.ErrInstanceNotFound) {
		return err
	}
	return nil
}

// measure runs concurrency workers against t until requests calls have been made or duration
// has passed, and returns what they saw.
func measure(ctx context.Context, t target, concurrency, requests int, duration time.Duration) (result, error) {
	c, tr, err := newLoadClient(t, concurrency)
	if err != nil {
		return result{}, err
	}
	defer tr.CloseIdleConnections()
	if err := warmUp(ctx, c); err != nil {
		return result{}, err
	}

	stop := make(chan struct{})
	l := &level{client: c, budget: int64(requests), stop: stop}
	start := time.Now()
	timer := time.AfterFunc(duration, func() { close(stop) })
	defer timer.Stop()
	latencies := l.run(ctx, concurrency, requests/concurrency+1)
	return result{
		target:      t.name,
		concurrency: concurrency,
		requests:    len(latencies),
		errors:      l.errors,
		firstErr:    l.firstErr,
		elapsed:     time.Since(start),
		latencies:   latencies,
	}, ctx.Err()
}

// warmUp sends the uncounted requests that open the connections; each must end as expected.
func warmUp(ctx context.Context, c *client.Client) error {
	for range warmupRequests {
		if err := expected(c.InterruptElasticsearchTask(ctx, fixture.UnknownInstanceID, nil)); err != nil {
			return fmt.Errorf("warm-up request: %w", err)
		}
	}
	return nil
}

// level is one level's workers' shared state: the request budget, the stop signal and the
// failures seen.
type level struct {
	client *client.Client
	budget int64         // most requests, all workers together
	stop   chan struct{} // closed when the level's duration has passed
	issued atomic.Int64

	mu       sync.Mutex
	errors   int
	firstErr error
}

// run starts concurrency workers, each with room for perWorker latencies, waits for them all
// and returns their latencies, sorted.
func (l *level) run(ctx context.Context, concurrency, perWorker int) []time.Duration {
	perQueue := make([][]time.Duration, concurrency)
	var wg sync.WaitGroup
	for w := range concurrency {
		wg.Go(func() { perQueue[w] = l.worker(ctx, perWorker) })
	}
	wg.Wait()
	all := slices.Concat(perQueue...)
	slices.Sort(all)
	return all
}

// worker sends requests one after another while the level goes on and returns their latencies.
func (l *level) worker(ctx context.Context, capacity int) []time.Duration {
	lat := make([]time.Duration, 0, capacity)
	for l.more(ctx) {
		began := time.Now()
		r, err := l.client.InterruptElasticsearchTask(ctx, fixture.UnknownInstanceID, nil)
		took := time.Since(began)
		l.record(expected(r, err))
		lat = append(lat, took)
	}
	return lat
}

// more reports whether a worker may send one more request: the level has not stopped, ctx has
// not ended and the budget is not spent (the request is counted against it).
func (l *level) more(ctx context.Context) bool {
	select {
	case <-l.stop:
		return false
	case <-ctx.Done():
		return false
	default:
	}
	return l.issued.Add(1) <= l.budget
}

// record counts a failed request, keeping the first failure for the report; nil is a success.
func (l *level) record(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.errors++
	if l.firstErr == nil {
		l.firstErr = err
	}
}

// report prints the results as a Markdown table, each target beside the bare handler at the
// same concurrency.
func report(w io.Writer, results []result) {
	fmt.Fprintln(w, "| target | concurrency | requests | errors | req/s | p50 | p99 | req/s vs bare | p50 vs bare | p99 vs bare |")
	fmt.Fprintln(w, "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
	for _, r := range results {
		var bare *result
		for i := range results {
			if results[i].target == "bare handler" && results[i].concurrency == r.concurrency {
				bare = &results[i]
			}
		}
		p50, p99 := percentile(r.latencies, 0.50), percentile(r.latencies, 0.99)
		vs := [3]string{"", "", ""}
		if bare != nil && r.target != bare.target {
			vs[0] = ratio(r.rps(), bare.rps())
			vs[1] = ratio(float64(p50), float64(percentile(bare.latencies, 0.50)))
			vs[2] = ratio(float64(p99), float64(percentile(bare.latencies, 0.99)))
		}
		fmt.Fprintf(w, "| %s | %d | %d | %d | %.0f | %s | %s | %s | %s | %s |\n",
			r.target, r.concurrency, r.requests, r.errors, r.rps(), formatLatency(p50), formatLatency(p99), vs[0], vs[1], vs[2])
	}
}

// ratio formats a/b as "0.42x".
func ratio(a, b float64) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.2fx", a/b)
}

// formatLatency prints a latency in microseconds or milliseconds.
func formatLatency(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%d µs", d.Microseconds())
	}
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}
