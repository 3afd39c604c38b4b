// Command benchtable reads `go test -bench . -benchmem -count N` output on standard input and
// prints, per package, one Markdown table of medians (ns/op, B/op, allocs/op) with ratios
// against reference rows, then the project's performance goals with their measured values.
//
// Usage:
//
//	go test -run '^$' -bench . -benchmem -count 5 ./... | benchtable [-ref BASE[=ROWS]]... [-goals=false]
//
// A reference BASE is a benchmark name without its -GOMAXPROCS suffix, such as
// BenchmarkCall/RawHTTP. Its ratio columns are filled for the rows of the same package that
// match the regular expression ROWS; without ROWS, for the rows under the same top-level
// benchmark (BenchmarkCall/...). A ratio is row/BASE: 1.25x means the row takes 25% longer,
// or allocates 25% more, than BASE.
//
// Lines that are not benchmark results (PASS, ok, goos, ...) are ignored, except "pkg:",
// which names the package of the results after it. The exit status is 0 when at least one
// result was read and no line was malformed, whether goals are met or not: a goal missed is a
// finding to report, not a failure of the tool.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// refFlag collects -ref values.
type refFlag []ref

// ref is a reference row and the rows its ratios are given for.
type ref struct {
	base string         // the reference benchmark's name
	rows *regexp.Regexp // the rows compared with it; nil means base's top-level group
}

func (f *refFlag) String() string {
	parts := make([]string, 0, len(*f))
	for _, r := range *f {
		if r.rows != nil {
			parts = append(parts, r.base+"="+r.rows.String())
		} else {
			parts = append(parts, r.base)
		}
	}
	return strings.Join(parts, ",")
}

func (f *refFlag) Set(v string) error {
	base, rows, hasRows := strings.Cut(v, "=")
	if base == "" {
		return errors.New("empty benchmark name")
	}
	r := ref{base: base}
	if hasRows {
		re, err := regexp.Compile(rows)
		if err != nil {
			return fmt.Errorf("rows of %s: %w", base, err)
		}
		r.rows = re
	}
	*f = append(*f, r)
	return nil
}

// defaultRefs are the comparisons the project's README reports.
var defaultRefs = []string{
	"BenchmarkCall/RawHTTP",
	"BenchmarkCall/OfficialV3SDK",
	"BenchmarkSign/Official-V3=^BenchmarkSign/Ours-V3$",
	"BenchmarkSign/Official-ROA=^BenchmarkSign/Ours-ROA$",
	"BenchmarkRawHTTP=^BenchmarkInterrupt/",
	"BenchmarkBareHandler=^BenchmarkHandler$",
	"BenchmarkBareHandlerInProcess=^BenchmarkHandlerInProcess$",
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("benchtable", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var refs refFlag
	fs.Var(&refs, "ref", "reference row `BASE[=ROWS]` for ratio columns (repeatable; default: the project's comparisons)")
	goals := fs.Bool("goals", true, "print the project's performance goals with their measured values")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "benchtable: unexpected argument %q; the results come on standard input\n", fs.Arg(0))
		return 2
	}
	if len(refs) == 0 {
		for _, r := range defaultRefs {
			if err := refs.Set(r); err != nil {
				fmt.Fprintf(stderr, "benchtable: default reference %q: %v\n", r, err)
				return 1
			}
		}
	}
	pkgs, err := parse(stdin)
	if err != nil {
		fmt.Fprintf(stderr, "benchtable: %v\n", err)
		return 1
	}
	if len(pkgs) == 0 {
		fmt.Fprintln(stderr, "benchtable: no benchmark results on standard input")
		return 1
	}
	render(stdout, pkgs, refs)
	if *goals {
		renderGoals(stdout, pkgs, projectGoals)
	}
	return 0
}

// sample is one result line.
type sample struct {
	ns, bytes, allocs float64
	hasMem            bool
}

// row is every sample of one benchmark, in order of appearance.
type row struct {
	name    string
	samples []sample
}

