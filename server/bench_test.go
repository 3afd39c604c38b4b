package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// The benchmarks compare the full handler with a bare one that writes the same bytes, per
// request. What is measured:
//
//   - BenchmarkHandler / BenchmarkBareHandler: one request over a loopback keep-alive connection
//     (an httptest server and the standard client), which is how clients meet the server. Each
//     iteration builds a fresh request, signs it with V3 and a fresh nonce, and reads the response;
//     both benchmarks send identical requests, so the difference between them is the handler.
//     The full handler runs everything: routing, V3 verification, the nonce cache, validation
//     with openapi3filter, the token store (a distinct clientToken each time), the lifecycle
//     and the log line (JSON, to io.Discard). The instance is put back to activating before each
//     request, so every iteration takes the success path with a transition; that PutInstance
//     is counted in the full handler's time.
//   - ...InProcess: the same two handlers called directly with a recorder, no network, to show
//     the handler's own cost. The goal (at most 2.5x) is stated for the loopback pair.

const benchInstance = "es-cn-bench0001"

var benchCreds = signing.Credentials{AccessKeyID: "bench-key", AccessKeySecret: "bench-secret"}

// benchServer builds the full server as the benchmarks run it.
func benchServer(b *testing.B) *server.Server {
	b.Helper()
	srv, err := server.New(server.Config{
		Credentials: []signing.Credentials{benchCreds},
		Logger:      slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	return srv
}

// bareHandler writes the bytes of a success response with a fixed RequestId, and the same headers.
func bareHandler(b *testing.B) http.Handler {
	b.Helper()
	srv, err := server.New(server.Config{Instances: map[string]server.Status{benchInstance: server.StatusActivating}})
	if err != nil {
		b.Fatal(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/openapi/instances/"+benchInstance+"/actions/interrupt", nil))
	if rec.Code != http.StatusOK {
		b.Fatalf("reference response: %d %s", rec.Code, rec.Body)
	}
	body := rec.Body.Bytes()
	requestID := rec.Header().Get("X-Acs-Request-Id")
	length := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Content-Length", length)
		h.Set("X-Acs-Request-Id", requestID)
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	})
}

// signedRequest builds iteration i's request: a fresh clientToken and nonce, signed with V3.
func signedRequest(b *testing.B, base string, i int) *http.Request {
	n := strconv.Itoa(i)
	req, err := http.NewRequest(http.MethodPost, base+"/openapi/instances/"+benchInstance+"/actions/interrupt?clientToken=bench-"+n, nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	if err := signing.Sign(req, signing.SchemeV3, benchCreds, time.Now(), "bench-nonce-"+n); err != nil {
		b.Fatal(err)
	}
	return req
}

// runLoopback sends b.N requests through h over one keep-alive connection; before runs ahead of
// each request (the instance reset), nil for none.
func runLoopback(b *testing.B, h http.Handler, before func()) {
	ts := httptest.NewServer(h)
	defer ts.Close()
	client := ts.Client()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if before != nil {
			before()
		}
		res, err := client.Do(signedRequest(b, ts.URL, i))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

func BenchmarkHandler(b *testing.B) {
	srv := benchServer(b)
	runLoopback(b, srv, func() { _ = srv.PutInstance(benchInstance, server.StatusActivating) })
}

func BenchmarkBareHandler(b *testing.B) {
	runLoopback(b, bareHandler(b), nil)
}

// runInProcess calls h directly b.N times, each with a fresh signed request. Requests are built
// in batches with the timer stopped (stopping it for every request would cost more than the
// handler), so only ServeHTTP, the recorder and before are timed.
func runInProcess(b *testing.B, h http.Handler, before func()) {
	const batch = 1024
	reqs := make([]*http.Request, 0, batch)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if len(reqs) == 0 {
			b.StopTimer()
			for range batch {
				i++
				req := signedRequest(b, "http://elasticsearch.cn-hangzhou.aliyuncs.com", i)
				req.RequestURI = req.URL.RequestURI()
				req.Body = http.NoBody
				reqs = append(reqs, req)
			}
			b.StartTimer()
		}
		req := reqs[len(reqs)-1]
		reqs = reqs[:len(reqs)-1]
		if before != nil {
			before()
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
}

func BenchmarkHandlerInProcess(b *testing.B) {
	srv := benchServer(b)
	runInProcess(b, srv, func() { _ = srv.PutInstance(benchInstance, server.StatusActivating) })
}

func BenchmarkBareHandlerInProcess(b *testing.B) {
	runInProcess(b, bareHandler(b), nil)
}
