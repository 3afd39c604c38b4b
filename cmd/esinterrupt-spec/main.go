// Command esinterrupt-spec writes the InterruptElasticsearchTask OpenAPI document that ships in
// this module, byte for byte, so that a repository can generate code from it in a go:generate
// line without a shell:
//
//	//go:generate go tool esinterrupt-spec -o openapi.yaml
//	//go:generate go tool oapi-codegen -config cfg.yaml openapi.yaml
//
// The document is the one of the module version the repository's go.mod pins, so upgrading the
// module and running go generate updates both the copy and the code made from it.
//
// Usage:
//
//	esinterrupt-spec [-o FILE]
//
// Without -o it writes to standard output. Exit status: 0 written, 1 the file could not be
// written, 2 usage error.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/es-openapi/interrupt/spec"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is the command with its arguments and output streams; it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("esinterrupt-spec", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "", "write the document to this file (replacing it) instead of standard output")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: esinterrupt-spec [-o FILE]\n\nWrites the InterruptElasticsearchTask OpenAPI document of this module version.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 0 {
		fmt.Fprintf(stderr, "esinterrupt-spec: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	doc := spec.Bytes()
	if *out == "" {
		if _, err := stdout.Write(doc); err != nil {
			fmt.Fprintf(stderr, "esinterrupt-spec: %v\n", err)
			return 1
		}
		return 0
	}
	if err := os.WriteFile(*out, doc, 0o644); err != nil {
		fmt.Fprintf(stderr, "esinterrupt-spec: %v\n", err)
		return 1
	}
	return 0
}