// pkgResults are the rows of one package, in order of first appearance.
type pkgResults struct {
	pkg  string
	rows []*row
}

// find returns the row named name, or nil.
func (p *pkgResults) find(name string) *row {
	for _, r := range p.rows {
		if r.name == name {
			return r
		}
	}
	return nil
}

// procSuffix is the -GOMAXPROCS suffix go test appends to names.
var procSuffix = regexp.MustCompile(`-\d+$`)

// parse reads go test output. A benchmark line is the name, the iteration count, then value
// and unit pairs; units other than ns/op, B/op and allocs/op are ignored.
func parse(r io.Reader) ([]*pkgResults, error) {
	var (
		pkgs []*pkgResults
		cur  *pkgResults
	)
	pkgOf := func(name string) *pkgResults {
		for _, p := range pkgs {
			if p.pkg == name {
				return p
			}
		}
		p := &pkgResults{pkg: name}
		pkgs = append(pkgs, p)
		return p
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if pkg, ok := strings.CutPrefix(line, "pkg: "); ok {
			cur = pkgOf(strings.TrimSpace(pkg))
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		if _, err := strconv.ParseInt(fields[1], 10, 64); err != nil {
			continue // a benchmark's own log line that starts with its name
		}
		s, err := parseValues(fields[2:])
		if err != nil {
			return nil, fmt.Errorf("line %d: %w: %q", n, err, line)
		}
		if cur == nil {
			cur = pkgOf("")
		}
		name := procSuffix.ReplaceAllString(fields[0], "")
		rw := cur.find(name)
		if rw == nil {
			rw = &row{name: name}
			cur.rows = append(cur.rows, rw)
		}
		rw.samples = append(rw.samples, s)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(pkgs, func(p *pkgResults) bool { return len(p.rows) == 0 }), nil
}

// parseValues reads "value unit" pairs.
func parseValues(f []string) (sample, error) {
	var s sample
	if len(f)%2 != 0 {
		return s, errors.New("values and units do not pair up")
	}
	seenNS := false
	for i := 0; i < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			return s, fmt.Errorf("bad value %q", f[i])
		}
		switch f[i+1] {
		case "ns/op":
			s.ns, seenNS = v, true
		case "B/op":
			s.bytes, s.hasMem = v, true
		case "allocs/op":
			s.allocs, s.hasMem = v, true
		}
	}
	if !seenNS {
		return s, errors.New("no ns/op")
	}
	return s, nil
}

// median returns the median of the values get picks from samples.
func median(samples []sample, get func(sample) float64) float64 {
	vs := make([]float64, len(samples))
	for i, s := range samples {
		vs[i] = get(s)
	}
	slices.Sort(vs)
	n := len(vs)
	if n == 0 {
		return math.NaN()
	}
	if n%2 == 1 {
		return vs[n/2]
	}
	return (vs[n/2-1] + vs[n/2]) / 2
}

func nsOf(s sample) float64     { return s.ns }
func bytesOf(s sample) float64  { return s.bytes }
func allocsOf(s sample) float64 { return s.allocs }

// stats are a row's medians.
type stats struct {
	n                 int
	ns, bytes, allocs float64
	hasMem            bool
}

func statsOf(r *row) stats {
	st := stats{n: len(r.samples), ns: median(r.samples, nsOf)}
	if slices.ContainsFunc(r.samples, func(s sample) bool { return s.hasMem }) {
		st.hasMem = true
		st.bytes = median(r.samples, bytesOf)
		st.allocs = median(r.samples, allocsOf)
	}
	return st
}

// group is a name's top-level benchmark: BenchmarkCall for BenchmarkCall/RawHTTP.
func group(name string) string {
	g, _, _ := strings.Cut(name, "/")
	return g
}

// applies reports whether ref compares row name.
func (r ref) applies(name string) bool {
	if r.rows != nil {
		return r.rows.MatchString(name)
	}
	return group(name) == group(r.base)
}

