package server_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/es-openapi/interrupt/gen/apiserver"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// The memory benchmarks report what one remembered entry costs the heap once the garbage of
// the requests is collected (metric bytes/token and bytes/request): the per-key caps times these
// figures are the servers' memory bounds stated in the README.
//
//	go test ./server -run '^$' -bench 'Memory' -benchtime 200000x

// heapInUse is the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkMemoryPerToken remembers b.N clientTokens (64 characters, the most the document
// allows) for an instance id of the sample's length, each recorded InstanceNotFound and so
// recorded, through the strict handler.
func BenchmarkMemoryPerToken(b *testing.B) {
	srv, err := server.New(server.Config{IdempotencyMaxEntries: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	const prefix = "0123456789abcdef0123456789abcdef0123456789abcdef" // 48 of 64 characters
	before := heapInUse()
	b.ResetTimer()
	for i := range b.N {
		token := prefix + strconv.FormatUint(uint64(1e15)+uint64(i), 10)
		req := apiserver.InterruptElasticsearchTaskRequestObject{InstanceId: "es-cn-n6w1o1x0w001c"}
		req.Params.ClientToken = &token
		if _, err := srv.InterruptElasticsearchTask(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	after := heapInUse()
	if got := srv.Stats().IdempotencyEntries; got != b.N {
		b.Fatalf("%d tokens held, want %d", got, b.N)
	}
	b.ReportMetric(float64(after-min(after, before))/float64(b.N), "bytes/token")
	runtime.KeepAlive(srv)
}

// BenchmarkMemoryPerSignedRequest remembers b.N signed requests (V3, fresh 36-character
// nonces) in the replay cache of one key, through the whole handler.
func BenchmarkMemoryPerSignedRequest(b *testing.B) {
	creds := signing.Credentials{AccessKeyID: "mem-key", AccessKeySecret: "mem-secret"}
	srv, err := server.New(server.Config{Credentials: []signing.Credentials{creds}, NonceMaxEntries: 1 << 30})
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	before := heapInUse()
	b.ResetTimer()
	for i := range b.N {
		req := httptest.NewRequest(http.MethodPost, "/openapi/instances/es-none/actions/interrupt", nil)
		nonce := strconv.FormatUint(uint64(1e15)+uint64(i), 10) + "-0000-4000-8000-0000000"
		if err := signing.Sign(req, signing.SchemeV3, creds, now, nonce); err != nil {
			b.Fatal(err)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != http.StatusBadRequest {
			b.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	b.StopTimer()
	after := heapInUse()
	if got := srv.Stats().NonceEntries; got != b.N {
		b.Fatalf("%d requests held, want %d", got, b.N)
	}
	b.ReportMetric(float64(after-min(after, before))/float64(b.N), "bytes/request")
	runtime.KeepAlive(srv)
}
