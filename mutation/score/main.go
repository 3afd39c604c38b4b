// Command score summarises gremlins JSON reports against a list of equivalent mutants: per
// report, how many mutants were killed, lived, timed out, were not viable or not covered, and
// the score killed / (killed + lived - equivalent), with every survivor that is not listed.
//
//	go run ./mutation/score -equivalent mutation/equivalent.md mutation-out/server.json ...
//
// A report named <package>.json holds mutants of <package>/; equivalent.md lists a mutant as a
// line starting "- `<package>/<file>:<line>:<column> <TYPE>`".
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// report is the part of gremlins' output format (v0.6.0) this command reads.
type report struct {
	Files []struct {
		Filename  string `json:"file_name"`
		Mutations []struct {
			Type   string `json:"type"`
			Status string `json:"status"`
			Line   int    `json:"line"`
			Column int    `json:"column"`
		} `json:"mutations"`
	} `json:"files"`
}

var entry = regexp.MustCompile("^- `([^` ]+:\\d+:\\d+ [A-Z_]+)`")

func main() {
	equivalentPath := flag.String("equivalent", "", "the list of equivalent mutants (markdown)")
	flag.Parse()
	if err := run(os.Stdout, *equivalentPath, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "score:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, equivalentPath string, reports []string) error {
	if len(reports) == 0 {
		return errors.New("no report given")
	}
	equivalent, err := readEquivalent(equivalentPath)
	if err != nil {
		return err
	}
	for _, path := range reports {
		if err := score(w, path, equivalent); err != nil {
			return err
		}
	}
	return nil
}

// readEquivalent returns the listed mutants, "pkg/file:line:col TYPE".
func readEquivalent(path string) (map[string]bool, error) {
	out := map[string]bool{}
	if path == "" {
		return out, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if m := entry.FindStringSubmatch(strings.TrimSpace(s.Text())); m != nil {
			out[m[1]] = true
		}
	}
	return out, s.Err()
}

func score(w io.Writer, path string, equivalent map[string]bool) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var r report
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	pkg := strings.TrimSuffix(filepath.Base(path), ".json")
	counts := map[string]int{}
	var listed int
	var survivors []string
	for _, f := range r.Files {
		for _, m := range f.Mutations {
			counts[m.Status]++
			if m.Status != "LIVED" {
				continue
			}
			key := fmt.Sprintf("%s/%s:%d:%d %s", pkg, f.Filename, m.Line, m.Column, m.Type)
			if equivalent[key] {
				listed++
				continue
			}
			survivors = append(survivors, key)
		}
	}
	sort.Strings(survivors)
	killed, lived := counts["KILLED"], counts["LIVED"]
	fmt.Fprintf(w, "%s: %d killed, %d lived (%d listed as equivalent), %d timed out, %d not viable, %d not covered\n",
		pkg, killed, lived, listed, counts["TIMED OUT"], counts["NOT VIABLE"], counts["NOT COVERED"])
	if denominator := killed + lived - listed; denominator > 0 {
		fmt.Fprintf(w, "%s: score %.1f%% of the non-equivalent covered mutants killed (%d of %d)\n",
			pkg, 100*float64(killed)/float64(denominator), killed, denominator)
	}
	for _, s := range survivors {
		fmt.Fprintf(w, "%s: survivor %s\n", pkg, s)
	}
	return nil
}
