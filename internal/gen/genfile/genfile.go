// Package genfile holds what the code generators under internal/gen share: their command line
// (-o, -package), gofmt of the source they make, and the writer of their output.
package genfile

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"go/token"
	"io"
	"os"
)

// Command is one generator run by go:generate: the flags every generator takes come from here,
// the rest (its name, -package default, own flags and source) from the generator.
type Command struct {
	Name    string              // the command's name, in its usage and error messages
	Package string              // the default of -package, the generated file's package name
	Flags   func(*flag.FlagSet) // defines the generator's own flags; nil for none
	// Generate returns the file's source for package pkg; it runs after the flags are parsed.
	Generate func(pkg string) ([]byte, error)
}

// Run parses args (-o FILE, -package NAME and the generator's own flags, no positional
// arguments), generates and writes the result with Write. A flag error is returned as it is,
// flag.ErrHelp for -h.
func (c Command) Run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(c.Name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "output file (default: standard output)")
	pkg := fs.String("package", c.Package, "package name of the generated file")
	if c.Flags != nil {
		c.Flags(fs)
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if !token.IsIdentifier(*pkg) {
		return fmt.Errorf("-package %q is not a Go package name", *pkg)
	}
	src, err := c.Generate(*pkg)
	if err != nil {
		return err
	}
	return Write(*out, stdout, src)
}

// Main runs c on the process's arguments and standard streams and exits with exitCode's status;
// a failure is printed as "name: error" on standard error and fails go generate.
func (c Command) Main() {
	err := c.Run(os.Args[1:], os.Stdout, os.Stderr)
	if code := exitCode(err); code != 0 {
		fmt.Fprintf(os.Stderr, "%s: %v\n", c.Name, err)
		os.Exit(code)
	}
}

// exitCode is 0 for success and for -h (the usage was asked for and printed), 1 otherwise.
func exitCode(err error) int {
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return 0
	}
	return 1
}

// Format gofmts generated source; an error means the generator wrote invalid Go.
func Format(src []byte) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		return nil, fmt.Errorf("gofmt the generated source: %w", err)
	}
	return out, nil
}

// Write writes src to the file out, or to stdout when out is "". It leaves a file whose content
// is already src untouched, so a second `go generate` keeps its timestamp and the tree exactly
// as it was.
func Write(out string, stdout io.Writer, src []byte) error {
	if out == "" {
		_, err := stdout.Write(src)
		return err
	}
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, src) {
		return nil
	}
	return os.WriteFile(out, src, 0o644)
}
