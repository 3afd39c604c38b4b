package contract

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
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

// JUnit XML, as CI systems read it.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     float64      `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       float64         `xml:"time,attr"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      float64       `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure,omitempty"`
	Skipped   *junitMessage `xml:"skipped,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes r as a JUnit XML report with one test case per check. The suite's properties
// carry the verdict ("pass", "partial" or "fail"), what to provide, and the request count. A check
// the target's setup kept from running is a failure unless the verdict is partial; a skip the
// document declares is a skipped case.
func WriteJUnit(w io.Writer, suite string, r *Report) error {
	s := junitSuite{Name: suite, Time: r.Elapsed.Seconds(), Properties: []junitProperty{
		{Name: "verdict", Value: r.Verdict.String()},
		{Name: "partial", Value: strconv.FormatBool(r.Verdict.Partial)},
		{Name: "requests", Value: strconv.FormatInt(r.Requests, 10)},
	}}
	if r.Verdict.Partial {
		s.Name += " (partial)"
	}
	for _, res := range r.Results {
		c := junitCase{Name: res.Check.ID + ": " + res.Check.Title, Classname: suite + "." + res.Check.Group(), Time: res.Duration.Seconds()}
		switch {
		case res.Outcome == Failed:
			c.Failure = &junitMessage{Message: firstLine(res.Reason), Text: res.Reason}
		case res.Outcome == Skipped && !r.Verdict.Partial:
			c.Failure = &junitMessage{Message: "not run, the target's setup: " + firstLine(res.Reason), Text: res.Reason}
		case res.Outcome == Skipped:
			c.Skipped = &junitMessage{Message: "partial verdict, not run for the target's setup: " + res.Reason}
		case res.Outcome == NotApplicable:
			c.Skipped = &junitMessage{Message: "declared by the document: " + res.Reason}
		}
		if c.Failure != nil {
			s.Failures++
		}
		if c.Skipped != nil {
			s.Skipped++
		}
		s.Cases = append(s.Cases, c)
	}
	s.Tests = len(s.Cases)
	doc := junitSuites{Tests: s.Tests, Failures: s.Failures, Skipped: s.Skipped, Time: s.Time, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
