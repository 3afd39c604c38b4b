package contract

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"
)

// WriteReport prints one line per result (PASS, FAIL or SKIP, the check's ID and title, and the
// reason) and a closing summary line "contract: N passed, N failed, N skipped".
func WriteReport(w io.Writer, results []Result, elapsed time.Duration) error {
	for _, r := range results {
		line := fmt.Sprintf("%-4s  %s  %s", strings.ToUpper(string(r.Outcome)), r.Check.ID, r.Check.Title)
		if r.Reason != "" {
			line += "\n      " + strings.ReplaceAll(r.Reason, "\n", "\n      ")
		}
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintf(w, "contract: %s\nin %s\n", Summarize(results), elapsed.Round(time.Millisecond))
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
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     float64     `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
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

// WriteJUnit writes results as a JUnit XML report with one test case per check.
func WriteJUnit(w io.Writer, suite string, results []Result, elapsed time.Duration) error {
	sum := Summarize(results)
	s := junitSuite{Name: suite, Tests: len(results), Failures: sum.Failed, Skipped: sum.Skipped, Time: elapsed.Seconds()}
	for _, r := range results {
		group, _, _ := strings.Cut(r.Check.ID, "/")
		c := junitCase{Name: r.Check.ID + ": " + r.Check.Title, Classname: suite + "." + group, Time: r.Duration.Seconds()}
		switch r.Outcome {
		case Failed:
			c.Failure = &junitMessage{Message: firstLine(r.Reason), Text: r.Reason}
		case Skipped:
			c.Skipped = &junitMessage{Message: r.Reason}
		}
		s.Cases = append(s.Cases, c)
	}
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
