package contract

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"path/filepath"
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

// WriteJUnit writes r as a JUnit XML report with one test case per check, through Ginkgo's own
// JUnit reporter (reporters.GenerateJUnitReportWithConfig) so that the CLI and a Ginkgo suite
// write one format. The suite's properties add to Ginkgo's the verdict ("pass", "partial",
// "interrupted" or "fail" with its reasons), "partial" and the request count; a partial run's
// suite name ends in " (partial)". A check the target's setup kept from running is a failure
// unless the verdict is partial; a skip the document declares is a skipped case.
func WriteJUnit(w io.Writer, suite string, r *Report) error {
	doc, err := junitThroughGinkgo(ginkgoReport(suite, r))
	if err != nil {
		return err
	}
	props := &doc.TestSuites[0].Properties.Properties
	*props = append(*props,
		reporters.JUnitProperty{Name: "verdict", Value: r.Verdict.String()},
		reporters.JUnitProperty{Name: "partial", Value: strconv.FormatBool(r.Verdict.Partial)},
		reporters.JUnitProperty{Name: "requests", Value: strconv.FormatInt(r.Requests, 10)},
	)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err = io.WriteString(w, "\n")
	return err
}

// junitConfig keeps test case names to the check's "ID: title" and leaves out what a check has
// not got: Ginkgo's timeline, captured output and node type.
var junitConfig = reporters.JunitReportConfig{
	OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped | types.SpecStateFailed | types.SpecStatePending,
	OmitCapturedStdOutErr:     true,
	OmitSpecLabels:            true,
	OmitLeafNodeType:          true,
}

// junitThroughGinkgo renders report with Ginkgo's JUnit reporter, which writes only to a file, and
// reads the result back so that the contract's properties can be added.
func junitThroughGinkgo(report types.Report) (*reporters.JUnitTestSuites, error) {
	dir, err := os.MkdirTemp("", "contract-junit-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "report.xml")
	if err := reporters.GenerateJUnitReportWithConfig(report, path, junitConfig); err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc reporters.JUnitTestSuites
	if err := xml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if len(doc.TestSuites) != 1 {
		return nil, fmt.Errorf("ginkgo's JUnit reporter wrote %d suites, want 1", len(doc.TestSuites))
	}
	return &doc, nil
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
