package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// helperEnv makes the test binary act as the load command itself, so startServer can be tested
// on a real subprocess: LOAD_TEST_HELPER=1 ./load.test -serve-bare 127.0.0.1:0.
const helperEnv = "LOAD_TEST_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		code := run(ctx, []string{"-serve-bare", "127.0.0.1:0"}, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func TestCheckLoopbackHost(t *testing.T) {
	for host, ok := range map[string]bool{
		"127.0.0.1": true, "127.8.9.10": true, "::1": true, "localhost": true, "LOCALHOST": true,
		"10.0.0.1": false, "192.168.1.1": false, "172.16.0.1": false, "0.0.0.0": false, "::": false,
		"8.8.8.8": false, "example.com": false, "localhost.example.com": false, "": false, "::ffff:10.0.0.1": false,
	} {
		if err := checkLoopbackHost(host); (err == nil) != ok {
			t.Errorf("checkLoopbackHost(%q) = %v, want ok=%v", host, err, ok)
		}
	}
}

func TestCheckLoopbackURL(t *testing.T) {
	for raw, ok := range map[string]bool{
		"http://127.0.0.1:8080":       true,
		"http://[::1]:8080":           true,
		"https://localhost:8443/x":    true,
		"http://127.0.0.1":            false, // no port
		"ftp://127.0.0.1:21":          false,
		"http://10.1.2.3:8080":        false,
		"http://user@example.com:80":  false,
		"http://127.0.0.1.nip.io:80":  false,
		"http://%zz:80":               false,
		"http://[fe80::1%25lo]:80":    false,
		"http://2130706433:8080":      false, // a number is a name to resolve, not accepted
		"http://127.0.0.1@10.0.0.1:1": false,
	} {
		if err := checkLoopbackURL(raw); (err == nil) != ok {
			t.Errorf("checkLoopbackURL(%q) = %v, want ok=%v", raw, err, ok)
		}
	}
}

func TestParseFlagsRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"-target", "http://10.0.0.1:80", "-access-key-id", "a", "-access-key-secret", "b"},
		{"-target", "http://127.0.0.1:80"},
		{"-access-key-id", "a", "-access-key-secret", "b"},
		{"-target", "http://127.0.0.1:80", "-esinterrupt", "x", "-access-key-id", "a", "-access-key-secret", "b"},
		{"-c", "0"},
		{"-c", "1,x"},
		{"-requests", "0"},
		{"-duration", "0s"},
		{"-serve-bare", "0.0.0.0:0"},
		{"extra"},
	} {
		var stderr bytes.Buffer
		if code := run(context.Background(), args, io.Discard, &stderr); code != exitUsage {
			t.Errorf("run %q = %d, want %d (usage)", args, code, exitUsage)
		}
	}
}

func TestParseFlagsDefaults(t *testing.T) {
	o, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(o.levels) != 3 || o.levels[0] != 1 || o.levels[1] != 16 || o.levels[2] != 64 {
		t.Errorf("levels %v, want [1 16 64]", o.levels)
	}
	if o.requests <= 0 || o.duration <= 0 || o.timeout < o.duration {
		t.Errorf("bounds %d %s %s", o.requests, o.duration, o.timeout)
	}
}

func TestListenAddr(t *testing.T) {
	for line, want := range map[string]string{
		`time=2024-05-06T07:08:09Z level=INFO msg=listening addr=127.0.0.1:39123 signatures=true admin=false`: "127.0.0.1:39123",
		`time=x level=INFO msg=listening addr="[::1]:8080" signatures=true`:                                   "[::1]:8080",
		"listening addr=127.0.0.1:5\n":                        "127.0.0.1:5",
		`time=x level=INFO msg=request addr=127.0.0.1:1`:      "",
		`time=x level=INFO msg=listening signatures=true`:     "",
		`time=x level=INFO msg=listening remote_addr=1.2.3.4`: "",
	} {
		if got := listenAddr(line); got != want {
			t.Errorf("listenAddr(%q) = %q, want %q", line, got, want)
		}
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i))
	}
	for q, want := range map[float64]time.Duration{0.5: 50, 0.99: 99, 1: 100, 0.001: 1} {
		if got := percentile(d, q); got != want {
			t.Errorf("percentile(1..100, %v) = %d, want %d", q, got, want)
		}
	}
	if got := percentile([]time.Duration{7}, 0.99); got != 7 {
		t.Errorf("one sample: %d", got)
	}
	if got := percentile(nil, 0.5); got != 0 {
		t.Errorf("no samples: %d", got)
	}
}

