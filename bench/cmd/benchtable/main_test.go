package main

import (
	"bytes"
	"strings"
	"testing"
)

const sampleOutput = `goos: linux
goarch: amd64
pkg: github.com/es-openapi/interrupt/bench
cpu: Test CPU
BenchmarkCall/RawHTTP-2         	    2000	     100 ns/op	    7474 B/op	      10 allocs/op
BenchmarkCall/RawHTTP-2         	    2000	     300 ns/op	    7474 B/op	      10 allocs/op
BenchmarkCall/RawHTTP-2         	    2000	     200 ns/op	    7474 B/op	      10 allocs/op
BenchmarkCall/Ours-V3-JSON-2    	    2000	     120 ns/op	   10075 B/op	      20 allocs/op
BenchmarkCall/Ours-V3-JSON-2    	    2000	     260 ns/op	   10075 B/op	      20 allocs/op
BenchmarkCall/Ours-V3-JSON-2    	    2000	     240 ns/op	   10075 B/op	      20 allocs/op
BenchmarkCall/OfficialV3SDK-2   	    2000	     960 ns/op	   33735 B/op	     100 allocs/op
BenchmarkSign/Ours-V3-2         	    2000	    1500 ns/op	     784 B/op	       4 allocs/op
BenchmarkSign/Official-V3-2     	    2000	   12000 ns/op	    5240 B/op	      68 allocs/op
PASS
ok  	github.com/es-openapi/interrupt/bench	2.513s
pkg: github.com/es-openapi/interrupt/server
BenchmarkHandler-2       	    1000	     3000 ns/op
BenchmarkBareHandler-2   	    1000	     1000 ns/op
ok  	github.com/es-openapi/interrupt/server	1s
`

func TestParseMedians(t *testing.T) {
	pkgs, err := parse(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 2 || pkgs[0].pkg != "github.com/es-openapi/interrupt/bench" || pkgs[1].pkg != "github.com/es-openapi/interrupt/server" {
		t.Fatalf("packages: %+v", pkgs)
	}
	raw := pkgs[0].find("BenchmarkCall/RawHTTP")
	if raw == nil || len(raw.samples) != 3 {
		t.Fatalf("RawHTTP: %+v", raw)
	}
	if st := statsOf(raw); st.ns != 200 || st.allocs != 10 || !st.hasMem {
		t.Errorf("RawHTTP medians: %+v", st)
	}
	if st := statsOf(pkgs[1].find("BenchmarkHandler")); st.hasMem || st.ns != 3000 {
		t.Errorf("a row without -benchmem: %+v", st)
	}
}

func TestMedianEven(t *testing.T) {
	got := median([]sample{{ns: 4}, {ns: 1}, {ns: 3}, {ns: 2}}, nsOf)
	if got != 2.5 {
		t.Errorf("median = %v, want 2.5", got)
	}
}

func TestRunTableAndGoals(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run(nil, strings.NewReader(sampleOutput), &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	got := out.String()
	for _, want := range []string{
		"| benchmark | runs | ns/op | B/op | allocs/op | time vs reference | allocs vs reference |",
		// Ours-V3-JSON: median 240 ns against the floor's 200, 20 allocs against 10.
		"| BenchmarkCall/Ours-V3-JSON | 3 | 240 | 10075 | 20 | 1.20x RawHTTP; 0.25x OfficialV3SDK | 2.00x RawHTTP; 0.20x OfficialV3SDK |",
		"| BenchmarkCall/RawHTTP | 3 | 200 | 7474 | 10 | 0.21x OfficialV3SDK | 0.10x OfficialV3SDK |",
		// The sign group compares with its own reference only.
		"| BenchmarkSign/Ours-V3 | 1 | 1500 | 784 | 4 | 0.12x Official-V3 | 0.06x Official-V3 |",
		"| BenchmarkSign/Official-V3 | 1 | 12000 | 5240 | 68 |  |  |",
		"| BenchmarkHandler | 1 | 3000 | - | - | 3.00x BareHandler | - BareHandler |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	for _, want := range []string{
		"| our call (V3-JSON) at most 1.3x the raw net/http floor | 1.20x (time ratio) | <= 1.3x | yes |",
		"| our call (V3-XML) at most 1.3x the raw net/http floor | not measured | <= 1.3x | - |",
		"| our call (V3-JSON) at least 2.5x faster than the official v3 SDK | 4.00x (SDK time / ours) | >= 2.5x | yes |",
		"| our call (V3-JSON) at least 4x fewer allocations than the official v3 SDK | 5.00x (SDK allocs / ours) | >= 4x | yes |",
		"| V3 signing under 2 µs (bench: fresh header map per request) | 1500 ns | <= 2000ns | yes |",
		"| server handler at most 2.5x the bare handler (loopback) | 3.00x (time ratio) | <= 2.5x | no |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("goals lack %q:\n%s", want, got)
		}
	}
}

func TestRunCustomRef(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"-goals=false", "-ref", "BenchmarkSign/Official-V3=^BenchmarkCall/"}, strings.NewReader(sampleOutput), &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	if strings.Contains(out.String(), "Goals") {
		t.Error("-goals=false still printed the goals")
	}
	if !strings.Contains(out.String(), "| BenchmarkCall/RawHTTP | 3 | 200 | 7474 | 10 | 0.02x Official-V3 | 0.15x Official-V3 |") {
		t.Errorf("custom reference not applied:\n%s", out.String())
	}
}

func TestRunErrors(t *testing.T) {
	for _, c := range []struct {
		name  string
		args  []string
		input string
		code  int
	}{
		{"no results", nil, "PASS\nok x 1s\n", 1},
		{"malformed values", nil, "BenchmarkX-2 10 abc ns/op\n", 1},
		{"unpaired values", nil, "BenchmarkX-2 10 5 ns/op 7\n", 1},
		{"no ns/op", nil, "BenchmarkX-2 10 5 B/op\n", 1},
		{"bad regexp", []string{"-ref", "BenchmarkX=("}, "BenchmarkX-2 10 5 ns/op\n", 2},
		{"argument", []string{"file.txt"}, "BenchmarkX-2 10 5 ns/op\n", 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if got := run(c.args, strings.NewReader(c.input), &out, &errOut); got != c.code {
				t.Errorf("exit %d, want %d (stderr %q)", got, c.code, errOut.String())
			}
			if errOut.Len() == 0 {
				t.Error("nothing on stderr")
			}
		})
	}
}

func TestLogLinesIgnored(t *testing.T) {
	pkgs, err := parse(strings.NewReader("BenchmarkX-2 10 5 ns/op\nBenchmarkX says hello world\n    BenchmarkX: log line\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 1 || len(pkgs[0].rows) != 1 || len(pkgs[0].rows[0].samples) != 1 {
		t.Errorf("parsed %+v", pkgs)
	}
}
