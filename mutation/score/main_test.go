package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Listed survivors leave the score; a later report replaces an earlier one's files.
func TestScore(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	first := write("server.json", `{"files":[
		{"file_name":"a.go","mutations":[{"type":"CONDITIONALS_NEGATION","status":"KILLED","line":1,"column":2},
			{"type":"INVERT_LOGICAL","status":"LIVED","line":3,"column":4},
			{"type":"INVERT_LOGICAL","status":"LIVED","line":5,"column":6}]},
		{"file_name":"b.go","mutations":[{"type":"ARITHMETIC_BASE","status":"LIVED","line":7,"column":8}]}]}`)
	rerun := write("server.rerun.json", `{"files":[
		{"file_name":"b.go","mutations":[{"type":"ARITHMETIC_BASE","status":"KILLED","line":7,"column":8}]}]}`)
	equivalent := write("equivalent.md", "# x\n- `server/a.go:3:4 INVERT_LOGICAL` — why\n"+
		"- `server/b.go:7:8 ARITHMETIC_BASE` — killed in the re-run\n- `server/c.go:1:1 INVERT_LOGICAL` — not reported\n")
	var out strings.Builder
	if err := run(&out, equivalent, []string{first, rerun}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"server: 2 killed, 2 lived (1 listed as equivalent)",
		"server: score 66.7% of the non-equivalent covered mutants killed (2 of 3)",
		"server: survivor server/a.go:5:6 INVERT_LOGICAL",
		"server: listed but did not survive server/b.go:7:8 ARITHMETIC_BASE",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "c.go") {
		t.Errorf("a file no report names is judged stale:\n%s", out.String())
	}
}
