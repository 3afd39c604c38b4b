package main

import (
	"context"
	"fmt"
	"io"
)

// runServe is replaced by the real subcommand; until then it refuses to run.
func runServe(_ context.Context, _ []string, _ func(string) string, _, stderr io.Writer) int {
	fmt.Fprintln(stderr, "esinterrupt serve: not built yet")
	return exitUsage
}