// render prints one table per package.
func render(w io.Writer, pkgs []*pkgResults, refs []ref) {
	for i, p := range pkgs {
		if i > 0 {
			fmt.Fprintln(w)
		}
		title := p.pkg
		if title == "" {
			title = "(no package line)"
		}
		fmt.Fprintf(w, "### %s\n\n", title)
		var used []ref
		for _, rf := range refs {
			if p.find(rf.base) != nil && slices.ContainsFunc(p.rows, func(r *row) bool { return r.name != rf.base && rf.applies(r.name) }) {
				used = append(used, rf)
			}
		}
		header := "| benchmark | runs | ns/op | B/op | allocs/op |"
		align := "| --- | ---: | ---: | ---: | ---: |"
		if len(used) > 0 {
			header += " time vs reference | allocs vs reference |"
			align += " --- | --- |"
		}
		fmt.Fprintf(w, "%s\n%s\n", header, align)
		for _, r := range p.rows {
			st := statsOf(r)
			cells := []string{r.name, strconv.Itoa(st.n), formatNS(st.ns), "-", "-"}
			if st.hasMem {
				cells[3], cells[4] = formatCount(st.bytes), formatCount(st.allocs)
			}
			if len(used) > 0 {
				var times, allocs []string
				for _, rf := range used {
					if r.name == rf.base || !rf.applies(r.name) {
						continue
					}
					base := statsOf(p.find(rf.base))
					times = append(times, ratio(st.ns, base.ns)+" "+shortName(rf.base))
					allocs = append(allocs, memRatio(st, base)+" "+shortName(rf.base))
				}
				cells = append(cells, strings.Join(times, "; "), strings.Join(allocs, "; "))
			}
			fmt.Fprintf(w, "| %s |\n", strings.Join(cells, " | "))
		}
	}
}

// shortName is the last element of a name without "Benchmark": RawHTTP for
// BenchmarkCall/RawHTTP.
func shortName(name string) string {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		return name[i+1:]
	}
	return strings.TrimPrefix(name, "Benchmark")
}

func formatNS(ns float64) string {
	switch {
	case math.IsNaN(ns):
		return "-"
	case ns >= 100:
		return strconv.FormatFloat(ns, 'f', 0, 64)
	default:
		return strconv.FormatFloat(ns, 'f', 1, 64)
	}
}

func formatCount(v float64) string { return strconv.FormatFloat(v, 'f', 0, 64) }

// ratio formats a/b as "1.25x".
func ratio(a, b float64) string {
	if b == 0 || math.IsNaN(a) || math.IsNaN(b) {
		return "-"
	}
	return strconv.FormatFloat(a/b, 'f', 2, 64) + "x"
}

func memRatio(a, b stats) string {
	if !a.hasMem || !b.hasMem {
		return "-"
	}
	return ratio(a.allocs, b.allocs)
}

// metric selects a median.
type metric int

const (
	metricNS metric = iota
	metricAllocs
)

// operand is one benchmark's metric.
type operand struct {
	pkg, name string
	metric    metric
}

// goal is one of the project's performance goals: num/den (or num alone when den is nil)
// compared with limit.
type goal struct {
	label    string
	num      operand
	den      *operand
	atMost   bool // true: value <= limit; false: value >= limit
	limit    float64
	unit     string // "x" for ratios, "ns" for times
	quantity string // what the value is, for the report
}

const (
	benchPkg   = "github.com/es-openapi/interrupt/bench"
	clientPkg  = "github.com/es-openapi/interrupt/client"
	serverPkg  = "github.com/es-openapi/interrupt/server"
	signingPkg = "github.com/es-openapi/interrupt/signing"
)