// TestMeasureAgainstReferenceServer runs a small level against the reference server with
// signature checks on: every request must verify (so each carries a fresh nonce) and get
// InstanceNotFound, and the bounds must hold.
func TestMeasureAgainstReferenceServer(t *testing.T) {
	creds := signing.Credentials{AccessKeyID: "LTAI5tLoadTest", AccessKeySecret: "load-test-secret"}
	ref, err := server.New(server.Config{Credentials: []signing.Credentials{creds}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(ref)
	t.Cleanup(ts.Close)
	tg := target{name: "reference", url: ts.URL, keyID: creds.AccessKeyID, secret: creds.AccessKeySecret}

	res, err := measure(context.Background(), tg, 4, 120, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if res.requests != 120 || res.errors != 0 {
		t.Fatalf("%d requests, %d errors (first: %v); want 120 and 0", res.requests, res.errors, res.firstErr)
	}
	if got, want := ref.Stats().NonceEntries, 120+warmupRequests; got != want {
		t.Errorf("server remembers %d nonces, want %d: every request needs a fresh one", got, want)
	}
	if p50, p99 := percentile(res.latencies, 0.5), percentile(res.latencies, 0.99); p50 <= 0 || p99 < p50 {
		t.Errorf("p50 %s, p99 %s", p50, p99)
	}

	// The duration bound: a level far larger than the time allows stops by itself.
	res, err = measure(context.Background(), tg, 2, 1_000_000, 150*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if res.requests >= 1_000_000 || res.elapsed > 150*time.Millisecond+requestTimeout {
		t.Errorf("duration bound ignored: %d requests in %s", res.requests, res.elapsed)
	}
}

// TestMeasureCountsWrongAnswers checks that an answer other than InstanceNotFound is an error.
func TestMeasureCountsWrongAnswers(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"Result":true,"RequestId":"R"}`)
	}))
	t.Cleanup(ts.Close)
	_, err := measure(context.Background(), target{name: "wrong", url: ts.URL, keyID: "a", secret: "b"}, 1, 5, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "warm-up") {
		t.Fatalf("err = %v, want a warm-up failure", err)
	}
}

// TestStartServerBare starts the bare server as a real subprocess (this test binary in helper
// mode), sends it one request through the load client and stops it.
func TestStartServerBare(t *testing.T) {
	t.Setenv(helperEnv, "1")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := startServer(ctx, os.Args[0], nil)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			p.stop()
		}
	}()
	if !strings.HasPrefix(p.url, "http://127.0.0.1:") {
		t.Errorf("url %q", p.url)
	}
	res, err := measure(ctx, target{name: "bare", url: p.url, keyID: "a", secret: "b"}, 2, 20, time.Minute)
	if err != nil || res.errors != 0 || res.requests != 20 {
		t.Fatalf("measure: %v, %+v", err, res)
	}
	p.stop()
	stopped = true
	if code := p.cmd.ProcessState.ExitCode(); code != exitOK {
		t.Errorf("bare server exited %d after SIGINT, want %d", code, exitOK)
	}
}

func TestStartServerNoListeningLine(t *testing.T) {
	t.Setenv(helperEnv, "")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The test binary without helper mode runs no tests matching the pattern and exits.
	_, err := startServer(ctx, os.Args[0], nil, "-test.run", "^$")
	if err == nil || !strings.Contains(err.Error(), "exited before listening") {
		t.Fatalf("err = %v, want the exit before listening", err)
	}
}

func TestReport(t *testing.T) {
	results := []result{
		{target: "esinterrupt serve", concurrency: 16, requests: 100, elapsed: time.Second, latencies: []time.Duration{2 * time.Millisecond}},
		{target: "bare handler", concurrency: 16, requests: 200, elapsed: time.Second, latencies: []time.Duration{500 * time.Microsecond}},
	}
	var b bytes.Buffer
	report(&b, results)
	for _, want := range []string{
		"| esinterrupt serve | 16 | 100 | 0 | 100 | 2.00 ms | 2.00 ms | 0.50x | 4.00x | 4.00x |",
		"| bare handler | 16 | 200 | 0 | 200 | 500 µs | 500 µs |  |  |  |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}
