package contract

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"
)

// outcomeWord is how a report line starts for each outcome.
var outcomeWord = map[Outcome]string{Passed: "PASS", Failed: "FAIL", Skipped: "SKIP", NotApplicable: "N/A"}

// WriteReport prints one line per result (PASS, FAIL, SKIP for the target's setup, N/A for a skip
// the document declares; the check's ID and title, and the reason), then one summary: the counts
// ("contract: N passed, ..."), what the run cost the target, and the verdict ("verdict: pass",
// "verdict: partial: ..." or "verdict: fail: ..." naming what to provide).
func WriteReport(w io.Writer, r *Report) error {
	for _, res := range r.Results {
		line := fmt.Sprintf("%-4s  %s  %s", outcomeWord[res.Outcome], res.Check.ID, res.Check.Title)
		if res.Reason != "" {
			line += "\n      " + strings.ReplaceAll(res.Reason, "\n", "\n      ")
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "%s\nin %s\n", r, r.Elapsed.Round(time.Millisecond))
	return err
}

// WriteJUnit writes r as JUnit XML through Ginkgo's reporter, so the CLI and a Ginkgo suite write
// one format: one case per check, with the verdict, "partial" and the request count as suite
// properties; setup skips are failures unless the run is partial, declared skips are skipped.
func WriteJUnit(w io.Writer, suite string, r *Report) error {
	raw, err := junitThroughGinkgo(ginkgoReport(suite, r))
	if err != nil {
		return err
	}
	raw, err = addSuiteProperties(raw, []junitProperty{
		{Name: "verdict", Value: r.Verdict.String()},
		{Name: "partial", Value: strconv.FormatBool(r.Verdict.Partial)},
		{Name: "requests", Value: strconv.FormatInt(r.Requests, 10)},
	})
	if err != nil {
		return err
	}
	_, err = w.Write(raw)
	return err
}

// junitProperty is one property element of a JUnit suite, as Ginkgo writes them.
type junitProperty struct {
	XMLName xml.Name `xml:"property"`
	Name    string   `xml:"name,attr"`
	Value   string   `xml:"value,attr"`
}

// addSuiteProperties inserts props at the end of the suite's properties in raw, Ginkgo's report of
// one suite whose test cases carry none, so the first </properties> closes the suite's. It works
// on the text rather than decoding it again: the module decodes XML in one place only
// (internal/xmlbody), for bodies.
func addSuiteProperties(raw []byte, props []junitProperty) ([]byte, error) {
	end := bytes.Index(raw, []byte("</properties>"))
	if end < 0 {
		return nil, errors.New("ginkgo's JUnit report has no suite properties")
	}
	lineStart := bytes.LastIndexByte(raw[:end], '\n') + 1
	indent := string(raw[lineStart:end])
	var add bytes.Buffer
	for _, p := range props {
		b, err := xml.Marshal(p)
		if err != nil {
			return nil, err
		}
		add.WriteString(indent + "    " + string(b) + "\n")
	}
	return slices.Concat(raw[:lineStart], add.Bytes(), raw[lineStart:]), nil
}

// junitConfig keeps test case names to the check's "ID: title" and leaves out what a check has
// not got: Ginkgo's timeline, captured output and node type.
var junitConfig = reporters.JunitReportConfig{
	OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped | types.SpecStateFailed | types.SpecStatePending,
	OmitCapturedStdOutErr:     true,
	OmitSpecLabels:            true,
	OmitLeafNodeType:          true,
}

// junitThroughGinkgo renders report with Ginkgo's JUnit reporter, which writes only to a file.
func junitThroughGinkgo(report types.Report) ([]byte, error) {
	dir, err := os.MkdirTemp("", "contract-junit-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "report.xml")
	if err := reporters.GenerateJUnitReportWithConfig(report, path, junitConfig); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
}

// ginkgoReport is r as a Ginkgo suite report: one It per check, its outcome as a spec state.
func ginkgoReport(suite string, r *Report) types.Report {
	if r.Verdict.Partial {
		suite += " (partial)"
	}
	report := types.Report{
		SuiteDescription: suite,
		SuiteSucceeded:   r.Verdict.Pass,
		RunTime:          r.Elapsed,
		StartTime:        time.Now().Add(-r.Elapsed),
	}
	if !r.Verdict.Pass {
		report.SpecialSuiteFailureReasons = r.Verdict.Reasons
	}
	for _, res := range r.Results {
		spec := types.SpecReport{
			LeafNodeType:   types.NodeTypeIt,
			LeafNodeText:   res.Check.ID + ": " + res.Check.Title,
			LeafNodeLabels: res.Check.Labels,
			RunTime:        res.Duration,
			State:          types.SpecStatePassed,
		}
		spec.Failure.FailureNodeType, spec.Failure.TimelineLocation.Time = types.NodeTypeIt, report.StartTime
		switch {
		case res.Outcome == Failed:
			spec.State, spec.Failure.Message = types.SpecStateFailed, res.Reason
		case res.Outcome == Skipped && !r.Verdict.Partial:
			spec.State, spec.Failure.Message = types.SpecStateFailed, "not run, the target's setup: "+res.Reason
		case res.Outcome == Skipped:
			spec.State, spec.Failure.Message = types.SpecStateSkipped, "partial verdict, not run for the target's setup: "+res.Reason
		case res.Outcome == NotApplicable:
			spec.State, spec.Failure.Message = types.SpecStateSkipped, "declared by the document: "+res.Reason
		}
		report.SpecReports = append(report.SpecReports, spec)
	}
	return report
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