// projectGoals are the goals the issue sets, evaluated on the medians.
var projectGoals = func() []goal {
	var gs []goal
	for _, v := range []string{"V3-JSON", "V3-XML", "ROA-JSON", "ROA-XML"} {
		gs = append(gs, goal{
			label:  "our call (" + v + ") at most 1.3x the raw net/http floor",
			num:    operand{benchPkg, "BenchmarkCall/Ours-" + v, metricNS},
			den:    &operand{benchPkg, "BenchmarkCall/RawHTTP", metricNS},
			atMost: true, limit: 1.3, unit: "x", quantity: "time ratio",
		})
	}
	gs = append(gs,
		goal{
			label:  "our call (V3-JSON) at least 2.5x faster than the official v3 SDK",
			num:    operand{benchPkg, "BenchmarkCall/OfficialV3SDK", metricNS},
			den:    &operand{benchPkg, "BenchmarkCall/Ours-V3-JSON", metricNS},
			atMost: false, limit: 2.5, unit: "x", quantity: "SDK time / ours",
		},
		goal{
			label:  "our call (V3-JSON) at least 4x fewer allocations than the official v3 SDK",
			num:    operand{benchPkg, "BenchmarkCall/OfficialV3SDK", metricAllocs},
			den:    &operand{benchPkg, "BenchmarkCall/Ours-V3-JSON", metricAllocs},
			atMost: false, limit: 4, unit: "x", quantity: "SDK allocs / ours",
		},
		goal{
			label:  "V3 signing under 2 µs (bench: fresh header map per request)",
			num:    operand{benchPkg, "BenchmarkSign/Ours-V3", metricNS},
			atMost: true, limit: 2000, unit: "ns", quantity: "ns/op",
		},
		goal{
			label:  "V3 signing under 2 µs (signing package: re-signing one request)",
			num:    operand{signingPkg, "BenchmarkSignV3", metricNS},
			atMost: true, limit: 2000, unit: "ns", quantity: "ns/op",
		},
		goal{
			label:  "server handler at most 2.5x the bare handler (loopback)",
			num:    operand{serverPkg, "BenchmarkHandler", metricNS},
			den:    &operand{serverPkg, "BenchmarkBareHandler", metricNS},
			atMost: true, limit: 2.5, unit: "x", quantity: "time ratio",
		},
		goal{
			label:  "server.New under 100 µs per server after the first",
			num:    operand{benchPkg, "BenchmarkServerNew", metricNS},
			atMost: true, limit: 100000, unit: "ns", quantity: "ns/op",
		},
	)
	return gs
}()

// value returns an operand's median, if measured.
func value(pkgs []*pkgResults, o operand) (float64, bool) {
	for _, p := range pkgs {
		if p.pkg != o.pkg {
			continue
		}
		r := p.find(o.name)
		if r == nil {
			return 0, false
		}
		st := statsOf(r)
		if o.metric == metricAllocs {
			return st.allocs, st.hasMem
		}
		return st.ns, true
	}
	return 0, false
}

// evaluate returns a goal's value and whether it is met; ok is false when it was not measured.
func evaluate(pkgs []*pkgResults, g goal) (v float64, met, ok bool) {
	v, ok = value(pkgs, g.num)
	if !ok {
		return 0, false, false
	}
	if g.den != nil {
		d, dok := value(pkgs, *g.den)
		if !dok || d == 0 {
			return 0, false, false
		}
		v /= d
	}
	if g.atMost {
		return v, v <= g.limit, true
	}
	return v, v >= g.limit, true
}

// renderGoals prints the goals as a table: measured value, limit, met or not.
func renderGoals(w io.Writer, pkgs []*pkgResults, goals []goal) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "### Goals (medians)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| goal | measured | limit | met |")
	fmt.Fprintln(w, "| --- | ---: | ---: | --- |")
	for _, g := range goals {
		cmp := ">= "
		if g.atMost {
			cmp = "<= "
		}
		limit := cmp + strconv.FormatFloat(g.limit, 'f', -1, 64) + g.unit
		v, met, ok := evaluate(pkgs, g)
		measured, verdict := "not measured", "-"
		if ok {
			if g.unit == "ns" {
				measured = formatNS(v) + " ns"
			} else {
				measured = strconv.FormatFloat(v, 'f', 2, 64) + "x (" + g.quantity + ")"
			}
			verdict = "no"
			if met {
				verdict = "yes"
			}
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", g.label, measured, limit, verdict)
	}
}
