// Command score summarises gremlins JSON reports against a list of equivalent mutants: per
// report, how many mutants were killed, lived, timed out, were not viable or not covered, and
// the score killed / (killed + lived - equivalent), with every survivor that is not listed and
// every listed mutant of a reported file that did not survive.
//
//	go run ./mutation/score -equivalent mutation/equivalent.md mutation-out/server.json ...
//
// A report named <package>.json or <package>.<anything>.json holds mutants of <package>/;
// equivalent.md lists a mutant as a line starting "- `<package>/<file>:<line>:<column> <TYPE>`".
// When several reports of one package name the same file, the last one given counts for that
// file (a re-run of some files after new checks replaces their earlier results).
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
	Files []file `json:"files"`
}

type file struct {
	Filename  string `json:"file_name"`
	Mutations []struct {
		Type   string `json:"type"`
		Status string `json:"status"`
		Line   int    `json:"line"`
		Column int    `json:"column"`
	} `json:"mutations"`
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
	var order []string
	byPackage := map[string]map[string]file{}
	for _, path := range reports {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var r report
		if err := json.Unmarshal(data, &r); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		pkg, _, _ := strings.Cut(filepath.Base(path), ".")
		if byPackage[pkg] == nil {
			byPackage[pkg] = map[string]file{}
			order = append(order, pkg)
		}
		for _, f := range r.Files {
			byPackage[pkg][f.Filename] = f
		}
	}
	for _, pkg := range order {
		score(w, pkg, byPackage[pkg], equivalent)
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

func score(w io.Writer, pkg string, files map[string]file, equivalent map[string]bool) {
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	counts := map[string]int{}
	var listed int
	var survivors []string
	for _, name := range names {
		f := files[name]
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
	for _, s := range stale(pkg, files, equivalent) {
		fmt.Fprintf(w, "%s: listed but did not survive %s\n", pkg, s)
	}
}

// stale returns the listed mutants of the reports' files that are not among their survivors: a
// list that has drifted from the code (moved lines, killed mutants) would otherwise hide it.
func stale(pkg string, files map[string]file, equivalent map[string]bool) []string {
	lived := map[string]bool{}
	for name, f := range files {
		for _, m := range f.Mutations {
			if m.Status == "LIVED" {
				lived[fmt.Sprintf("%s/%s:%d:%d %s", pkg, name, m.Line, m.Column, m.Type)] = true
			}
		}
	}
	var out []string
	for key := range equivalent {
		file, _, _ := strings.Cut(key, ":")
		name, ok := strings.CutPrefix(file, pkg+"/")
		if _, reported := files[name]; ok && reported && !lived[key] {
			out = append(out, key)
		}
	}
	sort.Strings(out)
	return out
}
