package genfile

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWrite(t *testing.T) {
	var stdout bytes.Buffer
	if err := Write("", &stdout, []byte("src")); err != nil || stdout.String() != "src" {
		t.Fatalf("to stdout: %q, %v", stdout.String(), err)
	}
	path := filepath.Join(t.TempDir(), "x.go")
	if err := Write(path, nil, []byte("one")); err != nil {
		t.Fatal(err)
	}
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, old, old); err != nil {
		t.Fatal(err)
	}
	if err := Write(path, nil, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || !fi.ModTime().Equal(old) {
		t.Fatalf("the same content rewrote the file: %v, %v", fi.ModTime(), err)
	}
	if err := Write(path, nil, []byte("two")); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "two" {
		t.Fatalf("content %q, want two", got)
	}
}

// ownCommand is a generator with one flag of its own, -own, which marks its output.
func ownCommand() Command {
	own := false
	return Command{
		Name:    "gen",
		Package: "client",
		Flags:   func(fs *flag.FlagSet) { fs.BoolVar(&own, "own", false, "a generator's own flag") },
		Generate: func(pkg string) ([]byte, error) {
			if own {
				return []byte("package " + pkg + " // own\n"), nil
			}
			return []byte("package " + pkg + "\n"), nil
		},
	}
}

func TestCommandRun(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := ownCommand().Run(nil, &stdout, &stderr); err != nil || stdout.String() != "package client\n" {
		t.Fatalf("defaults: %q, %v", stdout.String(), err)
	}
	out := filepath.Join(t.TempDir(), "x_gen.go")
	if err := ownCommand().Run([]string{"-o", out, "-package", "wire", "-own"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(out); string(got) != "package wire // own\n" {
		t.Fatalf("-o -package -own: file %q", got)
	}
}

func TestCommandRunRefuses(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := ownCommand().Run([]string{"extra"}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "unexpected arguments") {
		t.Errorf("a positional argument: err = %v", err)
	}
	if err := ownCommand().Run([]string{"-h"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "Usage of gen") {
		t.Errorf("-h: err = %v, usage %q", err, stderr.String())
	}
	for _, pkg := range []string{"", "func", "a-b"} {
		if err := ownCommand().Run([]string{"-package", pkg}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "not a Go package name") {
			t.Errorf("-package %q: err = %v", pkg, err)
		}
	}
	out := filepath.Join(t.TempDir(), "x_gen.go")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	failing := ownCommand()
	failing.Generate = func(string) ([]byte, error) { return nil, errors.New("no catalogue") }
	if err := failing.Run([]string{"-o", out}, &stdout, &stderr); err == nil || err.Error() != "no catalogue" {
		t.Errorf("a failing generator: err = %v", err)
	}
	if got, _ := os.ReadFile(out); string(got) != "old" {
		t.Errorf("a failing generator changed its output file: %q", got)
	}
}

func TestFormat(t *testing.T) {
	if got, err := Format([]byte("package  x\nconst   A=1\n")); err != nil || string(got) != "package x\n\nconst A = 1\n" {
		t.Errorf("Format: %q, %v", got, err)
	}
	if _, err := Format([]byte("package x\nfunc {")); err == nil || !strings.Contains(err.Error(), "gofmt") {
		t.Errorf("Format of invalid Go: err = %v", err)
	}
}

// -h prints the usage and succeeds, as Go's commands do; every other error fails go generate.
func TestExitCode(t *testing.T) {
	for _, c := range []struct {
		err  error
		want int
	}{
		{nil, 0},
		{flag.ErrHelp, 0},
		{errors.New("unexpected arguments"), 1},
	} {
		if got := exitCode(c.err); got != c.want {
			t.Errorf("exitCode(%v) = %d, want %d", c.err, got, c.want)
		}
	}
}
