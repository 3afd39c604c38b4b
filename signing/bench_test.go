package signing

import (
	"net/http"
	"testing"
	"time"
)

var benchCreds = Credentials{AccessKeyID: "LTAI5tBenchmarkKeyID01", AccessKeySecret: "benchmark-secret-0123456789abcdef"}

func benchRequest(b *testing.B) *http.Request {
	req, err := http.NewRequest(http.MethodPost,
		"https://elasticsearch.cn-hangzhou.aliyuncs.com/openapi/instances/es-cn-n6w1o1x0w001c/actions/interrupt?clientToken=5f0c6a9e-4b0a-4a1e-9f7e-2d3c4b5a6978", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	return req
}

var benchTime = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

// BenchmarkSignV3 re-signs one request, as a retry loop would; the header
// map is already sized, so this measures signing, not map growth.
func BenchmarkSignV3(b *testing.B) {
	req := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := Sign(req, SchemeV3, benchCreds, benchTime, "3156853299f313e23d1673dc12e1703d"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSignROA(b *testing.B) {
	req := benchRequest(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := Sign(req, SchemeROA, benchCreds, benchTime, "3156853299f313e23d1673dc12e1703d"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyV3(b *testing.B) {
	req := benchRequest(b)
	if err := Sign(req, SchemeV3, benchCreds, benchTime, "3156853299f313e23d1673dc12e1703d"); err != nil {
		b.Fatal(err)
	}
	lookup := func(string) (Credentials, bool) { return benchCreds, true }
	opts := VerifyOptions{Now: benchTime}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(req, lookup, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifyROA(b *testing.B) {
	req := benchRequest(b)
	if err := Sign(req, SchemeROA, benchCreds, benchTime, "3156853299f313e23d1673dc12e1703d"); err != nil {
		b.Fatal(err)
	}
	lookup := func(string) (Credentials, bool) { return benchCreds, true }
	opts := VerifyOptions{Now: benchTime}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(req, lookup, opts); err != nil {
			b.Fatal(err)
		}
	}
}
