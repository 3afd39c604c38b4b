package bench_test

import (
	"testing"

	"github.com/es-openapi/interrupt/client"
	"github.com/es-openapi/interrupt/server"
	"github.com/es-openapi/interrupt/signing"
)

// BenchmarkNew measures client.New with a typical Config (a region, static credentials, the
// default transport). Run with -benchtime=1x in a fresh process to see the first call, which pays
// any one-time setup; the default benchtime shows the steady state.
func BenchmarkNew(b *testing.B) {
	cfg := client.Config{
		RegionID:    benchRegion,
		Credentials: client.StaticCredentials{AccessKeyID: benchKeyID, AccessKeySecret: benchSecret},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := client.New(cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServerNew measures server.New as a suite that makes one server per test calls it: an
// admin API, one signing key and one seeded instance. Run with -benchtime=1x in a fresh process
// to see the first call, which pays the one-time setup.
func BenchmarkServerNew(b *testing.B) {
	cfg := server.Config{
		Admin:       true,
		Credentials: []signing.Credentials{{AccessKeyID: benchKeyID, AccessKeySecret: benchSecret}},
		Instances:   map[string]server.Status{"es-cn-bench0001": server.StatusActivating},
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := server.New(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
