package spec_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/es-openapi/interrupt/spec"
)

// CLAIMS.md is the table of claims; it must cover every code, status and rule of the document and
// name only tests that exist.
func TestClaimsTableCoversTheDocument(t *testing.T) {
	raw, err := os.ReadFile("CLAIMS.md")
	if err != nil {
		t.Fatal(err)
	}
	claims := string(raw)
	_, cat, states, rules, _ := loadAll(t)
	for _, e := range cat.Codes() {
		if !strings.Contains(claims, "\n| "+e.Code+" |") {
			t.Errorf("CLAIMS.md has no catalogue row for %s", e.Code)
		}
	}
	for _, st := range states.Statuses() {
		if !strings.Contains(claims, "\n| "+string(st)+" |") {
			t.Errorf("CLAIMS.md has no state-table row for %s", st)
		}
	}
	for _, r := range rules {
		if !strings.Contains(claims, "\n| "+r.ID+" |") {
			t.Errorf("CLAIMS.md has no row for rule %s", r.ID)
		}
	}

	defined := map[string]bool{}
	root := ".."
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range regexp.MustCompile(`(?m)^func (Test\w+)\(`).FindAllStringSubmatch(string(src), -1) {
			defined[m[1]] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile("`(Test\\w+)`").FindAllStringSubmatch(claims, -1) {
		if !defined[m[1]] {
			t.Errorf("CLAIMS.md names %s, which no test file defines", m[1])
		}
	}
	if _, err := spec.LoadRules(); err != nil {
		t.Fatal(err)
	}
}
